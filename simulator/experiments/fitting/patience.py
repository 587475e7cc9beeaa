"""Patience from censored waits, and balking where the log records it.

A customer who abandons shows its patience (the wait until it left); a customer who is
served shows only that its patience was longer than its wait: a right-censored observation
(Brown et al. 2005, §6). servsim draws one patience per customer and restarts the clock at
each line, so a ticket gives one observation: exact at the visit where it abandoned, else
censored at its longest wait. Estimates:

* Kaplan-Meier survival of patience (``scipy.stats.ecdf`` of ``scipy.stats.CensoredData``),
  with its median when reached and its mean restricted to the longest observed wait;
* censored maximum likelihood of exponential, lognormal and Weibull patience, by AIC;
* the classical estimate of an exponential patience, total waiting time / abandonments
  (Brown et al. 2005, §6.3; the censored MLE of the exponential), with the chi-square
  interval 2W/χ²(2d);
* the naive mean of the abandoning customers' waits, shown only to warn: it ignores the
  served customers and is biased low.

Balking (a customer who sees the line and leaves without joining) is modelled as servsim
does: with probability p when at least k wait. k and p are the maximum-likelihood
change point of a two-level Bernoulli model over the line lengths customers saw on arriving,
reconstructed from the log.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulator.experiments.fitting.families import FamilyFit, fit_family
from simulator.experiments.fitting.log import TicketLog
from simulator.experiments.fitting.quality import DataQuality

__all__ = [
    "MIN_ABANDONMENTS",
    "BalkFit",
    "PatienceFit",
    "fit_balking",
    "fit_patience",
    "patience_data",
    "queue_seen",
]

#: Fewer abandonments than this: no patience is fitted (customers in the scenario wait).
MIN_ABANDONMENTS = 10
PATIENCE_FAMILIES = ("exponential", "lognormal", "weibull")


def patience_data(log: TicketLog, dq: DataQuality | None = None) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """(exact, right-censored) patience observations, one per ticket, minutes."""
    v = log.visits
    v = v[v["outcome"] != "balked"]
    aband = v["outcome"] == "abandoned"
    no_time = aband & v["end_min"].isna()
    if dq is not None:
        dq.add("abandoned without a leave time", v.loc[no_time, "line"].tolist(),
               "counted as an abandonment; left out of the patience estimate")
    wait = np.where(aband, v["end_min"] - v["join_min"], v["start_min"] - v["join_min"])
    frame = pd.DataFrame({"ticket": v["ticket"].to_numpy(), "wait": wait,
                          "aband": aband.to_numpy(), "no_time": no_time.to_numpy()})
    per = frame.groupby("ticket", sort=False).agg(
        wait=("wait", "max"), aband=("aband", "any"), no_time=("no_time", "any"))
    exact_rows = frame[frame["aband"] & ~frame["no_time"]]
    exact = exact_rows["wait"].to_numpy(dtype=float)
    right = per.loc[~per["aband"], "wait"].to_numpy(dtype=float)
    # a served customer who did not wait says nothing about patience (S(0) = 1)
    return np.maximum(exact, 0.0), right[np.isfinite(right) & (right > 0)]


@dataclass(frozen=True)
class PatienceFit:
    """Everything estimated about patience."""

    n_tickets: int
    n_abandoned: int
    fits: tuple[FamilyFit, ...]
    chosen: str
    classical_mean: float
    classical_low: float
    classical_high: float
    naive_mean: float
    km_time: np.ndarray
    km_survival: np.ndarray
    km_low: np.ndarray
    km_high: np.ndarray
    km_median: float
    km_restricted_mean: float
    km_horizon: float
    note: str

    @property
    def best(self) -> FamilyFit | None:
        """The chosen censored MLE fit (None when too few abandonments)."""
        return next((f for f in self.fits if f.family == self.chosen), None)

    def scenario_dist(self) -> dict[str, object] | None:
        """The ``patience:`` value of the scenario's classes (None: no patience)."""
        best = self.best
        if best is None:
            return None
        out: dict[str, object] = {"dist": best.family, "mean": round(best.mean, 4)}
        if best.family != "exponential":
            out["cv"] = round(min(best.cv, 10.0), 4)
        return out


