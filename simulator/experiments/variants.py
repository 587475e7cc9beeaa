"""What ``compare`` and ``sweep`` share: variants, the experiment folder, resumable runs.

An experiment folder holds ``spec.json`` (what is being computed), ``tasks/`` (one file per
finished replication, see :mod:`simulator.experiments.tasks`), the result tables, ``figures/``
and, written last, ``manifest.json``. A folder without a manifest is unfinished: running the
same command again continues it. Tables are written through a temporary name, flushed to disk
and renamed. While an experiment runs it holds the folder's lock (:func:`holds_folder`), so a
second run into the same folder stops with a clear message; temporary files a killed run left
are removed when the folder is prepared again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from simulator.engine.rng import STREAM_SCHEME
from simulator.experiments.artifacts import Artifacts
from simulator.experiments.oserrors import WRITE_ERRNOS
from simulator.experiments.storage import (
    OutputFolderError,
    canonical_hash,
    describe_os_error,
    folder_lock,
    fsync_file,
    platform_info,
    remove_stale,
    remove_temp_files,
    resolved_yaml,
    software_versions,
    write_csv,
)
from simulator.experiments.tasks import (
    Backend,
    RunReport,
    Task,
    TaskResult,
    TaskStore,
    Variant,
    run_tasks,
)
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.overrides import Override, values_id, with_overrides
from simulator.scenario.plan import compile_plan


class ExperimentError(Exception):
    """An experiment cannot run as asked (its message says why and what to do)."""


F = TypeVar("F", bound=Callable[..., Any])


def holds_folder(arg: str = "out") -> Callable[[F], F]:
    """Decorate an experiment function so it holds the lock of the folder passed as ``arg``
    (no lock when it is None) while it runs, and reports a folder it cannot write as
    :class:`~simulator.experiments.storage.OutputFolderError` (finished tasks are kept).

    Examples
    --------
    >>> @holds_folder("out")
    ... def study(out): return out
    >>> study(None) is None
    True
    """

    def wrap(fn: F) -> F:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            out = sig.bind(*args, **kwargs).arguments.get(arg)
            if out is None:
                return fn(*args, **kwargs)
            out = Path(out)
            with folder_lock(out):
                remove_stale(out.parent, own=out.name)
                try:
                    return fn(*args, **kwargs)
                except OSError as exc:
                    if isinstance(exc, FileExistsError) or exc.errno not in WRITE_ERRNOS:
                        raise
                    raise OutputFolderError(describe_os_error(
                        exc, out, "the tasks finished so far are kept: run the same command "
                        "again to resume")) from None

        return run  # type: ignore[return-value]

    return wrap


def make_variant(loaded: LoadedScenario, overrides: Sequence[Override], label: str,
                 values: dict[str, Any] | None = None, vid: str | None = None) -> Variant:
    """Validate ``loaded`` with ``overrides`` and compile it into a :class:`Variant`."""
    changed = with_overrides(loaded, overrides)
    vals = values if values is not None else {ov.key: ov.value for ov in overrides}
    sha = canonical_hash(changed.scenario)
    return Variant(vid or values_id(vals), label, vals,
                   compile_plan(changed.scenario, changed.base_dir), sha)


def variant_from_file(loaded: LoadedScenario, label: str | None = None) -> Variant:
    """A variant given as a whole scenario file; its id comes from the resolved scenario."""
    sha = canonical_hash(loaded.scenario)
    name = label or (loaded.path.stem if loaded.path else "scenario")
    return Variant(f"f-{sha[:10]}", name, {"file": str(loaded.path)},
                   compile_plan(loaded.scenario, loaded.base_dir), sha)


def spec_hash(spec: dict[str, Any]) -> str:
    """SHA-256 of an experiment spec (what determines the results, not how they are run)."""
    core = {k: v for k, v in spec.items() if k != "scenario"}  # a path may differ by machine
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


def prepare_folder(out: Path, spec: dict[str, Any], force: bool) -> None:
    """Create or reuse an experiment folder for ``spec`` (call it under :func:`holds_folder`:
    it removes temporary files that only a killed run can have left).

    Raises
    ------
    ExperimentError
        If the folder holds a different experiment (unless ``force``, which empties it).
    """
    out = Path(out)
    spec_file = out / "spec.json"
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"cannot write results to {out}: it is a file (got a file; "
                                "expected a folder name for the results, -o)")
    if out.exists() and any(out.iterdir()):
        same = spec_file.exists() and json.loads(spec_file.read_text()).get("hash") == \
            spec_hash(spec)
        if not same:
            if not force:
                raise ExperimentError(
                    f"{out} holds other results (got a different or no spec.json; expected "
                    "the same experiment to resume, or --force to replace it)")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    if not spec_file.exists():
        write_text_atomic(spec_file, json.dumps({"hash": spec_hash(spec), "spec": spec},
                                                indent=2, sort_keys=True, default=str) + "\n")
    manifest = out / "manifest.json"
    if manifest.exists():  # results are rewritten: the folder is unfinished until then
        manifest.unlink()
    remove_temp_files(out)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temporary name, flushed to disk before the rename."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    fsync_file(tmp)
    os.replace(tmp, path)


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV deterministically through a temporary name, flushed to disk first."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    write_csv(frame, tmp)
    fsync_file(tmp)
    os.replace(tmp, path)


@dataclass
class ExperimentRun:
    """The rows of an experiment, by variant, in replication order."""

    variants: list[Variant]
    rows: dict[str, list[TaskResult]]
    report: RunReport
    wall_time_s: float


def tasks_for(variants: Sequence[Variant], replications: int, seed: int) -> list[Task]:
    """Every task of an experiment in canonical order (variant order, then replication)."""
    return [Task(v.id, r, seed) for v in variants for r in range(replications)]


def run_experiment(
    variants: Sequence[Variant],
    replications: int,
    seed: int,
    out: Path | None,
    *,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    tasks: list[Task] | None = None,
    records_mode: str = "none",
    records_format: str = "csv",
    on_progress: Callable[[int, int], None] | None = None,
) -> ExperimentRun:
    """Run (or resume) every replication of every variant; rows come back in order."""
    t0 = time.perf_counter()
    plans = {v.id: v.plan for v in variants}
    if len(plans) != len(variants):
        raise ExperimentError("two variants resolve to the same values (got duplicate ids; "
                              "expected each variant once)")
    todo = tasks if tasks is not None else tasks_for(variants, replications, seed)
    store = TaskStore(out) if out is not None else None
    report = run_tasks(plans, todo, store, backend=backend, jobs=jobs, scheduler=scheduler,
                       records_mode=records_mode,
                       records_dir=(out / "records") if out is not None else None,
                       records_format=records_format, on_progress=on_progress)
    rows: dict[str, list[TaskResult]] = {v.id: [] for v in variants}
    for t in todo:
        res = report.results.get(t.key)
        if res is not None:
            rows[t.variant_id].append(res)
    for v in rows.values():
        v.sort(key=lambda r: r.replication)
    return ExperimentRun(list(variants), rows, report, time.perf_counter() - t0)


def load_rows(out: Path, variants: Sequence[Variant], replications: int,
              seed: int) -> dict[str, list[TaskResult]]:
    """Read every task row of a finished (or merged) experiment from its store."""
    store = TaskStore(out)
    rows: dict[str, list[TaskResult]] = {}
    missing = []
    for v in variants:
        rows[v.id] = []
        for r in range(replications):
            res = store.load(Task(v.id, r, seed))
            if res is None:
                missing.append(f"{v.id}/rep={r:05d}")
            else:
                rows[v.id].append(res)
    if missing:
        raise ExperimentError(f"{len(missing)} task(s) have no result yet (got none for "
                              f"{', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}; "
                              "expected every shard merged)")
    return rows


def kpi_keys(rows: dict[str, list[TaskResult]]) -> list[str]:
    """KPI names in order of first appearance."""
    keys: dict[str, None] = {}
    for results in rows.values():
        for r in results:
            for k in r.kpis:
                keys.setdefault(k, None)
    return list(keys)


def manifest(kind: str, spec: dict[str, Any], run: ExperimentRun | None, backend: str,
             jobs: int, files: list[str]) -> dict[str, Any]:
    """The manifest of an experiment folder."""
    return {
        "servsim_manifest": 1,
        "kind": kind,
        "spec": spec,
        "spec_hash": spec_hash(spec),
        "random_numbers": {"generator": "PCG64", "streams": STREAM_SCHEME,
                           "common_random_numbers": "every variant uses the same seed and "
                           "replication indices, so they share arrival, patience, pathway and "
                           "service-time streams"},
        "execution": {"backend": backend, "jobs": jobs,
                      "computed_tasks": run.report.computed if run else None,
                      "reused_tasks": run.report.reused if run else None,
                      "note": "results do not depend on the backend, jobs or order"},
        "satisfaction": _satisfaction_label(run),
        "outputs": sorted(files),
        "software": software_versions(),
        "platform": platform_info(),
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(run.wall_time_s, 3) if run else None,
    }


def _satisfaction_label(run: ExperimentRun | None) -> dict[str, Any] | None:
    """What each variant's satisfaction KPIs rest on (calibrated or uncalibrated defaults)."""
    if run is None:
        return None
    from simulator.satisfaction.compiled import describe

    return {v.id: describe(v.plan) for v in run.variants}


