"""The ``shift_rules:`` section: which shifts a staffing plan may roster for a staff group.

``servsim staff`` turns a requirement (people at counters per interval) into shifts. The rules
say which shifts are allowed: start times (``earliest_start`` to ``latest_start`` every
``start_step_min``), lengths, one unpaid break for long shifts (inside a window, its start
chosen per person so breaks are staggered), a floor on the people at counters, a ceiling on
heads, part-time limits and the cost of an hour by shift type. Without the section a default is
derived from the group's current shifts (:mod:`simulator.experiments.staffing.rules`).

Every time is a whole number of minutes, so the covering program can be solved exactly on a
minute grid.
"""

from __future__ import annotations

from pydantic import Field

from simulator.scenario.fields import ClockTime, StrictModel

__all__ = ["BreakRule", "PartTime", "ShiftRules", "ShiftType"]


class BreakRule(StrictModel):
    """One unpaid break for every shift of at least ``min_shift_hours``.

    The break starts at least ``earliest_after_start_min`` after the shift starts and ends at
    least ``latest_before_end_min`` before it ends, on a ``step_min`` grid from the shift start;
    the plan chooses each person's break start, so breaks are staggered where cover needs it.
    """

    minutes: int = Field(gt=0, le=240, description="break length, minutes (unpaid)")
    min_shift_hours: float = Field(
        default=6.0, gt=0, le=24, description="shifts at least this long take the break")
    earliest_after_start_min: int = Field(
        default=120, ge=0, le=1440, description="the break starts this long after the start "
        "at the earliest")
    latest_before_end_min: int = Field(
        default=120, ge=0, le=1440, description="the break ends this long before the shift "
        "ends at the latest")
    step_min: int = Field(default=15, gt=0, le=240, description="grid of break start times")


class PartTime(StrictModel):
    """Part-time shifts (shorter than ``below_hours``) and how many the plan may use."""

    below_hours: float = Field(default=6.0, gt=0, le=24,
                               description="shifts shorter than this are part-time")
    max_heads: int | None = Field(default=None, ge=0, le=10_000,
                                  description="at most this many part-time people")
    max_share: float | None = Field(default=None, ge=0, le=1,
                                    description="at most this share of the people rostered")


class ShiftType(StrictModel):
    """Cost of an hour of paid time by shift type (default: the group's ``cost_per_hour``)."""

    full_time: float | None = Field(default=None, ge=0, le=1_000_000)
    part_time: float | None = Field(default=None, ge=0, le=1_000_000)


class ShiftRules(StrictModel):
    """The shifts ``servsim staff`` may roster for one staff group (see docs/staffing.md)."""

    earliest_start: ClockTime
    latest_start: ClockTime
    start_step_min: int = Field(default=30, gt=0, le=720, description="start-time grid, minutes")
    latest_end: ClockTime | None = Field(
        default=None, description="no shift ends after this (default: no limit)")
    lengths_hours: list[float] = Field(
        min_length=1, max_length=24, description="allowed shift lengths including breaks")
    breaks: list[BreakRule] = Field(
        default_factory=list, max_length=8,
        description="break by shift length: the rule with the largest min_shift_hours not "
        "above the shift's length applies (one break per shift)")
    min_heads: int = Field(default=0, ge=0, le=10_000,
                           description="at least this many people at counters while open")
    max_heads: int | None = Field(default=None, ge=1, le=10_000,
                                  description="at most this many people rostered")
    part_time: PartTime = Field(default_factory=PartTime)
    cost_per_hour: ShiftType = Field(default_factory=ShiftType)
