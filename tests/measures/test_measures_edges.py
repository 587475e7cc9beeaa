"""Measures at their edges, worked by hand: the "all" row of the by-hour table over several
stations, the warm-up cut-off for later pathway steps, every conservation check tripping on
its own, and the KPIs of tables and rooms on hand-made records."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.measures.acc_checks import InvariantError
from simulator.measures.by_hour import by_hour_rows
from simulator.measures.conservation import check_conservation
from simulator.measures.estimators import time_weighted_integral, window_integrals
from simulator.measures.kpis import replication_kpis
from simulator.measures.record_views import visit_customer_arrival
from tests.measures.test_metrics import make_records

C, V = CustomerOutcome, VisitOutcome

# desk: 2 clerks, one leaves at 10:00; cash: 1 cashier who leaves at 10:20; run ends 11:00
TWO_STATIONS = [
    (0, 540.0, 0, 1, 2), (0, 570.0, 2, 2, 2), (0, 600.0, 0, 1, 1), (0, 630.0, 0, 0, 1),
    (1, 540.0, 0, 0, 1), (1, 600.0, 1, 1, 1), (1, 620.0, 0, 0, 0),
]


def test_by_hour_all_row_sums_the_stations_levels():
    rec = make_records(levels=TWO_STATIONS, station_names=("desk", "cash"), end_min=660.0)
    rows = {(r["hour"], r["station"]): r for r in by_hour_rows(rec)}
    assert list(rows) == [(9, "all"), (9, "desk"), (9, "cash"),
                          (10, "all"), (10, "desk"), (10, "cash")]
    cols = ("queue_len_tw", "busy_tw", "on_duty_tw", "utilisation_tw")
    want = {
        # 09:00-10:00: desk queue 2 for 30 min, busy 1 then 2, 2 on duty; cash 1 idle cashier
        (9, "desk"): (1.0, 1.5, 2.0, 0.75),
        (9, "cash"): (0.0, 0.0, 1.0, 0.0),
        (9, "all"): (1.0, 1.5, 3.0, 90 / 180),
        # 10:00-11:00: desk busy 30 of 60 on-duty minutes; cash 20 minutes, all busy
        (10, "desk"): (0.0, 0.5, 1.0, 0.5),
        (10, "cash"): (20 / 60, 20 / 60, 20 / 60, 1.0),
        (10, "all"): (20 / 60, 50 / 60, 80 / 60, 50 / 80),
    }
    for key, values in want.items():
        got = tuple(rows[key][c] for c in cols)
        assert got == pytest.approx(values, rel=1e-12), key
    for h in (9, 10):
        assert rows[(h, "all")]["arrivals"] == 0.0 and math.isnan(rows[(h, "all")]["balk_rate"])


def test_by_hour_all_row_with_nobody_on_duty():
    rec = make_records(levels=[(0, 540.0, 3, 0, 0), (1, 540.0, 0, 0, 0)],
                       station_names=("desk", "cash"), end_min=600.0)
    overall = by_hour_rows(rec)[0]
    assert overall["station"] == "all" and overall["queue_len_tw"] == 3.0
    assert overall["on_duty_tw"] == 0.0 and math.isnan(overall["utilisation_tw"])


# warm-up ends 09:30. Customer 0 arrives in the warm-up and reaches the cash desk after it;
# customer 1 arrives after it. Visits are in the window when their customer is.
def warm_up_day():
    return make_records(
        customers=[
            {"customer_id": 0, "arrival_min": 560.0, "departure_min": 585.0, "wait_min": 10.0},
            {"customer_id": 1, "arrival_min": 575.0, "departure_min": 595.0, "wait_min": 0.0},
        ],
        visits=[
            {"customer_id": 0, "station_idx": 0, "join_min": 560.0, "start_min": 565.0,
             "end_min": 575.0},
            {"customer_id": 0, "station_idx": 1, "step_idx": 1, "join_min": 575.0,
             "start_min": 580.0, "end_min": 585.0},
            {"customer_id": 1, "station_idx": 0, "join_min": 575.0, "start_min": 575.0,
             "end_min": 590.0},
            {"customer_id": 1, "station_idx": 1, "step_idx": 1, "join_min": 590.0,
             "start_min": 590.0, "end_min": 595.0},
        ],
        levels=[(0, 540.0, 0, 0, 1), (1, 540.0, 0, 0, 1)],
        station_names=("desk", "cash"), stats_start_min=570.0, end_min=600.0,
        terminating=False,
    )


def test_warm_up_cut_off_follows_the_customer_to_later_steps():
    rec = warm_up_day()
    np.testing.assert_array_equal(visit_customer_arrival(rec), [560.0, 560.0, 575.0, 575.0])
    k = replication_kpis(rec)
    assert (k["arrived"], k["served"], k["wait_mean_min"]) == (1.0, 1.0, 0.0)
    # customer 0's cash visit (joined 09:35) is a warm-up customer's: left out
    assert k["cash__visits"] == 1.0 and k["cash__served"] == 1.0
    assert k["cash__wait_mean_min"] == 0.0 and k["cash__wait_max_min"] == 0.0
    assert k["desk__visits"] == 1.0
    rows = {(r["hour"], r["station"]): r for r in by_hour_rows(rec)}
    assert rows[(9, "cash")]["arrivals"] == 1.0 and rows[(9, "cash")]["wait_mean_min"] == 0.0
    assert rows[(9, "all")]["arrivals"] == 1.0


def test_visit_of_an_unknown_customer_counts_from_its_join():
    rec = make_records(
        customers=[{"customer_id": 5, "arrival_min": 550.0, "departure_min": 560.0}],
        visits=[{"customer_id": 5, "join_min": 552.0}, {"customer_id": 9, "join_min": 570.0},
                {"customer_id": 2, "join_min": 545.0}],
    )
    np.testing.assert_array_equal(visit_customer_arrival(rec), [545.0, 550.0, 570.0])
    empty = make_records(visits=[{"customer_id": 1, "join_min": 541.0}])
    np.testing.assert_array_equal(visit_customer_arrival(empty), [541.0])


# ------------------------------------------------------------------ conservation
def done_customer(cid: int = 0, **extra) -> dict:
    return {"customer_id": cid, "arrival_min": 540.0, "departure_min": 560.0, **extra}


@pytest.mark.parametrize(("visit", "message"), [
    ({"customer_id": 7, "join_min": 540.0, "start_min": 540.0, "end_min": 550.0},
     r"visits of unrecorded customers: ids \[7\]"),
    ({"customer_id": 0, "join_min": 540.0, "start_min": 555.0, "end_min": 550.0},
     r"1 served visits lack a finite start <= end \(customers \[0\]\)"),
    ({"customer_id": 0, "join_min": 540.0, "start_min": 545.0, "outcome": int(V.RECOVERED)},
     "served visits lack a finite start"),
    ({"customer_id": 0, "join_min": 540.0, "end_min": 550.0, "outcome": int(V.FAILED)},
     "served visits lack a finite start"),
    ({"customer_id": 0, "join_min": 540.0, "start_min": 541.0, "outcome": int(V.ABANDONED)},
     r"1 abandoned/balked/blocked visits have a service start \(customers \[0\]\)"),
    ({"customer_id": 0, "join_min": 540.0, "start_min": 541.0, "outcome": int(V.BALKED)},
     "abandoned/balked/blocked"),
    ({"customer_id": 0, "join_min": 540.0, "start_min": 541.0, "outcome": int(V.BLOCKED)},
     "abandoned/balked/blocked"),
])
def test_each_visit_check_trips_on_its_own(visit, message):
    with pytest.raises(InvariantError, match=message):
        check_conservation(make_records(customers=[done_customer()], visits=[visit]))


def test_consistent_visits_of_every_outcome_pass():
    visits = [
        {"customer_id": 0, "join_min": 540.0, "start_min": 540.0, "end_min": 540.0},
        {"customer_id": 0, "step_idx": 1, "join_min": 540.0, "outcome": int(V.BALKED)},
        {"customer_id": 1, "join_min": 540.0, "outcome": int(V.ABANDONED)},
        {"customer_id": 2, "join_min": 540.0, "outcome": int(V.BLOCKED)},
        {"customer_id": 3, "join_min": 540.0, "outcome": int(V.NOTHING_HELD)},
    ]
    check_conservation(make_records(customers=[done_customer(i) for i in range(4)],
                                    visits=visits, levels=[(0, 540.0, 0, 0, 1)]))


def test_a_line_left_at_the_end_trips_and_rooms_are_exempt():
    with pytest.raises(InvariantError, match=r"station 'desk' ends with queue_len=2, busy=0"):
        check_conservation(make_records(customers=[done_customer()],
                                        levels=[(0, 540.0, 0, 1, 1), (0, 560.0, 2, 0, 1)]))
    tables = make_records(customers=[done_customer()], levels=[(0, 540.0, 0, 1, 4)],
                          station_names=("tables",), station_kinds=("tables",))
    with pytest.raises(InvariantError, match="station 'tables' ends with queue_len=0, busy=1"):
        check_conservation(tables)
    hotel = make_records(customers=[done_customer()],
                         levels=[(0, 540.0, 0, 3, 5), (1, 540.0, 2, 1, 1)],
                         station_names=("rooms", "rooms.housekeeping"),
                         station_kinds=("rooms", "housekeeping"))
    check_conservation(hotel)  # guests stay overnight, dirty rooms wait for tomorrow


def test_departures_before_arrival_and_steady_state_runs():
    early = make_records(customers=[done_customer(departure_min=530.0)])
    with pytest.raises(InvariantError, match=r"1 customers who left lack a departure >= "
                                             r"arrival \(customers \[0\]\)"):
        check_conservation(early)
    # a steady-state run keeps customers and lines at its end: only customer checks apply
    steady = make_records(customers=[done_customer()],
                          visits=[{"customer_id": 4, "join_min": 540.0,
                                   "outcome": int(V.UNFINISHED)}],
                          levels=[(0, 540.0, 3, 1, 1)], terminating=False)
    check_conservation(steady)


# ------------------------------------------------------------------ tables and rooms
def tables_day(**meta):
    # tables of 2 and 4 seats; party 0 at table 0 from 09:00 to 09:30; party 1 at tables 0
    # and 1 joined from 09:30, still seated at the end (10:00); party 2 never seated
    return make_records(
        customers=[done_customer(0), done_customer(1, departure_min=math.nan,
                                                   outcome=int(C.INSIDE)),
                   done_customer(2, departure_min=math.nan, outcome=int(C.INSIDE))],
        visits=[
            {"customer_id": 0, "join_min": 540.0, "start_min": 540.0, "end_min": 570.0,
             "counter": 0},
            {"customer_id": 1, "join_min": 545.0, "start_min": 570.0, "counter": 0,
             "staff_id": 1, "outcome": int(V.UNFINISHED)},
            {"customer_id": 2, "join_min": 550.0, "outcome": int(V.UNFINISHED)},
        ],
        levels=[(0, 540.0, 4, 1, 2), (0, 545.0, 1, 1, 2), (0, 550.0, 2, 1, 2),
                (0, 570.0, 1, 2, 2)],
        station_names=("tables",), station_kinds=("tables",), unit_seats={0: (2, 4)},
        **meta,
    )


def resource_kpis(rec, station: str, fields: tuple[str, ...]) -> dict[str, float]:
    """The held-resource KPIs of one station, out of the replication's KPI row."""
    row = replication_kpis(rec)
    return {f"{station}__{f}": row[f"{station}__{f}"] for f in fields}


