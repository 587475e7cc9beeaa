"""Overtaking counts per station (satisfaction.md §2.2, §2.14).

``overtaken`` of a customer = the number of customers who joined the station's queue later
but started service earlier -- the unfairness that lengthens perceived waits (Larson 1987).
Computed post hoc from (join, start) pairs as a 2-D dominance count in O(n log n): a
merge-sort tree over join order, built level by level with NumPy (each level merges the
sorted runs of the level below, which timsort does in linear time), queried with
``searchsorted``. Equivalent to the sort + Fenwick-tree formulation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["overtaken_counts"]


def _searchsorted_sorted_queries(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``searchsorted(a, v, "left")`` with the queries sorted first (cache-friendly)."""
    o = np.argsort(v, kind="stable")
    out = np.empty(v.shape[0], dtype=np.int64)
    out[o] = np.searchsorted(a, v[o], "left")
    return out


def overtaken_counts(
    arrival_order_times: ArrayLike,
    start_times: ArrayLike,
    leave_times: ArrayLike | None = None,
) -> np.ndarray:
    """Count, for every customer of one station, the later joiners who started earlier.

    Customer i is overtaken by j when ``join_j > join_i`` and ``start_j < leave_i``, where
    ``leave_i`` is the time i left the queue (service start, or abandonment). Ties in join
    time do not overtake; a start at the same instant as i's leaving does not count.

    Parameters
    ----------
    arrival_order_times : array_like, shape (n,)
        Time each customer joined the station's queue.
    start_times : array_like, shape (n,)
        Service start; NaN (or inf) for customers who never started (they overtake nobody).
    leave_times : array_like, shape (n,), optional
        Time each customer left the queue; defaults to ``start_times``. NaN means the
        customer never left (still waiting at the end): every later joiner who started
        counts.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Overtaking counts in the input order.

    Examples
    --------
    >>> overtaken_counts([0.0, 1.0, 2.0], [5.0, 3.0, 4.0]).tolist()
    [2, 0, 0]
    """
    join = np.asarray(arrival_order_times, dtype=float)
    start = np.asarray(start_times, dtype=float)
    leave = start if leave_times is None else np.asarray(leave_times, dtype=float)
    n = join.shape[0]
    if start.shape != (n,) or leave.shape != (n,):
        raise ValueError(
            f"arrival_order_times, start_times, leave_times: lengths differ "
            f"(got {n}, {start.shape[0]}, {leave.shape[0]})"
        )
    if np.isnan(join).any():
        raise ValueError("arrival_order_times: must not contain NaN")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.where(np.isnan(start), np.inf, start)
    leave = np.where(np.isnan(leave), np.inf, leave)

    # Common rank space: start_j < leave_i  <=>  r_start[j] < r_leave[i].
    # Never-started customers get a rank above every leave rank, so they never count.
    values = np.unique(np.concatenate((start[np.isfinite(start)], leave)))
    big = values.shape[0] + 1
    r_start = np.where(np.isfinite(start), np.searchsorted(values, start, "left"), big)
    r_leave = np.searchsorted(values, leave, "left")
    m = big + 1

    order = np.argsort(join, kind="stable")
    rs = r_start[order].astype(np.int64)
    # prefix end e_i = number of customers with join <= join_i (ties excluded from "later").
    prefix_end = np.searchsorted(join[order], join, "right")
    ql = r_leave.astype(np.int64)

    total_less = _searchsorted_sorted_queries(np.sort(rs), ql)
    prefix_less = np.zeros(n, dtype=np.int64)

    pos = np.arange(n, dtype=np.int64)
    vals = rs.copy()
    level = 0
    while (1 << level) <= n:
        # Sorted keys of this level: (block id, rank), blocks of size 2**level in join order.
        keys = (pos >> level) * m + vals
        o = np.argsort(keys, kind="stable")
        pos, vals, keys = pos[o], vals[o], keys[o]
        # prefix [0, e) = union of the full blocks (e >> l) - 1 for every set bit l of e;
        # block b starts at sorted index b << l, so only the upper end needs a search.
        take = np.flatnonzero((prefix_end >> level) & 1)
        if take.size:
            block = (prefix_end[take] >> level) - 1
            hi = _searchsorted_sorted_queries(keys, block * m + ql[take])
            prefix_less[take] += hi - (block << level)
        level += 1
    return (total_less - prefix_less).astype(np.int64)
