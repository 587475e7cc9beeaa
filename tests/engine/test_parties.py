"""Parties whose members queue one by one (``members_queue: individually``): exact
timelines, invariants, reproducibility; the M^X/M/1 check is in
``tests/theory/test_branch_theory.py``."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import ScenarioError, load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text, visits

PARTY = """
name: party
clock: {{open: "09:00", close: "12:00"}}
customer_classes:
  c: {{pathway: p, patience: {{dist: constant, value: 5}}}}
arrivals:
  log: {{trace: trace.csv, group_size_column: size, members_queue: {how}}}
stations:
  desk: {{counters: 1, staffed: false, service: {{dist: constant, value: 2}}}}
  pay: {{counters: 2, staffed: false, service: {{dist: constant, value: 1}}}}
pathways:
  p: [desk, pay]
"""
TRACE = "time,size\n0,3\n1,1\n1.5,2\n"


def test_members_queue_one_by_one_and_the_party_waits_for_its_last(tmp_path):
    rec = run_text(tmp_path, PARTY.format(how="individually"), TRACE)
    assert visits(rec) == [
        # members served 09:00-02, 02-04, 04-06: the party starts when its last does
        (0, "desk", 540.0, 544.0, 546.0, "SERVED"),
        (0, "pay", 546.0, 547.0, 548.0, "SERVED"),  # two counters: 46-47, 46-47, 47-48
        (1, "desk", 541.0, None, None, "ABANDONED"),  # behind two members, patience 5
        # its first member starts at 09:06 before its patience runs out (09:06.5): stays
        (2, "desk", 541.5, 548.0, 550.0, "SERVED"),
        (2, "pay", 550.0, 550.0, 551.0, "SERVED"),
    ]
    v = rec.visits
    assert v["service_min"][~np.isnan(v["service_min"])].tolist() == [6.0, 3.0, 4.0, 2.0]
    assert rec.customers["wait_min"].tolist() == [5.0, 5.0, 6.5]
    desk = rec.levels["station_idx"] == 0
    assert rec.levels["queue_len"][desk].max() == 5  # members wait one by one


def test_as_one_a_party_takes_one_service(tmp_path):
    rec = run_text(tmp_path, PARTY.format(how="as_one"), TRACE)
    assert visits(rec)[:2] == [(0, "desk", 540.0, 540.0, 542.0, "SERVED"),
                               (0, "pay", 542.0, 542.0, 543.0, "SERVED")]


def test_a_party_none_of_whose_members_started_abandons_together(tmp_path):
    rec = run_text(tmp_path, PARTY.format(how="individually"), "time,size\n0,4\n0.5,2\n")
    assert visits(rec)[2] == (1, "desk", 540.5, None, None, "ABANDONED")
    assert rec.customers["outcome"].tolist() == [int(CustomerOutcome.SERVED),
                                                 int(CustomerOutcome.ABANDONED)]
    desk = rec.levels["station_idx"] == 0
    # both of its members left the line at 09:05.5
    at = rec.levels["time_min"][desk] == 545.5
    assert rec.levels["queue_len"][desk][at].tolist() == [2, 1]


def test_individually_needs_parties_and_stations_without_failures():
    text = PARTY.format(how="individually").replace(", group_size_column: size", "")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "x.yaml")
    assert "arrivals.log.members_queue: members queue individually only in parties" in str(
        info.value.issues[0])
    text = PARTY.format(how="individually").replace(
        "value: 2}}", "value: 2}, failure: {probability: 0.1}}")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "x.yaml")
    assert "class 'c' visits desk, which can fail" in str(info.value.issues[0])


BUSY = """
name: canteen
clock: {open: "11:00", close: "14:00"}
customer_classes:
  diner: {pathway: p, patience: {dist: exponential, mean: 12}}
arrivals:
  groups:
    rate_per_hour: {"11:00": 30}
    group_size: {dist: empirical, values: [1, 2, 3, 4]}
    members_queue: individually
stations:
  counter: {counters: 2, staff: cooks, line: per_counter, jockey: {when_shorter_by: 2},
            service: {dist: exponential, mean: 1.5}}
  till: {counters: 1, staffed: false, service: {dist: exponential, mean: 0.5}}
staff:
  cooks: {shifts: [{start: "11:00", end: "14:00", count: 2}]}
pathways:
  p: [counter, {shortest_of: [till, counter]}]
"""


def test_invariants_and_reproducibility_on_a_busy_canteen():
    plan = compile_plan(load_scenario_text(BUSY).scenario)
    for r in range(3):
        rec = simulate(plan, 5, r)
        check_conservation(rec)
        v, lv = rec.visits, rec.levels
        for s in range(len(rec.station_names)):
            # busy counter-minutes are the members' services added up
            m = lv["station_idx"] == s
            t = np.append(lv["time_min"][m], rec.end_min)
            busy_area = float(np.sum(np.diff(t) * lv["busy"][m]))
            served = np.nansum(v["service_min"][v["station_idx"] == s])
            assert busy_area == pytest.approx(served, rel=1e-9, abs=1e-9)
    seq = run_replications(plan, 2, 6, jobs=1)
    par = run_replications(plan, 2, 6, jobs=2)
    assert [r.kpis for r in seq] == [r.kpis for r in par]
