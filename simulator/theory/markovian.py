"""Markovian queues: M/M/1, M/M/c (with its waiting-time tail and service level), M/M/c/K.

Finite birth-death chains are solved in log space, so large loads do not overflow.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley, ch. 2.
Kleinrock, L. (1975). *Queueing Systems, Volume 1: Theory*. Wiley.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.theory.arguments import check_integer, check_nonneg, check_positive, unstable_error
from simulator.theory.erlang import erlang_b_recursion, erlang_c_from_b
from simulator.theory.results import QueueMetrics

__all__ = [
    "mm1",
    "mmc",
    "mmc_service_level",
    "mmc_wait_exceeds",
    "mmck",
    "normalise_log_weights",
]


def mm1(arrival_rate_per_min: float, mean_service_min: float) -> QueueMetrics:
    """Steady-state measures of the M/M/1 queue.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, customers per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).

    Returns
    -------
    QueueMetrics
        With rho = lambda/mu: p_wait = rho, Wq = rho/(mu - lambda),
        W = 1/(mu - lambda), Lq = rho^2/(1 - rho), L = rho/(1 - rho).

    Raises
    ------
    ValueError
        If rho >= 1 or arguments are invalid.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2; Kleinrock, *Queueing Systems Vol. 1* (1975),
    Ch. 3.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    rho = lam * es
    if rho >= 1:
        raise unstable_error(
            rho, arrival_rate_per_min=arrival_rate_per_min, mean_service_min=mean_service_min
        )
    wq = rho * es / (1.0 - rho)
    lq = rho * rho / (1.0 - rho)
    return QueueMetrics(
        model="M/M/1",
        servers=1,
        utilisation=rho,
        p_wait=rho,
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=lq + rho,
        throughput_per_min=lam,
    )


def mmc(arrival_rate_per_min: float, mean_service_min: float, servers: int) -> QueueMetrics:
    """Steady-state measures of the M/M/c (Erlang C) queue.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, customers per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    servers : int
        Number of parallel servers c (>= 1).

    Returns
    -------
    QueueMetrics
        With a = lambda/mu and C = C(c, a): p_wait = C,
        Wq = C / (c mu - lambda), W = Wq + 1/mu, Lq = lambda Wq, L = Lq + a,
        utilisation = a / c.

    Raises
    ------
    ValueError
        If a / c >= 1 or arguments are invalid.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2; Kleinrock, *Queueing Systems Vol. 1* (1975),
    Ch. 3.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    a = lam * es
    rho = a / c
    if rho >= 1:
        raise unstable_error(
            rho,
            arrival_rate_per_min=arrival_rate_per_min,
            mean_service_min=mean_service_min,
            servers=c,
        )
    pw = erlang_c_from_b(a, c, erlang_b_recursion(a, c))
    # Wq = C / (c mu - lambda) = C * es / (c - a)
    wq = pw * es / (c - a)
    lq = lam * wq
    return QueueMetrics(
        model="M/M/c",
        servers=c,
        utilisation=rho,
        p_wait=pw,
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=lq + a,
        throughput_per_min=lam,
    )


def mmc_wait_exceeds(
    arrival_rate_per_min: float, mean_service_min: float, servers: int, t_min: float
) -> float:
    """Probability that the queueing delay exceeds ``t_min`` in M/M/c (FCFS).

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    servers : int
        Number of servers c (>= 1).
    t_min : float
        Delay threshold t, minutes (>= 0).

    Returns
    -------
    float
        P(Wq > t) = C(c, a) exp(-(c mu - lambda) t).

    Raises
    ------
    ValueError
        If the system is unstable or arguments are invalid.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (waiting-time distribution of M/M/c).
    """
    t = check_nonneg("t_min", t_min)
    m = mmc(arrival_rate_per_min, mean_service_min, servers)
    es = float(mean_service_min)
    decay_per_min = (m.servers - float(arrival_rate_per_min) * es) / es  # c mu - lambda
    return m.p_wait * math.exp(-decay_per_min * t)


def mmc_service_level(
    arrival_rate_per_min: float, mean_service_min: float, servers: int, t_min: float
) -> float:
    """Service level P(Wq <= ``t_min``) of the M/M/c queue (FCFS).

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    servers : int
        Number of servers c (>= 1).
    t_min : float
        Answer-time threshold t, minutes (>= 0).

    Returns
    -------
    float
        1 - C(c, a) exp(-(c mu - lambda) t), the share of customers whose
        wait is at most t.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2.
    """
    return 1.0 - mmc_wait_exceeds(arrival_rate_per_min, mean_service_min, servers, t_min)


def normalise_log_weights(log_w: np.ndarray) -> np.ndarray:
    """Probabilities from log-weights, normalised in log space (no overflow)."""
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def mmck(
    arrival_rate_per_min: float, mean_service_min: float, servers: int, capacity: int
) -> QueueMetrics:
    """Steady-state measures of the finite-capacity M/M/c/K queue.

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0). Any value is stable.
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).
    servers : int
        Number of servers c (>= 1).
    capacity : int
        K, the maximum number in system (servers plus waiting places),
        K >= c. K = c gives the Erlang loss system.

    Returns
    -------
    QueueMetrics
        Exact values from the birth-death chain p_n proportional to
        a^n / n! (n <= c) and a^c / c! (a/c)^(n-c) (c < n <= K).
        ``p_block`` = p_K; ``throughput_per_min`` = lambda (1 - p_K);
        ``p_wait`` = P(N >= c | N < K) (admitted customers);
        ``mean_wait_min`` and ``mean_time_in_system_min`` are for admitted
        customers (Lq / throughput and L / throughput);
        ``utilisation`` = throughput / (c mu).

    Raises
    ------
    ValueError
        If arguments are invalid (including K < c).

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (M/M/c/K and M/M/c/c).
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    k_cap = check_integer("capacity", capacity, 1)
    if k_cap < c:
        raise ValueError(
            f"capacity must be >= servers (got capacity={capacity!r}, servers={servers!r})"
        )
    a = lam * es
    n = np.arange(k_cap + 1)
    if a == 0.0:
        p = np.zeros(k_cap + 1)
        p[0] = 1.0
    else:
        busy = np.minimum(n[1:], c).astype(float)
        log_w = np.concatenate(([0.0], np.cumsum(math.log(a) - np.log(busy))))
        p = normalise_log_weights(log_w)
    in_queue = np.maximum(n - c, 0)
    p_block = float(p[-1])
    p_admit = 1.0 - p_block
    lq = float(np.dot(in_queue, p))
    # Mean wait of an admitted arrival that finds n >= c present (PASTA): it
    # must wait for n - c + 1 service completions at rate c mu.
    admitted = p[:-1]
    wq = float(np.dot(admitted[c:], in_queue[c:-1] + 1)) * es / c / p_admit
    p_wait = float(admitted[c:].sum()) / p_admit
    carried = float(np.dot(np.minimum(n, c), p))  # mean busy servers
    return QueueMetrics(
        model="M/M/c/K",
        servers=c,
        utilisation=carried / c,
        p_wait=p_wait,
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=lq + carried,
        throughput_per_min=lam * p_admit,
        p_block=p_block,
    )
