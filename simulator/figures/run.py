"""Figures of a run, drawn with Matplotlib (Agg) from the results the runner collected.

Functions return :class:`matplotlib.figure.Figure` objects and never run a model. PNG files are
written without a timestamp or software tag, so identical results give identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from simulator.measures.labels import humanise

if TYPE_CHECKING:
    import pandas as pd

    from simulator.experiments.runner import ReplicationResult
    from simulator.scenario.plan import Plan

_PNG_META = {"Software": None}


def _clock_ticks(ax: plt.Axes, t0: float, t1: float) -> None:
    if t1 - t0 > 1440.0:  # a calendar's block of days: day d starts at (d - 1) * 1440
        days = range(int(t0 // 1440.0), int(t1 // 1440.0) + 1)
        ax.set_xticks([d * 1440.0 + 720.0 for d in days])
        ax.set_xticklabels([f"day {d + 1}" for d in days], fontsize=8)
        return
    first = int(np.ceil(t0 / 60.0))
    last = int(np.floor(t1 / 60.0))
    step = 1 if last - first <= 12 else 2 if last - first <= 24 else max(1, (last - first) // 12)
    hours = list(range(first, last + 1, step))
    ax.set_xticks([h * 60 for h in hours])
    ax.set_xticklabels([f"{h % 24:02d}:00" if h < 48 else f"{h}h" for h in hours], fontsize=8)


def _grid_of_axes(n: int, height: float = 2.3) -> tuple[Figure, list[plt.Axes]]:
    cols = 1 if n <= 3 else 2
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(10 if cols == 2 else 8, height * rows + 0.8),
                             squeeze=False, constrained_layout=True)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def queue_length_band(
    grid_min: np.ndarray, queue: np.ndarray, station_names: Sequence[str], title: str = ""
) -> Figure:
    """Queue length over the day per station: mean across replications with a 10-90 % band.

    Parameters
    ----------
    grid_min : ndarray, shape (T,)
        Grid times in minutes after midnight.
    queue : ndarray, shape (R, S, T)
        Customers waiting, per replication, station and grid time.
    """
    fig, axes = _grid_of_axes(len(station_names))
    for s, ax in enumerate(axes):
        q = queue[:, s, :]
        lo, hi = np.nanpercentile(q, [10, 90], axis=0)
        ax.fill_between(grid_min, lo, hi, step="post", alpha=0.25, color="tab:blue",
                        label="10-90 % of replications")
        ax.step(grid_min, np.nanmean(q, axis=0), where="post", color="tab:blue", lw=1.4,
                label="mean")
        ax.set_title(humanise(station_names[s]), fontsize=10)
        ax.set_ylabel("customers waiting")
        ax.set_ylim(bottom=0)
        _clock_ticks(ax, float(grid_min[0]), float(grid_min[-1]))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(title or "Queue length over the day", fontsize=12)
    return fig


def wait_distribution(
    edges_min: np.ndarray, counts: np.ndarray, station_names: Sequence[str]
) -> Figure:
    """Distribution of waits per station, pooled over replications (share of visits per bin).

    ``counts`` has shape (S, B) with ``B = len(edges_min)`` (the last bin is open-ended).
    """
    fig, axes = _grid_of_axes(len(station_names))
    widths = np.diff(np.append(edges_min, edges_min[-1] + 5.0))
    for s, ax in enumerate(axes):
        c = counts[s].astype(float)
        total = c.sum()
        if total > 0:
            dens = c / total / widths
            ax.bar(edges_min, dens, width=widths, align="edge", color="tab:orange",
                   edgecolor="none")
            cum = np.cumsum(c) / total
            upto = edges_min[min(len(edges_min) - 1, int(np.searchsorted(cum, 0.99)) + 1)]
            ax.set_xlim(0, max(5.0, float(upto)))
        ax.set_title(f"{humanise(station_names[s])}  ({int(total):,} visits)", fontsize=10)
        ax.set_xlabel("wait (min)")
        ax.set_ylabel("share of visits per min")
        ax.grid(alpha=0.3)
    fig.suptitle("Wait before service, all replications", fontsize=12)
    return fig


def staffing_and_utilisation(
    grid_min: np.ndarray,
    busy: np.ndarray,
    on_duty: np.ndarray,
    station_names: Sequence[str],
    hourly_utilisation: dict[str, tuple[np.ndarray, np.ndarray]],
) -> Figure:
    """Staff on duty and counters busy over the day (means across replications), with the
    time-weighted utilisation of each clock hour as bars (right axis)."""
    fig, axes = _grid_of_axes(len(station_names), height=2.5)
    for s, ax in enumerate(axes):
        name = station_names[s]
        hours, util = hourly_utilisation.get(name, (np.zeros(0), np.zeros(0)))
        ax2 = ax.twinx()
        if len(hours):
            ax2.bar(hours * 60 + 30, util, width=50, color="tab:green", alpha=0.25,
                    label="utilisation (hour)")
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("utilisation", fontsize=8)
        ax.step(grid_min, np.nanmean(on_duty[:, s, :], axis=0), where="post", color="black",
                lw=1.3, label="staff on duty")
        ax.step(grid_min, np.nanmean(busy[:, s, :], axis=0), where="post", color="tab:red",
                lw=1.1, label="busy")
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("staff / counters", fontsize=8)
        ax.set_title(humanise(name), fontsize=10)
        _clock_ticks(ax, float(grid_min[0]), float(grid_min[-1]))
        ax.grid(alpha=0.3)
    h1, l1 = axes[0].get_legend_handles_labels()
    # "outside": constrained layout makes room below the axes, so the legend never covers
    # the clock labels of the bottom row
    fig.legend([*h1, plt.Rectangle((0, 0), 1, 1, color="tab:green", alpha=0.25)],
               [*l1, "utilisation by hour"], loc="outside lower center", ncol=3, fontsize=8,
               frameon=False)
    fig.suptitle("Staff on duty, counters busy and utilisation (means over replications)",
                 fontsize=12)
    return fig


def _stack(results: Sequence[ReplicationResult], attr: str) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-replication grids on a common time axis (padding the shorter days)."""
    grids = [r.grid_min for r in results]
    longest = max(grids, key=len)
    arrays = []
    for r in results:
        a = getattr(r, attr)
        pad = len(longest) - a.shape[1]
        if pad > 0:  # a shorter day: nothing happens after its end
            a = np.concatenate([a, np.full((a.shape[0], pad), np.nan)], axis=1)
        arrays.append(a)
    return longest, np.stack(arrays)


