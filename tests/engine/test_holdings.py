"""Held resources: exact timelines of tables and rooms on tiny deterministic scenarios."""

from __future__ import annotations

import numpy as np

from simulator.engine.records import CustomerOutcome, Records
from simulator.measures.conservation import check_conservation
from simulator.measures.kpis import replication_kpis
from tests.engine.timeline import run_text, staff_rows, t, visits

RESTAURANT = """
name: tables
clock: {{open: "18:00", close: "20:00"}}
customer_classes:
  c: {{pathway: party{cls}}}
arrivals:
  log: {{trace: trace.csv, group_size_column: size}}
stations:
  host: {{counters: 1, staffed: false, service: {{dist: constant, value: 0}}}}
  order: {{counters: 10, staffed: false, service: {{dist: constant, value: 5}}}}
  kitchen: {{counters: {kitchen}, staffed: false, service: {{dist: constant, value: 10}}}}
  eat: {{counters: 10, staffed: false, service: {{dist: constant, value: {eat}}}}}
  pay: {{counters: 10, staffed: false, service: {{dist: constant, value: 2}}}}
resources:
  tables: {{kind: tables, sizes: {sizes}{options}}}
pathways:
  party: {pathway}
"""


def restaurant(sizes: str, *, options: str = "", cls: str = "", kitchen: int = 10,
               eat: float = 30, pathway: str = "[{seize: tables}, eat, {release: tables}]"
               ) -> str:
    return RESTAURANT.format(sizes=sizes, options=options, cls=cls, kitchen=kitchen, eat=eat,
                             pathway=pathway)


def tables(rec: Records) -> list[tuple]:
    """Table visits as (customer, join, start, end, table, second table, outcome)."""
    out = []
    s = rec.station_names.index("tables")
    v = rec.visits
    for i in np.flatnonzero(v["station_idx"] == s):
        row = visits(rec)[i]
        out.append((row[0], row[2], row[3], row[4], int(v["counter"][i]),
                    int(v["staff_id"][i]), row[5]))
    return out


def test_party_takes_the_smallest_free_table_that_fits(tmp_path):
    trace = "time,size\n0,3\n1,2\n2,5\n3,1\n"
    rec = run_text(tmp_path, restaurant("{2: 1, 4: 1, 6: 1}"), trace)
    assert tables(rec) == [
        (0, t("18:00"), t("18:00"), t("18:30"), 1, -1, "SERVED"),  # 3 -> the 4-top
        (1, t("18:01"), t("18:01"), t("18:31"), 0, -1, "SERVED"),  # 2 -> the 2-top
        (2, t("18:02"), t("18:02"), t("18:32"), 2, -1, "SERVED"),  # 5 -> the 6-top
        (3, t("18:03"), t("18:30"), t("19:00"), 1, -1, "SERVED"),  # 1 waits for the first
    ]
    assert rec.customers["wait_min"].tolist() == [0.0, 0.0, 0.0, 27.0]
    check_conservation(rec)


def test_joined_tables_smallest_total_when_no_single_table_fits(tmp_path):
    trace = "time,size\n0,2\n1,3\n2,2\n3,2\n4,6\n5,1\n"
    rec = run_text(tmp_path, restaurant("{2: 2, 4: 1}", options=", join: true"), trace)
    assert tables(rec) == [
        (0, 1080.0, 1080.0, 1110.0, 0, -1, "SERVED"),
        (1, 1081.0, 1081.0, 1111.0, 2, -1, "SERVED"),
        (2, 1082.0, 1082.0, 1112.0, 1, -1, "SERVED"),
        (3, 1083.0, 1110.0, 1140.0, 0, -1, "SERVED"),
        # 6 needs two tables: at 18:41 the free ones are 0, 1 (2-tops) and 2 (4-top);
        # 2 + 4 = 6 is the smallest total that fits, lowest indices first
        (4, 1084.0, 1141.0, 1171.0, 0, 2, "SERVED"),
        # 1 fits the 4-top freed at 18:31 while the 6 ahead of it does not
        (5, 1085.0, 1111.0, 1141.0, 2, -1, "SERVED"),
    ]
    kpis = replication_kpis(rec)
    seats = np.array([2, 2, 4])
    held = 30 * (2 + 4 + 2 + 2 + 4) + 30 * (2 + 4)  # seat-minutes of every hold
    assert kpis["tables__seat_utilisation_tw"] == held / (seats.sum() * (rec.end_min - 1080))
    assert kpis["tables__queue_len_max"] == 3
    check_conservation(rec)


