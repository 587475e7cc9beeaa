"""Figures of ``servsim fit``: arrivals with intervals, service-time fits and Q-Q plots,
Kaplan-Meier patience, staff seen serving, and the back-test bands.

Each function returns a Matplotlib figure (Agg); :func:`write_fit_figures` saves them into a
fit folder as PNG without a timestamp, so the same fit gives the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from simulator.experiments.fitting.backtest import BackTest
    from simulator.experiments.fitting.fit import FitResult
    from simulator.experiments.fitting.patience import PatienceFit
    from simulator.experiments.fitting.service import ServiceFit

__all__ = ["MEASURE_LABELS", "arrivals_figure", "backtest_figure", "patience_figure",
           "service_figure", "staff_figure", "write_fit_figures"]

_META = {"Software": None}

#: Human labels of the back-test measures (with units).
MEASURE_LABELS = {"arrivals": "customers joining per interval",
                  "wait_mean_min": "mean wait (min)",
                  "over_standard_share": "share waiting over the standard",
                  "abandon_rate": "share abandoning", "utilisation": "utilisation"}


def _ticks(ax: plt.Axes, starts: np.ndarray, labels: list[str]) -> None:
    step = max(1, int(np.ceil(len(starts) / 8)))
    ax.set_xticks(starts[::step])
    ax.set_xticklabels(labels[::step], fontsize=8)


def arrivals_figure(table: pd.DataFrame, day_type: str = "all") -> Figure:
    """Arrival rate per interval with its 95 % interval across days."""
    rows = table[table["day_type"] == day_type]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    x = rows["start_min"].to_numpy(dtype=float)
    y = rows["rate_per_hour"].to_numpy(dtype=float)
    err = np.vstack([y - rows["ci_low"].to_numpy(dtype=float),
                     rows["ci_high"].to_numpy(dtype=float) - y])
    width = float(np.diff(x).min()) if x.size > 1 else 30.0
    ax.bar(x + width / 2, y, width=width * 0.85, color="tab:blue", alpha=0.35,
           label="mean rate over days")
    ax.errorbar(x + width / 2, y, yerr=err, fmt="none", ecolor="black", capsize=3, lw=1,
                label="95 % interval across days")
    _ticks(ax, x, rows["interval_start"].tolist())
    ax.set_ylabel("customers per hour")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"Arrivals per interval ({day_type} days)", fontsize=11)
    fig.tight_layout()
    return fig


def service_figure(fit: ServiceFit, station: str) -> Figure:
    """Histogram with the fitted densities, and the Q-Q plot of the chosen family."""
    x = np.sort(fit.values)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    hi = float(np.quantile(x, 0.995)) if x.size else 1.0
    ax1.hist(x, bins=40, range=(0, hi), density=True, color="0.8", label=f"observed (n={x.size:,})")
    grid = np.linspace(hi / 400, hi, 400)
    for i, f in enumerate(fit.fits):
        style = "-" if f.family == fit.chosen else "--"
        ax1.plot(grid, f.dist().pdf(grid), style, color=f"C{i}", lw=1.6 if style == "-" else 1,
                 label=f"{f.family} (ΔAIC {f.aic - fit.fits[0].aic:.0f})")
    ax1.set_xlabel("service time (min)")
    ax1.set_ylabel("density")
    ax1.legend(fontsize=7)
    ax1.set_title(f"{station}: service times and fitted densities", fontsize=10)
    best = fit.best
    if best is not None and x.size:
        p = (np.arange(1, x.size + 1) - 0.5) / x.size
        q = best.dist().ppf(p)
        ax2.plot(q, x, ".", ms=2, color="tab:blue")
        top = float(max(q.max(), x.max()))
        ax2.plot([0, top], [0, top], "k-", lw=0.8)
        ax2.set_xlabel(f"{best.family} quantile (min)")
        ax2.set_ylabel("observed quantile (min)")
        ax2.set_title(f"Q-Q plot, {best.family}", fontsize=10)
    else:
        ax2.text(0.5, 0.5, fit.note, ha="center", va="center", wrap=True, fontsize=8)
        ax2.set_axis_off()
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def patience_figure(p: PatienceFit) -> Figure:
    """Kaplan-Meier survival of patience with its band, and the censored MLE fits."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    if p.km_time.size:
        t = np.r_[0.0, p.km_time]
        ax.step(t, np.r_[1.0, p.km_survival], where="post", color="black", lw=1.5,
                label="Kaplan-Meier")
        ax.fill_between(t, np.r_[1.0, p.km_low], np.r_[1.0, p.km_high], step="post",
                        color="0.6", alpha=0.3, label="95 % band")
        grid = np.linspace(0, float(p.km_horizon), 300)
        for i, f in enumerate(p.fits):
            ax.plot(grid, f.dist().sf(grid), "-" if f.family == p.chosen else "--",
                    color=f"C{i}", lw=1.2, label=f"{f.family}, censored MLE (mean {f.mean:.1f})")
    ax.set_xlabel("minutes waited")
    ax.set_ylabel("share still willing to wait")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"Patience: {p.n_abandoned:,} abandonments among {p.n_tickets:,} tickets",
                 fontsize=10)
    fig.tight_layout()
    return fig


