"""Arrival waves: exact timelines, the spread's moments, sizes and show-ups, rules, and
conservation and reproducibility on a scenario with waves and meal peaks.

Statistical checks pool many replications (each its own named stream) and allow 4 standard
errors from the theoretical value; seeds are fixed, so outcomes are reproducible.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from simulator import run_scenario
from simulator.engine.arrivals import source_arrivals, wave_times
from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome
from simulator.engine.rng import Streams, make_generator
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import ScenarioError, load_scenario, load_scenario_text
from simulator.scenario.plan import Plan, SourcePlan, compile_plan
from tests.engine.timeline import run_text, t, visits

ONE_DESK = """
name: one wave
clock: {{open: "09:00", close: "12:00"}}
customer_classes:
  guest: {{pathway: p}}
arrivals:
  coach:
    waves:
      - {wave}
stations:
  desk: {{counters: 1, staffed: false, service: {{dist: constant, value: 10}}}}
pathways: {{p: [desk]}}
"""


def one_wave(wave: str) -> str:
    return ONE_DESK.format(wave=wave)


# ----------------------------------------------------------------------------- exact timelines
def test_wave_without_spread_arrives_at_once_and_is_served_in_order(tmp_path):
    rec = run_text(tmp_path, one_wave('{at: "10:00", size: 4}'))
    assert visits(rec) == [
        (0, "desk", t("10:00"), t("10:00"), t("10:10"), "SERVED"),
        (1, "desk", t("10:00"), t("10:10"), t("10:20"), "SERVED"),
        (2, "desk", t("10:00"), t("10:20"), t("10:30"), "SERVED"),
        (3, "desk", t("10:00"), t("10:30"), t("10:40"), "SERVED"),
    ]
    assert rec.customers["arrival_min"].tolist() == [t("10:00")] * 4
    assert rec.customers["wait_min"].tolist() == [0.0, 10.0, 20.0, 30.0]


@pytest.mark.parametrize(("shape", "offset"), [
    ("uniform", lambda u: u - 0.5),
    ("normal", special.ndtri),
    ("exponential", lambda u: -np.log1p(-u)),
])
def test_wave_with_a_small_spread_joins_the_line_in_time_order(tmp_path, shape, offset):
    """Arrival times are ``at + spread_min * offset(u)`` with the wave's own uniforms."""
    rec = run_text(tmp_path, one_wave(f'{{at: "10:00", size: 3, spread_min: 4, spread: {shape}}}'),
                   seed=5, replication=2)
    u = make_generator(5, 2, "wave:coach:0").random(3)
    arrive = np.sort(t("10:00") + 4 * offset(u))
    start = [float(arrive[0])]
    for k in (1, 2):
        start.append(max(float(arrive[k]), start[-1] + 10))  # one desk, 10 minutes each
    expected = [(k, "desk", round(float(arrive[k]), 6), round(float(start[k]), 6),
                 round(float(start[k] + 10), 6), "SERVED") for k in range(3)]
    assert visits(rec) == expected


def test_early_members_of_a_wave_at_opening_wait_at_the_door(tmp_path):
    yaml = one_wave('{at: "09:00", size: 6, spread_min: 20}')
    rec = run_text(tmp_path, yaml, seed=3)
    u = make_generator(3, 0, "wave:coach:0").random(6)
    arrive = np.sort(np.maximum(t("09:00") + 20 * special.ndtri(u), t("09:00")))
    assert np.sum(arrive == t("09:00")) >= 1  # this seed puts someone before the doors open
    np.testing.assert_array_equal(rec.customers["arrival_min"], arrive)


def test_members_after_the_close_are_dropped(tmp_path):
    yaml = one_wave('{at: "11:55", size: 40, spread_min: 10, spread: exponential}')
    rec = run_text(tmp_path, yaml, seed=1)
    u = make_generator(1, 0, "wave:coach:0").random(40)
    arrive = t("11:55") + 10 * -np.log1p(-u)
    kept = np.sort(arrive[arrive < t("12:00")])
    assert 0 < kept.size < 40
    np.testing.assert_array_equal(rec.customers["arrival_min"], kept)