def test_party_too_big_for_any_table_is_blocked_at_the_door(tmp_path):
    rec = run_text(tmp_path, restaurant("{2: 2}"), "time,size\n0,3\n")
    assert tables(rec) == [(0, 1080.0, None, None, -1, -1, "BLOCKED")]
    assert rec.customers["outcome"].tolist() == [int(CustomerOutcome.BALKED)]


SMALLER_FIRST_TRACE = "time,size\n0,2\n5,4\n6,4\n7,2\n"


def test_seat_smaller_first_seats_a_later_party_that_fits(tmp_path):
    rec = run_text(tmp_path, restaurant("{2: 1, 4: 1}"), SMALLER_FIRST_TRACE)
    assert [row[2] for row in tables(rec)] == [t("18:00"), t("18:05"), t("18:35"), t("18:30")]


def test_strict_order_keeps_a_later_party_behind_the_head(tmp_path):
    rec = run_text(tmp_path, restaurant("{2: 1, 4: 1}", options=", seat_smaller_first: false"),
                   SMALLER_FIRST_TRACE)
    # the 2-top frees at 18:30, but the head needs the 4-top (free at 18:35)
    assert [row[2] for row in tables(rec)] == [t("18:00"), t("18:05"), t("18:35"), t("18:35")]


def test_table_held_through_several_stations_then_released(tmp_path):
    pathway = "[host, {seize: tables}, order, kitchen, eat, pay, {release: tables}]"
    rec = run_text(tmp_path, restaurant("{4: 1}", pathway=pathway), "time,size\n0,2\n1,4\n")
    assert visits(rec) == [
        (0, "host", 1080.0, 1080.0, 1080.0, "SERVED"),
        (0, "tables", 1080.0, 1080.0, 1127.0, "SERVED"),
        (0, "order", 1080.0, 1080.0, 1085.0, "SERVED"),
        (0, "kitchen", 1085.0, 1085.0, 1095.0, "SERVED"),
        (0, "eat", 1095.0, 1095.0, 1125.0, "SERVED"),
        (0, "pay", 1125.0, 1125.0, 1127.0, "SERVED"),
        (1, "host", 1081.0, 1081.0, 1081.0, "SERVED"),
        (1, "tables", 1081.0, 1127.0, 1174.0, "SERVED"),  # seated the instant it frees
        (1, "order", 1127.0, 1127.0, 1132.0, "SERVED"),
        (1, "kitchen", 1132.0, 1132.0, 1142.0, "SERVED"),
        (1, "eat", 1142.0, 1142.0, 1172.0, "SERVED"),
        (1, "pay", 1172.0, 1172.0, 1174.0, "SERVED"),
    ]
    assert rec.customers["wait_min"].tolist() == [0.0, 46.0]
    lv = rec.levels
    s = rec.station_names.index("tables")
    m = lv["station_idx"] == s
    rows = list(zip(lv["time_min"][m].tolist(), lv["queue_len"][m].tolist(),
                    lv["busy"][m].tolist(), lv["on_duty"][m].tolist(), strict=True))
    assert rows == [(1080.0, 0, 0, 1), (1080.0, 0, 1, 1), (1081.0, 1, 1, 1),
                    (1127.0, 0, 1, 1), (1174.0, 0, 0, 1)]
    check_conservation(rec)


def test_table_released_at_journey_end_without_a_release_step(tmp_path):
    rec = run_text(tmp_path, restaurant("{2: 1}", pathway="[{seize: tables}, eat]"),
                   "time,size\n0,2\n1,2\n")
    assert tables(rec) == [(0, 1080.0, 1080.0, 1110.0, 0, -1, "SERVED"),
                           (1, 1081.0, 1110.0, 1140.0, 0, -1, "SERVED")]


