"""What one replication records: visit, customer, station-level and staff tables.

The engine appends one plain tuple per row to a list (cheap in the hot loop). Rows leave the
lists in *chunks* of column arrays (:class:`RecordChunk`): to a :class:`RecordSink` that
measures them as the run goes (the streaming measures of :mod:`simulator.measures`), and/or
into the frozen :class:`Records` of the whole replication when the rows are kept. With a sink
and no kept rows, memory stays flat in the length of the run.

Every KPI is one function of these rows, whichever way they arrive
(:mod:`simulator.measures.accumulate`), so a new KPI never needs a re-run.

Times are minutes after midnight of the simulated day. Missing times are NaN; missing ids -1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol

import numpy as np


class VisitOutcome(IntEnum):
    """How one station visit ended."""

    SERVED = 0  #: served right first time
    BALKED = 1  #: saw the line and left without joining
    BLOCKED = 2  #: the waiting room was full
    ABANDONED = 3  #: joined, then left before service (reneged)
    FAILED = 4  #: served, the service failed, sent to a recovery station
    RECOVERED = 5  #: served after a failure (a redo here, or this is the recovery visit)
    UNFINISHED = 6  #: still waiting or in service when the run stopped
    NOTHING_HELD = 7  #: a release step found nothing to hand back (a check-out, no room left)


class CustomerOutcome(IntEnum):
    """How a customer's visit to the facility ended."""

    SERVED = 0  #: completed the pathway
    BALKED = 1  #: left at a line without joining (includes a full waiting room)
    ABANDONED = 2  #: left a line before being served
    INSIDE = 3  #: still inside when the run stopped


VISIT_COLUMNS: dict[str, type] = {
    "customer_id": np.int64,
    "class_idx": np.int16,
    "group_size": np.int32,
    "station_idx": np.int16,
    "step_idx": np.int16,  # position in the customer's realised pathway, from 0
    "join_min": np.float64,  # arrival at the station's line (or balk/block time)
    "start_min": np.float64,  # service start; NaN if never started
    "end_min": np.float64,  # service end (incl. redo); NaN if not finished
    "counter": np.int32,  # counter index within the station; -1 if none
    "staff_id": np.int32,  # staff slot id (global); -1 if unstaffed or not served;
    # at a held resource: counter = table (the lower of two joined), staff_id = second table
    "outcome": np.int8,  # VisitOutcome
    "queue_on_join": np.int32,  # customers waiting in the line joined (before joining)
    "busy_on_join": np.int32,  # counters busy at the station on joining
    "on_duty_on_join": np.int32,  # servers on duty at the station on joining
    "n_failures": np.int16,  # failed services in this visit
    "is_recovery": np.bool_,  # this visit is a recovery step for an earlier failure
    "service_min": np.float64,  # total service time incl. redo; NaN if not served
    "jockeyed": np.int16,  # times the customer moved to a shorter counter line (jockeying)
}

#: Columns the engine adds to every visit row for the streaming measures; they are kept in
#: memory (``Records.visits``) but not written to ``visits.csv``.
VISIT_INTERNAL_COLUMNS: dict[str, type] = {
    "arrival_min": np.float64,  # the customer's arrival (decides the statistics window)
    "overtaken": np.int32,  # later joiners of this line who started service before this
    # customer left it (satisfaction.md §2.2); 0 where the line cannot be overtaken
}

CUSTOMER_COLUMNS: dict[str, type] = {
    "customer_id": np.int64,
    "class_idx": np.int16,
    "source_idx": np.int16,  # arrival source
    "group_size": np.int32,
    "arrival_min": np.float64,
    "departure_min": np.float64,  # NaN if still inside
    "wait_min": np.float64,  # total time waiting in lines (to service start or abandonment)
    "service_min": np.float64,  # total service time received
    "outcome": np.int8,  # CustomerOutcome
    "n_visits": np.int16,
    "n_failures": np.int16,
}

