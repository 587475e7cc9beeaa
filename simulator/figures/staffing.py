"""Figures of a staffing study (Matplotlib, Agg): functions of its tables, never a model run.

Per staffed group: demand (arrivals per hour) and offered load; the requirement by simulation
against the stationary (Erlang C / A) answer, with the counters as the cap and the people the
shift plan puts at counters as a step curve; and each target's value per interval in the
verification with its 95 % interval, beside the stationary answer's value. With a frontier,
cost against the whole-day service level.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["attainment_figure", "frontier_figure", "requirement_figure", "staffing_figures"]

_META = {"Software": None}


def _clock_axis(ax, part: pd.DataFrame) -> np.ndarray:
    x = np.arange(len(part) + 1)
    ticks = [*part["start"], part["end"].iloc[-1]]
    step = max(1, len(ticks) // 9)
    ax.set_xticks(x[::step])
    ax.set_xticklabels(ticks[::step], fontsize=8)
    ax.set_xlim(0, len(part))
    return x


def _steps(ax, x: np.ndarray, y: np.ndarray, **kw) -> None:
    ax.stairs(np.asarray(y, dtype=float), x, baseline=None, **kw)


def requirement_figure(part: pd.DataFrame, group: str) -> Figure:
    """Demand and offered load (top); requirement by simulation, stationary answer, counters
    and people planned at counters (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.2), sharex=True,
                                      constrained_layout=True)
    x = _clock_axis(bottom, part)
    _steps(top, x, part["arrivals_per_hour"], color="tab:blue", label="arrivals per hour")
    top.set_ylabel("arrivals per hour")
    twin = top.twinx()
    _steps(twin, x, part["offered_load"], color="tab:orange", ls="--",
           label="offered load (busy counters with ample staff)")
    twin.set_ylabel("offered load (Erlangs)")
    handles = top.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    top.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper right")
    top.set_title(f"{group} at {part['station'].iloc[0]}: demand by interval of arrival",
                  fontsize=10, loc="left")
    _steps(bottom, x, part["requirement"], color="tab:green", lw=2.2,
           label="requirement by simulation (people at counters)")
    _steps(bottom, x, part["stationary_requirement"], color="tab:red", ls="--",
           label="stationary answer (Erlang C / A per interval)")
    _steps(bottom, x, part["planned_at_counters"], color="black", lw=1,
           label="shift plan: people at counters (fewest in the interval)")
    bottom.axhline(float(part["counters"].iloc[0]), color="gray", ls=":", label="counters")
    bad = np.flatnonzero(part["infeasible"].to_numpy(dtype=bool))
    for i in bad:
        bottom.axvspan(i, i + 1, color="tab:red", alpha=0.12)
    bottom.set_ylabel("people")
    bottom.set_ylim(bottom=0)
    bottom.legend(fontsize=8, loc="lower center")
    bottom.grid(alpha=0.3)
    bottom.set_title("people needed per interval (shaded: not attainable with every counter "
                     "staffed)", fontsize=10, loc="left")
    return fig


def attainment_figure(part: pd.DataFrame, group: str) -> Figure:
    """Each target per interval: the shift plan's value with its 95 % interval, the
    stationary answer's value, and the target line."""
    keys = [c[: -len("__target")] for c in part.columns if c.endswith("__target")]
    fig, axes = plt.subplots(len(keys), 1, figsize=(9, 1.2 + 2.6 * len(keys)), squeeze=False,
                             constrained_layout=True)
    for ax, key in zip(axes[:, 0], keys, strict=True):
        mid = np.arange(len(part)) + 0.5
        mean = part[f"{key}__mean"].to_numpy(dtype=float)
        err = np.vstack([mean - part[f"{key}__ci_low"].to_numpy(dtype=float),
                         part[f"{key}__ci_high"].to_numpy(dtype=float) - mean])
        ax.errorbar(mid, mean, yerr=np.nan_to_num(err), fmt="o", color="tab:green",
                    capsize=3, label="shift plan, verified (95 % interval)")
        ax.plot(mid, part[f"{key}__stationary_value"], "x", color="tab:red",
                label="stationary answer, simulated")
        ax.axhline(float(part[f"{key}__target"].iloc[0]), color="black", ls="--",
                   label="target")
        _clock_axis(ax, part)
        ax.grid(alpha=0.3)
        ax.set_title(f"{group}: {_label(key)} per interval of arrival", fontsize=10, loc="left")
        ax.legend(fontsize=8, loc="lower left")
    return fig


def _label(key: str) -> str:
    return {"abandon": "share abandoning", "mean_wait": "mean wait (min)",
            "delay": "probability of waiting", "csat": "predicted satisfaction (1-5)"}.get(
        key, "share within the standard's wait")


def frontier_figure(frontier: pd.DataFrame) -> Figure:
    """Against the per-interval target level: the plan's cost and people (top); the whole-day
    service level reached in simulation with its 95 % interval, and the predicted
    satisfaction (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True,
                                      constrained_layout=True)
    level = 100 * frontier["level"].to_numpy(dtype=float)
    top.plot(level, frontier["cost"], "o-", color="tab:blue", drawstyle="steps-mid")
    for x, cost, people in zip(level, frontier["cost"], frontier["people"], strict=True):
        top.annotate(f"{int(people)}", (x, cost), textcoords="offset points", xytext=(0, 6),
                     ha="center", fontsize=8)
    top.set_ylabel("cost of the shift plan")
    top.set_title("Cost-service frontier: cost (labels: people rostered) per target level",
                  fontsize=10, loc="left")
    top.grid(alpha=0.3)
    sl = 100 * frontier["service_level"].to_numpy(dtype=float)
    err = 100 * np.vstack([frontier["service_level"] - frontier["service_level_ci_low"],
                           frontier["service_level_ci_high"] - frontier["service_level"]])
    bottom.errorbar(level, sl, yerr=np.nan_to_num(err.astype(float)), fmt="o", capsize=3,
                    color="tab:green", label="whole-day share within the standard (95 % interval)")
    bottom.plot(level, level, ls=":", color="gray", label="target level")
    bottom.set_ylabel("share within the standard (%)")
    bottom.set_xlabel("target: share within the standard in every interval (%)")
    twin = bottom.twinx()
    twin.plot(level, frontier["csat_mean"], "s--", color="tab:purple",
              label="predicted satisfaction (1-5)")
    twin.set_ylabel("predicted satisfaction (1-5)")
    handles = bottom.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    bottom.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="lower right")
    bottom.grid(alpha=0.3)
    return fig


def staffing_figures(folder: Path, staffing: pd.DataFrame,
                     frontier: pd.DataFrame | None) -> list[str]:
    """Write every staffing figure into ``folder``; return names relative to its parent."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for group, part in staffing.groupby("group", sort=False):
        part = part.reset_index(drop=True)
        for stem, draw in (("requirement", requirement_figure),
                           ("attainment", attainment_figure)):
            fig = draw(part, str(group))
            name = f"staffing_{stem}_{group}.png"
            fig.savefig(folder / name, dpi=110, metadata=_META)
            plt.close(fig)
            names.append(f"{folder.name}/{name}")
    if frontier is not None and not frontier.empty:
        fig = frontier_figure(frontier)
        fig.savefig(folder / "frontier.png", dpi=110, metadata=_META)
        plt.close(fig)
        names.append(f"{folder.name}/frontier.png")
    return names
