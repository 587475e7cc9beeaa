"""Compare a baseline with changed versions using common random numbers.

Every variant runs the same replications with the same seed, so each replication of a variant
is paired with the baseline's replication of the same index (they saw the same customers).
For each KPI the paired difference ``variant − baseline`` gets a Student-t interval across
replications; with m variants each interval is at confidence ``1 − α/m`` (Bonferroni), so all
m statements hold together with probability at least ``1 − α``. A difference is significant
when its interval excludes 0.

To show what common random numbers bought, each difference is also given the interval that
independent runs of the same size would have had, from the two samples' own variances (Welch
interval, Law 2015 §10.2.2); ``--independent-check`` runs the variants again on independent
seeds and reports the interval actually obtained.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from simulator.engine.rng import stream_key
from simulator.experiments.artifacts import Artifacts
from simulator.experiments.tasks import Backend, Task, TaskResult, Variant
from simulator.experiments.variants import (
    ExperimentRun,
    finish_folder,
    holds_folder,
    kpi_keys,
    manifest,
    prepare_folder,
    run_experiment,
    write_csv_atomic,
    write_resolved_scenario,
)
from simulator.experiments.workbook import WORKBOOK_NAME, check_excel, write_workbook
from simulator.measures import stats
from simulator.measures.verdict import standard_names

HEADLINE_KPIS = ("wait_mean_min", "wait_p90_min", "abandon_rate", "balk_rate",
                 "time_in_system_mean_min", "overtime_min", "staff_cost", "sat__csat_mean",
                 "sat__top2_share", "sat__complaint_rate")


@dataclass(frozen=True)
class CompareOutput:
    """The comparison table and where it was written."""

    out_dir: Path | None
    comparison: pd.DataFrame
    run: ExperimentRun


def independent_seed(seed: int, variant_id: str) -> int:
    """A seed independent of ``seed``'s streams, for the ``--independent-check`` runs."""
    ss = np.random.SeedSequence(seed, spawn_key=(stream_key("independent:" + variant_id),))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def welch_half_width(a: np.ndarray, b: np.ndarray, confidence: float) -> float:
    """Half-width of the two-sample (Welch) interval for mean(b) − mean(a)."""
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se2 = va + vb
    if se2 == 0:
        return 0.0
    df = se2**2 / ((va**2) / (len(a) - 1) + (vb**2) / (len(b) - 1))
    return float(sps.t.ppf(0.5 + confidence / 2, df) * math.sqrt(se2))


def comparison_table(
    base: Variant,
    variants: Sequence[Variant],
    rows: dict[str, list[TaskResult]],
    confidence: float = 0.95,
    independent_rows: dict[str, list[TaskResult]] | None = None,
) -> pd.DataFrame:
    """One row per (variant, KPI): baseline and variant means, the paired difference with its
    Bonferroni-adjusted interval, significance, and the independent-sampling half-width."""
    m = max(1, len(variants))
    conf = stats.bonferroni_confidence(confidence, m)
    keys = kpi_keys(rows)
    out = []
    base_rows = rows[base.id]
    for v in variants:
        vr = rows[v.id]
        n = min(len(base_rows), len(vr))
        for k in keys:
            a = np.array([r.kpis.get(k, math.nan) for r in base_rows[:n]], dtype=float)
            b = np.array([r.kpis.get(k, math.nan) for r in vr[:n]], dtype=float)
            ok = ~(np.isnan(a) | np.isnan(b))
            pd_ = stats.paired_difference(b[ok], a[ok], conf)
            ind_hw = welch_half_width(a, b, conf)
            row = {
                "variant_id": v.id, "variant": v.label, "kpi": k, "n": int(ok.sum()),
                "baseline_mean": float(np.nanmean(a)) if np.any(~np.isnan(a)) else math.nan,
                "variant_mean": float(np.nanmean(b)) if np.any(~np.isnan(b)) else math.nan,
                "diff_mean": pd_.mean_diff, "diff_ci_low": pd_.ci_low,
                "diff_ci_high": pd_.ci_high, "diff_half_width": pd_.half_width,
                "confidence": conf, "significant": bool(pd_.significant),
                "independent_half_width_est": ind_hw,
                "crn_width_ratio": (pd_.half_width / ind_hw
                                    if ind_hw and ind_hw == ind_hw and ind_hw > 0 else math.nan),
            }
            if independent_rows is not None:
                ir = independent_rows[v.id]
                c = np.array([r.kpis.get(k, math.nan) for r in ir], dtype=float)
                row["independent_half_width_run"] = welch_half_width(a, c, conf)
            out.append(row)
    return pd.DataFrame(out)


