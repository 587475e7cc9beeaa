"""Branch steps of a pathway: ``choose``, ``if_failed`` / ``if_served``, ``shortest_of``.

Exact timelines on tiny replayed days, invariants on a busy random day, reproducibility and
common random numbers between variants; the theory checks are in
``tests/theory/test_branch_theory.py``.
"""

from __future__ import annotations

import textwrap

import numpy as np

from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text, visits

CHECK = """
name: branches
clock: {{open: "09:00", close: "12:00"}}
customer_classes:
  c: {{pathway: p}}
arrivals:
  log: {{trace: trace.csv}}
stations:
  check: {{counters: 1, staffed: false, service: {{dist: constant, value: 2}}{failure}}}
  fix: {{counters: 1, staffed: false, service: {{dist: constant, value: 1}}}}
  sup: {{counters: 1, staffed: false, service: {{dist: constant, value: 5}}}}
  thanks: {{counters: 1, staffed: false, service: {{dist: constant, value: 1}}}}
  a: {{counters: 1, staffed: false, service: {{dist: constant, value: 10}}}}
  b: {{counters: 1, staffed: false, service: {{dist: constant, value: 10}}}}
pathways:
  p: [check, {{if_failed: sup}}, {{if_served: thanks}}, {{shortest_of: [a, b]}}]
"""
ALWAYS_FAILS = ", failure: {probability: 1.0, recovery: {station: fix}}"
NEVER_FAILS = ", failure: {probability: 0.0}"


def test_shortest_of_takes_a_free_counter_then_the_shorter_line_ties_to_the_first(tmp_path):
    rec = run_text(tmp_path, CHECK.format(failure=NEVER_FAILS), "time\n0\n1\n2\n3\n4\n")
    assert visits(rec) == [
        (0, "check", 540.0, 540.0, 542.0, "SERVED"),
        (0, "thanks", 542.0, 542.0, 543.0, "SERVED"),   # served: if_served taken
        (0, "a", 543.0, 543.0, 553.0, "SERVED"),        # both free: the first listed
        (1, "check", 541.0, 542.0, 544.0, "SERVED"),
        (1, "thanks", 544.0, 544.0, 545.0, "SERVED"),
        (1, "b", 545.0, 545.0, 555.0, "SERVED"),        # a busy, b free
        (2, "check", 542.0, 544.0, 546.0, "SERVED"),
        (2, "thanks", 546.0, 546.0, 547.0, "SERVED"),
        (2, "a", 547.0, 553.0, 563.0, "SERVED"),        # both busy, none waiting: a
        (3, "check", 543.0, 546.0, 548.0, "SERVED"),
        (3, "thanks", 548.0, 548.0, 549.0, "SERVED"),
        (3, "b", 549.0, 555.0, 565.0, "SERVED"),        # a has one waiting, b none
        (4, "check", 544.0, 548.0, 550.0, "SERVED"),
        (4, "thanks", 550.0, 550.0, 551.0, "SERVED"),
        (4, "a", 551.0, 563.0, 573.0, "SERVED"),        # one waiting at each: a
    ]
    # step_idx counts the visits made: the skipped if_failed step leaves no gap
    assert rec.visits["step_idx"].tolist() == [0, 1, 2] * 5


def test_if_failed_sends_a_failed_check_to_the_supervisor(tmp_path):
    rec = run_text(tmp_path, CHECK.format(failure=ALWAYS_FAILS), "time\n0\n")
    assert visits(rec) == [
        (0, "check", 540.0, 540.0, 542.0, "FAILED"),
        (0, "fix", 542.0, 542.0, 543.0, "RECOVERED"),   # the recovery visit
        (0, "sup", 543.0, 543.0, 548.0, "SERVED"),      # the check failed: if_failed
        # if_served looks at the previous visit, the supervisor's, which went right
        (0, "thanks", 548.0, 548.0, 549.0, "SERVED"),
        (0, "a", 549.0, 549.0, 559.0, "SERVED"),
    ]
    assert rec.customers["n_visits"].tolist() == [5]
    assert rec.customers["departure_min"].tolist() == [559.0]


def test_if_served_is_skipped_after_a_failed_visit(tmp_path):
    text = CHECK.format(failure=ALWAYS_FAILS).replace("{if_failed: sup}, ", "")
    rec = run_text(tmp_path, text, "time\n0\n")
    assert visits(rec) == [
        (0, "check", 540.0, 540.0, 542.0, "FAILED"),
        (0, "fix", 542.0, 542.0, 543.0, "RECOVERED"),   # a recovery visit does not count
        (0, "a", 543.0, 543.0, 553.0, "SERVED"),        # the check failed: no thanks
    ]


def test_a_branch_after_a_skipped_first_visit_is_not_taken(tmp_path):
    text = CHECK.format(failure=NEVER_FAILS).replace(
        "p: [check,", "p: [{step: check, probability: 0.0},")
    rec = run_text(tmp_path, text, "time\n0\n")
    assert visits(rec) == [(0, "a", 540.0, 540.0, 550.0, "SERVED")]