def test_a_wave_of_size_zero_or_that_never_shows_brings_nobody(tmp_path):
    for wave in ('{at: "10:00", size: 0}', '{at: "10:00", size: 5, probability_show: 0}'):
        rec = run_text(tmp_path, one_wave(wave))
        assert len(rec.customers["customer_id"]) == 0


# ----------------------------------------------------------------------------- via a plan
SOURCES = """\
name: wave sources
clock: {open: "08:00", close: "20:00"}
customer_classes:
  tour: {pathway: p, share: 0.25}
  local: {pathway: p, share: 0.75}
arrivals:
  spread:
    waves:
      - {at: "10:00", size: 50, spread_min: 15}
      - {at: "12:00", size: 50, spread_min: 30, spread: uniform}
      - {at: "14:00", size: 50, spread_min: 12, spread: exponential}
    class: tour
  sized:
    waves:
      - {at: "16:00", size: {dist: poisson, mean: 25}}
      - {at: "17:00", size: {dist: uniform, low: 10, high: 20}, probability_show: 0.5}
    probability_show: 0.8
    group_size: {dist: uniform, low: 1, high: 4}
stations:
  desk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways: {p: [desk]}
"""
REPS = 1000


@pytest.fixture(scope="module")
def wave_plan(tmp_path_factory) -> tuple[Plan, dict[str, SourcePlan]]:
    path = tmp_path_factory.mktemp("waves") / "scenario.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    return plan, {s.name: s for s in plan.sources}


def draws(plan: Plan, src: SourcePlan, rep: int, seed: int = 11):
    return source_arrivals(src, Streams(seed, rep), plan.open_min, plan.close_min)


def test_arrival_times_have_the_mean_and_sd_of_their_spread(wave_plan):
    plan, sources = wave_plan
    src = sources["spread"]
    pooled = []
    for rep in range(REPS):
        raw = wave_times(src, Streams(11, rep))  # wave by wave, before sorting and clipping
        assert raw.shape == (150,)
        times, classes, groups = draws(plan, src, rep)
        np.testing.assert_array_equal(times, np.sort(raw))  # all fall within opening hours
        assert np.all(classes == plan.class_names.index("tour")) and np.all(groups == 1)
        pooled.append(raw.reshape(3, 50))
    x = np.concatenate(pooled, axis=1)
    # (mean, sd, kurtosis) of each wave: normal sd 15; uniform width 30 centred on at;
    # exponential with mean 12 after at
    theory = [(600, 15, 3), (720, 30 / math.sqrt(12), 1.8), (840 + 12, 12, 9)]
    for k, (mean, sd, kurt) in enumerate(theory):
        n = x[k].size
        assert abs(x[k].mean() - mean) <= 4 * sd / math.sqrt(n)
        # Var(s^2) ~ sd^4 (kurtosis - 1) / n, and s - sd ~ (s^2 - sd^2) / (2 sd)
        assert abs(x[k].std(ddof=1) - sd) <= 4 * sd * math.sqrt((kurt - 1) / n) / 2
    assert x[1].min() >= 705 and x[1].max() < 735  # uniform: centred on at, 30 wide
    assert x[2].min() >= 840  # exponential: after at


def test_wave_sizes_and_show_probabilities(wave_plan):
    plan, sources = wave_plan
    counts = np.array([np.histogram(draws(plan, sources["sized"], rep)[0],
                                    bins=[0, 1000, 2000])[0] for rep in range(REPS)])
    poisson, uniform = counts[:, 0], counts[:, 1]
    # wave 1 shows with 0.8 and then brings Poisson(25): mean 20, variance 0.8*25 + 0.16*625
    mean1, var1 = 0.8 * 25, 0.8 * 25 + 0.8 * 0.2 * 25**2
    assert abs(poisson.mean() - mean1) <= 4 * math.sqrt(var1 / REPS)
    shown = poisson[poisson > 0]
    assert abs(shown.var(ddof=1) - 25) <= 4 * math.sqrt((25 + 2 * 25**2) / shown.size)
    # wave 2 overrides the source's show probability with 0.5; its size is round(U(10, 20))
    assert set(np.unique(uniform)) <= {0, *range(10, 21)}
    assert abs(np.mean(uniform > 0) - 0.5) <= 4 * math.sqrt(0.25 / REPS)
    assert abs(uniform[uniform > 0].mean() - 15) <= 4 * (10 / math.sqrt(12)) / math.sqrt(
        np.sum(uniform > 0))


