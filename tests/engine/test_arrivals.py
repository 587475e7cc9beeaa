"""Arrival generation: the non-homogeneous Poisson process, appointments (no-shows and
punctuality) and trace replay.

Statistical checks pool many replications (each its own named stream) and allow 4 standard
errors from the theoretical value; seeds are fixed, so outcomes are reproducible.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from simulator.engine.arrivals import nhpp_times, source_arrivals
from simulator.engine.rng import Streams, make_generator
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import Plan, SourcePlan, compile_plan

# 09:00-13:00 in minutes after midnight; rates per minute; the 10:00-11:00 hour is closed.
BREAKS = np.array([540.0, 600.0, 660.0, 720.0])
RATES = np.array([0.5, 0.0, 1.0, 0.25])
END = 780.0
EDGES = np.append(BREAKS, END)
SEGMENT_MEANS = RATES * np.diff(EDGES)  # 30, 0, 60, 15
REPS = 2000


@pytest.fixture(scope="module")
def nhpp_runs() -> list[np.ndarray]:
    return [nhpp_times(BREAKS, RATES, END, make_generator(99, r, "arrivals:test"))
            for r in range(REPS)]


def test_nhpp_count_mean_and_variance_match_the_integrated_rate(nhpp_runs):
    counts = np.array([len(t) for t in nhpp_runs])
    lam = SEGMENT_MEANS.sum()
    assert lam == 105
    assert abs(counts.mean() - lam) <= 4 * math.sqrt(lam / REPS)
    # Poisson: variance equals the mean; Var(s^2) ~ (lam + 2 lam^2) / n
    assert abs(counts.var(ddof=1) - lam) <= 4 * math.sqrt((lam + 2 * lam**2) / REPS)


def test_nhpp_counts_per_segment_match_each_segments_integrated_rate(nhpp_runs):
    per_seg = np.array([np.histogram(t, bins=EDGES)[0] for t in nhpp_runs])
    for k, lam in enumerate(SEGMENT_MEANS):
        if lam == 0:
            assert per_seg[:, k].sum() == 0  # a zero-rate hour gets no arrival at all
        else:
            assert abs(per_seg[:, k].mean() - lam) <= 4 * math.sqrt(lam / REPS), k


def test_nhpp_times_are_sorted_within_bounds_and_uniform_within_a_segment(nhpp_runs):
    for t in nhpp_runs:
        assert np.all(np.diff(t) >= 0)
        assert t.size == 0 or (t[0] >= BREAKS[0] and t[-1] < END)
        assert not np.any((t >= 600) & (t < 660))
    pooled = np.concatenate(nhpp_runs)
    inside = pooled[(pooled >= 660) & (pooled < 720)]
    assert sps.kstest((inside - 660) / 60, "uniform").pvalue > 1e-3


def test_nhpp_zero_rate_everywhere_gives_no_arrivals():
    out = nhpp_times(BREAKS, np.zeros(4), END, make_generator(1, 0, "a"))
    assert out.size == 0


def test_nhpp_single_segment_is_a_homogeneous_poisson_process():
    rng = make_generator(3, 0, "h")
    t = nhpp_times(np.array([0.0]), np.array([2.0]), 5000.0, rng)
    gaps = np.diff(np.concatenate(([0.0], t)))
    assert abs(len(t) - 10_000) <= 4 * 100
    assert sps.kstest(gaps, "expon", args=(0, 0.5)).pvalue > 1e-3


# ----------------------------------------------------------------------------- via a plan
SCENARIO = """\
name: Arrival sources
clock: {open: "09:00", close: "17:00"}
customer_classes:
  booked:
    pathway: main
arrivals:
  walk_in:
    rate_per_hour: {"08:00": 600, "09:30": 0, "10:00": 60, "11:00": 0}
  punctual:
    slots_every_min: 60
    start: "10:00"
    end: "16:00"
    per_slot: 4
    punctuality_mean_min: -3
    punctuality_sd_min: 4
    class: booked
  noshow:
    slots_every_min: 5
    start: "10:00"
    end: "15:00"
    per_slot: 2
    no_show: 0.2
    class: booked
  edges:
    slots_every_min: 10
    start: "09:00"
    end: "17:30"
    punctuality_mean_min: -5
    punctuality_sd_min: 10
    class: booked
