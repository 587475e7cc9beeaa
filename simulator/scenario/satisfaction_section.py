"""The scenario's ``satisfaction:`` section: the model's settings plus what ties it to stations.

Everything in :class:`~simulator.scenario.satisfaction_params.SatisfactionConfig`, amenity
flags per station, and a fitted profile carried inline once resolved
(:func:`simulator.scenario.profile.resolve_profile`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from simulator.scenario.fields import Minutes, Name, StrictModel
from simulator.scenario.satisfaction_params import ModelParameters, SatisfactionConfig

__all__ = [
    "AMENITY_RULES",
    "AmenityFlag",
    "InlineProfile",
    "SatisfactionSection",
]


#: Amenity rules (the closed vocabulary of ``stage_flag`` KANO performance, satisfaction.md
#: §2.6): when the simulator marks a customer as having been given an amenity.
AMENITY_RULES: tuple[str, ...] = ("waited_over", "served_at")


class AmenityFlag(StrictModel):
    """An amenity given to a customer, decided after the run from the records.

    ``when: waited_over`` -- given to customers whose wait at ``stage`` (any stage when
    omitted) exceeded ``minutes`` (tea served to those who wait long); customers who never
    waited at that stage are "not applicable". ``when: served_at`` -- given to customers
    served at ``stage`` (a brochure handed out at the desk).
    """

    when: Literal["waited_over", "served_at"]
    stage: Name | None = None
    minutes: Minutes | None = None

    @model_validator(mode="after")
    def _rule_fields(self) -> AmenityFlag:
        if self.when == "waited_over" and self.minutes is None:
            raise ValueError("when: waited_over needs minutes (got nothing; expected a "
                             "number of minutes)")
        if self.when == "served_at":
            if self.stage is None:
                raise ValueError("when: served_at needs a stage (got nothing; expected a "
                                 "station name)")
            if self.minutes is not None:
                raise ValueError(f"when: served_at takes no minutes (got {self.minutes:g}; "
                                 "expected no minutes key)")
        return self


class InlineProfile(StrictModel):
    """A fitted profile carried inside the scenario (filled in from ``profile`` when the
    scenario is run, so workers need no file; may also be written by hand)."""

    name: str = Field(min_length=1)
    sha256: str = ""
    parameters: ModelParameters


class SatisfactionSection(SatisfactionConfig):
    """The scenario's ``satisfaction:`` section (satisfaction.md §2.12, ``docs/satisfaction.md``).

    Everything in :class:`~simulator.satisfaction.SatisfactionConfig` plus what ties the model
    to this scenario: ``model`` (``off`` skips the prediction), ``phases`` per station (default:
    a customer's first stage pre, last stage post if served, others in), ``amenities`` (flags
    for ``stage_flag`` KANO attributes) and ``profile`` -- ``default`` or a fitted profile file
    written by ``servsim calibrate``, relative to the scenario file.
    """

    model: Literal["servqual", "off"] = "servqual"
    phases: dict[Name, Literal["pre", "in", "post"]] = Field(default_factory=dict)
    amenities: dict[Name, AmenityFlag] = Field(default_factory=dict)
    profile_inline: InlineProfile | None = None
