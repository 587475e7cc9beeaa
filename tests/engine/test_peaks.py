"""Meal peaks: Gaussian bumps on a walk-in rate, generated exactly by thinning.

Theory checks compare means over replications with the integral of the rate (and, through the
engine, with the M_t/M/infinity occupancy) and allow 3 standard errors; seeds are fixed, so
outcomes are reproducible.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from simulator.engine.arrivals import nhpp_times, peak_majorant, peak_rate, source_arrivals
from simulator.engine.model import simulate
from simulator.engine.rng import Streams, make_generator
from simulator.scenario.loader import ScenarioError, load_scenario, load_scenario_text
from simulator.scenario.plan import Plan, SourcePlan, compile_plan
from tests.helpers import HALL

# the brief's restaurant: 11:00-22:00, a baseline table and a lunch and a dinner peak
DINERS = """\
name: diners
clock: {open: "11:00", close: "22:00"}
customer_classes:
  a: {pathway: p, share: 0.3}
  b: {pathway: p, share: 0.7}
arrivals:
  diners:
    rate_per_hour: {"11:00": 20, "15:00": 10, "18:00": 15}
    peaks:
      - {at: "12:30", extra_per_hour: 60, width_min: 45}
      - {at: "19:30", extra_per_hour: 80, width_min: 60}
    group_size: {dist: uniform, low: 1, high: 5}
  plain:
    rate_per_hour: {"11:00": 20, "15:00": 10, "18:00": 15}
    group_size: {dist: uniform, low: 1, high: 5}
stations:
  s: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways: {p: [s]}
"""
OPEN, CLOSE = 660.0, 1320.0
PEAKS = [(750.0, 1.0, 45.0), (1170.0, 80 / 60, 60.0)]  # top, extra per minute, width
REPS = 1000


def rate(t: float) -> float:
    """The scenario's rate per minute, written out independently of the code under test."""
    base = 20 / 60 if t < 900 else (10 / 60 if t < 1080 else 15 / 60)
    return base + sum(h * math.exp(-0.5 * ((t - a) / w) ** 2) for a, h, w in PEAKS)


def expected_count(t0: float, t1: float) -> float:
    """∫ rate over [t0, t1): the baseline's steps plus each bump's normal CDF difference."""
    steps = [(OPEN, 900, 20), (900, 1080, 10), (1080, CLOSE, 15)]
    base = sum(max(0.0, min(t1, b) - max(t0, a)) * r / 60 for a, b, r in steps)
    bumps = sum(h * w * math.sqrt(2 * math.pi)
                * (sps.norm.cdf((t1 - a) / w) - sps.norm.cdf((t0 - a) / w))
                for a, h, w in PEAKS)
    return base + bumps


@pytest.fixture(scope="module")
def diners(tmp_path_factory) -> tuple[Plan, dict[str, SourcePlan]]:
    path = tmp_path_factory.mktemp("peaks") / "scenario.yaml"
    path.write_text(DINERS, encoding="utf-8")
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    return plan, {s.name: s for s in plan.sources}


@pytest.fixture(scope="module")
def runs(diners) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    _, sources = diners
    return [source_arrivals(sources["diners"], Streams(17, r), OPEN, CLOSE) for r in range(REPS)]


def test_the_plan_holds_the_peaks(diners):
    _, sources = diners
    src = sources["diners"]
    np.testing.assert_array_equal(src.peak_at_min, [750, 1170])
    np.testing.assert_allclose(src.peak_extra_per_min, [1, 80 / 60])
    np.testing.assert_array_equal(src.peak_width_min, [45, 60])
    assert sources["plain"].peak_at_min.size == 0


def test_expected_count_formula_matches_quadrature():
    total, _ = integrate.quad(rate, OPEN, CLOSE, points=[750, 900, 1080, 1170], limit=200)
    assert expected_count(OPEN, CLOSE) == pytest.approx(total, rel=1e-9)


@pytest.mark.parametrize(("t0", "t1"), [
    (OPEN, CLOSE), (OPEN, 720.0), (720.0, 780.0), (780.0, 900.0), (900.0, 1080.0),
    (1080.0, 1140.0), (1140.0, 1200.0), (1200.0, CLOSE),
])
def test_mean_count_in_a_window_is_the_integral_of_the_rate(runs, t0, t1):
    counts = np.array([np.count_nonzero((t >= t0) & (t < t1)) for t, _, _ in runs])
    se = counts.std(ddof=1) / math.sqrt(REPS)
    assert abs(counts.mean() - expected_count(t0, t1)) <= 3 * se, (counts.mean(), se)


def test_whole_day_count_is_poisson(runs):
    counts = np.array([len(t) for t, _, _ in runs])
    lam = expected_count(OPEN, CLOSE)
    # a Poisson count: variance equals the mean; Var(s^2) ~ (lam + 2 lam^2) / n
    assert abs(counts.var(ddof=1) - lam) <= 3 * math.sqrt((lam + 2 * lam**2) / REPS)


