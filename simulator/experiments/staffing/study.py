"""A staffing study, checked before anything is simulated, and its building blocks.

:func:`prepare_study` checks groups, targets, intervals and shift rules (every mistake is a
:class:`~.spec.StaffingError` before the first replication); :func:`make_runner` measures the
study's groups on its intervals; :func:`shift_plans` solves every group's shifts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.experiments.staffing.measure import IntervalMeasure
from simulator.experiments.staffing.rules import group_rules, shift_columns
from simulator.experiments.staffing.shifts import ShiftPlan, solve_shifts
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import (
    GroupSpec,
    StaffingError,
    TargetOptions,
    check_interval,
    resolve_groups,
)
from simulator.experiments.tasks import Backend
from simulator.measures.intervals import interval_edges
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.shift_rules import ShiftRules

__all__ = ["StaffingStudy", "make_runner", "prepare_study", "shift_plans"]


@dataclass(frozen=True)
class StaffingStudy:
    """A checked staffing study: groups, targets, intervals, shift rules and settings."""

    loaded: LoadedScenario
    groups: tuple[GroupSpec, ...]
    edges: np.ndarray
    interval_min: int
    rules: dict[str, ShiftRules]
    rules_derived: dict[str, bool]
    replications: int
    iteration_replications: int
    seed: int
    over: str



def prepare_study(loaded: LoadedScenario, groups: Sequence[str], *,
                  targets: TargetOptions | None = None, interval_min: int = 30,
                  replications: int = 30, iteration_replications: int | None = None,
                  seed: int | None = None, over: str = "interval") -> StaffingStudy:
    """Check everything that can be checked before simulating.

    Raises
    ------
    StaffingError
        Unknown groups or standards, impossible targets, intervals that do not divide the day,
        shift rules that allow no shift.
    """
    sc = loaded.scenario
    targets = targets if targets is not None else TargetOptions()
    if over not in ("interval", "day"):
        raise StaffingError(f"--over must be interval or day (got {over!r})")
    if replications < 2:
        raise StaffingError(f"-n must be at least 2 for intervals (got {replications})")
    specs = resolve_groups(sc, groups, targets)
    check_interval(sc, interval_min)
    edges = interval_edges(sc.open_min, sc.close_min, interval_min)
    rules, derived = {}, {}
    for g in specs:
        rules[g.name], derived[g.name] = group_rules(sc, g.name, interval_min)
        if not shift_columns(rules[g.name], sc.staff[g.name].cost_per_hour):
            raise StaffingError(f"shift_rules of {g.name!r} allow no shift (expected a start "
                                "and a length that end by the latest end)")
    n_iter = iteration_replications if iteration_replications is not None else replications
    if n_iter < 2:
        raise StaffingError(f"--iteration-replications must be at least 2 (got {n_iter})")
    return StaffingStudy(loaded, tuple(specs), edges, interval_min, rules, derived,
                         replications, n_iter, seed if seed is not None else sc.run.seed, over)


def make_runner(study: StaffingStudy, backend: Backend, jobs: int,
                scheduler: str | None) -> StaffingRunner:
    """A runner measuring every group's home station on the study's intervals."""
    sc = study.loaded.scenario
    csat = any(t.kind == "csat" for g in study.groups for t in g.targets)
    measure = IntervalMeasure(tuple(study.edges.tolist()), tuple(g.station for g in study.groups),
                              tuple(sc.standards), csat)
    return StaffingRunner(study.loaded.base_dir, study.seed, measure, backend, jobs, scheduler)


def shift_plans(study: StaffingStudy, people: dict[str, np.ndarray]) -> dict[str, ShiftPlan]:
    """The least-cost shifts of every group for a requirement."""
    sc = study.loaded.scenario
    return {g.name: solve_shifts(g.name, people[g.name], study.edges, study.rules[g.name],
                                 shift_columns(study.rules[g.name], sc.staff[g.name].cost_per_hour))
            for g in study.groups}
