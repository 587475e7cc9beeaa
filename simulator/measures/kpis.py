"""The KPI row of one replication: what each KPI means, computed from its records.

The KPIs are computed by the streaming measures (:mod:`simulator.measures.accumulate`), from
rows as the run goes or, here, from a finished replication's :class:`Records`: one
definition either way, so a new KPI never needs a re-run. NumPy only (no pandas); inputs are
never modified.

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

from simulator.engine.records import Records
from simulator.measures.accumulate import measure_records
from simulator.measures.costs import CostRates
from simulator.measures.estimators import WAITED_MIN, waited_share

__all__ = ["WAITED_MIN", "replication_kpis", "waited_share"]

_NAN = math.nan


def replication_kpis(
    records: Records,
    standards: Sequence[Any] = (),
    cost_per_hour_by_group: Sequence[float] | CostRates | None = None,
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
    cost_per_hour_by_group : sequence of float or CostRates, optional
        Cost per paid staff hour, indexed like ``records.group_names``, or every cost rate of
        the scenario (:func:`simulator.measures.costs.cost_rates`: overtime premiums and
        compensation per failure too). Without it the cost KPIs are NaN.

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
          ``wait_max_min`` — :func:`simulator.measures.quantiles.tally_stats` of ``wait_min``
          (total wait over the visit) of served customers.
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

        Per customer class ``c`` (window customers): ``arrived__class__c``,
        ``wait_mean_min__class__c`` (mean total wait of its served customers; NaN without
        any) and ``abandon_rate__class__c`` (abandoned ÷ arrived; NaN without arrivals).

        Staff (whole run, ``staff`` table; not windowed):

        - ``overtime_min`` — Σ ``late_min`` over SHIFT_END rows; ``late_break_min`` — the same
          over BREAK rows. A row with NaN ``left_min`` (still there at the end) counts
          max(0, ``end_min`` − ``due_min``).
        - ``staff_paid_min`` — Σ ``records.staff_paid_min`` (scheduled) + ``overtime_min``.
        - ``staff_cost`` — ``staff_cost_regular`` + ``staff_cost_overtime`` (one exact sum).
        - ``staff_cost_regular`` — :math:`\sum_\text{slots} \text{paid}_s/60 \times
          \text{rate}_{g(s)}`, group :math:`g(s)` from ``records.slot_group``.
        - ``staff_cost_overtime`` — :math:`\sum \text{late}_r/60 \times \text{rate}_{g(r)}
          \times \text{premium}_{g(r)}` over SHIFT_END rows, group from the row's
          ``group_idx``, premium the group's ``overtime_premium`` (1 unless given).
        - ``recovery_cost`` — :math:`\sum_s c_s \times` ``{s}__failures``, :math:`c_s` the
          station's ``failure.actions.compensation_cost`` (money per failed service); 0
          without compensation. All four are NaN without cost rates.
        - ``last_departure_min`` — latest departure of any customer (NaN if none).
        - ``closing_overrun_min`` — terminating days: max(0, ``last_departure_min`` −
          ``close_min``), 0 if nobody departed; NaN for steady-state runs.

        Per station ``s`` (name verbatim from ``records.station_names``), window visits:

        - ``{s}__wait_mean_min``, ``{s}__wait_p50_min``, ``{s}__wait_p90_min``,
          ``{s}__wait_p95_min``, ``{s}__wait_max_min`` —
          :func:`simulator.measures.quantiles.tally_stats` of
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
        units, so ``utilisation_tw`` is units used / available), then (prefix
        ``{name}__``):

        - ``queue_len_max`` — longest waiting list in the window (level series).
        - tables: ``seat_utilisation_tw`` — seat-minutes held / (seats × W), a hold being
          [start, end) of a seize visit clipped to the window (end :math:`T_1` if unfinished)
          and its seats those of its table(s).
        - rooms: ``kept_waiting_share`` — window check-ins (seize visits handed a room or
          abandoned) that were not handed a room on arrival at the step; ``checkout_no_room`` —
          release visits that found no room to vacate (NOTHING_HELD); ``ready_tw``,
          ``dirty_tw`` — time averages of ready rooms and dirty rooms (waiting for or being
          cleaned: housekeeping queue + busy); occupied rooms are ``busy_tw``.

        A hidden housekeeping station ``{rooms}.housekeeping`` has station columns too
        (queue = dirty rooms waiting, busy = rooms being cleaned).

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
        :func:`simulator.measures.staff_use.routing_kpis` (per routed group on-duty and busy
        minutes and utilisation across the stations its people served; per station the busy minutes
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
    return measure_records(records, standards, cost_per_hour_by_group, by_hour=False).kpis
