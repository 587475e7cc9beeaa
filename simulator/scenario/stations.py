"""The ``stations:`` section: counters, lines, service times, waiting rooms, failures and
recovery.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from simulator.scenario.distributions import Distribution
from simulator.scenario.fields import Count, Name, PositiveMinutes, StrictModel

__all__ = [
    "Failure",
    "FailureActions",
    "Jockey",
    "RecoveryStep",
    "Station",
]


class RecoveryStep(StrictModel):
    """Send the customer to another station to put a failed service right."""

    station: Name


class FailureActions(StrictModel):
    """What staff do when a service fails (the recovery of satisfaction.md §2.5).

    The redo or the recovery visit *is* the fix, so ``fix`` defaults to true; it counts only
    when the redo or recovery visit was completed (a customer who leaves the recovery line is
    not fixed). Resolution time runs from the failure to the end of the redo or recovery
    visit and is judged against ``resolution_standard_min`` (default: the satisfaction
    section's ``applies_to: recovery`` standard, else ``recovery.urgent_fix_standard_min``).
    """

    fix: bool = Field(default=True, description="the redo / recovery visit puts it right")
    apology: bool = Field(default=False, description="staff apologise")
    compensation_value: float = Field(
        default=0.0, ge=0, le=10,
        description="compensation relative to the price of the failed item (0 = none)")
    follow_up: bool = Field(default=False, description="someone follows up afterwards")
    compensation_cost: float = Field(
        default=0.0, ge=0, le=1e6,
        description="money paid out per failure (the compensation's cost; KPI recovery_cost)")
    resolution_standard_min: PositiveMinutes | None = Field(
        default=None, description="recovery standard T_rec for this station, minutes")


class Failure(StrictModel):
    """Service failure: with ``probability`` a service fails and must be recovered.

    ``recovery: redo`` makes the same server do the service again at once (the redo may fail
    again with the same probability); ``recovery: {station: NAME}`` sends the customer to that
    station next, then back to the pathway. ``severity`` and ``actions`` feed the predicted
    satisfaction (reliability); they do not change the simulation.
    """

    probability: float = Field(ge=0, le=1)
    recovery: Literal["redo"] | RecoveryStep = "redo"
    severity: float = Field(default=0.5, gt=0, le=1, description="0.3 minor, 0.5, 0.9 severe")
    rework: Distribution | None = Field(
        default=None, description="time of a redo; default the station's service time"
    )
    actions: FailureActions = Field(default_factory=FailureActions)


class Jockey(StrictModel):
    """Customers change lines (per-counter lines only): Koenigsberg's rule."""

    when_shorter_by: int = Field(
        default=2, ge=2, le=1_000,
        description="the last customer of a line moves to a line this many shorter (waiting "
        "plus in service); at least 2, else the customer would move back and forth")


class Station(StrictModel):
    """A set of counters (windows, desks, kiosks) with one line or a line per counter."""

    counters: int = Field(ge=1, le=10_000)
    staff: Name | None = Field(default=None, description="staff group serving the counters")
    staffed: bool = Field(default=True, description="false for self-service kiosks")
    line: Literal["single", "per_counter"] = "single"
    service: Distribution
    service_by_class: dict[Name, Distribution] = Field(default_factory=dict)
    waiting_room: Count | None = Field(
        default=None, description="most customers waiting; more are turned away"
    )
    failure: Failure | None = None
    jockey: Jockey | None = Field(
        default=None, description="line: per_counter only: customers move to a shorter line")
