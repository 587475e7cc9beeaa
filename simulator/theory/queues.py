"""Closed-form queueing theory used to validate and size the simulator.

Every function here is pure: it takes rates and times, returns a frozen
dataclass (or a number) and keeps no state. Units are fixed throughout:
rates are per minute (``arrival_rate_per_min``), times are in minutes
(``mean_service_min``, ``t_min``), and loads are in Erlangs (arrival rate
times mean service time, dimensionless).

Conventions
-----------
* ``utilisation`` is the long-run fraction of time a server is busy, i.e.
  carried load divided by the number of servers.
* ``p_wait`` is the probability that an arriving customer has to queue
  (for loss models: an *admitted* customer). By PASTA (Poisson Arrivals See
  Time Averages) it equals the time-stationary probability that all servers
  are busy (conditioned on not being full for loss models).
* ``mean_wait_min`` is the mean time in queue, Wq, before service starts (or
  before abandoning, in Erlang A). ``mean_queue_len`` (Lq) and
  ``mean_in_system`` (L) are time averages.
* Systems that have neither blocking nor abandonment and whose utilisation is
  at least 1 have no stationary regime; the functions raise ``ValueError``.

Numerical method: Erlang B is computed by the stable recursion
B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), and Erlang C from Erlang B, so
thousands of servers are fine. Finite birth-death chains (M/M/c/K, Erlang A)
are solved in log space, so large loads do not overflow.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008).
    *Fundamentals of Queueing Theory*, 4th ed. Wiley.
Kleinrock, L. (1975). *Queueing Systems, Volume 1: Theory*. Wiley.
Cobham, A. (1954). Priority assignment in waiting line problems.
    *Operations Research* 2(1), 70-76.
Halfin, S. & Whitt, W. (1981). Heavy-traffic limits for queues with many
    exponential servers. *Operations Research* 29(3), 567-588.
Garnett, O., Mandelbaum, A. & Reiman, M. (2002). Designing a call center with
    impatient customers. *Manufacturing & Service Operations Management*
    4(3), 208-227.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "PriorityMetrics",
    "QueueMetrics",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "halfin_whitt_p_wait",
    "littles_law_l",
    "mg1",
    "mm1",
    "mmc",
    "mmc_service_level",
    "mmc_wait_exceeds",
    "mmck",
    "priority_mm1",
    "priority_mmc",
    "servers_for_mean_wait",
    "servers_for_service_level",
    "square_root_staffing",
]

# Relative mass below which the tail of a truncated birth-death chain is ignored.
_TAIL_TOLERANCE = 1e-17
# Hard limit on the number of states of a truncated chain (memory guard).
_MAX_STATES = 20_000_000
# Hard limit on the number of servers a staffing search may try.
_MAX_STAFFING_SERVERS = 10_000_000


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance measures of a single-class queue.

    Attributes
    ----------
    model : str
        Kendall notation of the model, e.g. ``"M/M/c"``.
    servers : int
        Number of parallel servers c.
    utilisation : float
        Long-run fraction of time each server is busy (carried load / c).
    p_wait : float
        Probability that an arriving customer must queue. For M/M/c/K it is
        the probability for an *admitted* customer.
    mean_wait_min : float
        Mean time in queue Wq in minutes. M/M/c/K: of admitted customers.
        Erlang A: of all arriving customers, counting an abandoning customer's
        time until abandonment (= Lq / arrival rate).
    mean_time_in_system_min : float
        Mean time in system W in minutes (queue plus service). M/M/c/K: of
        admitted customers. Erlang A: of all arrivals, abandoning customers
        contributing their queueing time only (= L / arrival rate).
    mean_queue_len : float
        Time-average number waiting, Lq.
    mean_in_system : float
        Time-average number in system, L (waiting plus in service).
    throughput_per_min : float
        Rate of customers that are served, per minute.
    p_block : float
        Probability an arrival is refused because the system is full
        (0 for models without finite capacity).
    p_abandon : float
        Probability an arrival abandons before service (0 for models without
        abandonment).
    mean_wait_served_min : float or None
        Erlang A only: mean time in queue of customers that get served.
    mean_wait_abandoned_min : float or None
        Erlang A only: mean time in queue of customers that abandon; ``None``
        if the abandonment probability is numerically zero.
    """

    model: str
    servers: int
    utilisation: float
    p_wait: float
    mean_wait_min: float
    mean_time_in_system_min: float
    mean_queue_len: float
    mean_in_system: float
    throughput_per_min: float
    p_block: float = 0.0
    p_abandon: float = 0.0
    mean_wait_served_min: float | None = None
    mean_wait_abandoned_min: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict`` (JSON-friendly)."""
        return asdict(self)


@dataclass(frozen=True)
class PriorityMetrics:
    """Steady-state measures of a non-preemptive priority queue.

    Classes are indexed highest priority first, in the order the arrival
    rates were given.

    Attributes
    ----------
    model : str
        Model description, e.g. ``"M/M/c non-preemptive priority"``.
    servers : int
        Number of parallel servers c.
    utilisation : float
        Total server utilisation (all classes).
    p_wait : float
        Probability an arriving customer (of any class) must queue; equal to
        the Erlang C probability, identical across classes.
    mean_wait_min_by_class : tuple of float
        Mean time in queue of each class, minutes.
    mean_time_in_system_min_by_class : tuple of float
        Mean time in system of each class, minutes.
    mean_queue_len_by_class : tuple of float
        Time-average number of each class waiting.
    mean_wait_min : float
        Arrival-rate-weighted mean time in queue over all classes, minutes.
    mean_time_in_system_min : float
        Arrival-rate-weighted mean time in system, minutes.
    mean_queue_len : float
        Total time-average number waiting.
    mean_in_system : float
        Total time-average number in system.
    throughput_per_min : float
        Total served rate per minute (= total arrival rate).
    """

    model: str
    servers: int
    utilisation: float
    p_wait: float
    mean_wait_min_by_class: tuple[float, ...]
    mean_time_in_system_min_by_class: tuple[float, ...]
    mean_queue_len_by_class: tuple[float, ...]
    mean_wait_min: float
    mean_time_in_system_min: float
    mean_queue_len: float
    mean_in_system: float
    throughput_per_min: float

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain ``dict``; tuples become lists."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out


# --------------------------------------------------------------------------
# Argument validation
# --------------------------------------------------------------------------


def _real(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number (got {name}={value!r})") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite (got {name}={value!r})")
    return x


def _nonneg(name: str, value: float) -> float:
    x = _real(name, value)
    if x < 0:
        raise ValueError(f"{name} must be >= 0 (got {name}={value!r})")
    return x


def _positive(name: str, value: float) -> float:
    x = _real(name, value)
    if x <= 0:
        raise ValueError(f"{name} must be > 0 (got {name}={value!r})")
    return x


def _integer(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer (got {name}={value!r})")
    try:
        n = operator.index(value)
    except TypeError:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            n = int(value)
        else:
            raise ValueError(f"{name} must be an integer (got {name}={value!r})") from None
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {name}={value!r})")
    return n


def _unstable(utilisation: float, **args: object) -> ValueError:
    detail = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return ValueError(f"unstable: utilisation {utilisation:.6g} >= 1 (got {detail})")


# --------------------------------------------------------------------------
# Erlang B / C
# --------------------------------------------------------------------------


def _erlang_b_raw(a: float, c: int) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def _erlang_c_from_b(a: float, c: int, b: float) -> float:
    # C = c B / (c - a (1 - B)), valid for a < c.
    return c * b / (c - a * (1.0 - b))


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B blocking probability of the M/M/c/c loss system.

    Parameters
    ----------
    offered_load : float
        Offered load a = arrival rate x mean service time, in Erlangs (>= 0).
    servers : int
        Number of servers c (>= 0; B(a, 0) = 1).

    Returns
    -------
    float
        Probability that an arriving customer finds all c servers busy and is
        lost. Insensitive to the service-time distribution (M/G/c/c).

    Notes
    -----
    Uses the numerically stable recursion B(0) = 1,
    B(k) = a B(k-1) / (k + a B(k-1)), which is fine for thousands of servers.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (Erlang's loss formula).
    """
    a = _nonneg("offered_load", offered_load)
    c = _integer("servers", servers, 0)
    return _erlang_b_raw(a, c)


