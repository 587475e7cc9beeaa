"""Parameter sweeps: a full grid or a Latin-hypercube sample of scenario values.

``--vary PATH=VALUES`` gives the values of one scenario field:

==================  =====================================================================
``3,4,5``           a list (any YAML scalars: ``0.5,0.75``, ``"08:00","09:00"``)
``3..8``            integers 3 to 8 inclusive
``0.8:1.2:0.1``     start:stop:step, stop included (rounded to 10 decimals)
``0.8~1.2``         a continuous range (sampled designs only)
==================  =====================================================================

The grid design takes every combination; the ``lhs`` design draws ``samples`` points by Latin
hypercube sampling (McKay, Beckman & Conover 1979; scipy's ``qmc.LatinHypercube`` seeded from
the run seed), mapping each coordinate onto the parameter's values (lists and integer ranges:
equal-probability picks; continuous ranges: linearly). Each variant's id is a hash of its
resolved values, so it is stable across runs, shards and machines.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from simulator.experiments.artifacts import Artifacts
from simulator.experiments.tasks import Backend, TaskResult, Variant, shard_of
from simulator.experiments.variants import (
    ExperimentError,
    ExperimentRun,
    finish_folder,
    holds_folder,
    kpi_keys,
    load_rows,
    make_variant,
    manifest,
    prepare_folder,
    run_experiment,
    spec_hash,
    tasks_for,
    write_csv_atomic,
    write_resolved_scenario,
    write_text_atomic,
)
from simulator.experiments.workbook import WORKBOOK_NAME, check_excel, write_workbook
from simulator.measures import stats
from simulator.measures.verdict import standard_names
from simulator.scenario.loader import LoadedScenario, read_yaml, to_plain
from simulator.scenario.overrides import Override

Design = Literal["grid", "lhs"]
DEFAULT_KPIS = ("wait_mean_min", "abandon_rate")


@dataclass(frozen=True)
class Vary:
    """One varied field: its values, or a continuous range for sampled designs."""

    path: tuple[str | int, ...]
    text: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    def pick(self, u: float) -> Any:
        """Map a uniform coordinate in [0, 1) onto this parameter."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        return float(f"{self.low + u * (self.high - self.low):.6g}")


def _num(text: str) -> Any:
    value = to_plain(read_yaml(text.strip(), "--vary"))
    return value


def parse_vary(text: str) -> Vary:
    """Parse ``PATH=VALUES`` (see the module docstring for the forms of VALUES).

    Raises
    ------
    ExperimentError
        With the offending text and what was expected.
    """
    if "=" not in text:
        raise ExperimentError(f"--vary {text}: expected PATH=VALUES (got no '=')")
    path_text, spec = (s.strip() for s in text.split("=", 1))
    path = tuple(int(p) if p.isdigit() else p for p in path_text.split("."))
    try:
        if "~" in spec:
            lo, hi = (float(_num(s)) for s in spec.split("~"))
            if not hi > lo:
                raise ValueError(f"needs low < high (got {lo}~{hi})")
            return Vary(path, text, low=lo, high=hi)
        if ".." in spec and spec.count("..") == 1 and ":" not in spec:
            a, b = (_num(s) for s in spec.split(".."))
            if not (isinstance(a, int) and isinstance(b, int)) or b < a:
                raise ValueError(f"needs integers a..b with a <= b (got {spec})")
            return Vary(path, text, values=tuple(range(a, b + 1)))
        if spec.count(":") == 2 and not spec.startswith('"'):
            a, b, step = (float(_num(s)) for s in spec.split(":"))
            if not step > 0 or b < a:
                raise ValueError(f"needs start <= stop and step > 0 (got {spec})")
            n = math.floor((b - a) / step + 1e-9) + 1
            return Vary(path, text, values=tuple(round(a + i * step, 10) for i in range(n)))
        values = tuple(_num(s) for s in spec.split(","))
        if not values or any(v is None or v == "" for v in values):
            raise ValueError(f"has an empty value (got {spec!r})")
        return Vary(path, text, values=values)
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"--vary {text}: {exc}; expected a,b,c or a..b or "
                              "start:stop:step or low~high") from None


def design_points(varies: Sequence[Vary], design: Design, samples: int | None,
                  seed: int) -> list[dict[str, Any]]:
    """The variant values of a design, in a canonical order."""
    if design == "grid":
        bad = [v.text for v in varies if v.values is None]
        if bad:
            raise ExperimentError(f"--vary {bad[0]}: a continuous range needs --design lhs "
                                  "(got the grid design; expected a list or a step range)")
        return [{v.dotted: x for v, x in zip(varies, combo, strict=True)}
                for combo in itertools.product(*(v.values for v in varies))]  # type: ignore[misc]
    if not samples or samples < 1:
        raise ExperimentError("--design lhs needs --samples N (got none; expected N >= 1)")
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(varies), seed=np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(0x5EE9,)))).random(samples)
    points = [{v.dotted: v.pick(float(u[i, j])) for j, v in enumerate(varies)}
              for i in range(samples)]
    unique: list[dict[str, Any]] = []
    for p in points:  # integer ranges can repeat a point: keep the first
        if p not in unique:
            unique.append(p)
    return unique


