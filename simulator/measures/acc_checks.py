"""Conservation checks of one replication, accumulated chunk by chunk.

The same checks as :func:`simulator.measures.conservation.check_conservation`, kept as
counts and small bitmaps while the rows stream by, so they hold for runs of any length.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.records import CustomerOutcome, RecordsMeta, VisitOutcome
from simulator.measures.record_views import SERVICE_DONE
from simulator.measures.segments import LevelSegments

__all__ = ["ConservationChecks", "InvariantError"]


class InvariantError(RuntimeError):
    """A replication's records break an invariant the engine guarantees (conservation, times
    in order, an empty station at the end of a drained day): a bug, reported with the numbers
    involved. Unlike ``assert``, it is raised under ``python -O`` too."""

_CODES = [int(x) for x in CustomerOutcome]
_LEFT = [int(VisitOutcome.ABANDONED), int(VisitOutcome.BALKED), int(VisitOutcome.BLOCKED)]


def _ids(bitmap: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``bitmap`` (one bit per id, packed) grown to hold ``ids`` and with them set."""
    top = (int(ids.max()) >> 3) + 1
    if top > bitmap.size:
        bitmap = np.concatenate((bitmap, np.zeros(max(top, 2 * bitmap.size) - bitmap.size,
                                                  dtype=np.uint8)))
    np.bitwise_or.at(bitmap, ids >> 3, (1 << (ids & 7)).astype(np.uint8))
    return bitmap


class ConservationChecks:
    """Counts every customer and visit as it is recorded; :meth:`finish` raises
    :class:`InvariantError` if one fails."""

    def __init__(self, meta: RecordsMeta) -> None:
        self.meta = meta
        self.outcomes = np.zeros(len(_CODES), dtype=np.int64)
        self.customers = np.zeros(128, dtype=np.uint8)  # bit per customer id with a row
        self.visited = np.zeros(128, dtype=np.uint8)  # bit per customer id with a visit
        self.unfinished: list[int] = []
        self.bad_served: list[int] = []
        self.bad_left: list[int] = []

    def consume(self, visits: dict[str, np.ndarray], customers: dict[str, np.ndarray]) -> None:
        """Check a chunk's customer rows and count its visit rows."""
        out = customers["outcome"]
        valid = np.isin(out, _CODES)
        if not np.all(valid):
            raise InvariantError(
                "customer outcome codes not in CustomerOutcome: "
                f"{sorted(set(out[~valid].tolist()))}")
        self.outcomes += np.bincount(out.astype(np.int64), minlength=len(_CODES))[:len(_CODES)]
        arr, dep = customers["arrival_min"], customers["departure_min"]
        gone = out != CustomerOutcome.INSIDE
        bad = gone & ~(np.isfinite(dep) & (dep >= arr))
        if np.any(bad):
            raise InvariantError(
                f"{int(np.count_nonzero(bad))} customers who left lack a departure >= arrival "
                f"(customers {sorted(set(customers['customer_id'][bad].tolist()))})")
        if out.size:
            self.customers = _ids(self.customers, customers["customer_id"].astype(np.int64))
        cid = visits["customer_id"].astype(np.int64)
        if cid.size:
            self.visited = _ids(self.visited, cid)
        vout = visits["outcome"]
        self.unfinished += cid[vout == VisitOutcome.UNFINISHED].tolist()
        start, end = visits["start_min"], visits["end_min"]
        done = np.isin(vout, SERVICE_DONE)
        self.bad_served += cid[done & ~(np.isfinite(start) & np.isfinite(end)
                                        & (start <= end))].tolist()
        self.bad_left += cid[np.isin(vout, _LEFT) & np.isfinite(start)].tolist()

    def finish(self, levels: LevelSegments, terminating: bool) -> None:
        """Check conservation (and, for a finished terminating day, the visit and level
        checks); ``levels`` holds each station's last level row."""
        n = dict(zip(("served", "balked", "abandoned", "inside"), self.outcomes.tolist(),
                     strict=True))
        arrived = int(self.outcomes.sum())
        total = n["served"] + n["balked"] + n["abandoned"] + n["inside"]
        if arrived != total:
            raise InvariantError(
                f"conservation violated: arrived={arrived} != served {n['served']} + balked "
                f"{n['balked']} + abandoned {n['abandoned']} + inside {n['inside']} (= {total})")
        if not (terminating and n["inside"] == 0):
            return
        size = max(self.customers.size, self.visited.size)
        known = np.zeros(size, dtype=np.uint8)
        known[:self.customers.size] = self.customers
        seen = np.zeros(size, dtype=np.uint8)
        seen[:self.visited.size] = self.visited
        unknown = np.flatnonzero(np.unpackbits(seen & ~known, bitorder="little"))
        if unknown.size:
            raise InvariantError(f"visits of unrecorded customers: ids {unknown.tolist()}")
        if self.unfinished:
            raise InvariantError(
                f"terminating day ended with nobody inside but {len(self.unfinished)} "
                f"UNFINISHED visits (customers {sorted(set(self.unfinished))})")
        if self.bad_served:
            raise InvariantError(
                f"{len(self.bad_served)} served visits lack a finite start <= end "
                f"(customers {sorted(set(self.bad_served))})")
        if self.bad_left:
            raise InvariantError(
                f"{len(self.bad_left)} abandoned/balked/blocked visits have a service start "
                f"(customers {sorted(set(self.bad_left))})")
        for s, name in enumerate(self.meta.station_names):
            if self.meta.kind_of(s) in ("rooms", "housekeeping"):
                continue  # guests stay in their rooms overnight; dirty rooms wait for tomorrow
            if not np.isnan(levels.last_t[s]):
                queue, busy = levels.last[s, 0], levels.last[s, 1]
                if queue != 0 or busy != 0:
                    raise InvariantError(
                        f"station {name!r} ends with queue_len={int(queue)}, busy={int(busy)} "
                        "though nobody is inside")
