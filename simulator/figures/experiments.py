"""Figures of comparisons and sweeps (Matplotlib, Agg); they never run a model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

_META = {"Software": None}


def differences_figure(table: pd.DataFrame, kpis: Sequence[str]) -> Figure:
    """Paired differences (variant − baseline) with their intervals, one panel per KPI."""
    present = [k for k in kpis if k in set(table["kpi"])]
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 1.2 + 1.1 * len(present)),
                             squeeze=False, constrained_layout=True)
    for ax, k in zip(axes[:, 0], present, strict=True):
        part = table[table["kpi"] == k].reset_index(drop=True)
        y = np.arange(len(part))
        err = np.vstack([part["diff_mean"] - part["diff_ci_low"],
                         part["diff_ci_high"] - part["diff_mean"]])
        for i, sig in enumerate(part["significant"]):
            colour = "tab:red" if sig else "tab:gray"
            ax.errorbar(part["diff_mean"][i], y[i], xerr=err[:, i:i + 1], fmt="o",
                        color=colour, ecolor=colour, capsize=4)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(part["variant"], fontsize=8)
        ax.set_title(k, fontsize=9, loc="left")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Change against the baseline (paired differences, common random numbers;\n"
                 "red: interval excludes 0)", fontsize=10)
    return fig


def sweep_figures(folder: Path, tidy: pd.DataFrame, params: Sequence[str],
                  kpis: Sequence[str]) -> list[str]:
    """For each KPI and varied parameter: mean with its interval band against the parameter,
    one line per combination of the other parameters (at most 8 drawn)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in kpis:
        part = tidy[tidy["kpi"] == k]
        if part.empty:
            continue
        fig, axes = plt.subplots(1, len(params), figsize=(4.2 * len(params), 3.4),
                                 squeeze=False, constrained_layout=True)
        for ax, p in zip(axes[0], params, strict=True):
            others = [q for q in params if q != p]
            groups = part.groupby(others, sort=True) if others else [((), part)]
            for i, (key, g) in enumerate(groups):
                if i >= 8:
                    break
                g = g.sort_values(p)
                x = g[p].to_numpy()
                if not np.issubdtype(np.asarray(x).dtype, np.number):
                    x = np.arange(len(g))
                label = ", ".join(f"{q}={v}" for q, v in zip(others, np.atleast_1d(key),
                                                               strict=False)) or None
                ax.plot(x, g["mean"], marker="o", ms=3, label=label)
                ax.fill_between(x, g["ci_low"], g["ci_high"], alpha=0.2)
            ax.set_xlabel(p, fontsize=7)
            ax.set_ylabel(k)
            ax.grid(alpha=0.3)
            if others and len(part[others].drop_duplicates()) <= 8:
                ax.legend(fontsize=6)
        fig.suptitle(f"{k}: mean and 95 % interval across replications", fontsize=10)
        name = f"sweep_{k}.png"
        fig.savefig(folder / name, dpi=100, metadata=_META)
        plt.close(fig)
        names.append(f"figures/{name}")
    return names