def sweep_variants(loaded: LoadedScenario, points: list[dict[str, Any]],
                   varies: Sequence[Vary]) -> list[Variant]:
    """Validate and compile one variant per design point."""
    out = []
    for p in points:
        ovs = [Override(v.path, p[v.dotted], f"{v.dotted}={p[v.dotted]}") for v in varies]
        label = ", ".join(f"{k}={val}" for k, val in p.items())
        out.append(make_variant(loaded, ovs, label, values=p))
    return out


def sweep_spec(loaded: LoadedScenario, varies: Sequence[Vary], design: Design,
               samples: int | None, replications: int, seed: int,
               kpis: Sequence[str]) -> dict[str, Any]:
    """What determines a sweep's results (not how it is run)."""
    path = str(loaded.path.resolve()) if loaded.path else None
    return {"kind": "sweep", "scenario": path, "scenario_sha256": loaded.raw_sha256,
            "vary": [v.text for v in varies], "design": design, "samples": samples,
            "replications": replications, "seed": seed, "kpis": list(kpis)}


#: KPIs whose sensitivity to the varied values an LHS sweep reports, besides ``--kpi``.
SENSITIVITY_KPIS = ("wait_mean_min", "abandon_rate", "staff_cost")


def tables(variants: Sequence[Variant], rows: dict[str, list[TaskResult]],
           confidence: float = 0.95, design: Design = "grid",
           kpis: Sequence[str] = DEFAULT_KPIS) -> dict[str, pd.DataFrame]:
    """The sweep's result tables: variants, replications (wide), the tidy summary and, for a
    Latin hypercube, the sensitivity of the KPIs to the varied values
    (:mod:`simulator.experiments.sensitivity`).

    The tidy summary has one row per (variant, KPI) with the columns of
    :func:`simulator.measures.stats.summarise` (intervals inside each KPI's range).
    """
    params = list(variants[0].values) if variants else []
    keys = kpi_keys(rows)
    vt = pd.DataFrame([{"variant_id": v.id, **v.values} for v in variants],
                      columns=["variant_id", *params])
    columns = ["mean", "sd", "n", "ci_low", "ci_high", "half_width", "ci_method"]
    reps, tidy = [], []
    for v in variants:
        rs = rows[v.id]
        for r in rs:
            reps.append({"variant_id": v.id, **v.values, "replication": r.replication,
                         "seed": r.seed, **{k: r.kpis.get(k, math.nan) for k in keys}})
        summary = stats.summarise([r.kpis for r in rs], confidence).set_index("kpi")
        for k in keys:
            cells = (summary.loc[k, columns].to_dict() if k in summary.index else
                     {c: math.nan for c in columns} | {"n": 0, "ci_method": ""})
            tidy.append({"variant_id": v.id, **v.values, "kpi": k, **cells})
    out = {"variants.csv": vt, "replications.csv": pd.DataFrame(reps),
           "sweep.csv": pd.DataFrame(tidy).astype({"n": np.int64})}
    if design == "lhs":
        from simulator.experiments.sensitivity import sensitivity_table

        wanted = list(dict.fromkeys([*kpis, *SENSITIVITY_KPIS]))
        out["sensitivity.csv"] = sensitivity_table(out["sweep.csv"], vt, wanted, confidence)
    return out


@dataclass(frozen=True)
class SweepOutput:
    """A finished (or sharded) sweep."""

    out_dir: Path
    variants: list[Variant]
    tables: dict[str, pd.DataFrame]
    run: ExperimentRun | None


