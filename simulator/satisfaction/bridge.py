"""From one replication's records to predicted satisfaction KPIs (satisfaction.md §2).

The simulator records what happened (:class:`~simulator.engine.records.Records`); the satisfaction
model (:mod:`simulator.satisfaction`) turns per-customer traces into predictions. This module
is the bridge: it compiles the scenario's ``satisfaction:`` section with the domain defaults
(:func:`satisfaction_model`), builds the model's input tables from the records with NumPy
(:func:`build_tables`), predicts, and reduces the prediction to a flat KPI row plus hourly
values (:func:`replication_satisfaction`). Nothing here touches the simulation: the KPIs are
a pure function of the records, the plan and -- for the sampled survey answers -- the
dedicated stream ``satisfaction_rng(seed, replication)``.

Which customers
---------------
Customers arriving inside the statistics window (as for every tally KPI) who have left
(served, balked or abandoned); customers still inside when the run stopped are not scored.
CSAT "served" is over customers who completed their pathway; "all" over every scored arrival.

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

Hourly values are added to the ``station == "all"`` rows of ``by_hour`` (hour of arrival).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.satisfaction import (
    DIMENSIONS,
    KANO_CODES,
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_SERVED,
    PHASE_CODES,
    PHASE_IN,
    PHASE_POST,
    PHASE_PRE,
    CustomerTable,
    ModelParameters,
    Prediction,
    StageTable,
    StandardConfig,
    apply_halo,
    csat_probabilities,
    expected_csat,
    overall_index,
    overtaken_counts,
    predict,
    resolve_parameters,
    sample_responses,
    satisfaction_rng,
    stage_columns,
)
from simulator.scenario.profile import read_profile
from simulator.scenario.satisfaction_section import SatisfactionSection
from simulator.scenario.schema import Scenario

if TYPE_CHECKING:
    from simulator.engine.records import Records
    from simulator.scenario.plan import Plan

__all__ = [
    "DOMAIN_DEFAULTS",
    "PREFIX",
    "DomainDefaults",
    "SatisfactionModel",
    "SatisfactionOutputs",
    "build_tables",
    "describe",
    "replication_satisfaction",
    "satisfaction_model",
    "survey_frame",
]

#: Prefix of every satisfaction KPI.
PREFIX = "sat__"

_NAN = math.nan
_SERVED_VISITS = (int(VisitOutcome.SERVED), int(VisitOutcome.FAILED),
                  int(VisitOutcome.RECOVERED))


@dataclass(frozen=True)
class DomainDefaults:
    """What a scenario's ``domain`` sets when the satisfaction section does not say [A].

    Attributes
    ----------
    promise : bool
        Scenario standards are published promises (a wait beyond them also lowers
        reliability, satisfaction.md §2.4).
    kano : str
        KANO class given to scenario standards (the delight cap of responsiveness).
    return_head : str
        What the return head means: ``return`` or, for captive services, ``would recommend /
        trust`` (§2.9).
    """

    promise: bool
    kano: str
    return_head: str


#: Per-domain defaults (assumptions, satisfaction.md §2.9 and §2.12; see docs/satisfaction.md).
DOMAIN_DEFAULTS: dict[str, DomainDefaults] = {
    "government": DomainDefaults(True, "one_dimensional", "would recommend / trust"),
    "bank": DomainDefaults(False, "one_dimensional", "return"),
    "hotel": DomainDefaults(True, "one_dimensional", "return"),
    "restaurant": DomainDefaults(False, "one_dimensional", "return"),
    "generic": DomainDefaults(False, "one_dimensional", "return"),
}


# ---------------------------------------------------------------------------------------
# The compiled model of a plan
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SatisfactionModel:
    """The satisfaction section compiled against a plan: per-station and per-class arrays."""

    enabled: bool
    config: SatisfactionSection
    params: ModelParameters
    label: str
    domain: DomainDefaults
    standards: tuple[tuple[StandardConfig, str], ...]  # (standard, source) per stage standard
    adequate: np.ndarray  # [station] published A, NaN = none
    desired: np.ndarray  # [station] D, NaN = ratio · A
    kano: np.ndarray  # [station] int8
    promise: np.ndarray  # [station] bool
    occupied: np.ndarray
    informed: np.ndarray
    phase: np.ndarray  # [station] int8 override, -1 = rule
    area_capacity: np.ndarray  # [station] float, NaN = rule
    level_of_group: np.ndarray  # [group] skill in [0, 1]
    station_skill: np.ndarray  # [station] skill of the station's staff group, NaN unstaffed
    counters: np.ndarray  # [station] counters (servers when a survey gives none)
    nominal: np.ndarray  # [class, station] nominal service (min)
    rework_share_mean: np.ndarray  # [class, station] (mean service, mean rework)
    rework_mean: np.ndarray
    severity: np.ndarray  # [station]
    recovery_station: np.ndarray  # [station] int, -1 redo
    fix: np.ndarray
    apology: np.ndarray
    follow_up: np.ndarray
    compensation: np.ndarray
    recovery_standard: np.ndarray  # [station] T_rec, NaN = section default
    visit_adequate: float
    visit_desired: float
    visit_kano: int
    class_names: tuple[str, ...]
    station_names: tuple[str, ...]


def _effective_section(sc: Scenario) -> tuple[SatisfactionSection, list[tuple[StandardConfig,
                                                                               str]]]:
    """The section (or an empty one) with scenario standards added for stations without one."""
    from simulator.measures.standards import slug

    sec = sc.satisfaction if sc.satisfaction is not None else SatisfactionSection()
    dom = DOMAIN_DEFAULTS[sc.domain]
    standards = [(s, "satisfaction section") for s in sec.standards]
    have = {s.stage for s in sec.standards if s.stage is not None}
    ids = {s.id for s in sec.standards}
    derived: list[StandardConfig] = []
    by_station: dict[str, Any] = {}
    for std in sc.standards:  # unrestricted standards first, then class-restricted ones
        if std.station is not None and std.station not in have and std.measure == "wait":
            cur = by_station.get(std.station)
            if cur is None or (cur.classes is not None and std.classes is None):
                by_station[std.station] = std
    for station, std in by_station.items():
        sid = slug(std.name)
        while sid in ids:
            sid += "_"
        ids.add(sid)
        new = StandardConfig(id=sid, stage=station, adequate_min=float(std.wait_max_min),
                             kano=dom.kano, promise=dom.promise)  # type: ignore[arg-type]
        derived.append(new)
        standards.append((new, "scenario standard"))
    if derived:
        sec = sec.model_copy(update={"standards": [*sec.standards, *derived]})
    return sec, standards


def satisfaction_model(plan: Plan) -> SatisfactionModel:
    """Compile the plan's scenario section (or the domain defaults) into arrays."""
    sc = plan.scenario
    sec, standards = _effective_section(sc)
    dom = DOMAIN_DEFAULTS[sc.domain]
    if sec.profile_inline is not None:
        params = sec.profile_inline.parameters
        label = (f"calibrated profile {sec.profile_inline.name}" if params.calibrated
                 else "uncalibrated defaults")
    elif sec.profile != "default" and sc.satisfaction is not None and sec.model != "off":
        path = Path(sec.profile)
        if not path.is_absolute():
            raise ValueError(
                f"satisfaction.profile: {sec.profile!r} was not loaded (got a relative path "
                "in a compiled plan; expected the scenario to pass through "
                "simulator.scenario.profile.resolve_profile(scenario, base_dir) first)")
        prof = read_profile(path)
        params, label = prof.parameters, prof.label
    else:
        params, label = ModelParameters(), ModelParameters().label
    names = plan.station_names
    n_st = len(names)
    # standards and waiting environment per station: the package's own column builder
    cols = stage_columns(sec, names)
    phase = np.full(n_st, -1, dtype=np.int8)
    area = np.full(n_st, np.nan)
    severity = np.zeros(n_st)
    rec_station = np.full(n_st, -1, dtype=np.int64)
    fix = np.zeros(n_st, dtype=bool)
    apology = np.zeros(n_st, dtype=bool)
    follow = np.zeros(n_st, dtype=bool)
    comp = np.zeros(n_st)
    t_rec = np.full(n_st, np.nan)
    recovery_std = next((s for s in sec.standards if s.applies_to == "recovery"), None)
    for i, name in enumerate(names):
        if name in sec.phases:
            phase[i] = PHASE_CODES[sec.phases[name]]
        if i >= len(plan.stations) or name not in sc.stations:
            continue  # a held resource or a hidden housekeeping station
        sp = plan.stations[i]
        if sp.waiting_room is not None and sp.waiting_room > 0:
            area[i] = float(sp.waiting_room)
        fail = sc.stations[name].failure
        if fail is not None:
            severity[i] = fail.severity
            rec_station[i] = sp.recovery_station
            act = fail.actions
            fix[i], apology[i], follow[i] = act.fix, act.apology, act.follow_up
            comp[i] = act.compensation_value
            if act.resolution_standard_min is not None:
                t_rec[i] = act.resolution_standard_min
            elif recovery_std is not None:
                t_rec[i] = recovery_std.adequate_minutes
    groups = list(sc.staff.values())
    level = np.array([(g.training_level - 1) / 4.0 for g in groups], dtype=float)
    n_cl = len(plan.classes)
    nominal = np.full((n_cl, n_st), np.nan)
    base_mean = np.full((n_cl, n_st), np.nan)
    rework_mean = np.full((n_cl, n_st), np.nan)
    for c, cp in enumerate(plan.classes):
        for rp in plan.resources:  # expected hold (tables) or cleaning time (rooms)
            hold = rp.nominal_hold_min[c] if rp.kind == "tables" else rp.clean.mean  # type: ignore[union-attr]
            nominal[c, rp.idx] = base_mean[c, rp.idx] = rework_mean[c, rp.idx] = hold
        for s in range(len(plan.stations)):
            dist = plan.class_station_service[c][s]
            step = next((st for st in cp.steps if st.station == s), None)
            mean = float((step.service if step is not None else dist).mean)
            base_mean[c, s] = mean
            nominal[c, s] = mean * plan.stations[s].skill
            rw = plan.stations[s].rework or dist
            rework_mean[c, s] = float(rw.mean)
    vis = next((s for s in sec.standards if s.applies_to == "visit"), None)
    return SatisfactionModel(
        enabled=sec.model != "off",
        config=sec,
        params=params,
        label=label,
        domain=dom,
        standards=tuple(standards),
        adequate=cols["adequate_min"],
        desired=cols["desired_min"],
        kano=cols["kano"],
        promise=cols["promise"],
        occupied=cols["occupied"],
        informed=cols["informed"],
        phase=phase,
        area_capacity=area,
        level_of_group=level,
        station_skill=np.array([level[sp.group] if sp.group >= 0 else np.nan
                                for sp in plan.stations]
                               + [np.nan] * len(plan.resources), dtype=float),
        counters=np.array([sp.counters for sp in plan.stations]
                          + [rp.units for rp in plan.resources], dtype=np.int64),
        nominal=nominal,
        rework_share_mean=base_mean,
        rework_mean=rework_mean,
        severity=severity,
        recovery_station=rec_station,
        fix=fix,
        apology=apology,
        follow_up=follow,
        compensation=comp,
        recovery_standard=t_rec,
        visit_adequate=vis.adequate_minutes if vis is not None else _NAN,
        visit_desired=(vis.desired_minutes(params.desired_ratio)
                       if vis is not None else _NAN),
        visit_kano=KANO_CODES[vis.kano] if vis is not None else 1,
        class_names=plan.class_names,
        station_names=names,
    )


