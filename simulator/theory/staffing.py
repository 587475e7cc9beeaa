"""Stationary staffing rules: the fewest servers for a service level or a mean wait, and
square-root staffing in the Halfin-Whitt regime.

References
----------
Halfin, S. & Whitt, W. (1981). Heavy-traffic limits for queues with many exponential servers.
    *Operations Research* 29(3), 567-588.
Gans, N., Koole, G. & Mandelbaum, A. (2003). Telephone call centers: tutorial, review, and
    research prospects. *Manufacturing & Service Operations Management* 5(2), 79-141.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simulator.theory.arguments import check_nonneg, check_positive, check_real
from simulator.theory.erlang import erlang_b_recursion, erlang_c_from_b

__all__ = [
    "halfin_whitt_beta",
    "halfin_whitt_p_wait",
    "servers_for_mean_wait",
    "servers_for_service_level",
    "square_root_staffing",
]


# Hard limit on the number of servers a staffing search may try.
_MAX_STAFFING_SERVERS = 10_000_000


def _staff_search(
    lam: float, es: float, accept: Callable[[int, float, float], bool], what: str
) -> int:
    """Smallest stable c with ``accept(c, a, p_wait)``; Erlang B kept incrementally."""
    a = lam * es
    if a == 0.0:
        return 1
    c = math.floor(a) + 1
    b = erlang_b_recursion(a, c)
    while c <= _MAX_STAFFING_SERVERS:
        if accept(c, a, erlang_c_from_b(a, c, b)):
            return c
        c += 1
        b = a * b / (c + a * b)
    raise ValueError(f"no staffing level up to {_MAX_STAFFING_SERVERS} servers meets {what}")


def servers_for_service_level(
    arrival_rate_per_min: float,
    mean_service_min: float,
    target_share: float,
    within_min: float,
) -> int:
    """Smallest number of M/M/c servers meeting a service-level target.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    target_share : float
        Required share of customers waiting at most ``within_min``,
        0 <= target_share < 1 (e.g. 0.8 for "80/20").
    within_min : float
        Answer-time threshold t, minutes (>= 0).

    Returns
    -------
    int
        Smallest c > a with P(Wq <= t) >= target_share (c >= 1).

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2; Halfin & Whitt, "Heavy-traffic limits for
    queues with many exponential servers", *Operations Research* 29(3)
    (1981), 567-588.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    target = check_nonneg("target_share", target_share)
    if target >= 1:
        raise ValueError(
            f"target_share must be < 1 (got target_share={target_share!r}); "
            "a positive wait probability can never give a 100% service level"
        )
    t = check_nonneg("within_min", within_min)

    def accept(c: int, a: float, pw: float) -> bool:
        return 1.0 - pw * math.exp(-(c - a) * t / es) >= target

    return _staff_search(lam, es, accept, f"target_share={target_share!r}")


def servers_for_mean_wait(
    arrival_rate_per_min: float, mean_service_min: float, max_mean_wait_min: float
) -> int:
    """Smallest number of M/M/c servers with mean queueing delay <= a bound.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    max_mean_wait_min : float
        Upper bound on Wq, minutes (> 0).

    Returns
    -------
    int
        Smallest c > a with Wq = C(c, a) / (c mu - lambda) <= max_mean_wait_min.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    bound = check_positive("max_mean_wait_min", max_mean_wait_min)

    def accept(c: int, a: float, pw: float) -> bool:
        return pw * es / (c - a) <= bound

    return _staff_search(lam, es, accept, f"max_mean_wait_min={max_mean_wait_min!r}")


def square_root_staffing(offered_load: float, beta: float) -> int:
    """Square-root safety staffing c = ceil(a + beta sqrt(a)).

    Parameters
    ----------
    offered_load : float
        Offered load a in Erlangs (arrival rate per minute x mean service
        minutes), >= 0.
    beta : float
        Quality-of-service parameter (safety factor in units of sqrt(a)).

    Returns
    -------
    int
        max(1, ceil(a + beta sqrt(a))).

    References
    ----------
    Halfin & Whitt, "Heavy-traffic limits for queues with many exponential
    servers", *Operations Research* 29(3) (1981), 567-588.
    """
    a = check_nonneg("offered_load", offered_load)
    b = check_real("beta", beta)
    return max(1, math.ceil(a + b * math.sqrt(a)))


def halfin_whitt_p_wait(beta: float) -> float:
    """Halfin-Whitt limit of the M/M/c waiting probability.

    Parameters
    ----------
    beta : float
        Staffing parameter, beta = (c - a) / sqrt(a) (>= 0).

    Returns
    -------
    float
        alpha(beta) = 1 / (1 + beta Phi(beta) / phi(beta)), the limit of
        C(c, a) as a -> infinity with c = a + beta sqrt(a).

    References
    ----------
    Halfin & Whitt, "Heavy-traffic limits for queues with many exponential
    servers", *Operations Research* 29(3) (1981), 567-588.
    """
    b = check_nonneg("beta", beta)
    if b == 0.0:
        return 1.0
    from scipy import stats  # imported on first use: scipy.stats is slow to import

    log_ratio = float(stats.norm.logcdf(b) - stats.norm.logpdf(b))
    if log_ratio > 700.0:
        return 0.0
    return 1.0 / (1.0 + b * math.exp(log_ratio))


def halfin_whitt_beta(target_p_wait: float) -> float:
    """Halfin-Whitt beta giving a target probability of waiting.

    Parameters
    ----------
    target_p_wait : float
        Desired P(wait), 0 < target_p_wait <= 1.

    Returns
    -------
    float
        beta >= 0 solving ``halfin_whitt_p_wait(beta) == target_p_wait``;
        use with :func:`square_root_staffing`.

    References
    ----------
    Halfin & Whitt, "Heavy-traffic limits for queues with many exponential
    servers", *Operations Research* 29(3) (1981), 567-588.
    """
    target = check_positive("target_p_wait", target_p_wait)
    if target > 1:
        raise ValueError(f"target_p_wait must be <= 1 (got target_p_wait={target_p_wait!r})")
    if target == 1.0:
        return 0.0
    from scipy import optimize

    upper = 1.0
    while halfin_whitt_p_wait(upper) > target:
        upper *= 2.0
    return float(
        optimize.brentq(
            lambda b: halfin_whitt_p_wait(b) - target, 0.0, upper, xtol=1e-14, rtol=1e-12
        )
    )
