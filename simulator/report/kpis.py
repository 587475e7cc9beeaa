"""KPIs in the report: which ones each table shows, and interval cells from summaries.

Labels, units, ranges and directions of good are those of
:mod:`simulator.measures.labels` (one table for every reader); this module only chooses the
KPIs of the report's tables and formats their cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simulator.measures.labels import is_share, kpi_info
from simulator.measures.stats import range_interval
from simulator.report.markup import esc, with_interval

__all__ = ["HEADLINE", "SATISFACTION", "has", "interval_cell", "is_share", "label",
           "summary_cell"]

#: Headline KPIs of a run, in the order shown.
HEADLINE: tuple[str, ...] = (
    "arrived", "served", "balk_rate", "abandon_rate", "waited_share", "wait_mean_min",
    "wait_p90_min", "time_in_system_mean_min", "throughput_per_hour", "overtime_min",
    "staff_cost", "closing_overrun_min", "sat__csat_mean", "sat__complaint_rate",
    "promise_broken_share", "bo__complaints_within_standard_share",
    "bo__complaint_answer_mean_h", "bo__backlog_at_close_mean", "bo__utilisation",
)

#: Predicted satisfaction KPIs of a run, in the order shown.
SATISFACTION: tuple[str, ...] = (
    "sat__csat_mean", "sat__csat_mean__all", "sat__top2_share", "sat__top2_share__all",
    "sat__csat_index", "sat__complaint_rate", "sat__return_rate",
)


def label(kpi: str, currency: str | None = None,
          standard_names: Mapping[str, str] | None = None) -> str:
    """The KPI's label with its unit (:func:`simulator.measures.labels.kpi_info`)."""
    return kpi_info(kpi, standard_names).titled(currency)


def summary_cell(summary: pd.DataFrame, kpi: str) -> str:
    """``mean [low, high]`` of a KPI from a run's summary (escaped), ``–`` when absent."""
    table = summary.set_index("kpi")
    if kpi not in table.index:
        return "–"
    row = table.loc[kpi]
    return esc(with_interval(float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                             percent=is_share(kpi)))


def has(summary: pd.DataFrame, kpi: str) -> bool:
    """The KPI is in the summary with at least one value."""
    rows = summary[summary["kpi"] == kpi]
    return not rows.empty and int(rows["n"].iloc[0]) > 0


def interval_cell(values: Sequence[float] | np.ndarray, kpi: str,
                  confidence: float = 0.95) -> str:
    """``mean [low, high]`` (escaped) of one value per replication, the interval kept inside
    the KPI's range (:func:`simulator.measures.stats.range_interval`)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return "–"
    info = kpi_info(kpi)
    ri = range_interval(x, info.low, info.high, confidence)
    mean = float(np.mean(x))
    if math.isnan(mean):
        return "–"
    return esc(with_interval(mean, ri.ci_low, ri.ci_high, percent=is_share(kpi)))
