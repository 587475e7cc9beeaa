"""Field types and the base model of every scenario section.

Clock times are ``"HH:MM"`` strings (quote them in YAML: YAML 1.2 keeps ``8:30`` a string,
but editors and people are clearer with quotes); names are identifiers of at most 64
characters; durations are minutes and rates are per hour throughout the scenario.

Every number is finite (``.inf``, ``.nan`` and ``1e400`` are refused) and bounded where the
domain gives a bound: :data:`Minutes` and :data:`PositiveMinutes` are durations of at most a
year, :data:`RatePerHour` is at most :data:`MAX_RATE_PER_HOUR` arrivals per hour, and the
errors say so in the scenario's units (``Input should be at most 10,000 arrivals per hour``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

__all__ = [
    "CLOCK_PATTERN",
    "MAX_COUNT",
    "MAX_RATE_PER_HOUR",
    "MINUTES_IN_DAY",
    "MINUTES_IN_YEAR",
    "NAME_PATTERN",
    "ClockTime",
    "Count",
    "DayMinutes",
    "Minutes",
    "Name",
    "PositiveMinutes",
    "RatePerHour",
    "StrictModel",
    "at_most",
    "clock_to_min",
    "min_to_clock",
    "upper_bound",
]

#: Minutes in a day: the span of clock times, shifts and breaks.
MINUTES_IN_DAY = 1440.0
#: Minutes in a (365-day) year: the longest duration a scenario's time fields may take.
MINUTES_IN_YEAR = 525_600.0
#: The most arrivals per hour one walk-in source (or one meal peak) may add: more than a
#: busy airport's check-in hall, and small enough that a day stays a few million customers.
MAX_RATE_PER_HOUR = 10_000.0
#: The most people, customers in line or items any count field may name.
MAX_COUNT = 1_000_000


def at_most(limit: float, unit: str) -> Callable[[Any], Any]:
    """A check that a number is at most ``limit``, failing with a message in ``unit``.

    Use it as ``AfterValidator(at_most(60, "minutes"))``; the JSON Schema gets the bound from
    the type aliases below (``json_schema_extra={"maximum": ...}``).

    Examples
    --------
    >>> at_most(10, "per hour")(4)
    4
    """

    shown = f"{int(limit):,}" if float(limit).is_integer() else f"{limit:,g}"
    message = f"Input should be at most {shown} {unit}".rstrip()

    def check(value: Any) -> Any:
        if value > limit:
            raise ValueError(message)
        return value

    return check


def upper_bound(limit: float, unit: str) -> tuple[Any, Any]:
    """``Annotated`` metadata for an upper bound in the scenario's units: the bound in the
    JSON Schema, and :func:`at_most` as the check, e.g.
    ``Annotated[int, Field(ge=1), *upper_bound(1000, "customers per slot")]``."""
    return Field(json_schema_extra={"maximum": limit}), AfterValidator(at_most(limit, unit))


_YEAR = "minutes (a year)"

#: A duration in minutes, 0 up to a year.
Minutes = Annotated[float, Field(ge=0), *upper_bound(MINUTES_IN_YEAR, _YEAR)]
#: A duration in minutes, more than 0 and up to a year.
PositiveMinutes = Annotated[float, Field(gt=0), *upper_bound(MINUTES_IN_YEAR, _YEAR)]
#: A duration in minutes within a day, 0 up to 1,440.
DayMinutes = Annotated[float, Field(ge=0), *upper_bound(MINUTES_IN_DAY, "minutes (a day)")]
#: An arrival rate per hour, 0 up to :data:`MAX_RATE_PER_HOUR`.
RatePerHour = Annotated[float, Field(ge=0),
                        *upper_bound(MAX_RATE_PER_HOUR, "arrivals per hour")]
#: A whole number of people, customers or items, 0 up to :data:`MAX_COUNT`.
Count = Annotated[int, Field(ge=0), *upper_bound(MAX_COUNT, "")]


#: ``"HH:MM"`` on a 24-hour clock, 00:00 to 24:00.
CLOCK_PATTERN = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"
#: A name: letters, digits, ``_`` or ``-``, starting with a letter or ``_``.
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]*$"

ClockTime = Annotated[
    str,
    Field(
        pattern=CLOCK_PATTERN,
        description='clock time "HH:MM" (00:00 to 24:00), quoted in YAML',
        examples=["08:30"],
    ),
]


Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]


def clock_to_min(value: str) -> float:
    """Convert ``"HH:MM"`` to minutes after midnight.

    Examples
    --------
    >>> clock_to_min("08:30")
    510.0
    """
    hours, minutes = value.split(":")
    return float(int(hours) * 60 + int(minutes))


def min_to_clock(minutes: float) -> str:
    """Convert minutes after midnight to ``"HH:MM"`` (rounded down to the minute)."""
    m = math.floor(minutes + 1e-9)
    return f"{m // 60:02d}:{m % 60:02d}"


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are frozen, strict
    (``3`` is a valid float; ``"3"`` and ``true`` are not) and finite (``.inf`` and ``.nan``
    are not numbers a scenario can mean)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
