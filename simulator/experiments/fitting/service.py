"""Service times per service type (and per staff member when asked).

For each service type, the durations of served visits (end - start) are fitted by maximum
likelihood with the four families of :mod:`.families` and ranked by AIC. The best family is
chosen unless the Kolmogorov-Smirnov test rejects it at the 1 % level (its nominal p-value
is already too high, parameters being fitted), in which case the empirical distribution of
the observed times is offered instead; below :data:`MIN_PARAMETRIC` observations the
empirical distribution is used, below :data:`MIN_EMPIRICAL` nothing is fitted. The sample
mean (95 % t-interval) and cv (95 % bootstrap percentile interval, ``scipy.stats.bootstrap``)
are reported beside every fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from simulator.engine.rng import make_generator
from simulator.experiments.fitting.families import FAMILIES, FamilyFit, fit_family
from simulator.experiments.fitting.log import TicketLog

__all__ = ["MIN_EMPIRICAL", "MIN_PARAMETRIC", "SampleSummary", "ServiceFit", "fit_durations",
           "fit_services", "sample_summary"]

#: Fewer observations than this: the empirical distribution, no parametric fit.
MIN_PARAMETRIC = 30
#: Fewer observations than this: nothing is fitted.
MIN_EMPIRICAL = 5
#: The chosen family is refused when its KS p-value is below this.
KS_REFUSE = 0.01


@dataclass(frozen=True)
class SampleSummary:
    """Mean and cv of a sample with 95 % intervals (t for the mean, bootstrap for the cv)."""

    n: int
    mean: float
    mean_low: float
    mean_high: float
    cv: float
    cv_low: float
    cv_high: float


def sample_summary(x: np.ndarray, seed: int, name: str) -> SampleSummary:
    """Summarise ``x``; the bootstrap draws from the named stream ``fit:bootstrap:<name>``."""
    x = np.asarray(x, dtype=float)
    n = x.size
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return SampleSummary(n, mean, math.nan, math.nan, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    cv = sd / mean if mean > 0 else math.nan
    lo = hi = math.nan
    if n >= 3 and np.ptp(x) > 0:
        res = stats.bootstrap((x,), lambda a, axis: np.std(a, axis=axis, ddof=1)
                              / np.mean(a, axis=axis), n_resamples=999, method="percentile",
                              vectorized=True, rng=make_generator(seed, 0, f"fit:bootstrap:{name}"))
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return SampleSummary(n, mean, max(0.0, mean - half), mean + half, cv, lo, hi)


@dataclass(frozen=True)
class ServiceFit:
    """The fits of one sample of durations and what the scenario should use.

    ``chosen`` is a family name, ``"empirical"`` or ``""`` (too few observations);
    ``note`` says why in words.
    """

    scope: str
    values: np.ndarray
    sample: SampleSummary
    fits: tuple[FamilyFit, ...]
    chosen: str
    note: str
    staff: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def best(self) -> FamilyFit | None:
        """The chosen family's fit (None for the empirical distribution or no fit)."""
        return next((f for f in self.fits if f.family == self.chosen), None)

    def scenario_dist(self, empirical_file: str | None = None) -> dict[str, object] | None:
        """The ``service:`` value for the scenario (None when nothing could be fitted)."""
        best = self.best
        if best is not None:
            out: dict[str, object] = {"dist": best.family, "mean": round(best.mean, 4)}
            if best.family != "exponential":
                out["cv"] = round(best.cv, 4)
            return out
        if self.chosen == "empirical":
            if empirical_file is not None:
                return {"dist": "empirical", "file": empirical_file, "column": "minutes"}
            return {"dist": "empirical", "values": [round(float(v), 4) for v in self.values]}
        return None


