"""The ``calendar:`` section: a horizon of days, day types and the weekly pattern.

Without ``calendar:`` a scenario is one service day, repeated over the replications. With it a
replication is a block of ``days`` consecutive days (a week, a fortnight): day ``d`` has the
day type named at position ``(d - 1) mod len(pattern)`` of ``pattern``. A day type changes
only what differs from the scenario as written: the clock (doors), the walk-in rates (a table
per source, or a multiplier) and the staff groups' shifts. Stations, classes, pathways,
standards and the satisfaction model are the same every day, so every day's KPIs have the
same columns. ``closed`` in the pattern is a day without service (a Sunday); ``default`` is
the scenario as written.

Each open day is simulated as today's service day (doors open, close, the day drains, a hard
stop ``run.max_overtime_min`` after close), with its own random streams (day ``d`` of
replication ``r`` always uses the same streams, whatever the horizon; day 1 uses the streams
of a scenario without a calendar, so a one-day calendar gives today's results byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from simulator.scenario.arrivals import PoissonArrivals
from simulator.scenario.fields import (
    ClockTime,
    Name,
    RatePerHour,
    StrictModel,
    upper_bound,
)
from simulator.scenario.staff import Shift

__all__ = [
    "CLOSED",
    "DEFAULT",
    "WEEKDAYS",
    "Calendar",
    "DayClock",
    "DayType",
    "apply_day_type",
    "calendar_name_problems",
    "calendar_problems",
    "day_labels",
    "day_type_loc",
    "replication_period",
]

#: The pattern entry of a day without service.
CLOSED = "closed"
#: The pattern entry of a day run as the scenario is written.
DEFAULT = "default"
#: Weekday names, Monday first (``first_day`` and the day labels).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The longest horizon: a (leap) year of days.
MAX_DAYS = 366

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday"]


class DayClock(StrictModel):
    """The doors of one day type: open at ``open``, close at ``close``."""

    open: ClockTime
    close: ClockTime


class DayType(StrictModel):
    """What differs on one kind of day from the scenario as written (absent: unchanged)."""

    clock: DayClock | None = Field(default=None, description="the doors on this day type")
    rate_per_hour: dict[Name, dict[ClockTime, RatePerHour]] = Field(
        default_factory=dict,
        description="walk-in rate table (customers/hour from each clock time) replacing the "
        "named source's table on this day type",
    )
    arrival_multiplier: Annotated[float, Field(ge=0), *upper_bound(100, "times")] = Field(
        default=1.0,
        description="multiplies every walk-in rate and meal peak on this day type (after "
        "rate_per_hour); appointments, waves and traces are unchanged",
    )
    shifts: dict[Name, list[Shift]] = Field(
        default_factory=dict,
        description="the named staff groups' shifts on this day type (replacing their "
        "shifts or count)",
    )
    back_office_shifts: list[Shift] | None = Field(
        default=None, description="the back office's shifts on this day type ([]: the back "
        "office does not work); absent: back_office.shifts")


class Calendar(StrictModel):
    """A replication as a block of days: horizon, day types and their weekly pattern."""

    days: Annotated[int, Field(ge=1), *upper_bound(MAX_DAYS, "days")] = Field(
        default=1, description="days in one replication (the horizon)")
    first_day: Weekday | None = Field(
        default=None, description="weekday of day 1 (labels only); absent: days are numbered")
    pattern: list[Name] = Field(
        default_factory=lambda: [DEFAULT], min_length=1,
        description="day types in order, repeated over the horizon; 'closed' is a day "
        "without service, 'default' the scenario as written",
    )
    day_types: dict[Name, DayType] = Field(default_factory=dict)

    def day_type(self, day: int) -> str:
        """The day type name of day ``day`` (1-based)."""
        return self.pattern[(day - 1) % len(self.pattern)]


def replication_period(cal: Calendar | None) -> str:
    """What one replication is, in words: ``day``, ``week`` or ``N-day block``."""
    days = 1 if cal is None else cal.days
    return "day" if days == 1 else "week" if days == 7 else f"{days}-day block"


def day_labels(cal: Calendar) -> list[str]:
    """A label per day of the horizon: ``Mon 1``, ``Tue 2`` ... or ``day 1``, ``day 2``."""
    if cal.first_day is None:
        return [f"day {d}" for d in range(1, cal.days + 1)]
    first = WEEKDAYS.index(cal.first_day)
    return [f"{WEEKDAYS[(first + d - 1) % 7][:3].title()} {d}" for d in range(1, cal.days + 1)]


def calendar_name_problems(
    cal: Calendar, arrivals: dict[str, Any], groups: set[str], steady_state: bool,
) -> list[tuple[tuple[str | int, ...], str, Any, str]]:
    """The calendar's names and settings checked against the scenario, as
    ``(loc, message, got, expected)`` (the schema turns them into its problems)."""
    out: list[tuple[tuple[str | int, ...], str, Any, str]] = []
    base: tuple[str | int, ...] = ("calendar",)
    if steady_state:
        out.append(((*base,), "a steady-state study (run.length_min) has no days",
                    "calendar", "no calendar, or clock.close for a service day"))
    known = set(cal.day_types) | {CLOSED, DEFAULT}
    for i, name in enumerate(cal.pattern):
        if name not in known:
            out.append(((*base, "pattern", i), f"no day type named {name!r}", name,
                        "one of " + ", ".join(sorted(known))))
    for reserved in (CLOSED, DEFAULT):
        if reserved in cal.day_types:
            out.append(((*base, "day_types", reserved), f"{reserved!r} is a reserved name",
                        reserved, "another name"))
    if all(cal.day_type(d) == CLOSED for d in range(1, cal.days + 1)):
        out.append(((*base, "pattern"), "no day of the horizon is open", cal.pattern,
                    "at least one day type that is not 'closed'"))
    for tname, dt in cal.day_types.items():
        loc = (*base, "day_types", tname)
        for src in dt.rate_per_hour:
            if src not in arrivals:
                out.append(((*loc, "rate_per_hour", src), f"no arrival source named {src!r}",
                            src, "one of " + ", ".join(sorted(arrivals))))
            elif not isinstance(arrivals[src], PoissonArrivals):
                out.append(((*loc, "rate_per_hour", src), "only walk-in sources have a rate "
                            "table", src, "a source with rate_per_hour"))
        for grp in dt.shifts:
            if grp not in groups:
                out.append(((*loc, "shifts", grp), f"no staff group named {grp!r}", grp,
                            "one of " + ", ".join(sorted(groups))))
    return out


def apply_day_type(sc: Any, name: str) -> Any:
    """The scenario ``sc`` as run on a day of type ``name`` (without its calendar).

    ``sc`` is a :class:`simulator.scenario.schema.Scenario` (typed loosely: the schema imports
    this module). ``default`` gives the scenario as written; unknown names of sources and groups
    are left alone here (:func:`calendar_name_problems` reports them).
    """
    dt = sc.calendar.day_types.get(name) if sc.calendar is not None else None
    update: dict[str, Any] = {"calendar": None, "back_office": None}
    if dt is not None:
        if dt.clock is not None:
            update["clock"] = sc.clock.model_copy(
                update={"open": dt.clock.open, "close": dt.clock.close})
        arrivals = dict(sc.arrivals)
        for sname, src in sc.arrivals.items():
            if not isinstance(src, PoissonArrivals):
                continue
            table = dt.rate_per_hour.get(sname, src.rate_per_hour)
            m = dt.arrival_multiplier
            if sname in dt.rate_per_hour or m != 1.0:
                peaks = [p.model_copy(update={"extra_per_hour": p.extra_per_hour * m})
                         for p in src.peaks if p.extra_per_hour * m > 0]
                arrivals[sname] = src.model_copy(update={
                    "rate_per_hour": {k: v * m for k, v in table.items()}, "peaks": peaks})
        update["arrivals"] = arrivals
        staff = dict(sc.staff)
        for gname, shifts in dt.shifts.items():
            if gname in staff:
                staff[gname] = staff[gname].model_copy(update={"shifts": list(shifts),
                                                               "count": None})
        update["staff"] = staff
    return sc.model_copy(update=update)


def day_type_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A day scenario's field path as the day type's keys name it (``arrivals.<source>.
    rate_per_hour`` is ``rate_per_hour.<source>``, ``staff.<group>.shifts`` is
    ``shifts.<group>``)."""
    if len(loc) >= 3 and loc[0] == "arrivals" and loc[2] == "rate_per_hour":
        return ("rate_per_hour", loc[1], *loc[3:])
    if len(loc) >= 3 and loc[0] == "staff" and loc[2] == "shifts":
        return ("shifts", loc[1], *loc[3:])
    return loc


def calendar_problems(sc: Any, check: Callable[[Any], list[Any]], base_problems: list[Any]
                      ) -> list[tuple[tuple[str | int, ...], str, Any, Any]]:
    """The calendar's names, and each day type's own problems (a Saturday rate starting after
    its doors close) located under ``calendar.day_types.<name>``; ``check`` is the schema's
    cross-field check and ``base_problems`` what it found in the scenario as written (not
    repeated per day type)."""
    cal = sc.calendar
    out = calendar_name_problems(cal, dict(sc.arrivals), set(sc.staff),
                                 sc.run.length_min is not None)
    if out:
        return out
    seen = {(p.loc, p.message) for p in base_problems}
    day_out: list[tuple[tuple[str | int, ...], str, Any, Any]] = []
    for name in cal.day_types:
        for p in check(apply_day_type(sc, name)):
            if (p.loc, p.message) not in seen:
                day_out.append((("calendar", "day_types", name, *day_type_loc(p.loc)),
                                p.message, p.got, p.expected))
    return day_out
