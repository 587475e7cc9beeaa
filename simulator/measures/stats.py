"""Across-replication statistics: means, Student-t intervals and paired (CRN) differences.

Each replication is one independent observation of every KPI; customers within a run are
autocorrelated, so intervals are always computed over replications, never over customers.
NaN values (a KPI undefined in some replication, e.g. a rate with no arrivals) are left out,
and ``n`` reports how many replications were used.

All outputs are deterministic: KPIs keep the order in which they first appear in the rows,
and nothing is rounded.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill, sections 9.4
    (fixed-sample-size confidence intervals) and 10.2 (paired-t comparison with common random
    numbers).
Welford, B. P. (1962). Note on a method for calculating corrected sums of squares and
    products. *Technometrics* 4(3), 419-420.
Chan, T. F., Golub, G. H. & LeVeque, R. J. (1983). Algorithms for computing the sample
    variance. *The American Statistician* 37(3), 242-247.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *Journal of the American Statistical Association* 22(158), 209-212.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology*
    24(2), 193-201. (The effective sample size of a clustered proportion.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from simulator.measures.labels import kpi_info

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPARE_COLUMNS",
    "SUMMARY_COLUMNS",
    "OnlineStats",
    "PairedDifference",
    "RangeInterval",
    "TInterval",
    "bonferroni_confidence",
    "compare_paired",
    "paired_difference",
    "range_interval",
    "summarise",
    "t_interval",
]

_NAN = math.nan

#: Columns of :func:`summarise`.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "kpi",
    "mean",
    "sd",
    "n",
    "ci_low",
    "ci_high",
    "half_width",
    "rel_half_width",
    "ci_method",
)

#: Columns of :func:`compare_paired`.
COMPARE_COLUMNS: tuple[str, ...] = (
    "kpi",
    "baseline_mean",
    "variant_mean",
    "mean_diff",
    "sd_diff",
    "n",
    "ci_low",
    "ci_high",
    "half_width",
    "significant",
)


class TInterval(NamedTuple):
    """Sample mean with a Student-t confidence interval."""

    mean: float
    sd: float
    n: int
    ci_low: float
    ci_high: float
    half_width: float


class PairedDifference(NamedTuple):
    """Mean of paired differences ``a - b`` with its Student-t interval."""

    mean_diff: float
    sd: float
    n: int
    ci_low: float
    ci_high: float
    half_width: float
    significant: bool


def _t_quantile(p: float, df: int) -> float:
    """Student-t quantile: ``scipy.special.stdtrit``, the function behind
    ``scipy.stats.t.ppf`` (imported on first use; scipy.stats itself is slow to import and
    large in memory)."""
    from scipy import special

    return float(special.stdtrit(df, p))


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1 (got {confidence})")


def t_interval(x: Any, confidence: float = 0.95) -> TInterval:
    r"""Mean, sample sd and two-sided Student-t confidence interval of i.i.d. observations.

    With the :math:`n` non-NaN values :math:`x_1..x_n`:

    .. math:: \bar x = \frac1n\sum x_i,\quad
              s = \sqrt{\tfrac{1}{n-1}\sum (x_i-\bar x)^2},\quad
              h = t_{n-1,\,(1+c)/2}\,\frac{s}{\sqrt n},\quad [\bar x - h,\ \bar x + h]

    where :math:`t_{n-1,q}` is the q-quantile of Student's t with n−1 degrees of freedom
    (``scipy.stats.t.ppf``).

    Parameters
    ----------
    x : array_like of float
        One value per replication; NaN values are dropped.
    confidence : float, default 0.95
        Two-sided confidence level c, in (0, 1).

    Returns
    -------
    TInterval
        ``mean`` (NaN if n = 0); ``sd``, ``ci_low``, ``ci_high``, ``half_width`` NaN if n < 2.

    Examples
    --------
    >>> round(t_interval([1.0, 2.0, 3.0]).half_width, 6)  # t(0.975, 2) = 4.302653; / sqrt(3)
    2.484138
    """
    _check_confidence(confidence)
    a = np.asarray(x, dtype=np.float64).ravel()
    a = a[~np.isnan(a)]
    n = int(a.size)
    if n == 0:
        return TInterval(_NAN, _NAN, 0, _NAN, _NAN, _NAN)
    mean = float(np.mean(a))
    if n < 2:
        return TInterval(mean, _NAN, n, _NAN, _NAN, _NAN)
    sd = float(np.std(a, ddof=1))
    half = _t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
    return TInterval(mean, sd, n, mean - half, mean + half, half)


def paired_difference(a: Any, b: Any, confidence: float = 0.95) -> PairedDifference:
    r"""Paired-t comparison of two systems run with common random numbers.

    Pairs are ``(a[i], b[i])`` from the same replication (same seed and streams); pairs with a
    NaN on either side are dropped. With :math:`d_i = a_i - b_i` this is :func:`t_interval`
    of :math:`d` (Law 2015, sec. 10.2.1). The difference is *significant* at level c when the
    interval excludes 0 (``ci_low > 0`` or ``ci_high < 0``); never with fewer than 2 pairs.

    Parameters
    ----------
    a, b : array_like of float
        Per-replication values of the variant and the baseline, same length.
    confidence : float, default 0.95
        Two-sided confidence level. For m simultaneous comparisons pass
        :func:`bonferroni_confidence` ``(confidence, m)``.

    Returns
    -------
    PairedDifference
        Mean of ``a - b``, its sd, the number of pairs and the interval.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length.

    Examples
    --------
    >>> paired_difference([3.0, 5.0], [3.0, 5.0]).half_width
    0.0
    """
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(
            f"paired samples must have the same length (got {x.size} and {y.size})"
        )
    keep = ~(np.isnan(x) | np.isnan(y))
    ti = t_interval(x[keep] - y[keep], confidence)
    significant = ti.n >= 2 and (ti.ci_low > 0.0 or ti.ci_high < 0.0)
    return PairedDifference(
        ti.mean, ti.sd, ti.n, ti.ci_low, ti.ci_high, ti.half_width, bool(significant)
    )


def bonferroni_confidence(confidence: float, n_comparisons: int) -> float:
    """Per-comparison confidence level giving family-wise level ``confidence`` over m tests.

    ``1 - (1 - confidence) / m`` (Bonferroni inequality).

    Examples
    --------
    >>> round(bonferroni_confidence(0.95, 5), 12)
    0.99
    """
    _check_confidence(confidence)
    if n_comparisons < 1:
        raise ValueError(f"n_comparisons must be >= 1 (got {n_comparisons})")
    return 1.0 - (1.0 - confidence) / n_comparisons


class RangeInterval(NamedTuple):
    """A confidence interval kept inside what the quantity can be, and how it was made."""

    ci_low: float
    ci_high: float
    method: str


#: ``ci_method`` of each kind of range (docs/results.md).
T_METHOD = "t"
CLIPPED_METHOD = "t, clipped to the possible range"
WILSON_METHOD = "Wilson, effective sample size"


def range_interval(x: Any, low: float = -math.inf, high: float = math.inf,
                   confidence: float = 0.95, units: float | None = None) -> RangeInterval:
    r"""An interval for the mean of replications that never leaves ``[low, high]``.

    - Shares (``low = 0``, ``high = 1``): the Wilson score interval at the *effective sample
      size* implied by the spread across replications (Korn & Graubard 1998). With mean
      :math:`\bar p`, sample sd :math:`s` over :math:`R` replications and
      :math:`z = t_{R-1,(1+c)/2}`, :math:`n_\text{eff} = \bar p(1-\bar p) R / s^2`; when
      every replication gave the same value (:math:`s = 0`) it is ``units`` (the customers or
      days judged over all replications), or the interval is the single point without
      ``units``. Then

      .. math:: \frac{\bar p + \frac{z^2}{2n} \pm z\sqrt{\frac{\bar p(1-\bar p)}{n} +
                \frac{z^2}{4n^2}}}{1 + z^2/n}

      which is close to the Student-t interval away from 0 and 1, always inside [0, 1] and
      always contains :math:`\bar p`.
    - Any other bounded range: the Student-t interval of :func:`t_interval` clipped to
      ``[low, high]``. Clipping keeps the coverage: the true mean lies in the range, so it
      lies in the clipped interval whenever it lies in the t-interval.
    - Unbounded: the Student-t interval.

    Parameters
    ----------
    x : array_like of float
        One value per replication; NaN values are dropped (values a rounding error outside
        the range are moved onto it).
    low, high : float
        The possible range.
    confidence : float
        Two-sided level.
    units : float, optional
        For shares: the number of units judged in all replications together (used when the
        replications do not vary).

    Returns
    -------
    RangeInterval
        NaN bounds when fewer than 2 replications have a value.

    Examples
    --------
    >>> r = range_interval([0.0, 0.0, 0.01], 0.0, 1.0)
    >>> r.ci_low >= 0.0 and r.method
    'Wilson, effective sample size'
    >>> range_interval([0.1, 0.2, 5.0], 0.0).ci_low
    0.0
    """
    a = np.asarray(x, dtype=np.float64).ravel()
    a = a[~np.isnan(a)]
    shares = low == 0.0 and high == 1.0
    bounded = math.isfinite(low) or math.isfinite(high)
    method = WILSON_METHOD if shares else CLIPPED_METHOD if bounded else T_METHOD
    a = np.clip(a, low, high)
    ti = t_interval(a, confidence)
    if ti.n < 2:
        return RangeInterval(_NAN, _NAN, method)
    if not shares:
        return RangeInterval(max(ti.ci_low, float(low)), min(ti.ci_high, float(high)), method)
    p = ti.mean
    var = p * (1.0 - p)
    se2 = ti.sd**2 / ti.n
    n_eff = var / se2 if se2 > 0 and var > 0 else math.inf
    if not math.isfinite(n_eff) and units is not None and units > 0:
        n_eff = float(units)  # no spread at all: the units counted are all the evidence
    if not math.isfinite(n_eff):
        return RangeInterval(p, p, method)
    z = _t_quantile(0.5 + confidence / 2.0, ti.n - 1)
    z2n = z * z / n_eff
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(var / n_eff + z2n / (4.0 * n_eff))
    return RangeInterval(min(max(0.0, centre - half), p), max(min(1.0, centre + half), p),
                         method)


def _units_total(rows: Sequence[Mapping[str, Any]], denominator: str | None,
                 values: np.ndarray) -> float | None:
    """Units behind a share over all replications: Σ of its denominator KPI, or the
    replications themselves for a share of days."""
    if denominator is None:
        return None
    if denominator == "replications":
        return float(np.count_nonzero(~np.isnan(values)))
    col = _column(rows, denominator)
    keep = ~np.isnan(col) & ~np.isnan(values)
    return float(np.sum(col[keep])) if keep.any() else None


def _kpi_order(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Keys in order of first appearance: the first row's order, then any new keys."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array([_as_float(row.get(key, _NAN)) for row in rows], dtype=np.float64)


def _as_float(value: Any) -> float:
    if value is None:
        return _NAN
    return float(value)


def summarise(rows: Sequence[Mapping[str, float]], confidence: float = 0.95) -> pd.DataFrame:
    """Summary across replications: one row per KPI with mean, sd, n and an interval.

    For each KPI (in the first row's key order; keys first seen in later rows follow in order
    of appearance; a key missing from a row counts as NaN) the non-NaN values over
    replications give :func:`t_interval`. ``rel_half_width`` = ``half_width / |mean|`` (NaN if
    the mean is 0 or NaN) is the precision measure used to choose the number of replications.
    ``ci_low`` and ``ci_high`` stay inside the KPI's possible range
    (:func:`simulator.measures.labels.kpi_info`): :func:`range_interval`, whose method is in
    ``ci_method``; ``half_width`` is the Student-t half-width.

    Parameters
    ----------
    rows : sequence of mapping str -> float
        One KPI row per replication, e.g. from :func:`simulator.measures.kpis.replication_kpis`.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`: ``kpi`` (str), ``mean``, ``sd``, ``n`` (int; non-NaN
        values), ``ci_low``, ``ci_high``, ``half_width``, ``rel_half_width`` (float),
        ``ci_method`` (str). ``sd`` and the interval are NaN when n < 2.

    Examples
    --------
    >>> float(summarise([{"wait_mean_min": 4.0}, {"wait_mean_min": 6.0}]).loc[0, "mean"])
    5.0
    """
    _check_confidence(confidence)
    records: list[dict[str, Any]] = []
    for key in _kpi_order(rows):
        values = _column(rows, key)
        ti = t_interval(values, confidence)
        rel = ti.half_width / abs(ti.mean) if ti.mean != 0 and not math.isnan(ti.mean) else _NAN
        info = kpi_info(key)
        units = _units_total(rows, info.denominator, values)
        ri = range_interval(values, info.low, info.high, confidence, units)
        records.append(
            {
                "kpi": key,
                "mean": ti.mean,
                "sd": ti.sd,
                "n": ti.n,
                "ci_low": ri.ci_low,
                "ci_high": ri.ci_high,
                "half_width": ti.half_width,
                "rel_half_width": rel,
                "ci_method": ri.method,
            }
        )
    import pandas as pd  # deferred: pandas is slow to import and most callers need no frame

    frame = pd.DataFrame.from_records(records, columns=list(SUMMARY_COLUMNS))
    return frame.astype({"n": np.int64})


def compare_paired(
    baseline_rows: Sequence[Mapping[str, float]],
    variant_rows: Sequence[Mapping[str, float]],
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired (common random numbers) comparison of a variant against a baseline, per KPI.

    Row i of each list must come from replication i (same seed and streams). For every KPI
    in the baseline's key order (then keys only the variant has) the differences
    ``variant - baseline`` give :func:`paired_difference`; ``baseline_mean`` and
    ``variant_mean`` are the means over the pairs used.

    Parameters
    ----------
    baseline_rows, variant_rows : sequence of mapping str -> float
        KPI rows per replication, same length and replication order.
    confidence : float, default 0.95
        Two-sided level per KPI; use :func:`bonferroni_confidence` for several variants.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`; ``significant`` is bool.

    Raises
    ------
    ValueError
        If the two lists differ in length.
    """
    _check_confidence(confidence)
    if len(baseline_rows) != len(variant_rows):
        raise ValueError(
            "paired comparison needs one variant row per baseline replication "
            f"(got {len(baseline_rows)} baseline and {len(variant_rows)} variant rows)"
        )
    out: list[dict[str, Any]] = []
    for key in _kpi_order([*baseline_rows, *variant_rows]):
        base = _column(baseline_rows, key)
        var = _column(variant_rows, key)
        pd_ = paired_difference(var, base, confidence)
        keep = ~(np.isnan(base) | np.isnan(var))
        out.append(
            {
                "kpi": key,
                "baseline_mean": float(np.mean(base[keep])) if keep.any() else _NAN,
                "variant_mean": float(np.mean(var[keep])) if keep.any() else _NAN,
                "mean_diff": pd_.mean_diff,
                "sd_diff": pd_.sd,
                "n": pd_.n,
                "ci_low": pd_.ci_low,
                "ci_high": pd_.ci_high,
                "half_width": pd_.half_width,
                "significant": pd_.significant,
            }
        )
    import pandas as pd

    frame = pd.DataFrame.from_records(out, columns=list(COMPARE_COLUMNS))
    return frame.astype({"n": np.int64, "significant": bool})


class OnlineStats:
    """Running mean and variance by Welford's algorithm (one pass, numerically stable).

    After values :math:`x_1..x_n`: ``mean`` = :math:`\\bar x`, ``variance`` = the sample
    variance with n−1 denominator (NaN for n < 2). NaN values are ignored. Two accumulators
    combine exactly with :meth:`merge` (Chan, Golub & LeVeque 1983), so partial results from
    workers can be pooled in any order up to rounding.

    Examples
    --------
    >>> s = OnlineStats(); s.update([1.0, 2.0, 3.0]); (s.n, s.mean, s.variance)
    (3, 2.0, 1.0)
    """

    __slots__ = ("_m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = _NAN
        self._m2 = 0.0

    def push(self, x: float) -> None:
        """Add one value (ignored if NaN)."""
        x = float(x)
        if math.isnan(x):
            return
        self.n += 1
        if self.n == 1:
            self.mean = x
            return
        delta = x - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (x - self.mean)

    def update(self, values: Iterable[float]) -> None:
        """Add several values in order."""
        for x in values:
            self.push(x)

    def merge(self, other: OnlineStats) -> None:
        """Fold another accumulator into this one."""
        if other.n == 0:
            return
        if self.n == 0:
            self.n, self.mean, self._m2 = other.n, other.mean, other._m2
            return
        n = self.n + other.n
        delta = other.mean - self.mean
        self.mean += delta * other.n / n
        self._m2 += other._m2 + delta * delta * self.n * other.n / n
        self.n = n

    @property
    def variance(self) -> float:
        """Sample variance (n−1 denominator); NaN for n < 2."""
        return self._m2 / (self.n - 1) if self.n >= 2 else _NAN

    @property
    def sd(self) -> float:
        """Sample standard deviation; NaN for n < 2."""
        return math.sqrt(self.variance) if self.n >= 2 else _NAN

    def interval(self, confidence: float = 0.95) -> TInterval:
        """Student-t interval of the mean, as :func:`t_interval` would give."""
        _check_confidence(confidence)
        if self.n < 2:
            return TInterval(self.mean, _NAN, self.n, _NAN, _NAN, _NAN)
        half = _t_quantile(0.5 + confidence / 2.0, self.n - 1) * self.sd / math.sqrt(self.n)
        return TInterval(self.mean, self.sd, self.n, self.mean - half, self.mean + half, half)
