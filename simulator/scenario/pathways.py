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
    "BRANCH_KINDS",
    "Branch",
    "Choose",
    "IfFailed",
    "IfServed",
    "PathwayStep",
    "Release",
    "Seize",
    "ShortestOf",
    "Standard",
    "Step",
    "branch_kind",
    "branch_targets",
    "step_stations",
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


_RENEGE = Field(default=True, description="false: the class patience does not apply at the "
                "station chosen")


class Choose(StrictModel):
    """Visit one of several stations, chosen at random with the given probabilities (they add
    up to 1). Each such step draws from its own stream (``choose:<class>:<step>``), so
    variants of a scenario choose alike (common random numbers)."""

    choose: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(min_length=2)
    renege: bool = _RENEGE


class IfFailed(StrictModel):
    """Visit the station only if a service of the previous station visit failed (the
    customer's latest visit that was not itself a recovery step)."""

    if_failed: Name
    renege: bool = _RENEGE


class IfServed(StrictModel):
    """Visit the station only if the previous station visit was served without a failure."""

    if_served: Name
    renege: bool = _RENEGE


class ShortestOf(StrictModel):
    """Join whichever station has the shortest line when the customer gets there: a station
    with a free counter first, else the fewest customers waiting in the line the customer
    would join; ties go to the earlier station of the list."""

    shortest_of: list[Name] = Field(min_length=2)
    renege: bool = _RENEGE


Branch = Choose | IfFailed | IfServed | ShortestOf
#: The kinds of branch step, by the key that names them.
BRANCH_KINDS: tuple[str, ...] = ("choose", "if_failed", "if_served", "shortest_of")


def branch_kind(step: Branch) -> str:
    """The key of a branch step (``choose``, ``if_failed``, ``if_served``, ``shortest_of``)."""
    if isinstance(step, Choose):
        return "choose"
    if isinstance(step, IfFailed):
        return "if_failed"
    if isinstance(step, IfServed):
        return "if_served"
    return "shortest_of"


def branch_targets(step: Branch) -> list[str]:
    """The stations a branch step may send the customer to, in the order written."""
    if isinstance(step, Choose):
        return list(step.choose)
    if isinstance(step, IfFailed):
        return [step.if_failed]
    if isinstance(step, IfServed):
        return [step.if_served]
    return list(step.shortest_of)


def step_stations(step: object) -> list[str]:
    """The stations a pathway step may visit: its station, a branch's stations, none for a
    seize or release step."""
    if isinstance(step, str):
        return [step]
    if isinstance(step, Step):
        return [step.step]
    if isinstance(step, Choose | IfFailed | IfServed | ShortestOf):
        return branch_targets(step)
    return []


PathwayStep = Annotated[
    Name | Step | Seize | Release | Choose | IfFailed | IfServed | ShortestOf,
    Field(union_mode="left_to_right"),
]


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
