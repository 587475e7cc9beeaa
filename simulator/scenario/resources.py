"""The ``resources:`` section: held resources, tables of several sizes and hotel rooms.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    field_validator,
)

from simulator.scenario.distributions import Distribution
from simulator.scenario.fields import Count, Name, PositiveMinutes, StrictModel

__all__ = [
    "Housekeeping",
    "Resource",
    "Rooms",
    "Tables",
]


class Housekeeping(StrictModel):
    """Who cleans dirty rooms and how long a room takes (minutes, times the group's skill)."""

    staff: Name = Field(description="a staff group under staff: that serves no station")
    clean: Distribution = Field(description="minutes to clean one room")


class Tables(StrictModel):
    """Tables of a few sizes; a party takes the smallest free table that fits it.

    ``sizes`` maps seats to how many tables have that many seats. With ``join`` a party too
    big for any single free table may take two free tables whose seats together fit. With
    ``seat_smaller_first`` (default) a party further down the waiting list is seated when a
    table that fits it is free and the parties ahead do not fit; false is strict first-come
    first-seated. With ``quote_wait`` the host quotes a wait at the door and a party whose
    patience is shorter leaves at once (recorded as balked).
    """

    kind: Literal["tables"]
    sizes: dict[Annotated[int, Field(ge=1, le=1000)], Annotated[int, Field(ge=1, le=10_000)]] = (
        Field(min_length=1, description="seats: number of tables with that many seats"))
    join: bool = False
    seat_smaller_first: bool = True
    quote_wait: bool = False
    quote_mean_hold_min: PositiveMinutes | None = Field(
        default=None,
        description="mean minutes a party keeps a table, for the quoted wait; default: the "
        "mean of the holds ended so far that day (before the first, the mean service times "
        "of the steps held)")

    @field_validator("sizes", mode="before")
    @classmethod
    def _seat_keys_from_json(cls, value: Any) -> Any:
        """Accept ``"4"`` as a seat count: JSON (a resolved scenario, ``--set`` round trips)
        has only text keys."""
        if isinstance(value, dict):
            return {int(k) if isinstance(k, str) and k.isdigit() else k: v
                    for k, v in value.items()}
        return value

    @property
    def n_tables(self) -> int:
        """Number of tables."""
        return sum(self.sizes.values())

    @property
    def max_party(self) -> int:
        """Largest party that can ever be seated (one table, or two joined tables)."""
        seats = sorted((s for s, n in self.sizes.items() for _ in range(min(n, 2))),
                       reverse=True)
        return seats[0] + seats[1] if self.join and len(seats) > 1 else seats[0]


class Rooms(StrictModel):
    """Hotel rooms: occupied at open, ready (vacant and clean), or dirty until housekept."""

    kind: Literal["rooms"]
    count: int = Field(ge=1, le=100_000, description="rooms in the hotel")
    occupied_at_open: Count = Field(default=0,
                                    description="rooms with a guest at the start of the day")
    ready_at_open: Count | None = Field(
        default=None,
        description="vacant and clean at the start (default: every vacant room); the other "
        "vacant rooms are dirty")
    housekeeping: Housekeeping


def _resource_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind")
        return kind if kind in ("tables", "rooms") else None
    return getattr(value, "kind", None)


Resource = Annotated[
    Annotated[Tables, Tag("tables")] | Annotated[Rooms, Tag("rooms")],
    Discriminator(
        _resource_kind,
        custom_error_type="resource_kind",
        custom_error_message="a resource needs kind: tables or kind: rooms",
    ),
]
