"""From one replication's records to the satisfaction model's input tables (satisfaction.md §2).

The simulator records what happened (:class:`~simulator.engine.records.Records`); the
satisfaction model (:mod:`simulator.satisfaction`) turns per-customer traces into
predictions. :func:`build_tables` builds the model's stage and customer tables from the
records with NumPy; nothing here touches the simulation.

How records become stage rows
-----------------------------
Every station visit is one stage row, in the customer's order of visits.

* ``wait_min``: service start − joining; for the visit a customer abandoned, departure −
  joining; balking/blocked visits use the anticipated wait (the model's rule).
* Standard of a stage: the section's ``standards`` entry for that station, else the
  scenario's ``standards`` entry for the station (``wait_max_min`` = adequate level A, KANO
  class and "published" from the domain defaults, :data:`DOMAIN_DEFAULTS`). A scenario
  standard restricted to some classes is used for every class. Whole-visit scenario
  standards (total wait) are reported (gap 3) but not scored: the model's visit standard
  (``applies_to: visit``) is on time in system.
* Phase: the section's ``phases`` for the station, else the customer's first visit ``pre``,
  the last visit of a customer who completed the pathway ``post``, the rest ``in``.
* ``overtaken``: later joiners at the same station who started service before this customer
  started (or abandoned), counted over all the station's visits.
* ``queue_on_arrival`` / ``servers_on_arrival``: the line and the staff on duty seen on
  joining; ``area_capacity``: the station's ``waiting_room`` (else the model's rule of five
  seats per server on duty).
* ``staff_skill``: training level L (1..5) of the server's staff group, (L − 1)/4.
* ``service_min`` / ``nominal_service_min``: the visit's service and the mean of the step's
  service distribution × the group's skill multiplier. Service speed does not depend on load
  in the engine, so rushed service is never flagged (``others_waiting`` is false).
* Failures: a visit with failed services carries one failure of the station's severity
  (several failed redos in one visit count as one failure, resolved when the last redo
  ends). Recovery actions come from ``failure.actions``; ``fix`` counts only if the redo or
  the recovery visit was completed. Resolution time runs from the failure to the end of the
  recovery: for ``recovery: {station: ...}`` exactly (end of the failed visit → end of the
  recovery visit); for ``redo`` the records hold the visit's total service only, so the redo
  time is estimated as the expected share of rework in it,
  ``service · f·r̄ / (s̄ + f·r̄)`` (f failures, s̄ and r̄ the means of the service and rework
  distributions). If the engine adds a ``fail_min`` visit column (time of the first
  failure), it is used instead.
* Amenity flags (``stage_flag`` KANO attributes) follow the section's ``amenities`` rules.

"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.satisfaction.compiled import SatisfactionModel
from simulator.satisfaction.overtaking import overtaken_counts
from simulator.satisfaction.tables import (
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_SERVED,
    PHASE_IN,
    PHASE_POST,
    PHASE_PRE,
    CustomerTable,
    StageTable,
)
from simulator.scenario.satisfaction_section import SatisfactionSection

if TYPE_CHECKING:
    from simulator.engine.records import Records
    from simulator.scenario.plan import Plan

__all__ = [
    "BridgeTables",
    "build_tables",
]

_NAN = math.nan


_SERVED_VISITS = (int(VisitOutcome.SERVED), int(VisitOutcome.FAILED),
                  int(VisitOutcome.RECOVERED))


# Records -> tables
@dataclass(frozen=True)
class BridgeTables:
    """The model's input tables plus what the KPIs need to group customers."""

    stages: StageTable
    customers: CustomerTable
    customer_id: np.ndarray  # [n] engine customer ids, ascending
    class_idx: np.ndarray  # [n]
    arrival_min: np.ndarray  # [n]
    row_station: np.ndarray  # [N]
    row_wait: np.ndarray  # [N] actual wait (NaN for balking rows)


