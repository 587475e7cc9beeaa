"""The scenario: a strict, frozen description of one service day or steady-state study.

A scenario is inert data. :func:`simulator.scenario.loader.load_scenario` reads it from YAML
with line numbers; :mod:`simulator.scenario.plan` compiles it into the numeric plan the engine
runs. Its sections are models of their own modules (:mod:`.customers`, :mod:`.arrivals`,
:mod:`.stations`, :mod:`.staff`, :mod:`.resources`, :mod:`.pathways`,
:mod:`.satisfaction_section`); this module holds the whole scenario, its clock and run
settings, and the rules between sections.

Cross-field rules (a pathway naming a missing station, a shift ending before it starts, ...)
are checked after the field types, and reported with the path of the offending field, through
:class:`CrossFieldError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    Field,
    model_validator,
)

from simulator.scenario.arrivals import (
    Appointments,
    ArrivalSource,
    PoissonArrivals,
    TraceArrivals,
    WaveArrivals,
)
from simulator.scenario.back_office import BackOffice, back_office_problems
from simulator.scenario.calendar import Calendar, calendar_problems
from simulator.scenario.customers import CustomerClass
from simulator.scenario.fields import (
    MINUTES_IN_YEAR,
    ClockTime,
    Minutes,
    Name,
    PositiveMinutes,
    StrictModel,
    clock_to_min,
    min_to_clock,
    upper_bound,
)
from simulator.scenario.journey_rules import branch_problems, fed_classes, members_queue_problems
from simulator.scenario.pathways import (
    Choose,
    IfFailed,
    IfServed,
    PathwayStep,
    Release,
    Seize,
    ShortestOf,
    Standard,
    Step,
)
from simulator.scenario.promises import Promise, promise_problems
from simulator.scenario.resources import Resource, Rooms, Tables
from simulator.scenario.satisfaction_section import SatisfactionSection
from simulator.scenario.shift_rules import ShiftRules
from simulator.scenario.staff import StaffGroup
from simulator.scenario.stations import Station

__all__ = [
    "Clock",
    "CrossFieldError",
    "Problem",
    "RunSettings",
    "Scenario",
    "cross_field_problems",
    "group_serves",
    "routed_groups",
]


class Clock(StrictModel):
    """Opening hours: doors open at ``open`` and close at ``close`` (no arrivals after)."""

    open: ClockTime = "09:00"
    close: ClockTime | None = Field(
        default=None,
        description="doors close; customers inside are still served. Omit for a steady-state "
        "study (run.length_min).",
    )


#: The largest seed (seeds are stored as 64-bit integers in the results tables).
MAX_SEED = 2**63 - 1
#: The longest steady-state run: ten years of minutes.
MAX_LENGTH_MIN = 10 * MINUTES_IN_YEAR


class RunSettings(StrictModel):
    """Replications, seed and, for steady-state studies, run length and warm-up."""

    replications: int = Field(default=30, ge=1, le=1_000_000)
    seed: int = Field(default=12345, ge=0, le=MAX_SEED)
    length_min: Annotated[float, Field(gt=0),
                          *upper_bound(MAX_LENGTH_MIN, "minutes (ten years)")] | None = Field(
        default=None,
        description="steady-state run length after open, minutes (at most ten years; "
        "more than a year is warned about)"
    )
    warm_up_min: Minutes = Field(
        default=0.0, description="steady-state only: statistics ignore this first period"
    )
    max_overtime_min: PositiveMinutes = Field(
        default=480.0,
        description="terminating day: stop this long after close even if customers remain",
    )


class Scenario(StrictModel):
    """A complete scenario. See ``docs/scenario.md`` for every field."""

    name: str = Field(min_length=1)
    description: str = ""
    domain: Literal["government", "hotel", "restaurant", "bank", "generic"] = "generic"
    currency: str | None = Field(
        default=None, min_length=1, max_length=12,
        description='currency of staff costs, shown with every cost (e.g. "EUR", "£"); '
        "absent: costs are plain numbers",
    )
    clock: Clock = Field(default_factory=Clock)
    run: RunSettings = Field(default_factory=RunSettings)
    customer_classes: dict[Name, CustomerClass] = Field(min_length=1)
    arrivals: dict[Name, ArrivalSource] = Field(min_length=1)
    stations: dict[Name, Station] = Field(min_length=1)
    staff: dict[Name, StaffGroup] = Field(default_factory=dict)
    resources: dict[Name, Resource] = Field(
        default_factory=dict, description="held resources: tables, rooms (see docs/scenario.md)")
    pathways: dict[Name, list[PathwayStep]] = Field(min_length=1)
    standards: list[Standard] = Field(default_factory=list)
    promises: list[Promise] = Field(
        default_factory=list, description="waits promised to customers (gap 4, docs/week.md)")
    satisfaction: SatisfactionSection | None = Field(
        default=None,
        description="predicted satisfaction settings; absent: the domain's uncalibrated "
        "defaults (see docs/satisfaction.md)",
    )
    shift_rules: dict[Name, ShiftRules] = Field(
        default_factory=dict,
        description="per staff group: the shifts servsim staff may roster (see "
        "docs/staffing.md); absent: derived from the group's current shifts",
    )
    calendar: Calendar | None = Field(
        default=None,
        description="a replication as a block of days with day types (see docs/week.md); "
        "absent: one service day",
    )
    back_office: BackOffice | None = Field(
        default=None,
        description="complaint cases and recovery follow-ups worked by back-office officers "
        "across the days (see docs/week.md); absent: none",
    )

    @model_validator(mode="after")
    def _cross_fields(self) -> Scenario:
        problems = cross_field_problems(self)
        if problems:
            raise CrossFieldError(problems)
        return self

    # convenient derived values -------------------------------------------------------
    @property
    def open_min(self) -> float:
        """Doors open, minutes after midnight."""
        return clock_to_min(self.clock.open)

    @property
    def close_min(self) -> float:
        """Doors close (terminating day) or end of the run (steady state), in minutes."""
        if self.run.length_min is not None:
            return self.open_min + self.run.length_min
        return clock_to_min(str(self.clock.close))

    @property
    def terminating(self) -> bool:
        """True for a service day (doors close, the day drains), False for steady state."""
        return self.run.length_min is None


@dataclass(frozen=True)
class Problem:
    """One cross-field problem: where, what is wrong, what was found and what was expected."""

    loc: tuple[str | int, ...]
    message: str
    got: Any = None
    expected: str | None = None


class CrossFieldError(Exception):
    """Raised by :class:`Scenario` validation when fields disagree with each other."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))
        self.problems = problems


