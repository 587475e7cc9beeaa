"""Station-level measures of one replication, accumulated chunk by chunk.

Per station: the tally of waits and the counts of window visits, the time-weighted levels
over the statistics window (from level segments, :mod:`.segments`), held resources (tables:
seat-minutes; rooms: kept waiting, check-outs without a room, ready and dirty rooms) and the
service standards. Definitions: :func:`simulator.measures.kpis.replication_kpis` and
:func:`simulator.measures.kpis.resource_kpis`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.engine.records import RecordsMeta, VisitOutcome
from simulator.measures.estimators import ratio, waited_count
from simulator.measures.exact import ExactSums
from simulator.measures.quantiles import Tally
from simulator.measures.record_views import SERVICE_DONE
from simulator.measures.segments import Segments
from simulator.measures.standards import field_of, standard_slugs, standard_units

__all__ = ["StandardMeasures", "StationMeasures"]

_ABANDONED = int(VisitOutcome.ABANDONED)
_BALKED = int(VisitOutcome.BALKED)
_BLOCKED = int(VisitOutcome.BLOCKED)
_NOTHING = int(VisitOutcome.NOTHING_HELD)
_CHECKED_IN = (int(VisitOutcome.SERVED), _ABANDONED)


class StationMeasures:
    """Waits, visit counts, time-weighted levels and held-resource measures per station."""

    def __init__(self, meta: RecordsMeta) -> None:
        self.meta = meta
        n = len(meta.station_names)
        self.t0 = float(meta.stats_start_min)
        self.waits = [Tally() for _ in range(n)]
        self.waited = np.zeros(n, dtype=np.int64)  # started visits that had to wait at all
        # visits, served, abandoned, balked, blocked, failures
        self.counts = np.zeros((n, 6), dtype=np.int64)
        self.q, self.b, self.d = ExactSums(), ExactSums(), ExactSums()  # keyed by station
        self.queue_max = np.full(n, -math.inf)  # longest line in force in the window
        self.seat_min = ExactSums()  # tables: seat-minutes held in the window, by station
        self.open_holds: list[tuple[int, np.ndarray, np.ndarray]] = []  # unfinished holds
        self.rooms = np.zeros((n, 3), dtype=np.int64)  # checked in, kept waiting, no room

    def consume(self, visits: dict[str, np.ndarray], segments: Segments) -> None:
        """Add a chunk's visit rows and the level segments it completed."""
        self._visits(visits)
        self.levels(segments)

    def _visits(self, v: dict[str, np.ndarray]) -> None:
        if v["customer_id"].size == 0:
            return
        t0 = self.t0
        vin = v["arrival_min"] >= t0
        st = v["station_idx"].astype(np.int64)
        start, join, out = v["start_min"], v["join_min"], v["outcome"]
        started = np.isfinite(start)
        n_st = len(self.waits)
        for s in np.unique(st[vin]).tolist():
            at = vin & (st == s)
            waits = start[at & started] - join[at & started]
            self.waits[s].add(waits)
            self.waited[s] += waited_count(waits)
        at = vin
        c = self.counts
        c[:, 0] += np.bincount(st[at], minlength=n_st)
        c[:, 1] += np.bincount(st[at & np.isin(out, SERVICE_DONE)], minlength=n_st)
        c[:, 2] += np.bincount(st[at & (out == _ABANDONED)], minlength=n_st)
        c[:, 3] += np.bincount(st[at & (out == _BALKED)], minlength=n_st)
        c[:, 4] += np.bincount(st[at & (out == _BLOCKED)], minlength=n_st)
        c[:, 5] += np.bincount(st[at], weights=v["n_failures"][at], minlength=n_st).astype(
            np.int64)
        for s in range(n_st):
            kind = self.meta.kind_of(s)
            if kind == "tables":
                self._holds(v, st == s, s)
            elif kind == "rooms":
                mine = vin & (st == s)
                checked = mine & np.isin(out, _CHECKED_IN)
                self.rooms[s, 0] += int(np.count_nonzero(checked))
                self.rooms[s, 1] += int(np.count_nonzero(checked & ~(start <= join)))
                self.rooms[s, 2] += int(np.count_nonzero(mine & (out == _NOTHING)))

    def _holds(self, v: dict[str, np.ndarray], at: np.ndarray, s: int) -> None:
        """Seat-minutes of the tables held at resource ``s`` (an unfinished hold waits for
        the end of the run)."""
        held = at & np.isfinite(v["start_min"])
        seats = np.asarray(self.meta.unit_seats[s], dtype=np.float64)
        a, b = v["counter"][held], v["staff_id"][held]
        n_seats = seats[a] + np.where(b >= 0, seats[np.maximum(b, 0)], 0.0)
        start, end = v["start_min"][held], v["end_min"][held]
        done = ~np.isnan(end)
        span = np.clip(end[done] - np.maximum(start[done], self.t0), 0.0, None)
        self.seat_min.add(n_seats[done] * span, np.full(span.size, s))
        if np.any(~done):
            self.open_holds.append((s, n_seats[~done], start[~done]))

    def levels(self, seg: Segments) -> None:
        """Add level segments: their parts inside the window, and the longest line."""
        if seg.station.size == 0:
            return
        span = np.clip(seg.end_min - np.maximum(seg.start_min, self.t0), 0.0, None)
        self.q.add(seg.queue * span, seg.station)
        self.b.add(seg.busy * span, seg.station)
        self.d.add(seg.on_duty * span, seg.station)
        live = seg.end_min > self.t0
        if np.any(live):
            np.maximum.at(self.queue_max, seg.station[live], seg.queue[live])

    def finish(self, end_min: float) -> dict[str, float]:
        """Per-station KPIs then held-resource KPIs, in the order of the KPI row (the last
        level segments must have been added with :meth:`levels` first)."""
        t0, t1 = self.t0, float(end_min)
        window = t1 - t0
        names = self.meta.station_names
        k: dict[str, float] = {}
        for s, name in enumerate(names):
            w = self.waits[s].stats()
            k[f"{name}__wait_mean_min"], k[f"{name}__wait_p50_min"] = w.mean, w.p50
            k[f"{name}__wait_p90_min"], k[f"{name}__wait_p95_min"] = w.p90, w.p95
            k[f"{name}__wait_max_min"] = w.max
            k[f"{name}__waited_share"] = ratio(float(self.waited[s] + self.counts[s, 2]),
                                               float(self.waits[s].count + self.counts[s, 2]))
            for j, col in enumerate(("visits", "served", "abandoned", "balked", "blocked",
                                     "failures")):
                k[f"{name}__{col}"] = float(self.counts[s, j])
            if window > 0:
                q, b, d = self.q.value(s), self.b.value(s), self.d.value(s)
                k[f"{name}__queue_len_tw"] = q / window
                k[f"{name}__busy_tw"] = b / window
                k[f"{name}__on_duty_tw"] = d / window
                k[f"{name}__utilisation_tw"] = ratio(b, d)
            else:
                for col in ("queue_len_tw", "busy_tw", "on_duty_tw", "utilisation_tw"):
                    k[f"{name}__{col}"] = math.nan
        for s, n_seats, start in self.open_holds:
            span = np.clip(t1 - np.maximum(start, t0), 0.0, None)
            self.seat_min.add(n_seats * span, np.full(span.size, s))
        for s, name in enumerate(names):
            kind = self.meta.kind_of(s)
            if kind not in ("tables", "rooms"):
                continue
            qmax = self.queue_max[s]
            k[f"{name}__queue_len_max"] = float(qmax) if math.isfinite(qmax) else math.nan
            if kind == "tables":
                seats = float(sum(self.meta.unit_seats[s]))
                k[f"{name}__seat_utilisation_tw"] = ratio(self.seat_min.value(s),
                                                          seats * window)
                continue
            k[f"{name}__kept_waiting_share"] = ratio(float(self.rooms[s, 1]),
                                                      float(self.rooms[s, 0]))
            k[f"{name}__checkout_no_room"] = float(self.rooms[s, 2])
            hk = self.meta.housekeeping_of[s]
            if window > 0:
                dirty = ExactSums()
                dirty.add(np.array([self.q.value(hk), self.b.value(hk)]))
                ready = ExactSums()
                ready.add(np.array([self.d.value(s), -self.b.value(s), -dirty.value()]))
                k[f"{name}__ready_tw"] = ready.value() / window
                k[f"{name}__dirty_tw"] = dirty.value() / window
            else:
                k[f"{name}__ready_tw"] = k[f"{name}__dirty_tw"] = math.nan
        return k


