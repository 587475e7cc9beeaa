"""Erlang A: M/M/c+M, many servers with exponentially impatient customers.

The birth-death chain is truncated where its tail mass is negligible and solved in log space.

References
----------
Garnett, O., Mandelbaum, A. & Reiman, M. (2002). Designing a call center with impatient
    customers. *Manufacturing & Service Operations Management* 4(3), 208-227.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.theory.arguments import check_integer, check_nonneg, check_positive
from simulator.theory.markovian import normalise_log_weights
from simulator.theory.results import QueueMetrics

__all__ = [
    "erlang_a",
    "erlang_a_service_level",
]


# Relative mass below which the tail of a truncated birth-death chain is ignored.
_TAIL_TOLERANCE = 1e-17


# Hard limit on the number of states of a truncated chain (memory guard).
_MAX_STATES = 20_000_000


def _erlang_a_distribution(lam: float, mu: float, c: int, theta: float) -> np.ndarray:
    """Stationary distribution of M/M/c+M, truncated where the tail is negligible."""
    head = np.cumsum(math.log(lam) - np.log(mu * np.arange(1, c + 1)))
    pieces = [np.zeros(1), head]
    last = float(head[-1])
    log_max = max(0.0, float(head.max()))
    log_lam = math.log(lam)
    log_tol = math.log(_TAIL_TOLERANCE)
    start, chunk, total = 1, 256, c + 1
    while True:
        k = np.arange(start, start + chunk, dtype=float)  # state n = c + k
        log_w = last + np.cumsum(log_lam - np.log(c * mu + k * theta))
        pieces.append(log_w)
        total += chunk
        last = float(log_w[-1])
        log_max = max(log_max, float(log_w.max()))
        # Ratios p_{n+1}/p_n = lam / (c mu + (n+1-c) theta) decrease in n, so the
        # tail beyond the last state is at most w_last * r / (1 - r).
        r_next = lam / (c * mu + (start + chunk) * theta)
        if r_next < 1.0 and last + math.log(r_next / (1.0 - r_next)) < log_max + log_tol:
            break
        if total > _MAX_STATES:
            raise ValueError(
                "erlang_a: truncated chain would need more than "
                f"{_MAX_STATES} states (patience far too long for this overload); "
                "use a shorter mean_patience_min"
            )
        start += chunk
        chunk = min(2 * chunk, 1 << 20)
    return normalise_log_weights(np.concatenate(pieces))


def erlang_a(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
) -> QueueMetrics:
    """Steady-state measures of the Erlang A (M/M/c+M) queue with abandonment.

    Customers arrive as a Poisson process, need exponential service and
    abandon the queue after an exponential patience time if service has not
    started. The system is stable for any load.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    servers : int
        Number of servers c (>= 1).
    mean_patience_min : float
        Mean exponential patience 1/theta, minutes (> 0).

    Returns
    -------
    QueueMetrics
        Exact values from the birth-death chain (birth rate lambda, death rate
        min(n, c) mu + max(n - c, 0) theta), truncated where the remaining
        tail mass is below 1e-17 of the largest state probability.
        ``p_abandon`` = theta Lq / lambda; ``mean_wait_min`` = Lq / lambda
        (all arrivals, abandoners counted until they leave);
        ``p_wait`` = P(N >= c) (PASTA); ``utilisation`` = lambda
        (1 - p_abandon) / (c mu); ``throughput_per_min`` = served rate;
        ``mean_time_in_system_min`` = L / lambda (all arrivals).
        ``mean_wait_served_min`` and ``mean_wait_abandoned_min`` are the
        conditional mean waits of served and abandoning customers: a customer
        arriving with k others queued ahead is served with probability
        c mu / (c mu + (k+1) theta), abandons at each of the k+1 stages with
        probability theta / (c mu + (k+1) theta), and the stage with j ahead
        lasts Exp(c mu + (j+1) theta) whatever ends it.

    Raises
    ------
    ValueError
        If arguments are invalid, or if the chain would need more than
        2e7 states (extremely long patience with overload).

    References
    ----------
    Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
    customers", *M&SOM* 4(3) (2002), 208-227; Gross, Shortle, Thompson &
    Harris, *Fundamentals of Queueing Theory*, 4th ed. (2008), Ch. 2
    (queues with impatience).
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    patience = check_positive("mean_patience_min", mean_patience_min)
    if lam == 0.0:
        return QueueMetrics(
            model="M/M/c+M",
            servers=c,
            utilisation=0.0,
            p_wait=0.0,
            mean_wait_min=0.0,
            mean_time_in_system_min=es,
            mean_queue_len=0.0,
            mean_in_system=0.0,
            throughput_per_min=0.0,
            p_abandon=0.0,
            mean_wait_served_min=0.0,
            mean_wait_abandoned_min=None,
        )
    mu = 1.0 / es
    theta = 1.0 / patience
    p = _erlang_a_distribution(lam, mu, c, theta)
    n = np.arange(p.size)
    q = p[c:]  # states with k = n - c >= 0 customers queued
    k = np.arange(q.size, dtype=float)
    lq = float(np.dot(k, q))
    busy = float(np.dot(np.minimum(n, c), p))
    p_abandon = theta * lq / lam
    wq = lq / lam
    # Tagged-customer analysis for an arrival finding k queued ahead.
    exit_rate = c * mu + (k + 1.0) * theta  # R_j for j = k ahead
    inv_r = 1.0 / exit_rate
    h = np.cumsum(inv_r)  # sum_{j=0}^{k} 1/R_j
    g = np.cumsum((k + 1.0) * inv_r)  # sum_{j=0}^{k} (j+1)/R_j
    p_below = float(p[:c].sum())
    served_mass = q * (c * mu) * inv_r
    p_served = p_below + float(served_mass.sum())
    w_served = float(np.dot(served_mass, h)) / p_served
    abandon_wait_mass = float(np.dot(q * theta * inv_r, g))
    p_ab_chain = float(np.dot(q, (k + 1.0) * theta * inv_r))
    w_abandoned = abandon_wait_mass / p_ab_chain if p_ab_chain > 0.0 else None
    return QueueMetrics(
        model="M/M/c+M",
        servers=c,
        utilisation=busy / c,
        p_wait=float(q.sum()),
        mean_wait_min=wq,
        mean_time_in_system_min=wq + busy / lam,
        mean_queue_len=lq,
        mean_in_system=lq + busy,
        throughput_per_min=busy * mu,
        p_abandon=p_abandon,
        mean_wait_served_min=w_served,
        mean_wait_abandoned_min=w_abandoned,
    )


