"""Conservation checks of one replication's records.

Every customer who arrived is served, balked, abandoned or still inside; visits and levels
agree with the customers; no level goes negative. A violation raises :class:`InvariantError`
(a bug in servsim, never a scenario mistake), also under ``python -O``.
"""

from __future__ import annotations

from simulator.engine.records import Records
from simulator.measures.acc_checks import ConservationChecks, InvariantError
from simulator.measures.segments import LevelSegments

__all__ = [
    "InvariantError",
    "check_conservation",
]


def check_conservation(records: Records) -> None:
    """Check that every customer and (on a finished terminating day) every visit is accounted for.

    Checks, over all customers (no warm-up deletion):

    1. every customer outcome is a :class:`CustomerOutcome` code,
       ``arrived == served + balked + abandoned + inside``, and every customer who left
       (not INSIDE) has a finite ``departure_min >= arrival_min``;
    2. if the day is terminating and ``inside == 0``: every visit belongs to a recorded
       customer, no visit is UNFINISHED, every visit with outcome SERVED, FAILED or RECOVERED
       has finite ``start_min <= end_min``, every ABANDONED/BALKED/BLOCKED visit has no service
       start, and every station's (and tables resource's) last level row shows an empty line
       and no busy counter (tables: none in use). Rooms and housekeeping are exempt: guests
       stay overnight and dirty rooms may wait for the next day.

    Parameters
    ----------
    records : Records
        One replication's tables.

    Raises
    ------
    InvariantError
        Naming the first violated check and the numbers involved.
    """
    checks = ConservationChecks(records.meta)
    checks.consume(records.visits, records.customers)
    levels = LevelSegments(len(records.station_names))
    levels.feed(records.levels)
    checks.finish(levels, records.terminating)
