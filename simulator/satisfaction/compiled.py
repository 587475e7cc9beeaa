"""The scenario's satisfaction section compiled against a plan, with the domain's defaults.

:func:`satisfaction_model` joins the ``satisfaction:`` section, the scenario's standards and
the domain defaults (:data:`DOMAIN_DEFAULTS`) into per-station and per-class arrays
(:class:`SatisfactionModel`); :func:`describe` says what the KPIs rest on (a calibrated
profile or uncalibrated defaults) for manifests and reports. Every satisfaction KPI starts
with :data:`PREFIX`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.satisfaction.columns import stage_columns
from simulator.satisfaction.tables import (
    KANO_CODES,
    PHASE_CODES,
)
from simulator.scenario.profile import read_profile
from simulator.scenario.satisfaction_params import (
    ModelParameters,
    StandardConfig,
)
from simulator.scenario.satisfaction_section import SatisfactionSection
from simulator.scenario.schema import Scenario

if TYPE_CHECKING:
    from simulator.scenario.plan import Plan


__all__ = [
    "DOMAIN_DEFAULTS",
    "PREFIX",
    "DomainDefaults",
    "SatisfactionModel",
    "describe",
    "satisfaction_model",
]


#: Prefix of every satisfaction KPI.
PREFIX = "sat__"


_NAN = math.nan


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
    if sc.promises:
        sec, standards = _with_promises(sc, sec, standards)
    return sec, standards


def _with_promises(sc: Scenario, sec: SatisfactionSection,
                   standards: list[tuple[StandardConfig, str]]
                   ) -> tuple[SatisfactionSection, list[tuple[StandardConfig, str]]]:
    """Gap 4 fed into the expectation model (satisfaction.md §2.4): a station's promise
    makes its standard a published one (``promise: true``, so a wait beyond A lowers
    reliability by ``promise_pen``); a station without a standard gets one at the promised
    wait. Whole-visit promises are measured (gap 4 KPIs) but change no stage."""
    from simulator.measures.standards import slug

    dom = DOMAIN_DEFAULTS[sc.domain]
    promised = {p.station: p for p in sc.promises if p.station is not None}
    new_std = []
    for std in sec.standards:
        if std.stage in promised and not std.promise:
            std = std.model_copy(update={"promise": True})
        new_std.append(std)
    have = {s.stage for s in new_std}
    ids = {s.id for s in new_std}
    for station, p in promised.items():
        if station not in have:
            sid = slug(p.name)
            while sid in ids:
                sid += "_"
            ids.add(sid)
            new_std.append(StandardConfig(id=sid, stage=station,
                                          adequate_min=float(p.wait_max_min),
                                          kano=dom.kano, promise=True))  # type: ignore[arg-type]
    sources = {s.id: src for s, src in standards}
    out = [(s, sources.get(s.id, "promise")) for s in new_std]
    return sec.model_copy(update={"standards": new_std}), out


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