@holds_folder("out")
def run_sweep(
    loaded: LoadedScenario,
    varies: Sequence[Vary],
    out: Path,
    *,
    design: Design = "grid",
    samples: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    kpis: Sequence[str] = DEFAULT_KPIS,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    shard: tuple[int, int] | None = None,
    force: bool = False,
    records: str = "none",
    records_format: str = "csv",
    artifacts: Artifacts | None = None,
    on_progress=None,
    xlsx: bool = False,
) -> SweepOutput:
    """Run (or resume) a sweep into ``out``; with ``shard`` run only that slice of tasks.

    A sharded run leaves its finished tasks in ``out/tasks`` and a ``shard.json``; join the
    shards with :func:`merge_sweeps`. With ``records`` other than ``none``, each worker writes
    its replications' record tables to ``out/records/<table>/variant=<id>/rep=NNNNN.csv``
    (a shared file system is assumed on a cluster); the parent only ever holds KPI rows.
    ``xlsx`` also writes ``results.xlsx`` (sweep, variants, sensitivity and replications).
    """
    if xlsx:
        check_excel()
    n = replications if replications is not None else loaded.scenario.run.replications
    s = seed if seed is not None else loaded.scenario.run.seed
    if not varies:
        raise ExperimentError("a sweep needs at least one --vary PATH=VALUES (got none)")
    spec = sweep_spec(loaded, varies, design, samples, n, s, kpis)
    points = design_points(varies, design, samples, s)
    variants = sweep_variants(loaded, points, varies)
    prepare_folder(out, spec, force)
    tasks = tasks_for(variants, n, s)
    if shard is not None:
        tasks = shard_of(tasks, shard)
    run = run_experiment(variants, n, s, out, backend=backend, jobs=jobs, scheduler=scheduler,
                         tasks=tasks, records_mode=records, records_format=records_format,
                         on_progress=on_progress)
    if run.report.errors:
        return SweepOutput(out, variants, {}, run)
    if shard is not None:
        write_text_atomic(out / "shard.json",
                          f'{{"shard": "{shard[0]}/{shard[1]}", "spec_hash": '
                          f'"{spec_hash(spec)}", "tasks": {len(tasks)}}}\n')
        return SweepOutput(out, variants, {}, run)
    result, frames = finish_sweep(out, variants, run.rows, kpis, artifacts, design, xlsx)
    result.append(write_resolved_scenario(out, loaded.scenario, n, s))
    if artifacts is not None and artifacts.report:
        result.append("report.html")
    finish_folder(out, manifest("sweep", spec, run, backend, jobs, [*result, "spec.json"]),
                  artifacts)
    return SweepOutput(out, variants, frames, run)


def finish_sweep(out: Path, variants: Sequence[Variant], rows: dict[str, list[TaskResult]],
                 kpis: Sequence[str], artifacts: Artifacts | None, design: Design = "grid",
                 xlsx: bool = False) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """Write the result tables (and, when ``artifacts`` asks, the figures; with ``xlsx``
    the workbook) of a complete sweep; return the file names and the tables."""
    files = []
    frames = tables(variants, rows, design=design, kpis=kpis)
    for name, frame in frames.items():
        write_csv_atomic(frame, out / name)
        files.append(name)
    if xlsx:
        sc = variants[0].plan.scenario
        write_workbook(out / WORKBOOK_NAME, {
            "Sweep": frames["sweep.csv"], "Variants": frames["variants.csv"],
            "Sensitivity": frames.get("sensitivity.csv"),
            "Replications": frames["replications.csv"]}, sc.currency,
            standard_names(sc.standards))
        files.append(WORKBOOK_NAME)
    if artifacts is not None and artifacts.figures:
        files += artifacts.sweep_figures(out / "figures", frames["sweep.csv"],
                                         list(variants[0].values), kpis, design)
    return files, frames


@holds_folder("out")
def merge_sweeps(shard_dirs: Sequence[Path], out: Path, loaded: LoadedScenario,
                 varies: Sequence[Vary], *, design: Design = "grid",
                 samples: int | None = None, replications: int | None = None,
                 seed: int | None = None, kpis: Sequence[str] = DEFAULT_KPIS,
                 force: bool = False, artifacts: Artifacts | None = None,
                 xlsx: bool = False) -> SweepOutput:
    """Join shard folders of one sweep into ``out`` and write its tables."""
    import shutil

    n = replications if replications is not None else loaded.scenario.run.replications
    s = seed if seed is not None else loaded.scenario.run.seed
    spec = sweep_spec(loaded, varies, design, samples, n, s, kpis)
    prepare_folder(out, spec, force)
    for d in shard_dirs:
        spec_file = Path(d) / "spec.json"
        import json

        if not spec_file.exists() or json.loads(spec_file.read_text())["hash"] != \
                spec_hash(spec):
            raise ExperimentError(f"{d}: not a shard of this sweep (got a different or no "
                                  "spec.json; expected the same scenario, --vary, design, "
                                  "replications and seed)")
        src = Path(d) / "tasks"
        if src.exists() and Path(d).resolve() != Path(out).resolve():
            shutil.copytree(src, out / "tasks", dirs_exist_ok=True)
    variants = sweep_variants(loaded, design_points(varies, design, samples, s), varies)
    rows = load_rows(out, variants, n, s)
    files, frames = finish_sweep(out, variants, rows, kpis, artifacts, design, xlsx)
    files.append(write_resolved_scenario(out, loaded.scenario, n, s))
    if artifacts is not None and artifacts.report:
        files.append("report.html")
    finish_folder(out, manifest("sweep", spec, None, "merge", 0, [*files, "spec.json"])
                  | {"merged_from": [str(d) for d in shard_dirs]}, artifacts)
    return SweepOutput(out, variants, frames, None)


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> (2, 3)."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ExperimentError(f"--shard {text}: expected I/N, e.g. 1/3") from None
    if not (n >= 1 and 1 <= i <= n):
        raise ExperimentError(f"--shard {text}: needs 1 <= I <= N (got {i}/{n})")
    return i, n