class StandardMeasures:
    """Compliance with the service standards: passed and relevant units, overall and by the
    hour their measured wait began."""

    def __init__(self, meta: RecordsMeta, standards: Sequence[Any]) -> None:
        self.meta = meta
        self.standards = list(standards)
        self.slugs = standard_slugs(self.standards)
        self.t0 = float(meta.stats_start_min)
        self.passed = np.zeros(len(self.standards), dtype=np.int64)
        self.relevant = np.zeros(len(self.standards), dtype=np.int64)
        self.station = [-1] * len(self.standards)
        # by hour: {hour: [passed, relevant]} per standard
        self.hourly: list[dict[int, list[int]]] = [{} for _ in self.standards]

    def consume(self, visits: dict[str, np.ndarray], customers: dict[str, np.ndarray],
                view: Any) -> None:
        """Add a chunk (``view``: the chunk's rows as records, for
        :func:`simulator.measures.standards.standard_units`)."""
        if not self.standards:
            return
        visit_in = visits["arrival_min"] >= self.t0
        cust_in = customers["arrival_min"] >= self.t0
        for i, std in enumerate(self.standards):
            u = standard_units(view, std, visit_in, cust_in)
            self.station[i] = u.station
            self.passed[i] += int(np.count_nonzero(u.passed))
            self.relevant[i] += int(u.passed.size)
            if u.passed.size:
                h = np.floor(u.time_min / 60.0).astype(np.int64)
                hours, inv = np.unique(h, return_inverse=True)
                p = np.bincount(inv, weights=u.passed.astype(np.float64)).astype(np.int64)
                r = np.bincount(inv)
                for hour, pp, rr in zip(hours.tolist(), p.tolist(), r.tolist(), strict=True):
                    cell = self.hourly[i].setdefault(hour, [0, 0])
                    cell[0] += pp
                    cell[1] += rr

    def finish(self) -> dict[str, float]:
        """``std__{k}__compliance``, ``__met`` and ``__n`` per standard."""
        k: dict[str, float] = {}
        for i, (key, std) in enumerate(zip(self.slugs, self.standards, strict=True)):
            n = int(self.relevant[i])
            compliance = ratio(float(self.passed[i]), n)
            target = float(field_of(std, "target_share", 0.8))
            k[f"std__{key}__compliance"] = compliance
            k[f"std__{key}__met"] = math.nan if math.isnan(compliance) else float(
                compliance >= target)
            k[f"std__{key}__n"] = float(n)
        return k

    def hour_compliance(self, i: int, hour: int) -> float:
        """Compliance of standard ``i`` over units whose wait began in clock hour ``hour``."""
        cell = self.hourly[i].get(hour)
        return ratio(float(cell[0]), float(cell[1])) if cell else math.nan
