"""Jockeying between per-counter lines (Koenigsberg's rule): exact timelines, invariants,
reproducibility; the theory check is in ``tests/theory/test_branch_theory.py``."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import ScenarioError, load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text, visits

DESK = """
name: jockey
clock: {{open: "09:00", close: "12:00"}}
customer_classes:
  long: {{pathway: p, share: 0.5}}
  short: {{pathway: p, share: 0.5}}
arrivals:
  log: {{trace: trace.csv, class_column: cls}}
stations:
  desk: {{counters: 2, staffed: false, line: per_counter{jockey},
          service: {{dist: constant, value: 30}},
          service_by_class: {{short: {{dist: constant, value: 5}}}}}}
pathways:
  p: [desk]
"""
TRACE = "time,cls\n0,long\n0,short\n1,long\n2,long\n3,long\n"


def test_the_last_of_a_longer_line_moves_when_another_is_two_shorter(tmp_path):
    rec = run_text(tmp_path, DESK.format(jockey=", jockey: {when_shorter_by: 2}"), TRACE)
    assert visits(rec) == [
        (0, "desk", 540.0, 540.0, 570.0, "SERVED"),  # counter 0
        (1, "desk", 540.0, 540.0, 545.0, "SERVED"),  # counter 1, done at 09:05
        (2, "desk", 541.0, 570.0, 600.0, "SERVED"),  # lines 1 and 1: counter 0's
        (3, "desk", 542.0, 545.0, 575.0, "SERVED"),  # counter 1's line
        # joins counter 0's line (2 and 2); at 09:05 counter 1 starts customer 3, so the
        # lines are 3 and 1: the last of counter 0's line moves and is served there next
        (4, "desk", 543.0, 575.0, 605.0, "SERVED"),
    ]
    assert rec.visits["jockeyed"].tolist() == [0, 0, 0, 0, 1]
    assert rec.visits["counter"].tolist() == [0, 1, 0, 1, 1]


def test_without_jockey_customers_keep_their_line(tmp_path):
    rec = run_text(tmp_path, DESK.format(jockey=""), TRACE)
    assert visits(rec)[4] == (4, "desk", 543.0, 600.0, 630.0, "SERVED")
    assert rec.visits["jockeyed"].tolist() == [0] * 5


def test_a_difference_below_the_threshold_moves_nobody(tmp_path):
    rec = run_text(tmp_path, DESK.format(jockey=", jockey: {when_shorter_by: 3}"), TRACE)
    assert visits(rec)[4] == (4, "desk", 543.0, 600.0, 630.0, "SERVED")


def test_jockey_needs_per_counter_lines_and_a_threshold_of_two():
    text = DESK.format(jockey=", jockey: {when_shorter_by: 2}").replace(
        "line: per_counter", "line: single").replace("trace.csv, class_column: cls",
                                                     "trace.csv")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "x.yaml")
    assert any("stations.desk.jockey: customers change lines only where each counter has "
               "its own line (got 'single'; expected line: per_counter)" in str(i)
               for i in info.value.issues)
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(DESK.format(jockey=", jockey: {when_shorter_by: 1}"), "x.yaml")
    assert "stations.desk.jockey.when_shorter_by" in str(info.value.issues[0])


BUSY = """
name: busy jockeys
clock: {open: "09:00", close: "13:00"}
customer_classes:
  c: {pathway: p, patience: {dist: exponential, mean: 15}}
arrivals:
  walk_in: {rate_per_hour: {"09:00": 100}}
stations:
  desk: {counters: 3, staff: clerks, line: per_counter, jockey: {when_shorter_by: 2},
         service: {dist: exponential, mean: 1.7}}
staff:
  clerks:
    shifts:
      - {start: "09:00", end: "13:00", count: 2, breaks: [{start: "11:00", minutes: 20}]}
      - {start: "10:00", end: "12:00", count: 1}
pathways:
  p: [desk]
"""


def test_invariants_and_reproducibility_on_a_busy_day():
    plan = compile_plan(load_scenario_text(BUSY).scenario)
    moved = 0
    for r in range(3):
        rec = simulate(plan, 4, r)
        check_conservation(rec)
        v = rec.visits
        moved += int(v["jockeyed"].sum())
        # a customer never waits at a counter line longer than allowed after a move: the
        # levels stay consistent (waiting never negative, busy within counters)
        assert rec.levels["queue_len"].min() >= 0
        assert rec.levels["busy"].max() <= 3
    assert moved > 0
    again = simulate(plan, 4, 0)
    assert np.array_equal(again.visits["jockeyed"], simulate(plan, 4, 0).visits["jockeyed"])
    seq = run_replications(plan, 2, 8, jobs=1)
    par = run_replications(plan, 2, 8, jobs=2)
    assert [r.kpis for r in seq] == [r.kpis for r in par]


def test_a_counter_that_falls_idle_takes_the_last_of_a_line_two_longer(tmp_path):
    # 09:05 counter 1 finishes and has nobody in its line, while counter 0 serves a long
    # customer with one waiting: 2 against 0, so the waiting customer moves and starts at once
    trace = "time,cls\n0,long\n0,short\n1,long\n"
    rec = run_text(tmp_path, DESK.format(jockey=", jockey: {when_shorter_by: 2}"), trace)
    assert visits(rec)[2] == (2, "desk", 541.0, 545.0, 575.0, "SERVED")
    assert rec.visits["jockeyed"].tolist() == [0, 0, 1]
    assert rec.visits["counter"].tolist() == [0, 1, 1]
    # a threshold of 3 keeps the customer in counter 0's line until 09:30
    rec = run_text(tmp_path, DESK.format(jockey=", jockey: {when_shorter_by: 3}"), trace)
    assert visits(rec)[2] == (2, "desk", 541.0, 570.0, 600.0, "SERVED")
