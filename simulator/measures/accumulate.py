"""Every measure of one replication, from its rows as they stream by, or from its records.

:class:`ReplicationMeasures` is a :class:`~simulator.engine.records.RecordSink`: the engine
hands it chunks of rows while the day runs (:func:`simulator.engine.model.simulate` with a
sink), and it keeps running sums, counts, fixed-bin histograms and level integrals, never
per-customer rows, so memory stays flat in the length of the run. At the end it gives the
KPI row, the by-hour rows, the level grid and wait histogram for figures and the per-person
staff table.

The same class measures a finished replication's :class:`~simulator.engine.records.Records`
(:func:`measure_records`): the records are one chunk. So every KPI has one definition, and
the two ways agree exactly for counts, sums and means (sums are exact,
:mod:`.exact`, so order and chunking do not matter) and percentiles come from the same
histograms (:mod:`.quantiles`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.engine.records import RecordChunk, Records, RecordsMeta
from simulator.measures.acc_checks import ConservationChecks
from simulator.measures.acc_customers import CustomerMeasures
from simulator.measures.acc_hours import HourMeasures
from simulator.measures.acc_staff import StaffMeasures
from simulator.measures.acc_stations import StandardMeasures, StationMeasures
from simulator.measures.costs import CostRates, cost_rates
from simulator.measures.exact import ExactSums
from simulator.measures.record_views import visit_customer_arrival
from simulator.measures.segments import LevelSegments, Segments

__all__ = ["LevelGrid", "MeasuresResult", "ReplicationMeasures", "cost_rates",
           "measure_records", "records_chunk"]


@dataclass(frozen=True)
class LevelGrid:
    """Level series sampled on a fixed time grid; arrays are ``[station, time]``."""

    times_min: np.ndarray
    queue_len: np.ndarray
    busy: np.ndarray
    on_duty: np.ndarray

    def __iter__(self):  # unpacks like the named tuple it replaces
        return iter((self.times_min, self.queue_len, self.busy, self.on_duty))


@dataclass
class MeasuresResult:
    """What :class:`ReplicationMeasures` gives at the end of a replication."""

    kpis: dict[str, float]
    by_hour: list[dict[str, Any]] = field(default_factory=list)
    grid: LevelGrid | None = None
    wait_hist: np.ndarray | None = None
    staff_use: list[dict[str, Any]] = field(default_factory=list)


class _GridSampler:
    """Level values at grid times ``open + j * step``: each segment remembers the first grid
    index it covers; the value at a grid time is that of the last segment starting at or
    before it."""

    def __init__(self, n_stations: int, open_min: float, step_min: float) -> None:
        if not step_min > 0:
            raise ValueError(f"step_min must be > 0 (got {step_min})")
        self.open, self.step = float(open_min), float(step_min)
        self.parts: list[list[np.ndarray]] = [[] for _ in range(n_stations)]

    def _first_index(self, t: np.ndarray) -> np.ndarray:
        """Smallest j >= 0 with ``open + step * j >= t`` (grid times computed as in
        ``open + step * arange(n)``)."""
        j = np.maximum(0, np.ceil((t - self.open) / self.step)).astype(np.int64)
        for _ in range(2):
            j = np.where((j > 0) & (self.open + self.step * (j - 1) >= t), j - 1, j)
            j = np.where(self.open + self.step * j < t, j + 1, j)
        return j

    def add(self, seg: Segments, closed: bool = False) -> None:
        """Add segments ``[a, b)`` (``closed``: ``[a, b]``, the last of each station)."""
        if seg.station.size == 0:
            return
        lo = self._first_index(seg.start_min)
        hi = self._first_index(seg.end_min)
        if closed:
            hi = np.where(self.open + self.step * hi <= seg.end_min, hi + 1, hi)
        keep = hi > lo
        for s in np.unique(seg.station[keep]).tolist():
            m = keep & (seg.station == s)
            self.parts[s].append(np.column_stack((lo[m], seg.queue[m], seg.busy[m],
                                                  seg.on_duty[m])))

    def grid(self, end_min: float, t_end_min: float | None = None) -> LevelGrid:
        """The sampled grid up to ``t_end_min`` (default ``end_min``); NaN after the end."""
        stop = float(end_min if t_end_min is None else t_end_min)
        n = max(0, math.floor((stop - self.open) / self.step + 1e-9) + 1)
        times = self.open + self.step * np.arange(n, dtype=np.float64)
        n_st = len(self.parts)
        out = [np.zeros((n_st, n)) for _ in range(3)]
        after_end = times > end_min
        for s, parts in enumerate(self.parts):
            if not parts:
                continue
            p = np.concatenate(parts)
            k = np.searchsorted(p[:, 0], np.arange(n), side="right") - 1
            kc = np.maximum(k, 0)
            for i in range(3):
                out[i][s] = np.where(k >= 0, p[kc, i + 1], 0.0)
        for g in out:
            g[:, after_end] = math.nan
        return LevelGrid(times, out[0], out[1], out[2])


class ReplicationMeasures:
    """The streaming measures of one replication (a record sink).

    Parameters
    ----------
    meta : RecordsMeta
        What the rows refer to (:func:`simulator.engine.model.records_meta`).
    standards : sequence, default ()
        Service standards (see :func:`simulator.measures.kpis.replication_kpis`).
    cost_per_hour_by_group : sequence of float or CostRates, optional
        Staff cost rates per group, or every rate of the scenario
        (:func:`simulator.measures.costs.cost_rates`: overtime premiums, compensation per
        failure, cost by hour); without them the cost KPIs are NaN.
    by_hour : bool, default True
        Also keep the by-hour rows.
    grid_step_min : float, optional
        Sample the level series every so many minutes (figures).
    wait_edges_min : array_like, optional
        Count station waits in these bins (figures; see
        :func:`simulator.measures.levels.wait_histogram`).
    staff_use : bool, default False
        Also give the per-person table (``people.csv``).
    check : bool, default True
        Check conservation (:mod:`.acc_checks`).
    """

    def __init__(self, meta: RecordsMeta, standards: Sequence[Any] = (),
                 cost_per_hour_by_group: Sequence[float] | CostRates | None = None, *,
                 by_hour: bool = True, grid_step_min: float | None = None,
                 wait_edges_min: Any = None, staff_use: bool = False,
                 check: bool = True) -> None:
        self.meta = meta
        n_st = len(meta.station_names)
        self.segments = LevelSegments(n_st)
        self.customers = CustomerMeasures(meta.stats_start_min, meta.class_names)
        self.stations = StationMeasures(meta)
        self.standards = StandardMeasures(meta, standards)
        self.staff = StaffMeasures(meta, cost_per_hour_by_group)
        self.hours = HourMeasures(meta) if by_hour else None
        self.sampler = (_GridSampler(n_st, meta.open_min, grid_step_min)
                        if grid_step_min is not None else None)
        self.edges: np.ndarray | None = None
        self.wait_hist: np.ndarray | None = None
        if wait_edges_min is not None:
            e = np.asarray(wait_edges_min, dtype=np.float64).ravel()
            if e.size == 0 or np.any(np.diff(e) <= 0) or not e[0] <= 0:
                raise ValueError(f"edges must be strictly increasing, non-empty and start "
                                 f"at <= 0 (got {e.tolist()})")
            self.edges = e
            self.wait_hist = np.zeros((n_st, e.size), dtype=np.int64)
        self.staff_use = staff_use
        self.checks = ConservationChecks(meta) if check else None
        self.result: MeasuresResult | None = None

    def consume(self, chunk: RecordChunk) -> None:
        """Measure a chunk of rows (in recording order)."""
        v, c = chunk.visits, chunk.customers
        seg = self.segments.feed(chunk.levels)
        self.customers.consume(c, v)
        self.stations.consume(v, seg)
        if self.standards.standards:
            self.standards.consume(v, c, _view(self.meta, v, c))
        self.staff.consume(v, chunk.staff, chunk.duty)
        if self.hours is not None:
            # a station's levels are known up to its last row (before its first row they
            # are 0 and add nothing)
            known = self.segments.last_t
            done = float(np.nanmin(known)) if np.any(~np.isnan(known)) else -math.inf
            self.hours.consume(v, c, seg, chunk.settled_min, done)
        if self.sampler is not None:
            self.sampler.add(seg)
        if self.wait_hist is not None:
            self._wait_hist(v)
        if self.checks is not None:
            self.checks.consume(v, c)

    def _wait_hist(self, v: dict[str, np.ndarray]) -> None:
        started = np.isfinite(v["start_min"]) & (v["arrival_min"] >= self.meta.stats_start_min)
        st = v["station_idx"].astype(np.int64)
        e = self.edges
        for s in np.unique(st[started]).tolist():
            m = started & (st == s)
            w = v["start_min"][m] - v["join_min"][m]
            idx = np.searchsorted(e, w, side="right") - 1  # type: ignore[arg-type]
            if np.any(idx < 0):
                raise ValueError(
                    f"station {self.meta.station_names[s]!r} has a wait {float(np.min(w))} "
                    f"below edges[0] = {e[0]}")  # type: ignore[index]
            self.wait_hist[s] += np.bincount(idx, minlength=e.size)  # type: ignore[index, union-attr]

    def finish(self, end_min: float) -> None:
        """The run stopped at ``end_min``: close the level series and compute every measure
        (kept in :attr:`result`)."""
        self.result = self._results(float(end_min))

    def _results(self, t1: float, t_end_min: float | None = None) -> MeasuresResult:
        last = self.segments.close(t1)
        self.stations.levels(last)
        if self.hours is not None:
            self.hours.levels(last)
        if self.sampler is not None:
            self.sampler.add(last, closed=True)
        self.staff.finish(t1)
        if self.checks is not None:
            self.checks.finish(self.segments, self.meta.terminating)
        k = self.customers.finish(t1)
        k.update(self.staff.kpis())
        last_dep = self.customers.last_departure
        k["last_departure_min"] = last_dep if math.isfinite(last_dep) else math.nan
        if self.meta.terminating:
            k["closing_overrun_min"] = (max(0.0, last_dep - self.meta.close_min)
                                        if math.isfinite(last_dep) else 0.0)
        else:
            k["closing_overrun_min"] = math.nan
        k.update(self.stations.finish(t1))
        k["recovery_cost"] = self._recovery_cost()
        k.update(self.standards.finish())
        k.update(self.staff.routing_kpis())
        by_hour = self.hours.rows(t1, self.standards) if self.hours is not None else []
        if by_hour and self.staff.rates is not None:
            _add_cost_by_hour(by_hour, self.staff.cost_by_hour(), self.meta.terminating)
        return MeasuresResult(
            kpis=k,
            by_hour=by_hour,
            grid=self.sampler.grid(t1, t_end_min) if self.sampler is not None else None,
            wait_hist=self.wait_hist,
            staff_use=self.staff.use_rows() if self.staff_use else [])


    def _recovery_cost(self) -> float:
        """Σ over stations of the compensation cost per failure × the station's failures
        (window visits, as ``{s}__failures``); NaN without cost rates."""
        costs = self.staff.costs
        if costs is None:
            return math.nan
        comp = np.asarray(costs.compensation_by_station, dtype=np.float64)
        if comp.size == 0:
            return 0.0
        total = ExactSums()
        total.add(comp * self.stations.counts[:comp.size, 5])
        return total.value()


def _add_cost_by_hour(rows: list[dict[str, Any]], hourly: dict[int, tuple[float, float]],
                      service_day: bool) -> None:
    """Add ``staff_cost_regular``, ``staff_cost_overtime`` and ``staff_cost`` of each clock
    hour to the ``station == "all"`` by-hour rows in place (NaN on station rows).

    On a service day (``service_day``) an hour with paid time before the first row (staff on
    duty before the doors open) gets an ``all`` row of its own, with no customers and NaN
    levels, so the hours add up to the day's cost. In steady state the rows stay those of
    the statistics window: the warm-up's paid time is in the KPIs only."""
    first = min(int(r["hour"]) for r in rows)
    early = [h for h in hourly if h < first] if service_day else []
    if early:
        template = next(r for r in rows if r["station"] == "all")
        new = []
        for h in sorted(early):
            row = {k: (0.0 if k in ("arrivals", "served", "balked", "abandoned") else math.nan)
                   for k in template}
            row.update(hour=h, hour_start_min=float(h * 60), station="all")
            new.append(row)
        rows[:0] = new
    for row in rows:
        if row["station"] == "all":
            regular, overtime = hourly.get(int(row["hour"]), (0.0, 0.0))
            total = ExactSums()
            total.add(np.array([regular, overtime]))
            row["staff_cost_regular"], row["staff_cost_overtime"] = regular, overtime
            row["staff_cost"] = total.value()
        else:
            row["staff_cost_regular"] = row["staff_cost_overtime"] = math.nan
            row["staff_cost"] = math.nan


