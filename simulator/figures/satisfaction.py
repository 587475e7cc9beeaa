"""Figures of predicted satisfaction: the SERVQUAL dimensions and CSAT by hour of arrival.

Drawn from the run's summary and by-hour tables (``sat__*`` columns, see
:mod:`simulator.satisfaction.replication`); functions return Matplotlib figures and never run a
model. Every title carries the model label (``uncalibrated defaults`` or ``calibrated profile
<name>``) so a figure cannot be mistaken for a measured survey.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.measures.labels import kpi_info
from simulator.measures.stats import range_interval, t_interval
from simulator.satisfaction import DIMENSIONS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "FIGURES",
    "by_hour_figure",
    "dimension_figure",
    "driver",
    "hourly_intervals",
    "write_satisfaction_figures",
]

_PNG_META = {"Software": None}

#: File names written by :func:`write_satisfaction_figures`.
FIGURES = ("satisfaction_dimensions.png", "satisfaction_by_hour.png")


def _pyplot() -> Any:
    """Matplotlib's pyplot on the Agg backend, imported when a figure is drawn (the report's
    text about satisfaction needs none)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def _rows(summary: pd.DataFrame, prefix: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = summary.set_index("kpi")
    keys = [f"{prefix}{d}" for d in DIMENSIONS]
    mean = np.array([float(table.at[k, "mean"]) if k in table.index else np.nan for k in keys])
    lo = np.array([float(table.at[k, "ci_low"]) if k in table.index else np.nan for k in keys])
    hi = np.array([float(table.at[k, "ci_high"]) if k in table.index else np.nan for k in keys])
    return mean, lo, hi


def driver(summary: pd.DataFrame) -> str | None:
    """The dimension whose shortfall costs the most CSAT: largest mean ``sat__gain__*``.

    Returns None when the summary has no satisfaction rows or no dimension costs anything.
    """
    gain, _, _ = _rows(summary, "sat__gain__")
    if np.all(np.isnan(gain)) or np.nanmax(gain) <= 0:
        return None
    return DIMENSIONS[int(np.nanargmax(gain))]


def _errors(mean: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    err = np.vstack([mean - lo, hi - mean])
    return np.where(np.isnan(err), 0.0, err)


def dimension_figure(summary: pd.DataFrame, label: str, title: str = "") -> Figure:
    """Two panels per SERVQUAL dimension, means with 95 % intervals across replications.

    Left: the mean dimension score of served customers (gap 5; 0 = as expected, < 0 worse).
    Right: the mean E[CSAT] that would be gained if the dimension met expectations -- the
    longest bar is the driver of dissatisfaction (highlighted).
    """
    plt = _pyplot()
    score, s_lo, s_hi = _rows(summary, "sat__dim__")
    gain, g_lo, g_hi = _rows(summary, "sat__gain__")
    top = driver(summary)
    y = np.arange(len(DIMENSIONS))[::-1]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True,
                                   constrained_layout=True)
    colors = ["tab:red" if d == top else "tab:blue" for d in DIMENSIONS]
    ax1.barh(y, np.nan_to_num(score), xerr=_errors(score, s_lo, s_hi), color=colors,
             alpha=0.8, capsize=3)
    ax1.axvline(0.0, color="black", lw=0.8)
    lim = max(0.1, float(np.nanmax(np.abs(np.concatenate([s_lo, s_hi, score])))) * 1.15) \
        if not np.all(np.isnan(score)) else 1.0
    ax1.set_xlim(-lim, lim)
    ax1.set_yticks(y)
    ax1.set_yticklabels(DIMENSIONS)
    ax1.set_xlabel("mean score (0 = as expected)")
    ax1.set_title("Gap 5: dimension scores, served customers", fontsize=10)
    ax1.grid(axis="x", alpha=0.3)
    ax2.barh(y, np.nan_to_num(gain), xerr=_errors(gain, g_lo, g_hi), color=colors,
             alpha=0.8, capsize=3)
    ax2.set_xlim(left=0)
    ax2.set_xlabel("E[CSAT] gained if the dimension met expectations")
    ax2.set_title("What drives dissatisfaction" + (f": {top}" if top else ""), fontsize=10)
    ax2.grid(axis="x", alpha=0.3)
    fig.suptitle((title or "Predicted satisfaction by SERVQUAL dimension")
                 + f"\n({label}; bars: mean, whiskers: 95 % interval across replications)",
                 fontsize=11)
    return fig


def hourly_intervals(by_hour: pd.DataFrame, column: str) -> tuple[np.ndarray, ...]:
    """Per hour of arrival: (hours, mean, ci_low, ci_high) of ``column`` across replications,
    from the ``station == "all"`` rows of the by-hour table; the interval stays inside the
    column's range (:func:`simulator.measures.stats.range_interval`)."""
    if by_hour.empty or column not in by_hour:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    rows = by_hour[by_hour["station"] == "all"]
    info = kpi_info(column)
    hours, mean, lo, hi = [], [], [], []
    for h, part in rows.groupby("hour", sort=True):
        values = part[column].to_numpy(dtype=float)
        ti = t_interval(values)
        if ti.n == 0:
            continue
        ri = range_interval(values, info.low, info.high)
        hours.append(float(h))
        mean.append(ti.mean)
        lo.append(ri.ci_low if ti.n > 1 else ti.mean)
        hi.append(ri.ci_high if ti.n > 1 else ti.mean)
    return np.array(hours), np.array(mean), np.array(lo), np.array(hi)


def by_hour_figure(by_hour: pd.DataFrame, label: str, title: str = "") -> Figure:
    """Mean E[CSAT] of served customers by hour of arrival (95 % band across replications),
    with the complaint rate (all arrivals) on the right axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.8), constrained_layout=True)
    hours, mean, lo, hi = hourly_intervals(by_hour, "sat__csat_mean")
    x = hours * 60 + 30
    if hours.size:
        ax.fill_between(x, lo, hi, color="tab:blue", alpha=0.2, label="95 % interval")
        ax.plot(x, mean, "o-", color="tab:blue", lw=1.4, ms=4, label="E[CSAT], served")
    ax.set_ylim(1, 5)
    ax.axhline(4.0, color="grey", lw=0.8, ls=":")
    ax.set_ylabel("E[CSAT] (1-5)")
    ax2 = ax.twinx()
    h2, m2, l2, u2 = hourly_intervals(by_hour, "sat__complaint_rate")
    if h2.size:
        ax2.errorbar(h2 * 60 + 30, m2, yerr=_errors(m2, l2, u2), fmt="s", color="tab:red",
                     ms=3, capsize=2, lw=0.8, label="complaint rate")
        ax2.set_ylim(0, max(0.05, float(np.nanmax(u2)) * 1.3))
    ax2.set_ylabel("P(complaint)", color="tab:red", fontsize=9)
    if hours.size:
        first, last = int(hours.min()), int(hours.max()) + 1
        ticks = list(range(first, last + 1))
        ax.set_xticks([t * 60 for t in ticks])
        ax.set_xticklabels([f"{t % 24:02d}:00" for t in ticks], fontsize=8)
    ax.set_xlabel("hour of arrival")
    ax.grid(alpha=0.3)
    h_a, l_a = ax.get_legend_handles_labels()
    h_b, l_b = ax2.get_legend_handles_labels()
    ax.legend(h_a + h_b, l_a + l_b, fontsize=8, loc="lower left")
    fig.suptitle((title or "Predicted CSAT by hour of arrival") + f"\n({label})", fontsize=11)
    return fig


def write_satisfaction_figures(folder: Path, summary: pd.DataFrame, by_hour: pd.DataFrame,
                               label: str, scenario_name: str = "") -> list[str]:
    """Draw :data:`FIGURES` into ``folder`` (nothing when the run has no ``sat__`` KPIs)."""
    plt = _pyplot()
    if not summary["kpi"].str.startswith("sat__").any():
        return []
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f": {scenario_name}" if scenario_name else ""
    figures = {
        FIGURES[0]: dimension_figure(summary, label,
                                     "Predicted satisfaction by SERVQUAL dimension" + suffix),
        FIGURES[1]: by_hour_figure(by_hour, label, "Predicted CSAT by hour of arrival" + suffix),
    }
    for name, fig in figures.items():
        fig.savefig(folder / name, dpi=110, metadata=_PNG_META)
        plt.close(fig)
    return sorted(figures)