def _step_station(step: str | Step) -> str:
    return step if isinstance(step, str) else step.step


def cross_field_problems(sc: Scenario) -> list[Problem]:
    """Return every rule between fields that the scenario breaks (empty when valid)."""
    out: list[Problem] = []
    stations = set(sc.stations)
    classes = set(sc.customer_classes)
    groups = set(sc.staff)

    def need(name: str, pool: set[str], loc: tuple[str | int, ...], what: str) -> None:
        if name not in pool:
            out.append(Problem(loc, f"no {what} named {name!r}", name, _one_of(pool)))

    # clock and run mode
    if sc.run.length_min is None and sc.clock.close is None:
        out.append(
            Problem(("clock", "close"), "a service day needs a closing time", None,
                    '"HH:MM", or run.length_min for a steady-state study')
        )
    if sc.run.length_min is not None and sc.clock.close is not None:
        out.append(
            Problem(("run", "length_min"), "give clock.close (a service day) or "
                    "run.length_min (steady state), not both", sc.run.length_min, "one of them")
        )
    if sc.clock.close is not None and clock_to_min(sc.clock.close) <= sc.open_min:
        out.append(Problem(("clock", "close"), "closes before it opens", sc.clock.close,
                           f"later than {sc.clock.open}"))
    if sc.run.length_min is None and sc.run.warm_up_min > 0:
        out.append(Problem(("run", "warm_up_min"), "a warm-up needs a steady-state study",
                           sc.run.warm_up_min, "0, or set run.length_min"))
    if sc.run.length_min is not None and sc.run.warm_up_min >= sc.run.length_min:
        out.append(Problem(("run", "warm_up_min"), "warm-up is not shorter than the run",
                           sc.run.warm_up_min, f"< {sc.run.length_min}"))

    # classes
    for cname, cc in sc.customer_classes.items():
        need(cc.pathway, set(sc.pathways), ("customer_classes", cname, "pathway"), "pathway")
    uses_shares = any(
        (isinstance(src, PoissonArrivals) and src.class_shares is None)
        or (isinstance(src, TraceArrivals) and src.class_column is None and src.class_ is None)
        or (isinstance(src, WaveArrivals) and src.class_shares is None and src.class_ is None)
        for src in sc.arrivals.values()
    )
    total_share = sum(cc.share for cc in sc.customer_classes.values())
    if uses_shares and len(classes) > 1 and abs(total_share - 1) > 1e-6:
        out.append(Problem(("customer_classes",), "class shares must add up to 1",
                           round(total_share, 6), "1"))

    # arrivals
    day_end: float | None = None  # doors close, or a steady-state run ends
    if sc.run.length_min is not None:
        day_end = sc.open_min + sc.run.length_min
    elif sc.clock.close is not None:
        day_end = clock_to_min(sc.clock.close)

    def within_day(at: str, loc: tuple[str | int, ...], what: str) -> None:
        t = clock_to_min(at)
        if t < sc.open_min or (day_end is not None and t >= day_end):
            until = f" and before {min_to_clock(day_end)}" if day_end is not None else ""
            out.append(Problem(loc, f"{what} is outside opening hours", at,
                               f"from {sc.clock.open}{until}"))

    for sname, src in sc.arrivals.items():
        base: tuple[str | int, ...] = ("arrivals", sname)
        if isinstance(src, PoissonArrivals):
            for key in src.rate_per_hour:
                t = clock_to_min(key)
                if sc.clock.close is not None and t >= clock_to_min(sc.clock.close):
                    out.append(Problem((*base, "rate_per_hour", key),
                                       "rate starts after the doors close", key,
                                       f"before {sc.clock.close}"))
            for i, peak in enumerate(src.peaks):
                within_day(peak.at, (*base, "peaks", i, "at"), "the top of the peak")
        if isinstance(src, WaveArrivals):
            for i, wave in enumerate(src.waves):
                within_day(wave.at, (*base, "waves", i, "at"), "the wave")
            if src.class_ is not None and src.class_shares is not None:
                out.append(Problem((*base, "class_shares"), "give class or class_shares, "
                                   "not both", "both", "one of them"))
            if src.class_ is not None:
                need(src.class_, classes, (*base, "class"), "customer class")
        if isinstance(src, PoissonArrivals | WaveArrivals) and src.class_shares is not None:
            for cname in src.class_shares:
                need(cname, classes, (*base, "class_shares", cname), "customer class")
            s = sum(src.class_shares.values())
            if abs(s - 1) > 1e-6:
                out.append(Problem((*base, "class_shares"), "shares must add up to 1",
                                   round(s, 6), "1"))
        if isinstance(src, Appointments):
            if clock_to_min(src.end) < clock_to_min(src.start):
                out.append(Problem((*base, "end"), "ends before it starts", src.end,
                                   f"not before {src.start}"))
            if src.booking is not None and src.no_show > 0:
                out.append(Problem((*base, "no_show"), "with booking, no-shows come from "
                                   "booking.no_show_by_lead", src.no_show, "no no_show key"))
            if src.class_ is not None:
                need(src.class_, classes, (*base, "class"), "customer class")
            elif len(classes) > 1:
                out.append(Problem((*base, "class"), "appointments need a class when there "
                                   "are several", None, _one_of(classes)))
        if isinstance(src, TraceArrivals) and src.class_ is not None:
            need(src.class_, classes, (*base, "class"), "customer class")

    # stations
    staff_users: dict[str, str] = {}
    listed = {s for grp in sc.staff.values() for s in grp.serves or ()}
    for sname, st in sc.stations.items():
        base = ("stations", sname)
        if st.staffed and st.staff is None and sname not in listed:
            out.append(Problem((*base, "staff"), "a staffed station needs a staff group",
                               None, _one_of(groups) if groups else "a group under staff:"))
        if not st.staffed and st.staff is not None:
            out.append(Problem((*base, "staff"), "an unstaffed station (staffed: false) "
                               "takes no staff group", st.staff, "no staff key"))
        if st.staff is not None:
            need(st.staff, groups, (*base, "staff"), "staff group")
            if st.staff in staff_users:
                out.append(Problem((*base, "staff"), f"staff group already serves station "
                                   f"{staff_users[st.staff]!r}", st.staff,
                                   "one staff group per station"))
            staff_users.setdefault(st.staff, sname)
        for cname in st.service_by_class:
            need(cname, classes, (*base, "service_by_class", cname), "customer class")
        if st.jockey is not None and st.line != "per_counter":
            out.append(Problem((*base, "jockey"), "customers change lines only where each "
                               "counter has its own line", st.line, "line: per_counter"))
        if st.failure is not None and st.failure.recovery == "redo" and (
            st.failure.probability >= 1
        ):
            out.append(Problem((*base, "failure", "probability"), "a redo that always fails "
                               "never ends", st.failure.probability, "< 1 with recovery: redo"))
        if st.failure is not None and not isinstance(st.failure.recovery, str):
            rec = st.failure.recovery.station
            need(rec, stations, (*base, "failure", "recovery", "station"), "station")
            if rec == sname:
                out.append(Problem((*base, "failure", "recovery", "station"),
                                   "a recovery step at the same station is a redo", rec,
                                   "redo, or another station"))

    # recovery steps must not loop back (a failure recovered where it came from)
    recovery_of = {
        n: st.failure.recovery.station
        for n, st in sc.stations.items()
        if st.failure is not None and not isinstance(st.failure.recovery, str)
    }
    for start in recovery_of:
        seen, cur = [start], recovery_of[start]
        while cur in recovery_of and cur not in seen:
            seen.append(cur)
            cur = recovery_of[cur]
        if cur == start:
            out.append(Problem(("stations", start, "failure", "recovery", "station"),
                               "recovery steps form a loop", " -> ".join([*seen, cur]),
                               "a chain that ends at a station without recovery steps"))

    # staff
    housekeepers = {r.housekeeping.staff for r in sc.resources.values() if isinstance(r, Rooms)}
    for gname, grp in sc.staff.items():
        base = ("staff", gname)
        if (grp.shifts is None) == (grp.count is None):
            out.append(Problem(base, "give shifts or count (always on duty), exactly one",
                               None, "shifts: [...] or count: N"))
        for i, sh in enumerate(grp.shifts or ()):
            s0, s1 = clock_to_min(sh.start), clock_to_min(sh.end)
            if s1 <= s0:
                out.append(Problem((*base, "shifts", i, "end"), "shift ends before it starts",
                                   sh.end, f"later than {sh.start}"))
                continue
            prev_end, prev_start = -1.0, ""
            for j, br in sorted(enumerate(sh.breaks), key=lambda jb: clock_to_min(jb[1].start)):
                b0 = clock_to_min(br.start)
                b1 = b0 + br.minutes * br.stagger_groups
                if b0 < s0 or b1 > s1:
                    out.append(Problem((*base, "shifts", i, "breaks", j, "start"),
                                       "break does not fit in the shift", br.start,
                                       f"breaks within {sh.start}-{sh.end}"))
                elif b0 < prev_end:
                    out.append(Problem((*base, "shifts", i, "breaks", j, "start"),
                                       "break overlaps the previous break (with its stagger "
                                       "groups)", br.start, f"{prev_start} breaks to be over"))
                prev_end, prev_start = max(prev_end, b1), br.start
        if gname not in staff_users and gname not in housekeepers and grp.serves is None:
            out.append(Problem(base, "staff group serves no station", gname,
                               "a station with staff: " + gname + ", or serves: [...]"))
    out.extend(_routing_problems(sc, staff_users))

    # pathways
    used_pathways = {cc.pathway for cc in sc.customer_classes.values()}
    for pname, steps in sc.pathways.items():
        if not steps:
            out.append(Problem(("pathways", pname), "a pathway needs at least one step", [],
                               "a list of stations"))
        for i, step in enumerate(steps):
            loc: tuple[str | int, ...] = ("pathways", pname, i)
            if isinstance(step, Seize | Release):
                continue  # checked with the resources
            if isinstance(step, Choose | IfFailed | IfServed | ShortestOf):
                out.extend(Problem(*r) for r in branch_problems(sc, steps, i, loc))
                continue
            if isinstance(step, Step):
                loc = (*loc, "step")
            need(_step_station(step), stations, loc, "station")
        if pname not in used_pathways:
            out.append(Problem(("pathways", pname), "no customer class uses this pathway",
                               pname, "pathway: " + pname + " in a class"))

    # standards
    for i, std in enumerate(sc.standards):
        if std.station is not None:
            need(std.station, stations | set(sc.resources), ("standards", i, "station"),
                 "station or resource")
        elif std.measure != "wait":
            out.append(Problem(("standards", i, "measure"),
                               "wait_and_service applies to one station's visits",
                               std.measure, "a station, or measure: wait"))
        for j, cname in enumerate(std.classes or ()):
            need(cname, classes, ("standards", i, "classes", j), "customer class")
    if sc.satisfaction is not None:
        out.extend(_satisfaction_problems(sc, sc.satisfaction))
    out.extend(_shift_rules_problems(sc, day_end))
    out.extend(_resource_problems(sc, staff_users))
    out.extend(Problem(*r) for r in members_queue_problems(sc))
    if sc.calendar is not None:
        out.extend(Problem(*p) for p in calendar_problems(sc, cross_field_problems, out))
    out.extend(Problem(*p) for p in promise_problems(sc.promises, stations, classes))
    out.extend(Problem(*p) for p in back_office_problems(sc))
    return out


