"""Vectorised helpers for row tables grouped by customer (rows contiguous, ids 0..n-1)."""

from __future__ import annotations

import numpy as np

__all__ = ["group_cumsum", "group_ends", "group_starts"]


def group_starts(customer: np.ndarray) -> np.ndarray:
    """Index of the first row of every group.

    Examples
    --------
    >>> group_starts(np.array([0, 0, 1, 2, 2])).tolist()
    [0, 2, 3]
    """
    customer = np.asarray(customer)
    if customer.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(customer[1:] != customer[:-1]) + 1
    return np.concatenate(([0], change)).astype(np.int64)


def group_ends(customer: np.ndarray) -> np.ndarray:
    """Index of the last row of every group.

    Examples
    --------
    >>> group_ends(np.array([0, 0, 1, 2, 2])).tolist()
    [1, 2, 4]
    """
    starts = group_starts(customer)
    return np.concatenate((starts[1:], [np.asarray(customer).shape[0]])).astype(np.int64) - 1


def group_cumsum(values: np.ndarray, customer: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` restarting at every group.

    Examples
    --------
    >>> group_cumsum(np.array([1, 0, 1, 1, 1]), np.array([0, 0, 0, 1, 1])).tolist()
    [1, 1, 2, 1, 2]
    """
    values = np.asarray(values)
    cs = np.cumsum(values)
    if cs.shape[0] == 0:
        return cs
    starts = group_starts(customer)
    offset = cs[starts] - values[starts]
    counts = np.diff(np.concatenate((starts, [cs.shape[0]])))
    return cs - np.repeat(offset, counts)