LEVEL_COLUMNS: dict[str, type] = {
    "station_idx": np.int16,
    "time_min": np.float64,  # the values hold from this time until the station's next row
    "queue_len": np.int32,  # customers waiting (not in service)
    "busy": np.int32,  # counters serving
    "on_duty": np.int32,  # staff on duty at the station (counters for unstaffed stations)
}

STAFF_COLUMNS: dict[str, type] = {
    "group_idx": np.int16,
    "slot_id": np.int32,
    "kind": np.int8,  # simulator.scenario.plan.DutyChange
    "due_min": np.float64,  # when the slot was due off duty
    "left_min": np.float64,  # when someone actually left (NaN: still there at the end)
    "late_min": np.float64,  # left - due (>= 0); overtime for SHIFT_END, late break for BREAK
}


DUTY_COLUMNS: dict[str, type] = {
    "slot_id": np.int32,
    "on_min": np.float64,  # came on duty (shift start, or back from a break)
    "off_min": np.float64,  # went off duty; NaN: still on duty when the run stopped
}


class RecordSink(Protocol):
    """Where chunks of rows go while a replication runs (the streaming measures)."""

    def consume(self, chunk: RecordChunk) -> None:
        """Take the rows of ``chunk`` (never called again with the same rows)."""

    def finish(self, end_min: float) -> None:
        """The replication stopped at ``end_min``; no more chunks follow."""


@dataclass(frozen=True)
class RecordChunk:
    """Rows recorded since the previous chunk, as column arrays, in recording order.

    ``settled_min`` and ``settled_id`` say what can no longer change: every customer who
    arrived before ``settled_min`` (or has an id below ``settled_id``) has left, so all of
    their visit rows have been recorded by now.
    """

    visits: dict[str, np.ndarray]
    customers: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    staff: dict[str, np.ndarray]
    duty: dict[str, np.ndarray]
    now_min: float
    settled_min: float
    settled_id: int
    final: bool = False