def test_table_released_when_the_party_abandons_a_later_line(tmp_path):
    yaml = restaurant("{2: 2}", kitchen=1, cls=", patience: {dist: constant, value: 5}",
                      pathway="[{seize: tables}, kitchen, eat, {release: tables}]")
    rec = run_text(tmp_path, yaml, "time,size\n0,2\n1,2\n2,2\n")
    # 1 waits at the kitchen from 18:01, gives up at 18:06 and frees table 1 at once; party
    # 2, on the waiting list since 18:02, is seated then (its own patience is not up yet)
    assert tables(rec) == [(0, 1080.0, 1080.0, 1120.0, 0, -1, "SERVED"),
                           (1, 1081.0, 1081.0, 1086.0, 1, -1, "SERVED"),
                           (2, 1082.0, 1086.0, 1130.0, 1, -1, "SERVED")]
    out = rec.customers["outcome"].tolist()
    assert out[1] == int(CustomerOutcome.ABANDONED)
    check_conservation(rec)


def test_renege_from_the_waiting_list(tmp_path):
    yaml = restaurant("{2: 1}", cls=", patience: {dist: constant, value: 5}")
    rec = run_text(tmp_path, yaml, "time,size\n0,2\n1,2\n")
    assert tables(rec) == [(0, 1080.0, 1080.0, 1110.0, 0, -1, "SERVED"),
                           (1, 1081.0, None, None, -1, -1, "ABANDONED")]
    c = rec.customers
    assert c["outcome"].tolist() == [0, int(CustomerOutcome.ABANDONED)]
    assert c["wait_min"].tolist() == [0.0, 5.0]
    assert c["departure_min"].tolist() == [1110.0, 1086.0]
    check_conservation(rec)


def test_quoted_wait_sends_impatient_parties_away_and_keeps_the_others(tmp_path):
    yaml = restaurant("{2: 1}", options=", quote_wait: true, quote_mean_hold_min: 30",
                      cls=", patience: {dist: constant, value: 20}")
    rec = run_text(tmp_path, yaml, "time,size\n0,2\n1,2\n")
    # party 1 is quoted (0 ahead + 1) * 30 / 1 table = 30 min > its 20 min patience
    assert tables(rec) == [(0, 1080.0, 1080.0, 1110.0, 0, -1, "SERVED"),
                           (1, 1081.0, None, None, -1, -1, "BALKED")]
    assert rec.customers["departure_min"].tolist() == [1110.0, 1081.0]
    assert rec.customers["outcome"].tolist() == [0, int(CustomerOutcome.BALKED)]
    rec = run_text(tmp_path, yaml.replace("value: 20", "value: 40"), "time,size\n0,2\n1,2\n")
    # quoted 30 min, patience 40: stays, is seated at 18:30 after 29 minutes
    assert tables(rec)[1] == (1, 1081.0, 1110.0, 1140.0, 0, -1, "SERVED")
    rec = run_text(tmp_path, yaml.replace(", patience: {dist: constant, value: 20}", ""),
                   "time,size\n0,2\n1,2\n")
    assert tables(rec)[1] == (1, 1081.0, 1110.0, 1140.0, 0, -1, "SERVED")  # no patience


def test_quote_counts_parties_ahead_and_fitting_tables(tmp_path):
    yaml = restaurant("{2: 2}", options=", quote_wait: true, quote_mean_hold_min: 30",
                      cls=", patience: {dist: constant, value: 40}")
    # two tables busy; parties 2 and 3 wait. Party 4 sees 2 ahead: (2 + 1) * 30 / 2 = 45 > 40
    rec = run_text(tmp_path, yaml, "time,size\n0,2\n0,2\n1,2\n2,2\n3,2\n")
    assert [row[-1] for row in tables(rec)] == ["SERVED"] * 4 + ["BALKED"]


