"""The ``customer_classes:`` section: share, pathway, priority, patience, balking, expectations.
"""

from __future__ import annotations

from pydantic import (
    Field,
)

from simulator.scenario.distributions import Distribution
from simulator.scenario.fields import Count, Name, StrictModel

__all__ = [
    "Balking",
    "CustomerClass",
]


class Balking(StrictModel):
    """Balk (leave without joining) when the line is at least ``queue_at_least`` long.

    With ``probability`` < 1 the customer balks only with that probability; ``queue_at_least:
    0`` makes balking purely random. The rule applies at every station the customer visits,
    measured on the line the customer would join.
    """

    queue_at_least: Count
    probability: float = Field(default=1.0, gt=0, le=1)


class CustomerClass(StrictModel):
    """A class of customer: its share of walk-ins, pathway, priority and behaviour."""

    share: float = Field(default=0.0, ge=0, le=1, description="share of walk-in arrivals")
    pathway: Name
    priority: int = Field(
        default=0, ge=0, le=9, description="higher is served first (non-preemptive)"
    )
    patience: Distribution | None = Field(
        default=None,
        description="minutes a customer waits in a line before abandoning it; drawn once per "
        "customer, the clock restarts at each line",
    )
    balk: Balking | None = None
