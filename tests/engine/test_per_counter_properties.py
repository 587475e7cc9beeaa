"""Per-counter lines with staff coming and going: invariants on every replication, theory
(Erlang B for a waiting room of 0; the pooled and the split-line bounds on joining the
shortest line) and reproducibility.

Theory tolerances are 3 standard errors of the across-replication mean.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from simulator import theory
from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import Plan, compile_plan

BUSY_DAY = """
name: per-counter day
clock: {open: "09:00", close: "12:00"}
customer_classes:
  patient: {share: 0.6, pathway: p}
  hurried: {share: 0.4, pathway: p, patience: {dist: exponential, mean: 6},
            balk: {queue_at_least: 3, probability: 0.5}}
arrivals:
  walk_in: {rate_per_hour: {"09:00": 50, "10:00": 80, "11:00": 40}}
stations:
  s: {counters: 4, staff: clerks, line: per_counter, waiting_room: 9,
      service: {dist: exponential, mean: 4}}
staff:
  clerks:
    shifts:
      - {start: "09:00", end: "12:00", count: 2,
         breaks: [{start: "10:00", minutes: 15, stagger_groups: 2}]}
      - {start: "09:20", end: "11:10", count: 2}
      - {start: "11:30", end: "12:00", count: 1}
pathways: {p: [s]}
"""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return compile_plan(load_scenario_text(BUSY_DAY).scenario)


@pytest.fixture(scope="module")
def days(plan: Plan) -> list[Records]:
    return [simulate(plan, 7, r) for r in range(12)]


def area(rec: Records, column: str) -> float:
    lv = rec.levels
    t = np.append(lv["time_min"], rec.end_min)
    return float(np.sum(np.diff(t) * lv[column]))


def test_every_customer_is_accounted_for(days):
    for rec in days:
        c = rec.customers
        counts = np.bincount(c["outcome"], minlength=4)
        assert counts[CustomerOutcome.INSIDE] == 0
        assert counts.sum() == len(c["customer_id"]) > 0
        check_conservation(rec)
    outcomes = np.concatenate([rec.customers["outcome"] for rec in days])
    # the day exercises every way out
    assert set(np.unique(outcomes)) == {CustomerOutcome.SERVED, CustomerOutcome.BALKED,
                                        CustomerOutcome.ABANDONED}


def test_levels_stay_possible_and_end_empty(days):
    for rec in days:
        lv = rec.levels
        assert lv["queue_len"].min() >= 0 and lv["busy"].min() >= 0
        assert np.all(lv["busy"] <= lv["on_duty"])
        assert np.all(lv["busy"] <= 4) and np.all(lv["queue_len"] <= 9)
        assert (lv["queue_len"][-1], lv["busy"][-1], lv["on_duty"][-1]) == (0, 0, 0)


def test_level_areas_equal_waits_and_services(days):
    """Little's law on the sample path: ∫ waiting dt = Σ waits, ∫ busy dt = Σ services."""
    for rec in days:
        v = rec.visits
        abandoned = v["outcome"] == VisitOutcome.ABANDONED
        dep = rec.customers["departure_min"][v["customer_id"]]
        joined = np.isin(v["outcome"], [VisitOutcome.SERVED, VisitOutcome.ABANDONED])
        wait_end = np.where(abandoned, dep, v["start_min"])
        assert area(rec, "queue_len") == pytest.approx(
            float(np.sum((wait_end - v["join_min"])[joined])), rel=1e-9)
        assert area(rec, "busy") == pytest.approx(float(np.nansum(v["service_min"])), rel=1e-9)


def test_every_service_has_a_counter_and_a_person(days):
    for rec in days:
        v = rec.visits
        served = v["outcome"] == VisitOutcome.SERVED
        assert np.all((v["counter"][served] >= 0) & (v["counter"][served] < 4))
        assert np.all(v["staff_id"][served] >= 0)
        assert np.all(v["start_min"][served] >= v["join_min"][served])


def test_same_seed_same_day_and_workers_do_not_matter(plan, days):
    again = simulate(plan, 7, 3)
    for table in ("visits", "customers", "levels", "staff"):
        a, b = getattr(days[3], table), getattr(again, table)
        assert a.keys() == b.keys()
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=f"{table}.{col}")
    one = run_replications(plan, 4, 7, jobs=1)
    two = run_replications(plan, 4, 7, jobs=2)
    assert [r.kpis for r in one] == [r.kpis for r in two]


# ------------------------------------------------------------------ theory
def steady(line: str, counters: int, rate_per_hour: float, *, room: str = "",
           length: float = 3000, warm_up: float = 200) -> str:
    return textwrap.dedent(f"""
        name: theory
        clock: {{open: "00:00"}}
        run: {{length_min: {length}, warm_up_min: {warm_up}}}
        customer_classes: {{c: {{pathway: p}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
        stations:
          s: {{counters: {counters}, staffed: false, line: {line}{room},
              service: {{dist: exponential, mean: 1}}}}
        pathways: {{p: [s]}}
    """)


def kpis(yaml: str, reps: int) -> dict[str, np.ndarray]:
    res = run_replications(compile_plan(load_scenario_text(yaml).scenario), reps, 2027)
    return {k: np.array([r.kpis[k] for r in res], dtype=float) for k in res[0].kpis}


def mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))


@pytest.mark.parametrize("line", ["single", "per_counter"])
def test_waiting_room_zero_blocks_as_erlang_b(line):
    lam, c = 2.0, 3  # offered load 2 erlangs on 3 counters
    k = kpis(steady(line, c, lam * 60, room=", waiting_room: 0", length=2000), reps=10)
    m, se = mean_se(k["blocked"] / k["arrived"])
    assert abs(m - theory.erlang_b(lam, c)) <= 3 * se
    assert np.all(k["s__queue_len_tw"] == 0)


def test_joining_the_shortest_line_lies_between_pooled_and_split_lines():
    """Per-counter lines with shortest-line choice (no switching) wait longer than one pooled
    line (M/M/c, Erlang C) and less than lines chosen at random (each an M/M/1 with λ/c)."""
    lam, c = 3.2, 4  # utilisation 0.8: Erlang C gives 0.75 min, M/M/1 at λ/c gives 4 min
    k = kpis(steady("per_counter", c, lam * 60, length=2000), reps=10)
    m, se = mean_se(k["s__wait_mean_min"])
    pooled = theory.mmc(lam, 1.0, c).mean_wait_min
    split = theory.mm1(lam / c, 1.0).mean_wait_min
    assert pooled + 3 * se < m < split - 3 * se, (pooled, m, se, split)
    u, se_u = mean_se(k["s__utilisation_tw"])
    assert abs(u - lam / c) <= 3 * se_u
