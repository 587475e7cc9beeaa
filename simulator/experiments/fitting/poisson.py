"""Is an arrival process Poisson within intervals? Two tests and a verdict in plain words.

* **Dispersion of daily counts.** If arrivals in each interval are Poisson with the same
  rate every day (of one day type), the counts of an interval over days have variance equal
  to their mean. The index-of-dispersion statistic summed over intervals,
  D = Σ_i Σ_d (x_di - x̄_i)² / x̄_i, is then χ² with Σ_i (days_i - 1) degrees of freedom
  (Cox & Lewis, *The Statistical Analysis of Series of Events*, 1966, §6). Days whose levels
  differ (a busy and a quiet Monday) make D too large: overdispersion (Kim & Whitt 2014, §5).
* **Conditional uniformity.** Given n arrivals in an interval of constant rate, their times
  are n independent uniforms. Pooled over every interval and day, the uniforms are tested
  with Kolmogorov-Smirnov (the CU test), and after the logarithmic transformation of Brown
  et al. (2005, §3.4), R_j = -(n + 1 - j) log((1 - U_(j)) / (1 - U_(j-1))), which are
  independent standard exponentials under the null hypothesis (the Brown et al. test).
  Times recorded to the whole minute or second are first "un-rounded" by adding a uniform
  share of the resolution (Kim & Whitt 2014, §4), from a seeded stream.

References
----------
Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S., Zhao, L. (2005).
    Statistical analysis of a telephone call center: a queueing-science perspective.
    *JASA* 100(469), 36-50.
Kim, S.-H., Whitt, W. (2014). Are call center and hospital arrivals well modeled by
    nonhomogeneous Poisson processes? *M&SOM* 16(3), 464-480.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["PoissonCheck", "brown_exponentials", "conditional_uniforms", "dispersion_test",
           "poisson_check"]

#: Significance level of the verdicts.
ALPHA = 0.05


def dispersion_test(counts: np.ndarray) -> tuple[float, int, float]:
    """Index-of-dispersion test of counts ``[day, interval]`` of one day type.

    Returns
    -------
    (D, df, p)
        The statistic, its degrees of freedom and the upper-tail p-value (NaN with fewer
        than two days). Intervals with no arrivals on any day are skipped.

    Examples
    --------
    >>> dispersion_test(np.array([[3, 5], [5, 3]]))[:2]
    (2.0, 2)
    """
    x = np.asarray(counts, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        return math.nan, 0, math.nan
    m = x.mean(axis=0)
    use = m > 0
    d = float(np.sum((x[:, use] - m[use]) ** 2 / m[use]))
    df = int(use.sum() * (x.shape[0] - 1))
    return d, df, float(stats.chi2.sf(d, df)) if df > 0 else math.nan


def conditional_uniforms(times: np.ndarray, block: np.ndarray, starts: np.ndarray,
                         length: float) -> np.ndarray:
    """Arrival times as fractions of their block: (t - start) / length, in [0, 1)."""
    return (np.asarray(times, dtype=float) - starts[block]) / length


def brown_exponentials(u: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Brown et al.'s transformation of each block's uniforms into standard exponentials.

    Within a block with ordered uniforms U_(1) <= ... <= U_(n) (U_(0) = 0),
    R_j = -(n + 1 - j) log((1 - U_(j)) / (1 - U_(j-1))).
    """
    order = np.lexsort((u, block))
    u, block = u[order], block[order]
    if u.size == 0:
        return u
    first = np.r_[True, block[1:] != block[:-1]]
    prev = np.where(first, 0.0, np.r_[0.0, u[:-1]])
    starts = np.flatnonzero(first)
    n = np.diff(np.r_[starts, u.size])
    j = np.arange(u.size) - np.repeat(starts, n) + 1
    big_n = np.repeat(n, n)
    with np.errstate(divide="ignore"):
        r = -(big_n + 1 - j) * (np.log1p(-np.minimum(u, 1 - 1e-12))
                                - np.log1p(-np.minimum(prev, 1 - 1e-12)))
    return r