def staff_figure(result: FitResult) -> Figure:
    """People seen serving per interval (days: median and range) and the draft roster."""
    roster = result.roster
    stations = list(roster.people)
    fig, axes = plt.subplots(len(stations), 1, figsize=(9, 2.2 * len(stations) + 0.6),
                             squeeze=False)
    starts = result.arrivals.grid.starts
    labels = [f"{int(s) // 60:02d}:{int(s) % 60:02d}" for s in starts]
    edges = np.r_[starts, starts[-1] + result.arrivals.grid.interval_min]
    for ax, st in zip(axes[:, 0], stations, strict=True):
        people = roster.people[st]
        if people.size:
            ax.fill_between(starts, people.min(axis=0), people.max(axis=0), step="post",
                            color="tab:blue", alpha=0.2, label="range over days")
        ax.stairs(roster.heads[st], edges, color="black", lw=1.5, label="draft roster")
        ax.set_ylabel("people")
        ax.set_title(st, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        _ticks(ax, starts, labels)
    axes[0, 0].legend(fontsize=7, loc="upper right")
    fig.suptitle(f"People seen serving ({roster.counted}) and the draft roster", fontsize=11)
    fig.tight_layout()
    return fig


def backtest_figure(table: pd.DataFrame) -> Figure:
    """Per station (rows) and measure (columns): the simulated 95 % band, the simulated
    mean and the observed value; observed values outside the band are red."""
    stations = list(dict.fromkeys(table["station"]))
    measures = list(dict.fromkeys(table["measure"]))
    fig, axes = plt.subplots(len(stations), len(measures),
                             figsize=(3.1 * len(measures), 2.3 * len(stations) + 0.8),
                             squeeze=False)
    for r, st in enumerate(stations):
        for c, m in enumerate(measures):
            ax = axes[r, c]
            rows = table[(table["station"] == st) & (table["measure"] == m)]
            x = rows["start_min"].to_numpy(dtype=float) / 60.0
            ax.fill_between(x, rows["band_low"].to_numpy(dtype=float),
                            rows["band_high"].to_numpy(dtype=float), color="tab:blue",
                            alpha=0.25, lw=0, label="simulated 95 % band")
            ax.plot(x, rows["simulated_mean"].to_numpy(dtype=float), color="tab:blue", lw=1,
                    label="simulated mean")
            flag = rows["flag"].to_numpy(dtype=bool)
            obs = rows["observed"].to_numpy(dtype=float)
            ax.plot(x[~flag], obs[~flag], "o", ms=3, color="black", label="log")
            ax.plot(x[flag], obs[flag], "o", ms=4, color="tab:red", label="log, outside band")
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
            if r == 0:
                ax.set_title(MEASURE_LABELS.get(m, m), fontsize=9)
            if c == 0:
                ax.set_ylabel(st, fontsize=9)
            if r == len(stations) - 1:
                ax.set_xlabel("hour of joining", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("Back-test: the log against the simulated scenario", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig


def write_fit_figures(folder: Path, result: FitResult, backtest: BackTest | None
                      ) -> list[str]:
    """Save every figure of a fit into ``folder``; return the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    figs: dict[str, Figure] = {
        "arrivals.png": arrivals_figure(result.arrivals_table, result.options.day_type)}
    for station in result.roster.people:
        figs[f"service_{station}.png"] = service_figure(result.services[station], station)
    if result.patience.km_time.size:
        figs["patience.png"] = patience_figure(result.patience)
    figs["staff.png"] = staff_figure(result)
    if backtest is not None:
        figs["backtest.png"] = backtest_figure(backtest.table)
    for name, fig in figs.items():
        fig.savefig(folder / name, dpi=100, metadata=_META)
        plt.close(fig)
    return sorted(figs)