def fit_durations(values: np.ndarray, scope: str, seed: int,
                  families: tuple[str, ...] = FAMILIES) -> ServiceFit:
    """Fit every family to positive durations and choose one (see the module docstring)."""
    x = np.asarray(values, dtype=float)
    summary = sample_summary(x, seed, scope)
    n = x.size
    if n < MIN_EMPIRICAL:
        return ServiceFit(scope, x, summary, (), "", f"too few observations (n={n}) to fit "
                          f"(expected at least {MIN_EMPIRICAL})")
    if n < MIN_PARAMETRIC:
        return ServiceFit(scope, x, summary, (), "empirical", f"too few observations (n={n}) "
                          f"for a parametric fit (expected at least {MIN_PARAMETRIC}): the "
                          "empirical distribution of the observed times")
    fits = tuple(sorted((fit_family(f, x) for f in families), key=lambda f: f.aic))
    best = fits[0]
    runner_up = fits[1] if len(fits) > 1 else None
    gap = f"; next {runner_up.family} ΔAIC {runner_up.aic - best.aic:.1f}" if runner_up else ""
    if best.ks_p < KS_REFUSE:
        return ServiceFit(scope, x, summary, fits, "empirical",
                          f"no family fits (best by AIC, {best.family}, has KS p = "
                          f"{best.ks_p:.2g} < {KS_REFUSE}): the empirical distribution")
    return ServiceFit(scope, x, summary, fits, best.family,
                      f"{best.family}, best by AIC{gap}; KS D={best.ks_d:.3f} "
                      f"p={best.ks_p:.2f}; AD A²={best.ad_a2:.2f}")


def fit_services(log: TicketLog, seed: int, by_staff: bool = False) -> dict[str, ServiceFit]:
    """Fit service times per service type (scope ``service:<type>``); with ``by_staff`` also
    per staff member (``service:<type>:<staff>``, AIC-best family only)."""
    v = log.visits
    served = v[v["outcome"] == "served"]
    out: dict[str, ServiceFit] = {}
    for station in log.stations:
        at = served[served["station"] == station]
        dur = (at["end_min"] - at["start_min"]).to_numpy(dtype=float)
        out[station] = fit_durations(dur, f"service:{station}", seed)
        if by_staff:
            for person, grp in at.groupby("staff", sort=True):
                if not person:
                    continue
                d = (grp["end_min"] - grp["start_min"]).to_numpy(dtype=float)
                key = f"{station}:{person}"
                fit = fit_durations(d, f"service:{key}", seed)
                out[key] = ServiceFit(fit.scope, fit.values, fit.sample, fit.fits, fit.chosen,
                                      fit.note, staff=str(person))
    return out


def fit_rows(fit: ServiceFit, quantity: str) -> list[dict[str, object]]:
    """Rows of ``fits.csv`` for one fit: one per family, and one for the sample itself."""
    s = fit.sample
    base = {"quantity": quantity, "scope": fit.scope, "staff": fit.staff}
    rows: list[dict[str, object]] = [{
        **base, "family": "sample", "n": s.n, "n_exact": s.n, "chosen": fit.chosen == "empirical",
        "mean_min": s.mean, "mean_low": s.mean_low, "mean_high": s.mean_high, "cv": s.cv,
        "cv_low": s.cv_low, "cv_high": s.cv_high, "loglik": math.nan, "aic": math.nan,
        "delta_aic": math.nan, "ks_d": math.nan, "ks_p": math.nan, "ad_a2": math.nan,
        "method": "sample mean (t interval), sample cv (bootstrap percentile interval)",
        "note": fit.note if fit.chosen in ("empirical", "") else ""}]
    best_aic = min((f.aic for f in fit.fits), default=math.nan)
    for f in fit.fits:
        rows.append({**base, "family": f.family, "n": f.n, "n_exact": f.n_exact,
                     "chosen": f.family == fit.chosen, "mean_min": f.mean,
                     "mean_low": f.mean_low, "mean_high": f.mean_high, "cv": f.cv,
                     "cv_low": f.cv_low, "cv_high": f.cv_high, "loglik": f.loglik,
                     "aic": f.aic, "delta_aic": f.aic - best_aic, "ks_d": f.ks_d,
                     "ks_p": f.ks_p, "ad_a2": f.ad_a2,
                     "method": "maximum likelihood" + (", right-censored" if f.n > f.n_exact
                                                       else ""),
                     "note": fit.note if f.family == fit.chosen else ""})
    return rows


def fits_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """``fits.csv`` from rows of :func:`fit_rows` (and the patience module's)."""
    return pd.DataFrame(rows)