stations:
  desk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways:
  main: [desk]
"""


def compiled(tmp_path: Path, text: str) -> tuple[Plan, dict[str, SourcePlan]]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    return plan, {s.name: s for s in plan.sources}


def arrivals(plan: Plan, src: SourcePlan, rep: int, seed: int = 42):
    return source_arrivals(src, Streams(seed, rep), plan.open_min, plan.close_min)


@pytest.fixture(scope="module")
def appointment_plan(tmp_path_factory):
    return compiled(tmp_path_factory.mktemp("appointments"), SCENARIO)


def test_walk_in_rate_table_from_the_scenario(appointment_plan):
    plan, sources = appointment_plan
    src = sources["walk_in"]
    # the rate before opening holds from open; keys at or before open are folded into it
    np.testing.assert_array_equal(src.breaks_min, [540, 570, 600, 660])
    np.testing.assert_array_equal(src.rates_per_min, [10, 0, 1, 0])
    counts = []
    for rep in range(200):
        t, cls, grp = arrivals(plan, src, rep)
        assert not np.any((t >= 570) & (t < 600)) and not np.any(t >= 660)
        assert np.all(cls == 0) and np.all(grp == 1)
        counts.append([np.sum(t < 570), np.sum((t >= 600) & (t < 660))])
    means = np.mean(counts, axis=0)
    assert abs(means[0] - 300) <= 4 * math.sqrt(300 / 200)
    assert abs(means[1] - 60) <= 4 * math.sqrt(60 / 200)


def test_appointment_no_show_share(appointment_plan):
    plan, sources = appointment_plan
    src = sources["noshow"]
    slots_per_day = 61 * 2
    assert len(src.slots_min) == slots_per_day
    reps = 300
    shown = 0
    for rep in range(reps):
        t, cls, grp = arrivals(plan, src, rep)
        assert set(np.unique(t)) <= set(src.slots_min)  # no punctuality noise: on the slot
        assert np.all(np.bincount(((t - 600) / 5).astype(int)) <= 2)
        assert np.all(cls == 0) and np.all(grp == 1)
        shown += len(t)
    n = reps * slots_per_day
    p_show = 1 - 0.2
    assert abs(shown / n - p_show) <= 4 * math.sqrt(p_show * (1 - p_show) / n)


def test_appointment_punctuality_mean_and_sd(appointment_plan):
    plan, sources = appointment_plan
    src = sources["punctual"]
    offsets = []
    for rep in range(1000):
        t, _, _ = arrivals(plan, src, rep)
        assert len(t) == 7 * 4  # nobody misses: no_show is 0 and slots are far from close
        slot = 600 + 60 * np.round((t - 600) / 60)  # |offset| < 30 with mean -3 and sd 4
        assert np.all(np.bincount(((slot - 600) / 60).astype(int)) == 4)
        offsets.append(t - slot)
    x = np.concatenate(offsets)
    n = x.size
    assert abs(x.mean() - (-3)) <= 4 * 4 / math.sqrt(n)
    assert abs(x.std(ddof=1) - 4) <= 4 * 4 / math.sqrt(2 * (n - 1))
    assert sps.normaltest(x).pvalue > 1e-3


def test_appointments_arrive_within_opening_hours(appointment_plan):
    plan, sources = appointment_plan
    src = sources["edges"]
    assert src.slots_min.max() == 17 * 60 + 30  # slots after close exist in the plan
    at_open = 0
    late_slots_seen = 0
    for rep in range(300):
        t, _, _ = arrivals(plan, src, rep)
        assert np.all(t >= plan.open_min) and np.all(t < plan.close_min)
        assert np.all(np.diff(t) >= 0)
        at_open += int(np.sum(t == plan.open_min))  # early birds wait for the doors
        late_slots_seen += int(np.sum(t > 16 * 60 + 59))
    assert at_open > 0
    assert late_slots_seen > 0


def test_same_seed_same_arrivals_and_sources_have_their_own_streams(appointment_plan):
    plan, sources = appointment_plan
    a1, _, _ = arrivals(plan, sources["edges"], 5)
    a2, _, _ = arrivals(plan, sources["edges"], 5)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, arrivals(plan, sources["edges"], 6)[0])
    assert not np.array_equal(a1, arrivals(plan, sources["edges"], 5, seed=43)[0])


# ----------------------------------------------------------------------------- trace replay
TRACE_SCENARIO = """\
name: Trace replay
clock: {open: "09:00", close: "17:00"}
customer_classes:
  resident:
    pathway: main
  business:
    pathway: main