def describe(plan: Plan) -> dict[str, Any]:
    """What the satisfaction KPIs of a plan rest on, for manifests and reports."""
    m = satisfaction_model(plan)
    sec = m.config
    prof = sec.profile_inline
    return {
        "model": "servqual" if m.enabled else "off",
        "label": m.label,
        "calibrated": bool(m.params.calibrated),
        "profile": None if sec.profile == "default" else sec.profile,
        "profile_sha256": prof.sha256 if prof is not None else None,
        "section_given": plan.scenario.satisfaction is not None,
        "domain": plan.scenario.domain,
        "return_head": m.domain.return_head,
        "kpi_prefix": PREFIX,
        "population": "customers arriving in the statistics window who left; CSAT for "
        "served customers (sat__csat_mean) and all arrivals (sat__csat_mean__all)",
        "stage_standards": [
            {"id": s.id, "stage": s.stage, "adequate_min": s.adequate_minutes,
             "desired_min": s.desired_minutes(m.params.desired_ratio), "kano": s.kano,
             "promise": s.promise, "source": src}
            for s, src in m.standards if s.stage is not None
        ],
        "sampled_answers_stream": "SeedSequence(seed, spawn_key=(replication, "
        "crc32('satisfaction')))" if sec.outputs.sample_responses else None,
    }


