"""Run a scenario over replications and write a complete results folder.

This is the public entry point behind ``servsim run``: validate, compile, run the replications
(in-process or on joblib workers), summarise across replications, draw the figures and write
everything atomically (see :mod:`simulator.experiments.storage`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.engine.rng import STREAM_SCHEME
from simulator.experiments.artifacts import Artifacts
from simulator.experiments.precision import PrecisionReport
from simulator.experiments.runner import (
    GRID_STEP_MIN,
    WAIT_EDGES_MIN,
    RecordsMode,
    ReplicationResult,
    run_replications,
)
from simulator.experiments.storage import (
    atomic_dir,
    canonical_hash,
    merge_record_parts,
    parquet_available,
    platform_info,
    resolved_yaml,
    software_versions,
    write_csv,
)
from simulator.experiments.workbook import WORKBOOK_NAME, check_excel, write_workbook
from simulator.measures import stats
from simulator.measures.days import combine_days, standard_targets
from simulator.measures.verdict import standard_names
from simulator.satisfaction.compiled import PREFIX, describe
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.plan import Plan, compile_plan
from simulator.scenario.profile import resolve_profile


class OutputFormatError(ValueError):
    """The requested results format cannot be written here."""


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_scenario` produced."""

    out_dir: Path
    summary: pd.DataFrame
    replications: pd.DataFrame
    by_hour: pd.DataFrame
    results: list[ReplicationResult]
    wall_time_s: float
    precision: PrecisionReport | None = None


def replications_frame(results: list[ReplicationResult], seed: int) -> pd.DataFrame:
    """One row per replication: replication, seed, then every KPI."""
    rows = [{"replication": r.replication, "seed": seed, **r.kpis} for r in results]
    return pd.DataFrame(rows)


def by_hour_frame(results: list[ReplicationResult]) -> pd.DataFrame:
    """All replications' by-hour rows with a replication column first."""
    rows = [(r.replication, row) for r in results for row in r.by_hour]
    if not rows:
        return pd.DataFrame()
    keys = list(rows[0][1])
    columns: dict[str, list] = {"replication": [rep for rep, _ in rows]}
    columns.update({k: [row[k] for _, row in rows] for k in keys})  # no copy of each row
    return pd.DataFrame(columns)


def by_day_frames(plan: Plan, results: list[ReplicationResult]) -> dict[str, pd.DataFrame]:
    """A calendar's ``by_day.csv`` (per replication and open day: day, label, day type, every
    KPI of that day) and ``by_day_type.csv`` (per replication and day type: its days combined
    as a block, :func:`simulator.measures.days.combine_days`); empty without a calendar."""
    if not plan.days:
        return {}
    days = pd.DataFrame([{"replication": r.replication, **row} for r in results
                         for row in r.by_day])
    targets = standard_targets(plan.scenario.standards)
    types = []
    for r in results:
        for name in dict.fromkeys(str(row["day_type"]) for row in r.by_day):
            rows = [{k: float(v) for k, v in row.items()
                     if k not in ("day", "day_label", "day_type")}
                    for row in r.by_day if row["day_type"] == name]
            types.append({"replication": r.replication, "day_type": name,
                          "days": len(rows), **combine_days(rows, targets)})
    return {"by_day.csv": days, "by_day_type.csv": pd.DataFrame(types)}


def label_summary(summary: pd.DataFrame, sat_info: dict) -> pd.DataFrame:
    """Add a ``note`` column: the satisfaction label (``uncalibrated defaults`` or
    ``calibrated profile <name>``) on every ``sat__*`` row, empty elsewhere."""
    out = summary.copy()
    is_sat = out["kpi"].str.startswith(PREFIX)
    out["note"] = np.where(is_sat, str(sat_info.get("label", "")), "")
    return out


#: ``--format auto`` writes Parquet when ``--records full`` would make CSV files larger than
#: this (estimated), and the ``parquet`` extra is installed.
AUTO_PARQUET_MB = 200.0
#: Bytes of CSV record tables per customer with ``--records full`` (measured on the bundled
#: scenarios: 440 for the hotel, 800 for the hall, 1,400 for the restaurant).
CSV_BYTES_PER_CUSTOMER = 1000.0


def expected_customers(plan: Plan) -> float:
    """Customers arriving in one replication on average, from the arrival sources (walk-in
    rates and peaks, appointments kept, trace rows, wave sizes); over every open day of a
    calendar."""
    if plan.days:
        return sum(expected_customers(dp.plan) for dp in plan.days if dp.plan is not None)
    total = 0.0
    for src in plan.sources:
        if src.kind == "poisson":
            ends = np.append(src.breaks_min[1:], plan.close_min)
            total += float(np.sum(src.rates_per_min * np.clip(ends - src.breaks_min, 0, None)))
            total += float(np.sum(src.peak_extra_per_min * src.peak_width_min)) * math.sqrt(
                2.0 * math.pi)  # the area of a Gaussian bump
        elif src.kind == "appointments":
            total += len(src.slots_min) * (1.0 - src.no_show)
        elif src.kind == "trace":
            total += len(src.trace_min)
        elif src.kind == "waves":
            sizes = [s if isinstance(s, int) else float(s.mean) for s in src.wave_size]
            total += float(np.dot(src.wave_show, sizes)) if sizes else 0.0
    return total


