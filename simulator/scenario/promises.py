"""The ``promises:`` section: what the organisation tells its customers (gap 4).

A *standard* (``standards:``) is an internal target; a *promise* is posted or said to the
customer. Three kinds (docs/week.md, "Promises"):

* **posted** (``wait_max_min``): "served within 15 minutes" on the wall by the windows, at a
  station, or on the website for the whole visit;
* **quoted** (``quote``): the wait said to each customer at the door from the line they see
  (a restaurant host, a hall's screen): ``base_min + per_waiting_min × waiting``;
* **appointment** (``source`` + ``late_max_min``): customers of an appointments source are
  seen within ``late_max_min`` of their booked time (or of their arrival, if they came late).

The model measures how often and by how much each promise is broken (gap 4 of the gap model:
promise vs delivery, satisfaction.md §2.9). The satisfaction model treats a *posted* station
promise as a published standard (satisfaction.md §2.4: a wait beyond a promised level lowers
reliability by ``promise_pen``); the spec gives no rule for a per-customer quote or a booked
time, so those two kinds are measured only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from simulator.scenario.arrivals import Appointments
from simulator.scenario.fields import Minutes, Name, PositiveMinutes, StrictModel

__all__ = ["Promise", "PromiseKind", "Quote", "promise_problems"]

PromiseKind = Literal["posted", "quoted", "appointment"]


class Quote(StrictModel):
    """A wait quoted from the line the customer sees on joining: ``base_min +
    per_waiting_min × (customers waiting in the line, before joining)``."""

    base_min: Minutes = Field(default=0.0, description="quoted minutes with nobody waiting")
    per_waiting_min: Minutes = Field(description="quoted minutes per customer (party) "
                                     "waiting ahead")


class Promise(StrictModel):
    """A wait promised to customers (module docstring): exactly one of ``wait_max_min``
    (posted), ``quote`` (quoted at a station) or ``late_max_min`` (appointments of
    ``source``)."""

    name: str = Field(min_length=1, max_length=120)
    station: Name | None = Field(
        default=None, description="the station (or held resource) whose wait is promised; "
        "absent: the total wait of the whole visit (posted) ")
    wait_max_min: PositiveMinutes | None = Field(default=None,
                                                 description="the posted wait, minutes")
    quote: Quote | None = Field(default=None, description="the wait quoted to each customer "
                                "on joining the station's line")
    source: Name | None = Field(default=None, description="an appointments source whose "
                                "customers are promised to be seen at their booked time")
    late_max_min: Minutes | None = Field(
        default=None, description="minutes after max(booked time, arrival) by which an "
        "appointment customer's first service starts")
    classes: list[Name] | None = Field(
        default=None, min_length=1, description="customer classes it is made to (default all)")

    @property
    def kind(self) -> PromiseKind:
        """``posted``, ``quoted`` or ``appointment`` (valid promises have exactly one)."""
        if self.quote is not None:
            return "quoted"
        if self.late_max_min is not None or self.source is not None:
            return "appointment"
        return "posted"


Problem = tuple[tuple[str | int, ...], str, object, str]


def promise_problems(promises: list[Promise], stations: set[str], classes: set[str],
                     sources: Mapping[str, Any] | None = None) -> list[Problem]:
    """Unknown stations, classes and sources, and the rules of each kind, as ``(loc,
    message, got, expected)``; ``sources``: the scenario's arrival sources by name."""
    out: list[Problem] = []
    appointments = {n for n, s in (sources or {}).items() if isinstance(s, Appointments)}
    for i, p in enumerate(promises):
        given = [k for k in ("wait_max_min", "quote", "late_max_min")
                 if getattr(p, k) is not None]
        if len(given) != 1:
            out.append((("promises", i), "a promise has exactly one of wait_max_min "
                        "(posted), quote (quoted) or late_max_min (appointment)",
                        ", ".join(given) or "none of them", "exactly one"))
        if p.station is not None and p.station not in stations:
            out.append((("promises", i, "station"), f"no station named {p.station!r}",
                        p.station, "one of " + ", ".join(sorted(stations))))
        if p.quote is not None and p.station is None:
            out.append((("promises", i, "quote"), "a quoted wait is said at a station's "
                        "line", "no station", "station: <the station whose line is seen>"))
        if p.late_max_min is not None and p.source is None:
            out.append((("promises", i, "late_max_min"), "an appointment promise names its "
                        "appointments source", "no source", "source: <an appointments "
                        "source>"))
        if p.source is not None:
            if p.late_max_min is None:
                out.append((("promises", i, "source"), "a source is named only by an "
                            "appointment promise", p.source, "late_max_min with it"))
            elif p.source not in appointments:
                out.append((("promises", i, "source"), f"no appointments source named "
                            f"{p.source!r}", p.source, "one of " + (", ".join(
                                sorted(appointments)) or "(none: add a slots source)")))
            if p.station is not None:
                out.append((("promises", i, "station"), "an appointment promise is about the "
                            "first service start, at any station", p.station, "no station"))
        for j, c in enumerate(p.classes or ()):
            if c not in classes:
                out.append((("promises", i, "classes", j), f"no customer class named {c!r}",
                            c, "one of " + ", ".join(sorted(classes))))
    return out