# ---------------------------------------------------------------------------------------
# Records -> tables
# ---------------------------------------------------------------------------------------
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

    # every visit, for overtaking (warm-up and still-inside customers overtake too)
    vout_all = v["outcome"].astype(np.int64)
    join_all = v["join_min"].astype(np.float64)
    start_all = v["start_min"].astype(np.float64)
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


# ---------------------------------------------------------------------------------------
# Prediction -> KPIs
# ---------------------------------------------------------------------------------------
@dataclass
class SatisfactionOutputs:
    """KPIs of one replication (``sat__*``) and the hourly values for the by-hour table."""

    kpis: dict[str, float]
    by_hour: dict[int, dict[str, float]] = field(default_factory=dict)
    prediction: Prediction | None = None
    tables: BridgeTables | None = None


def _mean(x: np.ndarray, mask: np.ndarray | None = None) -> float:
    a = x if mask is None else x[mask]
    return float(np.mean(a)) if a.size else _NAN


def gain_if_met(prediction: Prediction, params: ModelParameters) -> np.ndarray:
    """Per customer and dimension: E[CSAT] gained if that dimension met expectations.

    The dimension's score is raised to ``max(score, 0)`` (0 = as expected) with the others
    unchanged (the halo of responsiveness goes with it), and E[CSAT] is recomputed. Shape
    (n, 5), non-negative; the dimension with the largest mean gain drives dissatisfaction.
    """
    dims = np.asarray(prediction.dimensions)
    w, psi, kappa, h = params.weights.as_tuple(), params.psi, params.kappa, params.h
    base = prediction.expected_csat
    out = np.zeros(dims.shape)
    for d in range(dims.shape[1]):
        alt = dims.copy()
        alt[:, d] = np.maximum(alt[:, d], 0.0)
        q = overall_index(apply_halo(alt, h), w, psi, kappa)
        out[:, d] = expected_csat(csat_probabilities(q, params.beta, params.cutpoints)) - base
    return np.maximum(out, 0.0)


