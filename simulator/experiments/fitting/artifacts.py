"""Figures and ``fit_report.html`` of a fit folder, as the experiments layer sees them.

The fitting code may not import the figures and report layers, so :func:`.fit.write_fit`
takes a :class:`FitArtifacts` object (implemented by
:class:`simulator.report.fit_report.FitFiguresAndReport`) and calls it while the folder is
still being written, before ``manifest.json`` marks it complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from simulator.experiments.fitting.backtest import BackTest

__all__ = ["FitArtifacts"]


class FitArtifacts(Protocol):
    """What the layers above add to a fit folder (``result`` is the
    :class:`~simulator.experiments.fitting.fit.FitResult`, typed ``Any`` here so that this
    module and :mod:`.fit` do not import each other)."""

    figures: bool
    report: bool

    def fit_figures(self, folder: Path, result: Any, backtest: BackTest | None
                    ) -> list[str]:
        """Draw the fit's figures into ``folder``; return their file names."""

    def write_fit_report(self, folder: Path, result: Any, backtest: BackTest | None,
                         manifest: dict[str, Any]) -> None:
        """Write ``fit_report.html`` into the (unfinished) fit folder."""
