"""Batch arrivals at one exponential server: the M^X/M/1 queue.

Parties (batches) arrive as a Poisson process at rate lambda; a party has X members, X
independent of everything else with E[X] and E[X^2]; each member is served in turn
(first come first served, members of a party in order) for an exponential time of mean
1/mu. The servsim model is a group arrival source with ``members_queue: individually``
at a station with one counter.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley, §3.2.1 (bulk input, M^[X]/M/1): L = rho (E[X^2] + E[X]) /
    (2 E[X] (1 - rho)), rho = lambda E[X] / mu.
Chaudhry, M. L. & Templeton, J. G. C. (1983). *A First Course in Bulk Queues*. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.theory.arguments import check_nonneg, check_positive, unstable_error
from simulator.theory.results import QueueMetrics

__all__ = ["BatchMetrics", "mxm1"]


@dataclass(frozen=True)
class BatchMetrics:
    """Steady-state measures of the M^X/M/1 queue.

    Attributes
    ----------
    members : QueueMetrics
        Per member: ``mean_wait_min`` is a member's mean time in queue, ``p_wait`` the
        chance a member queues; queue lengths count members.
    mean_party_wait_min : float
        Mean wait of a party's last member (the party's wait when it moves on together):
        the work found on arrival, L/mu by PASTA, plus the services of the other members,
        (E[X] - 1)/mu.
    mean_first_member_wait_min : float
        Mean wait of a party's first member, L/mu.
    """

    members: QueueMetrics
    mean_party_wait_min: float
    mean_first_member_wait_min: float


def mxm1(party_rate_per_min: float, mean_service_min: float, mean_party_size: float,
         party_size_second_moment: float) -> BatchMetrics:
    """Steady-state measures of M^X/M/1 (parties queueing member by member).

    Parameters
    ----------
    party_rate_per_min : float
        Poisson arrival rate of parties, lambda, per minute (>= 0).
    mean_service_min : float
        Mean exponential service time of one member, 1/mu, minutes (> 0).
    mean_party_size : float
        E[X], members per party (>= 1).
    party_size_second_moment : float
        E[X^2] (>= E[X]^2).

    Returns
    -------
    BatchMetrics
        With rho = lambda E[X]/mu: L = rho (E[X^2] + E[X]) / (2 E[X] (1 - rho)),
        Lq = L - rho, a member's Wq = Lq / (lambda E[X]) (Little), a member queues with
        probability 1 - (1 - rho)/E[X] (only the first member of a party that finds the
        server idle does not), a party's last member waits L/mu + (E[X] - 1)/mu.

    Raises
    ------
    ValueError
        If rho >= 1 or the arguments are invalid.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed. (2008),
    §3.2.1.

    Examples
    --------
    >>> round(mxm1(0.2, 1.0, 2.0, 4.0).members.mean_in_system, 4)  # parties of exactly 2
    1.0
    """
    lam = check_nonneg("party_rate_per_min", party_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    ex = check_positive("mean_party_size", mean_party_size)
    ex2 = check_positive("party_size_second_moment", party_size_second_moment)
    if ex < 1:
        raise ValueError(f"mean_party_size must be at least 1 (got {ex}; expected >= 1)")
    if ex2 < ex * ex * (1 - 1e-12):
        raise ValueError(f"party_size_second_moment cannot be below the squared mean (got "
                         f"{ex2}; expected >= {ex * ex})")
    rho = lam * ex * es
    if rho >= 1:
        raise unstable_error(rho, party_rate_per_min=party_rate_per_min,
                             mean_service_min=mean_service_min, mean_party_size=ex)
    in_system = rho * (ex2 + ex) / (2.0 * ex * (1.0 - rho))
    lq = in_system - rho
    member_rate = lam * ex
    wq = lq / member_rate if member_rate > 0 else 0.0
    members = QueueMetrics(
        model="M^X/M/1",
        servers=1,
        utilisation=rho,
        p_wait=1.0 - (1.0 - rho) / ex,
        mean_wait_min=wq,
        mean_time_in_system_min=wq + es,
        mean_queue_len=lq,
        mean_in_system=in_system,
        throughput_per_min=member_rate,
    )
    first = in_system * es
    return BatchMetrics(members=members, mean_party_wait_min=first + (ex - 1.0) * es,
                        mean_first_member_wait_min=first)
