"""The stationary answer to a staffing question, one interval at a time.

Workforce tools size each interval as if it were a steady state of its own: the interval's
arrival rate and the mean service time give an offered load, and Erlang C (or Erlang A when
customers are impatient) gives the fewest servers that meet the target. This ignores the
queue carried over from the interval before (the lag after a peak), breaks and time-varying
load inside the interval; ``servsim staff`` shows it beside the simulated requirement so the
difference can be seen (Green, Kolesar & Whitt 2007).

References
----------
Green, L. V., Kolesar, P. J. & Whitt, W. (2007). Coping with time-varying demand when setting
    staffing requirements for a service system. *Production and Operations Management* 16(1),
    13-39.
Garnett, O., Mandelbaum, A. & Reiman, M. (2002). Designing a call center with impatient
    customers. *Manufacturing & Service Operations Management* 4(3), 208-227.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.theory.abandonment import erlang_a, erlang_a_service_level
from simulator.theory.arguments import check_integer, check_nonneg, check_positive
from simulator.theory.markovian import mmc, mmc_service_level

__all__ = ["StationaryTargets", "stationary_servers", "stationary_value"]


@dataclass(frozen=True)
class StationaryTargets:
    """Targets for one interval; None means no such target.

    Attributes
    ----------
    service_level : (share, within_min)
        At least ``share`` of arrivals served within ``within_min`` (abandoning fails).
    max_mean_wait_min : mean wait of served customers at most this
    max_abandon : share of arrivals abandoning at most this
    max_p_wait : probability of waiting at all at most this
    """

    service_level: tuple[float, float] | None = None
    max_mean_wait_min: float | None = None
    max_abandon: float | None = None
    max_p_wait: float | None = None


def stationary_value(kind: str, arrival_rate_per_min: float, mean_service_min: float,
                     servers: int, mean_patience_min: float | None,
                     within_min: float = 0.0) -> float:
    """One stationary measure at ``servers`` servers (NaN when unstable without patience).

    ``kind`` is ``service_level`` (share served within ``within_min``), ``mean_wait`` (mean
    wait of served customers, minutes), ``abandon`` (share abandoning) or ``p_wait``
    (probability of waiting). Erlang A (M/M/c+M) with ``mean_patience_min``, else Erlang C.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    c = check_integer("servers", servers, 1)
    if mean_patience_min is not None:
        if kind == "service_level":
            return erlang_a_service_level(lam, es, c, mean_patience_min, within_min)
        m = erlang_a(lam, es, c, mean_patience_min)
        return {"mean_wait": m.mean_wait_served_min or 0.0, "abandon": m.p_abandon or 0.0,
                "p_wait": m.p_wait}[kind]
    if lam * es >= c:
        return math.nan
    if kind == "service_level":
        return mmc_service_level(lam, es, c, within_min)
    m = mmc(lam, es, c)
    return {"mean_wait": m.mean_wait_min, "abandon": 0.0, "p_wait": m.p_wait}[kind]


def stationary_servers(arrival_rate_per_min: float, mean_service_min: float,
                       targets: StationaryTargets, max_servers: int,
                       mean_patience_min: float | None = None) -> int | None:
    """Fewest servers, 1 to ``max_servers``, meeting every target in steady state.

    Parameters
    ----------
    arrival_rate_per_min : float
        The interval's arrival rate, per minute (>= 0).
    mean_service_min : float
        Mean service time, minutes (> 0).
    targets : StationaryTargets
        What must hold.
    max_servers : int
        The most servers possible (the counters).
    mean_patience_min : float, optional
        Mean exponential patience: Erlang A; without it Erlang C (no abandonment).

    Returns
    -------
    int or None
        The smallest c meeting every target (0 when nobody arrives), or None when even
        ``max_servers`` does not.
    """
    lam = check_nonneg("arrival_rate_per_min", arrival_rate_per_min)
    es = check_positive("mean_service_min", mean_service_min)
    cap = check_integer("max_servers", max_servers, 0)
    if lam == 0.0:
        return 0
    for c in range(1, cap + 1):
        def value(kind: str, within: float = 0.0, c: int = c) -> float:
            return stationary_value(kind, lam, es, c, mean_patience_min, within)

        ok = True
        if targets.service_level is not None:
            share, within = targets.service_level
            v = value("service_level", within)
            ok = ok and v == v and v >= share
        if ok and targets.max_mean_wait_min is not None:
            v = value("mean_wait")
            ok = v == v and v <= targets.max_mean_wait_min
        if ok and targets.max_abandon is not None:
            v = value("abandon")
            ok = v == v and v <= targets.max_abandon
        if ok and targets.max_p_wait is not None:
            v = value("p_wait")
            ok = v == v and v <= targets.max_p_wait
        if ok:
            return c
    return None
