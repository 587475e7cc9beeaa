"""Experiment tasks: (variant, replication, seed), their executors and a resumable store.

A task is a pure function of its variant's plan, its replication index and the seed, so any
backend (in-process, joblib workers, a Dask cluster), any number of workers and any order give
identical results. The parent process keeps only the KPI row of each finished task, and saves
it at once under ``tasks/<variant>/rep=NNNNN.json`` (written to a temporary name, flushed to
disk, then renamed): re-running an interrupted experiment computes only the tasks that have no
file yet. A task file that does not parse (a disk that filled up, a copy cut short) is
computed again, with a warning on stderr.
"""

from __future__ import annotations

import json
import math
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from simulator.experiments.runner import worker_count
from simulator.experiments.storage import notice
from simulator.scenario.plan import Plan

Backend = Literal["inprocess", "joblib", "dask"]


@dataclass(frozen=True)
class Variant:
    """One version of a scenario: a stable id, a label and the values that define it."""

    id: str
    label: str
    values: dict[str, Any]
    plan: Plan
    scenario_sha256: str


@dataclass(frozen=True)
class Task:
    """Replication ``replication`` of variant ``variant_id`` with ``seed``."""

    variant_id: str
    replication: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.variant_id}/rep={self.replication:05d}"


@dataclass
class TaskResult:
    """A finished task: its KPI row, or the error it raised."""

    variant_id: str
    replication: int
    seed: int
    kpis: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    extra: Any = None  # what a task's ``measure`` returned besides the KPI row


#: A task's own measurement of its records: ``measure(plan, records, task) -> (kpis, extra)``,
#: replacing the KPI row (a picklable callable, e.g. a frozen dataclass with ``__call__``).
Measure = Callable[[Plan, Any, "Task"], tuple[dict[str, float], Any]]


def run_task(plan: Plan, task: Task, records_mode: str = "none",
             records_dir: str | None = None, records_format: str = "csv",
             measure: Measure | None = None) -> TaskResult:
    """Run one task in whatever process this is; never raises (errors are returned).

    With ``measure`` the task returns ``measure(plan, records, task)`` (its KPI row and an
    ``extra`` value) instead of the standard KPI row.
    """
    from simulator.engine import model
    from simulator.experiments.runner import ReplicationSink

    try:
        if measure is not None:
            records = model.simulate(plan, task.seed, task.replication)
            kpis, extra = measure(plan, records, task)
            return TaskResult(task.variant_id, task.replication, task.seed, kpis, extra=extra)
        if plan.days:  # a calendar: every day of the block, then the block's row
            from simulator.experiments.runner import ReplicationTask, run_block

            block = run_block(plan, ReplicationTask(task.replication, task.seed), records_mode,  # type: ignore[arg-type]
                              Path(records_dir) if records_dir else None, records_format,  # type: ignore[arg-type]
                              detail=False, partition=f"variant={task.variant_id}")
            return TaskResult(task.variant_id, task.replication, task.seed, block.kpis)
        # the KPI row is measured while the day runs; rows are kept only to be written
        sink = ReplicationSink(plan, task.replication, detail=False, seed=task.seed)
        writing = records_mode != "none" and bool(records_dir)
        records = model.simulate(plan, task.seed, task.replication, sink=sink, keep=writing)
        res = sink.result()
        if writing:
            from simulator.experiments.storage import write_replication_records

            write_replication_records(records, task.replication, Path(records_dir),
                                      records_mode, records_format,
                                      partition=f"variant={task.variant_id}")
        return TaskResult(task.variant_id, task.replication, task.seed, res.kpis)
    except Exception:  # reported with its variant and seed, never loses other results
        return TaskResult(task.variant_id, task.replication, task.seed,
                          error=traceback.format_exc(limit=20))


def run_chunk(plans: dict[str, Plan], tasks: list[Task], records_mode: str = "none",
              records_dir: str | None = None, records_format: str = "csv",
              measure: Measure | None = None) -> list[TaskResult]:
    """Run several tasks in one call (one round trip to a worker for the whole chunk)."""
    return [run_task(plans[t.variant_id], t, records_mode, records_dir, records_format,
                     measure) for t in tasks]


def chunks(plans: dict[str, Plan], tasks: list[Task],
           workers: int) -> list[tuple[dict[str, Plan], list[Task]]]:
    """Split tasks (in order) into chunks of at most 16, about four per worker, each with
    only the plans it needs, so a worker receives a plan once per chunk, not per task."""
    size = max(1, min(16, math.ceil(len(tasks) / (4 * max(1, workers)))))
    out = []
    for i in range(0, len(tasks), size):
        part = tasks[i:i + size]
        out.append(({t.variant_id: plans[t.variant_id] for t in part}, part))
    return out