HOTEL = """
name: rooms
domain: hotel
clock: {open: "14:00", close: "16:00"}
customer_classes:
  guest: {share: 0.5, pathway: check_in}
  leaving: {share: 0.5, pathway: check_out}
arrivals:
  log: {trace: trace.csv, class_column: cls}
stations:
  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 2}}
staff:
  clerks: {count: 1}
  housekeepers:
    shifts: [{start: "14:00", end: "16:00", count: 1, breaks: [{start: "14:10", minutes: 30}]}]
resources:
  rooms:
    kind: rooms
    count: 3
    occupied_at_open: 1
    ready_at_open: 1
    housekeeping: {staff: housekeepers, clean: {dist: constant, value: 20}}
pathways:
  check_in: [desk, {seize: rooms}]
  check_out: [desk, {release: rooms}]
"""


def test_rooms_ready_then_housekeeping_with_a_break_then_a_checked_out_room(tmp_path):
    trace = "time,cls\n14:00,guest\n14:03,guest\n14:25,leaving\n14:30,guest\n15:20,leaving\n"
    rec = run_text(tmp_path, HOTEL, trace)
    assert visits(rec) == [
        (0, "desk", t("14:00"), t("14:00"), t("14:02"), "SERVED"),
        (0, "rooms", t("14:02"), t("14:02"), t("14:02"), "SERVED"),  # the ready room
        (1, "desk", t("14:03"), t("14:03"), t("14:05"), "SERVED"),
        # the dirty room is cleaned 14:00-14:20 (the 14:10 break waits for it)
        (1, "rooms", t("14:05"), t("14:20"), t("14:20"), "SERVED"),
        (2, "desk", t("14:25"), t("14:25"), t("14:27"), "SERVED"),  # vacates a room
        (3, "desk", t("14:30"), t("14:30"), t("14:32"), "SERVED"),
        # the vacated room waits for the housekeeper back from break at 14:50: clean by 15:10
        (3, "rooms", t("14:32"), t("15:10"), t("15:10"), "SERVED"),
        (4, "desk", t("15:20"), t("15:20"), t("15:22"), "SERVED"),
        (4, "rooms", t("15:22"), None, None, "NOTHING_HELD"),  # nobody left from last night
    ]
    assert staff_rows(rec) == [
        (0, "SHIFT_END", t("16:00"), t("16:00"), 0.0),  # clerk
        (1, "BREAK", t("14:10"), t("14:20"), 10.0),
        (1, "SHIFT_END", t("16:00"), t("16:00"), 0.0),
    ]
    c = rec.customers
    assert c["wait_min"].tolist() == [0.0, 15.0, 0.0, 38.0, 0.0]
    assert c["outcome"].tolist() == [0] * 5
    kpis = replication_kpis(rec, cost_per_hour_by_group=[0.0, 30.0])
    assert kpis["rooms__wait_mean_min"] == (0 + 15 + 38) / 3
    assert kpis["rooms__kept_waiting_share"] == 2 / 3
    assert kpis["rooms__checkout_no_room"] == 1
    assert kpis["rooms.housekeeping__busy_tw"] == 40 / 120  # two rooms of 20 minutes
    assert kpis["rooms.housekeeping__on_duty_tw"] == 90 / 120  # 30 minutes on break
    assert kpis["staff_cost"] == 30.0 * 90 / 60  # the housekeeper's paid time
    # rooms: occupied 1 -> 2 (14:02) -> 3 (14:20) -> 2 (14:27) -> 3 (15:10); ready 1 -> 0
    assert kpis["rooms__busy_tw"] * 120 == 1 * 2 + 2 * 18 + 3 * 7 + 2 * 43 + 3 * 50
    # ready: 1 until 14:02, 0 after; dirty: 1 until 14:20 and 14:27-15:10
    assert kpis["rooms__ready_tw"] * 120 == 2
    assert kpis["rooms__dirty_tw"] * 120 == 20 + 43
    check_conservation(rec)


