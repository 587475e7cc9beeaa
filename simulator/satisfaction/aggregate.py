"""Step 3: aggregate each dimension's stage scores per customer (satisfaction.md §2.7).

``Agg = ω_mean·Σv_k s_k/Σv_k + ω_worst·min s_k + ω_best·max s_k + ω_end·s_last`` over the
stages where the dimension was observed, with phase weights v (pre 1.5, in 1.0, post 1.25;
Dubé-Rioux et al. 1989; von Bergh et al.). ω blends Kahneman's peak–end rule (Kahneman et
al. 1993: worst and end), Verhoef et al. (2004: mean and positive peak) and Dixon & Verma
(2013: sequence matters). Stage durations do not enter (duration neglect).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._groups import group_starts

__all__ = ["aggregate_stages"]


def aggregate_stages(
    scores: ArrayLike,
    customer: ArrayLike,
    phase_weight: ArrayLike,
    omega: Sequence[float] = (0.4, 0.3, 0.1, 0.2),
    n_customers: int | None = None,
) -> np.ndarray:
    """Aggregate stage scores per customer, vectorised with ``reduceat``/``bincount``.

    Parameters
    ----------
    scores : array_like, shape (N,) or (N, d)
        Stage scores in [−1, 1]; NaN = not observed at that row.
    customer : array_like of int, shape (N,)
        Customer index per row; rows grouped by customer in stage order, every customer
        0..n-1 present.
    phase_weight : array_like, shape (N,)
        Phase weight v of each row (> 0).
    omega : sequence of 4 floats
        (mean, worst, best, end), non-negative, summing to 1.
    n_customers : int, optional
        Number of customers (checked against ``customer``).

    Returns
    -------
    numpy.ndarray, shape (n,) or (n, d)
        Aggregate per customer; NaN where the dimension was never observed.

    Examples
    --------
    >>> round(float(aggregate_stages([0.0, -0.5], [0, 0], [1.0, 1.0])[0]), 3)
    -0.35
    """
    s = np.asarray(scores, dtype=float)
    one_d = s.ndim == 1
    if one_d:
        s = s[:, None]
    c = np.asarray(customer, dtype=np.int64)
    v = np.asarray(phase_weight, dtype=float)
    n_rows = s.shape[0]
    starts = group_starts(c)
    n = starts.shape[0]
    if n_customers is not None and n != n_customers:
        raise ValueError(f"customer: got {n} customers in the rows; expected {n_customers}")
    if n == 0:
        out = np.zeros((0, s.shape[1]))
        return out[:, 0] if one_d else out
    observed = ~np.isnan(s)
    vw = np.where(observed, v[:, None], 0.0)
    vs = np.where(observed, v[:, None] * np.where(observed, s, 0.0), 0.0)
    group = np.repeat(np.arange(n), np.diff(np.concatenate((starts, [n_rows]))))
    w_sum = np.stack(
        [np.bincount(group, weights=vw[:, j], minlength=n) for j in range(s.shape[1])], 1
    )
    ws_sum = np.stack(
        [np.bincount(group, weights=vs[:, j], minlength=n) for j in range(s.shape[1])], 1
    )
    has = w_sum > 0
    mean = np.divide(ws_sum, w_sum, out=np.full_like(ws_sum, np.nan), where=has)
    worst = np.fmin.reduceat(s, starts, axis=0)
    best = np.fmax.reduceat(s, starts, axis=0)
    idx = np.where(observed, np.arange(n_rows)[:, None], -1)
    last = np.maximum.reduceat(idx, starts, axis=0)
    end = np.take_along_axis(s, np.maximum(last, 0), axis=0)
    om, ow, ob, oe = omega
    agg = om * mean + ow * worst + ob * best + oe * end
    agg = np.where(has, np.clip(agg, -1.0, 1.0), np.nan)
    return agg[:, 0] if one_d else agg
