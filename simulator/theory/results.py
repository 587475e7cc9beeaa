"""Result types of the closed forms, and Little's law.

Every function of :mod:`simulator.theory` is pure: it takes rates and times, returns a
frozen dataclass (or a number) and keeps no state. Units are fixed throughout: rates are per
minute (``arrival_rate_per_min``), times are in minutes (``mean_service_min``, ``t_min``),
and loads are in Erlangs (arrival rate times mean service time, dimensionless).

Conventions
-----------
* ``utilisation`` is the long-run fraction of time a server is busy, i.e. carried load
  divided by the number of servers.
* ``p_wait`` is the probability that an arriving customer has to queue (for loss models: an
  *admitted* customer). By PASTA (Poisson Arrivals See Time Averages) it equals the
  time-stationary probability that all servers are busy (conditioned on not being full for
  loss models).
* ``mean_wait_min`` is the mean time in queue, Wq, before service starts (or before
  abandoning, in Erlang A). ``mean_queue_len`` (Lq) and ``mean_in_system`` (L) are time
  averages.
* Systems that have neither blocking nor abandonment and whose utilisation is at least 1 have
  no stationary regime; the functions raise ``ValueError``.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley.
Little, J. D. C. (1961). A proof for the queuing formula L = lambda W. *Operations Research*
    9(3), 383-387.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulator.theory.arguments import check_nonneg

__all__ = [
    "PriorityMetrics",
    "QueueMetrics",
    "littles_law_l",
]


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
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    w = check_nonneg("mean_time_min", mean_time_min)
    return lam * w
