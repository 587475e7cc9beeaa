"""Customer-level measures of one replication, accumulated chunk by chunk.

The window customers are those arriving at or after ``stats_start_min`` (T0); T1 is the end
of the run, known only at :meth:`CustomerMeasures.finish`. Customers still inside when the
run stops come in the last chunk, with no departure; they are kept until T1 is known.
Definitions: :func:`simulator.measures.kpis.replication_kpis`.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.measures.estimators import ratio, waited_count
from simulator.measures.exact import ExactSums
from simulator.measures.quantiles import Tally

__all__ = ["CustomerMeasures"]

_SERVED = int(CustomerOutcome.SERVED)
_BALKED = int(CustomerOutcome.BALKED)
_ABANDONED = int(CustomerOutcome.ABANDONED)
_INSIDE = int(CustomerOutcome.INSIDE)


class CustomerMeasures:
    """Counts, waits, times in system, throughput and Little's-law terms of customers."""

    def __init__(self, stats_start_min: float, class_names: tuple[str, ...] = ()) -> None:
        self.t0 = float(stats_start_min)
        self.class_names = tuple(class_names)
        n_cls = max(len(self.class_names), 1)
        self.by_class = np.zeros((n_cls, 3), dtype=np.int64)  # arrived, served, abandoned
        self.class_waits = ExactSums()  # served window customers' waits, keyed by class
        self.waited = 0  # served window customers who had to wait at all
        self.n = {"arrived": 0, "served": 0, "balked": 0, "abandoned": 0, "inside": 0}
        self.blocked = 0
        self.persons_served = 0
        self.waits = Tally()
        self.tis_served = ExactSums()  # time in system of served window customers
        self.tis_all = ExactSums()  # of every window customer (to T1 if still inside)
        self.overlap = ExactSums()  # time each customer spent inside during the window
        self.served_out = 0  # served customers departing in the window (any arrival)
        self.arrived_in_window = 0
        self.last_departure = -math.inf
        self.inside_arrivals: list[np.ndarray] = []  # window customers without departure
        self.inside_all: list[np.ndarray] = []  # every customer without departure

    def consume(self, customers: dict[str, np.ndarray], visits: dict[str, np.ndarray]) -> None:
        """Add a chunk's customer rows (and count its window BLOCKED visits)."""
        t0 = self.t0
        vin = visits["arrival_min"] >= t0
        self.blocked += int(np.count_nonzero(vin & (visits["outcome"] == VisitOutcome.BLOCKED)))
        arr = customers["arrival_min"].astype(np.float64)
        if arr.size == 0:
            return
        dep = customers["departure_min"].astype(np.float64)
        out = customers["outcome"]
        cin = arr >= t0
        o = out[cin]
        is_served = o == _SERVED
        n = self.n
        n["arrived"] += int(np.count_nonzero(cin))
        n["served"] += int(np.count_nonzero(is_served))
        n["balked"] += int(np.count_nonzero(o == _BALKED))
        n["abandoned"] += int(np.count_nonzero(o == _ABANDONED))
        n["inside"] += int(np.count_nonzero(o == _INSIDE))
        self.persons_served += int(np.sum(customers["group_size"][cin][is_served],
                                          dtype=np.int64))
        served_waits = customers["wait_min"][cin][is_served]
        self.waits.add(served_waits)
        self.waited += waited_count(served_waits)
        cls = customers["class_idx"][cin].astype(np.int64)
        n_cls = self.by_class.shape[0]
        self.by_class[:, 0] += np.bincount(cls, minlength=n_cls)[:n_cls]
        self.by_class[:, 1] += np.bincount(cls[is_served], minlength=n_cls)[:n_cls]
        self.by_class[:, 2] += np.bincount(cls[o == _ABANDONED], minlength=n_cls)[:n_cls]
        self.class_waits.add(served_waits.astype(np.float64), cls[is_served])
        a_in, d_in = arr[cin], dep[cin]
        gone = ~np.isnan(d_in)
        self.tis_served.add(d_in[is_served] - a_in[is_served])
        self.tis_all.add(d_in[gone] - a_in[gone])
        if np.any(~gone):
            self.inside_arrivals.append(a_in[~gone])
        self.served_out += int(np.count_nonzero((out == _SERVED) & (dep >= t0)))
        self.arrived_in_window += int(np.count_nonzero(cin))
        departed = ~np.isnan(dep)
        overlap = np.clip(dep[departed] - np.maximum(arr[departed], t0), 0.0, None)
        self.overlap.add(overlap)
        if np.any(~departed):
            self.inside_all.append(arr[~departed])
        if np.any(departed):
            self.last_departure = max(self.last_departure, float(np.max(dep[departed])))

    def finish(self, end_min: float) -> dict[str, float]:
        """The customer KPIs, in the order of the KPI row (call once)."""
        t0, t1 = self.t0, float(end_min)
        window = t1 - t0
        n = self.n
        arrived, served = n["arrived"], n["served"]
        k: dict[str, float] = {
            "arrived": float(arrived),
            "served": float(served),
            "balked": float(n["balked"]),
            "blocked": float(self.blocked),
            "abandoned": float(n["abandoned"]),
            "inside": float(n["inside"]),
            "persons_served": float(self.persons_served),
            "balk_rate": ratio(n["balked"], arrived),
            "abandon_rate": ratio(n["abandoned"], arrived),
            "served_share": ratio(served, arrived),
            "waited_share": ratio(float(self.waited + n["abandoned"]),
                                  float(served + n["abandoned"])),
        }
        w = self.waits.stats()
        k["wait_mean_min"], k["wait_p50_min"], k["wait_p90_min"] = w.mean, w.p50, w.p90
        k["wait_p95_min"], k["wait_max_min"] = w.p95, w.max
        k["time_in_system_mean_min"] = self.tis_served.value() / served if served else math.nan
        for a in self.inside_arrivals:
            self.tis_all.add(t1 - a)
        for a in self.inside_all:
            self.overlap.add(np.clip(t1 - np.maximum(a, t0), 0.0, None))
        k["time_in_system_all_mean_min"] = (self.tis_all.value() / arrived if arrived
                                            else math.nan)
        k["throughput_per_hour"] = ratio(self.served_out, window / 60.0)
        k["stats_window_min"] = window
        k["arrival_rate_per_min"] = ratio(self.arrived_in_window, window)
        k["in_system_tw"] = ratio(self.overlap.value(), window)
        for i, name in enumerate(self.class_names):
            arrived_c, served_c, abandoned_c = self.by_class[i].tolist()
            k[f"arrived__class__{name}"] = float(arrived_c)
            k[f"wait_mean_min__class__{name}"] = (self.class_waits.value(i) / served_c
                                                  if served_c else math.nan)
            k[f"abandon_rate__class__{name}"] = ratio(abandoned_c, arrived_c)
        return k
