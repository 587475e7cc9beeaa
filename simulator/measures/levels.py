"""Level grids and wait histograms of one replication, for figures across replications.

:func:`level_grid` samples each station's step functions (queue length, busy counters, staff
on duty) on a fixed time grid; :func:`wait_histogram` counts waits in fixed bins. Both have
the same shape in every replication, so they can be stacked and summed.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from simulator.engine.records import Records
from simulator.measures.record_views import station_levels, visit_customer_arrival

__all__ = [
    "LevelGrid",
    "level_grid",
    "wait_histogram",
]

_NAN = math.nan


class LevelGrid(NamedTuple):
    """Level series sampled on a fixed time grid; arrays are ``[station, time]``."""

    times_min: np.ndarray
    queue_len: np.ndarray
    busy: np.ndarray
    on_duty: np.ndarray


def level_grid(
    records: Records, step_min: float = 5.0, t_end_min: float | None = None
) -> LevelGrid:
    """Sample every station's level step functions at fixed grid times.

    Grid times are ``open_min + j * step_min`` for ``j = 0, 1, ...`` up to and including
    ``t_end_min`` (default ``records.end_min``). The value at a grid time t is the value in
    force at t: the last row with ``time_min <= t`` (so of several rows at t, the last),
    or 0 before the station's first row. Grid times after ``records.end_min`` were not
    simulated and are NaN; pass a common ``t_end_min`` to give replications of different
    lengths the same grid, then pool with ``numpy.nanpercentile``.

    Parameters
    ----------
    records : Records
        One replication's tables.
    step_min : float, default 5.0
        Grid spacing in minutes (> 0).
    t_end_min : float, optional
        Last grid time bound (minutes after midnight).

    Returns
    -------
    LevelGrid
        ``times_min`` of shape (T,), and ``queue_len``, ``busy``, ``on_duty`` of shape
        (n_stations, T), float.

    Examples
    --------
    >>> g = level_grid(records, step_min=15)  # doctest: +SKIP
    >>> np.nanpercentile(np.stack(qs), [5, 95], axis=0)  # bands  # doctest: +SKIP
    """
    if not step_min > 0:
        raise ValueError(f"step_min must be > 0 (got {step_min})")
    stop = float(records.end_min if t_end_min is None else t_end_min)
    n = max(0, math.floor((stop - records.open_min) / step_min + 1e-9) + 1)
    times = records.open_min + step_min * np.arange(n, dtype=np.float64)
    n_st = len(records.station_names)
    out = [np.zeros((n_st, n)) for _ in range(3)]
    after_end = times > records.end_min
    for s in range(n_st):
        t, *series = station_levels(records, s)
        k = np.searchsorted(t, times, side="right") - 1
        kc = np.maximum(k, 0)
        for grid, val in zip(out, series, strict=True):
            sampled = np.where(k >= 0, val[kc], 0.0) if t.size else np.zeros(n)
            grid[s] = np.where(after_end, _NAN, sampled)
    return LevelGrid(times, out[0], out[1], out[2])


def wait_histogram(records: Records, edges: Any) -> np.ndarray:
    """Per-station counts of visit waits in fixed bins, to pool distributions across runs.

    Waits are ``start_min − join_min`` of window visits that started service (the same sample
    as ``{s}__wait_*_min`` in :func:`replication_kpis`). Bin i is ``[edges[i], edges[i+1])``;
    the last bin ``[edges[-1], ∞)`` is open-ended, so there are ``len(edges)`` bins and every
    wait is counted. Summing the arrays of many replications gives the pooled histogram.

    Parameters
    ----------
    records : Records
        One replication's tables.
    edges : array_like of float
        Strictly increasing bin edges in minutes, ``edges[0] <= 0``.

    Returns
    -------
    numpy.ndarray of int64, shape (n_stations, len(edges))

    Raises
    ------
    ValueError
        If ``edges`` is empty, not strictly increasing, starts above 0, or a wait is below
        ``edges[0]``.

    Examples
    --------
    >>> wait_histogram(records, [0, 5, 10, 20, 40])  # doctest: +SKIP
    """
    e = np.asarray(edges, dtype=np.float64).ravel()
    if e.size == 0 or np.any(np.diff(e) <= 0) or not e[0] <= 0:
        raise ValueError(
            f"edges must be strictly increasing, non-empty and start at <= 0 (got {e.tolist()})"
        )
    v = records.visits
    in_window = visit_customer_arrival(records) >= records.stats_start_min
    started = np.isfinite(v["start_min"]) & in_window
    out = np.zeros((len(records.station_names), e.size), dtype=np.int64)
    for s in range(len(records.station_names)):
        m = started & (v["station_idx"] == s)
        w = v["start_min"][m] - v["join_min"][m]
        idx = np.searchsorted(e, w, side="right") - 1
        if np.any(idx < 0):
            raise ValueError(
                f"station {records.station_names[s]!r} has a wait {float(np.min(w))} below "
                f"edges[0] = {e[0]}"
            )
        out[s] = np.bincount(idx, minlength=e.size)
    return out