def fit_patience(log: TicketLog, dq: DataQuality | None = None) -> PatienceFit:
    """Estimate patience from the log (see the module docstring)."""
    exact, right = patience_data(log, dq)
    d, n = exact.size, exact.size + right.size
    km_t = km_s = km_lo = km_hi = np.zeros(0)
    km_median = km_rmean = horizon = math.nan
    if d > 0:
        res = stats.ecdf(stats.CensoredData(uncensored=np.maximum(exact, 1e-9), right=right))
        sf = res.sf
        km_t, km_s = np.asarray(sf.quantiles, dtype=float), np.asarray(sf.probabilities)
        with warnings.catch_warnings():  # undefined where S = 0 or 1: shown as 0 and 1
            warnings.simplefilter("ignore", RuntimeWarning)
            ci = sf.confidence_interval(0.95)
        km_lo = np.nan_to_num(np.asarray(ci.low.probabilities, dtype=float), nan=0.0)
        km_hi = np.nan_to_num(np.asarray(ci.high.probabilities, dtype=float), nan=1.0)
        below = np.flatnonzero(km_s <= 0.5)
        km_median = float(km_t[below[0]]) if below.size else math.nan
        horizon = float(max(exact.max(initial=0), right.max(initial=0)))
        edges = np.r_[0.0, km_t, horizon]
        heights = np.r_[1.0, km_s]
        km_rmean = float(np.sum(np.diff(np.minimum(edges, horizon)) * heights))
    total = float(exact.sum() + right.sum())
    classical = total / d if d else math.nan
    c_lo = 2 * total / stats.chi2.ppf(0.975, 2 * d) if d else math.nan
    c_hi = 2 * total / stats.chi2.ppf(0.025, 2 * d) if d else math.nan
    naive = float(exact.mean()) if d else math.nan
    if d < MIN_ABANDONMENTS:
        note = (f"too few abandonments (n={d}) to estimate patience (expected at least "
                f"{MIN_ABANDONMENTS}): customers in the scenario never abandon")
        return PatienceFit(n, d, (), "", classical, c_lo, c_hi, naive, km_t, km_s, km_lo,
                           km_hi, km_median, km_rmean, horizon, note)
    ex = np.maximum(exact, 1e-3)  # a zero wait before leaving: below the clock's resolution
    fits = tuple(sorted((fit_family(f, ex, right) for f in PATIENCE_FAMILIES),
                        key=lambda f: f.aic))
    best = fits[0]
    note = (f"{best.family}, best by AIC of censored maximum-likelihood fits "
            f"({d} abandonments, {right.size} censored); classical estimate "
            f"{classical:.1f} min")
    return PatienceFit(n, d, fits, best.family, classical, c_lo, c_hi, naive, km_t, km_s,
                       km_lo, km_hi, km_median, km_rmean, horizon, note)


def patience_rows(p: PatienceFit) -> list[dict[str, object]]:
    """Rows of ``fits.csv`` for patience."""
    nan = math.nan
    base = {"quantity": "patience", "scope": "patience", "staff": "", "n": p.n_tickets,
            "n_exact": p.n_abandoned, "cv_low": nan, "cv_high": nan, "loglik": nan,
            "aic": nan, "delta_aic": nan, "ks_d": nan, "ks_p": nan, "ad_a2": nan}
    rows: list[dict[str, object]] = [
        {**base, "family": "kaplan_meier", "chosen": False, "mean_min": p.km_restricted_mean,
         "mean_low": nan, "mean_high": nan, "cv": nan,
         "method": "Kaplan-Meier (scipy.stats.ecdf, right-censored)",
         "note": f"mean restricted to {p.km_horizon:.0f} min (the longest wait); median "
                 + (f"{p.km_median:.1f} min" if math.isfinite(p.km_median) else
                    "not reached")},
        {**base, "family": "classical_exponential", "chosen": False,
         "mean_min": p.classical_mean, "mean_low": p.classical_low,
         "mean_high": p.classical_high, "cv": 1.0,
         "method": "total waiting time / abandonments, chi-square interval", "note": ""},
        {**base, "family": "naive_abandoners_mean", "chosen": False, "mean_min": p.naive_mean,
         "mean_low": nan, "mean_high": nan, "cv": nan,
         "method": "mean wait of abandoning customers only",
         "note": "biased low: ignores that served customers were more patient; not used"},
    ]
    best_aic = min((f.aic for f in p.fits), default=nan)
    for f in p.fits:
        rows.append({**base, "family": f.family, "chosen": f.family == p.chosen,
                     "mean_min": f.mean, "mean_low": f.mean_low, "mean_high": f.mean_high,
                     "cv": f.cv, "cv_low": f.cv_low, "cv_high": f.cv_high,
                     "loglik": f.loglik, "aic": f.aic, "delta_aic": f.aic - best_aic,
                     "method": "maximum likelihood, right-censored",
                     "note": p.note if f.family == p.chosen else ""})
    if not p.fits:
        rows[1]["note"] = p.note
    return rows


