"""Exact timelines on tiny deterministic scenarios (constant service, replayed arrivals)."""

from __future__ import annotations

import numpy as np

from simulator.engine.records import CustomerOutcome
from simulator.engine.rng import make_generator
from tests.engine.timeline import run_text, staff_rows, t, visits

ONE_COUNTER = """
name: tiny
clock: {{open: "09:00", close: "{close}"}}
customer_classes:
  c: {{pathway: p{extra}}}
arrivals:
  log: {{trace: trace.csv}}
stations:
  s: {{counters: {counters}, staffed: false,
      service: {{dist: constant, value: {service}}}{station}}}
pathways: {{p: [s]}}
"""


def one_counter(close: str = "12:00", counters: int = 1, service: float = 10, extra: str = "",
                station: str = "") -> str:
    return ONE_COUNTER.format(close=close, counters=counters, service=service, extra=extra,
                              station=station)


def test_fifo_single_server(tmp_path):
    rec = run_text(tmp_path, one_counter(), "time\n0\n5\n")
    assert visits(rec) == [
        (0, "s", t("09:00"), t("09:00"), t("09:10"), "SERVED"),
        (1, "s", t("09:05"), t("09:10"), t("09:20"), "SERVED"),
    ]
    c = rec.customers
    assert c["wait_min"].tolist() == [0.0, 5.0]
    assert c["departure_min"].tolist() == [t("09:10"), t("09:20")]


def test_balk_when_line_long(tmp_path):
    rec = run_text(tmp_path, one_counter(extra=", balk: {queue_at_least: 1}"), "time\n0\n1\n2\n")
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 550.0, "SERVED"),
        (1, "s", 541.0, 550.0, 560.0, "SERVED"),
        (2, "s", 542.0, None, None, "BALKED"),
    ]
    assert rec.customers["outcome"].tolist() == [0, 0, int(CustomerOutcome.BALKED)]


def test_renege_after_patience(tmp_path):
    yaml = one_counter(extra=", patience: {dist: constant, value: 3}")
    rec = run_text(tmp_path, yaml, "time\n0\n1\n")
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 550.0, "SERVED"),
        (1, "s", 541.0, None, None, "ABANDONED"),
    ]
    assert rec.customers["wait_min"].tolist() == [0.0, 3.0]
    assert rec.customers["departure_min"].tolist() == [550.0, 544.0]
    assert rec.levels["queue_len"][rec.levels["time_min"] == 544.0][-1] == 0


def test_finite_waiting_room_blocks(tmp_path):
    rec = run_text(tmp_path, one_counter(station=", waiting_room: 1"), "time\n0\n1\n2\n3\n")
    outcomes = [v[-1] for v in visits(rec)]
    assert outcomes == ["SERVED", "SERVED", "BLOCKED", "BLOCKED"]
    assert visits(rec)[1][3] == 550.0


def test_non_preemptive_priority(tmp_path):
    yaml = """
    name: priority
    clock: {open: "09:00", close: "12:00"}
    customer_classes:
      low: {pathway: p}
      high: {pathway: p, priority: 2}
    arrivals:
      log: {trace: trace.csv, class_column: cls}
    stations:
      s: {counters: 1, staffed: false, service: {dist: constant, value: 10}}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time,cls\n0,low\n1,low\n2,high\n")
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 550.0, "SERVED"),
        (1, "s", 541.0, 560.0, 570.0, "SERVED"),
        (2, "s", 542.0, 550.0, 560.0, "SERVED"),  # overtakes customer 1, not customer 0
    ]


def test_per_counter_lines_choose_shortest(tmp_path):
    rec = run_text(tmp_path, one_counter(counters=2, station=", line: per_counter"),
                   "time\n0\n0\n1\n2\n")
    v = rec.visits
    assert v["counter"].tolist() == [0, 1, 0, 1]
    assert v["start_min"].tolist() == [540.0, 540.0, 550.0, 550.0]


def test_doors_close_and_overtime(tmp_path):
    yaml = """
    name: closing
    clock: {open: "09:00", close: "09:30"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: clerks, service: {dist: constant, value: 20}}
    staff:
      clerks: {shifts: [{start: "09:00", end: "09:30", count: 1}]}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:29\n09:31\n")
    # the 09:31 arrival is after the doors closed: it never arrives
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 560.0, "SERVED"),
        (1, "s", 569.0, 569.0, 589.0, "SERVED"),
    ]
    # the closing clerk stays until the hall is empty: 19 minutes of overtime
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 589.0, 19.0)]
    assert rec.end_min == 589.0