def hourly_utilisation_from(by_hour: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean over replications of each station's time-weighted utilisation per clock hour."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if by_hour.empty or "utilisation_tw" not in by_hour:
        return out
    rows = by_hour[by_hour["station"] != "all"]
    if "day" in rows:  # a calendar's block: hours of the block, day d from (d - 1) * 24
        rows = rows.assign(hour=rows["hour"] + 24 * (rows["day"] - 1))
    for name, part in rows.groupby("station", sort=False):
        mean = part.groupby("hour")["utilisation_tw"].mean()
        out[str(name)] = (mean.index.to_numpy(dtype=float), mean.to_numpy(dtype=float))
    return out


def write_run_figures(
    folder: Path,
    plan: Plan,
    results: Sequence[ReplicationResult],
    summary: pd.DataFrame,
    by_hour: pd.DataFrame,
    edges_min: np.ndarray,
    sat_label: str = "uncalibrated defaults",
) -> list[str]:
    """Draw the standard figures of a run into ``folder``; return the file names.

    With satisfaction KPIs in the summary, also the two satisfaction figures of
    :mod:`simulator.figures.satisfaction`, titled with ``sat_label``.
    """
    from simulator.figures.days import write_day_figure
    from simulator.figures.satisfaction import write_satisfaction_figures

    folder.mkdir(parents=True, exist_ok=True)
    names = plan.station_names
    grid, queue = _stack(results, "queue_grid")
    _, busy = _stack(results, "busy_grid")
    _, duty = _stack(results, "on_duty_grid")
    hist = np.sum([r.wait_hist for r in results], axis=0)
    figures = {
        "queue_length.png": queue_length_band(grid, queue, names,
                                              f"Queue length over the day: {plan.scenario.name}"),
        "wait_distribution.png": wait_distribution(edges_min, hist, names),
        "staffing_utilisation.png": staffing_and_utilisation(
            grid, busy, duty, names, hourly_utilisation_from(by_hour)),
    }
    for fname, fig in figures.items():
        fig.savefig(folder / fname, dpi=110, metadata=_PNG_META)
        plt.close(fig)
    sat = write_satisfaction_figures(folder, summary, by_hour, sat_label, plan.scenario.name)
    days = write_day_figure(folder, [{"replication": r.replication, **row} for r in results
                                     for row in r.by_day], f"Day by day: {plan.scenario.name}")
    return sorted([*figures, *sat, *days])
