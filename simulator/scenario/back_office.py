"""The ``back_office:`` section: cases worked by back-office staff across the days.

A back office handles *cases*, not customers: a complaint (a customer's predicted complaint,
drawn from the satisfaction model's complaint probability) or a recovery follow-up (a
failed service at a station whose failure actions include ``follow_up: true``). A case is
opened when its customer leaves, waits in one first-come-first-served queue and is worked by
the back-office officers during their shifts; work not finished when a shift ends continues
at the officer's next shift, and cases left at a day's end carry over to the next working
day (docs/week.md, "The back office").

The standard "answered within H hours" is counted in **working hours** by default: the
clock runs on the back office's working days (days whose day type gives it shifts), all 24
hours of such a day, and stops on the other days; ``hours: calendar`` counts every hour.
So a complaint opened at 16:50 on a Friday with a 24-hour standard is due at 16:50 on the
Monday when the back office does not work at weekends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from simulator.scenario.calendar import CLOSED, Calendar
from simulator.scenario.distributions import Distribution
from simulator.scenario.fields import (
    MINUTES_IN_DAY,
    StrictModel,
    clock_to_min,
    upper_bound,
)
from simulator.scenario.staff import Shift

__all__ = [
    "BackOffice",
    "BackOfficePlan",
    "Complaints",
    "FollowUps",
    "back_office_problems",
    "compile_back_office",
    "due_min",
    "officer_intervals",
]


class Complaints(StrictModel):
    """Complaint cases: how long they take and the standard they are answered against."""

    service: Distribution = Field(description="minutes of an officer's work per case")
    escalation_share: float = Field(
        default=0.0, ge=0, le=1, description="share of cases escalated (more work)")
    escalation: Distribution | None = Field(
        default=None, description="extra minutes of work of an escalated case (default: the "
        "case's service distribution again)")
    answer_within_h: Annotated[float, Field(gt=0),
                               *upper_bound(24 * 366, "hours")] | None = Field(
        default=None, description="the standard: answered within this many hours (default: "
        "the satisfaction section's complaint_resolution standard, else 24)")
    hours: Literal["working", "calendar"] = Field(
        default="working",
        description="working: the standard's clock stops on days the back office does not "
        "work; calendar: every hour counts")


class FollowUps(StrictModel):
    """Recovery follow-ups: one case per failed visit at a station whose failure actions
    include ``follow_up: true``."""

    service: Distribution = Field(description="minutes of an officer's work per follow-up")


class BackOffice(StrictModel):
    """The back office: its officers' shifts and cost, and the kinds of cases it works."""

    shifts: list[Shift] = Field(
        min_length=1, description="the officers' shifts on every working day (day types may "
        "replace them with back_office_shifts)")
    cost_per_hour: Annotated[float, Field(ge=0), *upper_bound(1e6, "per paid hour")] = 0.0
    complaints: Complaints | None = None
    follow_up: FollowUps | None = None


def officer_intervals(shifts: list[Shift], day: int) -> list[list[tuple[float, float]]]:
    """On-duty intervals of each officer on day ``day`` (from 1), in minutes of the block
    (day ``d`` starts at ``(d - 1) * 1440``); breaks are off duty (staggered as in
    ``staff:``)."""
    base = (day - 1) * MINUTES_IN_DAY
    out: list[list[tuple[float, float]]] = []
    for sh in shifts:
        s0, s1 = clock_to_min(sh.start), clock_to_min(sh.end)
        breaks = sorted(sh.breaks, key=lambda b: clock_to_min(b.start))
        for j in range(sh.count):
            ivs, on = [], s0
            for br in breaks:
                b0 = clock_to_min(br.start) + (j % br.stagger_groups) * br.minutes
                if b0 > on:
                    ivs.append((base + on, base + b0))
                on = b0 + br.minutes
            if s1 > on:
                ivs.append((base + on, base + s1))
            out.append(ivs)
    return out


