"""The measures of one replication (simulator.measures): small hand-made Records with
hand-computed values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator.engine.records import (
    CUSTOMER_COLUMNS,
    STAFF_COLUMNS,
    VISIT_COLUMNS,
    CustomerOutcome,
    Recorder,
    Records,
    VisitOutcome,
)
from simulator.measures.by_hour import BY_HOUR_COLUMNS, by_hour_columns, by_hour_rows
from simulator.measures.conservation import InvariantError, check_conservation
from simulator.measures.estimators import (
    time_weighted_integral,
    time_weighted_mean,
    window_integrals,
)
from simulator.measures.kpis import replication_kpis, waited_share
from simulator.measures.levels import level_grid, wait_histogram
from simulator.measures.quantiles import tally_stats
from simulator.scenario.plan import DutyChange

NAN = math.nan
C, V, D = CustomerOutcome, VisitOutcome, DutyChange

# --------------------------------------------------------------------------
# Test helper: Records from short lists
# --------------------------------------------------------------------------

_VISIT_DEFAULTS: dict[str, object] = {
    "customer_id": 0, "class_idx": 0, "group_size": 1, "station_idx": 0, "step_idx": 0,
    "join_min": NAN, "start_min": NAN, "end_min": NAN, "counter": -1, "staff_id": -1,
    "outcome": int(V.SERVED), "queue_on_join": 0, "busy_on_join": 0, "on_duty_on_join": 0,
    "n_failures": 0, "is_recovery": False, "service_min": NAN, "jockeyed": 0,
}
_CUSTOMER_DEFAULTS: dict[str, object] = {
    "customer_id": 0, "class_idx": 0, "source_idx": 0, "group_size": 1, "arrival_min": NAN,
    "departure_min": NAN, "wait_min": 0.0, "service_min": NAN, "outcome": int(C.SERVED),
    "n_visits": 1, "n_failures": 0,
}
_STAFF_DEFAULTS: dict[str, object] = {
    "group_idx": 0, "slot_id": 0, "kind": int(D.SHIFT_END), "due_min": NAN, "left_min": NAN,
    "late_min": NAN,
}


def _row(defaults: Mapping[str, object], given: Mapping[str, object], columns) -> list:
    unknown = set(given) - set(columns)
    assert not unknown, f"unknown columns {unknown}"
    merged = {**defaults, **given}
    return [merged[k] for k in columns]


def make_records(
    customers: Iterable[Mapping[str, object]] = (),
    visits: Iterable[Mapping[str, object]] = (),
    levels: Iterable[tuple[int, float, int, int, int]] = (),
    staff: Iterable[Mapping[str, object]] = (),
    **meta: object,
) -> Records:
    """Records from lists of dict rows (missing columns take defaults) and level tuples
    ``(station_idx, time_min, queue_len, busy, on_duty)``, frozen by the real recorder."""
    rec = Recorder()
    for c in customers:
        rec.customer(*_row(_CUSTOMER_DEFAULTS, c, CUSTOMER_COLUMNS))
    for v in visits:
        rec.visit(*_row(_VISIT_DEFAULTS, v, VISIT_COLUMNS))
    for s in staff:
        rec.staff_change(*_row(_STAFF_DEFAULTS, s, STAFF_COLUMNS))
    for station, t, q, b, d in levels:
        rec.level(station, t, q, b, d)
    defaults: dict[str, object] = {
        "station_names": ("desk",), "class_names": ("resident",), "group_names": ("clerks",),
        "open_min": 540.0, "close_min": 600.0, "end_min": 600.0, "stats_start_min": None,
        "terminating": True,
    }
    defaults.update(meta)
    if defaults["stats_start_min"] is None:
        defaults["stats_start_min"] = defaults["open_min"]
    return Records.from_recorder(rec, **defaults)


# Two customers, one desk, one clerk, 09:00 opening, doors close 09:10, run ends 09:20.
# c0 arrives 9:00, served 9:00-9:10 (wait 0); c1 arrives 9:05, served 9:10-9:20 (wait 5).
# The clerk's shift was due to end at 9:10 but she finished c1 first: 10 min overtime.
TWO_STANDARDS = [
    {"name": "Desk within 4 min", "station": "desk", "wait_max_min": 4.0, "target_share": 0.5},
    {"name": "Total within 4 min", "station": None, "wait_max_min": 4.0, "target_share": 0.6},
]


def two_customer_day() -> Records:
    return make_records(
        customers=[
            {"customer_id": 0, "arrival_min": 540.0, "departure_min": 550.0, "wait_min": 0.0},
            {"customer_id": 1, "arrival_min": 545.0, "departure_min": 560.0, "wait_min": 5.0,
             "group_size": 3},
        ],
        visits=[
            {"customer_id": 1, "join_min": 545.0, "start_min": 550.0, "end_min": 560.0},
            {"customer_id": 0, "join_min": 540.0, "start_min": 540.0, "end_min": 550.0},
        ],
        levels=[
            (0, 540.0, 0, 0, 1), (0, 540.0, 0, 1, 1),  # c0 arrives and starts at once
            (0, 545.0, 1, 1, 1),
            (0, 550.0, 1, 0, 1), (0, 550.0, 0, 1, 1),  # c0 leaves, then c1 starts
            (0, 560.0, 0, 0, 1),
        ],
        staff=[{"slot_id": 0, "kind": int(D.SHIFT_END), "due_min": 550.0, "left_min": 560.0,
                "late_min": 10.0}],
        close_min=550.0, end_min=560.0, staff_paid_min={0: 10.0}, slot_group={0: 0},
    )


# --------------------------------------------------------------------------
# Step functions
# --------------------------------------------------------------------------

STEP_T = [0.0, 10.0, 10.0, 20.0, 30.0]
STEP_V = [1.0, 5.0, 2.0, 4.0, 0.0]  # the 5 at t=10 is overridden by the later 2


@pytest.mark.parametrize(
    ("t_start", "t_end", "expected"),
    [
        (5.0, 25.0, 5 * 1 + 10 * 2 + 5 * 4),  # starts between rows: value 1 counts from 5
        (10.0, 20.0, 10 * 2),  # starts on a duplicate time: the last row wins
        (12.0, 15.0, 3 * 2),  # inside one step
        (-10.0, 5.0, 10 * 0 + 5 * 1),  # before the first row: initial 0
        (25.0, 40.0, 5 * 4 + 10 * 0),  # past the last row
        (7.0, 7.0, 0.0),  # empty window
    ],
)
def test_time_weighted_integral_boundaries_and_duplicates(t_start, t_end, expected):
    assert time_weighted_integral(STEP_T, STEP_V, t_start, t_end) == pytest.approx(expected)


def test_time_weighted_mean_exact_value_and_initial():
    assert time_weighted_mean(STEP_T, STEP_V, 5.0, 25.0) == pytest.approx(45.0 / 20.0)
    assert time_weighted_mean([10.0], [4.0], 0.0, 20.0, initial=2.0) == pytest.approx(3.0)
    assert math.isnan(time_weighted_mean(STEP_T, STEP_V, 3.0, 3.0))
    assert time_weighted_integral([], [], 0.0, 10.0) == 0.0


def test_time_weighted_rejects_bad_input():
    with pytest.raises(ValueError, match="sorted"):
        time_weighted_integral([0.0, 5.0, 2.0], [1.0, 2.0, 3.0], 0.0, 10.0)
    with pytest.raises(ValueError, match="same length"):
        time_weighted_integral([0.0, 5.0], [1.0], 0.0, 10.0)
    with pytest.raises(ValueError, match="t_end must be >= t_start"):
        time_weighted_integral([0.0], [1.0], 10.0, 0.0)


_times = st.lists(st.integers(0, 1440).map(float), min_size=0, max_size=30).map(sorted)


@st.composite
def step_functions(draw):
    times = draw(_times)
    values = draw(st.lists(st.integers(0, 50).map(float), min_size=len(times),
                           max_size=len(times)))
    a = draw(st.floats(-10.0, 1450.0))
    b = draw(st.floats(-10.0, 1450.0))
    return times, values, min(a, b), max(a, b)


@settings(max_examples=100, deadline=None)
@given(fn=step_functions(), c=st.floats(-100.0, 100.0))
def test_mean_of_constant_is_the_constant(fn, c):
    times, _, a, b = fn
    if b - a < 1e-6:
        b = a + 1.0
    got = time_weighted_mean(times, [c] * len(times), a, b, initial=c)
    assert got == pytest.approx(c, abs=1e-9 * (1 + abs(c)) * (1 + abs(b) + abs(a)) / (b - a))


@settings(max_examples=100, deadline=None)
@given(fn=step_functions())
def test_mean_lies_between_min_and_max(fn):
    times, values, a, b = fn
    if b - a < 1e-6:
        b = a + 1.0
    got = time_weighted_mean(times, values, a, b)
    lo, hi = min([0.0, *values]), max([0.0, *values])  # 0 is the initial value
    assert lo - 1e-9 <= got <= hi + 1e-9


@settings(max_examples=100, deadline=None)
@given(fn=step_functions(), frac=st.floats(0.0, 1.0))
def test_splitting_a_window_and_weighting_the_parts_gives_the_whole(fn, frac):
    times, values, a, b = fn
    m = min(b, a + frac * (b - a))  # rounding may put a + 1.0 * (b - a) above b
    whole = time_weighted_integral(times, values, a, b)
    parts = time_weighted_integral(times, values, a, m) + time_weighted_integral(
        times, values, m, b
    )
    assert parts == pytest.approx(whole, abs=1e-7)
    if m - a > 1e-3 and b - m > 1e-3:
        weighted = (time_weighted_mean(times, values, a, m) * (m - a)
                    + time_weighted_mean(times, values, m, b) * (b - m)) / (b - a)
        assert weighted == pytest.approx(time_weighted_mean(times, values, a, b), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(fn=step_functions(), splits=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_vectorised_window_integrals_agree(fn, splits):
    times, values, a, b = fn
    cuts = sorted(min(max(a + s * (b - a), a), b) for s in splits)
    starts = np.array([a, *cuts])
    ends = np.array([*cuts, b])
    got = window_integrals(np.array(times), np.array(values), starts, ends)
    want = [time_weighted_integral(times, values, s, e) for s, e in zip(starts, ends,
                                                                         strict=True)]
    np.testing.assert_allclose(got, want, atol=1e-7)


# --------------------------------------------------------------------------
# Tally statistics
# --------------------------------------------------------------------------


def within_bin(got: float, exact: float, around: tuple[float, float] | None = None) -> bool:
    """A percentile read from the tally histogram is within half a bin of each of the two
    order statistics it interpolates (``around``; the exact value itself when not given):
    0.005 min below 1 min, 0.5 % of the larger above (simulator.measures.quantiles)."""
    top = max(abs(x) for x in around) if around is not None else abs(exact)
    return abs(got - exact) <= max(0.005, 0.005 * top) * (1 + 1e-9)


def order_statistics(xs, p: float) -> tuple[float, float]:
    """The two order statistics ``numpy.percentile`` interpolates for the ``p``-th percentile."""
    s = np.sort(np.asarray(xs, dtype=float))
    h = (s.size - 1) * p / 100.0
    return float(s[math.floor(h)]), float(s[math.ceil(h)])


def test_tally_stats_values_and_empty():
    t = tally_stats([0.0, 5.0])
    assert (t.mean, t.max) == (2.5, 5.0)
    for got, exact in ((t.p50, 2.5), (t.p90, 4.5), (t.p95, 4.75)):
        assert within_bin(got, exact) and got != exact  # 5.0 is read as its bin's midpoint
    assert all(math.isnan(x) for x in tally_stats([]))
    assert all(math.isnan(x) for x in tally_stats([NAN]))
    assert tally_stats([3.0, NAN]).mean == 3.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=40))
@example([0.0, 3.0, 2.5, 0.5])  # a median between 0.5 and 2.5: off by 0.0077, within 0.0125
def test_tally_stats_match_numpy(xs):
    t = tally_stats(xs)
    assert t.mean == pytest.approx(np.mean(xs))
    for p, got in ((50, t.p50), (90, t.p90), (95, t.p95)):
        assert within_bin(got, float(np.percentile(xs, p)), order_statistics(xs, p)), (p, got)
    assert t.max == max(xs)
    assert min(xs) - 1e-9 <= t.p50 <= t.p90 <= t.p95 <= t.max


# --------------------------------------------------------------------------
# replication_kpis
# --------------------------------------------------------------------------


def test_two_customer_day_exact_kpis():
    k = replication_kpis(two_customer_day(), TWO_STANDARDS, cost_per_hour_by_group=[30.0])
    expected = {
        "arrived": 2, "served": 2, "balked": 0, "blocked": 0, "abandoned": 0, "inside": 0,
        "persons_served": 4, "balk_rate": 0.0, "abandon_rate": 0.0, "served_share": 1.0,
        "waited_share": 0.5, "wait_mean_min": 2.5, "wait_p50_min": 2.5, "wait_p90_min": 4.5,
        "wait_p95_min": 4.75, "wait_max_min": 5.0, "time_in_system_mean_min": 12.5,
        "time_in_system_all_mean_min": 12.5, "throughput_per_hour": 2 / (20 / 60),
        "stats_window_min": 20.0, "arrival_rate_per_min": 0.1, "in_system_tw": 25 / 20,
        "arrived__class__resident": 2, "wait_mean_min__class__resident": 2.5,
        "abandon_rate__class__resident": 0.0,
        "overtime_min": 10.0, "late_break_min": 0.0, "staff_paid_min": 20.0,
        "staff_cost": 20 / 60 * 30.0, "staff_cost_regular": 10 / 60 * 30.0,
        "staff_cost_overtime": 10 / 60 * 30.0, "last_departure_min": 560.0,
        "closing_overrun_min": 10.0,
        "desk__wait_mean_min": 2.5, "desk__wait_p50_min": 2.5, "desk__wait_p90_min": 4.5,
        "desk__wait_p95_min": 4.75, "desk__wait_max_min": 5.0, "desk__waited_share": 0.5,
        "desk__visits": 2,
        "desk__served": 2, "desk__abandoned": 0, "desk__balked": 0, "desk__blocked": 0,
        "desk__failures": 0, "desk__queue_len_tw": 5 / 20, "desk__busy_tw": 1.0,
        "desk__on_duty_tw": 1.0, "desk__utilisation_tw": 1.0, "recovery_cost": 0.0,
        "std__desk_within_4_min__compliance": 0.5, "std__desk_within_4_min__met": 1.0,
        "std__desk_within_4_min__n": 2,
        "std__total_within_4_min__compliance": 0.5, "std__total_within_4_min__met": 0.0,
        "std__total_within_4_min__n": 2,
    }
    assert list(k) == list(expected)  # stable key order for CSV columns
    assert all(isinstance(v, float) for v in k.values())
    for key, want in expected.items():
        if "_p50_" in key or "_p90_" in key or "_p95_" in key:
            assert within_bin(k[key], want), key  # from the histogram
        else:
            assert k[key] == pytest.approx(want), key
    # Little's law holds exactly when everyone arrives and leaves inside the window.
    assert k["in_system_tw"] == pytest.approx(
        k["arrival_rate_per_min"] * k["time_in_system_all_mean_min"]
    )


def test_key_order_is_stable_and_cost_is_nan_without_rates():
    rec = two_customer_day()
    a = replication_kpis(rec, TWO_STANDARDS)
    b = replication_kpis(rec, TWO_STANDARDS)
    assert list(a) == list(b)
    assert math.isnan(a["staff_cost"])
    with pytest.raises(ValueError, match="one rate per staff group"):
        replication_kpis(rec, (), cost_per_hour_by_group=[1.0, 2.0])


def test_no_arrivals_gives_nan_rates_and_zero_counts():
    k = replication_kpis(make_records(levels=[(0, 540.0, 0, 0, 1)]))
    assert k["arrived"] == 0.0
    assert math.isnan(k["balk_rate"]) and math.isnan(k["wait_mean_min"])
    assert k["desk__utilisation_tw"] == 0.0
    assert k["closing_overrun_min"] == 0.0 and math.isnan(k["last_departure_min"])


def _utilisation_levels():
    # busy 1 on 2 clerks, then busy 2 on 2, then one clerk leaves (busy 1 on 1); end 10:30.
    return [(0, 540.0, 0, 1, 2), (0, 570.0, 0, 2, 2), (0, 600.0, 0, 1, 1),
            (1, 540.0, 0, 0, 0)]  # a second station nobody staffs


def test_utilisation_with_staff_on_duty_changing():
    rec = make_records(levels=_utilisation_levels(), station_names=("desk", "cash"),
                       end_min=630.0)
    k = replication_kpis(rec)
    assert k["desk__busy_tw"] == pytest.approx(120 / 90)
    assert k["desk__on_duty_tw"] == pytest.approx(150 / 90)
    assert k["desk__utilisation_tw"] == pytest.approx(120 / 150)
    assert math.isnan(k["cash__utilisation_tw"])
    assert k["cash__on_duty_tw"] == 0.0


def test_warm_up_boundary_correction_and_tally_deletion():
    rec = make_records(
        customers=[
            {"customer_id": 0, "arrival_min": 550.0, "departure_min": 570.0, "wait_min": 9.0},
            {"customer_id": 1, "arrival_min": 560.0, "departure_min": 575.0, "wait_min": 1.0},
        ],
        visits=[
            {"customer_id": 0, "join_min": 550.0, "start_min": 559.0, "end_min": 570.0},
            {"customer_id": 1, "join_min": 560.0, "start_min": 561.0, "end_min": 575.0},
        ],
        levels=_utilisation_levels(), station_names=("desk", "cash"), end_min=630.0,
        stats_start_min=555.0, terminating=False,
    )
    k = replication_kpis(rec)
    # The level in force at 9:15 (busy 1 of 2) counts from 9:15: busy 15 + 60 + 30 = 105.
    assert k["desk__busy_tw"] == pytest.approx(105 / 75)
    assert k["desk__utilisation_tw"] == pytest.approx(105 / 120)
    # Tallies keep only customers arriving at or after 9:15.
    assert k["arrived"] == 1.0 and k["wait_mean_min"] == 1.0
    assert k["desk__visits"] == 1.0 and k["desk__wait_max_min"] == 1.0
    # in_system counts the warm-up customer's time after 9:15: (570-555) + (575-560).
    assert k["in_system_tw"] == pytest.approx(30 / 75)
    assert k["arrival_rate_per_min"] == pytest.approx(1 / 75)
    assert math.isnan(k["closing_overrun_min"])


def _standards_day() -> Records:
    served, ab, bk, bl = int(C.SERVED), int(C.ABANDONED), int(C.BALKED), int(C.BALKED)
    return make_records(
        customers=[
            {"customer_id": 0, "arrival_min": 540.0, "departure_min": 552.0, "wait_min": 2.0,
             "outcome": served},
            {"customer_id": 1, "arrival_min": 541.0, "departure_min": 561.0, "wait_min": 10.0,
             "outcome": served, "class_idx": 1},
            {"customer_id": 2, "arrival_min": 542.0, "departure_min": 543.0, "wait_min": 1.0,
             "outcome": ab, "class_idx": 1},
            {"customer_id": 3, "arrival_min": 543.0, "departure_min": 543.0, "outcome": bk},
            {"customer_id": 4, "arrival_min": 544.0, "departure_min": 544.0, "outcome": bl},
        ],
        visits=[
            {"customer_id": 0, "join_min": 540.0, "start_min": 542.0, "end_min": 552.0},
            {"customer_id": 1, "join_min": 541.0, "start_min": 551.0, "end_min": 561.0,
             "class_idx": 1, "outcome": int(V.FAILED), "n_failures": 1},
            {"customer_id": 2, "join_min": 542.0, "outcome": int(V.ABANDONED), "class_idx": 1},
            {"customer_id": 3, "join_min": 543.0, "outcome": int(V.BALKED)},
            {"customer_id": 4, "join_min": 544.0, "outcome": int(V.BLOCKED)},
        ],
        levels=[(0, 540.0, 0, 1, 1), (0, 561.0, 0, 0, 1)],
        class_names=("resident", "business"), end_min=561.0,
    )


def test_standards_count_abandoned_as_failures_and_exclude_balked():
    stds = [
        {"name": "Desk 5", "station": "desk", "wait_max_min": 5.0, "target_share": 0.3},
        {"name": "Visit 5", "station": None, "wait_max_min": 5.0, "target_share": 0.5},
        {"name": "desk-5", "station": "desk", "wait_max_min": 5.0, "classes": ["business"]},
    ]
    k = replication_kpis(_standards_day(), stds)
    assert k["std__desk_5__compliance"] == pytest.approx(1 / 3)  # 2 min ok; 10 min, abandon fail
    assert k["std__desk_5__met"] == 1.0
    assert k["std__desk_5__n"] == 3.0
    assert k["std__visit_5__compliance"] == pytest.approx(1 / 3)
    assert k["std__visit_5__met"] == 0.0
    assert k["std__desk_5_2__compliance"] == 0.0  # business: one 10-min wait, one abandon
    assert k["std__desk_5_2__met"] == 0.0  # default target 0.8
    assert k["std__desk_5_2__n"] == 2.0
    assert (k["balked"], k["blocked"], k["abandoned"], k["served"]) == (2.0, 1.0, 1.0, 2.0)
    assert (k["desk__balked"], k["desk__blocked"], k["desk__abandoned"]) == (1.0, 1.0, 1.0)
    assert k["desk__served"] == 2.0 and k["desk__failures"] == 1.0
    assert k["balk_rate"] == pytest.approx(2 / 5) and k["abandon_rate"] == pytest.approx(1 / 5)


def test_class_kpis_and_waited_share_by_hand():
    """Residents: c0 (served after 2 min), c3 balked, c4 blocked; business: c1 (served after
    10 min), c2 abandoned. P(wait > 0) leaves balked and blocked units out."""
    k = replication_kpis(_standards_day())
    assert k["arrived__class__resident"] == 3.0 and k["arrived__class__business"] == 2.0
    assert k["wait_mean_min__class__resident"] == 2.0
    assert k["wait_mean_min__class__business"] == 10.0
    assert k["abandon_rate__class__resident"] == 0.0
    assert k["abandon_rate__class__business"] == 0.5
    assert k["waited_share"] == 1.0  # two served after a wait, one abandoned
    assert k["desk__waited_share"] == 1.0
    # invariant: the classes add up to the whole
    total = sum(k[f"arrived__class__{c}"] for c in ("resident", "business"))
    assert total == k["arrived"]
    assert sum(k[f"abandon_rate__class__{c}"] * k[f"arrived__class__{c}"]
               for c in ("resident", "business")) == pytest.approx(k["abandoned"])


def test_waited_share_counts_immediate_starts_as_not_waiting():
    assert waited_share(np.array([0.0, 0.0, 0.0]), 0) == 0.0
    assert waited_share(np.array([0.0, 1e-12, 3.0]), 1) == 0.5
    assert math.isnan(waited_share(np.array([]), 0))


def test_wait_and_service_standard_counts_from_joining_to_the_end_of_service():
    def std(limit: float) -> dict:
        return {"name": "Food", "station": "desk", "wait_max_min": limit,
                "measure": "wait_and_service"}

    # customer 0: 540 -> 552 (12 min), customer 1: 541 -> 561 (20 min), customer 2 abandoned
    assert replication_kpis(_standards_day(), [std(12.0)])["std__food__compliance"] == (
        pytest.approx(1 / 3))
    assert replication_kpis(_standards_day(), [std(11.9)])["std__food__compliance"] == 0.0
    assert replication_kpis(_standards_day(), [std(20.0)])["std__food__compliance"] == (
        pytest.approx(2 / 3))
    assert replication_kpis(_standards_day(), [std(20.0)])["std__food__n"] == 3.0


def test_standards_with_no_relevant_units_and_bad_names():
    k = replication_kpis(make_records(), [{"name": "x", "station": None, "wait_max_min": 5}])
    assert math.isnan(k["std__x__compliance"]) and math.isnan(k["std__x__met"])
    with pytest.raises(ValueError, match="unknown station 'nope'"):
        replication_kpis(make_records(), [{"name": "x", "station": "nope", "wait_max_min": 5}])
    with pytest.raises(ValueError, match="unknown class 'vip'"):
        replication_kpis(make_records(), [{"name": "x", "wait_max_min": 5, "classes": ["vip"]}])


class _Std:  # attribute access, like the pydantic Standard model
    name = "Desk 5"
    station = "desk"
    wait_max_min = 5.0
    target_share = 0.3
    classes = None


def test_standards_accept_objects():
    k = replication_kpis(_standards_day(), [_Std()])
    assert k["std__desk_5__compliance"] == pytest.approx(1 / 3)


def test_overtime_late_breaks_and_cost_with_still_there_rows():
    rec = make_records(
        staff=[
            {"slot_id": 0, "group_idx": 0, "kind": int(D.SHIFT_END), "due_min": 1020.0,
             "left_min": 1030.0, "late_min": 10.0},
            {"slot_id": 1, "group_idx": 0, "kind": int(D.SHIFT_END), "due_min": 1020.0},
            {"slot_id": 2, "group_idx": 1, "kind": int(D.SHIFT_END), "due_min": 1060.0},
            {"slot_id": 0, "group_idx": 0, "kind": int(D.BREAK), "due_min": 720.0,
             "left_min": 725.0, "late_min": 5.0},
            {"slot_id": 1, "group_idx": 0, "kind": int(D.BREAK), "due_min": 1040.0},
        ],
        group_names=("clerks", "cashiers"), end_min=1050.0,
        staff_paid_min={0: 480.0, 1: 480.0, 2: 240.0}, slot_group={0: 0, 1: 0, 2: 1},
    )
    k = replication_kpis(rec, cost_per_hour_by_group=[30.0, 60.0])
    assert k["overtime_min"] == 40.0  # 10 + (1050 - 1020) + 0 (not yet due)
    assert k["late_break_min"] == 15.0  # 5 + (1050 - 1040)
    assert k["staff_paid_min"] == 1240.0
    assert k["staff_cost"] == pytest.approx(480 / 60 * 30 * 2 + 240 / 60 * 60 + 40 / 60 * 30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 50)), min_size=1, max_size=25))
def test_littles_law_exact_on_a_closed_day(spans):
    customers = [
        {"customer_id": i, "arrival_min": 540.0 + a, "departure_min": 540.0 + a + d,
         "wait_min": 0.0}
        for i, (a, d) in enumerate(spans)
    ]
    end = max(c["departure_min"] for c in customers) + 1.0
    k = replication_kpis(make_records(customers=customers, end_min=end))
    assert k["in_system_tw"] == pytest.approx(
        k["arrival_rate_per_min"] * k["time_in_system_all_mean_min"], rel=1e-9, abs=1e-12
    )


# --------------------------------------------------------------------------
# By hour, grids, histograms
# --------------------------------------------------------------------------


def test_by_hour_two_customer_day():
    rows = by_hour_rows(two_customer_day(), TWO_STANDARDS)
    cols = by_hour_columns(TWO_STANDARDS)
    assert cols[: len(BY_HOUR_COLUMNS)] == list(BY_HOUR_COLUMNS)
    assert cols[-2:] == ["std__desk_within_4_min__compliance",
                         "std__total_within_4_min__compliance"]
    assert [list(r) for r in rows] == [cols, cols]
    overall, desk = rows
    assert (overall["hour"], overall["station"], desk["station"]) == (9, "all", "desk")
    assert overall["arrivals"] == 2.0 and overall["served"] == 2.0
    assert overall["wait_mean_min"] == 2.5 and overall["wait_p90_min"] == pytest.approx(4.5)
    assert overall["balk_rate"] == 0.0
    assert desk["queue_len_tw"] == pytest.approx(0.25) and desk["utilisation_tw"] == 1.0
    assert overall["queue_len_tw"] == pytest.approx(0.25)
    assert overall["std__total_within_4_min__compliance"] == 0.5
    assert overall["std__desk_within_4_min__compliance"] == 0.5
    assert desk["std__desk_within_4_min__compliance"] == 0.5
    assert math.isnan(desk["std__total_within_4_min__compliance"])


def _two_hour_records(**meta) -> Records:
    return make_records(
        customers=[{"customer_id": 0, "arrival_min": 590.0, "departure_min": 650.0,
                    "wait_min": 20.0}],
        visits=[{"customer_id": 0, "join_min": 590.0, "start_min": 610.0, "end_min": 650.0}],
        levels=[(0, 540.0, 0, 0, 1), (0, 590.0, 2, 1, 1), (0, 610.0, 0, 1, 1),
                (0, 650.0, 0, 0, 1)],
        end_min=660.0, **meta,
    )


def test_by_hour_level_columns_are_clipped_to_clock_hours():
    rows = by_hour_rows(_two_hour_records())
    assert [(r["hour"], r["station"]) for r in rows] == [
        (9, "all"), (9, "desk"), (10, "all"), (10, "desk")]
    h9, h10 = rows[1], rows[3]
    assert h9["queue_len_tw"] == pytest.approx(20 / 60)
    assert h9["busy_tw"] == pytest.approx(10 / 60)
    assert h10["queue_len_tw"] == pytest.approx(20 / 60)
    assert h10["utilisation_tw"] == pytest.approx(50 / 60)
    assert h9["arrivals"] == 1.0 and h9["wait_mean_min"] == 20.0
    assert h10["arrivals"] == 0.0 and math.isnan(h10["balk_rate"])  # closing-time service row


def test_by_hour_with_warm_up_clips_the_first_hour():
    rows = by_hour_rows(_two_hour_records(stats_start_min=570.0, terminating=False))
    assert rows[1]["hour"] == 9
    assert rows[1]["queue_len_tw"] == pytest.approx(20 / 30)
    assert rows[1]["busy_tw"] == pytest.approx(10 / 30)


def test_level_grid_samples_value_in_force():
    g = level_grid(two_customer_day(), step_min=5.0, t_end_min=570.0)
    np.testing.assert_array_equal(g.times_min, [540, 545, 550, 555, 560, 565, 570])
    np.testing.assert_array_equal(g.queue_len[0, :5], [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(g.busy[0, :5], [1, 1, 1, 1, 0])
    np.testing.assert_array_equal(g.on_duty[0, :5], [1, 1, 1, 1, 1])
    assert np.isnan(g.queue_len[0, 5:]).all()  # after the run ended
    assert level_grid(two_customer_day()).queue_len.shape == (1, 5)
    with pytest.raises(ValueError, match="step_min"):
        level_grid(two_customer_day(), step_min=0.0)


def test_wait_histogram_bins_and_open_last_bin():
    counts = wait_histogram(_two_hour_records(), [0.0, 5.0, 10.0])
    np.testing.assert_array_equal(counts, [[0, 0, 1]])  # a 20-minute wait: open last bin
    counts = wait_histogram(two_customer_day(), [0.0, 5.0, 10.0])
    np.testing.assert_array_equal(counts, [[1, 1, 0]])  # 0 -> [0,5), 5 -> [5,10)
    with pytest.raises(ValueError, match="strictly increasing"):
        wait_histogram(two_customer_day(), [0.0, 5.0, 5.0])


# --------------------------------------------------------------------------
# Conservation
# --------------------------------------------------------------------------


def test_conservation_passes_on_consistent_days():
    check_conservation(two_customer_day())
    check_conservation(_standards_day())


def test_conservation_detects_unfinished_visits_and_busy_counters():
    bad = make_records(
        customers=[{"customer_id": 0, "arrival_min": 540.0, "departure_min": 560.0}],
        visits=[{"customer_id": 0, "join_min": 540.0, "start_min": 545.0,
                 "outcome": int(V.UNFINISHED)}],
    )
    with pytest.raises(InvariantError, match="UNFINISHED"):
        check_conservation(bad)
    busy = make_records(
        customers=[{"customer_id": 0, "arrival_min": 540.0, "departure_min": 560.0}],
        levels=[(0, 540.0, 0, 1, 1)],
    )
    with pytest.raises(InvariantError, match="busy=1"):
        check_conservation(busy)


def test_conservation_detects_bad_outcome_codes():
    rec = make_records(customers=[{"customer_id": 0, "arrival_min": 540.0, "outcome": 9}])
    with pytest.raises(InvariantError, match="outcome codes"):
        check_conservation(rec)


def test_conservation_skips_visit_checks_when_customers_remain_inside():
    rec = make_records(
        customers=[{"customer_id": 0, "arrival_min": 540.0, "outcome": int(C.INSIDE)}],
        visits=[{"customer_id": 0, "join_min": 540.0, "outcome": int(V.UNFINISHED)}],
        levels=[(0, 540.0, 1, 0, 0)],
    )
    check_conservation(rec)


def test_by_hour_station_balks_include_blocked():
    rows = by_hour_rows(_standards_day())
    overall, desk = rows
    assert overall["arrivals"] == 5.0 and overall["balk_rate"] == pytest.approx(2 / 5)
    assert overall["abandon_rate"] == pytest.approx(1 / 5)
    assert desk["arrivals"] == 5.0 and desk["balked"] == 2.0 and desk["abandoned"] == 1.0
    assert desk["served"] == 2.0 and desk["wait_mean_min"] == pytest.approx(6.0)


def test_conservation_detects_departed_customer_without_departure():
    rec = make_records(customers=[{"customer_id": 0, "arrival_min": 540.0}])
    with pytest.raises(InvariantError, match="lack a departure"):
        check_conservation(rec)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5),
                          st.one_of(st.floats(0, 100, allow_nan=False), st.just(float("nan")))),
                max_size=60))
def test_an_hours_mean_and_p90_are_exact(pairs):
    from simulator.measures.acc_hours import _Cell

    h = np.array([p[0] for p in pairs], dtype=np.int64)
    x = np.array([p[1] for p in pairs], dtype=np.float64)
    for k in range(7):
        cell = _Cell()
        half = x[h == k]
        cell.waits = [half[: half.size // 2], half[half.size // 2:]]  # two chunks
        cell.settle()
        w = half[~np.isnan(half)]
        want_mean = math.fsum(w) / w.size if w.size else NAN
        want_p90 = float(np.percentile(w, 90)) if w.size else NAN
        assert (np.isnan(cell.mean) and np.isnan(want_mean)) or cell.mean == want_mean
        assert (np.isnan(cell.p90) and np.isnan(want_p90)) or cell.p90 == pytest.approx(
            want_p90, abs=1e-9)  # numpy's linear interpolation, up to rounding
