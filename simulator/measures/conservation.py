"""Conservation checks of one replication's records.

Every customer who arrived is served, balked, abandoned or still inside; visits and levels
agree with the customers; no level goes negative. A violation raises :class:`InvariantError`
(a bug in servsim, never a scenario mistake), also under ``python -O``.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.measures.record_views import SERVICE_DONE, station_levels

__all__ = [
    "InvariantError",
    "check_conservation",
]


class InvariantError(RuntimeError):
    """A replication's records break an invariant the engine guarantees (conservation, times
    in order, an empty station at the end of a drained day): a bug, reported with the numbers
    involved. Unlike ``assert``, it is raised under ``python -O`` too."""


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
    c, v = records.customers, records.visits
    out = c["outcome"]
    valid = np.isin(out, [int(x) for x in CustomerOutcome])
    if not np.all(valid):
        raise InvariantError(
            f"customer outcome codes not in CustomerOutcome: {sorted(set(out[~valid].tolist()))}"
        )
    n = {o.name.lower(): int(np.count_nonzero(out == o)) for o in CustomerOutcome}
    arrived = int(out.size)
    total = n["served"] + n["balked"] + n["abandoned"] + n["inside"]
    if arrived != total:
        raise InvariantError(
            f"conservation violated: arrived={arrived} != served {n['served']} + balked "
            f"{n['balked']} + abandoned {n['abandoned']} + inside {n['inside']} (= {total})"
        )
    arr, dep = c["arrival_min"], c["departure_min"]
    gone = out != CustomerOutcome.INSIDE
    bad = gone & ~(np.isfinite(dep) & (dep >= arr))
    if np.any(bad):
        raise InvariantError(
            f"{int(np.count_nonzero(bad))} customers who left lack a departure >= arrival "
            f"(customers {sorted(set(c['customer_id'][bad].tolist()))})"
        )
    if not (records.terminating and n["inside"] == 0):
        return
    unknown = ~np.isin(v["customer_id"], c["customer_id"])
    if np.any(unknown):
        raise InvariantError(
            f"visits of unrecorded customers: ids {sorted(set(v['customer_id'][unknown].tolist()))}"
        )
    vout = v["outcome"]
    unfinished = vout == VisitOutcome.UNFINISHED
    if np.any(unfinished):
        raise InvariantError(
            f"terminating day ended with nobody inside but {int(np.count_nonzero(unfinished))} "
            f"UNFINISHED visits (customers {sorted(set(v['customer_id'][unfinished].tolist()))})"
        )
    done = np.isin(vout, SERVICE_DONE)
    start, end = v["start_min"], v["end_min"]
    bad = done & ~(np.isfinite(start) & np.isfinite(end) & (start <= end))
    if np.any(bad):
        raise InvariantError(
            f"{int(np.count_nonzero(bad))} served visits lack a finite start <= end "
            f"(customers {sorted(set(v['customer_id'][bad].tolist()))})"
        )
    left = np.isin(
        vout, [int(VisitOutcome.ABANDONED), int(VisitOutcome.BALKED), int(VisitOutcome.BLOCKED)]
    )
    bad = left & np.isfinite(start)
    if np.any(bad):
        raise InvariantError(
            f"{int(np.count_nonzero(bad))} abandoned/balked/blocked visits have a service start "
            f"(customers {sorted(set(v['customer_id'][bad].tolist()))})"
        )
    for s, name in enumerate(records.station_names):
        if records.kind_of(s) in ("rooms", "housekeeping"):
            continue  # guests stay in their rooms overnight; dirty rooms wait for tomorrow
        _, queue, busy, _ = station_levels(records, s)
        if queue.size and (queue[-1] != 0 or busy[-1] != 0):
            raise InvariantError(
                f"station {name!r} ends with queue_len={int(queue[-1])}, busy={int(busy[-1])} "
                "though nobody is inside"
            )