def test_arrivals_are_sorted_within_the_day_with_classes_and_groups(runs, diners):
    plan, _ = diners
    cls, grp = [], []
    for t, c, g in runs:
        assert np.all(np.diff(t) >= 0) and t[0] >= OPEN and t[-1] < CLOSE
        assert len(c) == len(g) == len(t)
        cls.append(c)
        grp.append(g)
    c, g = np.concatenate(cls), np.concatenate(grp)
    share = np.mean(c == plan.class_names.index("a"))
    assert abs(share - 0.3) <= 3 * math.sqrt(0.3 * 0.7 / c.size)
    assert set(np.unique(g)) == {1, 2, 3, 4, 5}


def test_peak_arrivals_follow_the_bump(tmp_path):
    """With a zero baseline, arrival times are the bump's normal, truncated to the day."""
    text = DINERS.replace('{"11:00": 20, "15:00": 10, "18:00": 15}\n    peaks',
                          '{"11:00": 0}\n    peaks')
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)
    src = compile_plan(loaded.scenario, loaded.base_dir).sources[0]
    pooled = np.concatenate([source_arrivals(src, Streams(3, r), OPEN, CLOSE)[0]
                             for r in range(400)])
    lunch = pooled[pooled < 960]  # the dinner bump puts 1e-4 of its mass before 16:00
    lo = sps.norm.cdf((OPEN - 750) / 45)
    truncated = sps.truncnorm((OPEN - 750) / 45, (960 - 750) / 45, loc=750, scale=45)
    assert sps.kstest(lunch, truncated.cdf).pvalue > 1e-3
    # the lunch bump's expected count: 1 per minute * 45 * sqrt(2 pi) * P(t > open)
    m = 45 * math.sqrt(2 * math.pi) * (1 - lo)
    assert abs(lunch.size / 400 - m) <= 3 * math.sqrt(m / 400)


def test_majorant_bounds_the_bumps_everywhere():
    rng = make_generator(0, 0, "test")
    for _ in range(50):
        k = int(rng.integers(1, 4))
        at = rng.uniform(0, 600, k)
        extra = rng.uniform(0.1, 3, k)
        width = rng.uniform(1, 90, k)
        start, end = float(rng.uniform(-100, 100)), float(rng.uniform(500, 900))
        breaks, bound = peak_majorant(at, extra, width, start, end)
        assert breaks[0] == start and np.all(np.diff(breaks) > 0) and breaks[-1] < end
        assert breaks.size <= 2 + 33 * k
        grid = np.concatenate((np.linspace(start, end, 20_001)[:-1], breaks,
                               np.clip(at, start, np.nextafter(end, start))))
        cell = np.searchsorted(breaks, grid, side="right") - 1
        assert np.all(peak_rate(grid, at, extra, width) <= bound[cell] * (1 + 1e-12))
        # the bound is tight where a top falls: the majorant equals the rate there
        inside = (at >= start) & (at < end)
        if inside.all():
            tops = np.searchsorted(breaks, at, side="right") - 1
            assert np.all(bound[tops] >= extra)


def test_baseline_is_unchanged_by_peaks(runs, diners):
    """Without peaks the walk-in path is the plain inversion; with peaks the baseline arrivals
    (times, classes and group sizes) are still there, as an independent superposed process."""
    _, sources = diners
    plain = sources["plain"]
    for rep in range(20):
        t, _, _ = source_arrivals(plain, Streams(17, rep), OPEN, CLOSE)
        np.testing.assert_array_equal(
            t, nhpp_times(plain.breaks_min, plain.rates_per_min, CLOSE,
                          make_generator(17, rep, "arrivals:plain")))
        # the peaked source, renamed, would draw the same baseline from arrivals:diners
        base = nhpp_times(plain.breaks_min, plain.rates_per_min, CLOSE,
                          make_generator(17, rep, "arrivals:diners"))
        tp, cp, gp = runs[rep]
        at = np.flatnonzero(np.isin(tp, base))
        assert at.size == base.size < tp.size
        u = make_generator(17, rep, "class:diners").random(base.size)
        np.testing.assert_array_equal(cp[at], (u >= 0.3).astype(int))
        u = make_generator(17, rep, "group:diners").random(base.size)
        np.testing.assert_array_equal(gp[at], np.rint(1 + 4 * u).astype(int))