class Recorder:
    """Row recorder used by the engine: appends one tuple per row, never computes.

    One ``list.append`` of a tuple per row is the cheapest way to record in the hot loop; the
    rows become typed column arrays in chunks of about ``chunk_rows`` visit rows
    (:meth:`flush`), which go to ``sink`` (if any) and are kept for :class:`Records` (if
    ``keep``). Without a sink nothing is flushed before the end.
    """

    __slots__ = ("_kept", "chunk_rows", "customer_rows", "duty_rows", "keep", "last_level_min",
                 "level_rows", "on_since", "sink", "staff_rows", "visit_rows")

    def __init__(self, sink: RecordSink | None = None, keep: bool = True,
                 chunk_rows: int = 4096) -> None:
        self.visit_rows: list[tuple] = []
        self.customer_rows: list[tuple] = []
        self.level_rows: list[tuple] = []
        self.staff_rows: list[tuple] = []
        self.duty_rows: list[tuple] = []
        self.on_since: dict[int, float] = {}  # slot -> when its current on-duty spell began
        self.sink = sink
        self.keep = keep
        self.chunk_rows = chunk_rows if sink is not None else 1 << 62
        self._kept: list[RecordChunk] = []
        self.last_level_min = -math.inf  # latest level row time flushed so far

    def visit(self, *values: object) -> None:
        """Append one visit row, values in :data:`VISIT_COLUMNS` order (then optionally
        :data:`VISIT_INTERNAL_COLUMNS`)."""
        self.visit_rows.append(values)

    def customer(self, *values: object) -> None:
        """Append one customer row, values in :data:`CUSTOMER_COLUMNS` order."""
        self.customer_rows.append(values)

    def level(self, *values: object) -> None:
        """Append one level row, values in :data:`LEVEL_COLUMNS` order."""
        self.level_rows.append(values)

    def staff_change(self, *values: object) -> None:
        """Append one staff row, values in :data:`STAFF_COLUMNS` order."""
        self.staff_rows.append(values)

    def duty_on(self, slot: int, t: float) -> None:
        """Staff slot ``slot`` came on duty at ``t``."""
        self.on_since[slot] = t

    def duty_off(self, slot: int, t: float) -> None:
        """Staff slot ``slot`` went off duty at ``t``: one row of :data:`DUTY_COLUMNS`."""
        self.duty_rows.append((slot, self.on_since.pop(slot), t))

    def duty_open(self) -> None:
        """At the end of a run: a row with NaN ``off_min`` for every slot still on duty."""
        for slot in sorted(self.on_since):
            self.duty_rows.append((slot, self.on_since[slot], float("nan")))
        self.on_since.clear()

    def due(self) -> bool:
        """True when enough rows wait for a :meth:`flush` (cheap: checked per customer)."""
        return len(self.visit_rows) >= self.chunk_rows or \
            len(self.level_rows) >= 2 * self.chunk_rows

    def flush(self, now_min: float, settled_min: float, settled_id: int,
              final: bool = False) -> None:
        """Turn the rows recorded so far into a :class:`RecordChunk`: hand it to the sink,
        keep it if asked, and start empty lists."""
        levels = _freeze(self.level_rows, LEVEL_COLUMNS)
        if levels["time_min"].size:
            self.last_level_min = max(self.last_level_min, float(levels["time_min"].max()))
        chunk = RecordChunk(
            visits=_freeze_visits(self.visit_rows),
            customers=_freeze(self.customer_rows, CUSTOMER_COLUMNS),
            levels=levels,
            staff=_freeze(self.staff_rows, STAFF_COLUMNS),
            duty=_freeze(self.duty_rows, DUTY_COLUMNS),
            now_min=now_min, settled_min=settled_min, settled_id=settled_id, final=final)
        # cleared in place: the engine appends through bound ``list.append`` methods
        for rows in (self.visit_rows, self.customer_rows, self.level_rows, self.staff_rows,
                     self.duty_rows):
            rows.clear()
        if self.keep:
            self._kept.append(chunk)
        if self.sink is not None:
            self.sink.consume(chunk)

    def kept(self) -> list[RecordChunk]:
        """The chunks kept so far, in recording order."""
        return self._kept


