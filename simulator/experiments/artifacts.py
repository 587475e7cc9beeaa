"""Figures and the HTML report as the experiments layer sees them: a protocol, not an import.

A results folder of ``run``, ``compare``, ``sweep`` or ``staff`` holds tables and records
(written here, in the experiments layer) and, when asked, figures and ``report.html`` (drawn
by the figures and report layers above). So that imports point down, the experiments
functions take an :class:`Artifacts` object and call it while the folder is still being
written: before a run's folder is renamed into place, and before ``manifest.json`` marks an
experiment folder finished. An interrupted run therefore never leaves a folder that looks
complete.

:class:`simulator.report.artifacts.FiguresAndReport` is the implementation every command and
:mod:`simulator.api` pass in; ``None`` writes tables only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from simulator.experiments.runner import ReplicationResult
    from simulator.scenario.plan import Plan

__all__ = ["Artifacts"]


class Artifacts(Protocol):
    """What the layers above experiments add to a results folder.

    Attributes
    ----------
    figures : bool
        Draw the figures (``figures/*.png``); the report draws its own by-hour figures only
        when this is true.
    report : bool
        Write ``report.html``.
    """

    figures: bool
    report: bool

    def run_figures(self, folder: Path, plan: Plan, results: Sequence[ReplicationResult],
                    summary: pd.DataFrame, by_hour: pd.DataFrame, wait_edges_min: np.ndarray,
                    sat_label: str) -> list[str]:
        """Draw a run's figures into ``folder``; return their file names."""

    def differences_figure(self, folder: Path, table: pd.DataFrame,
                           kpis: Sequence[str]) -> list[str]:
        """Draw a comparison's paired differences into ``folder``; return the file names,
        relative to the results folder."""

    def sweep_figures(self, folder: Path, tidy: pd.DataFrame, params: Sequence[str],
                      kpis: Sequence[str], design: str = "grid") -> list[str]:
        """Draw a sweep's figures into ``folder``; return the file names, relative to the
        results folder."""

    def write_report(self, results_dir: Path, manifest: dict[str, Any]) -> None:
        """Write ``report.html`` of the (not yet finished) results folder ``results_dir``."""

    def staffing_figures(self, folder: Path, staffing: pd.DataFrame,
                         frontier: pd.DataFrame | None) -> list[str]:
        """Draw a staffing study's figures into ``folder``; return the file names, relative
        to the results folder."""

    def staffing_report(self, results_dir: Path, manifest: dict[str, Any],
                        staffing: pd.DataFrame, shifts: pd.DataFrame,
                        comparison: pd.DataFrame, frontier: pd.DataFrame | None) -> None:
        """Write ``report.html`` of a staffing study's (not yet finished) folder."""