def erlang_c(offered_load: float, servers: int) -> float:
    """Erlang C probability of waiting in the M/M/c queue.

    Parameters
    ----------
    offered_load : float
        Offered load a = arrival rate x mean service time, in Erlangs (>= 0).
    servers : int
        Number of servers c (>= 1). Requires a < c.

    Returns
    -------
    float
        Probability an arriving customer has to wait, C(c, a).

    Raises
    ------
    ValueError
        If a >= c (no steady state) or arguments are invalid.

    Notes
    -----
    Computed from Erlang B: C = c B / (c - a (1 - B)).

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (M/M/c; Erlang's loss formula).
    """
    a = _nonneg("offered_load", offered_load)
    c = _integer("servers", servers, 1)
    if a >= c:
        raise _unstable(a / c, offered_load=offered_load, servers=c)
    return _erlang_c_from_b(a, c, _erlang_b_raw(a, c))


# --------------------------------------------------------------------------
# Single-class models
# --------------------------------------------------------------------------


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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    rho = lam * es
    if rho >= 1:
        raise _unstable(
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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    c = _integer("servers", servers, 1)
    a = lam * es
    rho = a / c
    if rho >= 1:
        raise _unstable(
            rho,
            arrival_rate_per_min=arrival_rate_per_min,
            mean_service_min=mean_service_min,
            servers=c,
        )
    pw = _erlang_c_from_b(a, c, _erlang_b_raw(a, c))
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
    t = _nonneg("t_min", t_min)
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


def _normalise_log_weights(log_w: np.ndarray) -> np.ndarray:
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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    c = _integer("servers", servers, 1)
    k_cap = _integer("capacity", capacity, 1)
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
        p = _normalise_log_weights(log_w)
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
    return _normalise_log_weights(np.concatenate(pieces))


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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    c = _integer("servers", servers, 1)
    patience = _positive("mean_patience_min", mean_patience_min)
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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    cv = _nonneg("service_cv", service_cv)
    rho = lam * es
    if rho >= 1:
        raise _unstable(
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


# --------------------------------------------------------------------------
# Priority queues
# --------------------------------------------------------------------------


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
    lams = [_nonneg(f"arrival_rates_per_min[{i}]", x) for i, x in enumerate(raw)]
    es = _positive("mean_service_min", mean_service_min)
    c = _integer("servers", servers, 1)
    lam = math.fsum(lams)
    a = lam * es
    rho = a / c
    if rho >= 1:
        raise _unstable(
            rho,
            arrival_rates_per_min=raw,
            mean_service_min=mean_service_min,
            servers=c,
        )
    pw = _erlang_c_from_b(a, c, _erlang_b_raw(a, c))
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


# --------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------


def _staff_search(
    lam: float, es: float, accept: Callable[[int, float, float], bool], what: str
) -> int:
    """Smallest stable c with ``accept(c, a, p_wait)``; Erlang B kept incrementally."""
    a = lam * es
    if a == 0.0:
        return 1
    c = math.floor(a) + 1
    b = _erlang_b_raw(a, c)
    while c <= _MAX_STAFFING_SERVERS:
        if accept(c, a, _erlang_c_from_b(a, c, b)):
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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    target = _nonneg("target_share", target_share)
    if target >= 1:
        raise ValueError(
            f"target_share must be < 1 (got target_share={target_share!r}); "
            "a positive wait probability can never give a 100% service level"
        )
    t = _nonneg("within_min", within_min)

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
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = _positive("mean_service_min", mean_service_min)
    bound = _positive("max_mean_wait_min", max_mean_wait_min)

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
    a = _nonneg("offered_load", offered_load)
    b = _real("beta", beta)
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
    b = _nonneg("beta", beta)
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
    target = _positive("target_p_wait", target_p_wait)
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


def littles_law_l(arrival_rate_per_min: float, mean_time_min: float) -> float:
    """Little's law: mean number present L = lambda W.

    Parameters
    ----------
    arrival_rate_per_min : float
        Long-run arrival (or throughput) rate, per minute (>= 0).
    mean_time_min : float
        Mean time each customer spends in the system, minutes (>= 0).

    Returns
    -------
    float
        Time-average number in the system.

    References
    ----------
    Little, "A proof for the queuing formula L = lambda W", *Operations
    Research* 9(3) (1961), 383-387; Gross, Shortle, Thompson & Harris,
    *Fundamentals of Queueing Theory*, 4th ed. (2008), Ch. 1.
    """
    lam = _nonneg("arrival_rate_per_min", arrival_rate_per_min)
    w = _nonneg("mean_time_min", mean_time_min)
    return lam * w
