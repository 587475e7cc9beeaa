"""Promises kept and broken (gap 4), accumulated chunk by chunk.

Three kinds (:mod:`simulator.scenario.promises`, docs/week.md "Promises"):

* **posted** at a station: each window visit of its classes at the station that started
  service or was abandoned; the wait is join → service start, or join → the customer's
  departure for an abandoned visit. Posted for the whole visit: each window customer of its
  classes who was served or abandoned, with their total wait. The promised minutes are
  ``wait_max_min``.
* **quoted** at a station: the same visits as a posted station promise, except those still
  unfinished when the run stopped (their line length on joining is not recorded); the
  promised minutes are ``base_min + per_waiting_min × queue_on_join`` (customers waiting in
  the line before this one joined).
* **appointment**: each window customer of the source (and classes) whose first visit
  (pathway step 0) started service or was abandoned; broken when the service started, or the
  customer left, later than ``max(booked time, arrival) + late_max_min``. The booked time is
  the engine's internal visit column ``booked_min``; the customer's source comes with their
  customer row, which can arrive in a later chunk than the first visit's row, so first visits
  wait in :attr:`PromiseMeasures.pending` until then.

A promise is **broken** when the wait (or lateness) is longer than promised (so a customer
who gave up before the promised time has not been failed by it), and the **overrun** is by
how much.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.engine.records import CustomerOutcome, RecordChunk, RecordsMeta, VisitOutcome
from simulator.measures.exact import ExactSums
from simulator.measures.standards import standard_slugs

__all__ = ["PromiseMeasures"]

_ABANDONED = int(VisitOutcome.ABANDONED)
_UNFINISHED = int(VisitOutcome.UNFINISHED)


class PromiseMeasures:
    """The gap-4 KPIs of one replication (a record sink; module docstring).

    Parameters
    ----------
    meta : RecordsMeta
        Names behind the index columns and the statistics window.
    promises : sequence of Promise
        The scenario's ``promises:``.
    source_names : sequence of str, optional
        The plan's arrival sources in ``source_idx`` order (needed by appointment promises;
        a source missing from the plan, e.g. on a calendar day without it, has no units).
    """

    def __init__(self, meta: RecordsMeta, promises: Sequence[Any],
                 source_names: Sequence[str] = ()) -> None:
        self.promises = list(promises)
        self.slugs = standard_slugs(self.promises)  # the same slugs as standards'
        self.t0 = float(meta.stats_start_min)
        self.kinds = [p.kind for p in self.promises]
        self.station = [meta.station_names.index(p.station) if p.station is not None else -1
                        for p in self.promises]
        sources = list(source_names)
        self.source = [sources.index(p.source) if p.source in sources else -1
                       for p in self.promises]
        self.classes = [None if p.classes is None else
                        [meta.class_names.index(c) for c in p.classes] for p in self.promises]
        n = len(self.promises)
        self.n = np.zeros(n, dtype=np.int64)
        self.broken = np.zeros(n, dtype=np.int64)
        self.overrun = ExactSums()
        #: first visits of appointment customers whose customer row has not come yet:
        #: customer id -> (service start or NaN, booked time, arrival)
        self.pending: dict[int, tuple[float, float, float]] = {}
        self._appointments = any(k == "appointment" for k in self.kinds)

    def consume(self, chunk: RecordChunk) -> None:
        """Add a chunk's visits and customers."""
        if not self.promises:
            return
        v, c = chunk.visits, chunk.customers
        if self._appointments:
            self._first_visits(v)
        order = np.argsort(c["customer_id"], kind="stable")
        ids = c["customer_id"][order]
        for i, p in enumerate(self.promises):
            kind = self.kinds[i]
            if kind == "appointment":
                m, over = self._appointment(i, c)
            elif self.station[i] >= 0:
                m, over = self._station(i, p, v, c, order, ids)
            else:
                out = c["outcome"]
                m = (c["arrival_min"] >= self.t0) & (
                    (out == int(CustomerOutcome.SERVED)) | (out == int(CustomerOutcome.ABANDONED)))
                if self.classes[i] is not None:
                    m &= np.isin(c["class_idx"], self.classes[i])
                over = c["wait_min"][m] - float(p.wait_max_min)
            self._add(i, int(m.sum()), over)
        if self.pending:  # these customers have left: their first visits are counted
            for cid in c["customer_id"].tolist():
                self.pending.pop(cid, None)

    def _station(self, i: int, p: Any, v: dict[str, np.ndarray], c: dict[str, np.ndarray],
                 order: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A station promise (posted or quoted): the visits it applies to, and each one's
        wait minus the promised minutes."""
        started = np.isfinite(v["start_min"])
        abandoned = v["outcome"] == _ABANDONED
        m = ((v["arrival_min"] >= self.t0) & (v["station_idx"] == self.station[i])
             & (started | abandoned))
        if self.kinds[i] == "quoted":
            m &= v["outcome"] != _UNFINISHED
        if self.classes[i] is not None:
            m &= np.isin(v["class_idx"], self.classes[i])
        pos = np.clip(np.searchsorted(ids, v["customer_id"][m]), 0, max(ids.size - 1, 0))
        left = (c["departure_min"][order][pos] if ids.size
                else np.full(int(m.sum()), math.nan))
        wait = np.where(started[m], v["start_min"][m], left) - v["join_min"][m]
        if self.kinds[i] == "quoted":
            q = p.quote
            promised = q.base_min + q.per_waiting_min * v["queue_on_join"][m].astype(float)
        else:
            promised = float(p.wait_max_min)
        return m, wait - promised

    def _first_visits(self, v: dict[str, np.ndarray]) -> None:
        """Keep the first visits (step 0) of appointment customers in the window that
        started service or were abandoned, until their customer rows come."""
        m = ((v["step_idx"] == 0) & np.isfinite(v["booked_min"]) & (v["arrival_min"] >= self.t0)
             & (np.isfinite(v["start_min"]) | (v["outcome"] == _ABANDONED)))
        for cid, start, booked, arrival in zip(
                v["customer_id"][m].tolist(), v["start_min"][m].tolist(),
                v["booked_min"][m].tolist(), v["arrival_min"][m].tolist(), strict=True):
            self.pending[cid] = (start, booked, arrival)

    def _appointment(self, i: int, c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """An appointment promise: the customers it applies to (those of its source with a
        pending first visit), and each one's lateness beyond the promise."""
        m = c["source_idx"] == self.source[i]
        if self.classes[i] is not None:
            m &= np.isin(c["class_idx"], self.classes[i])
        m &= np.fromiter((cid in self.pending for cid in c["customer_id"].tolist()),
                         dtype=bool, count=m.size)
        rows = [self.pending[cid] for cid in c["customer_id"][m].tolist()]
        first = np.array([r[0] for r in rows], dtype=float)
        booked = np.array([r[1] for r in rows], dtype=float)
        arrival = np.array([r[2] for r in rows], dtype=float)
        # seen at the service start; an abandoned customer at their departure
        seen = np.where(np.isfinite(first), first, c["departure_min"][m])
        due = np.maximum(booked, arrival) + float(self.promises[i].late_max_min)
        return m, seen - due

    def _add(self, i: int, n: int, over: np.ndarray) -> None:
        late = over > 0
        self.n[i] += n
        self.broken[i] += int(late.sum())
        if late.any():
            self.overrun.add(over[late], np.full(int(late.sum()), i))

    def finish(self, end_min: float = math.nan) -> None:
        """Nothing to close; :meth:`kpis` gives the results."""

    def kpis(self) -> dict[str, float]:
        """``promise__{k}__n``, ``__broken_share``, ``__overrun_mean_min`` per promise, then
        ``promise_broken_share`` over every promise's units."""
        out: dict[str, float] = {}
        for i, key in enumerate(self.slugs):
            n, b = int(self.n[i]), int(self.broken[i])
            out[f"promise__{key}__n"] = float(n)
            out[f"promise__{key}__broken_share"] = b / n if n else math.nan
            out[f"promise__{key}__overrun_mean_min"] = (self.overrun.value(i) / b if b
                                                         else math.nan)
        if self.promises:
            total = int(self.n.sum())
            out["promise_broken_share"] = int(self.broken.sum()) / total if total else math.nan
        return out
