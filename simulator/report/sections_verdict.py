"""The report's opening section: the verdict (:mod:`simulator.measures.verdict`) in HTML.

A run's verdict says which service standards were met or missed with their intervals, the
worst hours and the bottleneck station; a comparison's and a sweep's name the best variant on
the chosen KPI with its cost. Lines are coloured by status (``met``/``good`` green,
``missed``/``bad`` red, ``unclear`` amber).
"""

from __future__ import annotations

from simulator.measures.verdict import (
    Verdict,
    compare_verdict,
    run_verdict,
    sweep_verdict,
)
from simulator.report.collect import ResultsData
from simulator.report.markup import esc
from simulator.scenario.calendar import replication_period

__all__ = ["verdict_html", "verdict_of"]

_MARKS = {"met": "✔", "good": "✔", "missed": "✘", "bad": "✘", "unclear": "?", "info": "·"}


def verdict_html(verdict: Verdict) -> str:
    """The verdict block: the headline in bold, then a list of lines, each with its status as
    a class and a mark (so it reads without colour and in print)."""
    head = verdict.headline
    items = "".join(f'<li class="{line.status}"><span class="mark" aria-hidden="true">'
                    f"{_MARKS[line.status]}</span> {esc(line.text)}</li>"
                    for line in verdict.lines)
    return (f'<div class="verdict keep" id="verdict-block" data-status="{head.status}">'
            f'<p class="headline {head.status}">'
            f"{esc(head.text)}</p>" + (f"<ul>{items}</ul>" if items else "") + "</div>\n")


def verdict_of(data: ResultsData) -> Verdict | None:
    """The verdict of a results folder, or None when its tables are missing."""
    sc = data.scenario
    standards = list(sc.standards) if sc is not None else []
    currency = sc.currency if sc is not None else None
    if data.kind == "run" and data.summary is not None:
        return run_verdict(data.summary, standards, data.by_hour, currency)
    spec = data.manifest.get("spec") or {}
    if data.kind == "compare" and data.comparison is not None and not data.comparison.empty:
        kpi = str((data.manifest.get("verdict") or {}).get("kpi", "wait_mean_min"))
        return compare_verdict(data.comparison, kpi, currency,
                               replication_period(sc.calendar if sc is not None else None))
    if data.kind == "sweep" and data.sweep is not None and data.variants is not None:
        kpis = spec.get("kpis") or ["wait_mean_min"]
        return sweep_verdict(data.sweep, data.variants, str(kpis[0]), standards, currency)
    return None
