"""Read what a report needs from a results folder of ``run``, ``compare`` or ``sweep``.

The kind of folder comes from its ``manifest.json``: a run's manifest has no ``kind`` (it is
the original format), experiments say ``"compare"`` or ``"sweep"``. A folder without a manifest
is unfinished (an interrupted experiment or a sweep shard) and gets no report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from simulator.scenario.loader import ScenarioError, load_scenario
from simulator.scenario.schema import Scenario

Kind = Literal["run", "compare", "sweep"]


class ReportError(Exception):
    """The folder cannot be reported on (its message says why and what to do)."""


@dataclass(frozen=True)
class ResultsData:
    """Everything the report shows, read from one results folder.

    Tables a kind of folder does not have are None. ``figures`` maps the folder's figure
    files (``figures/x.png``) to their bytes, in file-name order.
    """

    kind: Kind
    manifest: dict[str, Any]
    scenario: Scenario | None
    scenario_problem: str | None = None
    summary: pd.DataFrame | None = None
    by_hour: pd.DataFrame | None = None
    replications: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    sweep: pd.DataFrame | None = None
    variants: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    by_day: pd.DataFrame | None = None  # a calendar's days (docs/week.md)
    figures: dict[str, bytes] = field(default_factory=dict)


def _csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def read_manifest(folder: Path) -> dict[str, Any]:
    """The folder's manifest.

    Raises
    ------
    ReportError
        If the folder or its manifest is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such results folder (got a path that is not a "
                          "folder; expected the output folder of servsim run, compare or "
                          "sweep)")
    path = folder / "manifest.json"
    if not path.exists():
        raise ReportError(f"{folder}: no manifest.json (got an unfinished folder or a sweep "
                          "shard; expected a finished results folder: run the same command "
                          "again, or merge the shards)")
    return json.loads(path.read_text(encoding="utf-8"))


def kind_of(manifest: dict[str, Any]) -> Kind:
    """``run``, ``compare`` or ``sweep``.

    Raises
    ------
    ReportError
        For any other kind.
    """
    kind = manifest.get("kind", "run")
    if kind not in ("run", "compare", "sweep"):
        raise ReportError(f"manifest.json: kind: unknown kind of results (got {kind!r}; "
                          "expected run, compare or sweep)")
    return kind  # type: ignore[return-value]


def _scenario(folder: Path) -> tuple[Scenario | None, str | None]:
    path = folder / "scenario.resolved.yaml"
    if not path.exists():
        return None, "the folder holds no scenario.resolved.yaml"
    try:
        return load_scenario(path).scenario, None
    except ScenarioError as exc:  # named without the folder: the report must not depend on it
        return None, ("scenario.resolved.yaml does not validate: "
                      + str(exc).replace(str(path), "scenario.resolved.yaml"))


def collect(folder: Path, manifest: dict[str, Any] | None = None) -> ResultsData:
    """Read a finished results folder.

    Parameters
    ----------
    folder : Path
        Output folder of ``servsim run``, ``compare`` or ``sweep``.
    manifest : dict, optional
        The manifest, when the caller holds it in memory and has not written it yet (the
        commands write the report just before the manifest that marks a folder finished).

    Raises
    ------
    ReportError
        If the folder is not a finished results folder.
    """
    folder = Path(folder)
    if manifest is None:
        manifest = read_manifest(folder)
    else:  # exactly what reading the written file back would give
        manifest = json.loads(json.dumps(manifest, default=str))
    kind = kind_of(manifest)
    scenario, problem = _scenario(folder)
    figure_dir = folder / "figures"
    figures = {f"figures/{p.name}": p.read_bytes()
               for p in sorted(figure_dir.glob("*.png"))} if figure_dir.is_dir() else {}
    common = dict(kind=kind, manifest=manifest, scenario=scenario, scenario_problem=problem,
                  replications=_csv(folder / "replications.csv"), figures=figures)
    if kind == "run":
        summary = _csv(folder / "summary.csv")
        if summary is None:
            raise ReportError(f"{folder}: no summary.csv (got a run folder without its "
                              "summary; expected the files servsim run writes)")
        return ResultsData(summary=summary, by_hour=_csv(folder / "by_hour.csv"),
                           by_day=_csv(folder / "by_day.csv"),
                           **common)  # type: ignore[arg-type]
    if kind == "compare":
        return ResultsData(comparison=_csv(folder / "comparison.csv"),
                           **common)  # type: ignore[arg-type]
    return ResultsData(sweep=_csv(folder / "sweep.csv"), variants=_csv(folder / "variants.csv"),
                       sensitivity=_csv(folder / "sensitivity.csv"),
                       **common)  # type: ignore[arg-type]