# ---------------------------------------------------------------------------------------
# Invariants, theory and reproducibility on random scenarios
# ---------------------------------------------------------------------------------------
SMALL_RESTAURANT = """
name: small restaurant
domain: restaurant
clock: {open: "18:00", close: "21:00"}
run: {replications: 30, seed: 5}
customer_classes:
  walk_in: {share: 0.8, pathway: party, patience: {dist: exponential, mean: 20}}
  regular: {share: 0.2, pathway: party, priority: 1}
arrivals:
  walk_ins: {rate_per_hour: {"18:00": 30, "19:00": 45, "20:00": 20},
             group_size: {dist: uniform, low: 1, high: 6}}
stations:
  host: {counters: 1, staff: hosts, service: {dist: exponential, mean: 0.5}}
  kitchen: {counters: 3, staff: cooks, service: {dist: gamma, mean: 6, cv: 0.4}}
  eat: {counters: 100, staffed: false, service: {dist: lognormal, mean: 30, cv: 0.3}}
  pay: {counters: 2, staff: waiters, service: {dist: exponential, mean: 2},
        failure: {probability: 0.05}}
staff:
  hosts: {count: 1}
  cooks: {shifts: [{start: "17:30", end: "21:30", count: 3}]}
  waiters: {count: 2}
resources:
  tables: {kind: tables, sizes: {2: 5, 4: 4, 6: 1}, join: true, quote_wait: true}
pathways:
  party: [host, {seize: tables}, kitchen, eat, pay, {release: tables}]
"""

SMALL_HOTEL = """
name: small hotel
domain: hotel
clock: {open: "12:00", close: "20:00"}
run: {replications: 30, seed: 5}
customer_classes:
  arriving: {share: 0.55, pathway: check_in, patience: {dist: exponential, mean: 60}}
  departing: {share: 0.45, pathway: check_out}
arrivals:
  guests: {rate_per_hour: {"12:00": 6, "15:00": 14, "18:00": 5}}
stations:
  desk: {counters: 2, staff: clerks, service: {dist: lognormal, mean: 4, cv: 0.5}}
staff:
  clerks: {shifts: [{start: "12:00", end: "20:00", count: 2}]}
  housekeepers:
    shifts: [{start: "10:00", end: "18:00", count: 3,
              breaks: [{start: "13:00", minutes: 30, stagger_groups: 3}]}]
resources:
  rooms:
    kind: rooms
    count: 60
    occupied_at_open: 40
    ready_at_open: 5
    housekeeping: {staff: housekeepers, clean: {dist: lognormal, mean: 30, cv: 0.3}}
pathways:
  check_in: [desk, {seize: rooms}]
  check_out: [desk, {release: rooms}]
"""


def _replications(yaml: str, n: int = 30) -> list[Records]:
    from simulator.engine.model import simulate
    from simulator.scenario.loader import load_scenario_text
    from simulator.scenario.plan import compile_plan

    plan = compile_plan(load_scenario_text(yaml).scenario)
    return [simulate(plan, 5, r) for r in range(n)]


def _levels(rec: Records, name: str) -> tuple[np.ndarray, ...]:
    lv = rec.levels
    m = lv["station_idx"] == rec.station_names.index(name)
    return lv["time_min"][m], lv["queue_len"][m], lv["busy"][m], lv["on_duty"][m]


def _waiting_list_identity(rec: Records, name: str) -> None:
    """Little's law as an identity: the area under the waiting list equals the summed waits."""
    times, queue, _, _ = _levels(rec, name)
    area = float(np.sum(np.diff(np.append(times, rec.end_min)) * queue))
    v, c = rec.visits, rec.customers
    at = v["station_idx"] == rec.station_names.index(name)
    dep = c["departure_min"][np.searchsorted(c["customer_id"], v["customer_id"][at])]
    left = np.where(np.isfinite(v["start_min"][at]), v["start_min"][at], dep)
    waited = np.isin(v["outcome"][at], [0, 3])  # seated/handed a room, or reneged
    total = float(np.sum((left - v["join_min"][at])[waited]))
    assert abs(area - total) < 1e-6 * max(1.0, total), (area, total)


def test_small_restaurant_conservation_littles_law_and_table_bounds():
    for rec in _replications(SMALL_RESTAURANT):
        check_conservation(rec)
        out = np.bincount(rec.customers["outcome"], minlength=4)
        assert out[CustomerOutcome.INSIDE] == 0
        assert out.sum() == out[0] + out[1] + out[2]
        _waiting_list_identity(rec, "tables")
        _, _, busy, units = _levels(rec, "tables")
        assert np.all(busy <= units) and np.all(units == 10)
        # a party never holds more than two tables, and the seats fit the party
        v = rec.visits
        at = (v["station_idx"] == rec.station_names.index("tables")) & (v["counter"] >= 0)
        seats = np.array(rec.unit_seats[rec.station_names.index("tables")])
        second = v["staff_id"][at]
        held = seats[v["counter"][at]] + np.where(second >= 0, seats[np.maximum(second, 0)], 0)
        assert np.all(held >= v["group_size"][at])


