"""The figure of a calendar's days: a day axis for the block's days (docs/week.md)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.measures.labels import kpi_info
from simulator.measures.stats import range_interval

__all__ = ["DAY_PANELS", "by_day_figure", "write_day_figure"]

_PNG_META = {"Software": None}

#: The panels of the figure, in order (those present in the by-day table are drawn).
DAY_PANELS: tuple[str, ...] = ("arrived", "wait_mean_min", "abandon_rate", "sat__csat_mean",
                               "bo__complaints_opened", "bo__backlog_at_close")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def by_day_figure(days: pd.DataFrame, title: str = "") -> Any:
    """One panel per KPI of :data:`DAY_PANELS`: per day of the block (x: the day labels) the
    mean over replications with its 95 % interval (kept inside the KPI's range)."""
    plt = _pyplot()
    keys = [k for k in DAY_PANELS if k in days]
    order = days.groupby("day", sort=True)["day_label"].first()
    x = np.arange(len(order))
    cols = 2 if len(keys) > 1 else 1
    rows = int(np.ceil(len(keys) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.4 * rows + 0.8), squeeze=False,
                             constrained_layout=True)
    flat = list(axes.ravel())
    for ax, key in zip(flat, keys, strict=False):
        info = kpi_info(key)
        scale = 100.0 if info.share else 1.0
        mean, lo, hi = [], [], []
        for day in order.index:
            v = days.loc[days["day"] == day, key].to_numpy(dtype=float)
            v = v[~np.isnan(v)]
            if v.size == 0:
                mean.append(np.nan), lo.append(np.nan), hi.append(np.nan)
                continue
            ri = range_interval(v, info.low, info.high)
            m = float(v.mean())
            mean.append(m * scale)
            lo.append((ri.ci_low if v.size > 1 else m) * scale)
            hi.append((ri.ci_high if v.size > 1 else m) * scale)
        m_, l_, h_ = (np.array(a) for a in (mean, lo, hi))
        err = np.nan_to_num(np.vstack([m_ - l_, h_ - m_]))
        ax.bar(x, np.nan_to_num(m_), yerr=err, color="tab:blue", alpha=0.75, capsize=3)
        ax.set_xticks(x)
        ax.set_xticklabels(list(order), fontsize=8)
        name = info.titled()
        ax.set_title(name + (" (%)" if info.share and "%" not in name else ""), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    for ax in flat[len(keys):]:
        ax.set_visible(False)
    fig.suptitle((title or "Day by day") + "\n(bars: mean over replications, whiskers: 95 % "
                 "interval)", fontsize=11)
    return fig


def write_day_figure(folder: Path, by_day_rows: Sequence[dict[str, Any]],
                     title: str = "") -> list[str]:
    """Draw ``by_day.png`` from the replications' by-day rows (with a ``replication``
    column) when the block has more than one open day; return the file names written."""
    days = pd.DataFrame(list(by_day_rows))
    if days.empty or days["day"].nunique() < 2:
        return []
    plt = _pyplot()
    fig = by_day_figure(days, title)
    fig.savefig(folder / "by_day.png", dpi=110, metadata=_PNG_META)
    plt.close(fig)
    return ["by_day.png"]
