"""The ``arrivals:`` section: walk-ins with a rate per hour, waves, appointments, traces.

Each source is chosen by its keys (a rate table, ``waves``, ``slots_every_min``, ``trace``),
so the YAML needs no type tag; :data:`ArrivalSource` is the tagged union pydantic validates.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from simulator.scenario.distributions import CountDistribution, Distribution
from simulator.scenario.fields import (
    MINUTES_IN_DAY,
    ClockTime,
    DayMinutes,
    Minutes,
    Name,
    PositiveMinutes,
    RatePerHour,
    StrictModel,
    upper_bound,
)

__all__ = [
    "MEMBERS_QUEUE",
    "Appointments",
    "ArrivalSource",
    "Booking",
    "Peak",
    "PoissonArrivals",
    "SpreadShape",
    "TraceArrivals",
    "Wave",
    "WaveArrivals",
    "WaveSize",
]


class Peak(StrictModel):
    """A meal peak: a Gaussian bump added to a walk-in rate.

    The extra rate is ``extra_per_hour * exp(-(t - at)^2 / (2 width_min^2))``: it is
    ``extra_per_hour`` at ``at`` and has standard deviation ``width_min``, so over a whole day it
    adds about ``extra_per_hour / 60 * width_min * sqrt(2 pi)`` arrivals.
    """

    at: ClockTime = Field(description="time of the top of the peak")
    extra_per_hour: RatePerHour = Field(gt=0, description="extra rate at the top, "
                                        "customers/hour")
    width_min: PositiveMinutes = Field(description="standard deviation of the bump, minutes")


MembersQueue = Literal["as_one", "individually"]
#: How the members of a party queue at stations (the ``members_queue`` key of a source).
MEMBERS_QUEUE: tuple[str, ...] = ("as_one", "individually")


def _members_queue() -> Any:
    return Field(
        default="as_one",
        description="as_one: a party holds one counter for one service; individually: its "
        "members join the line one by one and each takes a service (a canteen, a family at "
        "a ticket desk), and the party moves on when its last member is served")


class PoissonArrivals(StrictModel):
    """Walk-ins: a non-homogeneous Poisson process with a piecewise-constant rate.

    Each key of ``rate_per_hour`` is the clock time from which that rate holds (until the next
    key, or until the doors close). Before the first key the rate is 0. ``peaks`` add smooth
    Gaussian bumps (meal peaks) on top of that baseline.
    """

    rate_per_hour: dict[ClockTime, RatePerHour] = Field(min_length=1)
    peaks: list[Peak] = Field(
        default_factory=list, description="meal peaks added to the baseline rate"
    )
    class_shares: dict[Name, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None, description="overrides the classes' share for this source"
    )
    group_size: Distribution | None = None
    members_queue: MembersQueue = _members_queue()


SpreadShape = Literal["normal", "uniform", "exponential"]

#: The most customers one arrival wave may bring (a whole number size).
MAX_WAVE = 100_000


def _size_kind(value: Any) -> str | None:
    if isinstance(value, int):
        return "whole_number"
    if isinstance(value, dict) or hasattr(value, "dist"):
        return "size_distribution"
    return None


WaveSize = Annotated[
    Annotated[Annotated[int, Field(ge=0), *upper_bound(MAX_WAVE, "customers")],
              Tag("whole_number")]
    | Annotated[CountDistribution, Tag("size_distribution")],
    Discriminator(
        _size_kind,
        custom_error_type="wave_size",
        custom_error_message="a wave size is a whole number >= 0 or a distribution such as "
        "{dist: poisson, mean: 25}",
    ),
]


class Wave(StrictModel):
    """One arrival wave: ``size`` customers arriving around ``at`` (a coach, a flight)."""

    at: ClockTime
    size: WaveSize = Field(
        description="customers in the wave: a whole number, or a distribution (poisson, or "
        "any other, rounded to the nearest whole number >= 0), drawn once per wave",
    )
    spread_min: Minutes = Field(
        default=0.0, description="normal: sd; uniform: total width centred on at; "
        "exponential: mean delay after at; 0: everyone at at"
    )
    spread: SpreadShape | None = Field(
        default=None, description="shape of the spread; default the source's spread"
    )
    probability_show: float | None = Field(
        default=None, ge=0, le=1,
        description="the wave happens with this probability; default the source's",
    )


class WaveArrivals(StrictModel):
    """Arrival waves: batches of customers spread around given times (coaches, flights)."""

    waves: list[Wave] = Field(min_length=1)
    spread: SpreadShape = Field(
        default="normal", description="default shape of each wave's spread around its at"
    )
    probability_show: float = Field(
        default=1.0, ge=0, le=1,
        description="each wave happens (all its customers come) with this probability",
    )
    class_: Name | None = Field(default=None, alias="class")
    class_shares: dict[Name, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None, description="class mix of this source (instead of class)"
    )
    group_size: Distribution | None = None
    members_queue: MembersQueue = _members_queue()

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class LeadNoShow(StrictModel):
    """The no-show probability of bookings made at least ``from_days`` ahead."""

    from_days: Annotated[float, Field(ge=0), *upper_bound(366, "days")]
    no_show: float = Field(ge=0, lt=1)


class Booking(StrictModel):
    """Appointments booked days ahead: each slot's booking has a lead time (days between
    booking and visit) and a no-show probability that depends on it (longer lead, more
    forgotten appointments). The no-show probability of a lead time L is that of the last
    entry of ``no_show_by_lead`` with ``from_days`` <= L."""

    lead_time_days: Distribution = Field(description="days between booking and the visit")
    no_show_by_lead: list[LeadNoShow] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Booking:
        days = [e.from_days for e in self.no_show_by_lead]
        if days[0] != 0 or any(b <= a for a, b in pairwise(days)):
            raise ValueError("no_show_by_lead: from_days must start at 0 and increase "
                             f"(got {days})")
        return self

    def no_show_at(self, lead_days: np.ndarray) -> np.ndarray:
        """No-show probability of each lead time (days)."""
        edges = np.array([e.from_days for e in self.no_show_by_lead])
        probs = np.array([e.no_show for e in self.no_show_by_lead])
        return probs[np.searchsorted(edges, lead_days, side="right") - 1]


class Appointments(StrictModel):
    """Booked arrivals: ``per_slot`` customers every ``slots_every_min`` from start to end."""

    slots_every_min: Annotated[float, Field(ge=0.1),
                               *upper_bound(MINUTES_IN_DAY, "minutes (a day)")] = Field(
        description="minutes between slots (0.1 to 1440)")
    start: ClockTime
    end: ClockTime
    per_slot: Annotated[int, Field(ge=1), *upper_bound(1000, "customers per slot")] = 1
    no_show: float = Field(default=0.0, ge=0, lt=1)
    punctuality_mean_min: Annotated[float, Field(ge=-MINUTES_IN_DAY),
                                    *upper_bound(MINUTES_IN_DAY, "minutes (a day)")] = Field(
        default=0.0, description="mean minutes late (negative: early), at most a day either way")
    punctuality_sd_min: DayMinutes = 0.0
    class_: Name | None = Field(default=None, alias="class")
    group_size: Distribution | None = None
    members_queue: MembersQueue = _members_queue()
    booking: Booking | None = Field(
        default=None, description="booked days ahead: lead time and no-show by lead time "
        "(replaces no_show; docs/week.md)")

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class TraceArrivals(StrictModel):
    """Replay of real arrival times from a CSV file (relative to the scenario file).

    ``time_column`` holds ``"HH:MM"`` / ``"HH:MM:SS"`` clock times or numbers (minutes after
    open). Optional columns give each arrival's class and group size.
    """

    trace: str = Field(min_length=1)
    time_column: str = "time"
    class_column: str | None = None
    group_size_column: str | None = None
    members_queue: MembersQueue = _members_queue()
    class_: Name | None = Field(default=None, alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


def _arrival_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        if "rate_per_hour" in value:
            return "poisson"
        if "slots_every_min" in value:
            return "appointments"
        if "trace" in value:
            return "trace"
        if "waves" in value:
            return "arrival_waves"
        return None
    kinds: dict[type, str] = {
        PoissonArrivals: "poisson",
        Appointments: "appointments",
        TraceArrivals: "trace",
        WaveArrivals: "arrival_waves",
    }
    return kinds.get(type(value))


ArrivalSource = Annotated[
    Annotated[PoissonArrivals, Tag("poisson")]
    | Annotated[Appointments, Tag("appointments")]
    | Annotated[TraceArrivals, Tag("trace")]
    | Annotated[WaveArrivals, Tag("arrival_waves")],
    Discriminator(
        _arrival_kind,
        custom_error_type="arrival_kind",
        custom_error_message="an arrival source needs rate_per_hour (walk-ins), "
        "slots_every_min (appointments), trace (a CSV file) or waves (arrival waves)",
    ),
]