def write_manifest(out: Path, data: dict[str, Any]) -> None:
    """Write ``manifest.json`` last: its presence marks a finished folder."""
    write_text_atomic(out / "manifest.json", json.dumps(data, indent=2, default=str) + "\n")


def write_resolved_scenario(out: Path, scenario: Any, replications: int, seed: int) -> str:
    """Write the baseline scenario as run (defaults filled in, ``-n`` and ``--seed`` applied)
    to ``out/scenario.resolved.yaml``; return the file name."""
    run = scenario.run.model_copy(update={"replications": replications, "seed": seed})
    write_text_atomic(out / "scenario.resolved.yaml",
                      resolved_yaml(scenario.model_copy(update={"run": run})))
    return "scenario.resolved.yaml"


def finish_folder(out: Path, data: dict[str, Any], artifacts: Artifacts | None) -> None:
    """Write ``report.html`` (if ``artifacts`` asks for it) and then the manifest that marks
    ``out`` finished."""
    if artifacts is not None and artifacts.report:
        artifacts.write_report(out, data)
    write_manifest(out, data)


class Progress:
    """Progress on stderr: tasks done, rate and time left (one line, redrawn on a TTY)."""

    def __init__(self, label: str, stream: Any = None, min_interval_s: float = 0.5) -> None:
        import sys

        self.label = label
        self.stream = stream or sys.stderr
        self.t0 = time.perf_counter()
        self.first: int | None = None
        self.last = 0.0
        self.min_interval_s = min_interval_s
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = done
        if done < total and now - self.last < self.min_interval_s:
            return
        self.last = now
        computed = done - self.first
        rate = computed / (now - self.t0) if now > self.t0 and computed else 0.0
        left = (total - done) / rate if rate > 0 else float("nan")
        eta = f"{left:,.0f} s left" if left == left else "estimating"
        line = (f"{self.label}: {done}/{total} tasks ({self.first} reused), "
                f"{rate:,.1f} tasks/s, {eta}")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif done >= total or computed == 0 or done % max(1, total // 10) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()