def test_wave_classes_follow_the_shares_and_groups_the_group_size(wave_plan):
    plan, sources = wave_plan
    cls, grp = [], []
    for rep in range(300):
        _, c, g = draws(plan, sources["sized"], rep)
        cls.append(c)
        grp.append(g)
    c, g = np.concatenate(cls), np.concatenate(grp)
    share = np.mean(c == plan.class_names.index("tour"))
    assert abs(share - 0.25) <= 4 * math.sqrt(0.25 * 0.75 / c.size)
    assert set(np.unique(g)) == {1, 2, 3, 4}
    assert abs(g.mean() - 2.5) <= 4 * 0.96 / math.sqrt(g.size)  # round(U(1, 4)): 2.5, sd 0.96


def test_each_wave_keeps_its_own_spread_stream(wave_plan, tmp_path):
    """Resizing the first wave leaves where the second wave's members arrive unchanged."""
    plan, sources = wave_plan
    bigger = SOURCES.replace('size: 50, spread_min: 15', 'size: 70, spread_min: 15')
    path = tmp_path / "bigger.yaml"
    path.write_text(bigger, encoding="utf-8")
    loaded = load_scenario(path)
    plan2 = compile_plan(loaded.scenario, loaded.base_dir)
    a = draws(plan, sources["spread"], 4)[0]
    b = draws(plan2, {s.name: s for s in plan2.sources}["spread"], 4)[0]
    np.testing.assert_array_equal(a[a > 660], b[b > 660])
    assert np.sum(b < 660) == 70


# ----------------------------------------------------------------------------- rules
RULES = """
name: rules
clock: {open: "09:00", close: "17:00"}
customer_classes:
  guest: {pathway: p, share: 1}
arrivals:
  coach:
    waves:
      - {at: "10:00", size: 30}
      - %s
%s
stations:
  desk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways: {p: [desk]}
"""


def issues(wave: str, extra: str = "") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(textwrap.dedent(RULES % (wave, extra)), "x.yaml")
    return [str(i) for i in info.value.issues]


@pytest.mark.parametrize(("wave", "extra", "expected"), [
    ('{at: "08:30", size: 5}', "",
     "x.yaml:10: arrivals.coach.waves.1.at: the wave is outside opening hours (got '08:30'; "
     "expected from 09:00 and before 17:00)"),
    ('{at: "17:00", size: 5}', "",
     "x.yaml:10: arrivals.coach.waves.1.at: the wave is outside opening hours (got '17:00'"),
    ('{at: "12:00", size: -3}', "",
     "x.yaml:10: arrivals.coach.waves.1.size: Input should be greater than or equal to 0 "
     "(got -3)"),
    ('{at: "12:00", size: 2.5}', "",
     "x.yaml:10: arrivals.coach.waves.1.size: a wave size is a whole number >= 0 or a "
     "distribution"),
    ('{at: "12:00", size: {dist: poisson, mean: 0}}', "",
     "x.yaml:10: arrivals.coach.waves.1.size.mean: Input should be greater than 0 (got 0"),
    ('{at: "12:00", size: 5, spread: triangle}', "",
     "x.yaml:10: arrivals.coach.waves.1.spread: Input should be 'normal', 'uniform' or "
     "'exponential' (got 'triangle')"),
    ('{at: "12:00", size: 5}', "    class: tourist",
     "x.yaml:11: arrivals.coach.class: no customer class named 'tourist' (got 'tourist'; "
     "expected one of guest)"),
    ('{at: "12:00", size: 5}', "    class: guest\n    class_shares: {guest: 1}",
     "x.yaml:12: arrivals.coach.class_shares: give class or class_shares, not both"),
    ('{at: "12:00", size: 5}', "    class_shares: {guest: 0.5}",
     "x.yaml:11: arrivals.coach.class_shares: shares must add up to 1 (got 0.5"),
    ('{at: "12:00", size: 5}', "    probability_show: 1.5",
     "x.yaml:11: arrivals.coach.probability_show: Input should be less than or equal to 1"),
])
def test_bad_waves_are_reported_with_file_line_and_path(wave, extra, expected):
    found = issues(wave, extra)
    assert any(i.startswith(expected) for i in found), found


