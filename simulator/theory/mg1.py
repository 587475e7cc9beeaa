"""M/G/1: one server, Poisson arrivals, any service-time distribution (Pollaczek-Khinchine).

References
----------
Kleinrock, L. (1975). *Queueing Systems, Volume 1: Theory*. Wiley, ch. 5.
"""

from __future__ import annotations

from simulator.theory.arguments import check_nonneg, check_positive, unstable_error
from simulator.theory.results import QueueMetrics

__all__ = [
    "mg1",
]


def mg1(arrival_rate_per_min: float, mean_service_min: float, service_cv: float) -> QueueMetrics:
    """Steady-state measures of the M/G/1 queue (Pollaczek-Khinchine).

    Parameters
    ----------
    arrival_rate_per_min : float
        Poisson arrival rate lambda, per minute (>= 0).
    mean_service_min : float
        Mean service time E[S], minutes (> 0).
    service_cv : float
        Coefficient of variation of service time, sd(S)/E[S] (>= 0).
        0 gives M/D/1, 1 gives the M/M/1 means.

    Returns
    -------
    QueueMetrics
        Wq = rho (1 + cv^2) E[S] / (2 (1 - rho)), Lq = lambda Wq,
        W = Wq + E[S], L = Lq + rho, p_wait = rho.

    Raises
    ------
    ValueError
        If rho >= 1 or arguments are invalid.

    References
    ----------
    Kleinrock, *Queueing Systems Vol. 1* (1975), Ch. 5 (P-K mean value
    formula); Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing
    Theory*, 4th ed. (2008), Ch. 5.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    cv = check_nonneg("service_cv", service_cv)
    rho = lam * es
    if rho >= 1:
        raise unstable_error(
            rho,
            arrival_rate_per_min=arrival_rate_per_min,
            mean_service_min=mean_service_min,
            service_cv=service_cv,
        )
    wq = rho * (1.0 + cv * cv) * es / (2.0 * (1.0 - rho))
    lq = lam * wq
    return QueueMetrics(
        model="M/D/1" if cv == 0.0 else "M/G/1",
        servers=1,
        utilisation=rho,
        p_wait=rho,
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=lq + rho,
        throughput_per_min=lam,
    )
