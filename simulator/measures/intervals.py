"""Per-interval measures of one replication, by arrival time, for staffing to a target.

A staffing requirement is set per interval (15, 30 or 60 minutes) so that the customers who
*arrive* in the interval get the service promised (time-stable performance, Feldman et al.
2008). This module counts, for the visits that joined a set of stations in each interval, what
a target needs: visits, outcomes, the sum of waits, delayed visits and each service standard's
units and passes, plus the busy and on-duty counter-minutes of the stations in the interval
(time-weighted, exact). Each target is a ratio of two of these sums, so replications can be
pooled (ratio estimator) or compared one by one.

Pure NumPy on :class:`~simulator.engine.records.Records`; the same window and units as the KPI
row (:mod:`simulator.measures.kpis`) and the by-hour rows, binned on arbitrary interval edges.

References
----------
Feldman, Z., Mandelbaum, A., Massey, W. A. & Whitt, W. (2008). Staffing of time-varying queues
    to achieve time-stable performance. *Management Science* 54(2), 324-338.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.engine.records import Records, VisitOutcome
from simulator.measures.estimators import window_integrals
from simulator.measures.record_views import SERVICE_DONE, station_levels, visit_customer_arrival
from simulator.measures.standards import standard_units

__all__ = ["IntervalCounts", "bin_sums", "interval_counts", "interval_edges"]


def interval_edges(open_min: float, close_min: float, interval_min: int) -> np.ndarray:
    """Interval boundaries from opening to closing, minutes after midnight.

    Raises
    ------
    ValueError
        If the opening hours are not a whole number of intervals.

    Examples
    --------
    >>> interval_edges(510.0, 1020.0, 30)[:3]
    array([510., 540., 570.])
    """
    length = close_min - open_min
    n = round(length / interval_min)
    if interval_min <= 0 or n < 1 or abs(n * interval_min - length) > 1e-9:
        raise ValueError(f"the day of {length:g} min is not a whole number of "
                         f"{interval_min}-min intervals")
    return open_min + interval_min * np.arange(n + 1, dtype=np.float64)


def bin_sums(times: np.ndarray, edges: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum ``weights`` (default 1) of the events at ``times`` per interval ``[e_k, e_k+1)``.

    Events outside ``[edges[0], edges[-1])`` are not counted.

    Examples
    --------
    >>> bin_sums(np.array([0.0, 5.0, 10.0, 25.0]), np.array([0.0, 10.0, 20.0]))
    array([2., 1.])
    """
    t = np.asarray(times, dtype=np.float64)
    w = np.ones(t.shape) if weights is None else np.asarray(weights, dtype=np.float64)
    k = np.searchsorted(edges, t, side="right") - 1
    inside = (k >= 0) & (k < edges.size - 1)
    return np.bincount(k[inside], weights=w[inside], minlength=edges.size - 1)[: edges.size - 1]


@dataclass(frozen=True)
class IntervalCounts:
    """Sums per interval (arrays of length n_intervals) for the visits to some stations.

    Attributes
    ----------
    visits : visits that joined (or balked at, or were blocked from) the stations' lines
    served, balked, abandoned : their outcomes (balked includes a full waiting room)
    wait_sum_min, wait_n : waits (join to service start) of visits that started service
    delayed, delay_n : visits that waited more than 0 min or abandoned, out of those that
        started service or abandoned
    std_passed, std_units : per service standard (rows, in the order given), as in the KPI row
    busy_min, on_duty_min : busy and on-duty counter-minutes at the stations in the interval
    seen : [interval, n] how many of the visits counted in ``delay_n`` found n customers at
        the station (waiting or in service) on joining (PASTA: the number in system at an
        arrival epoch)
    """

    visits: np.ndarray
    served: np.ndarray
    balked: np.ndarray
    abandoned: np.ndarray
    wait_sum_min: np.ndarray
    wait_n: np.ndarray
    delayed: np.ndarray
    delay_n: np.ndarray
    std_passed: np.ndarray  # [standard, interval]
    std_units: np.ndarray
    busy_min: np.ndarray
    on_duty_min: np.ndarray
    seen: np.ndarray


def interval_counts(records: Records, edges: np.ndarray, stations: Sequence[int],
                    standards: Sequence[Any] = ()) -> IntervalCounts:
    """Count what staffing targets need, per interval of joining, at ``stations``.

    Parameters
    ----------
    records : Records
        One replication.
    edges : ndarray
        Interval boundaries (:func:`interval_edges`).
    stations : sequence of int
        Station indices whose visits are counted (a staff group's stations).
    standards : sequence
        Service standards (scenario ``standards`` entries); each is counted on its own units
        (its station's visits by joining time, or whole visits by arrival time), as in
        :func:`simulator.measures.standards.standard_units`.

    Returns
    -------
    IntervalCounts
        Sums over the visits whose customer arrived in the statistics window (the KPI row's
        window), binned by the time the visit joined the line.
    """
    v = records.visits
    t0 = float(records.stats_start_min)
    visit_in = visit_customer_arrival(records) >= t0
    cust_in = records.customers["arrival_min"] >= t0
    at = visit_in & np.isin(v["station_idx"], np.asarray(stations, dtype=np.int64))
    join, start, out = v["join_min"][at], v["start_min"][at], v["outcome"][at]
    started = np.isfinite(start)
    wait = np.where(started, start - join, 0.0)
    abandoned = out == VisitOutcome.ABANDONED
    balked = (out == VisitOutcome.BALKED) | (out == VisitOutcome.BLOCKED)

    def per(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return bin_sums(join[mask], edges, None if weights is None else weights[mask])

    n = edges.size - 1
    passed = np.zeros((len(standards), n))
    units = np.zeros((len(standards), n))
    for i, std in enumerate(standards):
        u = standard_units(records, std, visit_in, cust_in)
        passed[i] = bin_sums(u.time_min[u.passed], edges)
        units[i] = bin_sums(u.time_min, edges)
    counted = started | abandoned
    in_system = (v["queue_on_join"][at] + v["busy_on_join"][at]).astype(np.int64)
    k = np.searchsorted(edges, join, side="right") - 1
    keep = counted & (k >= 0) & (k < n)
    width = int(in_system[keep].max(initial=0)) + 1
    seen = np.bincount(k[keep] * width + in_system[keep], minlength=n * width)[: n * width]
    busy, duty = np.zeros(n), np.zeros(n)
    for s in stations:
        times, _queue, b, d = station_levels(records, int(s))
        busy += window_integrals(times, b, edges[:-1], edges[1:])
        duty += window_integrals(times, d, edges[:-1], edges[1:])
    return IntervalCounts(
        visits=per(np.ones(join.shape, dtype=bool)),
        served=per(np.isin(out, SERVICE_DONE)),
        balked=per(balked),
        abandoned=per(abandoned),
        wait_sum_min=per(started, wait),
        wait_n=per(started),
        delayed=per((started & (wait > 0)) | abandoned),
        delay_n=per(counted),
        std_passed=passed,
        std_units=units,
        busy_min=busy,
        on_duty_min=duty,
        seen=seen.reshape(n, width).astype(np.float64),
    )
