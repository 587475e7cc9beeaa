"""Every column of the visit and customer records on a tiny day worked by hand: service by a
skilled clerk, a failure escalated to a recovery station, a waiting room that turns one
customer away, two customers who give up waiting."""

from __future__ import annotations

import math

import numpy as np

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.engine.rng import make_generator
from tests.engine.timeline import run_text, staff_rows, visits

DAY = """
name: records
clock: {open: "09:00", close: "10:00"}
customer_classes: {c: {pathway: p, patience: {dist: constant, value: 4}}}
arrivals: {log: {trace: trace.csv}}
stations:
  desk: {counters: 1, staff: clerks, waiting_room: 2, service: {dist: constant, value: 10},
         failure: {probability: 1.0, recovery: {station: sup}}}
  sup: {counters: 1, staffed: false, service: {dist: constant, value: 3}}
staff:
  clerks: {skill: 0.5, shifts: [{start: "09:00", end: "10:00", count: 1}]}
pathways: {p: [desk]}
"""

NAN = math.nan
F, R, A, B = "FAILED", "RECOVERED", "ABANDONED", "BLOCKED"
VISIT_COLUMNS = ("customer_id", "station_idx", "step_idx", "join_min", "start_min", "end_min",
                 "counter", "staff_id", "outcome", "queue_on_join", "busy_on_join",
                 "on_duty_on_join", "n_failures", "is_recovery", "service_min")


def rows(table: dict, columns: tuple[str, ...]) -> list[tuple]:
    def cell(x):
        x = x.item() if hasattr(x, "item") else x
        return None if isinstance(x, float) and math.isnan(x) else x

    return [tuple(cell(table[c][i]) for c in columns) for i in range(len(table[columns[0]]))]


def test_every_visit_and_customer_column(tmp_path):
    rec = run_text(tmp_path, DAY, "time\n0\n1\n2\n8\n8.5\n9\n")
    v = {**rec.visits, "outcome": np.array([VisitOutcome(o).name for o in rec.visits["outcome"]])}
    # the clerk's skill 0.5 halves the desk's 10 minutes; every desk service fails and goes to
    # the supervisor (3 minutes); the waiting room holds 2
    assert rows(v, VISIT_COLUMNS) == [
        (0, 0, 0, 540.0, 540.0, 545.0, 0, 0, F, 0, 0, 1, 1, False, 5.0),
        (0, 1, 1, 545.0, 545.0, 548.0, 0, -1, R, 0, 0, 1, 0, True, 3.0),
        # joins at 09:01; served at 09:05, just before its patience runs out
        (1, 0, 0, 541.0, 545.0, 550.0, 0, 0, F, 0, 1, 1, 1, False, 5.0),
        (1, 1, 1, 550.0, 550.0, 553.0, 0, -1, R, 0, 0, 1, 0, True, 3.0),
        (2, 0, 0, 542.0, None, None, -1, -1, A, 1, 1, 1, 0, False, None),  # gives up at 09:06
        (3, 0, 0, 548.0, 550.0, 555.0, 0, 0, F, 0, 1, 1, 1, False, 5.0),
        (3, 1, 1, 555.0, 555.0, 558.0, 0, -1, R, 0, 0, 1, 0, True, 3.0),
        (4, 0, 0, 548.5, None, None, -1, -1, A, 1, 1, 1, 0, False, None),  # gives up at 09:12.5
        (5, 0, 0, 549.0, None, None, -1, -1, B, 2, 1, 1, 0, False, None),  # room full
    ]
    c = {**rec.customers,
         "outcome": np.array([CustomerOutcome(o).name for o in rec.customers["outcome"]])}
    assert rows(c, ("customer_id", "arrival_min", "departure_min", "wait_min", "service_min",
                    "outcome", "n_visits", "n_failures")) == [
        (0, 540.0, 548.0, 0.0, 8.0, "SERVED", 2, 1),
        (1, 541.0, 553.0, 4.0, 8.0, "SERVED", 2, 1),
        (2, 542.0, 546.0, 4.0, 0.0, "ABANDONED", 1, 0),
        (3, 548.0, 558.0, 2.0, 8.0, "SERVED", 2, 1),
        (4, 548.5, 552.5, 4.0, 0.0, "ABANDONED", 1, 0),
        (5, 549.0, 549.0, 0.0, 0.0, "BALKED", 1, 0),
    ]
    assert staff_rows(rec) == [(0, "SHIFT_END", 600.0, 600.0, 0.0)]


