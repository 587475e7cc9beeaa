"""Compile a :class:`~simulator.scenario.schema.Scenario` into the numeric plan the engine runs.

Compiling happens once per run (files such as arrival traces and empirical CSVs are read here),
so every replication works from plain indices, arrays and distribution objects. A plan is
picklable and is what workers receive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path

import numpy as np

from simulator.scenario.arrivals import (
    Appointments,
    Booking,
    PoissonArrivals,
    TraceArrivals,
    WaveArrivals,
)
from simulator.scenario.back_office import BackOfficePlan
from simulator.scenario.days import DayPlan, with_days
from simulator.scenario.distributions import Constant, Distribution, Empirical, Poisson
from simulator.scenario.fields import MAX_COUNT, MINUTES_IN_DAY, clock_to_min
from simulator.scenario.files import DataFileError, read_csv_rows
from simulator.scenario.pathways import (
    BRANCH_KINDS,
    Choose,
    IfFailed,
    IfServed,
    Release,
    Seize,
    ShortestOf,
    Step,
    branch_kind,
    branch_targets,
)
from simulator.scenario.profile import resolve_profile
from simulator.scenario.resources import Rooms, Tables
from simulator.scenario.schema import Scenario, group_serves, routed_groups

#: Codes of the wave spread shapes in :attr:`SourcePlan.wave_shape`.
WAVE_SHAPES: tuple[str, ...] = ("normal", "uniform", "exponential")

OP_VISIT, OP_SEIZE, OP_RELEASE, OP_BRANCH = 0, 1, 2, 3


class DutyChange(IntEnum):
    """Why a staff slot goes off duty: the kind of each of a slot's on-duty intervals
    (:attr:`SlotPlan.intervals`), recorded as ``kind`` in the staff table."""

    SHIFT_END = 0
    BREAK = 1


@dataclass(frozen=True)
class StepPlan:
    """One pathway step of a class: station, inclusion probability, service distribution.

    ``op`` is :data:`OP_VISIT` for a station visit; for :data:`OP_SEIZE` / :data:`OP_RELEASE`
    ``station`` is the index into ``Plan.resources`` and there is no service. An
    :data:`OP_BRANCH` step (``station`` -1) visits one of ``options`` (visit steps): by
    ``branch`` (an index into :data:`~simulator.scenario.pathways.BRANCH_KINDS`), with the
    probabilities ``weights`` for a choice drawn from stream ``stream``.
    """

    station: int
    probability: float
    service: Distribution  # already resolved: step override, per-class, or station default
    stream: str  # name of the stream its service times come from
    op: int = OP_VISIT
    renege: bool = True  # False: the class patience does not apply at this step
    branch: int = -1  # OP_BRANCH: index of its kind in BRANCH_KINDS
    options: tuple[StepPlan, ...] = ()  # OP_BRANCH: the visits it may make, as written
    weights: tuple[float, ...] = ()  # OP_BRANCH choose: cumulative probabilities


@dataclass(frozen=True)
class ResourcePlan:
    """A held resource (tables or rooms), compiled.

    Its records use station index ``idx``: resources are numbered after every station
    (including hidden housekeeping stations) in ``Plan.station_names``.
    """

    idx: int
    name: str
    kind: str  # "tables" or "rooms"
    seats: tuple[int, ...] = ()  # tables: seats of table 0, 1, ... (ascending)
    join: bool = False
    seat_smaller_first: bool = True
    quote_wait: bool = False
    quote_mean_hold_min: float | None = None
    nominal_hold_min: tuple[float, ...] = ()  # per class: mean service of the steps held
    count: int = 0  # rooms in the hotel
    occupied_at_open: int = 0
    ready_at_open: int = 0
    housekeeping: int = -1  # station index of the rooms' hidden housekeeping station
    clean: Distribution | None = None

    @property
    def units(self) -> int:
        """Tables, or rooms."""
        return len(self.seats) if self.kind == "tables" else self.count


@dataclass(frozen=True)
class ClassPlan:
    """A customer class, compiled."""

    idx: int
    name: str
    rank: int  # queue rank: 0 is served first
    steps: tuple[StepPlan, ...]
    patience: Distribution | None
    balk_at: int  # -1: never balks
    balk_probability: float


@dataclass(frozen=True)
class StationPlan:
    """A station, compiled."""

    idx: int
    name: str
    counters: int
    staffed: bool
    group: int  # staff group index, -1 if unstaffed
    per_counter: bool
    waiting_room: int | None
    skill: float  # service-time multiplier of its staff (1 if unstaffed)
    failure_probability: float
    recovery_station: int  # -1: redo at this station
    rework: Distribution | None  # None: the visit's own service distribution
    severity: float
    # failure probability when a person of staff group g serves here (failure_scale); empty:
    # failure_probability whoever serves
    failure_by_group: tuple[float, ...] = ()
    routed: bool = False  # served by cross-trained staff (skill-based routing)
    jockey_by: int = 0  # per-counter lines: jockey when a line is this much shorter (0: no)


@dataclass(frozen=True)
class GroupPlan:
    """A staff group, compiled: the stations it serves in preference order (the first is its
    home), with the line length that calls it to each and its skill at each."""

    idx: int
    name: str
    serves: tuple[int, ...]
    help_at: tuple[int, ...]  # help when at least this many wait (1 at home)
    skill_at: tuple[float, ...]  # service-time multiplier at each station served
    routed: bool  # people are routed one by one (docs/scenario.md, skill-based routing)


@dataclass(frozen=True)
class SlotPlan:
    """One person-slot of a staff roster: on-duty intervals and why each ends."""

    slot_id: int
    group: int
    station: int
    # (on_min, off_min, off kind, break minutes of the gap after off (0 at shift end))
    intervals: tuple[tuple[float, float, int, float], ...]
    paid_min: float
    closing: bool  # shift ends at or after the doors close (stays to drain the station)
    routed: bool = False  # a person of a routed group: moves between the stations served


@dataclass(frozen=True)
class SourcePlan:
    """An arrival source, compiled; ``kind`` is poisson, appointments, trace or waves."""

    idx: int
    name: str
    kind: str
    # poisson: piecewise-constant rate per minute from each breakpoint
    breaks_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rates_per_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # poisson meal peaks: Gaussian bumps added to the rate (empty arrays: none)
    peak_at_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    peak_extra_per_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    peak_width_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    class_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    class_cum: np.ndarray = field(default_factory=lambda: np.zeros(0))
    group_size: Distribution | None = None
    # appointments
    slots_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    no_show: float = 0.0
    punctuality_mean_min: float = 0.0
    punctuality_sd_min: float = 0.0
    booking: Booking | None = None  # booked days ahead: lead time, no-show by lead time
    fixed_class: int = -1
    # trace
    trace_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    trace_class: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    trace_group: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    # waves: centre, spread (minutes), shape code (WAVE_SHAPES), show probability, size
    wave_at_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    wave_spread_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    wave_shape: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    wave_show: np.ndarray = field(default_factory=lambda: np.zeros(0))
    wave_size: tuple[int | Distribution | Poisson, ...] = ()
    # members of a party join station lines one by one (members_queue: individually)
    members_individually: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything one replication needs, with no reference to files or YAML."""

    scenario: Scenario
    stations: tuple[StationPlan, ...]
    classes: tuple[ClassPlan, ...]
    sources: tuple[SourcePlan, ...]
    slots: tuple[SlotPlan, ...]
    group_names: tuple[str, ...]
    group_cost_per_hour: tuple[float, ...]
    open_min: float
    close_min: float
    start_min: float  # simulation clock starts (earliest of open and first shift)
    stop_min: float  # hard stop: close + max overtime (terminating) or end of run
    stats_start_min: float
    terminating: bool
    n_ranks: int
    # default service distribution of each (class, station), for recovery visits and redo
    class_station_service: tuple[tuple[Distribution, ...], ...]
    resources: tuple[ResourcePlan, ...] = ()
    groups: tuple[GroupPlan, ...] = ()
    days: tuple[DayPlan, ...] = ()  # the calendar's days; empty without calendar:
    back_office: BackOfficePlan | None = None

    @property
    def routed(self) -> bool:
        """True when some group is under skill-based routing."""
        return any(g.routed for g in self.groups)

    @property
    def station_names(self) -> tuple[str, ...]:
        """Stations (hidden housekeeping stations last), then held resources: the names
        behind ``station_idx`` in the records."""
        return tuple(s.name for s in self.stations) + tuple(r.name for r in self.resources)

    @property
    def station_kinds(self) -> tuple[str, ...]:
        """``station``, ``housekeeping``, ``tables`` or ``rooms`` per entry of
        :attr:`station_names`."""
        hk = {r.housekeeping for r in self.resources}
        return (tuple("housekeeping" if s.idx in hk else "station" for s in self.stations)
                + tuple(r.kind for r in self.resources))

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)


