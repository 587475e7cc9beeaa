"""The requirement by simulation against queueing theory.

* Stationary arrivals, one station, no abandonment, hour-long intervals: the requirement is the
  smallest c whose Erlang C service level meets the target.
* Sinusoidal arrivals to M_t/M/s_t+M (Feldman, Mandelbaum, Massey & Whitt 2008): the
  requirement keeps the delay probability near its target in every interval, while the
  stationary per-interval answer misses it after each peak (the lag of the load behind the
  arrival rate).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.experiments.staffing.edit import with_staffing
from simulator.experiments.staffing.measure import IntervalMeasure, pooled
from simulator.experiments.staffing.requirement import find_requirement
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import TargetOptions, resolve_groups
from simulator.experiments.staffing.verify import target_summary
from simulator.measures.intervals import interval_edges
from simulator.scenario.loader import load_scenario_text
from simulator.theory import mmc_service_level

STATIONARY = """
name: stationary M/M/c
clock: {open: "08:00", close: "14:00"}
run: {seed: 3}
customer_classes: {c: {pathway: p}}
arrivals: {walk: {rate_per_hour: {"08:00": 60}}}
stations: {desk: {counters: 12, staff: clerks, service: {dist: exponential, mean: 4}}}
staff: {clerks: {shifts: [{start: "08:00", end: "14:00", count: 6}]}}
pathways: {p: [desk]}
standards: [{name: desk within 1 min, station: desk, wait_max_min: 1, target_share: 0.7}]
"""


def _runner(loaded, groups, edges, seed, jobs=2):
    sc = loaded.scenario
    measure = IntervalMeasure(tuple(edges.tolist()), tuple(g.station for g in groups),
                              tuple(sc.standards))
    return StaffingRunner(loaded.base_dir, seed, measure, "joblib", jobs)


def test_stationary_requirement_is_the_erlang_c_answer():
    """lambda = 1/min, E[S] = 4 min (a = 4 Erlangs), target 70 % within 1 min. Erlang C gives
    56.8 % at 5 servers and 82.7 % at 6, so c* = 6, and each neighbour is 13 points from the
    target. The test decides exactly (no +-1): it also checks that the simulated value's own
    95 % interval at the requirement is narrower than that margin, so the simulation can tell
    c* - 1 and c* apart. The first hour starts empty (less is needed) and is left out."""
    c_star = 6
    assert mmc_service_level(1.0, 4.0, c_star - 1, 1.0) < 0.7 - 0.1
    assert mmc_service_level(1.0, 4.0, c_star, 1.0) > 0.7 + 0.1
    loaded = load_scenario_text(STATIONARY)
    sc = loaded.scenario
    groups = resolve_groups(sc, ["clerks"], TargetOptions())
    edges = interval_edges(sc.open_min, sc.close_min, 60)
    runner = _runner(loaded, groups, edges, 3, jobs=1)
    req = find_requirement(sc, runner, groups, edges, 20)
    assert req.converged
    assert req.people["clerks"][1:].tolist() == [c_star] * 5
    assert req.people["clerks"][0] <= c_star
    reps = StaffingRunner.intervals(runner.run(
        {"check": with_staffing(sc, req.people, edges)}, 20)["check"])
    mean, low, high, _n = target_summary(groups, reps)["clerks"]["standard_0"]
    assert np.all((high - low)[1:] / 2 < 0.13)
    assert np.all(mean[1:] >= 0.7)


def sinusoid_scenario(lam_per_min: float = 8.0, amplitude: float = 0.5, period_min: float = 120,
                      service_min: float = 10.0) -> str:
    """M_t/M/s_t+M for one cycle of a sinusoidal rate (in 5-min steps), patience = service."""
    rates = {}
    for k in range(24):
        minute = 480 + 5 * k
        rate = lam_per_min * (1 + amplitude * math.sin(2 * math.pi * (5 * k + 2.5) / period_min))
        rates[f'"{minute // 60:02d}:{minute % 60:02d}"'] = round(60 * rate, 3)
    table = ", ".join(f"{k}: {v}" for k, v in rates.items())
    return f"""