def test_shift_change_mid_service(tmp_path):
    yaml = """
    name: handover
    clock: {open: "09:00", close: "09:45"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 2, staff: clerks, service: {dist: constant, value: 15}}
    staff:
      clerks:
        shifts:
          - {start: "09:00", end: "09:30", count: 2}
          - {start: "09:30", end: "10:00", count: 1}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:00\n09:20\n09:21\n09:22\n")
    v = visits(rec)
    assert [x[3] for x in v] == [540.0, 540.0, 560.0, 561.0, 576.0]
    # at 09:30 both early clerks are serving; the newcomer relieves one at once, the other
    # finishes her customer at 09:35 and leaves (5 min overtime); with one clerk on duty the
    # waiting customer starts only when the remaining service ends at 09:36
    assert staff_rows(rec) == [
        (0, "SHIFT_END", 570.0, 570.0, 0.0),
        (1, "SHIFT_END", 570.0, 575.0, 5.0),
        (2, "SHIFT_END", 600.0, 600.0, 0.0),
    ]
    lv = rec.levels
    at = lv["time_min"] == 575.0
    assert lv["on_duty"][at][-1] == 1 and lv["busy"][at][-1] == 1
    assert rec.visits["staff_id"][-1] == 2  # the newcomer's slot serves the last customer


def test_late_break_taken_in_full(tmp_path):
    yaml = """
    name: break
    clock: {open: "09:00", close: "11:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: clerks, service: {dist: constant, value: 20}}
    staff:
      clerks:
        shifts: [{start: "09:00", end: "11:00", count: 1,
                  breaks: [{start: "09:30", minutes: 15}]}]
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:20\n09:45\n")
    assert visits(rec) == [
        (0, "s", 560.0, 560.0, 580.0, "SERVED"),
        (1, "s", 585.0, 595.0, 615.0, "SERVED"),  # clerk back at 09:55 after a full break
    ]
    assert staff_rows(rec) == [
        (0, "BREAK", 570.0, 580.0, 10.0),
        (0, "SHIFT_END", 660.0, 660.0, 0.0),
    ]


def test_staggered_breaks(tmp_path):
    yaml = """
    name: stagger
    clock: {open: "09:00", close: "11:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 2, staff: clerks, service: {dist: constant, value: 1}}
    staff:
      clerks:
        shifts: [{start: "09:00", end: "11:00", count: 2,
                  breaks: [{start: "10:00", minutes: 20, stagger_groups: 2}]}]
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:00\n")
    lv = rec.levels
    on = {float(tm): int(d) for tm, d in zip(lv["time_min"], lv["on_duty"], strict=True)}
    assert on[600.0] == 1 and on[620.0] == 1 and on[640.0] == 2


def test_skill_multiplies_service_time(tmp_path):
    yaml = """
    name: skill
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: pros, service: {dist: constant, value: 10}}
    staff:
      pros: {skill: 0.5, count: 1}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n0\n")
    assert visits(rec) == [(0, "s", 540.0, 540.0, 545.0, "SERVED")]


def test_failure_redo_follows_its_stream(tmp_path):
    """First failure and first "fails again?" are drawn at arrival; later ones in order."""
    yaml = one_counter(station=", failure: {probability: 0.5, recovery: redo}")
    seen_failure, seen_second = False, False
    for seed in range(8):
        rec = run_text(tmp_path, yaml, "time\n0\n", seed=seed)
        first = make_generator(seed, 0, "failure:s").random()
        again = [make_generator(seed, 0, "refail:s").random(),
                 *make_generator(seed, 0, "refail_more:s").random(64)]
        n_fail = 0
        if first < 0.5:
            n_fail = 1
            while again[n_fail - 1] < 0.5:
                n_fail += 1
        seen_failure |= n_fail > 0
        seen_second |= n_fail > 1
        v = rec.visits
        assert int(v["n_failures"][0]) == n_fail
        assert float(v["end_min"][0]) == 540.0 + 10.0 * (1 + n_fail)
        assert visits(rec)[0][-1] == ("RECOVERED" if n_fail else "SERVED")
    assert seen_failure and seen_second


