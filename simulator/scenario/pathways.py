"""The ``pathways:`` and ``standards:`` sections: the steps each class walks, and the service
standards checked per customer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from simulator.scenario.distributions import Distribution
from simulator.scenario.fields import Name, PositiveMinutes, StrictModel

__all__ = [
    "PathwayStep",
    "Release",
    "Seize",
    "Standard",
    "Step",
]


class Step(StrictModel):
    """A pathway step: visit ``step`` (a station), with a probability and optional service."""

    step: Name
    probability: float = Field(default=1.0, ge=0, le=1)
    service: Distribution | None = None
    renege: bool = Field(
        default=True,
        description="false: the customer waits at this step whatever its patience (a seated "
        "party waiting for its food or its bill does not walk out)",
    )


class Seize(StrictModel):
    """A pathway step that takes a held resource (a table that fits the party, a ready room)
    and keeps it through the following steps until a ``release`` step or the end of the
    journey (tables; a room stays occupied when the journey ends)."""

    seize: Name


class Release(StrictModel):
    """A pathway step that hands a held resource back at once (no service). Releasing rooms
    without having seized one is a check-out: it vacates a room occupied at open, which
    becomes dirty and goes to housekeeping."""

    release: Name


PathwayStep = Annotated[Name | Step | Seize | Release, Field(union_mode="left_to_right")]


class Standard(StrictModel):
    """A service standard: the share of customers waiting at most ``wait_max_min``.

    Without ``station`` the standard applies to the total wait over the visit.
    Customers who abandon the measured line count as failing the standard.
    """

    name: str = Field(min_length=1)
    station: Name | None = None
    wait_max_min: PositiveMinutes
    target_share: float = Field(default=0.8, ge=0, le=1)
    classes: list[Name] | None = None
    measure: Literal["wait", "wait_and_service"] = Field(
        default="wait",
        description="wait: from joining the line to service start; wait_and_service: to the "
        "end of the service (food on the table 15 min after ordering); station standards only",
    )
