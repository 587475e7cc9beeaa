"""The ``staff:`` section: groups with shifts, staggered breaks, skill, cost and routing.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
)

from simulator.scenario.fields import (
    MAX_COUNT,
    ClockTime,
    DayMinutes,
    Name,
    StrictModel,
    upper_bound,
)

__all__ = [
    "Break",
    "Shift",
    "StaffGroup",
]


class Break(StrictModel):
    """A break of ``minutes`` from ``start``; with ``stagger_groups`` = k the shift's staff
    take it in k groups one after another (group j starts ``j * minutes`` later)."""

    start: ClockTime
    minutes: DayMinutes = Field(gt=0)
    stagger_groups: Annotated[int, Field(ge=1), *upper_bound(1000, "groups")] = 1


class Shift(StrictModel):
    """``count`` people on duty from ``start`` to ``end``, with breaks."""

    start: ClockTime
    end: ClockTime
    count: int = Field(ge=0, le=10_000)
    breaks: list[Break] = Field(default_factory=list)


class StaffGroup(StrictModel):
    """People who serve one station's counters, on shifts (or always on duty: ``count``).

    With ``serves`` the group is cross-trained (skill-based routing, docs/scenario.md): its
    people serve the listed stations in preference order, the first being their home.
    """

    skill: float = Field(default=1.0, gt=0, le=10, description="service-time multiplier")
    serves: list[Name] | None = Field(
        default=None, min_length=1,
        description="stations this group serves, in preference order; the first is the home "
        "station (default: the station whose staff: names the group)",
    )
    help_when_line_at_least: dict[Name, Annotated[int, Field(ge=1, le=MAX_COUNT)]] = Field(
        default_factory=dict,
        description="help a non-home station only while at least this many wait there "
        "(default 1)",
    )
    skill_at: dict[Name, Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=dict, description="service-time multiplier at a station (default: skill)"
    )
    training_level: int = Field(default=3, ge=1, le=5, description="1 novice .. 5 expert")
    failure_scale: float = Field(
        default=1.0, ge=0, le=10,
        description="multiplies the failure probability of the stations this group serves "
        "(0.5 = half as many failures)")
    failure_scale_at: dict[Name, Annotated[float, Field(ge=0, le=10)]] = Field(
        default_factory=dict,
        description="failure-probability multiplier at a station (default: failure_scale)")
    overtime_premium: float = Field(
        default=1.0, ge=1, le=10,
        description="overtime is paid cost_per_hour times this (1.5 = time and a half)")
    cost_per_hour: Annotated[float, Field(ge=0), *upper_bound(1e6, "per paid hour")] = Field(
        default=0.0, description="money per hour of a person's paid time")
    shifts: list[Shift] | None = None
    count: Annotated[int, Field(ge=0), *upper_bound(10_000, "people")] | None = Field(
        default=None, description="always this many on duty (instead of shifts)"
    )