RECOVERY_LINE = """
name: recovery steps never balk
clock: {open: "09:00", close: "10:00"}
customer_classes: {c: {pathway: p, balk: {queue_at_least: 1}}}
arrivals: {log: {trace: trace.csv}}
stations:
  desk: {counters: 2, staffed: false, service: {dist: constant, value: 2},
         failure: {probability: 1.0, recovery: {station: sup}}}
  sup: {counters: 1, staffed: false, service: {dist: constant, value: 10}}
pathways: {p: [desk]}
"""


def test_a_recovery_step_joins_a_line_the_class_would_balk_at(tmp_path):
    rec = run_text(tmp_path, RECOVERY_LINE, "time\n0\n0\n0.5\n")
    assert visits(rec) == [
        (0, "desk", 540.0, 540.0, 542.0, "FAILED"),
        (0, "sup", 542.0, 542.0, 552.0, "RECOVERED"),
        (1, "desk", 540.0, 540.0, 542.0, "FAILED"),
        # one waiting at the supervisor: a recovery step joins anyway
        (1, "sup", 542.0, 552.0, 562.0, "RECOVERED"),
        (2, "desk", 540.5, 542.0, 544.0, "FAILED"),
        (2, "sup", 544.0, 562.0, 572.0, "RECOVERED"),
    ]
    assert rec.visits["queue_on_join"].tolist() == [0, 0, 0, 0, 0, 1]


BALK_HALF = """
name: balk with a probability
clock: {open: "09:00", close: "12:00"}
customer_classes: {c: {pathway: p, balk: {queue_at_least: 1, probability: 0.5}}}
arrivals: {log: {trace: trace.csv}}
stations:
  s: {counters: 1, staffed: false, service: {dist: constant, value: 100}}
pathways: {p: [s]}
"""


def test_balking_with_a_probability_follows_the_class_stream(tmp_path):
    n = 30
    for seed in (1, 2):
        rec = run_text(tmp_path, BALK_HALF, "time\n" + "\n".join(map(str, range(n))) + "\n",
                       seed=seed)
        u = make_generator(seed, 0, "balk:c").random(n)
        balked = {int(c) for c, o in zip(rec.visits["customer_id"], rec.visits["outcome"],
                                          strict=True) if o == VisitOutcome.BALKED}
        # customer 0 is served at once and customer 1 finds nobody waiting; from then on
        # someone is always waiting, and a customer balks when its uniform is below 0.5
        assert balked == {i for i in range(2, n) if u[i] < 0.5}
        assert 5 < len(balked) < n - 7
        assert VisitOutcome(rec.visits["outcome"][0]) == VisitOutcome.SERVED


REDO_SKILLED = """
name: redo by a skilled clerk
clock: {open: "09:00", close: "10:00"}
customer_classes: {c: {pathway: p}}
arrivals: {log: {trace: trace.csv}}
stations:
  s: {counters: 1, staff: pros, service: {dist: constant, value: 10},
      failure: {probability: 0.5, recovery: redo, rework: {dist: constant, value: 6}}}
staff:
  pros: {skill: 0.5, shifts: [{start: "09:00", end: "10:00", count: 1}]}
pathways: {p: [s]}
"""


def test_every_redo_takes_the_rework_time_times_the_servers_skill(tmp_path):
    seen = set()
    for seed in range(10):
        rec = run_text(tmp_path, REDO_SKILLED, "time\n0\n", seed=seed)
        first = make_generator(seed, 0, "failure:s").random()
        again = [make_generator(seed, 0, "refail:s").random(),
                 *make_generator(seed, 0, "refail_more:s").random(64)]
        n_fail = 0
        if first < 0.5:
            n_fail = 1
            while again[n_fail - 1] < 0.5:
                n_fail += 1
        seen.add(min(n_fail, 2))
        # 10 × 0.5 for the service, then 6 × 0.5 for each redo
        service = 5.0 + 3.0 * n_fail
        assert rec.visits["service_min"].tolist() == [service]
        assert rec.visits["end_min"].tolist() == [540.0 + service]
        assert rec.customers["service_min"].tolist() == [service]
        assert rec.customers["n_failures"].tolist() == [n_fail]
    assert seen == {0, 1, 2}


RANDOM_BALK = """
name: purely random balking
clock: {open: "09:00", close: "12:00"}
customer_classes: {c: {pathway: p, balk: {queue_at_least: 0, probability: 0.5}}}
arrivals: {log: {trace: trace.csv}}
stations:
  s: {counters: 20, staffed: false, service: {dist: constant, value: 1}}
pathways: {p: [s]}
"""