def test_failure_escalates_to_recovery_station(tmp_path):
    yaml = """
    name: escalate
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      desk: {counters: 1, staffed: false, service: {dist: constant, value: 10},
             failure: {probability: 1.0, recovery: {station: supervisor}}}
      supervisor: {counters: 1, staffed: false, service: {dist: constant, value: 5}}
      cashier: {counters: 1, staffed: false, service: {dist: constant, value: 2}}
    pathways: {p: [desk, cashier]}
    """
    rec = run_text(tmp_path, yaml, "time\n0\n")
    assert visits(rec) == [
        (0, "desk", 540.0, 540.0, 550.0, "FAILED"),
        (0, "supervisor", 550.0, 550.0, 555.0, "RECOVERED"),
        (0, "cashier", 555.0, 555.0, 557.0, "SERVED"),
    ]
    assert rec.visits["is_recovery"].tolist() == [False, True, False]
    assert rec.customers["n_failures"].tolist() == [1]


def test_probabilistic_step_uses_pathway_stream(tmp_path):
    yaml = """
    name: branch
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      a: {counters: 5, staffed: false, service: {dist: constant, value: 1}}
      b: {counters: 5, staffed: false, service: {dist: constant, value: 1}}
    pathways: {p: [a, {step: b, probability: 0.3}]}
    """
    rec = run_text(tmp_path, yaml, "time\n" + "\n".join(str(i) for i in range(20)) + "\n")
    u = make_generator(1, 0, "pathway:c").random(20)
    visited_b = {int(c) for c, s in zip(rec.visits["customer_id"], rec.visits["station_idx"],
                                         strict=True) if s == 1}
    assert visited_b == {i for i in range(20) if u[i] < 0.3}


def test_customers_inside_at_hard_stop_are_counted(tmp_path):
    yaml = """
    name: stuck
    clock: {open: "09:00", close: "09:30"}
    run: {max_overtime_min: 30}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: clerks, service: {dist: constant, value: 20}}
    staff:
      clerks: {shifts: [{start: "09:00", end: "09:10", count: 1}]}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n0\n5\n")
    # the only clerk leaves at 09:20 after her customer; the second customer is stuck
    assert rec.customers["outcome"].tolist() == [0, int(CustomerOutcome.INSIDE)]
    assert np.isnan(rec.customers["departure_min"][1])
    assert visits(rec)[1] == (1, "s", 545.0, None, None, "UNFINISHED")
    assert rec.end_min == 600.0


def test_recovery_station_stays_open_for_escalations_after_close(tmp_path):
    yaml = """
    name: late escalation
    clock: {open: "09:00", close: "09:30"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      desk: {counters: 1, staffed: false, service: {dist: constant, value: 10},
             failure: {probability: 1.0, recovery: {station: supervisor}}}
      supervisor: {counters: 1, staff: sup, service: {dist: constant, value: 5}}
    staff:
      sup: {shifts: [{start: "09:00", end: "09:30", count: 1}]}
    pathways: {p: [desk]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:25\n")
    assert visits(rec) == [
        (0, "desk", 565.0, 565.0, 575.0, "FAILED"),
        (0, "supervisor", 575.0, 575.0, 580.0, "RECOVERED"),
    ]
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 580.0, 10.0)]


def test_staff_due_at_an_instant_are_there_for_customers_arriving_then(tmp_path):
    yaml = """
    name: same instant
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 2, staff: clerks, service: {dist: constant, value: 10}}
    staff:
      clerks: {shifts: [{start: "09:00", end: "10:00", count: 1},
                        {start: "09:30", end: "10:00", count: 1}]}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:30\n09:30\n")
    v = rec.visits
    assert v["on_duty_on_join"].tolist() == [1, 2, 2]
    assert v["start_min"].tolist() == [540.0, 570.0, 570.0]
    assert v["queue_on_join"].tolist() == [0, 0, 0]
