"""Field types and the base model of every scenario section.

Clock times are ``"HH:MM"`` strings (quote them in YAML: YAML 1.2 keeps ``8:30`` a string,
but editors and people are clearer with quotes); names are identifiers of at most 64
characters; durations are minutes and rates are per hour throughout the scenario.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

__all__ = [
    "CLOCK_PATTERN",
    "NAME_PATTERN",
    "ClockTime",
    "Name",
    "StrictModel",
    "clock_to_min",
    "min_to_clock",
]


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
    """Base of every scenario section: unknown keys are errors, values are frozen and strict
    (``3`` is a valid float; ``"3"`` and ``true`` are not)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