def test_stations_not_chosen_let_their_staff_go_at_close(tmp_path):
    """Closing rule: a shortest_of option not taken stops expecting the customer."""
    text = textwrap.dedent("""
        name: close
        clock: {open: "09:00", close: "10:00"}
        customer_classes: {c: {pathway: p}}
        arrivals: {log: {trace: trace.csv}}
        stations:
          a: {counters: 1, staff: sa, service: {dist: constant, value: 30}}
          b: {counters: 1, staff: sb, service: {dist: constant, value: 30}}
        staff:
          sa: {shifts: [{start: "09:00", end: "10:00", count: 1}]}
          sb: {shifts: [{start: "09:00", end: "10:00", count: 1}]}
        pathways: {p: [{shortest_of: [a, b]}]}
    """)
    rec = run_text(tmp_path, text, "time\n50\n")
    assert visits(rec) == [(0, "a", 590.0, 590.0, 620.0, "SERVED")]
    late = dict(zip(rec.staff["slot_id"].tolist(), rec.staff["late_min"].tolist(),
                    strict=True))
    assert late == {0: 20.0, 1: 0.0}  # a's clerk serves until 10:20; b's leaves at close


BUSY = """
name: busy branches
clock: {open: "09:00", close: "13:00"}
customer_classes:
  c: {pathway: p, patience: {dist: exponential, mean: 20}}
arrivals:
  walk_in: {rate_per_hour: {"09:00": 90}}
stations:
  check: {counters: 2, staffed: false, service: {dist: exponential, mean: 1.2},
          failure: {probability: 0.3, recovery: redo}}
  sup: {counters: 1, staffed: false, service: {dist: exponential, mean: 2}}
  general: {counters: %d, staffed: false, service: {dist: exponential, mean: 3}}
  specialist: {counters: 2, staffed: false, service: {dist: exponential, mean: 4}}
  a: {counters: 1, staffed: false, service: {dist: exponential, mean: 1}}
  b: {counters: 1, staffed: false, service: {dist: exponential, mean: 1}}
pathways:
  p: [check, {if_failed: sup}, {choose: {general: 0.7, specialist: 0.3}},
      {shortest_of: [a, b]}]
"""


def _plan(counters: int = 4):
    return compile_plan(load_scenario_text(BUSY % counters).scenario)


def test_invariants_on_a_busy_day():
    plan = _plan()
    names = plan.station_names
    for r in range(4):
        rec = simulate(plan, 7, r)
        check_conservation(rec)
        c, v = rec.customers, rec.visits
        assert not np.any(c["outcome"] == int(CustomerOutcome.INSIDE))
        order = np.lexsort((v["step_idx"], v["customer_id"]))
        per_cust: dict[int, list[tuple[str, int, int]]] = {}
        for i in order:
            per_cust.setdefault(int(v["customer_id"][i]), []).append(
                (names[v["station_idx"][i]], int(v["n_failures"][i]), int(v["outcome"][i])))
        for cid, path in per_cust.items():
            served = [p for p in path if p[2] in (int(VisitOutcome.SERVED),
                                                  int(VisitOutcome.RECOVERED))]
            if c["outcome"][cid] != int(CustomerOutcome.SERVED):
                continue
            stations = [p[0] for p in served]
            assert stations[0] == "check"
            failed = path[0][1] > 0
            assert ("sup" in stations) == failed, path
            assert sum(s in ("general", "specialist") for s in stations) == 1, path
            assert sum(s in ("a", "b") for s in stations) == 1, path
            assert len(stations) == 3 + failed
        # step_idx counts each customer's visits from 0 without gaps
        for cid in per_cust:
            steps = np.sort(v["step_idx"][v["customer_id"] == cid])
            assert steps.tolist() == list(range(len(steps)))
        # the choice shares are near 0.7 / 0.3 (binomial, 4 standard errors)
        chose = np.isin(v["station_idx"], [names.index("general"), names.index("specialist")])
        n = int(chose.sum())
        share = float(np.mean(v["station_idx"][chose] == names.index("general")))
        assert abs(share - 0.7) <= 4 * np.sqrt(0.21 / n)


def test_same_seed_same_records_and_jobs_do_not_matter():
    plan = _plan()
    one, two = simulate(plan, 3, 1), simulate(plan, 3, 1)
    for table in ("visits", "customers", "levels"):
        a, b = getattr(one, table), getattr(two, table)
        assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    seq = run_replications(plan, 3, 5, jobs=1)
    par = run_replications(plan, 3, 5, jobs=2)
    assert [r.kpis for r in seq] == [r.kpis for r in par]


def test_choices_are_common_random_numbers_between_variants():
    """More general windows change the lines, not who chose the general window."""
    names = _plan().station_names
    chosen = []
    for counters in (3, 6):
        v = simulate(_plan(counters), 9, 0).visits
        general = v["station_idx"] == names.index("general")
        chosen.append(set(v["customer_id"][general].tolist()))
    # the stations before the choice are the same in both variants, so exactly the same
    assert chosen[0] == chosen[1] and len(chosen[0]) > 100
