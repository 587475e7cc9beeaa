"""The overtaking count of each visit (later joiners of the same line who started before the
customer left it, satisfaction.md §2.2), counted by the engine while the day runs: exact
timelines with per-counter lines, priorities, abandonment, ties and a hard stop."""

from __future__ import annotations

from tests.engine.test_per_counter import two_classes
from tests.engine.timeline import run_text, visits


def overtaken(rec) -> list[int]:
    return rec.visits["overtaken"].tolist()


def test_a_later_joiner_at_the_other_counter_overtakes(tmp_path):
    trace = "time,cls\n0,long\n0,short\n1,short\n6,short\n"
    rec = run_text(tmp_path, two_classes(), trace)
    # customer 2 waits behind the long service at counter 0 until 09:30; customer 3 joins
    # later (09:06) and starts at once at counter 1: one overtaking of customer 2
    assert [v[3] for v in visits(rec)] == [540.0, 540.0, 570.0, 546.0]
    assert overtaken(rec) == [0, 0, 1, 0]
    # one shared first-come-first-served line: nobody can be overtaken
    shared = run_text(tmp_path, two_classes(line="single"), trace)
    assert overtaken(shared) == [0, 0, 0, 0]


def test_a_customer_who_gives_up_counts_who_started_before_they_left(tmp_path):
    yaml = two_classes(patience=", patience: {dist: constant, value: 10}")
    trace = "time,cls\n0,long\n0,short\n1,short\n2,short\n"
    rec = run_text(tmp_path, yaml, trace)
    # 2 waits at counter 0 (a tie, the lowest counter) and gives up at 09:11; 3 joins counter
    # 1's empty line at 09:02 and starts at 09:05, before 2 left
    assert visits(rec)[2] == (2, "s", 541.0, None, None, "ABANDONED")
    assert visits(rec)[3][3] == 545.0
    assert overtaken(rec) == [0, 0, 1, 0]


def test_a_start_at_the_very_instant_a_customer_leaves_does_not_count(tmp_path):
    yaml = two_classes(patience=", patience: {dist: constant, value: 4}")
    trace = "time,cls\n0,long\n0,short\n1,short\n2,short\n"
    rec = run_text(tmp_path, yaml, trace)
    # 2 gives up at 09:05, the instant 3 starts at counter 1: not an overtaking
    assert visits(rec)[2] == (2, "s", 541.0, None, None, "ABANDONED")
    assert visits(rec)[3][3] == 545.0
    assert overtaken(rec) == [0, 0, 0, 0]


PRIORITY = """
name: priority line
clock: {open: "09:00", close: "12:00"}
customer_classes:
  vip: {pathway: p, priority: 1}
  walk_in: {pathway: p, priority: 0}
arrivals:
  log: {trace: trace.csv, class_column: cls}
stations:
  s: {counters: 1, staffed: false, service: {dist: constant, value: 10}}
pathways: {p: [s]}
"""


def test_a_higher_priority_joiner_overtakes_and_a_stopped_customer_keeps_the_count(tmp_path):
    # 09:00 walk-in 0 served at once; 09:01 walk-in 1 waits; 09:02 a VIP joins later and
    # starts first at 09:10; walk-in 1 starts at 09:20 (overtaken once)
    trace = "time,cls\n0,walk_in\n1,walk_in\n2,vip\n"
    rec = run_text(tmp_path, PRIORITY, trace)
    assert [v[3] for v in visits(rec)] == [540.0, 560.0, 550.0]
    assert overtaken(rec) == [0, 1, 0]
    # the day stops at 09:16 (close 09:15, one minute of overtime): the VIP of 09:02 is in
    # service since 09:10; walk-in 1 and the VIP of 09:03 still wait
    stop = PRIORITY.replace('close: "12:00"}', 'close: "09:15"}\nrun: {max_overtime_min: 1}')
    rec = run_text(tmp_path, stop, "time,cls\n0,walk_in\n1,walk_in\n2,vip\n3,vip\n")
    assert [v[-1] for v in visits(rec)] == ["SERVED", "UNFINISHED", "UNFINISHED", "UNFINISHED"]
    # walk-in 1 was overtaken by the VIP who started; nobody who joined after the VIP of 09:03
    # started; the VIP in service counts as at its start (0)
    assert overtaken(rec) == [0, 1, 0, 0]


def test_a_customer_stopped_in_a_single_line_was_never_overtaken(tmp_path):
    yaml = (PRIORITY.replace('close: "12:00"}', 'close: "09:15"}\nrun: {max_overtime_min: 1}')
            .replace("  vip: {pathway: p, priority: 1}\n", ""))
    rec = run_text(tmp_path, yaml, "time,cls\n0,walk_in\n1,walk_in\n2,walk_in\n")
    # one class in a first-come-first-served line: 1 is in service, 2 still waits at the stop
    assert [v[-1] for v in visits(rec)] == ["SERVED", "UNFINISHED", "UNFINISHED"]
    assert overtaken(rec) == [0, 0, 0]