def choose_records_format(plan: Plan, replications: int, records: str,
                          requested: str = "auto") -> tuple[str, str | None]:
    """The record files' format, and the reason to print when ``auto`` chose Parquet.

    ``auto`` is CSV (what planners open), unless ``records`` is ``full``, pyarrow is
    installed and the CSV files would exceed :data:`AUTO_PARQUET_MB` (estimated from the
    expected customers); then Parquet, with a sentence saying why. ``csv`` and ``parquet``
    are kept as asked.
    """
    if requested != "auto":
        return requested, None
    if records != "full" or not parquet_available():
        return "csv", None
    customers = expected_customers(plan) * replications
    size_mb = customers * CSV_BYTES_PER_CUSTOMER / 1e6
    if size_mb <= AUTO_PARQUET_MB:
        return "csv", None
    return "parquet", (
        f"records: Parquet, because --records full of about {customers:,.0f} customers would "
        f"be about {size_mb:,.0f} MB of CSV (over {AUTO_PARQUET_MB:,.0f} MB); --format csv "
        "keeps CSV")


def default_out_dir(loaded: LoadedScenario, root: Path = Path("results")) -> Path:
    """``results/<scenario stem>-<UTC yyyymmddThhmmss>``."""
    stem = loaded.path.stem if loaded.path is not None else "scenario"
    return root / f"{stem}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"


