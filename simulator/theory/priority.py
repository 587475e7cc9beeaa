"""Non-preemptive priority classes at an M/M/c (and M/M/1) station.

References
----------
Cobham, A. (1954). Priority assignment in waiting line problems. *Operations Research* 2(1),
    70-76.
Kleinrock, L. (1976). *Queueing Systems, Volume 2: Computer Applications*. Wiley, ch. 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulator.theory.arguments import check_integer, check_nonneg, check_positive, unstable_error
from simulator.theory.erlang import erlang_b_recursion, erlang_c_from_b
from simulator.theory.results import PriorityMetrics

__all__ = [
    "priority_mm1",
    "priority_mmc",
]


def priority_mmc(
    arrival_rates_per_min: Sequence[float], mean_service_min: float, servers: int
) -> PriorityMetrics:
    """Non-preemptive priority M/M/c with identical exponential service.

    Parameters
    ----------
    arrival_rates_per_min : sequence of float
        Poisson arrival rate of each class per minute (>= 0), highest
        priority first. At least one class.
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0), same for every
        class.
    servers : int
        Number of servers c (>= 1).

    Returns
    -------
    PriorityMetrics
        Class k (1-based) waits on average
        W_k = [C(c, a) / (c mu)] / ((1 - sigma_{k-1}) (1 - sigma_k)),
        where a = lambda mu^-1 is the total offered load and
        sigma_k = sum_{i <= k} lambda_i / (c mu). The arrival-weighted mean
        wait equals the FCFS M/M/c wait (conservation law).

    Raises
    ------
    ValueError
        If total utilisation >= 1 or arguments are invalid.

    References
    ----------
    Cobham, "Priority assignment in waiting line problems", *Operations
    Research* 2(1) (1954), 70-76; Gross, Shortle, Thompson & Harris,
    *Fundamentals of Queueing Theory*, 4th ed. (2008), Ch. 3.
    """
    try:
        raw = list(arrival_rates_per_min)
    except TypeError:
        raise ValueError(
            f"arrival_rates_per_min must be a sequence (got {arrival_rates_per_min!r})"
        ) from None
    if not raw:
        raise ValueError("arrival_rates_per_min must contain at least one class (got [])")
    lams = [check_nonneg(f"arrival_rates_per_min[{i}]", x) for i, x in enumerate(raw)]
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    lam = math.fsum(lams)
    a = lam * es
    rho = a / c
    if rho >= 1:
        raise unstable_error(
            rho,
            arrival_rates_per_min=raw,
            mean_service_min=mean_service_min,
            servers=c,
        )
    pw = erlang_c_from_b(a, c, erlang_b_recursion(a, c))
    w0 = pw * es / c  # C / (c mu)
    waits: list[float] = []
    sigma_prev = 0.0
    cum = 0.0
    for lam_k in lams:
        cum += lam_k
        sigma = cum * es / c
        waits.append(w0 / ((1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    lq_by = [lk * wk for lk, wk in zip(lams, waits, strict=True)]
    lq = math.fsum(lq_by)
    wq = lq / lam if lam > 0 else 0.0
    return PriorityMetrics(
        model="M/M/1 non-preemptive priority" if c == 1 else "M/M/c non-preemptive priority",
        servers=c,
        utilisation=rho,
        p_wait=pw,
        mean_wait_min_by_class=tuple(waits),
        mean_time_in_system_min_by_class=tuple(w + es for w in waits),
        mean_queue_len_by_class=tuple(lq_by),
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=lq + a,
        throughput_per_min=lam,
    )


def priority_mm1(
    arrival_rates_per_min: Sequence[float], mean_service_min: float
) -> PriorityMetrics:
    """Non-preemptive priority M/M/1 with identical exponential service.

    Parameters
    ----------
    arrival_rates_per_min : sequence of float
        Poisson arrival rate of each class per minute (>= 0), highest
        priority first.
    mean_service_min : float
        Mean exponential service time 1/mu, minutes (> 0).

    Returns
    -------
    PriorityMetrics
        W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)) with residual work
        W0 = lambda E[S^2] / 2 = rho / mu and sigma_k = sum_{i<=k} lambda_i / mu.

    Raises
    ------
    ValueError
        If total utilisation >= 1 or arguments are invalid.

    References
    ----------
    Cobham, "Priority assignment in waiting line problems", *Operations
    Research* 2(1) (1954), 70-76; Kleinrock, *Queueing Systems Vol. 2* (1976),
    Ch. 3.
    """
    return priority_mmc(arrival_rates_per_min, mean_service_min, 1)