arrivals:
  logged:
    trace: data/arrivals.csv
    time_column: when
    class_column: kind
stations:
  desk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways:
  main: [desk]
"""


def trace_plan(tmp_path: Path, csv_text: str, scenario: str = TRACE_SCENARIO):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "arrivals.csv").write_text(csv_text, encoding="utf-8")
    return compiled(tmp_path, scenario)


def test_trace_is_replayed_exactly_and_rows_after_close_are_dropped(tmp_path):
    csv_text = (
        "when,kind\n"
        "09:05,resident\n"       # 545
        "9:10,business\n"        # 550: one-digit hour
        "30,resident\n"          # 570: a number is minutes after open
        "10:15:30,business\n"    # 615.5: seconds
        "12.5,business\n"        # 552.5: out of order in the file
        "16:59,business\n"       # 1019: last minute before close
        "17:00,resident\n"       # at close: dropped
        "17:45,business\n"       # after close: dropped
    )
    plan, sources = trace_plan(tmp_path, csv_text)
    for rep in (0, 1):
        t, cls, grp = arrivals(plan, sources["logged"], rep)
        np.testing.assert_array_equal(t, [545, 550, 552.5, 570, 615.5, 1019])
        names = [plan.class_names[c] for c in cls]
        assert names == ["resident", "business", "business", "resident", "business",
                         "business"]
        np.testing.assert_array_equal(grp, np.ones(6))


def test_trace_with_group_sizes_and_a_fixed_class(tmp_path):
    scenario = TRACE_SCENARIO.replace("    class_column: kind\n",
                                      "    group_size_column: party\n    class: business\n")
    plan, sources = trace_plan(tmp_path, "when,party,kind\n09:30,3,resident\n10:00,1,x\n",
                               scenario)
    t, cls, grp = arrivals(plan, sources["logged"], 0)
    np.testing.assert_array_equal(t, [570, 600])
    assert [plan.class_names[c] for c in cls] == ["business", "business"]
    np.testing.assert_array_equal(grp, [3, 1])


def test_bad_time_in_trace_names_file_and_row(tmp_path):
    with pytest.raises(ValueError, match=r"arrivals\.logged\.trace: arrivals\.csv:3: bad time "
                       r"\(got '9h05'"):
        trace_plan(tmp_path, "when,kind\n09:00,resident\n9h05,business\n")


def test_unknown_class_and_missing_column_in_trace(tmp_path):
    with pytest.raises(ValueError, match=r"arrivals\.csv:2: unknown class \(got 'tourist'"):
        trace_plan(tmp_path, "when,kind\n09:00,tourist\n")
    with pytest.raises(ValueError, match=r"column 'when' not in arrivals\.csv"):
        trace_plan(tmp_path, "time,kind\n09:00,resident\n")


@pytest.mark.parametrize("bad", ["12:75", "9:30:00:15", "nan"])
def test_malformed_trace_time_is_an_error(tmp_path, bad):
    with pytest.raises(ValueError, match=r"arrivals\.csv:3: bad time"):
        trace_plan(tmp_path, f"when,kind\n09:00,resident\n{bad},business\n")


def test_trace_rows_before_opening_wait_at_the_door(tmp_path):
    plan, sources = trace_plan(tmp_path, "when,kind\n08:40,resident\n09:05,business\n")
    t, cls, _ = arrivals(plan, sources["logged"], 0)
    np.testing.assert_array_equal(t, [plan.open_min, 545.0])
    assert [plan.class_names[c] for c in cls] == ["resident", "business"]
