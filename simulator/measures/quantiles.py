"""Tallies that stream: count, exact sum, maximum and a fixed-bin histogram for percentiles.

A percentile needs every observation, which a streaming measure does not keep. Instead each
tally counts its observations in fixed bins (:data:`EDGES_MIN`): exact zeros apart (waits of
exactly 0 are common and must stay 0), then bins 0.01 min wide up to 1 min, then bins 1 %
wider than the previous one (each bin's width is 0.995 % of its lower edge, below 0.01 % of
the run's values above 10,000 min, which all fall in one last bin). A percentile is read as in
``numpy.percentile(method="linear")``: the two order statistics around rank ``h = (n-1) p``,
linearly interpolated, each taken as the midpoint of its bin and clipped to the exact minimum
and maximum. So a percentile is **within half a bin of each order statistic it interpolates: at
most max(0.005 min, 0.5 % of the larger of the two) from the exact value** (and exact when all
observations are equal, or the percentile is the minimum or maximum). The mean (exact sum /
count, :mod:`.exact`) and the maximum are exact.

Memory is one histogram of :data:`N_BINS` counts per tally, whatever the number of
observations.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from simulator.measures.exact import ExactSums

__all__ = [
    "EDGES_MIN",
    "N_BINS",
    "Tally",
    "TallyStats",
    "percentiles_from_histogram",
    "tally_stats",
]

_LINEAR = np.arange(0.0, 1.0, 0.01)
_GEOMETRIC = np.exp(np.arange(0.0, math.log(1e4) + 0.01, math.log(1.01)))
#: Lower edges of the histogram bins (minutes); the last bin is open-ended.
EDGES_MIN: np.ndarray = np.concatenate((_LINEAR, _GEOMETRIC))
EDGES_MIN.setflags(write=False)
#: Bins of a tally's histogram (the first holds exact zeros only, see :func:`_bin_of`).
N_BINS = EDGES_MIN.size + 1
_UPPER = np.concatenate((EDGES_MIN[1:], [EDGES_MIN[-1] * 1.01]))
_MID = np.concatenate(([0.0], (EDGES_MIN + _UPPER) / 2.0))  # bin 0 holds exact zeros


class TallyStats(NamedTuple):
    """Mean, median, 90th and 95th percentiles and maximum of a tally (NaN when empty)."""

    mean: float
    p50: float
    p90: float
    p95: float
    max: float


def _bin_of(x: np.ndarray) -> np.ndarray:
    """Histogram bin of each value: 0 for an exact zero, else 1 + its edge index."""
    idx = np.searchsorted(EDGES_MIN, x, side="right")  # 1 + index of the last edge <= x
    return np.where(x == 0.0, 0, idx)


def percentiles_from_histogram(counts: np.ndarray, lo: float, hi: float,
                               ps: tuple[float, ...]) -> list[float]:
    """Percentiles ``ps`` (0-100) from bin ``counts``, clipped to ``[lo, hi]`` (the exact
    minimum and maximum); see the module notes for the rule and its error bound."""
    n = int(counts.sum())
    cum = np.cumsum(counts)
    out = []
    for p in ps:
        h = (n - 1) * p / 100.0
        k = math.floor(h)
        ranks = np.array([k, min(k + 1, n - 1)])
        bins = np.searchsorted(cum, ranks, side="right")  # bin holding order statistic r
        v = np.clip(_MID[bins], lo, hi)
        out.append(float(v[0] + (h - k) * (v[1] - v[0])))
    return out


class Tally:
    """Observations (e.g. waits in minutes) summarised as they come.

    Examples
    --------
    >>> t = Tally()
    >>> t.add(np.array([0.0, 10.0]))
    >>> s = t.stats()
    >>> s.mean, s.max, round(s.p90, 2)
    (5.0, 10.0, 9.0)
    """

    __slots__ = ("count", "counts", "hi", "lo", "sums")

    def __init__(self) -> None:
        self.count = 0
        self.counts = np.zeros(N_BINS, dtype=np.int64)
        self.sums = ExactSums()
        self.lo = math.inf
        self.hi = -math.inf

    def add(self, x: np.ndarray) -> None:
        """Add observations (NaN values are ignored; the others must be >= 0)."""
        a = np.asarray(x, dtype=np.float64).ravel()
        a = a[~np.isnan(a)]
        if a.size == 0:
            return
        if a.min() < 0:
            raise ValueError(f"a tally of waits got a negative value ({float(a.min())})")
        self.count += int(a.size)
        self.counts += np.bincount(_bin_of(a), minlength=N_BINS)
        self.sums.add(a)
        self.lo = min(self.lo, float(a.min()))
        self.hi = max(self.hi, float(a.max()))

    def merge(self, other: Tally) -> None:
        """Add every observation of ``other`` (the tally of both, e.g. of two days)."""
        self.count += other.count
        self.counts += other.counts
        self.sums.add_sums(other.sums)
        self.lo = min(self.lo, other.lo)
        self.hi = max(self.hi, other.hi)

    def mean(self) -> float:
        """Exact mean (NaN when empty)."""
        return self.sums.value() / self.count if self.count else math.nan

    def stats(self) -> TallyStats:
        """Mean, p50, p90, p95 (within the bound of the module notes) and maximum."""
        if not self.count:
            return TallyStats(math.nan, math.nan, math.nan, math.nan, math.nan)
        p50, p90, p95 = percentiles_from_histogram(self.counts, self.lo, self.hi,
                                                   (50.0, 90.0, 95.0))
        return TallyStats(self.mean(), p50, p90, p95, self.hi)


def tally_stats(x: Any) -> TallyStats:
    r"""Mean, median, 90th and 95th percentiles and maximum of a sample (tally estimator).

    Each observation has weight 1: :math:`\bar x = \frac{1}{n}\sum_i x_i`, summed exactly.
    Percentiles follow ``numpy.percentile(method="linear")`` (Hyndman & Fan type 7) on the
    histogram of :class:`Tally`, within the bound of the module notes. NaN entries are
    ignored; the observations must be >= 0.

    Parameters
    ----------
    x : array_like of float
        Observations, e.g. waits in minutes.

    Returns
    -------
    TallyStats
        ``(mean, p50, p90, p95, max)``; every field NaN if there is no non-NaN observation.

    Examples
    --------
    >>> tally_stats([0.0, 10.0]).p90
    9.0
    """
    t = Tally()
    t.add(np.asarray(x, dtype=np.float64))
    return t.stats()