def _freeze_visits(rows: list[tuple]) -> dict[str, np.ndarray]:
    """Visit rows as columns: with the internal columns when the engine recorded them."""
    full = {**VISIT_COLUMNS, **VISIT_INTERNAL_COLUMNS}
    if not rows or len(rows[0]) == len(full):
        return _freeze(rows, full)
    return _freeze(rows, VISIT_COLUMNS)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Column dicts of several chunks joined (columns of the first non-empty part)."""
    full = [p for p in parts if next(iter(p.values())).size] or parts[:1]
    if len(full) == 1:
        return full[0]
    return {k: np.concatenate([p[k] for p in full]) for k in full[0]}


def _freeze(rows: list[tuple], schema: dict[str, type]) -> dict[str, np.ndarray]:
    if not rows:
        return {k: np.zeros(0, dtype=t) for k, t in schema.items()}
    for row in rows:
        if len(row) != len(schema):
            raise ValueError(f"a row has {len(row)} values (got {row!r}; expected "
                             f"{len(schema)}: {', '.join(schema)})")
    columns = zip(*rows, strict=True)
    return {k: np.asarray(col, dtype=schema[k]) for k, col in zip(schema, columns, strict=True)}


@dataclass(frozen=True)
class RecordsMeta:
    """What a replication's rows refer to: names behind the index columns, the clock and
    the roster (everything of :class:`Records` but the tables and the end time)."""

    station_names: tuple[str, ...]
    class_names: tuple[str, ...]
    group_names: tuple[str, ...]
    open_min: float
    close_min: float
    stats_start_min: float
    terminating: bool
    staff_paid_min: dict[int, float] = field(default_factory=dict)
    slot_group: dict[int, int] = field(default_factory=dict)
    station_kinds: tuple[str, ...] = ()
    unit_seats: dict[int, tuple[int, ...]] = field(default_factory=dict)
    housekeeping_of: dict[int, int] = field(default_factory=dict)
    routed_serves: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def kind_of(self, station: int) -> str:
        """``station``, ``housekeeping``, ``tables`` or ``rooms`` for a station index."""
        return self.station_kinds[station] if self.station_kinds else "station"


@dataclass(frozen=True)
class Records:
    """The frozen tables of one replication, plus the names behind the index columns."""

    visits: dict[str, np.ndarray]
    customers: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    staff: dict[str, np.ndarray]
    station_names: tuple[str, ...]
    class_names: tuple[str, ...]
    group_names: tuple[str, ...]
    open_min: float
    close_min: float  # doors close (terminating) or end of run (steady state)
    end_min: float  # when the simulation stopped
    stats_start_min: float  # open, or open + warm-up for steady state
    terminating: bool
    staff_paid_min: dict[int, float] = field(default_factory=dict)  # scheduled minutes per slot
    slot_group: dict[int, int] = field(default_factory=dict)  # slot id -> group index
    # per station_names entry: station, housekeeping, tables or rooms (empty: all stations)
    station_kinds: tuple[str, ...] = ()
    unit_seats: dict[int, tuple[int, ...]] = field(default_factory=dict)  # tables: seats
    housekeeping_of: dict[int, int] = field(default_factory=dict)  # rooms -> its station

    def kind_of(self, station: int) -> str:
        """``station``, ``housekeeping``, ``tables`` or ``rooms`` for a station index."""
        return self.station_kinds[station] if self.station_kinds else "station"
    # on-duty spells of every staff slot (DUTY_COLUMNS), sorted by slot and time; kept in
    # memory for per-person KPIs (not one of the record files)
    duty: dict[str, np.ndarray] = field(
        default_factory=lambda: {k: np.zeros(0, dtype=t) for k, t in DUTY_COLUMNS.items()})
    # stations each group serves in preference order, for groups under skill-based routing
    # (empty when no group is routed: then no routing KPIs are reported)
    routed_serves: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def meta(self) -> RecordsMeta:
        """Everything but the tables and the end time."""
        return RecordsMeta(**{f: getattr(self, f) for f in RecordsMeta.__dataclass_fields__})

    @staticmethod
    def from_recorder(rec: Recorder, **meta: object) -> Records:
        """Freeze a :class:`Recorder`'s kept chunks and remaining lists into arrays:
        customers by id, visits by (customer, step), levels by (station, time, recording
        order), duty spells by (slot, time)."""
        rest = RecordChunk(
            visits=_freeze_visits(rec.visit_rows),
            customers=_freeze(rec.customer_rows, CUSTOMER_COLUMNS),
            levels=_freeze(rec.level_rows, LEVEL_COLUMNS),
            staff=_freeze(rec.staff_rows, STAFF_COLUMNS),
            duty=_freeze(rec.duty_rows, DUTY_COLUMNS),
            now_min=math.nan, settled_min=math.nan, settled_id=-1)
        chunks = [*rec.kept(), rest]
        levels = _concat([c.levels for c in chunks])
        order = np.lexsort((np.arange(len(levels["time_min"])), levels["time_min"],
                            levels["station_idx"]))
        levels = {k: v[order] for k, v in levels.items()}
        visits = _concat([c.visits for c in chunks])
        order = np.lexsort((visits["step_idx"], visits["customer_id"]))
        visits = {k: v[order] for k, v in visits.items()}
        customers = _concat([c.customers for c in chunks])
        order = np.argsort(customers["customer_id"], kind="stable")
        customers = {k: v[order] for k, v in customers.items()}
        duty = _concat([c.duty for c in chunks])
        order = np.lexsort((duty["on_min"], duty["slot_id"]))
        duty = {k: v[order] for k, v in duty.items()}
        return Records(
            duty=duty,
            visits=visits,
            customers=customers,
            levels=levels,
            staff=_concat([c.staff for c in chunks]),
            **meta,  # type: ignore[arg-type]
        )
