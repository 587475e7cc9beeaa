"""The statistics of servsim fit: Poisson tests, censored patience, MLE intervals, balking."""

from __future__ import annotations

import numpy as np

from simulator.experiments.fitting.families import fit_family, frozen
from simulator.experiments.fitting.poisson import poisson_check

RATES = np.array([40, 40, 60, 60, 70, 70, 70, 50, 50, 50, 60, 60, 45, 45, 30, 30]) / 60.0


def nhpp_day(rng: np.random.Generator, level: float = 1.0) -> np.ndarray:
    """Arrival times (min after 0) of one day: Poisson, piecewise constant per 30 min."""
    out = []
    for i, r in enumerate(RATES * level):
        n = rng.poisson(r * 30)
        out.append(30 * i + np.sort(rng.random(n)) * 30)
    return np.concatenate(out)


def check(days: list[np.ndarray], seed: int):
    counts = np.array([np.bincount((d // 30).astype(int), minlength=RATES.size) for d in days])
    times = np.concatenate(days)
    block = np.concatenate([k * RATES.size + (d // 30).astype(int) for k, d in enumerate(days)])
    starts = np.tile(np.arange(RATES.size) * 30.0, len(days))
    return poisson_check([counts], times, block, starts, 30.0, 0.0,
                         np.random.default_rng(seed))


def test_poisson_check_accepts_nhpp_and_rejects_overdispersed_days() -> None:
    accepted = rejected = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        nhpp = check([nhpp_day(rng) for _ in range(15)], seed)
        accepted += nhpp.poisson
        # daily levels vary (gamma, cv 0.3): within-day Poisson, days overdispersed
        levels = rng.gamma(1 / 0.09, 0.09, size=15)
        mixed = check([nhpp_day(rng, lv) for lv in levels], seed)
        rejected += mixed.dispersion_p < 0.05
        assert mixed.brown_p > 0.001  # within a day it is still Poisson
        assert "MORE than Poisson" in mixed.verdict or mixed.dispersion_p >= 0.05
    assert accepted >= 8  # both tests at 5 %: about 90 % accept a true NHPP
    assert rejected >= 9


def test_conditional_uniformity_rejects_bunched_arrivals() -> None:
    rng = np.random.default_rng(3)
    days = []
    for _ in range(10):
        d = nhpp_day(rng)
        days.append(np.sort(np.concatenate([d, d[::3] + 0.01])))  # pairs arriving together
    assert check(days, 1).brown_p < 0.001


def test_censored_patience_is_unbiased_where_the_naive_mean_is_not() -> None:
    """Half the customers are served before their patience runs out (exponential patience
    and exponential waits with equal means)."""
    from scipy import stats

    theta, est, naive, km_at, covered = 20.0, [], [], [], 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        patience, wait = rng.exponential(theta, 2000), rng.exponential(theta, 2000)
        left = patience < wait
        exact, right = patience[left], wait[~left]
        assert 0.45 < left.mean() < 0.55
        fit = fit_family("exponential", exact, right)
        covered += fit.mean_low <= theta <= fit.mean_high
        est.append(fit.mean)
        naive.append(exact.mean())
        km = stats.ecdf(stats.CensoredData(uncensored=exact, right=right)).sf
        km_at.append(float(km.evaluate(10.0)))
        wb = fit_family("weibull", exact, right)
        assert abs(wb.mean - theta) < 4 * (wb.mean_high - wb.mean_low) / 3.92
    assert covered >= 16  # 95 % intervals; binomial 1 % bound for 20 seeds is 16
    se = np.std(est, ddof=1) / np.sqrt(len(est))
    assert abs(np.mean(est) - theta) < 3 * se  # censored MLE: unbiased
    assert abs(np.mean(km_at) - np.exp(-10 / theta)) < 0.01  # Kaplan-Meier: unbiased
    assert np.mean(naive) < 0.6 * theta  # the naive mean: E[T | T < W] = theta / 2


def test_mle_intervals_cover_the_truth() -> None:
    hits = {"mean": 0, "cv": 0}
    n = 40
    for seed in range(n):
        x = frozen("gamma", 12.0, 0.5).rvs(800, random_state=np.random.default_rng(seed))
        f = fit_family("gamma", x)
        hits["mean"] += f.mean_low <= 12.0 <= f.mean_high
        hits["cv"] += f.cv_low <= 0.5 <= f.cv_high
    assert hits["mean"] >= 33 and hits["cv"] >= 33  # 95 % of 40 = 38; binomial 1 % bound 34
