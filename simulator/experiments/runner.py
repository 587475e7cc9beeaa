"""Run replications: a pure task function and an in-process or joblib executor.

Each task is a pure function of (plan, seed, replication): it simulates with the streaming
measures attached (conservation checks, the KPI row, predicted satisfaction and, with
``detail``, the by-hour rows and the small arrays figures need, all computed while the day
runs, :class:`ReplicationSink`), and (when asked) writes its own record files: the customer
table as the run goes with ``--records summary``, every table at the end with ``full``. With
``none`` and ``summary`` no row is kept, so memory is flat in the length of the run. The
parent collects only the small results, ordered by replication, so results never depend on
the number of workers or the order tasks finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from simulator.engine.model import records_meta, simulate
from simulator.engine.records import RecordChunk, Records, RecordSink
from simulator.experiments.back_office import DayCases, run_back_office
from simulator.measures.acc_promises import PromiseMeasures
from simulator.measures.accumulate import (
    MeasuresResult,
    ReplicationMeasures,
    cost_rates,
    measure_records,
    records_chunk,
)
from simulator.measures.conservation import InvariantError, check_conservation
from simulator.measures.days import combine_days, standard_targets
from simulator.measures.quantiles import Tally
from simulator.satisfaction.replication import add_by_hour
from simulator.satisfaction.stream import SatisfactionMeasures
from simulator.scenario.days import DayPlan
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
    by_day: list[dict[str, float | int | str]] = field(default_factory=list)  # calendar days
    # a calendar day's wait tallies ("" the customers', then per station), to pool the days
    tallies: dict[str, Tally] | None = None


class ReplicationSink:
    """The streaming measures of one replication: KPIs and satisfaction (and any other
    record sinks, such as the customer table's writer), fed the same chunks."""

    def __init__(self, plan: Plan, replication: int, detail: bool = True,
                 seed: int | None = None, extra: tuple[RecordSink, ...] = (),
                 day: int = 0, cases: DayCases | None = None) -> None:
        meta = records_meta(plan)
        self.plan, self.replication, self.detail = plan, replication, detail
        self.measures = ReplicationMeasures(
            meta, plan.scenario.standards, cost_rates(plan), by_hour=detail,
            grid_step_min=GRID_STEP_MIN if detail else None,
            wait_edges_min=WAIT_EDGES_MIN if detail else None)
        self.satisfaction = SatisfactionMeasures(
            plan, meta, seed, replication, day=day,
            on_scored=cases.on_scored if cases is not None else None)
        self.promises = PromiseMeasures(meta, plan.scenario.promises)
        self.sinks: tuple[RecordSink, ...] = (
            self.measures, self.satisfaction, self.promises, *extra,
            *((cases,) if cases is not None else ()))

    def consume(self, chunk: RecordChunk) -> None:
        """Hand a chunk to every sink."""
        for sink in self.sinks:
            sink.consume(chunk)

    def finish(self, end_min: float) -> None:
        """Close every sink."""
        for sink in self.sinks:
            sink.finish(end_min)

    def result(self) -> ReplicationResult:
        """The outputs of the finished replication."""
        measured = self.measures.result
        sat = self.satisfaction.outputs
        assert measured is not None and sat is not None, "the replication has not finished"
        return _outputs(self.replication, measured, {**self.promises.kpis(), **sat.kpis},
                        sat.by_hour, self.detail)

    def tallies(self) -> dict[str, Tally]:
        """The wait tallies of the finished day: ``""`` the served customers' total waits,
        then each station's waits (keyed by the station's KPI prefix)."""
        m = self.measures
        return {"": m.customers.waits,
                **dict(zip(m.meta.station_names, m.stations.waits, strict=True))}


def _outputs(replication: int, measured: MeasuresResult, sat_kpis: dict[str, float],
             sat_hours: dict[int, dict[str, float]], detail: bool) -> ReplicationResult:
    kpis = {**measured.kpis, **sat_kpis}
    if not detail:
        empty = np.zeros((0, 0))
        return ReplicationResult(replication, kpis, [], np.zeros(0), empty, empty, empty, empty)
    by_hour = measured.by_hour
    if sat_kpis:
        add_by_hour(by_hour, sat_hours)
    grid = measured.grid
    assert grid is not None and measured.wait_hist is not None
    return ReplicationResult(replication, kpis, by_hour, grid.times_min, grid.queue_len,
                             grid.busy, grid.on_duty, measured.wait_hist)


@contextmanager
def invariants_of(replication: int, seed: int | None = None) -> Iterator[None]:
    """Name the replication (and seed) in an :class:`InvariantError` raised inside."""
    try:
        yield
    except InvariantError as exc:
        seed_text = f", seed {seed}" if seed is not None else ""
        raise InvariantError(f"replication {replication}{seed_text}: {exc}") from None


def replication_outputs(
    plan: Plan, records: Records, replication: int, detail: bool = True,
    seed: int | None = None,
) -> ReplicationResult:
    """Compute the KPI row (and, with ``detail``, the by-hour rows and figure arrays) of one
    replication from its records: the same measures as a streaming run
    (:class:`ReplicationSink`), fed the records as one chunk.

    The row includes the predicted-satisfaction KPIs (``sat__*``,
    :func:`simulator.satisfaction.replication.replication_satisfaction`), a pure function of the
    records; with ``seed`` also the sampled survey answers, drawn from the replication's own
    ``satisfaction`` stream. With ``detail`` the hourly satisfaction values are added to the
    by-hour rows of ``station == "all"``.
    """
    with invariants_of(replication, seed):
        check_conservation(records)
    standards = plan.scenario.standards
    measured = measure_records(
        records, standards, cost_rates(plan), by_hour=detail,
        grid_step_min=GRID_STEP_MIN if detail else None,
        wait_edges_min=WAIT_EDGES_MIN if detail else None)
    sat = SatisfactionMeasures(plan, records.meta, seed, replication)
    promises = PromiseMeasures(records.meta, plan.scenario.promises)
    chunk = records_chunk(records)
    sat.consume(chunk)
    promises.consume(chunk)
    sat.finish(records.end_min)
    assert sat.outputs is not None
    return _outputs(replication, measured, {**promises.kpis(), **sat.outputs.kpis},
                    sat.outputs.by_hour, detail)


def run_replication(
    plan: Plan,
    task: ReplicationTask,
    records_mode: RecordsMode = "none",
    records_dir: Path | None = None,
    records_format: RecordsFormat = "csv",
    detail: bool = True,
    *,
    day: int | None = None,
    partition: str | None = None,
    cases: DayCases | None = None,
) -> ReplicationResult:
    """Simulate one replication and return its outputs (a pure function of its arguments).

    The measures are computed while the day runs (:class:`ReplicationSink`). When
    ``records_mode`` is not ``none``, the replication's record tables are written under
    ``records_dir`` by this call (so workers write their own records): with ``summary`` the
    customer table is written as the run goes and no row is kept; with ``full`` every row is
    kept and written at the end. ``detail=False`` computes only the KPI row (sweeps and
    comparisons). A plan with a calendar runs its days (:func:`run_block`); ``day`` (from 1)
    runs one day of a calendar, with that day's streams and a ``day`` column in its records;
    ``partition`` puts the record files under ``<table>/<partition>/`` (experiment tasks);
    ``cases`` collects the day's back-office cases.
    """
    from simulator.experiments.storage import CustomerStream, write_replication_records

    if plan.days and day is None:
        return run_block(plan, task, records_mode, records_dir, records_format, detail,
                         partition)
    writing = records_mode != "none" and records_dir is not None
    stream = (CustomerStream(records_meta(plan), task.replication, records_dir,
                             records_format, partition, day)
              if writing and records_mode == "summary" else None)
    index = 0 if day is None else day - 1
    sink = ReplicationSink(plan, task.replication, detail, task.seed,
                           extra=(stream,) if stream is not None else (), day=index,
                           cases=cases)
    with invariants_of(task.replication, task.seed):
        records = simulate(plan, task.seed, task.replication, sink=sink,
                           keep=records_mode == "full", day=index)
    result = sink.result()
    if day is not None:
        result.tallies = sink.tallies()
    if stream is not None:
        result.files = [str(stream.path)]
    elif writing and records_mode == "full":
        result.files = write_replication_records(
            records, task.replication, records_dir, records_mode, records_format,  # type: ignore[arg-type]
            partition, day)
    return result


def _pool_waits(kpis: dict[str, float], tallies: list[dict[str, Tally] | None]) -> None:
    """Replace the block's wait statistics (mean, percentiles, maximum; the customers' and
    each station's) by those of the days' tallies pooled: the block's own tally, exactly as
    a one-day run computes it."""
    if any(t is None for t in tallies):
        return
    for key in tallies[0]:  # type: ignore[union-attr]
        pooled = Tally()
        for day in tallies:
            pooled.merge(day[key])  # type: ignore[index]
        w = pooled.stats()
        prefix = f"{key}__" if key else ""
        for name, value in (("mean", w.mean), ("p50", w.p50), ("p90", w.p90), ("p95", w.p95),
                            ("max", w.max)):
            if f"{prefix}wait_{name}_min" in kpis:
                kpis[f"{prefix}wait_{name}_min"] = value


def run_block(
    plan: Plan,
    task: ReplicationTask,
    records_mode: RecordsMode = "none",
    records_dir: Path | None = None,
    records_format: RecordsFormat = "csv",
    detail: bool = True,
    partition: str | None = None,
) -> ReplicationResult:
    """Simulate one replication of a calendar's block of days (docs/week.md).

    Each open day is a service day of its day type's plan, measured like a one-day run
    (:func:`run_replication` with ``day``); the block's KPI row combines the days
    (:func:`simulator.measures.days.combine_days`), and the days' rows are kept in
    ``by_day``. A back office works the cases collected from the days
    (:mod:`simulator.experiments.back_office`) and adds its ``bo__*`` KPIs.
    """
    bo = plan.back_office
    parts, collected = [], []
    for dp in plan.days:
        if dp.plan is None:
            continue
        cases = DayCases(bo, dp.day) if bo is not None else None
        parts.append((dp, run_replication(dp.plan, task, records_mode, records_dir,
                                          records_format, detail, day=dp.day,
                                          partition=partition, cases=cases)))
        if cases is not None:
            collected.append(cases)
    result = join_days(plan, task.replication, parts, detail)
    if bo is not None:
        with invariants_of(task.replication, task.seed):
            kpis, per_day = run_back_office(bo, collected, task.seed, task.replication)
        # the operation's staff cost includes the back office's (also shown on its own),
        # paid at the regular rate: unfinished cases wait for the next shift, never overtime
        result.kpis = {**result.kpis, **kpis}
        _add_back_office_cost(result.kpis, kpis["bo__staff_cost"])
        for row in result.by_day:
            extra = per_day[int(row["day"])]
            row.update(extra)
            _add_back_office_cost(row, extra["bo__staff_cost"])
    return result


def _add_back_office_cost(row: dict, cost: float) -> None:
    """Add the back office's pay to ``staff_cost`` and its regular part (where present)."""
    for key in ("staff_cost", "staff_cost_regular"):
        if key in row:
            row[key] = float(row[key]) + cost


def join_days(plan: Plan, replication: int, parts: list[tuple[DayPlan, ReplicationResult]],
              detail: bool = True) -> ReplicationResult:
    """One block's result from its open days' results, in day order.

    One open day in a one-day horizon is that day's result (so a one-day calendar is today's
    run). Otherwise by-hour rows get a leading ``day`` column, level grids are joined on a
    block time axis (day ``d`` at ``(d - 1) * 1440 +`` its clock minutes, each day padded
    with zeros, closed and empty, to its hard stop so replications line up) and the wait
    histograms are added.
    """
    targets = standard_targets(plan.scenario.standards)
    by_day: list[dict[str, float | int | str]] = [
        {"day": dp.day, "day_label": dp.label, "day_type": dp.day_type, **res.kpis}
        for dp, res in parts]
    files = [f for _, res in parts for f in res.files]
    if len(plan.days) == 1:
        only = parts[0][1]
        only.by_day = by_day
        only.kpis = dict(only.kpis)
        only.tallies = None  # used here only: the parent needs none
        return only
    kpis = combine_days([res.kpis for _, res in parts], targets)
    _pool_waits(kpis, [res.tallies for _, res in parts])
    if not detail:
        empty = np.zeros((0, 0))
        return ReplicationResult(replication, kpis, [], np.zeros(0), empty, empty, empty,
                                 empty, files, by_day)
    by_hour = [{"day": dp.day, **row} for dp, res in parts for row in res.by_hour]
    times, queue, busy, duty = [], [], [], []
    for dp, res in parts:
        dplan = dp.plan
        assert dplan is not None
        n = int((dplan.stop_min - dplan.open_min) // GRID_STEP_MIN) + 1
        times.append((dp.day - 1) * 1440.0 + dplan.open_min + GRID_STEP_MIN * np.arange(n))
        for out, grid in ((queue, res.queue_grid), (busy, res.busy_grid),
                          (duty, res.on_duty_grid)):
            fixed = np.zeros((grid.shape[0], n))  # after its end the day is closed, empty
            fixed[:, :min(n, grid.shape[1])] = grid[:, :n]
            out.append(fixed)
    return ReplicationResult(
        replication, kpis, by_hour, np.concatenate(times), np.concatenate(queue, axis=1),
        np.concatenate(busy, axis=1), np.concatenate(duty, axis=1),
        np.sum([res.wait_hist for _, res in parts], axis=0), files, by_day)


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