def erlang_a_service_level(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
    within_min: float,
) -> float:
    """Share of all arrivals to an Erlang A (M/M/c+M) queue served within ``within_min``.

    Abandoning customers count as failing, as in a service standard.

    Parameters
    ----------
    arrival_rate_per_min, mean_service_min, servers, mean_patience_min : as :func:`erlang_a`
    within_min : float
        Waiting-time limit t, minutes (>= 0).

    Returns
    -------
    float
        P(N < c) + sum_k P(N = c + k) P(served within t | k queued ahead). An arrival with k
        ahead moves up at rate c mu + j theta while j are ahead and abandons at rate theta, so
        it is served within t with the probability that the pure-death chain j = k .. 0 is
        absorbed in "served" by t; computed exactly by uniformization (Poisson weights of the
        embedded chain's steps, tail below 1e-12).

    References
    ----------
    Garnett, Mandelbaum & Reiman (2002), *M&SOM* 4(3), 208-227; uniformization: Gross,
    Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed. (2008), §9.1.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    theta = 1.0 / check_positive("mean_patience_min", mean_patience_min)
    t = check_nonneg("within_min", within_min)
    if lam == 0.0:
        return 1.0
    mu = 1.0 / es
    p = _erlang_a_distribution(lam, mu, c, theta)
    q = p[c:]  # k queued ahead, k = 0 .. K
    k = np.arange(q.size, dtype=float)
    advance = c * mu + k * theta  # the line moves up (a service ends, or one ahead leaves)
    total = advance + theta  # ... or the tagged customer abandons
    big = float(total[-1])
    x = big * t
    # g[j]: P(served within n uniformized steps | j ahead); the served state has g = 1.
    # acc = sum_n Poisson(n; x) g_n, the Poisson weights taken in log space up to where the
    # remaining tail is below 1e-12 (x + 12 sqrt(x) + 30 steps).
    g = np.zeros(q.size)
    acc = np.zeros(q.size)
    log_x = math.log(x) if x > 0 else -math.inf
    last = math.ceil(x + 12.0 * math.sqrt(x) + 30.0) if x > 0 else 0
    for n in range(1, last + 1):
        g = advance / big * np.concatenate(([1.0], g[:-1])) + (1.0 - total / big) * g
        acc += math.exp(-x + n * log_x - math.lgamma(n + 1.0)) * g
    return float(p[:c].sum() + np.dot(q, acc))
