"""KPI names for people: labels, which KPIs are shares, and interval cells from summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.measures.stats import t_interval
from simulator.report.markup import esc, with_interval

#: Headline KPIs of a run, in the order shown, with their labels.
HEADLINE: dict[str, str] = {
    "arrived": "Customers arrived",
    "served": "Customers served",
    "balk_rate": "Turned away on arrival (balked)",
    "abandon_rate": "Left a line before service (abandoned)",
    "wait_mean_min": "Mean total wait of served customers (min)",
    "wait_p90_min": "90th percentile of that wait (min)",
    "time_in_system_mean_min": "Mean time inside, served customers (min)",
    "throughput_per_hour": "Customers served per hour",
    "overtime_min": "Staff overtime (person-min)",
    "staff_cost": "Staff cost",
    "closing_overrun_min": "Service after closing (min)",
    "sat__csat_mean": "Predicted CSAT of served customers (1–5)",
    "sat__complaint_rate": "Predicted complaint rate",
}

SATISFACTION: dict[str, str] = {
    "sat__csat_mean": "Mean predicted CSAT (1–5), served customers",
    "sat__csat_mean__all": "Mean predicted CSAT (1–5), all arrivals",
    "sat__top2_share": "Satisfied (4 or 5), served customers",
    "sat__top2_share__all": "Satisfied (4 or 5), all arrivals",
    "sat__csat_index": "CSAT index (0–100)",
    "sat__complaint_rate": "Would complain",
    "sat__return_rate": "Would return / recommend",
}

STATION_COLUMNS: dict[str, str] = {
    "wait_mean_min": "Mean wait (min)",
    "wait_p90_min": "90th pct wait (min)",
    "queue_len_tw": "Mean queue",
    "utilisation_tw": "Utilisation",
}


_SHARE_ENDINGS = ("_rate", "_share", "__compliance", "__met", "utilisation_tw")


def is_share(kpi: str) -> bool:
    """KPIs shown as percentages: rates, shares, compliance, utilisation (also their
    ``__all`` and ``__class__<name>`` forms)."""
    base = kpi.split("__class__")[0].removesuffix("__all")
    return base.endswith(_SHARE_ENDINGS)


def label(kpi: str) -> str:
    """A readable label, falling back to the key itself."""
    if kpi.startswith("std__") and kpi.endswith("__compliance"):
        return "Compliance: " + kpi[len("std__"):-len("__compliance")].replace("_", " ")
    return HEADLINE.get(kpi) or SATISFACTION.get(kpi) or kpi


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
    """``mean [low, high]`` (escaped) of one value per replication."""
    ti = t_interval(np.asarray(values, dtype=float), confidence)
    if ti.n == 0 or math.isnan(ti.mean):
        return "–"
    return esc(with_interval(ti.mean, ti.ci_low, ti.ci_high, percent=is_share(kpi)))
