"""Views of one replication's records that several measures share.

Which visits count as a finished service, each visit's customer arrival time (the tally
window is decided by the customer's arrival), one station's level rows and the lateness of
staff going off duty. Pure NumPy; inputs are never modified.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.records import Records, VisitOutcome

__all__ = [
    "SERVICE_DONE",
    "staff_late",
    "station_levels",
    "visit_customer_arrival",
]

#: Visit outcomes that mean a service took place (served right first time, failed, recovered).
SERVICE_DONE = (int(VisitOutcome.SERVED), int(VisitOutcome.FAILED), int(VisitOutcome.RECOVERED))


def visit_customer_arrival(records: Records) -> np.ndarray:
    """Arrival time of each visit's customer (the visit's join time if the customer is unknown)."""
    v, c = records.visits, records.customers
    vcid = v["customer_id"]
    join = v["join_min"].astype(np.float64)
    cid = c["customer_id"]
    if vcid.size == 0 or cid.size == 0:
        return join
    order = np.argsort(cid, kind="stable")
    cid_sorted = cid[order]
    pos = np.searchsorted(cid_sorted, vcid)
    pos_c = np.minimum(pos, cid_sorted.size - 1)
    found = cid_sorted[pos_c] == vcid
    return np.where(found, c["arrival_min"][order][pos_c], join)


def station_levels(records: Records, station: int) -> tuple[np.ndarray, ...]:
    """(times, queue_len, busy, on_duty) rows of one station, in recorded order."""
    lv = records.levels
    m = lv["station_idx"] == station
    return (
        lv["time_min"][m].astype(np.float64),
        lv["queue_len"][m].astype(np.float64),
        lv["busy"][m].astype(np.float64),
        lv["on_duty"][m].astype(np.float64),
    )


def staff_late(records: Records) -> np.ndarray:
    """Late minutes per staff row; a row still open at the end counts up to ``end_min``."""
    sf = records.staff
    due = sf["due_min"].astype(np.float64)
    left = sf["left_min"].astype(np.float64)
    late = sf["late_min"].astype(np.float64)
    still_there = np.isnan(left)
    recorded = np.where(np.isnan(late), left - due, late)
    return np.maximum(np.where(still_there, records.end_min - due, recorded), 0.0)
