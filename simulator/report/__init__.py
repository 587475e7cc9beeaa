"""``servsim report``: one self-contained HTML file describing a results folder.

The report holds the scenario in plain words, the headline KPIs with intervals, waits and
queues by hour, staff on duty against demand, service-standard compliance, predicted
satisfaction, the comparison or sweep results and a STRESS-DES methods section. Figures are
embedded as base64 PNG, so the file opens without a network. Identical results give an
identical file.

Modules: :mod:`~simulator.report.collect` (read the folder), :mod:`~.scenario_text`,
:mod:`~.sections_run`, :mod:`~.sections_experiments`, :mod:`~.methods` (sections),
:mod:`~.figures` (embedding and drawing), :mod:`~.markup` (HTML), :mod:`~.document`
(assembly and atomic writing), :mod:`~.cli` (the command).
"""

from __future__ import annotations

from simulator.report.collect import ReportError, ResultsData, collect
from simulator.report.document import REPORT_NAME, build_report, write_report

__all__ = ["REPORT_NAME", "ReportError", "ResultsData", "build_report", "collect",
           "write_report"]