def replication_satisfaction(
    plan: Plan,
    records: Records,
    seed: int | None = None,
    replication: int = 0,
    *,
    model: SatisfactionModel | None = None,
    keep: bool = False,
) -> SatisfactionOutputs:
    """Satisfaction KPIs of one replication (empty when the section says ``model: off``).

    Parameters
    ----------
    plan, records : Plan, Records
        The compiled scenario and one replication's records.
    seed : int, optional
        The run's seed; with it (and ``outputs.sample_responses``) survey answers,
        complaints and returns are sampled from ``satisfaction_rng(seed, replication)``.
    replication : int
        Replication index.
    model : SatisfactionModel, optional
        Precompiled :func:`satisfaction_model` of ``plan``.
    keep : bool
        Keep the prediction and tables on the result (for tests and reports).

    Returns
    -------
    SatisfactionOutputs
        KPI keys (all prefixed ``sat__``): ``calibrated`` (1 = fitted profile, 0 =
        uncalibrated defaults), ``n_served``, ``n_all``; expected values ``csat_mean`` /
        ``csat_mean__all`` (E[CSAT], served / all arrivals), ``top2_share`` /
        ``top2_share__all`` (share satisfied, CSAT 4-5), ``csat_index`` (0-100, served),
        ``complaint_rate``, ``return_rate`` (all arrivals); gap 5: ``dim__{dimension}``
        (mean dimension score, served); drivers: ``gain__{dimension}`` (mean E[CSAT]
        gained if that dimension met expectations, served); gap 3:
        ``gap3__{standard}__share`` (share of the stage's queued visits within its adequate
        level); by class: ``csat_mean__class__{c}``, ``complaint_rate__class__{c}``,
        ``return_rate__class__{c}``; sampled answers: ``sampled__csat_mean``,
        ``sampled__top2_share`` (served), ``sampled__complaint_rate``,
        ``sampled__return_rate`` (all arrivals).
    """
    m = model if model is not None else satisfaction_model(plan)
    if not m.enabled:
        return SatisfactionOutputs({})
    tables = build_tables(plan, records, m)
    pred = predict(tables.stages, tables.customers, m.params, m.config)
    params = resolve_parameters(m.params, m.config)
    served = pred.served
    p = PREFIX
    k: dict[str, float] = {
        f"{p}calibrated": float(m.params.calibrated),
        f"{p}n_served": float(np.count_nonzero(served)),
        f"{p}n_all": float(pred.n_customers),
        f"{p}csat_mean": _mean(pred.expected_csat, served),
        f"{p}csat_mean__all": _mean(pred.expected_csat),
        f"{p}top2_share": _mean(pred.top2, served),
        f"{p}top2_share__all": _mean(pred.top2),
        f"{p}csat_index": _mean(pred.csat_index, served),
        f"{p}complaint_rate": _mean(pred.p_complaint),
        f"{p}return_rate": _mean(pred.p_return),
    }
    for j, d in enumerate(DIMENSIONS):
        k[f"{p}dim__{d}"] = _mean(pred.dimensions[:, j], served)
    gains = gain_if_met(pred, params)
    for j, d in enumerate(DIMENSIONS):
        k[f"{p}gain__{d}"] = _mean(gains[:, j], served)
    k.update(_gap3(m, tables))
    for ci, cname in enumerate(m.class_names):
        of = tables.class_idx == ci
        k[f"{p}csat_mean__class__{cname}"] = _mean(pred.expected_csat, of & served)
        k[f"{p}complaint_rate__class__{cname}"] = _mean(pred.p_complaint, of)
        k[f"{p}return_rate__class__{cname}"] = _mean(pred.p_return, of)
    if seed is not None and m.config.outputs.sample_responses:
        ans = sample_responses(pred, satisfaction_rng(seed, replication))
        k[f"{p}sampled__csat_mean"] = _mean(ans.csat.astype(float), served)
        k[f"{p}sampled__top2_share"] = _mean((ans.csat >= 4).astype(float), served)
        k[f"{p}sampled__complaint_rate"] = _mean(ans.complaint.astype(float))
        k[f"{p}sampled__return_rate"] = _mean(ans.returned.astype(float))
    hours = _by_hour(pred, tables)
    return SatisfactionOutputs(k, hours, pred if keep else None, tables if keep else None)


