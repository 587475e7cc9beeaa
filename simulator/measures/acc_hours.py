"""By-hour measures of one replication, accumulated chunk by chunk.

Tallies go by hour of arrival (the customer's arrival for the ``all`` rows, the visit's
joining time for a station's rows), levels by clock hour. An hour's waits are kept only
while its tally can still change: once every customer who arrived before the hour's end has
left (the chunk's ``settled_min``), the hour's mean and 90th percentile are computed exactly
and its waits are dropped, so memory does not grow with the length of the run. Definitions:
:func:`simulator.measures.by_hour.by_hour_rows`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.engine.records import CustomerOutcome, RecordsMeta, VisitOutcome
from simulator.measures.estimators import ratio
from simulator.measures.exact import ExactSums
from simulator.measures.record_views import SERVICE_DONE
from simulator.measures.segments import Segments, hour_pieces

__all__ = ["HourMeasures"]

_COUNTS = ("arrivals", "served", "balked", "abandoned")


class _Cell:
    """One (hour, row) tally: counts, then waits until the hour is settled."""

    __slots__ = ("counts", "mean", "p90", "waits")

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]
        self.waits: list[np.ndarray] | None = []
        self.mean = self.p90 = math.nan

    def settle(self) -> None:
        """Compute the mean and p90 of the waits (numpy's linear percentile) and drop them."""
        if self.waits is None:
            return
        w = np.concatenate(self.waits) if self.waits else np.zeros(0)
        w = np.sort(w[~np.isnan(w)])
        if w.size:
            s = ExactSums()
            s.add(w)
            self.mean = s.value() / w.size
            pos = 0.9 * (w.size - 1)
            lo = math.floor(pos)
            hi = min(lo + 1, w.size - 1)
            self.p90 = float(w[lo] + (pos - lo) * (w[hi] - w[lo]))
        self.waits = None


class HourMeasures:
    """Counts, waits and time-weighted levels per clock hour and station."""

    def __init__(self, meta: RecordsMeta) -> None:
        self.meta = meta
        self.t0 = float(meta.stats_start_min)
        self.n_st = len(meta.station_names)
        self.cells: dict[tuple[int, int], _Cell] = {}  # (hour, station or -1 for "all")
        self.q, self.b, self.d = ExactSums(), ExactSums(), ExactSums()  # key hour*(n+1)+s+1
        self.done: dict[int, tuple[float, float, float]] = {}  # integrals of finished hours
        self.last_time = -math.inf  # latest window arrival or joining time
        self.level_hour = -1 << 62  # hours before this have all their level segments

    def _cell(self, hour: int, row: int) -> _Cell:
        cell = self.cells.get((hour, row))
        if cell is None:
            cell = self.cells[(hour, row)] = _Cell()
        return cell

    def _add(self, row: int, t: np.ndarray, cols: list[np.ndarray],
             waits: np.ndarray, started: np.ndarray) -> None:
        if t.size == 0:
            return
        self.last_time = max(self.last_time, float(np.max(t)))
        h = np.floor(t / 60.0).astype(np.int64)
        hours, inv = np.unique(h, return_inverse=True)
        counted = [np.bincount(inv, weights=c.astype(np.float64), minlength=hours.size)
                   for c in cols]
        for j, hour in enumerate(hours.tolist()):
            cell = self._cell(hour, row)
            for i in range(4):
                cell.counts[i] += int(counted[i][j])
            sel = (inv == j) & started
            if np.any(sel):
                if cell.waits is None:
                    raise RuntimeError(f"hour {hour} got a wait after it was settled")
                cell.waits.append(waits[sel])

    def consume(self, visits: dict[str, np.ndarray], customers: dict[str, np.ndarray],
                segments: Segments, settled_min: float, levels_done_min: float) -> None:
        """Add a chunk's rows and level segments; settle the hours that can no longer change
        (tallies: every customer arriving before ``settled_min`` has left; levels: every
        station's series is known up to ``levels_done_min``)."""
        t0 = self.t0
        c = customers
        cin = c["arrival_min"] >= t0
        if np.any(cin):
            out = c["outcome"][cin]
            served = out == CustomerOutcome.SERVED
            ones = np.ones(out.size, dtype=bool)
            self._add(-1, c["arrival_min"][cin].astype(np.float64),
                      [ones, served, out == CustomerOutcome.BALKED,
                       out == CustomerOutcome.ABANDONED],
                      c["wait_min"][cin].astype(np.float64), served)
        v = visits
        vin = v["arrival_min"] >= t0
        st = v["station_idx"].astype(np.int64)
        for s in np.unique(st[vin]).tolist():
            at = vin & (st == s)
            o = v["outcome"][at]
            start, join = v["start_min"][at], v["join_min"][at].astype(np.float64)
            self._add(s, join, [np.ones(o.size, dtype=bool), np.isin(o, SERVICE_DONE),
                                (o == VisitOutcome.BALKED) | (o == VisitOutcome.BLOCKED),
                                o == VisitOutcome.ABANDONED],
                      start - join, np.isfinite(start))
        self.levels(segments)
        self.settle_levels(levels_done_min)
        limit = 60.0 * math.floor(settled_min / 60.0) if math.isfinite(settled_min) else None
        if limit is not None:
            for (hour, _row), cell in self.cells.items():
                if 60.0 * (hour + 1) <= limit and cell.waits is not None:
                    cell.settle()

    def levels(self, seg: Segments) -> None:
        """Add level segments, cut at clock hours, to their hour's integrals."""
        if seg.station.size == 0:
            return
        i, hour, minutes = hour_pieces(seg.start_min, seg.end_min, self.t0)
        width = self.n_st + 1
        key = hour * width + seg.station[i] + 1
        allkey = hour * width
        for sums, level in ((self.q, seg.queue), (self.b, seg.busy), (self.d, seg.on_duty)):
            x = level[i] * minutes
            sums.add(x, key)
            sums.add(x, allkey)

    def settle_levels(self, done_min: float) -> None:
        """Round the integrals of every hour that ends by ``done_min`` to floats, once, and
        drop their exact sums (memory stays flat in the length of the run)."""
        if not math.isfinite(done_min):
            return
        upto = math.floor(done_min / 60.0)  # hours below this are finished
        if upto <= self.level_hour:
            return
        width = self.n_st + 1
        for key in self.q.keys() + self.b.keys() + self.d.keys():
            if key // width < upto and key not in self.done:
                self.done[key] = (self.q.pop(key), self.b.pop(key), self.d.pop(key))
        self.level_hour = upto

    def _integrals(self, key: int) -> tuple[float, float, float]:
        done = self.done.get(key)
        if done is not None:
            return done
        return self.q.value(key), self.b.value(key), self.d.value(key)

    def rows(self, end_min: float, standards: Any) -> list[dict[str, Any]]:
        """The by-hour rows (see :func:`simulator.measures.by_hour.by_hour_rows`)."""
        t0, t1 = self.t0, float(end_min)
        h0 = math.floor(t0 / 60.0)
        h_last = max(h0, math.ceil(t1 / 60.0) - 1)
        if math.isfinite(self.last_time):
            h_last = max(h_last, math.floor(self.last_time / 60.0))
        for cell in self.cells.values():
            cell.settle()
        width = self.n_st + 1
        labels = ["all", *self.meta.station_names]
        slugs = standards.slugs
        rows: list[dict[str, Any]] = []
        empty_cell = _Cell()
        for h in range(h0, h_last + 1):
            lo, hi = max(60.0 * h, t0), min(60.0 * h + 60.0, t1)
            length = hi - lo
            for r, label in enumerate(labels, start=-1):
                cell = self.cells.get((h, r), empty_cell)
                arrivals, served, balked, abandoned = cell.counts
                row: dict[str, Any] = {
                    "hour": int(h), "hour_start_min": float(h * 60), "station": label,
                    "arrivals": float(arrivals), "served": float(served),
                    "balked": float(balked), "abandoned": float(abandoned),
                    "balk_rate": ratio(float(balked), float(arrivals)),
                    "abandon_rate": ratio(float(abandoned), float(arrivals)),
                    "wait_mean_min": float(cell.mean), "wait_p90_min": float(cell.p90),
                }
                key = h * width + r + 1
                if length > 0:
                    q, b, d = self._integrals(key)
                    row["queue_len_tw"] = q / length
                    row["busy_tw"] = b / length
                    row["on_duty_tw"] = d / length
                    row["utilisation_tw"] = ratio(b, d)
                else:
                    for col in ("queue_len_tw", "busy_tw", "on_duty_tw", "utilisation_tw"):
                        row[col] = math.nan
                for i, key_ in enumerate(slugs):
                    shown = r == -1 or standards.station[i] == r
                    row[f"std__{key_}__compliance"] = (standards.hour_compliance(i, h)
                                                       if shown else math.nan)
                rows.append(row)
        return rows
