"""What the parts of a replication see of it: small protocols instead of the class itself.

:class:`~simulator.engine.model.Replication` owns the environment, the recorder, the stations
and the streams, and creates the journey driver and the held resources. Those parts (and the
arrival and roster processes) need a few of its attributes; they name them through
:class:`ReplicationContext` rather than importing the model, so the engine's modules import
one way: model → journey, holdings, processes → station, records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import simpy

    from simulator.engine.customer import Customer
    from simulator.engine.records import Recorder
    from simulator.engine.rng import Streams, UniformStream
    from simulator.engine.routing import Router
    from simulator.engine.station import Station
    from simulator.scenario.plan import Plan


class ReplicationContext(Protocol):
    """The replication as its journey driver, held resources and processes use it."""

    env: simpy.Environment
    plan: Plan
    rec: Recorder
    streams: Streams
    stations: list[Station]
    router: Router | None
    rework_more: list[list[Callable[[], float]]]
    refail_more_u: list[UniformStream]

    def new_customer(self, source: int, cls: int, group: int, booked: float = ...) -> None:
        """Create a customer now and start its journey (``booked``: an appointment's booked
        slot time, minutes)."""

    def finish(self, cust: Customer, outcome: int) -> None:
        """Record a customer leaving the facility."""


class HeldSteps(Protocol):
    """Seize and release steps, as the journey driver hands them over (see holdings)."""

    def step(self, cust: Customer, code: int) -> None:
        """Run the seize or release step ``code`` (a station index past the stations)."""

    def done_stations(self, stations: list[Station]) -> list[Station | None]:
        """Per step code: the station that stops expecting a customer who passes the step."""