TABLE_FIELDS = ("queue_len_max", "seat_utilisation_tw")
ROOM_FIELDS = ("queue_len_max", "kept_waiting_share", "checkout_no_room", "ready_tw", "dirty_tw")


def test_tables_seat_utilisation_and_longest_waiting_list():
    rec = tables_day()
    k = resource_kpis(rec, "tables", TABLE_FIELDS)
    # seat-minutes: 2 × 30 + (2 + 4) × 30 = 240 of 6 seats × 60 minutes
    assert k == {"tables__queue_len_max": 4.0, "tables__seat_utilisation_tw": 240 / 360}
    full = replication_kpis(rec)
    assert full["tables__utilisation_tw"] == pytest.approx((1 * 30 + 2 * 30) / (2 * 60))


def test_tables_kpis_after_a_warm_up():
    rec = tables_day(stats_start_min=548.0, terminating=False)
    k = resource_kpis(rec, "tables", TABLE_FIELDS)
    # the 09:00 list of 4 ended at 09:05, before the window: the longest in force is 2
    assert k["tables__queue_len_max"] == 2.0
    # 2 seats × 22 min (09:08-09:30) + 6 × 30 = 224 of 6 × 52
    assert k["tables__seat_utilisation_tw"] == pytest.approx(224 / 312)