def _resolve(dist: Distribution, base_dir: Path) -> Distribution:
    return dist.resolved(base_dir) if isinstance(dist, Empirical) else dist


def compile_plan(scenario: Scenario, base_dir: Path | None = None) -> Plan:
    """Compile a validated scenario into a :class:`Plan`.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    base_dir : Path, optional
        Folder that relative file names (traces, empirical CSVs) are read from.

    Raises
    ------
    DataFileError
        If a referenced file cannot be read or holds bad values; the message names the
        field path (a :class:`ValueError`).
    """
    base = base_dir or Path.cwd()
    # a fitted satisfaction profile file is read once here, so workers need no file
    sc = scenario = resolve_profile(scenario, base)
    rooms = {n: r for n, r in sc.resources.items() if isinstance(r, Rooms)}
    hk_station = {r.housekeeping.staff: f"{n}.housekeeping" for n, r in rooms.items()}
    station_names = list(sc.stations) + list(hk_station.values())
    r_idx = {n: i for i, n in enumerate(sc.resources)}
    class_names = list(sc.customer_classes)
    group_names = list(sc.staff)
    s_idx = {n: i for i, n in enumerate(station_names)}
    c_idx = {n: i for i, n in enumerate(class_names)}
    g_idx = {n: i for i, n in enumerate(group_names)}
    open_min, close_min = sc.open_min, sc.close_min

    def resolve(dist: Distribution, where: str) -> Distribution:
        try:
            return _resolve(dist, base)
        except ValueError as exc:
            raise DataFileError(f"{where}: {exc}") from None

    serves = group_serves(sc)
    routed = routed_groups(sc)
    groups = tuple(
        GroupPlan(
            idx=g_idx[g],
            name=g,
            serves=tuple(s_idx[s] for s in serves[g]),
            help_at=tuple(1 if i == 0 else grp.help_when_line_at_least.get(s, 1)
                          for i, s in enumerate(serves[g])),
            skill_at=tuple(grp.skill_at.get(s, grp.skill) for s in serves[g]),
            routed=g in routed,
        )
        for g, grp in sc.staff.items()
    )
    pooled = {s for g in groups if g.routed for s in g.serves}
    # a station's own group: the one its staff: names, else the first group at home there
    home_group = {g.serves[0]: g.idx for g in reversed(groups) if g.serves}
    home_group.update({s_idx[n]: g_idx[st.staff] for n, st in sc.stations.items() if st.staff})

    priorities = sorted({cc.priority for cc in sc.customer_classes.values()}, reverse=True)
    rank_of = {p: i for i, p in enumerate(priorities)}

    stations: list[StationPlan] = []
    for name, st in sc.stations.items():
        gi = home_group.get(s_idx[name], -1) if st.staffed else -1
        home = groups[gi] if gi >= 0 else None
        fail = st.failure
        stations.append(
            StationPlan(
                idx=s_idx[name],
                name=name,
                counters=st.counters,
                staffed=st.staffed,
                group=gi,
                per_counter=st.line == "per_counter",
                waiting_room=st.waiting_room,
                skill=home.skill_at[home.serves.index(s_idx[name])] if home else 1.0,
                failure_probability=fail.probability if fail else 0.0,
                recovery_station=(
                    s_idx[fail.recovery.station]
                    if fail is not None and not isinstance(fail.recovery, str)
                    else -1
                ),
                rework=(
                    resolve(fail.rework, f"stations.{name}.failure.rework")
                    if fail is not None and fail.rework is not None
                    else None
                ),
                severity=fail.severity if fail else 0.0,
                failure_by_group=_failure_by_group(sc, name),
                routed=s_idx[name] in pooled,
                jockey_by=st.jockey.when_shorter_by if st.jockey is not None else 0,
            )
        )

    for gname, hname in hk_station.items():
        grp = sc.staff[gname]
        people = grp.count if grp.count is not None else sum(sh.count for sh in grp.shifts or ())
        stations.append(StationPlan(
            idx=s_idx[hname], name=hname, counters=max(1, people), staffed=True,
            group=g_idx[gname], per_counter=False, waiting_room=None, skill=grp.skill,
            failure_probability=0.0, recovery_station=-1, rework=None, severity=0.0))

    classes: list[ClassPlan] = []
    for cname, cc in sc.customer_classes.items():
        steps: list[StepPlan] = []
        for k, raw in enumerate(sc.pathways[cc.pathway]):
            if isinstance(raw, Seize | Release):
                seize = isinstance(raw, Seize)
                name = raw.seize if isinstance(raw, Seize) else raw.release
                steps.append(StepPlan(r_idx[name], 1.0, _NO_SERVICE, "",
                                      OP_SEIZE if seize else OP_RELEASE))
                continue
            if isinstance(raw, Choose | IfFailed | IfServed | ShortestOf):
                steps.append(_branch_step(raw, k, cname, sc, s_idx, resolve))
                continue
            step = raw if isinstance(raw, Step) else Step(step=raw)
            steps.append(_visit_step(step, k, cname, sc, s_idx, resolve,
                                     f"pathways.{cc.pathway}.{k}.service"))
        classes.append(
            ClassPlan(
                idx=c_idx[cname],
                name=cname,
                rank=rank_of[cc.priority],
                steps=tuple(steps),
                patience=(
                    resolve(cc.patience, f"customer_classes.{cname}.patience")
                    if cc.patience
                    else None
                ),
                balk_at=cc.balk.queue_at_least if cc.balk else -1,
                balk_probability=cc.balk.probability if cc.balk else 0.0,
            )
        )

    default_shares = np.array([sc.customer_classes[c].share for c in class_names])
    if len(class_names) == 1:
        default_shares = np.ones(1)

    sources: list[SourcePlan] = []
    for i, (sname, src) in enumerate(sc.arrivals.items()):
        where = f"arrivals.{sname}"
        if isinstance(src, PoissonArrivals):
            shares = default_shares
            if src.class_shares is not None:
                shares = np.array([src.class_shares.get(c, 0.0) for c in class_names])
            keep = np.flatnonzero(shares > 0)
            cum = np.cumsum(shares[keep]) / shares[keep].sum()
            breaks, rates = _rate_table(src.rate_per_hour, open_min, close_min)
            sources.append(SourcePlan(
                idx=i, name=sname, kind="poisson", breaks_min=breaks, rates_per_min=rates,
                peak_at_min=np.array([clock_to_min(p.at) for p in src.peaks]),
                peak_extra_per_min=np.array([p.extra_per_hour / 60.0 for p in src.peaks]),
                peak_width_min=np.array([p.width_min for p in src.peaks]),
                class_idx=keep, class_cum=cum,
                group_size=resolve(src.group_size, where + ".group_size")
                if src.group_size else None,
            ))
        elif isinstance(src, WaveArrivals):
            shares = default_shares
            if src.class_shares is not None:
                shares = np.array([src.class_shares.get(c, 0.0) for c in class_names])
            keep = np.flatnonzero(shares > 0)
            waves = src.waves
            sources.append(SourcePlan(
                idx=i, name=sname, kind="waves",
                wave_at_min=np.array([clock_to_min(w.at) for w in waves]),
                wave_spread_min=np.array([w.spread_min for w in waves]),
                wave_shape=np.array([WAVE_SHAPES.index(w.spread or src.spread) for w in waves],
                                    dtype=int),
                wave_show=np.array([src.probability_show if w.probability_show is None
                                    else w.probability_show for w in waves]),
                wave_size=tuple(
                    w.size if isinstance(w.size, int | Poisson)
                    else resolve(w.size, f"{where}.waves.{k}.size")
                    for k, w in enumerate(waves)
                ),
                class_idx=keep, class_cum=np.cumsum(shares[keep]) / shares[keep].sum(),
                fixed_class=c_idx[src.class_] if src.class_ else -1,
                group_size=resolve(src.group_size, where + ".group_size")
                if src.group_size else None,
            ))
        elif isinstance(src, Appointments):
            t0, t1 = clock_to_min(src.start), clock_to_min(src.end)
            n = math.floor((t1 - t0) / src.slots_every_min + 1e-9) + 1
            slots = t0 + src.slots_every_min * np.arange(n)
            sources.append(SourcePlan(
                idx=i, name=sname, kind="appointments",
                slots_min=np.repeat(slots, src.per_slot), no_show=src.no_show,
                punctuality_mean_min=src.punctuality_mean_min,
                punctuality_sd_min=src.punctuality_sd_min, booking=src.booking and (
                    src.booking.model_copy(update={"lead_time_days": resolve(
                        src.booking.lead_time_days, where + ".booking.lead_time_days")})),
                fixed_class=c_idx[src.class_] if src.class_ else 0,
                group_size=resolve(src.group_size, where + ".group_size")
                if src.group_size else None,
            ))
        elif isinstance(src, TraceArrivals):
            times, cls, grp = _read_trace(src, base, open_min, c_idx, where)
            keep = np.flatnonzero(default_shares > 0)
            sources.append(SourcePlan(
                idx=i, name=sname, kind="trace", trace_min=times, trace_class=cls,
                trace_group=grp,
                class_idx=keep, class_cum=np.cumsum(default_shares[keep])
                / default_shares[keep].sum(),
                fixed_class=c_idx[src.class_] if src.class_ else -1,
            ))

    sources = [replace(sp, members_individually=True) if src.members_queue == "individually"
               else sp for sp, src in zip(sources, sc.arrivals.values(), strict=True)]
    resources = _resources(sc, stations, classes, s_idx, base)
    slots, costs = _slots(sc, s_idx, g_idx, open_min, close_min, groups)
    first_on = min([iv[0][0] for iv in (s.intervals for s in slots) if iv] + [open_min])
    terminating = sc.terminating
    stop = close_min + sc.run.max_overtime_min if terminating else close_min
    plan = Plan(
        scenario=sc,
        stations=tuple(stations),
        classes=tuple(classes),
        sources=tuple(sources),
        slots=tuple(slots),
        group_names=tuple(group_names),
        group_cost_per_hour=tuple(costs),
        open_min=open_min,
        close_min=close_min,
        start_min=min(first_on, open_min),
        stop_min=stop,
        stats_start_min=open_min + (sc.run.warm_up_min if not terminating else 0.0),
        terminating=terminating,
        n_ranks=len(priorities),
        class_station_service=tuple(
            tuple(
                resolve(st.service_by_class.get(cname, st.service), f"stations.{sname}.service")
                for sname, st in sc.stations.items()
            ) + tuple(r.clean for r in resources if r.clean is not None)
            for cname in class_names
        ),
        resources=resources,
        groups=groups,
    )
    return (with_days(plan, base, compile_plan)
            if sc.calendar is not None or sc.back_office is not None else plan)


