"""Estimators of one replication: time-weighted averages of step functions and tallies.

Two kinds of estimator, kept apart by name (style habit 5):

* **Tally** statistics average over *observations* (customers or visits): ``wait_mean_min``,
  ``wait_p90_min``, ... (:func:`simulator.measures.quantiles.tally_stats`).
* **Time-weighted** statistics (suffix ``_tw``) average a step function over *time*, exactly,
  on a window (:func:`time_weighted_integral`, :func:`time_weighted_mean`). A level series is
  a step function: a row's value holds from its time until the next row; when several rows
  share a time the last one is the state after that instant; before the first row the level
  is 0. The level in force at the window's start counts from the start on (warm-up boundary
  correction).

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill. (Time-average
    estimators and initial-data deletion, ch. 1 and 9.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "WAITED_MIN",
    "ratio",
    "time_weighted_integral",
    "time_weighted_mean",
    "waited_count",
    "waited_share",
    "window_integrals",
]

#: A wait longer than this (minutes) counts as having waited (P(wait > 0)); shorter ones are
#: floating-point noise of an immediate start.
WAITED_MIN = 1e-9


_NAN = math.nan


def _step_arrays(times: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a step function and keep only the last row at each time."""
    t = np.asarray(times, dtype=np.float64).ravel()
    v = np.asarray(values, dtype=np.float64).ravel()
    if t.shape != v.shape:
        raise ValueError(
            f"times and values must have the same length (got {t.size} and {v.size})"
        )
    if t.size > 1:
        if np.any(np.diff(t) < 0):
            raise ValueError("times must be sorted in non-decreasing order")
        last = np.empty(t.size, dtype=bool)
        np.not_equal(t[1:], t[:-1], out=last[:-1])
        last[-1] = True
        t, v = t[last], v[last]
    return t, v


def time_weighted_integral(
    times: Any, values: Any, t_start: float, t_end: float, *, initial: float = 0.0
) -> float:
    r"""Exact integral of a right-continuous step function over ``[t_start, t_end]``.

    The function is :math:`f(t) = v_k` for :math:`t_k \le t < t_{k+1}` (the value of the last
    row at or before ``t``) and ``initial`` before the first row. When several rows share a
    time only the last one counts (it is the state after that instant). Rows before
    ``t_start`` matter only through the value in force at ``t_start``, which counts from
    ``t_start`` on; rows after ``t_end`` are ignored.

    .. math:: I = \int_{t_\mathrm{start}}^{t_\mathrm{end}} f(t)\,dt
              = \sum_j (e_{j+1} - e_j)\, f(e_j)

    where :math:`e_0 = t_\mathrm{start} < e_1 < \dots < e_m = t_\mathrm{end}` are the window
    bounds and the row times strictly inside the window.

    Parameters
    ----------
    times : array_like of float
        Row times (minutes), sorted non-decreasing.
    values : array_like of float
        Value taking effect at each row time (same length as ``times``).
    t_start, t_end : float
        Window bounds in minutes, ``t_start <= t_end``.
    initial : float, default 0.0
        Value before the first row.

    Returns
    -------
    float
        The integral, in value × minutes (0.0 for an empty window).

    Raises
    ------
    ValueError
        If the lengths differ, times are not sorted, or ``t_end < t_start``.

    Examples
    --------
    >>> time_weighted_integral([0, 10, 10, 20], [1, 5, 2, 0], 5, 15)
    15.0
    """
    if t_end < t_start:
        raise ValueError(f"t_end must be >= t_start (got t_start={t_start}, t_end={t_end})")
    t, v = _step_arrays(times, values)
    if t.size == 0:
        return float(initial * (t_end - t_start))
    k = int(np.searchsorted(t, t_start, side="right")) - 1
    v0 = v[k] if k >= 0 else initial
    inner = (t > t_start) & (t < t_end)
    edges = np.concatenate(([t_start], t[inner], [t_end]))
    heights = np.concatenate(([v0], v[inner]))
    return float(np.sum(np.diff(edges) * heights))


def time_weighted_mean(
    times: Any, values: Any, t_start: float, t_end: float, *, initial: float = 0.0
) -> float:
    r"""Exact time average of a step function over ``[t_start, t_end]``.

    .. math:: \bar f = \frac{1}{t_\mathrm{end} - t_\mathrm{start}}
              \int_{t_\mathrm{start}}^{t_\mathrm{end}} f(t)\,dt

    with :math:`f` as in :func:`time_weighted_integral` (value of the last row at or before
    ``t``; last of several rows at one time wins; the value in force at ``t_start`` counts from
    ``t_start``).

    Parameters
    ----------
    times, values : array_like of float
        The step function's rows, times sorted non-decreasing.
    t_start, t_end : float
        Window bounds in minutes.
    initial : float, default 0.0
        Value before the first row.

    Returns
    -------
    float
        The time average; NaN if ``t_end == t_start``.

    Examples
    --------
    >>> time_weighted_mean([0, 10], [2, 4], 0, 20)
    3.0
    """
    integral = time_weighted_integral(times, values, t_start, t_end, initial=initial)
    length = t_end - t_start
    return integral / length if length > 0 else _NAN


def window_integrals(
    times: np.ndarray, values: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Integrals of one step function (initial value 0) over many windows at once.

    Uses the running integral F(x) = ∫_{t_0}^{x} f, so ∫_a^b f = F(b) - F(a). Windows with
    ``end <= start`` give 0. Agrees with :func:`time_weighted_integral` up to rounding.
    """
    t, v = _step_arrays(times, values)
    starts = np.asarray(starts, dtype=np.float64)
    ends = np.maximum(np.asarray(ends, dtype=np.float64), starts)
    if t.size == 0:
        return np.zeros(starts.shape)
    cum = np.concatenate(([0.0], np.cumsum(np.diff(t) * v[:-1])))

    def running(x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(t, x, side="right") - 1
        kc = np.maximum(k, 0)
        return np.where(k >= 0, cum[kc] + v[kc] * (x - t[kc]), 0.0)

    return running(ends) - running(starts)


def ratio(num: float, den: float) -> float:
    """``num / den``, or NaN when the denominator is not positive (a rate with no exposure).

    Examples
    --------
    >>> ratio(3.0, 4.0), ratio(1.0, 0.0)
    (0.75, nan)
    """
    return num / den if den > 0 else _NAN


def waited_count(waits_min: Any) -> int:
    """How many of ``waits_min`` are waits at all (longer than :data:`WAITED_MIN`)."""
    return int(np.count_nonzero(np.asarray(waits_min, dtype=np.float64) > WAITED_MIN))


def waited_share(waits_min: Any, abandoned: int) -> float:
    r"""P(wait > 0): the share of units that had to wait at all.

    Units are those that reached service (``waits_min``: their waits) and those that
    abandoned (who waited by definition); balked and blocked units never joined a line and
    are left out. This is what Erlang C's :math:`P(W > 0)` estimates at a station.

    Examples
    --------
    >>> waited_share(np.array([0.0, 0.0, 2.5]), 1)
    0.5
    """
    w = np.asarray(waits_min, dtype=np.float64)
    return ratio(float(waited_count(w) + abandoned), float(w.size + abandoned))