def _resource_problems(sc: Scenario, staff_users: dict[str, str]) -> list[Problem]:
    """Rules of held resources: names, seize/release order, housekeeping, party sizes."""
    out: list[Problem] = []
    resources = set(sc.resources)
    hk_users: dict[str, str] = {}
    for rname, res in sc.resources.items():
        base: tuple[str | int, ...] = ("resources", rname)
        if rname in sc.stations:
            out.append(Problem(base, "a resource and a station share this name", rname,
                               "a name that is not a station"))
        if isinstance(res, Tables):
            if res.join and res.n_tables < 2:
                out.append(Problem((*base, "join"), "joining needs at least two tables",
                                   res.n_tables, "join: false, or two or more tables"))
            continue
        vacant = res.count - res.occupied_at_open
        if vacant < 0:
            out.append(Problem((*base, "occupied_at_open"), "more rooms occupied than exist",
                               res.occupied_at_open, f"<= count ({res.count})"))
        elif res.ready_at_open is not None and res.ready_at_open > vacant:
            out.append(Problem((*base, "ready_at_open"), "more rooms ready than vacant",
                               res.ready_at_open, f"<= count - occupied_at_open ({vacant})"))
        hk = res.housekeeping.staff
        loc = (*base, "housekeeping", "staff")
        if hk not in sc.staff:
            out.append(Problem(loc, f"no staff group named {hk!r}", hk, _one_of(set(sc.staff))))
        elif hk in staff_users:
            out.append(Problem(loc, f"staff group already serves station {staff_users[hk]!r}",
                               hk, "a staff group of its own for housekeeping"))
        elif hk in hk_users:
            out.append(Problem(loc, f"staff group already keeps house for {hk_users[hk]!r}",
                               hk, "one staff group per rooms resource"))
        hk_users.setdefault(hk, rname)
    for pname, steps in sc.pathways.items():
        held: set[str] = set()
        for i, step in enumerate(steps):
            if not isinstance(step, Seize | Release):
                continue
            name = step.seize if isinstance(step, Seize) else step.release
            verb = "seize" if isinstance(step, Seize) else "release"
            loc = ("pathways", pname, i, verb)
            if name not in resources:
                out.append(Problem(loc, f"no resource named {name!r}", name,
                                   _one_of(resources) if resources else "a resource under "
                                   "resources:"))
                continue
            if verb == "seize":
                if name in held:
                    out.append(Problem(loc, f"{name!r} is already held here", name,
                                       f"a release: {name} step before seizing it again"))
                held.add(name)
            elif name in held:
                held.discard(name)
            elif isinstance(sc.resources[name], Tables):
                out.append(Problem(loc, f"releases {name!r} without seizing it first", name,
                                   f"a seize: {name} step earlier in the pathway"))
    out.extend(_party_size_problems(sc))
    return out


