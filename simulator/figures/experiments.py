"""Figures of comparisons and sweeps (Matplotlib, Agg); they never run a model.

Axis titles are the KPI labels of :mod:`simulator.measures.labels`. A comparison's
differences are green when significantly better, red when significantly worse (by the KPI's
direction of good) and grey when not significant. A sweep draws **every** variant: a grid as
lines against each varied value (one line per combination of the other values), a Latin
hypercube as a scatter of every design point with its interval against each varied value.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulator.measures.labels import LOWER, NEUTRAL, kpi_info

__all__ = ["SWEEP_COLOURS", "differences_figure", "points_drawn", "sweep_figure",
           "sweep_figures"]

_META = {"Software": None}

#: Colours of better / worse / not significant.
SWEEP_COLOURS = {"better": "tab:green", "worse": "tab:red", "ns": "tab:gray",
                 "changed": "tab:blue"}


def _judged(kpi: str, diff: float, significant: bool) -> str:
    if not significant:
        return "ns"
    good = kpi_info(kpi).good
    if good == NEUTRAL or diff == 0:
        return "changed"
    return "better" if (diff < 0) == (good == LOWER) else "worse"


def differences_figure(table: pd.DataFrame, kpis: Sequence[str]) -> Figure:
    """Paired differences (variant − baseline) with their intervals, one panel per KPI;
    green: significantly better, red: significantly worse, grey: not significant."""
    present = [k for k in kpis if k in set(table["kpi"])]
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 1.2 + 1.1 * len(present)),
                             squeeze=False, constrained_layout=True)
    for ax, k in zip(axes[:, 0], present, strict=True):
        part = table[table["kpi"] == k].reset_index(drop=True)
        info = kpi_info(k)
        scale = 100.0 if info.share else 1.0
        y = np.arange(len(part))
        mean = part["diff_mean"].to_numpy(float) * scale
        err = np.vstack([mean - part["diff_ci_low"].to_numpy(float) * scale,
                         part["diff_ci_high"].to_numpy(float) * scale - mean])
        for i, sig in enumerate(part["significant"]):
            colour = SWEEP_COLOURS[_judged(k, mean[i], bool(sig))]
            ax.errorbar(mean[i], y[i], xerr=err[:, i:i + 1], fmt="o", color=colour,
                        ecolor=colour, capsize=4)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(part["variant"], fontsize=8)
        unit = " (percentage points)" if info.share else ""
        ax.set_title(info.titled() + unit, fontsize=9, loc="left")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Change against the baseline (paired differences, common random numbers;\n"
                 "green: significantly better, red: significantly worse, grey: not "
                 "significant)", fontsize=10)
    return fig


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Numeric x positions of a varied value, and tick labels when it is not numeric."""
    x = pd.to_numeric(values, errors="coerce")
    if x.notna().all():
        return x.to_numpy(float), None
    cats = sorted({str(v) for v in values})
    return np.array([cats.index(str(v)) for v in values], dtype=float), cats


def sweep_figure(part: pd.DataFrame, params: Sequence[str], kpi: str,
                 design: str = "grid") -> Figure:
    """One KPI of a sweep against each varied value (one panel per value).

    ``part`` holds the KPI's rows of ``sweep.csv`` (one per variant: the varied values,
    mean, ci_low, ci_high). Grid: one line per combination of the other values, with its
    interval as error bars. LHS: every design point as a marker with its interval.
    """
    info = kpi_info(kpi)
    scale = 100.0 if info.share else 1.0
    fig, axes = plt.subplots(1, len(params), figsize=(4.4 * len(params), 3.6),
                             squeeze=False, constrained_layout=True)
    for ax, p in zip(axes[0], params, strict=True):
        others = [q for q in params if q != p]
        if design == "lhs" or not others:
            groups = [((), part)]
        else:
            groups = list(part.groupby(others, sort=True))
        cmap = plt.get_cmap("viridis", max(2, len(groups)))
        for i, (key, g) in enumerate(groups):
            x, cats = _positions(g[p])
            order = np.argsort(x, kind="stable")
            x = x[order]
            mean = g["mean"].to_numpy(float)[order] * scale
            lo = g["ci_low"].to_numpy(float)[order] * scale
            hi = g["ci_high"].to_numpy(float)[order] * scale
            err = np.vstack([mean - lo, hi - mean])
            err = np.where(np.isfinite(err), err, 0.0)
            if design == "lhs":
                drawn = ax.errorbar(x, mean, yerr=err, fmt="o", ms=4, color="tab:blue",
                                    ecolor="tab:blue", elinewidth=0.8, alpha=0.8, capsize=2)
            else:
                label = ", ".join(f"{q}={v}" for q, v in zip(others, np.atleast_1d(key),
                                                               strict=False)) or None
                colour = cmap(i) if len(groups) > 1 else "tab:blue"
                drawn = ax.errorbar(x, mean, yerr=err, fmt="-o", ms=3, lw=1.2,
                                    color=colour, capsize=2, label=label)
            drawn.lines[0].set_gid("design-points")
            if cats is not None:
                ax.set_xticks(range(len(cats)))
                ax.set_xticklabels(cats, fontsize=7)
        ax.set_xlabel(p, fontsize=8)
        ax.set_ylabel(info.titled() + (" (%)" if info.share else ""), fontsize=8)
        ax.grid(alpha=0.3)
        if design != "lhs" and others and 1 < len(groups) <= 10:
            ax.legend(fontsize=6, title=", ".join(others), title_fontsize=6)
    n = len(part)
    how = ("every design point with its 95 % interval" if design == "lhs" else
           "mean and 95 % interval, one line per combination of the other values")
    fig.suptitle(f"{info.titled()}\n{how} ({n} variants)", fontsize=10)
    return fig


def points_drawn(fig: Figure) -> int:
    """How many design points a :func:`sweep_figure` drew in its first panel (the markers
    of its data lines), for checks that no variant is left out."""
    return sum(len(line.get_xdata()) for line in fig.axes[0].get_lines()
               if line.get_gid() == "design-points")


def sweep_figures(folder: Path, tidy: pd.DataFrame, params: Sequence[str],
                  kpis: Sequence[str], design: str = "grid") -> list[str]:
    """Write ``sweep_<kpi>.png`` for each KPI (:func:`sweep_figure`); return the names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in kpis:
        part = tidy[tidy["kpi"] == k]
        if part.empty:
            continue
        fig = sweep_figure(part, params, k, design)
        name = f"sweep_{k}.png"
        fig.savefig(folder / name, dpi=100, metadata=_META)
        plt.close(fig)
        names.append(f"figures/{name}")
    return names
