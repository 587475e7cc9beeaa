"""Figures and the HTML report of a results folder, handed to the experiments layer.

:class:`FiguresAndReport` implements :class:`simulator.experiments.artifacts.Artifacts`: the
experiments functions (run, compare, sweep, merge) call it while they write a folder, so the
figures of :mod:`simulator.figures` and the report of :mod:`simulator.report` are part of the
folder before it is marked complete, while the experiments layer imports neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from simulator.experiments.runner import ReplicationResult
    from simulator.scenario.plan import Plan

__all__ = ["FiguresAndReport"]

_PNG_META = {"Software": None}


@dataclass(frozen=True)
class FiguresAndReport:
    """Draw the standard figures (``figures``) and write ``report.html`` (``report``).

    Examples
    --------
    >>> FiguresAndReport(figures=True, report=False).report
    False
    """

    figures: bool = True
    report: bool = False

    def run_figures(self, folder: Path, plan: Plan, results: Sequence[ReplicationResult],
                    summary: pd.DataFrame, by_hour: pd.DataFrame, wait_edges_min: np.ndarray,
                    sat_label: str) -> list[str]:
        """A run's figures (:func:`simulator.figures.run.write_run_figures`)."""
        from simulator.figures.run import write_run_figures

        return write_run_figures(folder, plan, results, summary, by_hour, wait_edges_min,
                                 sat_label=sat_label)

    def differences_figure(self, folder: Path, table: pd.DataFrame,
                           kpis: Sequence[str]) -> list[str]:
        """``figures/differences.png`` of a comparison
        (:func:`simulator.figures.experiments.differences_figure`)."""
        from simulator.figures.experiments import differences_figure

        folder.mkdir(exist_ok=True)
        differences_figure(table, kpis).savefig(folder / "differences.png", dpi=110,
                                                metadata=_PNG_META)
        return [f"{folder.name}/differences.png"]

    def sweep_figures(self, folder: Path, tidy: pd.DataFrame, params: Sequence[str],
                      kpis: Sequence[str], design: str = "grid") -> list[str]:
        """A sweep's figures (:func:`simulator.figures.experiments.sweep_figures`)."""
        from simulator.figures.experiments import sweep_figures

        return sweep_figures(folder, tidy, params, kpis, design)

    def write_report(self, results_dir: Path, manifest: dict[str, Any]) -> None:
        """``report.html`` (:func:`simulator.report.document.write_report`), with its own
        by-hour figures when ``figures`` is true."""
        from simulator.report.document import write_report

        write_report(results_dir, figures=self.figures, manifest=manifest)

    def staffing_figures(self, folder: Path, staffing: pd.DataFrame,
                         frontier: pd.DataFrame | None) -> list[str]:
        """A staffing study's figures (:func:`simulator.figures.staffing.staffing_figures`)."""
        from simulator.figures.staffing import staffing_figures

        return staffing_figures(folder, staffing, frontier)

    def staffing_report(self, results_dir: Path, manifest: dict[str, Any],
                        staffing: pd.DataFrame, shifts: pd.DataFrame,
                        comparison: pd.DataFrame, frontier: pd.DataFrame | None) -> None:
        """``report.html`` of a staffing folder
        (:func:`simulator.report.sections_staffing.write_staffing_report`)."""
        from simulator.report.sections_staffing import write_staffing_report

        write_staffing_report(results_dir, manifest, staffing, shifts, comparison, frontier)