def _gap3(m: SatisfactionModel, t: BridgeTables) -> dict[str, float]:
    out: dict[str, float] = {}
    queued = ~np.isnan(t.row_wait)
    for std, _src in m.standards:
        if std.stage is None:
            continue
        s = m.station_names.index(std.stage)
        at = queued & (t.row_station == s)
        ok = t.row_wait[at] <= std.adequate_minutes
        out[f"{PREFIX}gap3__{std.id}__share"] = _mean(ok.astype(float))
    return out


#: Columns added to the ``station == "all"`` rows of the by-hour table (hour of arrival).
BY_HOUR_KEYS: tuple[str, ...] = (
    "sat__n_all", "sat__csat_mean", "sat__csat_mean__all", "sat__top2_share",
    "sat__complaint_rate", "sat__return_rate",
)


def _by_hour(pred: Prediction, t: BridgeTables) -> dict[int, dict[str, float]]:
    if pred.n_customers == 0:
        return {}
    # one pass per quantity (bincount), not one mask per hour: linear in customers
    hour = np.floor(t.arrival_min / 60.0).astype(np.int64)
    first = int(hour.min())
    idx = hour - first
    size = int(idx.max()) + 1
    served = pred.served.astype(bool)

    def hourly_mean(x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        i = idx if mask is None else idx[mask]
        v = x if mask is None else x[mask]
        n = np.bincount(i, minlength=size)
        total = np.bincount(i, weights=v, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.maximum(n, 1), _NAN)

    n_all = np.bincount(idx, minlength=size)
    cols = {
        "sat__csat_mean": hourly_mean(pred.expected_csat, served),
        "sat__csat_mean__all": hourly_mean(pred.expected_csat),
        "sat__top2_share": hourly_mean(pred.top2, served),
        "sat__complaint_rate": hourly_mean(pred.p_complaint),
        "sat__return_rate": hourly_mean(pred.p_return),
    }
    return {
        first + k: {"sat__n_all": float(n_all[k]), **{c: float(v[k]) for c, v in cols.items()}}
        for k in np.flatnonzero(n_all).tolist()
    }


def add_by_hour(rows: list[dict[str, Any]], hourly: Mapping[int, Mapping[str, float]]) -> None:
    """Add the hourly satisfaction values to the ``station == "all"`` by-hour rows in place
    (NaN on station rows and in hours without scored arrivals)."""
    for row in rows:
        values = hourly.get(int(row["hour"])) if row.get("station") == "all" else None
        for key in BY_HOUR_KEYS:
            row[key] = float(values[key]) if values is not None else _NAN


# ---------------------------------------------------------------------------------------
# Simulated surveys (example files, calibration round trips)
# ---------------------------------------------------------------------------------------
def survey_frame(
    plan: Plan,
    records: Records,
    rng: np.random.Generator,
    params: ModelParameters | None = None,
    *,
    perceived_sd: float | None = 0.15,
    items_sd: float | None = None,
) -> Any:
    """A survey table (the columns of :mod:`simulator.satisfaction.survey`) answered by the
    simulated customers of one replication who did not balk.

    Answers (CSAT, complaint, returned) are drawn from the model with ``params`` (default:
    the plan's profile); with ``perceived_sd`` a perceived wait per stage (the model's
    perceived wait × a lognormal error, rounded to the minute); with ``items_sd`` SERVQUAL
    items ``round(3 + 2·s_d + N(0, sd))`` clipped to 1..5. A station visited twice keeps
    its first visit. Draws come from ``rng`` only.
    """
    import pandas as pd

    m = satisfaction_model(plan)
    prm = params if params is not None else m.params
    t = build_tables(plan, records, m)
    pred = predict(t.stages, t.customers, prm, m.config)
    n = pred.n_customers
    ans = sample_responses(pred, rng)
    st = t.stages
    keep = pred.outcome != OUTCOME_BALKED
    cols: dict[str, Any] = {
        "respondent": t.customer_id,
        "class": t.customers.class_name,
        "outcome": np.where(pred.outcome == OUTCOME_ABANDONED, "abandoned", "served"),
        "csat": ans.csat.astype(np.int64),
        "complaint": ans.complaint.astype(np.int64),
        "returned": ans.returned.astype(np.int64),
        "time_in_system_min": np.round(t.customers.time_in_system_min, 3),
    }
    first = np.ones(st.n_rows, dtype=bool)
    seen: set[tuple[int, int]] = set()
    for i, (cu, s) in enumerate(zip(st.customer.tolist(), t.row_station.tolist(),
                                    strict=True)):
        first[i] = (cu, s) not in seen
        seen.add((cu, s))
    perceived = pred.perceived_wait_min
    if perceived_sd is not None:
        noise = np.exp(rng.normal(0.0, perceived_sd, st.n_rows))
        perceived = np.round(perceived * noise)
    for s, name in enumerate(m.station_names):
        rows = np.flatnonzero(first & (t.row_station == s) & ~st.balked_here)
        if rows.size == 0:
            continue
        who = st.customer[rows]

        def col(values: np.ndarray, rows: np.ndarray = rows,
                who: np.ndarray = who) -> np.ndarray:
            out = np.full(n, np.nan)
            out[who] = np.asarray(values, dtype=float)[rows]
            return out

        cols[f"wait_min__{name}"] = np.round(col(st.wait_min), 3)
        if perceived_sd is not None and not np.isnan(m.adequate[s]):
            cols[f"perceived_min__{name}"] = col(perceived)
        cols[f"queue__{name}"] = col(st.queue_on_arrival)
        cols[f"servers__{name}"] = col(st.servers_on_arrival)
        cols[f"overtaken__{name}"] = col(st.overtaken)
        if not np.isnan(m.station_skill[s]):
            cols[f"skill__{name}"] = col(np.round(st.staff_skill * 4 + 1))
        if m.severity[s] > 0:
            cols[f"failure__{name}"] = col(st.severity)
            cols[f"fixed__{name}"] = col(st.fix)
            res = np.where(np.isfinite(st.resolution_min), st.resolution_min, np.nan)
            cols[f"resolution_min__{name}"] = np.round(col(res), 3)
    if items_sd is not None:
        dims = apply_halo(pred.dimensions, resolve_parameters(prm, m.config).h)
        raw = np.round(3.0 + 2.0 * dims + rng.normal(0.0, items_sd, dims.shape))
        for j, d in enumerate(DIMENSIONS):
            cols[f"servqual__{d}"] = np.clip(raw[:, j], 1, 5)
    frame = pd.DataFrame(cols)[keep]
    for c in frame.columns:
        if c.startswith(("queue__", "servers__", "overtaken__", "skill__", "fixed__",
                         "servqual__")):
            frame[c] = frame[c].astype("Int64")
    return frame.reset_index(drop=True)