def _view(meta: RecordsMeta, visits: dict[str, np.ndarray],
          customers: dict[str, np.ndarray]) -> Records:
    """A chunk's visits and customers as :class:`Records` (for functions of records)."""
    empty: dict[str, np.ndarray] = {}
    return Records(visits=visits, customers=customers, levels=empty, staff=empty,
                   end_min=math.nan,
                   **{f: getattr(meta, f) for f in RecordsMeta.__dataclass_fields__})


def records_chunk(records: Records) -> RecordChunk:
    """A finished replication's records as one chunk (visits with their customers'
    arrivals)."""
    visits = records.visits
    if "arrival_min" not in visits:
        visits = {**visits, "arrival_min": visit_customer_arrival(records)}
    return RecordChunk(visits=visits, customers=records.customers, levels=records.levels,
                       staff=records.staff, duty=records.duty, now_min=records.end_min,
                       settled_min=math.inf, settled_id=1 << 62, final=True)


def measure_records(records: Records, standards: Sequence[Any] = (),
                    cost_per_hour_by_group: Sequence[float] | CostRates | None = None, *,
                    grid_step_min: float | None = None, t_end_min: float | None = None,
                    wait_edges_min: Any = None, check: bool = False,
                    by_hour: bool = True, staff_use: bool = False) -> MeasuresResult:
    """Every measure of a finished replication, from its records (one chunk through
    :class:`ReplicationMeasures`: the definitions of the streaming measures)."""
    m = ReplicationMeasures(records.meta, standards, cost_per_hour_by_group, by_hour=by_hour,
                            grid_step_min=grid_step_min, wait_edges_min=wait_edges_min,
                            staff_use=staff_use, check=check)
    m.consume(records_chunk(records))
    return m._results(float(records.end_min), t_end_min)