def test_small_hotel_conservation_and_room_accounting():
    kept = []
    for rec in _replications(SMALL_HOTEL):
        check_conservation(rec)
        assert np.count_nonzero(rec.customers["outcome"] == CustomerOutcome.INSIDE) == 0
        _waiting_list_identity(rec, "rooms")
        _, _, occupied, rooms = _levels(rec, "rooms")
        assert np.all((occupied >= 0) & (occupied <= rooms))
        k = replication_kpis(rec)
        assert 0 <= k["rooms__ready_tw"] <= 60 and 0 <= k["rooms__dirty_tw"] <= 60
        assert k["rooms.housekeeping__busy_tw"] <= k["rooms.housekeeping__on_duty_tw"]
        kept.append(k["rooms__kept_waiting_share"])
    assert 0 < np.nanmean(kept) < 1  # some guests wait for housekeeping, not all


def test_tables_pool_is_an_mmc_queue_erlang_c():
    from simulator import theory
    from simulator.experiments.runner import run_replications
    from simulator.scenario.loader import load_scenario_text
    from simulator.scenario.plan import compile_plan

    lam, hold, c = 2.4, 1.0, 3
    yaml = f"""
    name: tables as M/M/c
    clock: {{open: "00:00"}}
    run: {{length_min: 3000, warm_up_min: 200}}
    customer_classes: {{c: {{pathway: p}}}}
    arrivals: {{poisson: {{rate_per_hour: {{"00:00": {lam * 60}}}}}}}
    stations:
      eat: {{counters: {c}, staffed: false, service: {{dist: exponential, mean: {hold}}}}}
    resources:
      tables: {{kind: tables, sizes: {{2: {c}}}}}
    pathways: {{p: [{{seize: tables}}, eat, {{release: tables}}]}}
    """
    plan = compile_plan(load_scenario_text(yaml).scenario)
    results = run_replications(plan, 15, 2026)
    th = theory.mmc(lam, hold, c)
    for key, expected in (("tables__wait_mean_min", th.mean_wait_min),
                          ("tables__queue_len_tw", th.mean_queue_len),
                          ("tables__utilisation_tw", th.utilisation)):
        sample = np.array([r.kpis[key] for r in results])
        se = sample.std(ddof=1) / np.sqrt(len(sample))
        assert abs(sample.mean() - expected) <= 3 * se, (key, sample.mean(), se, expected)
    eat_wait = np.array([r.kpis["eat__wait_mean_min"] for r in results])
    assert np.all(eat_wait == 0)  # the hold itself never queues


def test_resources_same_seed_identical_records():
    for text in (SMALL_RESTAURANT, SMALL_HOTEL):
        a, b = _replications(text, 2), _replications(text, 2)
        for ra, rb in zip(a, b, strict=True):
            for table in ("visits", "customers", "levels", "staff"):
                for col, values in getattr(ra, table).items():
                    assert np.array_equal(values, getattr(rb, table)[col], equal_nan=True)


def test_resources_jobs_do_not_change_result_files(tmp_path):
    from simulator import run_scenario
    from simulator.scenario.loader import load_scenario

    path = tmp_path / "restaurant.yaml"
    path.write_text(SMALL_RESTAURANT)
    loaded = load_scenario(path)
    dirs = [run_scenario(loaded, tmp_path / f"run-{jobs}", replications=2, seed=9, jobs=jobs,
                         records="full", records_format="csv").out_dir for jobs in (1, 2)]
    for fname in ("summary.csv", "replications.csv", "visits.csv", "levels.csv",
                  "customers.csv", "staff.csv"):
        assert (dirs[0] / fname).read_bytes() == (dirs[1] / fname).read_bytes(), fname