def test_peaks_in_a_long_steady_state_run_stay_cheap_and_exact(tmp_path):
    text = textwrap.dedent("""\
        name: steady
        clock: {open: "00:00"}
        run: {length_min: 100000}
        customer_classes: {c: {pathway: p}}
        arrivals:
          w:
            rate_per_hour: {"00:00": 6}
            peaks: [{at: "12:00", extra_per_hour: 120, width_min: 30}]
        stations:
          s: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
        pathways: {p: [s]}
        """)
    loaded = load_scenario_text(text, "steady.yaml")
    src = compile_plan(loaded.scenario).sources[0]
    breaks, _ = peak_majorant(src.peak_at_min, src.peak_extra_per_min, src.peak_width_min,
                              0.0, 100000.0)
    assert breaks.size <= 35
    counts = np.array([len(source_arrivals(src, Streams(5, r), 0.0, 100000.0)[0])
                       for r in range(200)])
    lam = 100000 / 10 + 2 * 30 * math.sqrt(2 * math.pi)
    assert abs(counts.mean() - lam) <= 3 * math.sqrt(lam / 200)


# ----------------------------------------------------------------------------- through the engine
INFINITE = """\
name: infinite server under meal peaks
clock: {open: "11:00", close: "15:00"}
run: {max_overtime_min: 600}
customer_classes: {c: {pathway: p}}
arrivals:
  w:
    rate_per_hour: {"11:00": 30}
    peaks: [{at: "12:30", extra_per_hour: 120, width_min: 20}]
stations:
  s: {counters: 2000, staffed: false, service: {dist: exponential, mean: 15}}
pathways: {p: [s]}
"""


def test_occupancy_of_an_infinite_server_matches_mt_m_infinity(tmp_path):
    """M_t/M/∞ (Eick, Massey and Whitt 1993): the number in service at t is Poisson with mean
    m(t) = ∫ λ(s) exp(-(t - s) / E[S]) ds over the open hours before t."""
    path = tmp_path / "inf.yaml"
    path.write_text(INFINITE, encoding="utf-8")
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)

    def lam(s: float) -> float:
        return 0.5 + 2.0 * math.exp(-0.5 * ((s - 750) / 20) ** 2)

    probes = [690.0, 735.0, 750.0, 780.0, 840.0, 900.0]
    busy = []
    for rep in range(200):
        lv = simulate(plan, 4, rep).levels
        idx = np.searchsorted(lv["time_min"], probes, side="right") - 1
        busy.append(lv["busy"][idx])
    busy_arr = np.array(busy, dtype=float)
    for k, t in enumerate(probes):
        m, _ = integrate.quad(lambda s, t=t: lam(s) * math.exp(-(t - s) / 15), 660, t,
                              points=[min(750.0, t)], limit=200)
        se = busy_arr[:, k].std(ddof=1) / math.sqrt(len(busy_arr))
        assert abs(busy_arr[:, k].mean() - m) <= 3 * se, (t, busy_arr[:, k].mean(), m)


# ----------------------------------------------------------------------------- rules
RULES = """
name: rules
clock: {open: "11:00", close: "22:00"}
customer_classes: {c: {pathway: p}}
arrivals:
  diners:
    rate_per_hour: {"11:00": 20}
    peaks:
      - %s
stations:
  s: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways: {p: [s]}
"""


@pytest.mark.parametrize(("peak", "expected"), [
    ('{at: "10:30", extra_per_hour: 60, width_min: 45}',
     "x.yaml:9: arrivals.diners.peaks.0.at: the top of the peak is outside opening hours "
     "(got '10:30'; expected from 11:00 and before 22:00)"),
    ('{at: "12:30", extra_per_hour: 0, width_min: 45}',
     "x.yaml:9: arrivals.diners.peaks.0.extra_per_hour: Input should be greater than 0"),
    ('{at: "12:30", extra_per_hour: 60, width_min: 0}',
     "x.yaml:9: arrivals.diners.peaks.0.width_min: Input should be greater than 0"),
    ('{at: "12:30", extra_per_hour: 60, width: 45}',
     "x.yaml:9: arrivals.diners.peaks.0.width: unknown key 'width'; did you mean 'width_min'?"),
])
def test_bad_peaks_are_reported_with_file_line_and_path(peak, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(textwrap.dedent(RULES % peak), "x.yaml")
    found = [str(i) for i in info.value.issues]
    assert any(i.startswith(expected) for i in found), found


def test_existing_walk_in_scenarios_draw_no_peak_streams():
    """A scenario without peaks must not touch the new streams (its results are unchanged)."""
    hall = HALL
    loaded = load_scenario(hall)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    assert all(s.peak_at_min.size == 0 for s in plan.sources)

    names: list[str] = []

    class Recording(Streams):
        def generator(self, name: str) -> np.random.Generator:
            names.append(name)
            return super().generator(name)

    for src in plan.sources:
        source_arrivals(src, Recording(1, 0), plan.open_min, plan.close_min)
    assert not any(n.split(":")[0] in {"peaks", "thin", "peak_class", "peak_group", "wave",
                                       "wave_show", "wave_size"} for n in names)
    assert any(n.startswith("arrivals:") for n in names)
