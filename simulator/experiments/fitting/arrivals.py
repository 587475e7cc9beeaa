"""Arrival rates per interval and day type, with 95 % intervals across days.

A ticket's arrival is the issued time of its first visit (balking and abandoning customers
arrived too). For each day type (the weekday name, or a ``day_type`` column) and each
interval of the opening hours, the daily counts give the mean rate per hour and a 95 %
Student-t interval across days (n - 1 degrees of freedom; with a single day, the exact
Poisson interval of the count, Garwood 1936). Lower bounds are never below 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulator.engine.rng import make_generator
from simulator.experiments.fitting.log import TicketLog
from simulator.experiments.fitting.poisson import PoissonCheck, poisson_check
from simulator.scenario.fields import min_to_clock

__all__ = ["ALL_DAYS", "ArrivalFit", "Grid", "fit_arrivals", "make_grid"]

#: The day type that pools every day of the log.
ALL_DAYS = "all"


@dataclass(frozen=True)
class Grid:
    """Intervals of the day: ``[open + i·interval, open + (i+1)·interval)``."""

    open_min: float
    close_min: float
    interval_min: float

    @property
    def starts(self) -> np.ndarray:
        """Interval start times, minutes after midnight."""
        return np.arange(self.open_min, self.close_min - 1e-9, self.interval_min)

    def index(self, t: np.ndarray) -> np.ndarray:
        """Interval of each time (-1 outside the grid); a time up to one second after the
        close (a clock rounded to the second) counts in the last interval."""
        t = np.asarray(t, dtype=float)
        t = np.where((t >= self.close_min) & (t <= self.close_min + 1 / 60), self.close_min
                     - 1e-9, t)
        i = np.floor((t - self.open_min) / self.interval_min)
        ok = (i >= 0) & (i < self.starts.size) & np.isfinite(i)
        return np.where(ok, i, -1).astype(np.int64)


def make_grid(arrival_min: np.ndarray, interval_min: float, open_min: float | None = None,
              close_min: float | None = None) -> Grid:
    """The grid from the first to the last arrival, rounded out to whole intervals (or
    the given opening hours)."""
    lo = open_min if open_min is not None else (
        math.floor(float(np.min(arrival_min)) / interval_min) * interval_min)
    hi = close_min if close_min is not None else (
        math.ceil((float(np.max(arrival_min)) - 1 / 60) / interval_min) * interval_min)
    return Grid(float(lo), float(max(hi, lo + interval_min)), float(interval_min))


@dataclass(frozen=True)
class ArrivalFit:
    """Arrival counts and rates.

    ``table`` columns: ``day_type``, ``interval_start`` (HH:MM), ``start_min``, ``days``,
    ``mean_count``, ``sd_count``, ``rate_per_hour``, ``ci_low``, ``ci_high`` (per hour),
    ``method``. ``counts`` holds the daily counts ``[day, interval]`` of each day type.
    """

    grid: Grid
    table: pd.DataFrame
    counts: dict[str, np.ndarray]
    day_types: dict[str, str]  # day -> day type
    check: PoissonCheck
    n_tickets: int

    def rates(self, day_type: str = ALL_DAYS) -> pd.DataFrame:
        """The rows of one day type."""
        return self.table[self.table["day_type"] == day_type].reset_index(drop=True)


def _rate_rows(day_type: str, counts: np.ndarray, grid: Grid) -> list[dict[str, object]]:
    per_hour = 60.0 / grid.interval_min
    n = counts.shape[0]
    rows = []
    for i, start in enumerate(grid.starts):
        x = counts[:, i].astype(float)
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else math.nan
        if n > 1:
            half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
            lo, hi, method = max(0.0, mean - half), mean + half, f"t, {n - 1} df"
        else:
            k = x.sum()
            lo = stats.chi2.ppf(0.025, 2 * k) / 2 if k > 0 else 0.0
            hi = stats.chi2.ppf(0.975, 2 * k + 2) / 2
            method = "exact Poisson, one day"
        rows.append({"day_type": day_type, "interval_start": min_to_clock(start),
                     "start_min": float(start), "days": n, "mean_count": mean,
                     "sd_count": sd, "rate_per_hour": mean * per_hour,
                     "ci_low": float(lo) * per_hour, "ci_high": float(hi) * per_hour,
                     "method": method})
    return rows


def fit_arrivals(log: TicketLog, grid: Grid, seed: int = 0) -> ArrivalFit:
    """Count arrivals per day and interval, estimate rates and check the Poisson assumption.

    Parameters
    ----------
    log : TicketLog
    grid : Grid
        The intervals (from :func:`make_grid`).
    seed : int
        Seed of the un-rounding stream of the conditional-uniformity test.
    """
    first = log.visits[log.visits["step"] == 0]
    days = list(log.days)
    day_index = {d: k for k, d in enumerate(days)}
    dk = first["day"].map(day_index).to_numpy()
    t = first["issued_min"].to_numpy(dtype=float)
    ii = grid.index(t)
    n_int = grid.starts.size
    all_counts = np.zeros((len(days), n_int), dtype=np.int64)
    ok = ii >= 0
    np.add.at(all_counts, (dk[ok], ii[ok]), 1)
    types = first.groupby("day")["day_type"].first().reindex(days).fillna("day")
    day_types = {d: str(types[d]) for d in days}
    counts: dict[str, np.ndarray] = {ALL_DAYS: all_counts}
    kinds = list(dict.fromkeys(day_types[d] for d in days))
    per_kind: list[np.ndarray] = []
    for kind in kinds:
        sel = [day_index[d] for d in days if day_types[d] == kind]
        counts[kind] = all_counts[sel]
        per_kind.append(all_counts[sel])
    rows: list[dict[str, object]] = []
    for kind, c in counts.items():
        if kind == ALL_DAYS or len(kinds) > 1:
            rows += _rate_rows(kind, c, grid)
    rng = make_generator(seed, 0, "fit:unround")
    block = dk * n_int + ii
    starts = (np.zeros(len(days))[:, None] + grid.starts[None, :]).ravel()
    check = poisson_check(per_kind, t[ok], block[ok], starts, grid.interval_min,
                          log.time_resolution_min, rng)
    return ArrivalFit(grid, pd.DataFrame(rows), counts, day_types, check, len(first))
