"""``servsim report``: one self-contained HTML file describing a results folder.

The report holds the scenario in plain words, the headline KPIs with intervals, waits and
queues by hour, staff on duty against demand, service-standard compliance, predicted
satisfaction, the comparison or sweep results and a STRESS-DES methods section. Figures are
embedded as base64 PNG, so the file opens without a network. Identical results give an
identical file.

Modules: :mod:`~simulator.report.collect` (read the folder), :mod:`~.scenario_text`,
:mod:`~.sections_run`, :mod:`~.sections_experiments`, :mod:`~.methods` (sections),
:mod:`~.figures` (embedding and drawing), :mod:`~.markup` (HTML), :mod:`~.document`
(assembly and atomic writing), :mod:`~.cli` (the command). Public names load on first use,
so the command line starts without pandas or Matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports
from simulator.report.markup import REPORT_NAME

_EXPORTS: dict[str, str] = {
    "ReportError": "simulator.report.collect",
    "ResultsData": "simulator.report.collect",
    "collect": "simulator.report.collect",
    "build_report": "simulator.report.document",
    "write_report": "simulator.report.document",
}

__all__ = ["REPORT_NAME", "ReportError", "ResultsData", "build_report", "collect",
           "write_report"]


__getattr__, __dir__ = lazy_exports('simulator.report', _EXPORTS, globals())


if TYPE_CHECKING:
    from simulator.report.collect import ReportError, ResultsData, collect
    from simulator.report.document import build_report, write_report
