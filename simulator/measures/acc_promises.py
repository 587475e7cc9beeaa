"""Promises kept and broken (gap 4), accumulated chunk by chunk.

A station promise applies to each window visit of its classes at the station that started
service or was abandoned; the wait is join → service start, or join → the customer's
departure for an abandoned visit. A whole-visit promise applies to each window customer of
its classes who was served or abandoned, with their total wait. The promise is **broken**
when the wait is longer than the promised minutes (so a customer who gave up before the
promised time has not been failed by it), and the **overrun** is by how much.
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


class PromiseMeasures:
    """The gap-4 KPIs of one replication (a record sink; module docstring)."""

    def __init__(self, meta: RecordsMeta, promises: Sequence[Any]) -> None:
        self.promises = list(promises)
        self.slugs = standard_slugs(self.promises)  # the same slugs as standards'
        self.t0 = float(meta.stats_start_min)
        self.station = [meta.station_names.index(p.station) if p.station is not None else -1
                        for p in self.promises]
        self.classes = [None if p.classes is None else
                        [meta.class_names.index(c) for c in p.classes] for p in self.promises]
        n = len(self.promises)
        self.n = np.zeros(n, dtype=np.int64)
        self.broken = np.zeros(n, dtype=np.int64)
        self.overrun = ExactSums()

    def consume(self, chunk: RecordChunk) -> None:
        """Add a chunk's visits and customers."""
        if not self.promises:
            return
        v, c = chunk.visits, chunk.customers
        order = np.argsort(c["customer_id"], kind="stable")
        ids = c["customer_id"][order]
        for i, p in enumerate(self.promises):
            s, cls = self.station[i], self.classes[i]
            if s >= 0:
                started = np.isfinite(v["start_min"])
                abandoned = v["outcome"] == int(VisitOutcome.ABANDONED)
                m = ((v["arrival_min"] >= self.t0) & (v["station_idx"] == s)
                     & (started | abandoned))
                if cls is not None:
                    m &= np.isin(v["class_idx"], cls)
                pos = np.clip(np.searchsorted(ids, v["customer_id"][m]), 0,
                              max(ids.size - 1, 0))
                left = (c["departure_min"][order][pos] if ids.size
                        else np.full(int(m.sum()), math.nan))
                wait = np.where(started[m], v["start_min"][m], left) - v["join_min"][m]
            else:
                out = c["outcome"]
                m = (c["arrival_min"] >= self.t0) & (
                    (out == int(CustomerOutcome.SERVED)) | (out == int(CustomerOutcome.ABANDONED)))
                if cls is not None:
                    m &= np.isin(c["class_idx"], cls)
                wait = c["wait_min"][m]
            over = wait - float(p.wait_max_min)
            late = over > 0
            self.n[i] += int(m.sum())
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
