"""The KPI row of one replication: a pure NumPy function of its :class:`Records`.

Every KPI is computed from the record tables alone, so a new KPI never needs a re-run. These
functions run in worker processes for thousands of replications: they use NumPy only (no
pandas) and never modify their inputs.

Tally statistics (``wait_mean_min``, ``wait_p90_min``, ...) include only customers *arriving*
at or after ``records.stats_start_min`` (warm-up deletion for steady-state studies; for a
terminating day ``stats_start_min`` is the opening time, so every customer counts); a visit
belongs to the tally window when its customer does. Time-weighted statistics (suffix ``_tw``)
average level series exactly over ``[stats_start_min, end_min]``
(:mod:`simulator.measures.estimators`).

Times are minutes after midnight; durations are minutes. All counts are returned as floats so
that a KPI row is a flat ``dict[str, float]``.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill. (Time-average
    estimators and initial-data deletion, ch. 1 and 9.)
Little, J. D. C. (1961). A proof for the queuing formula L = lambda W. *Operations Research*
    9(3), 383-387.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.measures.estimators import ratio, tally_stats, time_weighted_integral
from simulator.measures.record_views import (
    SERVICE_DONE,
    staff_late,
    station_levels,
    visit_customer_arrival,
)
from simulator.measures.staff_use import routing_kpis
from simulator.measures.standards import field_of, standard_slugs, standard_units
from simulator.scenario.plan import DutyChange

__all__ = [
    "WAITED_MIN",
    "class_kpis",
    "replication_kpis",
    "resource_kpis",
    "waited_share",
]

#: A wait longer than this (minutes) counts as having waited (P(wait > 0)); shorter ones are
#: floating-point noise of an immediate start.
WAITED_MIN = 1e-9

_NAN = math.nan


def replication_kpis(
    records: Records,
    standards: Sequence[Any] = (),
    cost_per_hour_by_group: Sequence[float] | None = None,
) -> dict[str, float]:
    r"""All KPIs of one replication as one flat, ordered ``dict[str, float]``.

    The key order is fixed for a given model (stations, standards), so rows of many
    replications make CSV columns directly. Let :math:`T_0` = ``stats_start_min``,
    :math:`T_1` = ``end_min``, :math:`W = T_1 - T_0`. *Window customers* are those with
    ``arrival_min >= T_0``; *window visits* are their visits.

    Parameters
    ----------
    records : Records
        One replication's tables.
    standards : sequence, default ()
        Service standards: objects or mappings with ``name``, ``station`` (station name, or
        None for the total wait over the visit), ``wait_max_min``, ``target_share`` and
        ``classes`` (class names, or None for all).
    cost_per_hour_by_group : sequence of float, optional
        Cost per paid staff hour, indexed like ``records.group_names``. Without it
        ``staff_cost`` is NaN.

    Returns
    -------
    dict[str, float]
        In this order (counts as floats; rates NaN when their denominator is 0):

        Customers (window customers, ``customers`` table):

        - ``arrived``; ``served``, ``balked``, ``abandoned``, ``inside`` — customers by
          :class:`CustomerOutcome` (``balked`` includes a full waiting room); ``blocked`` —
          customers with at least one BLOCKED visit (a subset of ``balked``);
          ``persons_served`` — Σ ``group_size`` of served customers.
        - ``balk_rate`` = balked / arrived, ``abandon_rate`` = abandoned / arrived,
          ``served_share`` = served / arrived.
        - ``waited_share`` — P(wait > 0): :func:`waited_share` of served customers' total
          waits and the abandoned customers.
        - ``wait_mean_min``, ``wait_p50_min``, ``wait_p90_min``, ``wait_p95_min``,
          ``wait_max_min`` — :func:`tally_stats` of ``wait_min`` (total wait over the visit)
          of served customers.
        - ``time_in_system_mean_min`` — mean of departure − arrival over served customers.
        - ``time_in_system_all_mean_min`` — mean of min(departure, :math:`T_1`) − arrival over
          all window customers (a customer still inside counts up to :math:`T_1`).
        - ``throughput_per_hour`` — served customers departing in :math:`[T_0, T_1]`, divided
          by :math:`W/60`.

        Little's law terms (time-weighted, window :math:`[T_0, T_1]`):

        - ``stats_window_min`` = :math:`W`.
        - ``arrival_rate_per_min`` — customers arriving in :math:`[T_0, T_1]` divided by W.
        - ``in_system_tw`` — :math:`\frac1W\int_{T_0}^{T_1} N(t)\,dt` with :math:`N(t)` the
          number of customers (not persons) with arrival ≤ t < departure, computed exactly
          as :math:`\frac1W \sum_i |[a_i, d_i) \cap [T_0, T_1]|`; a missing departure counts
          as :math:`T_1`. When every customer arrives and leaves inside the window,
          ``in_system_tw == arrival_rate_per_min * time_in_system_all_mean_min`` exactly.

        Per customer class ``c`` (window customers): :func:`class_kpis` —
        ``arrived__class__c``, ``wait_mean_min__class__c``, ``abandon_rate__class__c``.

        Staff (whole run, ``staff`` table; not windowed):

        - ``overtime_min`` — Σ ``late_min`` over SHIFT_END rows; ``late_break_min`` — the same
          over BREAK rows. A row with NaN ``left_min`` (still there at the end) counts
          max(0, ``end_min`` − ``due_min``).
        - ``staff_paid_min`` — Σ ``records.staff_paid_min`` (scheduled) + ``overtime_min``.
        - ``staff_cost`` — :math:`\sum_\text{slots} (\text{paid}_s + \text{overtime}_s)/60
          \times \text{rate}_{g(s)}`, group :math:`g(s)` from ``records.slot_group`` (paid) and
          the staff row's ``group_idx`` (overtime).
        - ``last_departure_min`` — latest departure of any customer (NaN if none).
        - ``closing_overrun_min`` — terminating days: max(0, ``last_departure_min`` −
          ``close_min``), 0 if nobody departed; NaN for steady-state runs.

        Per station ``s`` (name verbatim from ``records.station_names``), window visits:

        - ``{s}__wait_mean_min``, ``{s}__wait_p50_min``, ``{s}__wait_p90_min``,
          ``{s}__wait_p95_min``, ``{s}__wait_max_min`` — :func:`tally_stats` of
          ``start_min − join_min`` over visits that started service.
        - ``{s}__waited_share`` — P(wait > 0) at the station: :func:`waited_share` of those
          waits and the visits that abandoned there.
        - ``{s}__visits`` (all visit rows), ``{s}__served`` (outcome SERVED, FAILED or
          RECOVERED), ``{s}__abandoned``, ``{s}__balked``, ``{s}__blocked`` (by
          :class:`VisitOutcome`), ``{s}__failures`` (Σ ``n_failures``).
        - ``{s}__queue_len_tw``, ``{s}__busy_tw``, ``{s}__on_duty_tw`` — time averages of the
          level series over :math:`[T_0, T_1]`; ``{s}__utilisation_tw`` =
          :math:`\int \text{busy}\,dt / \int \text{on\_duty}\,dt` over the window (NaN if
          nobody was on duty).

        Per held resource (tables, rooms), the station columns above (a wait is the wait
        for a table or a ready room; queue = waiting list, busy = units in use, on duty =
        units, so ``utilisation_tw`` is units used / available), then
        :func:`resource_kpis`. A hidden housekeeping station ``{rooms}.housekeeping`` has
        station columns too (queue = dirty rooms waiting, busy = rooms being cleaned).

        Per service standard, ``k`` = :func:`standard_slugs` of the names:

        - ``std__{k}__compliance`` — passed / relevant. Station standard: relevant = window
          visits at that station (of the listed classes) that started service or abandoned;
          passed = started with ``start − join <= wait_max_min``. Whole-visit standard:
          relevant = window customers SERVED or ABANDONED; passed = SERVED with
          ``wait_min <= wait_max_min``. Abandonment always fails; balked and blocked units are
          excluded. NaN if nothing is relevant.
        - ``std__{k}__met`` — 1.0 if compliance >= ``target_share`` else 0.0 (NaN if
          compliance is NaN).
        - ``std__{k}__n`` — number of relevant units.

        Skill-based routing, only when a staff group is routed: the keys of
        :func:`simulator.measures.staff_use.routing_kpis` (per routed group on-duty and busy minutes
        and utilisation across the stations its people served; per station the busy minutes
        given by each group serving it).

    Raises
    ------
    ValueError
        If a standard names an unknown station or class, or ``cost_per_hour_by_group`` does not
        match ``records.group_names``.

    Examples
    --------
    >>> kpis = replication_kpis(records, scenario.standards)  # doctest: +SKIP
    >>> kpis["window__utilisation_tw"]  # doctest: +SKIP
    0.83
    """
    r = records
    t0, t1 = float(r.stats_start_min), float(r.end_min)
    window = t1 - t0
    c, v = r.customers, r.visits
    arr = c["arrival_min"].astype(np.float64)
    dep = c["departure_min"].astype(np.float64)
    cust_in = arr >= t0
    outcome = c["outcome"][cust_in]
    is_served = outcome == CustomerOutcome.SERVED

    visit_in = visit_customer_arrival(r) >= t0
    blocked_cids = np.unique(v["customer_id"][visit_in & (v["outcome"] == VisitOutcome.BLOCKED)])

    k: dict[str, float] = {}
    arrived = int(np.count_nonzero(cust_in))
    served = int(np.count_nonzero(is_served))
    balked = int(np.count_nonzero(outcome == CustomerOutcome.BALKED))
    abandoned = int(np.count_nonzero(outcome == CustomerOutcome.ABANDONED))
    k["arrived"] = float(arrived)
    k["served"] = float(served)
    k["balked"] = float(balked)
    k["blocked"] = float(blocked_cids.size)
    k["abandoned"] = float(abandoned)
    k["inside"] = float(np.count_nonzero(outcome == CustomerOutcome.INSIDE))
    k["persons_served"] = float(np.sum(c["group_size"][cust_in][is_served], dtype=np.int64))
    k["balk_rate"] = ratio(balked, arrived)
    k["abandon_rate"] = ratio(abandoned, arrived)
    k["served_share"] = ratio(served, arrived)
    served_waits = c["wait_min"][cust_in][is_served]
    k["waited_share"] = waited_share(served_waits, abandoned)

    waits = tally_stats(served_waits)
    k["wait_mean_min"] = waits.mean
    k["wait_p50_min"] = waits.p50
    k["wait_p90_min"] = waits.p90
    k["wait_p95_min"] = waits.p95
    k["wait_max_min"] = waits.max
    a_in, d_in = arr[cust_in], dep[cust_in]
    k["time_in_system_mean_min"] = (
        float(np.mean(d_in[is_served] - a_in[is_served])) if served else _NAN
    )
    d_eff = np.where(np.isnan(d_in), t1, np.minimum(d_in, t1))
    k["time_in_system_all_mean_min"] = float(np.mean(d_eff - a_in)) if arrived else _NAN
    all_served = c["outcome"] == CustomerOutcome.SERVED
    served_out = np.count_nonzero(all_served & (dep >= t0) & (dep <= t1))
    k["throughput_per_hour"] = ratio(served_out, window / 60.0)

    # Little's law terms, exact over the window.
    k["stats_window_min"] = window
    k["arrival_rate_per_min"] = ratio(np.count_nonzero((arr >= t0) & (arr <= t1)), window)
    dep_all = np.where(np.isnan(dep), t1, dep)
    overlap = np.clip(np.minimum(dep_all, t1) - np.maximum(arr, t0), 0.0, None)
    k["in_system_tw"] = ratio(float(np.sum(overlap)), window)
    k.update(class_kpis(r.class_names, c["class_idx"][cust_in], outcome, c["wait_min"][cust_in]))

    # Staff.
    late = staff_late(r)
    kind = r.staff["kind"]
    shift_end = kind == DutyChange.SHIFT_END
    overtime = float(np.sum(late[shift_end]))
    k["overtime_min"] = overtime
    k["late_break_min"] = float(np.sum(late[kind == DutyChange.BREAK]))
    paid_slots = sorted(r.staff_paid_min)
    k["staff_paid_min"] = float(sum(float(r.staff_paid_min[s]) for s in paid_slots)) + overtime
    k["staff_cost"] = _staff_cost(r, late, shift_end, paid_slots, cost_per_hour_by_group)
    finite_dep = dep[np.isfinite(dep)]
    last_dep = float(np.max(finite_dep)) if finite_dep.size else _NAN
    k["last_departure_min"] = last_dep
    if r.terminating:
        k["closing_overrun_min"] = max(0.0, last_dep - r.close_min) if finite_dep.size else 0.0
    else:
        k["closing_overrun_min"] = _NAN

    # Stations.
    start, join = v["start_min"], v["join_min"]
    started = np.isfinite(start)
    vout = v["outcome"]
    for s, name in enumerate(r.station_names):
        at = visit_in & (v["station_idx"] == s)
        w = tally_stats(start[at & started] - join[at & started])
        k[f"{name}__wait_mean_min"] = w.mean
        k[f"{name}__wait_p50_min"] = w.p50
        k[f"{name}__wait_p90_min"] = w.p90
        k[f"{name}__wait_p95_min"] = w.p95
        k[f"{name}__wait_max_min"] = w.max
        k[f"{name}__waited_share"] = waited_share(
            start[at & started] - join[at & started],
            int(np.count_nonzero(at & (vout == VisitOutcome.ABANDONED))))
        k[f"{name}__visits"] = float(np.count_nonzero(at))
        k[f"{name}__served"] = float(np.count_nonzero(at & np.isin(vout, SERVICE_DONE)))
        k[f"{name}__abandoned"] = float(np.count_nonzero(at & (vout == VisitOutcome.ABANDONED)))
        k[f"{name}__balked"] = float(np.count_nonzero(at & (vout == VisitOutcome.BALKED)))
        k[f"{name}__blocked"] = float(np.count_nonzero(at & (vout == VisitOutcome.BLOCKED)))
        k[f"{name}__failures"] = float(np.sum(v["n_failures"][at], dtype=np.int64))
        times, queue, busy, on_duty = station_levels(r, s)
        if window > 0:
            q_int = time_weighted_integral(times, queue, t0, t1)
            b_int = time_weighted_integral(times, busy, t0, t1)
            d_int = time_weighted_integral(times, on_duty, t0, t1)
            k[f"{name}__queue_len_tw"] = q_int / window
            k[f"{name}__busy_tw"] = b_int / window
            k[f"{name}__on_duty_tw"] = d_int / window
            k[f"{name}__utilisation_tw"] = ratio(b_int, d_int)
        else:
            for col in ("queue_len_tw", "busy_tw", "on_duty_tw", "utilisation_tw"):
                k[f"{name}__{col}"] = _NAN

    # Held resources.
    for s in range(len(r.station_names)):
        if r.kind_of(s) in ("tables", "rooms"):
            k.update(resource_kpis(r, s, visit_in))

    # Service standards.
    for key, std in zip(standard_slugs(standards), standards, strict=True):
        units = standard_units(r, std, visit_in, cust_in)
        n = int(units.passed.size)
        compliance = ratio(float(np.count_nonzero(units.passed)), n)
        target = float(field_of(std, "target_share", 0.8))
        k[f"std__{key}__compliance"] = compliance
        k[f"std__{key}__met"] = _NAN if math.isnan(compliance) else float(compliance >= target)
        k[f"std__{key}__n"] = float(n)

    # Skill-based routing (only when a group is routed): per group and per station served.
    k.update(routing_kpis(r))
    return k


def waited_share(waits_min: np.ndarray, abandoned: int) -> float:
    r"""P(wait > 0): the share of units that had to wait at all.

    Units are those that reached service (``waits_min``: their waits) and those that
    abandoned (who waited by definition); balked and blocked units never joined a line and
    are left out. This is what Erlang C's :math:`P(W > 0)` estimates at a station.

    Examples
    --------
    >>> waited_share(np.array([0.0, 0.0, 2.5]), 1)
    0.5
    """
    w = np.asarray(waits_min, dtype=np.float64)
    return ratio(float(np.count_nonzero(w > WAITED_MIN) + abandoned), float(w.size + abandoned))


def class_kpis(class_names: Sequence[str], class_idx: np.ndarray, outcome: np.ndarray,
               wait_min: np.ndarray) -> dict[str, float]:
    """Per customer class ``c``: ``arrived__class__c``, ``wait_mean_min__class__c`` (mean
    total wait of its served customers) and ``abandon_rate__class__c`` (abandoned ÷ arrived).

    The arrays describe the window customers (one entry each); rates are NaN for a class with
    no arrivals, the mean wait NaN without served customers.

    Examples
    --------
    >>> out = np.array([CustomerOutcome.SERVED, CustomerOutcome.ABANDONED])
    >>> class_kpis(["a"], np.array([0, 0]), out, np.array([4.0, 9.0]))["abandon_rate__class__a"]
    0.5
    """
    k: dict[str, float] = {}
    for i, name in enumerate(class_names):
        mine = class_idx == i
        n = int(np.count_nonzero(mine))
        served = mine & (outcome == CustomerOutcome.SERVED)
        k[f"arrived__class__{name}"] = float(n)
        k[f"wait_mean_min__class__{name}"] = (float(np.mean(wait_min[served]))
                                              if served.any() else _NAN)
        k[f"abandon_rate__class__{name}"] = ratio(
            float(np.count_nonzero(mine & (outcome == CustomerOutcome.ABANDONED))), n)
    return k


def resource_kpis(records: Records, s: int, visit_in: np.ndarray) -> dict[str, float]:
    r"""KPIs of held resource ``s`` (a tables or rooms entry of ``records.station_names``).

    Window :math:`[T_0, T_1]` as in :func:`replication_kpis`; ``visit_in`` marks window
    visits. Columns (prefix ``{name}__``):

    - ``queue_len_max`` — longest waiting list in the window (level series).
    - tables: ``seat_utilisation_tw`` — seat-minutes held / (seats × W), a hold being
      [start, end) of a seize visit clipped to the window (end :math:`T_1` if unfinished)
      and its seats those of its table(s).
    - rooms: ``kept_waiting_share`` — window check-ins (seize visits handed a room or
      abandoned) that were not handed a room on arrival at the step; ``checkout_no_room`` —
      release visits that found no room to vacate (NOTHING_HELD); ``ready_tw``,
      ``dirty_tw`` — time averages of ready rooms and dirty rooms (waiting for or being
      cleaned: housekeeping queue + busy); occupied rooms are ``busy_tw``.
    """
    r = records
    name = r.station_names[s]
    t0, t1 = float(r.stats_start_min), float(r.end_min)
    window = t1 - t0
    v = r.visits
    at = v["station_idx"] == s
    k: dict[str, float] = {}
    times, queue, busy, units = station_levels(r, s)
    in_force = (times <= t1) & (np.r_[times[1:], np.inf] > t0)
    k[f"{name}__queue_len_max"] = float(np.max(queue[in_force])) if np.any(in_force) else _NAN
    if r.kind_of(s) == "tables":
        seats = np.asarray(r.unit_seats[s], dtype=np.float64)
        held = at & np.isfinite(v["start_min"])
        a, b = v["counter"][held], v["staff_id"][held]
        n_seats = seats[a] + np.where(b >= 0, seats[np.maximum(b, 0)], 0.0)
        end = np.where(np.isnan(v["end_min"][held]), t1, v["end_min"][held])
        span = np.clip(np.minimum(end, t1) - np.maximum(v["start_min"][held], t0), 0.0, None)
        k[f"{name}__seat_utilisation_tw"] = ratio(float(np.sum(n_seats * span)),
                                                   float(seats.sum()) * window)
        return k
    vout = v["outcome"]
    mine = at & visit_in
    checked_in = mine & np.isin(vout, [int(VisitOutcome.SERVED), int(VisitOutcome.ABANDONED)])
    kept = checked_in & ~(v["start_min"] <= v["join_min"])
    k[f"{name}__kept_waiting_share"] = ratio(float(np.count_nonzero(kept)),
                                              float(np.count_nonzero(checked_in)))
    k[f"{name}__checkout_no_room"] = float(np.count_nonzero(
        mine & (vout == VisitOutcome.NOTHING_HELD)))
    hk_t, hk_q, hk_b, _ = station_levels(r, r.housekeeping_of[s])
    if window > 0:
        dirty = (time_weighted_integral(hk_t, hk_q, t0, t1)
                 + time_weighted_integral(hk_t, hk_b, t0, t1))
        occupied = time_weighted_integral(times, busy, t0, t1)
        rooms = time_weighted_integral(times, units, t0, t1)
        k[f"{name}__ready_tw"] = (rooms - occupied - dirty) / window
        k[f"{name}__dirty_tw"] = dirty / window
    else:
        k[f"{name}__ready_tw"] = k[f"{name}__dirty_tw"] = _NAN
    return k


def _staff_cost(
    r: Records,
    late: np.ndarray,
    shift_end: np.ndarray,
    paid_slots: list[int],
    rates: Sequence[float] | None,
) -> float:
    if rates is None:
        return _NAN
    rate = np.asarray(rates, dtype=np.float64)
    if rate.shape != (len(r.group_names),):
        raise ValueError(
            f"cost_per_hour_by_group needs one rate per staff group {list(r.group_names)} "
            f"(got {len(rate)} values)"
        )
    cost = 0.0
    for slot in paid_slots:
        group = r.slot_group.get(slot)
        if group is None:
            raise ValueError(f"staff slot {slot} has paid minutes but no entry in slot_group")
        cost += float(r.staff_paid_min[slot]) / 60.0 * float(rate[group])
    groups = r.staff["group_idx"][shift_end].astype(np.intp)
    cost += float(np.sum(late[shift_end] / 60.0 * rate[groups]))
    return cost