def _row_group_bounds(customer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_rows = customer.shape[0]
    first = np.ones(n_rows, dtype=bool)
    last = np.ones(n_rows, dtype=bool)
    if n_rows > 1:
        same = customer[1:] == customer[:-1]
        first[1:] = ~same
        last[:-1] = ~same
    return first, last


def _overtaken(station: np.ndarray, join: np.ndarray, start: np.ndarray, leave: np.ndarray,
               queued: np.ndarray, n_stations: int) -> np.ndarray:
    """Overtaking counts per visit, computed station by station over queued visits."""
    out = np.zeros(station.shape[0], dtype=np.int64)
    for s in range(n_stations):
        idx = np.flatnonzero(queued & (station == s))
        if idx.size:
            out[idx] = overtaken_counts(join[idx], start[idx], leave[idx])
    return out


def build_tables(plan: Plan, records: Records, model: SatisfactionModel) -> BridgeTables:
    """Build the :class:`StageTable` and :class:`CustomerTable` of one replication.

    Vectorised over visits and customers (loops only over stations and amenity rules).
    """
    c, v = records.customers, records.visits
    arrival = c["arrival_min"].astype(np.float64)
    cout = c["outcome"]
    cid_all = c["customer_id"].astype(np.int64)
    size = int(max(cid_all.max(initial=-1), v["customer_id"].max(initial=-1))) + 1
    has_visit = np.zeros(size, dtype=bool)
    has_visit[v["customer_id"]] = True
    pop = ((arrival >= records.stats_start_min) & (cout != CustomerOutcome.INSIDE)
           & has_visit[cid_all])
    cids = cid_all[pop]
    n = int(cids.size)
    index_of = np.full(size, -1, dtype=np.int64)
    index_of[cids] = np.arange(n)
    dep_of = np.full(size, np.nan)
    dep_of[cid_all] = c["departure_min"]

    vout_all = v["outcome"].astype(np.int64)
    join_all = v["join_min"].astype(np.float64)
    start_all = v["start_min"].astype(np.float64)
    if "overtaken" in v:  # counted by the engine as it happened (simulator.engine.overtaking)
        overtaken_all = v["overtaken"].astype(np.int64)
    else:  # every visit, for overtaking (warm-up and still-inside customers overtake too)
        abandoned_all = vout_all == VisitOutcome.ABANDONED
        queued_all = ~np.isin(vout_all, (int(VisitOutcome.BALKED), int(VisitOutcome.BLOCKED)))
        leave_all = np.where(abandoned_all, dep_of[v["customer_id"]], start_all)
        overtaken_all = _overtaken(v["station_idx"].astype(np.int64), join_all, start_all,
                                   leave_all, queued_all, len(model.station_names))

    # a check-out that found no room to vacate is not a stage the customer went through
    rows = np.flatnonzero((index_of[v["customer_id"]] >= 0)
                          & (vout_all != VisitOutcome.NOTHING_HELD))
    cust = index_of[v["customer_id"][rows]]
    station = v["station_idx"][rows].astype(np.int64)
    cls = v["class_idx"][rows].astype(np.int64)
    vout = vout_all[rows]
    join, start, end = join_all[rows], start_all[rows], v["end_min"][rows].astype(np.float64)
    abandoned = vout == VisitOutcome.ABANDONED
    balked = (vout == VisitOutcome.BALKED) | (vout == VisitOutcome.BLOCKED)
    wait = np.where(abandoned, dep_of[v["customer_id"][rows]] - join, start - join)
    wait = np.where(balked, np.nan, np.maximum(wait, 0.0))

    first, last = _row_group_bounds(cust)
    c_out = cout[pop]
    c_served = c_out == CustomerOutcome.SERVED
    phase = np.full(rows.size, PHASE_IN, dtype=np.int8)
    phase[last & c_served[cust]] = PHASE_POST
    phase[first] = PHASE_PRE
    override = model.phase[station]
    phase = np.where(override >= 0, override, phase).astype(np.int8)

    staff = v["staff_id"][rows].astype(np.int64)
    staff = np.where(station < len(plan.stations), staff, -1)  # resources: a table, not staff
    slot_level = np.full(max(records.slot_group, default=-1) + 2, np.nan)
    for slot, group in records.slot_group.items():
        slot_level[slot] = model.level_of_group[group]
    skill = np.where(staff >= 0, slot_level[np.where(staff >= 0, staff, -1)], np.nan)

    # failures and recovery
    n_fail = v["n_failures"][rows].astype(np.int64)
    is_rec = v["is_recovery"][rows].astype(bool)
    failed = (n_fail > 0) & ~is_rec
    sev = np.where(failed, model.severity[station], 0.0)
    to_station = failed & (vout == VisitOutcome.FAILED)
    redo = failed & ~to_station
    resolution = np.full(rows.size, np.inf)
    fixed = np.zeros(rows.size, dtype=bool)
    nxt = np.minimum(np.arange(rows.size) + 1, max(rows.size - 1, 0))
    if rows.size:
        follows = (~last) & is_rec[nxt] & (vout[nxt] == VisitOutcome.RECOVERED)
        ok = to_station & follows
        resolution = np.where(ok, end[nxt] - end, resolution)
        fixed |= ok
    if "fail_min" in v:
        fail_at = v["fail_min"][rows].astype(np.float64)
        redo_time = end - fail_at
    else:
        s_bar = model.rework_share_mean[cls, station]
        r_bar = model.rework_mean[cls, station]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = n_fail * r_bar / (s_bar + n_fail * r_bar)
        redo_time = v["service_min"][rows] * share
    resolution = np.where(redo, redo_time, resolution)
    fixed |= redo
    act_fix = model.fix[station] & fixed & failed
    apology = model.apology[station] & failed
    follow = model.follow_up[station] & failed
    comp = np.where(failed, model.compensation[station], 0.0)
    resolution = np.where(failed, resolution, np.inf)

    cfg = model.config
    stages = StageTable.build(
        customer=cust,
        wait_min=wait,
        stage=np.asarray(model.station_names, dtype=str)[station] if rows.size else
        np.zeros(0, dtype=str),
        phase=phase,
        adequate_min=model.adequate[station],
        desired_min=model.desired[station],
        kano=model.kano[station],
        promise=model.promise[station],
        occupied=model.occupied[station],
        informed=model.informed[station],
        overtaken=overtaken_all[rows],
        queue_on_arrival=np.maximum(v["queue_on_join"][rows], 0),
        servers_on_arrival=np.maximum(v["on_duty_on_join"][rows], 0),
        area_capacity=model.area_capacity[station],
        staff_skill=skill,
        service_min=v["service_min"][rows],
        nominal_service_min=model.nominal[cls, station],
        others_waiting=False,
        abandoned_here=abandoned,
        balked_here=balked,
        severity=sev,
        fix=act_fix,
        apology=apology,
        follow_up=follow,
        compensation_value=comp,
        resolution_min=resolution,
        recovery_standard_min=model.recovery_standard[station],
    )

    outcome = np.full(n, OUTCOME_SERVED, dtype=np.int8)
    outcome[c_out == CustomerOutcome.BALKED] = OUTCOME_BALKED
    outcome[c_out == CustomerOutcome.ABANDONED] = OUTCOME_ABANDONED
    class_idx = c["class_idx"][pop].astype(np.int64)
    arr = arrival[pop]
    flags = _amenity_flags(cfg, model, cust, station, wait, vout, n)
    customers = CustomerTable.build(
        outcome,
        class_name=np.asarray(model.class_names, dtype=str)[class_idx] if n else
        np.zeros(0, dtype=str),
        time_in_system_min=c["departure_min"][pop] - arr,
        visit_adequate_min=model.visit_adequate,
        visit_desired_min=model.visit_desired if not math.isnan(model.visit_adequate) else
        _NAN,
        visit_kano=model.visit_kano,
        flags=flags,
    )
    return BridgeTables(stages, customers, cids, class_idx, arr, station, wait)


def _amenity_flags(cfg: SatisfactionSection, model: SatisfactionModel, cust: np.ndarray,
                   station: np.ndarray, wait: np.ndarray, vout: np.ndarray,
                   n: int) -> dict[str, np.ndarray]:
    flags: dict[str, np.ndarray] = {}
    names = list(model.station_names)
    for key, rule in cfg.amenities.items():
        at = (np.ones(station.shape, dtype=bool) if rule.stage is None
              else station == names.index(rule.stage))
        if rule.when == "waited_over":
            seen = at & ~np.isnan(wait)
            x = np.full(n, np.nan)
            given = np.zeros(n)
            np.maximum.at(given, cust[seen], (wait[seen] > float(rule.minutes or 0.0)) * 1.0)
            has = np.zeros(n, dtype=bool)
            has[cust[seen]] = True
            x[has] = given[has]
        else:  # served_at
            x = np.zeros(n)
            x[cust[at & np.isin(vout, _SERVED_VISITS)]] = 1.0
        flags[key] = x
    return flags