def rooms_day(early: tuple[int, ...] = (), **meta):
    # 5 rooms; guests 0 and 1 handed a room at once and after a wait, guest 2 gave up
    # waiting, guest 3's check-out found no room to vacate; guests in ``early`` arrived
    # at 08:50, before a statistics window that opens at 09:00
    served, kept, gave_up = int(V.SERVED), int(V.SERVED), int(V.ABANDONED)
    return make_records(
        customers=[done_customer(i, arrival_min=530.0 if i in early else 540.0)
                   for i in range(4)],
        visits=[
            {"customer_id": 0, "join_min": 540.0, "start_min": 540.0, "outcome": served},
            {"customer_id": 1, "join_min": 545.0, "start_min": 555.0, "outcome": kept},
            {"customer_id": 2, "join_min": 546.0, "outcome": gave_up},
            {"customer_id": 3, "join_min": 550.0, "outcome": int(V.NOTHING_HELD)},
            {"customer_id": 3, "station_idx": 1, "join_min": 550.0, "start_min": 550.0,
             "end_min": 560.0},
        ],
        levels=[(0, 540.0, 0, 2, 5), (0, 570.0, 0, 3, 5),  # occupied 2 then 3
                (1, 540.0, 1, 1, 1), (1, 580.0, 0, 1, 1)],  # dirty: 2 then 1
        station_names=("rooms", "rooms.housekeeping"), station_kinds=("rooms", "housekeeping"),
        housekeeping_of={0: 1}, **meta,
    )