def _party_size_problems(sc: Scenario) -> list[Problem]:
    """Parties that could never be seated, when the group-size distribution is bounded."""
    out: list[Problem] = []
    for rname, res in sc.resources.items():
        if not isinstance(res, Tables):
            continue
        seizing = {p for p, steps in sc.pathways.items()
                   if any(isinstance(s, Seize) and s.seize == rname for s in steps)}
        classes = {c for c, cc in sc.customer_classes.items() if cc.pathway in seizing}
        for sname, src in sc.arrivals.items():
            group = getattr(src, "group_size", None)
            if isinstance(src, TraceArrivals) or group is None:
                continue
            feeds = bool(fed_classes(sc, src) & classes)
            try:
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    top = float(group.ppf(np.array([1.0]))[0])
            except ValueError:  # an empirical file not read yet
                continue
            if feeds and math.isfinite(top) and max(1, int(np.rint(top))) > res.max_party:
                out.append(Problem(("arrivals", sname, "group_size"), f"parties of up to "
                                   f"{max(1, int(np.rint(top)))} cannot be seated at {rname!r}",
                                   max(1, int(np.rint(top))),
                                   f"at most {res.max_party} (the largest table"
                                   f"{' or two joined' if res.join else ''})"))
    return out


def _satisfaction_problems(sc: Scenario, sat: SatisfactionSection) -> list[Problem]:
    """Names in the satisfaction section that the rest of the scenario does not define."""
    out: list[Problem] = []
    # held resources are stages too (the wait for a table: "seated")
    stations, classes = set(sc.stations) | set(sc.resources), set(sc.customer_classes)
    base: tuple[str | int, ...] = ("satisfaction",)

    def need(name: str, pool: set[str], loc: tuple[str | int, ...], what: str) -> None:
        if name not in pool:
            out.append(Problem((*base, *loc), f"no {what} named {name!r}", name, _one_of(pool)))

    for i, std in enumerate(sat.standards):
        if std.stage is not None:
            need(std.stage, stations, ("standards", i, "stage"), "station")
    for name in sat.waiting_environment:
        need(name, stations, ("waiting_environment", name), "station")
    for name in sat.phases:
        need(name, stations, ("phases", name), "station")
    for name in sat.classes:
        need(name, classes, ("classes", name), "customer class")
    for name, flag in sat.amenities.items():
        if flag.stage is not None:
            need(flag.stage, stations, ("amenities", name, "stage"), "station")
    for i, attr in enumerate(sat.kano_attributes):
        perf = attr.performance
        loc: tuple[str | int, ...] = ("kano_attributes", i, "performance")
        if perf.source == "stage_flag":
            need(perf.flag, set(sat.amenities), (*loc, "flag"), "amenity (under amenities:)")
        elif perf.source == "wait_based":
            need(perf.stage, stations, (*loc, "stage"), "station")
        elif perf.source == "per_class":
            for cname in perf.values:
                need(cname, classes, (*loc, "values", cname), "customer class")
    return out


