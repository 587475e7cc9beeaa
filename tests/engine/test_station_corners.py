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