_NO_SERVICE = Constant(value=0.0)


def _visit_step(step: Step, k: int, cname: str, sc: Scenario, s_idx: dict[str, int],
                resolve: Callable[[Distribution, str], Distribution], where: str) -> StepPlan:
    """A station visit of class ``cname`` at pathway position ``k``, its service resolved:
    the step's own, the station's for the class, or the station's."""
    st = sc.stations[step.step]
    if step.service is not None:
        dist, stream = step.service, f"service:{step.step}:{cname}:{k}"
    elif cname in st.service_by_class:
        dist = st.service_by_class[cname]
        where = f"stations.{step.step}.service_by_class.{cname}"
        stream = f"service:{step.step}:{cname}"
    else:
        dist, where = st.service, f"stations.{step.step}.service"
        stream = f"service:{step.step}:{cname}"
    return StepPlan(s_idx[step.step], step.probability, resolve(dist, where), stream,
                    renege=step.renege)


def _branch_step(raw: Choose | IfFailed | IfServed | ShortestOf, k: int, cname: str,
                 sc: Scenario, s_idx: dict[str, int],
                 resolve: Callable[[Distribution, str], Distribution]) -> StepPlan:
    """A branch step: its options are visits with the stations' services for the class; a
    choice draws from stream ``choose:<class>:<k>``."""
    options = tuple(_visit_step(Step(step=name, renege=raw.renege), k, cname, sc, s_idx,
                                resolve, "")
                    for name in branch_targets(raw))
    weights: tuple[float, ...] = ()
    if isinstance(raw, Choose):
        cum = np.cumsum(list(raw.choose.values()))
        weights = tuple(float(w) for w in cum / cum[-1])
    return StepPlan(-1, 1.0, _NO_SERVICE, f"choose:{cname}:{k}", OP_BRANCH,
                    renege=raw.renege, branch=BRANCH_KINDS.index(branch_kind(raw)),
                    options=options, weights=weights)


