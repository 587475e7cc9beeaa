"""Maximum-likelihood fits of exponential, gamma, lognormal and Weibull distributions.

Each family is fitted with ``scipy.stats`` (location fixed at 0), to complete data or to
right-censored data (``scipy.stats.CensoredData``: a served customer's wait is a lower bound
on its patience). The fit is then re-expressed by its mean and coefficient of variation, the
parameters a scenario uses, and the 95 % intervals of both come from the observed
information: the numerical Hessian of the negative log-likelihood in (log mean, log cv) at
the maximum, so the intervals are symmetric on the log scale and never include impossible
(negative) values (Pawitan, *In All Likelihood*, 2001, ch. 2 and 9).

The goodness of fit is reported as Kolmogorov-Smirnov (``scipy.stats.kstest`` against the
fitted distribution) and the Anderson-Darling statistic A² of the fitted distribution
(Anderson & Darling, 1954; D'Agostino & Stephens, *Goodness-of-Fit Techniques*, 1986, eq.
4.2). Both p-values treat the parameters as known; with fitted parameters the true p-values
are smaller, so a family these tests reject does not fit. Families are ranked by AIC
(Akaike, 1974): AIC = 2k - 2 log L.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from simulator.scenario.distributions import Weibull

__all__ = ["FAMILIES", "FamilyFit", "ad_statistic", "fit_family", "frozen", "weibull_shape"]

#: Families fitted, in the order reported.
FAMILIES: tuple[str, ...] = ("exponential", "gamma", "lognormal", "weibull")
_Z = stats.norm.ppf(0.975)


def weibull_shape(cv: float) -> float:
    """Shape k of the Weibull distribution with coefficient of variation ``cv``
    (:meth:`simulator.scenario.distributions.Weibull.shape_scale`).

    Examples
    --------
    >>> round(weibull_shape(1.0), 6)
    1.0
    """
    return Weibull(mean=1.0, cv=cv).shape_scale()[0]


def frozen(family: str, mean: float, cv: float) -> stats.rv_continuous:
    """The ``scipy.stats`` distribution of ``family`` with this mean and cv (loc 0)."""
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "gamma":
        shape = 1.0 / (cv * cv)
        return stats.gamma(shape, scale=mean / shape)
    if family == "lognormal":
        s2 = math.log1p(cv * cv)
        return stats.lognorm(math.sqrt(s2), scale=mean * math.exp(-s2 / 2))
    if family == "weibull":
        k = weibull_shape(cv)
        return stats.weibull_min(k, scale=mean / math.exp(special.gammaln(1 + 1 / k)))
    raise ValueError(f"unknown family {family!r} (expected one of {', '.join(FAMILIES)})")


def _mean_cv(dist: stats.rv_continuous) -> tuple[float, float]:
    m, v = (float(x) for x in dist.stats("mv"))
    return m, math.sqrt(v) / m


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted by maximum likelihood.

    Attributes
    ----------
    family : str
    n, n_exact : int
        Observations, and how many of them are exact (not censored).
    mean, mean_low, mean_high : float
        Mean of the fitted distribution and its 95 % interval (minutes).
    cv, cv_low, cv_high : float
        Coefficient of variation (1 for the exponential, without interval).
    loglik, aic : float
    ks_d, ks_p, ad_a2 : float
        Goodness of fit against the exact observations (NaN for censored fits).
    """

    family: str
    n: int
    n_exact: int
    mean: float
    mean_low: float
    mean_high: float
    cv: float
    cv_low: float
    cv_high: float
    loglik: float
    aic: float
    ks_d: float = math.nan
    ks_p: float = math.nan
    ad_a2: float = math.nan

    @property
    def k(self) -> int:
        """Number of fitted parameters."""
        return 1 if self.family == "exponential" else 2

    def dist(self) -> stats.rv_continuous:
        """The fitted distribution (``scipy.stats``, frozen)."""
        return frozen(self.family, self.mean, self.cv)


def _loglik(family: str, theta: np.ndarray, exact: np.ndarray, right: np.ndarray) -> float:
    """Log-likelihood at (log mean[, log cv]); exact values by density, right-censored by
    survival function."""
    mean = math.exp(theta[0])
    cv = 1.0 if family == "exponential" else math.exp(theta[1])
    try:
        d = frozen(family, mean, cv)
    except ValueError:
        return -math.inf
    total = float(np.sum(d.logpdf(exact)))
    if right.size:
        total += float(np.sum(d.logsf(right)))
    return total if math.isfinite(total) else -math.inf