name: sinusoidal M_t/M/s_t+M
clock: {{open: "08:00", close: "10:00"}}
run: {{seed: 7}}
customer_classes: {{c: {{pathway: p, patience: {{dist: exponential, mean: {service_min}}}}}}}
arrivals: {{walk: {{rate_per_hour: {{{table}}}}}}}
stations: {{desk: {{counters: 200, staff: agents,
                  service: {{dist: exponential, mean: {service_min}}}}}}}
staff: {{agents: {{shifts: [{{start: "08:00", end: "10:00", count: 80}}]}}}}
pathways: {{p: [desk]}}
"""


def test_time_varying_delay_probability_is_time_stable():
    """Offered load about 80 Erlangs swinging +-50 % over a 2-hour cycle, service and patience
    10 min, 15-min intervals, target P(wait > 0) <= 0.1. Checked on the verification's common
    random numbers (the plan's own seeds, 40 replications): every interval within +-0.05 of the
    target under the requirement, while the stationary answer misses by more than 0.05 in the
    intervals after the peak. Checked again on 60 fresh replications (another seed): the
    requirement stays within +-0.05 on average over the intervals and never above 0.2, while
    the stationary answer exceeds 0.4 after the peak."""
    alpha = 0.1
    loaded = load_scenario_text(sinusoid_scenario())
    sc = loaded.scenario
    groups = resolve_groups(sc, ["agents"], TargetOptions(max_delay_prob=alpha))
    edges = interval_edges(sc.open_min, sc.close_min, 15)
    runner = _runner(loaded, groups, edges, 7)
    req = find_requirement(sc, runner, groups, edges, 40)
    assert req.converged
    stationary = {"agents": req.stationary["agents"]}
    assert np.all(stationary["agents"] > 0)
    target = groups[0].targets[0]
    isa = req.iterations[-1].values["agents"]["delay"]  # the requirement, on its own seeds
    same = runner.run({"stationary": with_staffing(sc, stationary, edges)}, 40)
    st = pooled(target, 0, StaffingRunner.intervals(same["stationary"]))
    assert np.all(np.abs(isa - alpha) <= 0.05), isa
    # the rate peaks at 08:30; the load peaks later, so the stationary answer is short after it
    after_peak = slice(2, 6)  # 08:30-09:30
    assert np.max(st[after_peak]) > alpha + 0.05, st
    fresh = _runner(loaded, groups, edges, 99).run(
        {"isa": with_staffing(sc, req.people, edges),
         "stationary": with_staffing(sc, stationary, edges)}, 60)
    isa2 = pooled(target, 0, StaffingRunner.intervals(fresh["isa"]))
    st2 = pooled(target, 0, StaffingRunner.intervals(fresh["stationary"]))
    assert np.mean(np.abs(isa2 - alpha)) <= 0.05, isa2
    assert np.max(isa2) <= 0.2, isa2
    assert np.max(st2[after_peak]) > 0.4, st2


@pytest.mark.parametrize("jobs", [1, 2])
def test_requirement_does_not_depend_on_workers(jobs):
    loaded = load_scenario_text(STATIONARY)
    sc = loaded.scenario
    groups = resolve_groups(sc, ["clerks"], TargetOptions())
    edges = interval_edges(sc.open_min, sc.close_min, 60)
    req = find_requirement(sc, _runner(loaded, groups, edges, 3, jobs), groups, edges, 6)
    ref = find_requirement(sc, _runner(loaded, groups, edges, 3, 1), groups, edges, 6)
    assert req.people["clerks"].tolist() == ref.people["clerks"].tolist()
    for a, b in zip(req.iterations, ref.iterations, strict=True):
        np.testing.assert_array_equal(a.values["clerks"]["standard_0"],
                                      b.values["clerks"]["standard_0"])