def _resources(
    sc: Scenario, stations: list[StationPlan], classes: list[ClassPlan], s_idx: dict[str, int],
    base: Path,
) -> tuple[ResourcePlan, ...]:
    """Compile the held resources; their record index follows every station's."""
    out: list[ResourcePlan] = []
    for r, (name, res) in enumerate(sc.resources.items()):
        idx = len(stations) + r
        if isinstance(res, Tables):
            seats = tuple(s for s in sorted(res.sizes) for _ in range(res.sizes[s]))
            out.append(ResourcePlan(
                idx=idx, name=name, kind="tables", seats=seats, join=res.join,
                seat_smaller_first=res.seat_smaller_first, quote_wait=res.quote_wait,
                quote_mean_hold_min=res.quote_mean_hold_min,
                nominal_hold_min=tuple(_nominal_hold(cp, r, stations) for cp in classes)))
            continue
        vacant = res.count - res.occupied_at_open
        clean = res.housekeeping.clean
        if isinstance(clean, Empirical):
            try:
                clean = clean.resolved(base)
            except ValueError as exc:
                raise DataFileError(f"resources.{name}.housekeeping.clean: {exc}") from None
        out.append(ResourcePlan(
            idx=idx, name=name, kind="rooms", count=res.count,
            occupied_at_open=res.occupied_at_open,
            ready_at_open=vacant if res.ready_at_open is None else res.ready_at_open,
            housekeeping=s_idx[f"{name}.housekeeping"], clean=clean))
    return tuple(out)