def group_serves(sc: Scenario) -> dict[str, list[str]]:
    """Stations each staff group serves, in preference order (the first is its home).

    ``serves`` when given, else the station whose ``staff:`` names the group, else the hidden
    housekeeping station of the rooms it cleans (``<rooms>.housekeeping``); empty if none.
    """
    named = {st.staff: name for name, st in sc.stations.items() if st.staff}
    named.update({r.housekeeping.staff: f"{n}.housekeeping" for n, r in sc.resources.items()
                  if isinstance(r, Rooms) and r.housekeeping.staff not in named})
    return {
        g: list(grp.serves) if grp.serves is not None else ([named[g]] if g in named else [])
        for g, grp in sc.staff.items()
    }


def routed_groups(sc: Scenario) -> set[str]:
    """Groups under skill-based routing: serving several stations, or sharing a station.

    Every other group serves one station alone and runs on the plain count semantics.
    """
    serves = group_serves(sc)
    users: dict[str, int] = {}
    for stations in serves.values():
        for s in set(stations):
            users[s] = users.get(s, 0) + 1
    return {g for g, stations in serves.items()
            if len(stations) > 1 or any(users[s] > 1 for s in stations)}


def _routing_problems(sc: Scenario, staff_users: dict[str, str]) -> list[Problem]:
    """Rules of ``serves``, ``help_when_line_at_least`` and ``skill_at`` (skill routing)."""
    out: list[Problem] = []
    stations = set(sc.stations)
    named = dict(staff_users)  # group -> the station whose staff: names it
    housekeepers = {r.housekeeping.staff for r in sc.resources.values() if isinstance(r, Rooms)}
    for gname, grp in sc.staff.items():
        base = ("staff", gname)
        if grp.serves is not None and gname in housekeepers:
            out.append(Problem((*base, "serves"), "a housekeeping group cleans rooms and "
                               "serves no station", grp.serves, "no serves key"))
            continue
        seen: set[str] = set()
        for i, sname in enumerate(grp.serves or ()):
            loc = (*base, "serves", i)
            if sname not in stations:
                out.append(Problem(loc, f"no station named {sname!r}", sname,
                                   _one_of(stations)))
            elif not sc.stations[sname].staffed:
                out.append(Problem(loc, "an unstaffed station (staffed: false) cannot be "
                                   "served by staff", sname, "a staffed station"))
            if sname in seen:
                out.append(Problem(loc, "station listed twice", sname, "each station once"))
            seen.add(sname)
        if grp.serves and gname in named and grp.serves[0] != named[gname]:
            out.append(Problem((*base, "serves", 0), f"the first station is the home station "
                               f"and must be {named[gname]!r}, whose staff: names this group",
                               grp.serves[0], named[gname]))
        serves = grp.serves if grp.serves is not None else (
            [named[gname]] if gname in named else [])
        for sname in grp.help_when_line_at_least:
            loc = (*base, "help_when_line_at_least", sname)
            if sname not in serves[1:]:
                what = ("the home station is always served first" if serves and
                        sname == serves[0] else "the group does not serve this station")
                out.append(Problem(loc, what, sname,
                                   _one_of(set(serves[1:])) if serves[1:] else
                                   "a station in serves after the first"))
        for sname in grp.skill_at:
            if sname not in serves:
                out.append(Problem((*base, "skill_at", sname), "the group does not serve "
                                   "this station", sname, _one_of(set(serves))))
        out.extend(_failure_scale_problems(sc, gname, serves))
    routed = routed_groups(sc)
    serves_of = group_serves(sc)
    pooled = {s for g in routed for s in serves_of[g]}
    for sname in sorted(pooled):
        st = sc.stations.get(sname)
        if st is not None and st.line != "single":
            out.append(Problem(("stations", sname, "line"), "a station served by cross-trained "
                               "staff (several groups, or a group serving several stations) "
                               "needs one shared line", st.line, "single"))
    return out


