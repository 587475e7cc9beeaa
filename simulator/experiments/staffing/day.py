"""Whole-day targets (``--over day``): relax the per-interval target until the day just meets it.

Meeting a target in every interval (time-stable performance) is the planner's usual promise.
Some targets are stated for the day instead ("80 % of the day's customers within 15 min"),
which a plan can meet more cheaply by letting some intervals fall below while others are above.
The day plan is found as the per-interval plan for a relaxed level: the service standard's
share lowered in steps of 5 points (the bounds on abandonment, mean wait and the probability
of waiting raised by a quarter, the satisfaction floor lowered by 0.1) while the simulated
whole-day value, pooled over replications, still meets the original target. Each relaxed plan
starts from the previous one, on the same common random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from simulator.experiments.staffing.requirement import Requirement, find_requirement
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import GroupSpec, Target
from simulator.experiments.staffing.study import StaffingStudy

__all__ = ["day_requirement", "relaxed"]

#: Relaxation steps tried at most.
MAX_STEPS = 10


def relaxed(t: Target, step: int) -> Target:
    """The target ``step`` relaxation steps easier (see the module docstring)."""
    if step == 0:
        return t
    if t.kind == "standard":
        return replace(t, level=max(0.05, t.level - 0.05 * step))
    if t.kind == "csat":
        return replace(t, level=max(1.0, t.level - 0.1 * step))
    if t.kind == "delay":
        return replace(t, level=min(0.99, t.level * 1.25 ** step))
    return replace(t, level=t.level * 1.25 ** step)


def _day_met(req: Requirement, groups: tuple[GroupSpec, ...]) -> bool:
    last = req.iterations[-1]
    return all(t.met(last.day[g.name][t.key]) for g in groups for t in g.targets)


def day_requirement(study: StaffingStudy, runner: StaffingRunner, *, max_iterations: int = 30,
                    on_progress: Callable[[str], None] | None = None) -> Requirement:
    """The cheapest relaxed per-interval requirement whose whole-day value meets the
    targets."""
    say = on_progress or (lambda _msg: None)
    sc = study.loaded.scenario
    best: Requirement | None = None
    start, demand = None, None
    for step in range(MAX_STEPS + 1):
        groups = tuple(replace(g, targets=tuple(relaxed(t, step) for t in g.targets))
                       for g in study.groups)
        req = find_requirement(sc, runner, groups, study.edges, study.iteration_replications,
                               start=start, demand=demand, max_iterations=max_iterations,
                               on_progress=say)
        # judge the day on the original targets
        met = _day_met(req, study.groups)
        say(f"whole day, per-interval targets relaxed {step} step{'s' if step != 1 else ''}: "
            f"{'met' if met else 'missed'}")
        if not met:
            break
        best, start, demand = req, req.people, req.demand
    return best if best is not None else req