def test_queue_at_least_zero_makes_balking_purely_random(tmp_path):
    n = 20
    trace = "time\n" + "\n".join(str(2 * i) for i in range(n)) + "\n"
    rec = run_text(tmp_path, RANDOM_BALK, trace)
    u = make_generator(1, 0, "balk:c").random(n)
    out = [VisitOutcome(o) for o in rec.visits["outcome"]]
    # with nobody ever waiting, each customer balks when its uniform is below 0.5
    assert out == [VisitOutcome.BALKED if u[i] < 0.5 else VisitOutcome.SERVED for i in range(n)]
    assert 3 < out.count(VisitOutcome.BALKED) < n - 3
    v = {**rec.visits, "outcome": np.array([o.name for o in out])}
    balked = next(i for i in range(n) if u[i] < 0.5)
    assert rows(v, VISIT_COLUMNS)[balked] == (
        balked, 0, 0, 540.0 + 2 * balked, None, None, -1, -1, "BALKED", 0, 0, 20, 0, False,
        None)


RECOVERY_FIRST = """
name: the recovery station is the first station
clock: {open: "09:00", close: "10:00"}
customer_classes: {c: {pathway: p, patience: {dist: constant, value: 5}}}
arrivals: {log: {trace: trace.csv}}
stations:
  sup: {counters: 1, staffed: false, service: {dist: constant, value: 10}}
  desk: {counters: 2, staffed: false, service: {dist: constant, value: 2},
         failure: {probability: 1.0, recovery: {station: sup}}}
pathways: {p: [desk]}
"""


def test_escalation_to_the_first_station_and_patience_at_a_recovery_step(tmp_path):
    rec = run_text(tmp_path, RECOVERY_FIRST, "time\n0\n0\n")
    # both fail at 09:02 and go to the supervisor (station 0); the second waits there and
    # gives up after its 5 minutes of patience: a recovery step can be abandoned
    assert visits(rec) == [
        (0, "desk", 540.0, 540.0, 542.0, "FAILED"),
        (0, "sup", 542.0, 542.0, 552.0, "RECOVERED"),
        (1, "desk", 540.0, 540.0, 542.0, "FAILED"),
        (1, "sup", 542.0, None, None, "ABANDONED"),
    ]
    assert rec.customers["departure_min"].tolist() == [552.0, 547.0]
    assert rec.visits["is_recovery"].tolist() == [False, True, False, True]


HARD_STOP = """
name: stopped at the second station
clock: {open: "09:00", close: "09:30"}
run: {max_overtime_min: 10}
customer_classes: {c: {pathway: p}}
arrivals: {log: {trace: trace.csv}}
stations:
  a: {counters: 2, staffed: false, service: {dist: constant, value: 5}}
  b: {counters: 1, staffed: false, service: {dist: constant, value: 60}}
pathways: {p: [a, b]}
"""


def test_a_customer_stopped_while_waiting_at_a_later_station(tmp_path):
    rec = run_text(tmp_path, HARD_STOP, "time\n0\n0\n")
    # the day stops at 09:40: customer 0 is in service at b, customer 1 waits there
    assert visits(rec) == [
        (0, "a", 540.0, 540.0, 545.0, "SERVED"),
        (0, "b", 545.0, 545.0, None, "UNFINISHED"),
        (1, "a", 540.0, 540.0, 545.0, "SERVED"),
        (1, "b", 545.0, None, None, "UNFINISHED"),
    ]
    assert rec.customers["wait_min"].tolist() == [0.0, 35.0]
    assert rec.customers["outcome"].tolist() == [int(CustomerOutcome.INSIDE)] * 2


WAITING_FOR_A_TABLE = """
name: stopped on the waiting list
clock: {open: "18:00", close: "18:30"}
run: {max_overtime_min: 10}
customer_classes: {c: {pathway: party}}
arrivals: {log: {trace: trace.csv}}
stations:
  host: {counters: 1, staffed: false, service: {dist: constant, value: 0}}
  eat: {counters: 10, staffed: false, service: {dist: constant, value: 60}}
resources:
  tables: {kind: tables, sizes: {2: 1}}
pathways:
  party: [host, {seize: tables}, eat, {release: tables}]
"""


def test_a_party_stopped_on_the_waiting_list_after_a_station(tmp_path):
    rec = run_text(tmp_path, WAITING_FOR_A_TABLE, "time\n0\n1\n")
    # the day stops at 18:40: party 0 is eating, party 1 (through the host) waits for the
    # table; its last station visit is over, so its only open row is the table's
    assert visits(rec) == [
        (0, "host", 1080.0, 1080.0, 1080.0, "SERVED"),
        (0, "tables", 1080.0, 1080.0, None, "UNFINISHED"),
        (0, "eat", 1080.0, 1080.0, None, "UNFINISHED"),
        (1, "host", 1081.0, 1081.0, 1081.0, "SERVED"),
        (1, "tables", 1081.0, None, None, "UNFINISHED"),
    ]