def queue_seen(log: TicketLog) -> np.ndarray:
    """Customers waiting in the line of each visit's station when it arrived there.

    A visit waits from ``join_min`` until service starts, or until it left (abandoned);
    balking visits never join. Ties count the earlier event first.
    """
    v = log.visits
    q = np.zeros(len(v), dtype=np.int64)
    join = v["join_min"].to_numpy(dtype=float)
    leave = np.where(v["outcome"] == "served", v["start_min"],
                     np.where(v["outcome"] == "abandoned", v["end_min"], np.nan))
    leave = np.where(np.isnan(leave) & (v["outcome"] == "abandoned"), join, leave)
    joined = (v["outcome"] != "balked").to_numpy()
    for _, idx in v.groupby(["day", "station"], sort=False).indices.items():
        j = np.sort(join[idx][joined[idx]])
        lv = np.sort(leave[idx][joined[idx]])
        q[idx] = np.searchsorted(j, join[idx], "left") - np.searchsorted(lv, join[idx], "right")
    return np.maximum(q, 0)


@dataclass(frozen=True)
class BalkFit:
    """Balking: with ``probability`` when at least ``queue_at_least`` wait."""

    n_arrivals: int
    n_balked: int
    queue_at_least: int
    probability: float
    probability_low: float
    probability_high: float
    below_rate: float
    note: str

    def scenario(self) -> dict[str, object] | None:
        """The ``balk:`` value of the scenario's classes (None: no balking)."""
        if self.queue_at_least < 0:
            return None
        return {"queue_at_least": int(self.queue_at_least),
                "probability": round(min(1.0, max(self.probability, 1e-4)), 4)}


def fit_balking(log: TicketLog, min_balks: int = 5) -> BalkFit:
    """Fit the balking rule by the change point of P(balk | line length seen)."""
    v = log.visits
    balked = (v["outcome"] == "balked").to_numpy()
    nb, n = int(balked.sum()), len(v)
    if nb < min_balks:
        note = ("the log records no balking" if nb == 0 else
                f"too few balking customers (n={nb}) to fit a rule (expected at least "
                f"{min_balks})")
        return BalkFit(n, nb, -1, 0.0, math.nan, math.nan, math.nan, note)
    q = queue_seen(log)
    best: tuple[float, int] = (-math.inf, -1)
    for k in np.unique(q[balked]):
        hi = q >= k
        b1, n1 = balked[hi].sum(), hi.sum()
        b0, n0 = balked[~hi].sum(), (~hi).sum()
        ll = 0.0
        for b, m in ((b1, n1), (b0, n0)):
            if m and 0 < b < m:
                p = b / m
                ll += b * math.log(p) + (m - b) * math.log1p(-p)
        if ll > best[0]:
            best = (ll, int(k))
    k = best[1]
    hi = q >= k
    b1, n1 = int(balked[hi].sum()), int(hi.sum())
    ci = stats.binomtest(b1, n1).proportion_ci(0.95, method="exact")
    below = float(balked[~hi].mean()) if (~hi).any() else 0.0
    note = (f"{b1} of {n1} customers who saw {k} or more waiting balked (maximum-likelihood "
            f"change point over the line lengths seen)")
    if below > 0:
        note += f"; {below:.1%} balked at shorter lines (not modelled)"
    return BalkFit(n, nb, k, b1 / n1, float(ci.low), float(ci.high), below, note)
