"""A customer (or a party) inside the facility, and where it is in its journey.

Plain state, read and written by :mod:`~simulator.engine.journey` (station visits) and
:mod:`~simulator.engine.holdings` (held tables and rooms); created by
:class:`~simulator.engine.model.Replication`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.engine.station import Station

NAN = math.nan


class Customer:
    """A customer (or a party) inside the facility, and where it is in its journey."""

    __slots__ = (
        "again", "arrival", "busy_seen", "cls", "counter", "duty_seen", "extra", "group", "held",
        "id", "join", "k", "last_failed", "members", "n_fail", "n_visits", "party", "patience",
        "pending", "q_seen", "req", "service", "slot", "source", "start", "station", "steps",
        "visit_fail", "visit_service", "wait",
    )

    def __init__(self, cid: int, cls: int, source: int, group: int, arrival: float) -> None:
        self.id = cid
        self.cls = cls
        self.source = source
        self.group = group
        self.arrival = arrival
        # [station, base service, failure uniform, is_recovery, balk uniform,
        #  first rework (redo) or recovery-step service, uniform of "fails again?",
        #  renege: whether the class patience applies at this step];
        # a branch resolved on the way is [-1, kind, [visit entries], False, balk uniform,
        # 0.0, 1.0, renege] until the customer reaches it (see engine.journey)
        self.steps: list[list] = []
        # outcome of the latest visit that was not a recovery step: -1 none yet, 0 served
        # right first time, 1 a service failed (read by if_failed / if_served steps)
        self.last_failed = -1
        # members queueing one by one (members_queue: individually; 1: the party is one
        # customer at the counter); then a visit's base service is a list, one per member
        self.members = 1
        self.party = None  # the PartyVisit of a station visit in progress (engine.journey)
        self.patience: float | None = None
        self.wait = 0.0
        self.service = 0.0
        self.n_visits = 0
        self.n_fail = 0
        self.k = 0
        self.join = NAN
        self.start = NAN
        self.counter = -1
        self.slot = -1
        self.station: Station | None = None  # whose line or counter the customer is at
        self.q_seen = self.busy_seen = self.duty_seen = 0
        self.visit_service = 0.0
        self.visit_fail = 0
        self.extra = 0.0
        self.again = 1.0
        self.held: dict[int, tuple | None] | None = None  # resource -> hold (see holdings)
        self.pending = None  # the Waiter of a seize step in progress
        self.req = None  # the Request of the current station visit