# ---------------------------------------------------------------------------- executors
def execute(
    plans: dict[str, Plan],
    tasks: list[Task],
    *,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    records_mode: str = "none",
    records_dir: Path | None = None,
    records_format: str = "csv",
    measure: Measure | None = None,
) -> Iterator[TaskResult]:
    """Run tasks and yield their results as they finish (in any order).

    Parameters
    ----------
    plans : dict
        Variant id to compiled plan.
    backend : {"inprocess", "joblib", "dask"}
        ``dask`` connects to ``scheduler`` (``tcp://host:port``) or, without one, starts a
        local cluster of ``jobs`` worker processes on the loopback interface.
    measure : callable, optional
        Each task's own measurement instead of the KPI row (see :data:`Measure`).
    """
    rdir = str(records_dir) if records_dir is not None else None
    if not tasks:
        return
    if backend == "inprocess" or (backend == "joblib" and (jobs == 1 or len(tasks) == 1)):
        for t in tasks:
            yield run_task(plans[t.variant_id], t, records_mode, rdir, records_format, measure)
        return
    if backend == "joblib":
        from joblib import Parallel, delayed

        n_jobs = worker_count(jobs)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        for done in parallel(delayed(run_chunk)(p, part, records_mode, rdir, records_format,
                                                measure)
                             for p, part in chunks(plans, tasks, n_jobs)):
            yield from done
        return
    if backend == "dask":
        yield from _execute_dask(plans, tasks, jobs, scheduler, records_mode, rdir,
                                 records_format, measure)
        return
    raise ValueError(f"unknown backend (got {backend!r}; expected inprocess, joblib or dask)")


def _execute_dask(plans: dict[str, Plan], tasks: list[Task], jobs: int, scheduler: str | None,
                  records_mode: str, rdir: str | None, fmt: str,
                  measure: Measure | None = None) -> Iterator[TaskResult]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise RuntimeError("the dask backend needs the cluster extra: "
                           "pip install 'servsim[cluster]'") from exc
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=worker_count(jobs), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        futures = [client.submit(run_chunk, p, part, records_mode, rdir, fmt, measure,
                                 key=f"servsim-{part[0].key}-{part[0].seed}-{len(part)}",
                                 pure=False)
                   for p, part in chunks(plans, tasks, n_workers)]
        for fut in as_completed(futures):
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------- store
class TaskStore:
    """Finished task rows on disk under ``root/tasks``, one small JSON file per task."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "tasks"

    def path(self, task: Task) -> Path:
        return self.root / task.variant_id / f"rep={task.replication:05d}.json"

    def load(self, task: Task) -> TaskResult | None:
        """The stored result of ``task``, or None: no file, a file of another seed, or a file
        that does not parse (removed, with a warning on stderr, so the task is computed
        again)."""
        p = self.path(task)
        if not p.exists():
            return None
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if data.get("seed") != task.seed:
                return None
            kpis = {str(k): float(v) if v is not None else float("nan")
                    for k, v in data["kpis"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
            notice(f"{p}: unreadable task file (got {reason[:80]}; expected the JSON row of a "
                   "finished task); computing this task again")
            p.unlink(missing_ok=True)
            return None
        return TaskResult(task.variant_id, task.replication, task.seed, kpis)

    def save(self, result: TaskResult) -> None:
        """Write one finished task atomically: a temporary file, flushed to disk, renamed."""
        task = Task(result.variant_id, result.replication, result.seed)
        p = self.path(task)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        row = {k: (None if v != v else v) for k, v in result.kpis.items()}  # NaN -> null
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"variant": result.variant_id,
                                     "replication": result.replication, "seed": result.seed,
                                     "kpis": row}, separators=(",", ":")))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, p)


@dataclass
class RunReport:
    """What an experiment run did: rows by task, how many computed/reused, and errors."""

    results: dict[str, TaskResult]
    computed: int
    reused: int
    errors: list[TaskResult]


def run_tasks(
    plans: dict[str, Plan],
    tasks: list[Task],
    store: TaskStore | None,
    *,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    records_mode: str = "none",
    records_dir: Path | None = None,
    records_format: str = "csv",
    on_progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Run the tasks that are not in ``store`` yet; return every task's row.

    Each finished task is saved before the next result is handled, so an interruption loses
    at most the tasks that were running.
    """
    results: dict[str, TaskResult] = {}
    todo: list[Task] = []
    for t in tasks:
        stored = store.load(t) if store is not None else None
        if stored is not None:
            results[t.key] = stored
        else:
            todo.append(t)
    reused = len(results)
    errors: list[TaskResult] = []
    done = reused
    if on_progress is not None:
        on_progress(done, len(tasks))
    for res in execute(plans, todo, backend=backend, jobs=jobs, scheduler=scheduler,
                       records_mode=records_mode, records_dir=records_dir,
                       records_format=records_format):
        done += 1
        if res.error is not None:
            errors.append(res)
        else:
            if store is not None:
                store.save(res)
            results[Task(res.variant_id, res.replication, res.seed).key] = res
        if on_progress is not None:
            on_progress(done, len(tasks))
    return RunReport(results, len(todo) - len(errors), reused, errors)


def shard_of(tasks: Iterable[Task], shard: tuple[int, int]) -> list[Task]:
    """The deterministic slice ``I/N`` (1-based) of a task list: every N-th task from I."""
    i, n = shard
    if not (n >= 1 and 1 <= i <= n):
        raise ValueError(f"shard must be I/N with 1 <= I <= N (got {i}/{n})")
    return [t for k, t in enumerate(tasks) if k % n == i - 1]
