"""What each replication of a staffing study measures, and the targets' values from it.

:class:`IntervalMeasure` is the task measure (:data:`simulator.experiments.tasks.Measure`): a
picklable function of one replication's records that returns the per-interval counts of each
staffed group (:func:`simulator.measures.intervals.interval_counts`), the predicted
satisfaction of the customers arriving in each interval when a target needs it, and, when
asked, the replication's KPI row. :func:`target_values` turns counts into a target's value per
interval, pooled over replications (a ratio estimator) or one replication at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.engine.records import Records
from simulator.experiments.staffing.spec import Target
from simulator.experiments.tasks import Task
from simulator.measures.conservation import check_conservation
from simulator.measures.intervals import IntervalCounts, bin_sums, interval_counts
from simulator.scenario.plan import Plan

__all__ = [
    "IntervalMeasure",
    "ReplicationIntervals",
    "day_values",
    "delay_staffing",
    "group_offered",
    "pooled",
    "pooled_day",
    "target_values",
]


@dataclass(frozen=True)
class ReplicationIntervals:
    """One replication's per-interval counts: one entry per group, and satisfaction sums."""

    groups: tuple[IntervalCounts, ...]
    csat_sum: np.ndarray
    csat_n: np.ndarray


@dataclass(frozen=True)
class IntervalMeasure:
    """Measure a replication for a staffing study (picklable; runs on any worker)."""

    edges: tuple[float, ...]
    stations: tuple[int, ...]  # home station of each group
    standards: tuple[Any, ...]  # the scenario's standards
    csat: bool = False
    kpis: bool = False

    def __call__(self, plan: Plan, records: Records,
                 task: Task) -> tuple[dict[str, float], ReplicationIntervals]:
        check_conservation(records)
        edges = np.asarray(self.edges)
        counts = tuple(interval_counts(records, edges, [s], self.standards)
                       for s in self.stations)
        n = edges.size - 1
        csat_sum, csat_n = np.zeros(n), np.zeros(n)
        if self.csat:
            from simulator.satisfaction.replication import replication_satisfaction

            sat = replication_satisfaction(plan, records, keep=True)
            if sat.prediction is not None and sat.tables is not None:
                arrive = sat.tables.arrival_min
                csat_sum = bin_sums(arrive, edges, sat.prediction.expected_csat)
                csat_n = bin_sums(arrive, edges)
        row: dict[str, float] = {}
        if self.kpis:
            from simulator.experiments.runner import replication_outputs

            row = replication_outputs(plan, records, task.replication, detail=False,
                                      seed=task.seed).kpis
        return row, ReplicationIntervals(counts, csat_sum, csat_n)


def _num_den(target: Target, c: IntervalCounts, rep: ReplicationIntervals
             ) -> tuple[np.ndarray, np.ndarray]:
    if target.kind == "standard":
        return c.std_passed[target.standard], c.std_units[target.standard]
    if target.kind == "abandon":
        return c.abandoned, c.visits
    if target.kind == "mean_wait":
        return c.wait_sum_min, c.wait_n
    if target.kind == "delay":
        return c.delayed, c.delay_n
    if target.kind == "csat":
        return rep.csat_sum, rep.csat_n
    raise ValueError(f"unknown target kind (got {target.kind!r})")


def target_values(target: Target, group: int,
                  reps: Sequence[ReplicationIntervals]) -> np.ndarray:
    """The target's value per replication and interval, shape (replications, intervals);
    NaN where a replication had no customer for it in the interval."""
    out = []
    for r in reps:
        num, den = _num_den(target, r.groups[group], r)
        out.append(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan))
    return np.asarray(out, dtype=float)


def pooled(target: Target, group: int, reps: Sequence[ReplicationIntervals]) -> np.ndarray:
    """The target's value per interval pooled over replications: sum of numerators over sum
    of denominators (NaN where no replication had a customer for it)."""
    num = sum(_num_den(target, r.groups[group], r)[0] for r in reps)
    den = sum(_num_den(target, r.groups[group], r)[1] for r in reps)
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def day_values(target: Target, group: int,
               reps: Sequence[ReplicationIntervals]) -> np.ndarray:
    """The target's value over the whole day, one per replication (NaN without customers)."""
    out = []
    for r in reps:
        num, den = _num_den(target, r.groups[group], r)
        out.append(float(num.sum()) / float(den.sum()) if den.sum() > 0 else np.nan)
    return np.asarray(out, dtype=float)


def pooled_day(target: Target, group: int, reps: Sequence[ReplicationIntervals]) -> float:
    """The target's value over the whole day, pooled over replications."""
    num = sum(float(_num_den(target, r.groups[group], r)[0].sum()) for r in reps)
    den = sum(float(_num_den(target, r.groups[group], r)[1].sum()) for r in reps)
    return num / den if den > 0 else float("nan")


def delay_staffing(level: float, group: int, reps: Sequence[ReplicationIntervals]
                   ) -> np.ndarray:
    """Per interval, the smallest s with P(N >= s) <= ``level``, where N is the number at the
    station seen by an arrival (pooled over replications): the staffing update of the
    iterative staffing algorithm for a delay-probability target (Feldman et al. 2008)."""
    width = max(r.groups[group].seen.shape[1] for r in reps)
    hist = sum(np.pad(r.groups[group].seen, ((0, 0), (0, width - r.groups[group].seen.shape[1])))
               for r in reps)
    total = hist.sum(axis=1, keepdims=True)
    # tail[i, s] = P(N >= s) in interval i
    tail = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1] / np.where(total > 0, total, 1.0)
    ok = np.concatenate((tail, np.zeros((tail.shape[0], 1))), axis=1) <= level + 1e-12
    return np.argmax(ok, axis=1).astype(int)


def group_offered(g: int, reps: Sequence[ReplicationIntervals],
                  interval_min: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Arrivals per hour, offered load (busy counters, time average) per interval, and the
    mean service time (busy counter-minutes per served visit), averaged over replications."""
    visits = np.mean([r.groups[g].visits for r in reps], axis=0)
    busy = np.mean([r.groups[g].busy_min for r in reps], axis=0)
    served = float(np.sum([r.groups[g].served.sum() for r in reps]))
    total_busy = float(np.sum([r.groups[g].busy_min.sum() for r in reps]))
    es = total_busy / served if served > 0 else float("nan")
    return visits * 60.0 / interval_min, busy / interval_min, es