def _nominal_hold(cp: ClassPlan, r: int, stations: list[StationPlan]) -> float:
    """Mean service minutes of the steps a class visits while holding resource ``r``."""
    total, holding = 0.0, False
    for step in cp.steps:
        if step.op != OP_VISIT and step.station == r:
            holding = step.op == OP_SEIZE
        elif holding and step.op == OP_VISIT:
            total += step.probability * step.service.mean * stations[step.station].skill
        elif holding and step.op == OP_BRANCH and BRANCH_KINDS[step.branch] != "if_failed":
            # a choice by its probabilities, the shortest line as an even split; a step
            # taken only after a failure is not part of the nominal hold
            cum = step.weights or tuple((i + 1) / len(step.options)
                                        for i in range(len(step.options)))
            share = np.diff((0.0, *cum))
            total += sum(float(w) * o.service.mean * stations[o.station].skill
                         for w, o in zip(share, step.options, strict=True))
    return total


def _rate_table(
    table: dict[str, float], open_min: float, close_min: float
) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints (from open) and rates per minute of a piecewise-constant rate table."""
    keys = sorted((clock_to_min(k), v / 60.0) for k, v in table.items())
    breaks = [open_min]
    rates = [0.0]
    for t, r in keys:
        if t <= open_min:
            rates[0] = r
        elif t < close_min:
            breaks.append(t)
            rates.append(r)
    return np.asarray(breaks), np.asarray(rates)


def _cell(text: str | None) -> str:
    """A CSV cell for an error message (at most 40 characters)."""
    text = "" if text is None else text
    return repr(text if len(text) <= 40 else text[:37] + "...")


_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$")


def _parse_time(text: str, open_min: float) -> float:
    """``HH:MM`` or ``HH:MM:SS`` clock time, or a number of minutes after open."""
    text = text.strip()
    m = _CLOCK.match(text)
    if m:
        hours, minutes, seconds = m.groups()
        if int(hours) > 47:
            raise ValueError(text)
        return int(hours) * 60 + int(minutes) + (float(seconds) / 60 if seconds else 0.0)
    value = float(text)  # raises ValueError for text that is not a number
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return open_min + value


def _read_trace(
    src: TraceArrivals, base: Path, open_min: float, c_idx: dict[str, int], where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    path = (base / src.trace).resolve()
    try:
        rows = read_csv_rows(path, "trace")
    except DataFileError as exc:
        raise DataFileError(f"{where}.trace: {exc}") from None
    cols = set(rows[0]) if rows else set()
    for col in (src.time_column, src.class_column, src.group_size_column):
        if col is not None and col not in cols:
            raise DataFileError(f"{where}: column {col!r} not in {path.name} "
                                f"(got columns {sorted(cols)})")
    times, classes, groups = [], [], []
    for n, row in enumerate(rows, start=2):
        try:
            times.append(_parse_time(row[src.time_column] or "", open_min))
        except ValueError:
            raise DataFileError(f"{where}.trace: {path.name}:{n}: bad time (got "
                                f"{_cell(row[src.time_column])}; expected HH:MM or minutes)"
                                ) from None
        if src.class_column:
            name = row[src.class_column]
            if name not in c_idx:
                raise DataFileError(f"{where}.trace: {path.name}:{n}: unknown class (got "
                                    f"{_cell(name)}; expected one of {', '.join(sorted(c_idx))})")
            classes.append(c_idx[name])
        else:
            classes.append(-1)
        if src.group_size_column:
            text = row[src.group_size_column] or ""
            if not (text.strip().isascii() and text.strip().isdigit()) or not (
                    1 <= int(text) <= MAX_COUNT):
                raise DataFileError(f"{where}.trace: {path.name}:{n}: bad group size (got "
                                    f"{_cell(text)}; expected a whole number from 1 to "
                                    f"{MAX_COUNT:,})")
            groups.append(int(text))
        else:
            groups.append(1)
    order = np.argsort(np.asarray(times), kind="stable")
    return (np.asarray(times, dtype=float)[order], np.asarray(classes, dtype=int)[order],
            np.maximum(1, np.asarray(groups, dtype=int)[order]))


def shift_days(start_min: float, run_end_min: float, terminating: bool) -> int:
    """On how many days a shift starting at ``start_min`` (on day 1) works.

    A service day (``terminating``) has one. In a steady-state study shifts repeat every 24
    hours for as long as the run lasts: a shift works on every day whose start is before the
    run ends (``run_end_min`` = open + ``run.length_min``, minutes after midnight of day 1).

    Examples
    --------
    >>> shift_days(8 * 60, 9 * 60 + 3 * 1440, terminating=False)  # 09:00 + 3 days
    4
    >>> shift_days(8 * 60, 17 * 60, terminating=True)
    1
    """
    if terminating or start_min >= run_end_min:
        return 1
    return math.ceil((run_end_min - start_min) / MINUTES_IN_DAY)


def _failure_by_group(sc: Scenario, station: str) -> tuple[float, ...]:
    """Failure probability at ``station`` when each staff group serves (its
    ``failure_scale_at`` of the station, else its ``failure_scale``); empty when every group
    leaves the probability as it is."""
    fail = sc.stations[station].failure
    if fail is None:
        return ()
    scales = [g.failure_scale_at.get(station, g.failure_scale) for g in sc.staff.values()]
    if all(x == 1.0 for x in scales):
        return ()
    return tuple(fail.probability * x for x in scales)


def _repeat_daily(intervals: list[tuple[float, float, int, float]],
                  days: int) -> tuple[tuple[float, float, int, float], ...]:
    """Day 1's on-duty intervals repeated on ``days`` days; a shift that ends at midnight
    and starts again at midnight stays on duty (one interval, no spurious shift change)."""
    out: list[tuple[float, float, int, float]] = []
    for d in range(days):
        for on, off, kind, gap in intervals:
            on, off = on + d * MINUTES_IN_DAY, off + d * MINUTES_IN_DAY
            if out and out[-1][1] == on and out[-1][2] == int(DutyChange.SHIFT_END):
                out[-1] = (out[-1][0], off, kind, gap)
            else:
                out.append((on, off, kind, gap))
    return tuple(out)


def _slots(
    sc: Scenario, s_idx: dict[str, int], g_idx: dict[str, int], open_min: float,
    close_min: float, groups: tuple[GroupPlan, ...],
) -> tuple[list[SlotPlan], list[float]]:
    slots: list[SlotPlan] = []
    costs: list[float] = []
    for gname, grp in sc.staff.items():
        costs.append(grp.cost_per_hour)
        gp = groups[g_idx[gname]]
        station = gp.serves[0]
        routed = gp.routed
        if grp.count is not None:
            end = close_min if sc.terminating else math.inf
            for _ in range(grp.count):
                ivs = ((open_min, end, int(DutyChange.SHIFT_END), 0.0),)
                paid = (close_min - open_min)
                slots.append(SlotPlan(len(slots), g_idx[gname], station, ivs, paid,
                                      sc.terminating, routed))
            continue
        for sh in grp.shifts or ():
            s0, s1 = clock_to_min(sh.start), clock_to_min(sh.end)
            breaks = sorted(sh.breaks, key=lambda b: clock_to_min(b.start))
            days = shift_days(s0, close_min, sc.terminating)
            for j in range(sh.count):
                ivs: list[tuple[float, float, int, float]] = []
                on = s0
                paid = s1 - s0
                for br in breaks:
                    b0 = clock_to_min(br.start) + (j % br.stagger_groups) * br.minutes
                    ivs.append((on, b0, int(DutyChange.BREAK), br.minutes))
                    on = b0 + br.minutes
                    paid -= br.minutes
                ivs.append((on, s1, int(DutyChange.SHIFT_END), 0.0))
                closing = sc.terminating and s1 >= close_min
                slots.append(SlotPlan(len(slots), g_idx[gname], station,
                                      _repeat_daily(ivs, days), paid * days, closing, routed))
    return slots, costs
