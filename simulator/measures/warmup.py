"""Choosing the warm-up period of a steady-state study: Welch's method and MSER-5.

A steady-state study (``clock`` without ``close``, ``run.length_min`` set) starts empty and idle,
which is not typical of the long run: early customers wait less than they will later. The
statistics therefore ignore customers arriving during the first ``run.warm_up_min`` minutes and
start time averages at that boundary (:mod:`simulator.measures.kpis`). This module suggests
how long that warm-up should be, from the series of a pilot study run with no warm-up
(:func:`simulator.experiments.warmup.pilot_series`).

The observations
----------------
Every method here works on one observation per replication and per *interval* of a fixed time
grid: interval ``i`` (from 0) covers ``[open + i*Δ, open + (i+1)*Δ)`` minutes, Δ =
``interval_min``. :func:`interval_series` computes it from one replication's records, for one
of three quantities (:data:`SERIES`):

``in_system`` (the default)
    Time-weighted mean number of customers in the facility over the interval, exactly
    :math:`\\frac1Δ\\int N(t)\\,dt` with :math:`N(t)` the customers with arrival ≤ t <
    departure (the ``in_system_tw`` KPI of :func:`simulator.measures.kpis.replication_kpis`,
    restricted to the interval). A time-weighted series has a value in every interval and
    reacts to congestion anywhere in the facility.
``waiting``
    Time-weighted mean number of customers waiting in lines (not in service), summed over all
    stations, from the station level series (``Records.levels``).
``wait``
    Tally: mean total wait (``wait_min``) of the customers *served* who arrived in the interval
    (customers binned by arrival time); NaN for an interval nobody arrived in (averages across
    replications ignore NaN). Customers still inside when the run stops are left out, so the
    last intervals are biased low; keep the run long compared with a typical wait.

The two rules
-------------
*Welch* (Welch 1983; Law 2015, §9.5.1): average the series across replications, smooth the
average with a centred moving average (:func:`welch_moving_average`) and truncate where the
smoothed curve reaches its long-run level (:func:`welch_truncation`, rule stated there).

*MSER-5* (White 1997; White, Cobb & Spratt 2000): batch the replication-averaged series into
means of 5 and choose the truncation that minimises the marginal standard error of the mean of
what remains (:func:`mser`), searching the first half only. Hoad, Robinson & Davies (2010)
recommend MSER-5 for automated warm-up selection; here it is applied to the replication means,
which reduces the noise it has to see through. On strongly autocorrelated output (a busy
queue) MSER-5 can still take a spurious late minimum where a slow random swing ends; the
figure of :func:`simulator.figures.warmup.warmup_figure` shows when its curve is flat (see
also Mokashi et al. 2010).

:func:`suggest_warmup` runs both and :attr:`WarmupSuggestion.recommended_min` takes the larger
(deleting a little too much only costs precision; deleting too little biases every statistic).

References
----------
Hoad, K., Robinson, S. & Davies, R. (2010). Automating warm-up length estimation. *Journal of
    the Operational Research Society* 61(9), 1389-1403. doi:10.1057/jors.2009.87
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., §9.5.1 (Welch's procedure).
    McGraw-Hill.
Mokashi, A. C. et al. (2010). Performance comparison of MSER-5 and N-Skart on the simulation
    start-up problem. *Proceedings of the 2010 Winter Simulation Conference*, 971-982.
    doi:10.1109/WSC.2010.5679094
Welch, P. D. (1983). The statistical analysis of simulation results. In S. S. Lavenberg (ed.),
    *The Computer Performance Modeling Handbook*, 268-328. Academic Press.
White, K. P. Jr. (1997). An effective truncation heuristic for bias reduction in simulation
    output. *Simulation* 69(6), 323-334. doi:10.1177/003754979706900601
White, K. P. Jr., Cobb, M. J. & Spratt, S. C. (2000). A comparison of five steady-state
    truncation heuristics for simulation. *Proceedings of the 2000 Winter Simulation
    Conference*, 755-760.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from simulator.engine.records import CustomerOutcome, Records

__all__ = [
    "SERIES",
    "SERIES_LABELS",
    "SeriesKind",
    "WarmupSuggestion",
    "default_window",
    "interval_series",
    "mser",
    "replication_mean",
    "suggest_warmup",
    "welch_moving_average",
    "welch_truncation",
]

SeriesKind = Literal["in_system", "waiting", "wait"]
#: The quantities :func:`interval_series` can observe per interval.
SERIES: tuple[str, ...] = ("in_system", "waiting", "wait")

#: Human-readable names of the :data:`SERIES`.
SERIES_LABELS: dict[str, str] = {
    "in_system": "customers in system (time average per interval)",
    "waiting": "customers waiting in lines (time average per interval)",
    "wait": "mean wait of customers arriving in the interval (min)",
}


# ---------------------------------------------------------------------------------------------
# The methods (pure NumPy)
# ---------------------------------------------------------------------------------------------


def replication_mean(series: Any) -> np.ndarray:
    """Mean across replications at each interval, ignoring NaN.

    Parameters
    ----------
    series : array_like, shape (R, T) or (T,)
        One row per replication (a 1-D array is one replication).

    Returns
    -------
    ndarray, shape (T,)
        :math:`\\bar Y_i = \\frac1{R_i}\\sum_r Y_{ri}` over the :math:`R_i` replications with a
        finite value at interval ``i``.

    Raises
    ------
    ValueError
        If the array is empty, not 1-D or 2-D, or some interval has no finite value at all.
    """
    y = np.asarray(series, dtype=np.float64)
    if y.ndim == 1:
        y = y[np.newaxis, :]
    if y.ndim != 2 or y.shape[0] == 0 or y.shape[1] == 0:
        raise ValueError(f"series must be a non-empty (replications, intervals) array "
                         f"(got shape {np.shape(series)})")
    finite = np.isfinite(y)
    if not finite.any(axis=0).all():
        bad = int(np.argmin(finite.any(axis=0)))
        raise ValueError(f"interval {bad} has no observation in any replication; use longer "
                         "intervals or the 'in_system' series")
    return np.where(finite, y, 0.0).sum(axis=0) / finite.sum(axis=0)


def welch_moving_average(series: Any, window: int) -> np.ndarray:
    """Welch's moving average of the replication-averaged series.

    Following Welch (1983) and Law (2015, §9.5.1), with ``w = window`` and the averaged
    series :math:`\\bar Y_0, \\dots, \\bar Y_{T-1}` (:func:`replication_mean`), for
    :math:`i = 0, \\dots, T-w-1`:

    .. math:: \\bar Y_i(w) = \\frac{1}{2h_i+1}\\sum_{s=-h_i}^{h_i} \\bar Y_{i+s},
              \\qquad h_i = \\min(i, w)

    A centred window of :math:`2w+1` values, shrinking at the start (:math:`h_i = i` for
    :math:`i < w`, so the first value is :math:`\\bar Y_0` itself) and undefined for the last
    ``w`` intervals, where it would run off the end.

    Parameters
    ----------
    series : array_like, shape (R, T) or (T,)
        One observation per replication and interval (NaN = no observation).
    window : int
        Half-width ``w`` in intervals, ``0 <= w < T`` (0: no smoothing). Law recommends
        ``w <= T/4`` and the smallest ``w`` that makes the curve reasonably smooth.

    Returns
    -------
    ndarray, shape (T - w,)

    Examples
    --------
    >>> welch_moving_average([[1.0, 2.0, 6.0, 3.0, 8.0]], 1)
    array([1.        , 3.        , 3.66666667, 5.66666667])
    """
    y = replication_mean(series)
    n = y.size
    w = int(window)
    if w != window or not 0 <= w < n:
        raise ValueError(f"window must be an integer with 0 <= window < {n} intervals "
                         f"(got {window})")
    csum = np.concatenate(([0.0], np.cumsum(y)))
    i = np.arange(n - w)
    h = np.minimum(i, w)
    return (csum[i + h + 1] - csum[i - h]) / (2 * h + 1)


def _reference(moving_average: np.ndarray, final_fraction: float) -> tuple[float, int]:
    n = moving_average.size
    start = n - max(1, math.ceil(final_fraction * n))
    return float(moving_average[start:].mean()), start


def _band(m: np.ndarray, ref: float, start: int, tolerance: float) -> float:
    tail = m[start:]
    noise = float(tail.std(ddof=1)) if tail.size > 1 else 0.0
    return max(tolerance * abs(ref), noise)


def welch_truncation(
    moving_average: Any, tolerance: float = 0.05, final_fraction: float = 0.5
) -> int:
    """Where Welch's moving average reaches its long-run level (an index, in intervals).

    The rule, exactly: let :math:`M_0, \\dots, M_{n-1}` be the moving average
    (:func:`welch_moving_average`) and :math:`F` its final ``ceil(final_fraction * n)``
    values, taken as steady state. The *reference* is their mean :math:`\\bar M` and the band
    half-width is

    .. math:: h = \\max\\bigl(\\text{tolerance} \\cdot |\\bar M|,\\; s_F\\bigr),

    with :math:`s_F` the sample standard deviation of the values in :math:`F` (how much the
    smoothed curve still fluctuates in steady state). The truncation point is the first index
    at which the curve is inside the band,

    .. math:: l = \\min\\{\\, i : |M_i - \\bar M| \\le h \\,\\},

    and ``n`` if it never is. Deleting the intervals before ``l`` deletes the part of the run
    where the smoothed output is still further from its long-run level than both the
    tolerance and its own steady-state noise; this is the "crossing of the mean" reading of
    Welch's plot (the transient from an empty start approaches from below, from an overloaded
    start from above). With many replications :math:`s_F` is small and the relative
    tolerance decides; with few, the noise term keeps a random dip after the transient from
    being mistaken for it (so the answer is only as sharp as the pilot study). A stricter
    "stays within the band from ``l`` on" is *not* used: the moving average of a realistic
    pilot study makes long excursions, and that rule returns a point late in the run set by
    the last of them.

    Parameters
    ----------
    moving_average : array_like, shape (n,)
        Welch's moving average.
    tolerance : float, default 0.05
        Relative half-width of the band (> 0); the band is never narrower than the
        standard deviation of the final part.
    final_fraction : float, default 0.5
        Share of the curve, at its end, that defines the reference (0 < f <= 1).

    Returns
    -------
    int
        ``l`` in ``0..n``; a value in the reference part itself (``l >= n - ceil(f n)``)
        means the curve did not settle before it.

    Examples
    --------
    >>> welch_truncation([0.0, 5.0, 8.0, 9.6, 10.2, 9.9, 10.0, 10.1], tolerance=0.05)
    3
    """
    m = np.asarray(moving_average, dtype=np.float64).ravel()
    if m.size == 0 or not np.isfinite(m).all():
        raise ValueError("moving_average must be non-empty and finite")
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0 (got {tolerance})")
    if not 0 < final_fraction <= 1:
        raise ValueError(f"final_fraction must be in (0, 1] (got {final_fraction})")
    ref, start = _reference(m, final_fraction)
    band = _band(m, ref, start, tolerance)
    inside = np.abs(m - ref) <= band * (1 + 1e-12) + 1e-12
    return int(np.argmax(inside)) if inside.any() else int(m.size)


def mser(series: Any, batch: int = 5) -> tuple[int, np.ndarray]:
    """MSER-``batch`` truncation point of one output series (MSER-5 for ``batch=5``).

    White (1997); White, Cobb & Spratt (2000). The series :math:`Y_0, \\dots, Y_{n-1}` is cut
    into :math:`k = \\lfloor n/b \\rfloor` batches of ``b`` consecutive values (a remainder at
    the end is dropped) with means :math:`Z_0, \\dots, Z_{k-1}`. Deleting the first ``d``
    batches leaves the marginal standard error statistic

    .. math:: \\mathrm{MSER}(d) = \\frac{1}{(k-d)^2} \\sum_{j=d}^{k-1} (Z_j - \\bar Z_d)^2,
              \\qquad \\bar Z_d = \\frac{1}{k-d}\\sum_{j=d}^{k-1} Z_j,

    computed for :math:`d = 0, 1, \\dots, \\lfloor k/2 \\rfloor` (the first half only: near
    the end of the series the statistic is unreliable, and White et al. treat a minimum at the
    edge of the search as a sign that the run is too short). The truncation is
    :math:`d^* = \\arg\\min_d \\mathrm{MSER}(d)` (the smallest on ties), returned in
    observations, :math:`b\\, d^*`.

    Parameters
    ----------
    series : array_like, shape (n,)
        One output series (for several replications, pass their mean,
        :func:`replication_mean`). Finite values.
    batch : int, default 5
        Batch size ``b`` (>= 1); at least 4 batches are needed.

    Returns
    -------
    d_index : int
        Observations to delete, ``batch * d*``.
    mser_values : ndarray, shape (floor(k/2) + 1,)
        :math:`\\mathrm{MSER}(d)` for ``d = 0..floor(k/2)`` (``d`` counted in batches).

    Examples
    --------
    >>> d, values = mser([0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 9, 9, 9, 9, 9])
    >>> d, values.round(4).tolist()
    (5, [4.125, 0.0741, 0.125])
    """
    y = np.asarray(series, dtype=np.float64).ravel()
    b = int(batch)
    if b != batch or b < 1:
        raise ValueError(f"batch must be a positive integer (got {batch})")
    k = y.size // b
    if k < 4:
        raise ValueError(f"MSER needs at least 4 batches of {b} (got {y.size} observations)")
    if not np.isfinite(y[: k * b]).all():
        raise ValueError("series must be finite")
    z = y[: k * b].reshape(k, b).mean(axis=1)
    z = z - z.mean()  # the statistic is shift-invariant; centring keeps the sums accurate
    d = np.arange(k // 2 + 1)
    rest = k - d
    s1 = np.cumsum(z[::-1])[::-1][d]  # sum of z[d:]
    s2 = np.cumsum((z * z)[::-1])[::-1][d]
    values = np.maximum(s2 - s1 * s1 / rest, 0.0) / rest.astype(np.float64) ** 2
    return int(b * np.argmin(values)), values


def default_window(n_intervals: int) -> int:
    """Default half-width of Welch's window: ``max(1, n_intervals // 30)`` intervals.

    The full window (``2w + 1`` intervals) then spans about a fifteenth of the run, well
    below Law's ceiling ``w <= T/4``; pass an explicit ``window`` when the curve is still
    too rough (larger) or the transient is short compared with the window (smaller).
    """
    return max(1, int(n_intervals) // 30)


@dataclass(frozen=True, eq=False)
class WarmupSuggestion:
    """Both warm-up suggestions, in minutes after opening, with the details behind them.

    Attributes
    ----------
    series : str
        Which observation was used (one of :data:`SERIES`, or a caller's label).
    interval_min : float
        Interval length Δ of the time grid, minutes.
    n_replications, n_intervals : int
        Shape of the pilot series (R, T).
    averaged : ndarray, shape (T,)
        Mean across replications per interval (:func:`replication_mean`).
    window : int
        Welch half-width ``w`` in intervals.
    tolerance : float
        Relative band half-width of :func:`welch_truncation` (a floor: see ``welch_band``).
    moving_average : ndarray, shape (T - w,)
        Welch's moving average.
    welch_reference, welch_band : float
        Reference level (mean of the final half of the moving average) and band half-width
        (the larger of ``tolerance * |reference|`` and the final half's standard deviation).
    welch_index : int
        First interval kept by Welch's rule; ``welch_min = welch_index * interval_min``.
    welch_settled : bool
        False when the curve reached the band only inside the reference part (or never):
        lengthen the run.
    batch : int
        MSER batch size (5 for MSER-5).
    mser_values : ndarray
        MSER statistic for ``d = 0..floor(k/2)`` batches deleted.
    mser_index : int
        Intervals deleted by MSER (``batch * d*``); ``mser_min = mser_index * interval_min``.
    mser_settled : bool
        False when the minimum is at the end of the search range (half the run): the run is
        too short to show steady state (White et al. 2000).
    """

    series: str
    interval_min: float
    n_replications: int
    n_intervals: int
    averaged: np.ndarray
    window: int
    tolerance: float
    moving_average: np.ndarray
    welch_reference: float
    welch_band: float
    welch_index: int
    welch_settled: bool
    batch: int
    mser_values: np.ndarray
    mser_index: int
    mser_settled: bool

    @property
    def welch_min(self) -> float:
        """Welch's warm-up, minutes."""
        return self.welch_index * self.interval_min

    @property
    def mser_min(self) -> float:
        """MSER's warm-up, minutes."""
        return self.mser_index * self.interval_min

    @property
    def recommended_min(self) -> float:
        """The larger of the two suggestions, minutes (a multiple of ``interval_min``)."""
        return max(self.welch_min, self.mser_min)

    @property
    def settled(self) -> bool:
        """Both methods found steady state inside the run."""
        return self.welch_settled and self.mser_settled

    def to_dict(self) -> dict[str, Any]:
        """The scalar results as a JSON-ready dict (curves left out)."""
        return {
            "series": self.series,
            "interval_min": self.interval_min,
            "replications": self.n_replications,
            "intervals": self.n_intervals,
            "recommended_warm_up_min": self.recommended_min,
            "settled": self.settled,
            "welch": {
                "warm_up_min": self.welch_min,
                "index": self.welch_index,
                "window": self.window,
                "window_min": (2 * self.window + 1) * self.interval_min,
                "tolerance": self.tolerance,
                "reference": self.welch_reference,
                "band": self.welch_band,
                "settled": self.welch_settled,
            },
            "mser": {
                "warm_up_min": self.mser_min,
                "index": self.mser_index,
                "batch": self.batch,
                "batches_deleted": self.mser_index // self.batch,
                "settled": self.mser_settled,
            },
        }


def suggest_warmup(
    series: Any,
    interval_min: float,
    *,
    window: int | None = None,
    tolerance: float = 0.05,
    batch: int = 5,
    series_name: str = "in_system",
) -> WarmupSuggestion:
    """Suggest a warm-up by Welch's method and by MSER-5 from a pilot study without warm-up.

    Parameters
    ----------
    series : array_like, shape (R, T)
        One observation per replication and interval (:func:`interval_series`, or
        :func:`simulator.experiments.warmup.pilot_series` for a whole study); interval ``i``
        starts ``i * interval_min`` minutes after opening.
    interval_min : float
        Interval length, minutes (> 0).
    window : int, optional
        Welch half-width in intervals; default :func:`default_window`.
    tolerance : float, default 0.05
        Welch band, relative to the long-run level (:func:`welch_truncation`).
    batch : int, default 5
        MSER batch size.
    series_name : str, default "in_system"
        Label stored in the result.

    Returns
    -------
    WarmupSuggestion
        ``welch_min``, ``mser_min`` and ``recommended_min`` (the larger) in minutes.

    Notes
    -----
    Welch's rule is applied to the moving average of the replication means and MSER-5 to the
    replication means themselves (unsmoothed).
    """
    if not interval_min > 0:
        raise ValueError(f"interval_min must be > 0 (got {interval_min})")
    y = np.asarray(series, dtype=np.float64)
    if y.ndim == 1:
        y = y[np.newaxis, :]
    averaged = replication_mean(y)
    n = averaged.size
    w = min(default_window(n), n - 1) if window is None else window
    moving = welch_moving_average(y, w)
    index = welch_truncation(moving, tolerance)
    ref, ref_start = _reference(moving, 0.5)
    d, values = mser(averaged, batch)
    return WarmupSuggestion(
        series=series_name,
        interval_min=float(interval_min),
        n_replications=int(y.shape[0]),
        n_intervals=int(n),
        averaged=averaged,
        window=int(w),
        tolerance=float(tolerance),
        moving_average=moving,
        welch_reference=ref,
        welch_band=_band(moving, ref, ref_start, tolerance),
        welch_index=index,
        welch_settled=index < ref_start,
        batch=int(batch),
        mser_values=values,
        mser_index=d,
        mser_settled=d // batch < values.size - 1,
    )


# ---------------------------------------------------------------------------------------------
# Observations from one replication's records
# ---------------------------------------------------------------------------------------------


def _running_count_integral(times: np.ndarray, x: np.ndarray) -> np.ndarray:
    """:math:`\\int_0^x \\#\\{i: t_i \\le s\\}\\,ds = \\sum_i (x - t_i)^+` at each ``x``."""
    t = np.sort(times)
    csum = np.concatenate(([0.0], np.cumsum(t)))
    k = np.searchsorted(t, x, side="right")
    return k * x - csum[k]


def _running_step_integral(times: np.ndarray, values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Integral from ``times[0]`` to ``x`` of a right-continuous step function (0 before)."""
    if times.size == 0:
        return np.zeros(x.shape)
    cum = np.concatenate(([0.0], np.cumsum(np.diff(times) * values[:-1])))
    k = np.searchsorted(times, x, side="right") - 1
    kc = np.maximum(k, 0)
    return np.where(k >= 0, cum[kc] + values[kc] * (x - times[kc]), 0.0)


def interval_series(
    records: Records,
    interval_min: float,
    kind: SeriesKind = "in_system",
    length_min: float | None = None,
) -> np.ndarray:
    """One replication's observation per interval of a fixed grid (see the module notes).

    Interval ``i`` covers ``[open + i*Δ, open + (i+1)*Δ)``; only whole intervals inside the
    run are returned: ``T = floor(L / Δ)`` with ``L = length_min`` (default: end of the run
    minus opening).

    Parameters
    ----------
    records : Records
        One replication (normally run with warm-up 0; the warm-up does not change records).
    interval_min : float
        Δ, minutes (> 0).
    kind : {"in_system", "waiting", "wait"}, default "in_system"
        ``in_system``: time average of customers present (arrival <= t < departure; still
        inside = present to the end). ``waiting``: time average of ``queue_len`` summed over
        stations. ``wait``: mean ``wait_min`` of SERVED customers by arrival interval (NaN if
        none).
    length_min : float, optional
        Minutes after opening to cover (at most the simulated length).

    Returns
    -------
    ndarray, shape (T,)
        Exact time averages (``in_system``, ``waiting``), or tally means (``wait``).
    """
    if not interval_min > 0:
        raise ValueError(f"interval_min must be > 0 (got {interval_min})")
    if kind not in SERIES:
        raise ValueError(f"kind must be one of {', '.join(SERIES)} (got {kind!r})")
    t0 = float(records.open_min)
    span = float(records.end_min) - t0
    length = span if length_min is None else min(float(length_min), span)
    n = max(0, math.floor(length / interval_min + 1e-9))
    edges = interval_min * np.arange(n + 1, dtype=np.float64)  # minutes after opening
    if kind == "wait":
        c = records.customers
        served = c["outcome"] == CustomerOutcome.SERVED
        a = c["arrival_min"][served] - t0
        w = c["wait_min"][served]
        idx = np.floor(a / interval_min).astype(np.int64)
        ok = (a >= 0) & (idx < n) & np.isfinite(w)
        total = np.bincount(idx[ok], weights=w[ok], minlength=n)
        count = np.bincount(idx[ok], minlength=n)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    if kind == "in_system":
        c = records.customers
        arr = c["arrival_min"] - t0
        dep = c["departure_min"] - t0
        integral = (_running_count_integral(arr, edges)
                    - _running_count_integral(dep[np.isfinite(dep)], edges))
    else:
        lv = records.levels
        integral = np.zeros(n + 1)
        for s in range(len(records.station_names)):
            m = lv["station_idx"] == s
            integral += _running_step_integral(lv["time_min"][m] - t0,
                                               lv["queue_len"][m].astype(np.float64), edges)
    return np.diff(integral) / interval_min