@dataclass(frozen=True)
class PoissonCheck:
    """The two tests and their verdict."""

    days: int
    intervals: int
    arrivals: int
    dispersion: float  # D / df (1 under the Poisson hypothesis)
    dispersion_p: float
    cu_ks: float
    cu_p: float
    brown_ks: float
    brown_p: float
    unrounded_min: float  # resolution that was un-rounded (0: none)
    verdict: str
    poisson: bool

    def rows(self) -> list[dict[str, object]]:
        """Rows for ``arrivals_tests.csv``: test, statistic, p_value, note."""
        return [
            {"test": "dispersion of daily counts (D/df)", "statistic": self.dispersion,
             "p_value": self.dispersion_p, "note": f"{self.days} days, {self.intervals} "
             "intervals; 1 under the Poisson hypothesis, larger when days differ"},
            {"test": "conditional uniformity, KS", "statistic": self.cu_ks,
             "p_value": self.cu_p, "note": f"{self.arrivals} arrivals"},
            {"test": "conditional uniformity, Brown et al. log transform, KS",
             "statistic": self.brown_ks, "p_value": self.brown_p,
             "note": "un-rounded by " + (f"{self.unrounded_min * 60:g} s"
                                         if self.unrounded_min else "nothing")},
        ]


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def poisson_check(counts: Sequence[np.ndarray], times: np.ndarray, block: np.ndarray,
                  starts: np.ndarray, length: float, resolution_min: float,
                  rng: np.random.Generator) -> PoissonCheck:
    """Run both tests and say in plain words what they mean for the scenario.

    Parameters
    ----------
    counts : sequence of arrays ``[day, interval]``
        Daily counts, one array per day type (the dispersion statistics are summed).
    times, block : arrays
        Every arrival time (minutes) and the index of its (day, interval) block in
        ``starts`` (block start times, minutes).
    length : float
        Block length, minutes.
    resolution_min : float
        Clock resolution of the times (0 if finer than a second).
    rng : numpy.random.Generator
        For un-rounding.
    """
    d_sum, df_sum = 0.0, 0
    for c in counts:
        d, df, _ = dispersion_test(c)
        if df > 0:
            d_sum, df_sum = d_sum + d, df_sum + df
    disp = d_sum / df_sum if df_sum else math.nan
    disp_p = float(stats.chi2.sf(d_sum, df_sum)) if df_sum else math.nan
    t = np.asarray(times, dtype=float)
    if resolution_min > 0:
        t = t + rng.random(t.size) * resolution_min
    u = conditional_uniforms(t, block, starts, length)
    keep = (u >= 0) & (u < 1)
    u, b = u[keep], block[keep]
    cu = stats.kstest(u, "uniform") if u.size else None
    r = brown_exponentials(u, b)
    br = stats.kstest(r, "expon") if r.size else None
    n_days = max((c.shape[0] for c in counts), default=0)
    n_int = max((c.shape[1] for c in counts), default=0)
    cu_ks, cu_p = (float(cu.statistic), float(cu.pvalue)) if cu else (math.nan, math.nan)
    br_ks, br_p = (float(br.statistic), float(br.pvalue)) if br else (math.nan, math.nan)
    parts: list[str] = []
    within_ok = not (br_p < ALPHA)
    days_ok = not (disp_p < ALPHA)
    if math.isnan(br_p):
        parts.append("Too few arrivals to test the Poisson assumption.")
    elif within_ok:
        parts.append(f"Within each interval, arrivals look like a Poisson process: the "
                     f"conditional-uniformity test of Brown et al. does not reject it "
                     f"({_p_text(br_p)}).")
    else:
        parts.append(f"Within intervals, arrivals do NOT look Poisson ({_p_text(br_p)}): "
                     "they bunch (groups, appointments, a bus) or the rate changes inside an "
                     "interval; try a shorter --interval, and treat simulated waits as "
                     "optimistic if arrivals bunch.")
    if math.isnan(disp_p):
        parts.append("With one day, day-to-day variation cannot be checked.")
    elif days_ok:
        parts.append(f"Day-to-day counts vary as Poisson counts would (dispersion "
                     f"{disp:.2f}, {_p_text(disp_p)}), so one rate table describes these "
                     "days.")
    else:
        parts.append(f"Daily levels vary MORE than Poisson (dispersion {disp:.2f}, "
                     f"{_p_text(disp_p)}): busy and quiet days differ beyond chance. One "
                     "rate table is an average day; run the scenario at the rates of a busy "
                     "day too, or use --day-type to separate the kinds of day.")
    return PoissonCheck(n_days, n_int, int(u.size), disp, disp_p, cu_ks, cu_p, br_ks, br_p,
                        resolution_min, " ".join(parts), within_ok and days_ok)