def due_min(opened_min: float, hours: float, working: set[int] | None,
            max_day: int = 100_000) -> float:
    """When a case opened at ``opened_min`` (minutes of the block) is due.

    ``working`` is the set of working days (from 1); ``None`` counts calendar hours. In
    working hours the clock runs through every minute of a working day and stops on the
    other days (module docstring).

    Examples
    --------
    Friday is day 5, the weekend (days 6 and 7) is not worked: a complaint at Friday 16:50
    with a 24-hour standard is due at Monday (day 8) 16:50.

    >>> t = due_min(4 * 1440 + 16 * 60 + 50, 24, {1, 2, 3, 4, 5, 8, 9})
    >>> divmod(t, 1440)
    (7.0, 1010.0)
    """
    need = hours * 60.0
    if working is None:
        return opened_min + need
    cur = opened_min
    day = math.floor(cur / MINUTES_IN_DAY) + 1
    while day <= max_day:
        if day in working:
            left = day * MINUTES_IN_DAY - cur
            if need <= left:
                return cur + need
            need -= left
        cur = day * MINUTES_IN_DAY
        day += 1
    return math.inf


@dataclass(frozen=True)
class BackOfficePlan:
    """The back office of a block of days, compiled: who works when, what each case needs.

    Times are minutes of the block (day ``d`` starts at ``(d - 1) * 1440``).
    """

    complaints: Complaints | None
    follow_up: FollowUps | None
    follow_up_stations: tuple[int, ...]  # station indices whose failures get a follow-up
    officers: tuple[tuple[tuple[float, float], ...], ...]  # on-duty intervals per officer
    paid_min: float
    cost_per_hour: float
    working_days: frozenset[int]  # from 1, over the horizon and a year after it
    horizon_min: float
    closes_min: tuple[tuple[int, float], ...]  # (day, doors close) of each open day


def compile_back_office(sc: Any, cal: Calendar,
                        closes: list[tuple[int, float]]) -> BackOfficePlan:
    """Compile the back office of scenario ``sc`` (a :class:`~.schema.Scenario`; the schema
    imports this module) over the calendar's horizon; ``closes`` gives each open day and its
    closing time, minutes after midnight."""
    bo: BackOffice = sc.back_office
    follow_up_stations = tuple(
        i for i, st in enumerate(sc.stations.values())
        if st.failure is not None and st.failure.actions.follow_up)
    def shifts_of(day: int) -> list[Shift]:
        name = cal.day_type(day)
        if name == CLOSED:
            return []
        dt = cal.day_types.get(name)
        if dt is not None and dt.back_office_shifts is not None:
            return list(dt.back_office_shifts)
        return list(bo.shifts)

    officers: list[list[tuple[float, float]]] = []
    paid = 0.0
    for day in range(1, cal.days + 1):
        for j, ivs in enumerate(officer_intervals(shifts_of(day), day)):
            if j == len(officers):
                officers.append([])
            officers[j].extend(ivs)
            paid += sum(b - a for a, b in ivs)
    working = frozenset(d for d in range(1, cal.days + 367) if shifts_of(d))
    complaints = bo.complaints
    if complaints is not None and complaints.answer_within_h is None:
        complaints = complaints.model_copy(update={"answer_within_h": _resolution_h(sc)})
    return BackOfficePlan(
        complaints=complaints, follow_up=bo.follow_up,
        follow_up_stations=follow_up_stations,
        officers=tuple(tuple(ivs) for ivs in officers), paid_min=paid,
        cost_per_hour=bo.cost_per_hour, working_days=working,
        horizon_min=cal.days * MINUTES_IN_DAY,
        closes_min=tuple((d, (d - 1) * MINUTES_IN_DAY + c) for d, c in closes))


def _resolution_h(sc: Any) -> float:
    """Hours of the satisfaction section's ``applies_to: complaint_resolution`` standard
    (satisfaction.md §2.5: complaints handled within 24 h), else 24."""
    sec = sc.satisfaction
    for std in (sec.standards if sec is not None else ()):
        if std.applies_to == "complaint_resolution":
            return float(std.adequate_minutes) / 60.0
    return 24.0


def back_office_problems(sc: Any) -> list[tuple[tuple[str | int, ...], str, Any, str]]:
    """Rules between the back office and the rest of scenario ``sc``, as
    ``(loc, message, got, expected)``."""
    out: list[tuple[tuple[str | int, ...], str, Any, str]] = []
    bo = sc.back_office
    if bo is None:
        return out
    if bo.complaints is not None and sc.satisfaction is not None and (
            sc.satisfaction.model == "off"):
        out.append((("back_office", "complaints"), "complaints come from the satisfaction "
                    "model, which is off", "satisfaction.model: off",
                    "satisfaction.model: servqual, or no complaints"))
    if sc.run.length_min is not None:
        out.append((("back_office",), "a steady-state study has no days for a back office",
                    "back_office", "clock.close for a service day"))
    return out
