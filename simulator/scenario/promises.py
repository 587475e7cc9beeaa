"""The ``promises:`` section: what the organisation tells its customers (gap 4).

A *standard* (``standards:``) is an internal target; a *promise* is posted or said to the
customer: "served within 15 minutes" on the wall by the windows, or on the website for the
whole visit. The model measures how often and by how much each promise is broken (gap 4 of
the gap model: promise vs delivery, satisfaction.md §2.9), and the satisfaction model treats
a station's promise as a published standard (satisfaction.md §2.4: a wait beyond a promised
level lowers reliability by ``promise_pen``).
"""

from __future__ import annotations

from pydantic import Field

from simulator.scenario.fields import Name, PositiveMinutes, StrictModel

__all__ = ["Promise", "promise_problems"]


class Promise(StrictModel):
    """A wait promised to customers: at a station, or over the whole visit."""

    name: str = Field(min_length=1, max_length=120)
    station: Name | None = Field(
        default=None, description="the station whose wait is promised; absent: the total "
        "wait of the whole visit")
    wait_max_min: PositiveMinutes = Field(description="the promised wait, minutes")
    classes: list[Name] | None = Field(
        default=None, min_length=1, description="customer classes it is made to (default all)")


def promise_problems(promises: list[Promise], stations: set[str], classes: set[str]
                     ) -> list[tuple[tuple[str | int, ...], str, object, str]]:
    """Unknown stations and classes, as ``(loc, message, got, expected)``."""
    out: list[tuple[tuple[str | int, ...], str, object, str]] = []
    for i, p in enumerate(promises):
        if p.station is not None and p.station not in stations:
            out.append((("promises", i, "station"), f"no station named {p.station!r}",
                        p.station, "one of " + ", ".join(sorted(stations))))
        for j, c in enumerate(p.classes or ()):
            if c not in classes:
                out.append((("promises", i, "classes", j), f"no customer class named {c!r}",
                            c, "one of " + ", ".join(sorted(classes))))
    return out
