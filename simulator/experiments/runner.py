"""Run replications: a pure task function and an in-process or joblib executor.

Each task is a pure function of (plan, seed, replication): it simulates, checks conservation,
computes the KPI row and the small arrays figures need, and (when asked) writes its own record
files. The parent collects only those small results, ordered by replication, so results never
depend on the number of workers or the order tasks finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from simulator.engine.model import simulate
from simulator.engine.records import Records
from simulator.measures.by_hour import by_hour_rows
from simulator.measures.conservation import check_conservation
from simulator.measures.kpis import replication_kpis
from simulator.measures.levels import level_grid, wait_histogram
from simulator.satisfaction.replication import add_by_hour, replication_satisfaction
from simulator.scenario.plan import Plan

RecordsMode = Literal["none", "summary", "full"]
RecordsFormat = Literal["csv", "parquet"]

#: Bin edges (minutes) of the pooled wait histograms; the last bin is open-ended.
WAIT_EDGES_MIN = np.concatenate((np.arange(0.0, 60.0, 1.0), np.arange(60.0, 241.0, 5.0)))
GRID_STEP_MIN = 5.0


@dataclass(frozen=True)
class ReplicationTask:
    """What identifies a replication: everything random follows from these numbers."""

    replication: int
    seed: int


@dataclass
class ReplicationResult:
    """The small outputs of one replication that the parent keeps."""

    replication: int
    kpis: dict[str, float]
    by_hour: list[dict[str, float | int | str]]
    grid_min: np.ndarray
    queue_grid: np.ndarray  # [station, time]
    busy_grid: np.ndarray
    on_duty_grid: np.ndarray
    wait_hist: np.ndarray  # [station, bin]
    files: list[str] = field(default_factory=list)


def replication_outputs(
    plan: Plan, records: Records, replication: int, detail: bool = True,
    seed: int | None = None,
) -> ReplicationResult:
    """Compute the KPI row (and, with ``detail``, the by-hour rows and figure arrays) of one
    replication from its records.

    The row includes the predicted-satisfaction KPIs (``sat__*``,
    :func:`simulator.satisfaction.replication.replication_satisfaction`), a pure function of the
    records; with ``seed`` also the sampled survey answers, drawn from the replication's own
    ``satisfaction`` stream. With ``detail`` the hourly satisfaction values are added to the
    by-hour rows of ``station == "all"``.
    """
    check_conservation(records)
    standards = plan.scenario.standards
    kpis = replication_kpis(records, standards, plan.group_cost_per_hour)
    sat = replication_satisfaction(plan, records, seed, replication)
    kpis.update(sat.kpis)
    if not detail:
        empty = np.zeros((0, 0))
        return ReplicationResult(replication, kpis, [], np.zeros(0), empty, empty, empty, empty)
    by_hour = by_hour_rows(records, standards)
    if sat.kpis:
        add_by_hour(by_hour, sat.by_hour)
    grid, queue, busy, duty = level_grid(records, GRID_STEP_MIN)
    hist = wait_histogram(records, WAIT_EDGES_MIN)
    return ReplicationResult(replication, kpis, by_hour, grid, queue, busy, duty, hist)


def run_replication(
    plan: Plan,
    task: ReplicationTask,
    records_mode: RecordsMode = "none",
    records_dir: Path | None = None,
    records_format: RecordsFormat = "csv",
    detail: bool = True,
) -> ReplicationResult:
    """Simulate one replication and return its outputs (a pure function of its arguments).

    When ``records_mode`` is not ``none``, the replication's record tables are written under
    ``records_dir`` by this call (so workers write their own records). ``detail=False``
    computes only the KPI row (sweeps and comparisons).
    """
    records = simulate(plan, task.seed, task.replication)
    result = replication_outputs(plan, records, task.replication, detail, task.seed)
    if records_mode != "none" and records_dir is not None:
        from simulator.experiments.storage import write_replication_records

        result.files = write_replication_records(
            records, task.replication, records_dir, records_mode, records_format
        )
    return result


def worker_count(jobs: int) -> int:
    """Workers for a joblib-style ``jobs``: N as given; -1 every core, -2 all but one, ..."""
    return jobs if jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + jobs)


def iter_results(
    plan: Plan,
    tasks: list[ReplicationTask],
    jobs: int = 1,
    records_mode: RecordsMode = "none",
    records_dir: Path | None = None,
    records_format: RecordsFormat = "csv",
) -> Iterator[ReplicationResult]:
    """Yield results as tasks finish (in any order); ``jobs`` > 1 uses joblib workers.

    ``jobs`` follows joblib: 1 runs in this process, -1 uses every core.
    """
    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_replication(plan, task, records_mode, records_dir, records_format)
        return
    from joblib import Parallel, delayed

    n_jobs = worker_count(jobs)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from parallel(
        delayed(run_replication)(plan, t, records_mode, records_dir, records_format)
        for t in tasks
    )


def run_replications(
    plan: Plan,
    replications: int,
    seed: int,
    jobs: int = 1,
    records_mode: RecordsMode = "none",
    records_dir: Path | None = None,
    records_format: RecordsFormat = "csv",
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> list[ReplicationResult]:
    """Run ``replications`` replications and return their results ordered by replication."""
    tasks = [ReplicationTask(r, seed) for r in range(replications)]
    results: list[ReplicationResult] = []
    for res in iter_results(plan, tasks, jobs, records_mode, records_dir, records_format):
        results.append(res)
        if on_result is not None:
            on_result(res)
    results.sort(key=lambda r: r.replication)
    return results


def map_replications(
    plan: Plan,
    measure: Callable[[Records], object],
    replications: int,
    seed: int,
    jobs: int = 1,
    on_result: Callable[[], None] | None = None,
) -> list[object]:
    """Simulate replications and return ``measure(records)`` of each, in replication order.

    For experiments that need their own numbers from every replication's records (the
    back-test of ``servsim fit``): ``measure`` runs where the replication ran (a worker when
    ``jobs`` > 1; it must be picklable, e.g. a module-level function or a
    ``functools.partial`` of one), so only its result travels back. Results depend only on
    (plan, seed, replication), never on ``jobs``.
    """
    reps = range(replications)
    if jobs == 1 or replications <= 1:
        out = []
        for r in reps:
            out.append(measure(simulate(plan, seed, r)))
            if on_result is not None:
                on_result()
        return out
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=worker_count(jobs), return_as="generator")
    out = []
    for value in parallel(delayed(_measured)(plan, measure, seed, r) for r in reps):
        out.append(value)
        if on_result is not None:
            on_result()
    return out


def _measured(plan: Plan, measure: Callable[[Records], object], seed: int,
              replication: int) -> object:
    return measure(simulate(plan, seed, replication))