def _hessian(f, theta: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``theta``."""
    k = theta.size
    out = np.empty((k, k))
    f0 = f(theta)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h
        out[i, i] = (f(theta + ei) - 2 * f0 + f(theta - ei)) / (h * h)
        for j in range(i + 1, k):
            ej = np.zeros(k)
            ej[j] = h
            out[i, j] = out[j, i] = (f(theta + ei + ej) - f(theta + ei - ej)
                                     - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h * h)
    return out


def ad_statistic(x: np.ndarray, cdf) -> float:
    """Anderson-Darling A² of sample ``x`` against a fully specified ``cdf``.

    A² = -n - (1/n) Σ (2i - 1) [ln F(x_(i)) + ln(1 - F(x_(n+1-i)))] (D'Agostino & Stephens
    1986, eq. 4.2). Its 5 % critical value for a fully specified distribution is 2.492.
    """
    z = np.clip(cdf(np.sort(np.asarray(x, dtype=float))), 1e-300, 1 - 1e-16)
    n = z.size
    i = np.arange(1, n + 1)
    return float(-n - np.sum((2 * i - 1) * (np.log(z) + np.log1p(-z[::-1]))) / n)


def _scipy_fit(family: str, exact: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """MLE by ``scipy.stats`` (loc fixed at 0), returned as (mean, cv)."""
    data = exact if right.size == 0 else stats.CensoredData(uncensored=exact, right=right)
    if family == "exponential":
        _, scale = stats.expon.fit(data, floc=0)
        return float(scale), 1.0
    if family == "gamma":
        a, _, scale = stats.gamma.fit(data, floc=0)
        return _mean_cv(stats.gamma(a, scale=scale))
    if family == "lognormal":
        s, _, scale = stats.lognorm.fit(data, floc=0)
        return _mean_cv(stats.lognorm(s, scale=scale))
    if family == "weibull":
        c, _, scale = stats.weibull_min.fit(data, floc=0)
        return _mean_cv(stats.weibull_min(c, scale=scale))
    raise ValueError(f"unknown family {family!r} (expected one of {', '.join(FAMILIES)})")


def fit_family(family: str, exact: np.ndarray, right: np.ndarray | None = None) -> FamilyFit:
    """Fit ``family`` by maximum likelihood to exact and right-censored observations.

    Parameters
    ----------
    family : {"exponential", "gamma", "lognormal", "weibull"}
    exact : array of float
        Observed values (> 0), e.g. service times or abandoning customers' waits (minutes).
    right : array of float, optional
        Right-censored values: the quantity is known to exceed each (served customers'
        waits, for patience).

    Returns
    -------
    FamilyFit
        With 95 % intervals for the mean and cv from the observed information, and KS and
        Anderson-Darling statistics against the exact values when nothing is censored.

    Examples
    --------
    >>> fit_family("exponential", np.array([1.0, 2.0, 3.0])).mean
    2.0
    """
    exact = np.asarray(exact, dtype=float)
    right = np.zeros(0) if right is None else np.asarray(right, dtype=float)
    mean, cv = _scipy_fit(family, exact, right)
    theta = np.log([mean] if family == "exponential" else [mean, cv])
    loglik = _loglik(family, theta, exact, right)
    # the exponential MLE with censoring has a closed form; use it to check scipy's optimiser
    if family == "exponential" and right.size:
        closed = (exact.sum() + right.sum()) / max(exact.size, 1)
        theta = np.log([closed])
        mean, loglik = closed, _loglik(family, theta, exact, right)
    info = -_hessian(lambda t: _loglik(family, t, exact, right), theta)
    try:
        cov = np.linalg.inv(info)
        se = np.sqrt(np.diag(cov)) if np.all(np.diag(cov) > 0) else np.full(theta.size, np.nan)
    except np.linalg.LinAlgError:
        se = np.full(theta.size, np.nan)
    mean_lo, mean_hi = (math.exp(theta[0] - _Z * se[0]), math.exp(theta[0] + _Z * se[0]))
    if family == "exponential":
        cv_lo = cv_hi = math.nan
    else:
        cv_lo, cv_hi = math.exp(theta[1] - _Z * se[1]), math.exp(theta[1] + _Z * se[1])
    k = theta.size
    ks_d = ks_p = ad = math.nan
    if right.size == 0 and exact.size:
        d = frozen(family, mean, cv)
        ks = stats.kstest(exact, d.cdf)
        ks_d, ks_p = float(ks.statistic), float(ks.pvalue)
        ad = ad_statistic(exact, d.cdf)
    return FamilyFit(family, int(exact.size + right.size), int(exact.size), float(mean),
                     mean_lo, mean_hi, float(cv), cv_lo, cv_hi, loglik, 2 * k - 2 * loglik,
                     ks_d, ks_p, ad)
