"""Level grids and wait histograms of one replication, for figures across replications.

:func:`level_grid` samples each station's step functions (queue length, busy counters, staff
on duty) on a fixed time grid; :func:`wait_histogram` counts waits in fixed bins. Both have
the same shape in every replication, so they can be stacked and summed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.engine.records import Records
from simulator.measures.accumulate import LevelGrid, measure_records

__all__ = [
    "LevelGrid",
    "level_grid",
    "wait_histogram",
]



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
    return measure_records(records, grid_step_min=step_min, t_end_min=t_end_min,
                           by_hour=False).grid  # type: ignore[return-value]


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
    return measure_records(records, wait_edges_min=edges,
                           by_hour=False).wait_hist  # type: ignore[return-value]