def _failure_scale_problems(sc: Scenario, gname: str, serves: list[str]) -> list[Problem]:
    """``failure_scale_at`` names stations the group serves; a scaled failure probability
    stays a probability (at most 1)."""
    out: list[Problem] = []
    grp = sc.staff[gname]
    base = ("staff", gname)
    for sname in grp.failure_scale_at:
        if sname not in serves:
            out.append(Problem((*base, "failure_scale_at", sname), "the group does not serve "
                               "this station", sname, _one_of(set(serves))))
    for sname in serves:
        st = sc.stations.get(sname)
        if st is None or st.failure is None:
            continue
        scale = grp.failure_scale_at.get(sname, grp.failure_scale)
        p = st.failure.probability
        redo = st.failure.recovery == "redo"
        if p * scale > 1.0 or (redo and p * scale >= 1.0):
            loc = (*base, "failure_scale_at", sname) if sname in grp.failure_scale_at else (
                *base, "failure_scale")
            out.append(Problem(loc, f"scales the failure probability {p:g} of station "
                               f"{sname!r} to {p * scale:g}" + (
                                   ", and a redo that always fails never ends" if redo
                                   else ", above 1"),
                               scale, ("below " if redo else "at most ") + f"{1.0 / p:g}"))
    return out


def _shift_rules_problems(sc: Scenario, day_end: float | None) -> list[Problem]:
    """Rules of ``shift_rules``: a known group, and shifts that fit the clock and a day."""
    out: list[Problem] = []
    for gname, rules in sc.shift_rules.items():
        base: tuple[str | int, ...] = ("shift_rules", gname)
        if gname not in sc.staff:
            out.append(Problem(base, f"no staff group named {gname!r}", gname,
                               _one_of(set(sc.staff))))
        first, last = clock_to_min(rules.earliest_start), clock_to_min(rules.latest_start)
        if last < first:
            out.append(Problem((*base, "latest_start"), "latest start is before the earliest",
                               rules.latest_start, f"not before {rules.earliest_start}"))
        if day_end is not None and first >= day_end:
            out.append(Problem((*base, "earliest_start"), "no shift may start before the "
                               "doors close", rules.earliest_start,
                               f"before {min_to_clock(day_end)}"))
        lengths_min = [h * 60 for h in rules.lengths_hours]
        for i, m in enumerate(lengths_min):
            if abs(m - round(m)) > 1e-9 or m <= 0:
                out.append(Problem((*base, "lengths_hours", i), "a shift length must be a "
                                   "whole number of minutes", rules.lengths_hours[i],
                                   "hours such as 4, 6.5 or 8.25"))
            elif first + m > 24 * 60:
                out.append(Problem((*base, "lengths_hours", i), "a shift from the earliest "
                                   "start would end after midnight", rules.lengths_hours[i],
                                   f"at most {(24 * 60 - first) / 60:g} hours"))
        if rules.latest_end is not None and lengths_min and (
                first + min(lengths_min) > clock_to_min(rules.latest_end)):
            out.append(Problem((*base, "latest_end"), "no allowed shift ends by the latest end",
                               rules.latest_end, f"at or after {rules.earliest_start} + "
                               f"{min(rules.lengths_hours):g} h"))
        if lengths_min and last + max(lengths_min) <= sc.open_min:
            out.append(Problem((*base, "latest_start"), "every allowed shift ends before the "
                               "doors open", rules.latest_start,
                               f"a start or length reaching past {sc.clock.open}"))
        for j, br in enumerate(rules.breaks):
            for i, m in enumerate(lengths_min):
                if m + 1e-9 < br.min_shift_hours * 60:
                    continue
                need = br.earliest_after_start_min + br.minutes + br.latest_before_end_min
                if need > m:
                    out.append(Problem((*base, "breaks", j), f"the break does not fit in a "
                                       f"{rules.lengths_hours[i]:g}-hour shift",
                                       f"{br.earliest_after_start_min} + {br.minutes} + "
                                       f"{br.latest_before_end_min} min",
                                       f"at most {m:g} min in all"))
        pt = rules.part_time
        if pt.max_heads is not None and pt.max_share is not None:
            out.append(Problem((*base, "part_time"), "give max_heads or max_share, not both",
                               "both", "one of them"))
    return out


def _one_of(names: set[str]) -> str:
    return "one of " + ", ".join(sorted(names)) if names else "none defined"
