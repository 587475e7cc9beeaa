"""Station corners with one shared line: the lowest-numbered idle counter serves next, however
the counters came free."""

from __future__ import annotations

from tests.engine.timeline import run_text, visits

FOUR_COUNTERS = """
name: lowest idle counter
clock: {open: "09:00", close: "12:00"}
customer_classes:
  a: {pathway: p}
  b: {pathway: p}
  c: {pathway: p}
  d: {pathway: p}
arrivals:
  log: {trace: trace.csv, class_column: cls}
stations:
  s: {counters: 4, staffed: false, service: {dist: constant, value: 5},
      service_by_class: {a: {dist: constant, value: 40}, c: {dist: constant, value: 20},
                         d: {dist: constant, value: 10}}}
pathways: {p: [s]}
"""


def test_the_lowest_idle_counter_serves_next_whatever_order_they_came_free(tmp_path):
    # counters 0-3 come free at 09:40, 09:05, 09:20 and 09:10: in the order 1, 3, 2, 0
    trace = "time,cls\n0,a\n0,b\n0,c\n0,d\n41,b\n41,b\n41,b\n42,b\n"
    rec = run_text(tmp_path, FOUR_COUNTERS, trace)
    assert rec.visits["counter"].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    assert [v[3] for v in visits(rec)] == [540.0] * 4 + [581.0] * 3 + [582.0]


STAFFED = """
name: staffing corner
clock: {{open: "09:00", close: "10:00"}}
customer_classes:
  short: {{pathway: p}}
  long: {{pathway: p}}
arrivals: {{log: {{trace: trace.csv, class_column: cls}}}}
stations:
  s: {{counters: {counters}, staff: clerks, line: {line}, service: {{dist: constant, value: 10}},
      service_by_class: {{long: {{dist: constant, value: 30}}}}}}
staff:
  clerks:
    shifts:
      - {{start: "09:00", end: "{first_end}", count: 1}}
      - {{start: "09:00", end: "10:00", count: 1}}
pathways: {{p: [s]}}
"""


def staffed(counters: int, first_end: str, line: str = "single") -> str:
    return STAFFED.format(counters=counters, first_end=first_end, line=line)


def test_a_spare_takes_over_an_idle_counter_whose_clerk_leaves(tmp_path):
    # one counter, two clerks: slot 1 waits as a spare; slot 0 is idle when due off at 09:30
    # and leaves at once, the spare takes the counter; it then serves one customer at a time
    rec = run_text(tmp_path, staffed(1, "09:30"), "time,cls\n40,short\n40,short\n")
    assert visits(rec) == [(0, "s", 580.0, 580.0, 590.0, "SERVED"),
                           (1, "s", 580.0, 590.0, 600.0, "SERVED")]
    assert rec.visits["staff_id"].tolist() == [1, 1]
    assert max(rec.levels["busy"]) == 1


def test_an_idle_clerk_due_off_leaves_her_own_counter(tmp_path):
    # two counters, both clerks idle at 09:30: slot 0 leaves counter 0, counter 1 stays open
    rec = run_text(tmp_path, staffed(2, "09:30"), "time,cls\n40,short\n")
    assert rec.visits["counter"].tolist() == [1]
    assert rec.visits["staff_id"].tolist() == [1]


def test_a_closing_counters_line_waits_behind_a_busy_counter(tmp_path):
    # slot 0 (counter 0) is due off at 09:05 while serving until 09:10; customer 2 waits in
    # counter 0's line and customer 3 in counter 1's, behind a 30-minute service. At 09:10
    # counter 0 closes and customer 2 moves behind customer 3: nobody starts at a busy counter
    trace = "time,cls\n0,short\n0,long\n1,short\n2,short\n"
    rec = run_text(tmp_path, staffed(2, "09:05", line="per_counter"), trace)
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 550.0, "SERVED"),
        (1, "s", 540.0, 540.0, 570.0, "SERVED"),
        (2, "s", 541.0, 580.0, 590.0, "SERVED"),
        (3, "s", 542.0, 570.0, 580.0, "SERVED"),
    ]
    assert rec.visits["counter"].tolist() == [0, 1, 1, 1]
    after = rec.levels["time_min"] > 550.0
    assert max(rec.levels["busy"]) == 2 and rec.levels["busy"][after].max() == 1