@holds_folder("out")
def compare(
    base: Variant,
    variants: Sequence[Variant],
    replications: int,
    seed: int,
    out: Path | None,
    *,
    confidence: float = 0.95,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    independent_check: bool = False,
    force: bool = False,
    artifacts: Artifacts | None = None,
    on_progress=None,
    verdict_kpi: str = "wait_mean_min",
    xlsx: bool = False,
) -> CompareOutput:
    """Run the baseline and every variant with common random numbers and compare them.

    Writes ``comparison.csv``, ``replications.csv``, ``scenario.resolved.yaml`` (the
    baseline) and the manifest into ``out`` (resumable: finished replications are kept in
    ``out/tasks``), with ``figures/differences.png`` and ``report.html`` when ``artifacts``
    asks for them (:mod:`simulator.experiments.artifacts`). ``verdict_kpi`` is the KPI the
    verdict ranks variants by (recorded in the manifest; it does not change the results).
    ``xlsx`` also writes ``results.xlsx`` (comparison and replications sheets).
    """
    if xlsx:
        check_excel()
    all_variants = [base, *variants]
    spec = {
        "kind": "compare", "replications": replications, "seed": seed,
        "confidence": confidence, "independent_check": independent_check,
        "variants": [{"id": v.id, "label": v.label, "values": v.values,
                      "scenario_sha256": v.scenario_sha256} for v in all_variants],
    }
    if out is not None:
        prepare_folder(out, spec, force)
    tasks = [Task(v.id, r, seed) for v in all_variants for r in range(replications)]
    extra: list[Variant] = []
    if independent_check:
        for v in variants:
            iv = Variant(v.id + "~independent", v.label + " (independent seeds)", v.values,
                         v.plan, v.scenario_sha256)
            extra.append(iv)
            tasks += [Task(iv.id, r, independent_seed(seed, v.id)) for r in range(replications)]
    run = run_experiment([*all_variants, *extra], replications, seed, out, backend=backend,
                         jobs=jobs, scheduler=scheduler, tasks=tasks, on_progress=on_progress)
    if run.report.errors:
        return CompareOutput(out, pd.DataFrame(), run)
    ind_rows = {v.id: run.rows[v.id + "~independent"] for v in variants} \
        if independent_check else None
    table = comparison_table(base, variants, run.rows, confidence, ind_rows)
    if out is not None:
        files = ["spec.json", "comparison.csv", "replications.csv",
                 write_resolved_scenario(out, base.plan.scenario, replications, seed)]
        write_csv_atomic(table, out / "comparison.csv")
        reps = replications_table(all_variants, run.rows)
        write_csv_atomic(reps, out / "replications.csv")
        if xlsx:
            sc = base.plan.scenario
            write_workbook(out / WORKBOOK_NAME, {"Comparison": table, "Replications": reps},
                           sc.currency, standard_names(sc.standards))
            files.append(WORKBOOK_NAME)
        if artifacts is not None and artifacts.figures:
            files += artifacts.differences_figure(out / "figures", table, HEADLINE_KPIS)
        if artifacts is not None and artifacts.report:
            files.append("report.html")
        finish_folder(out, manifest("compare", spec, run, backend, jobs, files)
                      | {"verdict": {"kpi": verdict_kpi}}, artifacts)
    return CompareOutput(out, table, run)


def replications_table(variants: Sequence[Variant],
                       rows: dict[str, list[TaskResult]]) -> pd.DataFrame:
    """One row per (variant, replication): ids, seed, every KPI."""
    keys = kpi_keys({v.id: rows[v.id] for v in variants})
    out = []
    for v in variants:
        for r in rows[v.id]:
            out.append({"variant_id": v.id, "variant": v.label, "replication": r.replication,
                        "seed": r.seed, **{k: r.kpis.get(k, math.nan) for k in keys}})
    return pd.DataFrame(out)