def run_scenario(
    loaded: LoadedScenario,
    out_dir: Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    records: RecordsMode = "full",
    records_format: str = "auto",
    force: bool = False,
    artifacts: Artifacts | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
    precision: float | None = None,
    precision_kpis: Sequence[str] = ("wait_mean_min",),
    max_replications: int = 1000,
    notify: Callable[[str], None] | None = None,
    xlsx: bool = False,
) -> RunOutput:
    """Simulate a scenario and write its results folder.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`simulator.scenario.loader.load_scenario`.
    out_dir : Path
        Results folder to create (must not exist or be empty unless ``force``).
    replications, seed : int, optional
        Override the scenario's ``run.replications`` and ``run.seed``.
    jobs : int
        Worker processes (joblib): 1 runs in-process, -1 uses every core. Results do not
        depend on it.
    records : {"none", "summary", "full"}
        Which record tables to write (see :mod:`simulator.experiments.storage`).
    records_format : {"auto", "csv", "parquet"}
        ``auto`` writes CSV unless the full records would be large
        (:func:`choose_records_format`).
    force : bool
        Replace an existing non-empty ``out_dir``.
    artifacts : Artifacts, optional
        Figures and ``report.html``, drawn by the layers above (see
        :mod:`simulator.experiments.artifacts`); ``None`` writes the tables and records only.
    on_result : callable, optional
        Called with each replication's result as it finishes (progress bars).
    precision : float, optional
        Instead of a fixed number, add replications (from ``replications`` or 10) until the
        relative 95 % half-width of every KPI in ``precision_kpis`` is at most this
        (:mod:`simulator.experiments.precision`), up to ``max_replications``.
    notify : callable, optional
        Called with a sentence a person should read before the run (why ``auto`` chose
        Parquet).
    xlsx : bool
        Also write ``results.xlsx`` (:mod:`simulator.experiments.workbook`; needs the
        ``excel`` extra, checked before the run).
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    if xlsx:
        check_excel()
    sc = loaded.scenario
    n_reps = replications if replications is not None else sc.run.replications
    run_seed = seed if seed is not None else sc.run.seed
    fmt = records_format
    if fmt == "parquet" and not parquet_available():
        raise OutputFormatError(
            "Parquet output needs pyarrow (got --format parquet without it; expected "
            "pip install 'servsim[parquet]' or --format csv)")
    # the scenario as run: -n and --seed replace the file's run settings
    sc = sc.model_copy(update={"run": sc.run.model_copy(
        update={"replications": n_reps, "seed": run_seed})})
    # a fitted satisfaction profile is read here and carried inline to the workers
    sc = resolve_profile(sc, loaded.base_dir)
    plan = compile_plan(sc, loaded.base_dir)
    fmt, why = choose_records_format(plan, n_reps, records, fmt)
    if why and notify is not None:
        notify(why)
    sat_info = describe(plan)
    with atomic_dir(Path(out_dir), force=force) as tmp:
        report = None
        if precision is None:
            results = run_replications(plan, n_reps, run_seed, jobs, records, tmp,  # type: ignore[arg-type]
                                       fmt, on_result)  # type: ignore[arg-type]
        else:
            from simulator.experiments.precision import replicate_to_precision

            results, report = replicate_to_precision(
                plan, run_seed, precision, precision_kpis,
                initial=replications if replications is not None else 10,
                max_replications=max_replications, jobs=jobs, records_mode=records,
                records_dir=tmp, records_format=fmt, on_result=on_result)
            n_reps = len(results)
            sc = sc.model_copy(update={"run": sc.run.model_copy(update={"replications": n_reps})})
        files = merge_record_parts(tmp, records, fmt)
        reps = replications_frame(results, run_seed)
        summary = label_summary(stats.summarise([r.kpis for r in results]), sat_info)
        hours = by_hour_frame(results)
        write_csv(reps, tmp / "replications.csv")
        write_csv(summary, tmp / "summary.csv")
        write_csv(hours, tmp / "by_hour.csv")
        day_frames = by_day_frames(plan, results)
        for name, frame in day_frames.items():
            write_csv(frame, tmp / name)
        (tmp / "scenario.resolved.yaml").write_text(resolved_yaml(sc), encoding="utf-8")
        if xlsx:
            write_workbook(tmp / WORKBOOK_NAME, {"Summary": summary, "By hour": hours,
                                                 "Replications": reps,
                                                 **({"By day": day_frames["by_day.csv"]}
                                                    if day_frames else {})},
                           sc.currency, standard_names(sc.standards))
        figs = (artifacts.run_figures(tmp / "figures", plan, results, summary, hours,
                                      WAIT_EDGES_MIN, sat_info["label"])
                if artifacts is not None and artifacts.figures else [])
        html_report = artifacts is not None and artifacts.report
        wall = time.perf_counter() - t0
        manifest = {
            "servsim_manifest": 1,
            "scenario": {
                "name": sc.name,
                "path": str(loaded.path) if loaded.path else None,
                "sha256_file": loaded.raw_sha256,
                "sha256_resolved": canonical_hash(sc),
            },
            "run": {
                "replications": n_reps,
                "replications_method": (
                    "fixed" if report is None else
                    f"confidence-interval method: relative 95% half-width <= {report.target} "
                    f"for {', '.join(report.kpis)}; reached={report.reached} after "
                    f"{report.replications} replications"),
                "precision": None if report is None else {
                    "target": report.target, "kpis": list(report.kpis),
                    "reached": report.reached, "rel_half_width": report.rel_half_width,
                    "history": [list(h) for h in report.history]},
                "seed": run_seed,
                "terminating": plan.terminating,
                "open_min": plan.open_min,
                "close_min": plan.close_min,
                "warm_up_min": sc.run.warm_up_min,
                "max_overtime_min": sc.run.max_overtime_min if plan.terminating else None,
                "initial_conditions": "empty and idle at the start of the day",
                **({"calendar": {
                    "days": len(plan.days),
                    "day_types": [dp.day_type for dp in plan.days],
                    "labels": [dp.label for dp in plan.days],
                    "note": "each open day is a service day of its day type; day d > 1 "
                            "draws from streams keyed (replication, crc32(name), d - 1)",
                }} if plan.days else {}),
                "stopping_rule": (
                    "doors close, customers inside are served, then the day ends"
                    if plan.terminating else f"fixed run length {sc.run.length_min} min"
                ) + (f"; a replication is {len(plan.days)} day(s) of the calendar, each open "
                     "day run this way" if plan.days else ""),
            },
            "estimation": {
                "summary": "each replication is one independent observation; summary.csv "
                "gives the mean across replications, sd, n and a 95% Student-t interval "
                "(n - 1 degrees of freedom) kept inside each KPI's range (clipped; Wilson at "
                "the effective sample size for shares; column ci_method); no interval is "
                "computed over customers",
                "confidence": 0.95,
                "statistics_window": (
                    "the whole day, from opening until the last customer leaves"
                    if plan.terminating else
                    f"from the end of the {sc.run.warm_up_min}-min warm-up to the end of the run"
                ),
            },
            "random_numbers": {
                "generator": "PCG64",
                "streams": STREAM_SCHEME,
                "common_random_numbers": "arrivals, classes, patience, pathway choices and "
                "service times are drawn per customer at arrival from named streams, shared "
                "by every variant run with the same seed",
            },
            "execution": {
                "engine": "SimPy process interaction",
                "backend": "in-process" if jobs == 1 else "joblib (loky)",
                "jobs": jobs,
                "note": "results do not depend on the backend or the number of jobs",
            },
            "outputs": {
                "records": records,
                "records_format": fmt if records != "none" else None,
                "files": sorted(["manifest.json", "scenario.resolved.yaml", "summary.csv",
                                 "replications.csv", "by_hour.csv", *day_frames, *files,
                                 *([WORKBOOK_NAME] if xlsx else []),
                                 *(["report.html"] if html_report else []),
                                 *[f"figures/{f}" for f in figs]]),
                "grid_step_min": GRID_STEP_MIN,
                "wait_histogram_edges_min": [float(x) for x in np.asarray(WAIT_EDGES_MIN)],
            },
            "satisfaction": sat_info,
            "software": software_versions(),
            "platform": platform_info(),
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(wall, 3),
        }
        if artifacts is not None and artifacts.report:
            artifacts.write_report(tmp, manifest)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")
    return RunOutput(Path(out_dir), summary, reps, hours, results, wall, report)