def test_wave_at_must_fall_within_a_steady_state_run():
    text = RULES.replace('close: "17:00"}', '}\nrun: {length_min: 120}') % (
        '{at: "11:00", size: 5}', "")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(textwrap.dedent(text), "x.yaml")
    assert any("waves.1.at: the wave is outside opening hours (got '11:00'; expected from "
               "09:00 and before 11:00)" in str(i) for i in info.value.issues)


# ----------------------------------------------------------------------------- whole runs
CAFE = """\
name: tour cafe
clock: {open: "11:00", close: "21:00"}
customer_classes:
  tourist: {pathway: tour, share: 0.0, patience: {dist: exponential, mean: 25}}
  local: {pathway: local, share: 1.0, balk: {queue_at_least: 8, probability: 0.5}}
arrivals:
  coaches:
    waves:
      - {at: "12:15", size: 45, spread_min: 10}
      - {at: "15:00", size: {dist: poisson, mean: 30}, spread_min: 20, spread: uniform}
      - {at: "18:30", size: 25, spread_min: 8, spread: exponential, probability_show: 0.7}
    class: tourist
    group_size: {dist: uniform, low: 1, high: 3}
  diners:
    rate_per_hour: {"11:00": 20, "15:00": 10, "18:00": 15}
    peaks:
      - {at: "12:30", extra_per_hour: 60, width_min: 45}
      - {at: "19:30", extra_per_hour: 80, width_min: 60}
stations:
  till: {counters: 3, staff: cashiers, service: {dist: gamma, mean: 2.5, cv: 0.5}}
  tables: {counters: 40, staffed: false, service: {dist: lognormal, mean: 35, cv: 0.4},
           waiting_room: 15}
staff:
  cashiers:
    shifts:
      - {start: "11:00", end: "16:00", count: 3, breaks: [{start: "14:30", minutes: 20}]}
      - {start: "16:00", end: "21:00", count: 2}
pathways:
  tour: [till, tables]
  local: [till, {step: tables, probability: 0.6}]
"""


@pytest.fixture(scope="module")
def cafe(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cafe") / "tour_cafe.yaml"
    path.write_text(CAFE, encoding="utf-8")
    return path


def test_conservation_with_waves_and_peaks_over_30_replications(cafe):
    loaded = load_scenario(cafe)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    kinds = {s.kind for s in plan.sources}
    assert kinds == {"waves", "poisson"} and any(s.peak_at_min.size for s in plan.sources)
    for rep in range(30):
        rec = simulate(plan, 21, rep)
        c = rec.customers
        counts = np.bincount(c["outcome"], minlength=4)
        assert counts[CustomerOutcome.INSIDE] == 0
        assert len(c["customer_id"]) == (counts[CustomerOutcome.SERVED]
                                         + counts[CustomerOutcome.BALKED]
                                         + counts[CustomerOutcome.ABANDONED])
        assert np.all(c["arrival_min"] >= plan.open_min)
        assert np.all(c["arrival_min"] < plan.close_min)
        check_conservation(rec)


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory, cafe) -> dict[str, Path]:
    loaded = load_scenario(cafe)
    root = tmp_path_factory.mktemp("wave_runs")
    return {name: run_scenario(loaded, root / name, replications=4, seed=9, jobs=jobs,
                               records="full", records_format="csv", figures=False).out_dir
            for name, jobs in (("a", 1), ("b", 1), ("j2", 2))}


@pytest.mark.parametrize("fname", ["summary.csv", "replications.csv", "customers.csv",
                                   "visits.csv", "by_hour.csv"])
def test_same_seed_same_files_and_jobs_do_not_matter(example_runs, fname):
    a = (example_runs["a"] / fname).read_bytes()
    assert a == (example_runs["b"] / fname).read_bytes()
    assert a == (example_runs["j2"] / fname).read_bytes()