def test_rooms_ready_dirty_and_kept_waiting():
    rec = rooms_day()
    k = resource_kpis(rec, "rooms", ROOM_FIELDS)
    # over 09:00-10:00: room-minutes 300, occupied 2 × 30 + 3 × 30 = 150,
    # dirty 2 × 40 + 1 × 20 = 100, ready 50
    assert k == pytest.approx({
        "rooms__queue_len_max": 0.0, "rooms__kept_waiting_share": 2 / 3,
        "rooms__checkout_no_room": 1.0, "rooms__ready_tw": 50 / 60, "rooms__dirty_tw": 100 / 60,
    })
    full = replication_kpis(rec)
    assert "rooms.housekeeping__ready_tw" not in full
    assert full["rooms.housekeeping__busy_tw"] == pytest.approx(1.0)


def test_rooms_count_only_the_window_customers():
    # guests 1 and 3 arrived before the statistics window (warm-up customers): of 0 and 2,
    # one was handed a room at once and one gave up; no check-out found no room
    rec = rooms_day(early=(1, 3), open_min=530.0, stats_start_min=540.0, terminating=False)
    part = resource_kpis(rec, "rooms", ROOM_FIELDS)
    assert part["rooms__kept_waiting_share"] == 0.5 and part["rooms__checkout_no_room"] == 0.0


def test_resource_kpis_of_an_empty_window():
    rec = rooms_day(end_min=540.0)
    k = resource_kpis(rec, "rooms", ROOM_FIELDS)
    assert math.isnan(k["rooms__ready_tw"]) and math.isnan(k["rooms__dirty_tw"])
    t = resource_kpis(tables_day(end_min=540.0), "tables", TABLE_FIELDS)
    assert math.isnan(t["tables__seat_utilisation_tw"]) and t["tables__queue_len_max"] == 4.0


# ------------------------------------------------------------------ step functions
@pytest.mark.parametrize("times", [[5.0, 0.0], [0.0, 5.0, 5.0, 2.0]])
def test_unsorted_rows_are_refused_however_few(times):
    with pytest.raises(ValueError, match=r"^times must be sorted in non-decreasing order$"):
        time_weighted_integral(times, [1.0] * len(times), 0.0, 10.0)
    with pytest.raises(ValueError, match=r"^times must be sorted in non-decreasing order$"):
        window_integrals(times, [1.0] * len(times), np.array([0.0]), np.array([10.0]))
