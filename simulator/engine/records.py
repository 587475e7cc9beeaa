"""What one replication records: visit, customer, station-level and staff tables.

The engine appends plain Python values to column lists (cheap in the hot loop); :meth:`Recorder.
freeze` turns them into NumPy arrays once the run ends. Every KPI is a pure function of these
tables (:mod:`simulator.measures.kpis`), so a new KPI never needs a re-run.

Times are minutes after midnight of the simulated day. Missing times are NaN; missing ids -1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

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


class Recorder:
    """Row recorder used by the engine: appends one tuple per row, never computes.

    One ``list.append`` of a tuple per row is the cheapest way to record in the hot loop; the
    rows become typed column arrays once, in :meth:`Records.from_recorder`.
    """

    __slots__ = ("customer_rows", "duty_rows", "level_rows", "on_since", "staff_rows",
                 "visit_rows")

    def __init__(self) -> None:
        self.visit_rows: list[tuple] = []
        self.customer_rows: list[tuple] = []
        self.level_rows: list[tuple] = []
        self.staff_rows: list[tuple] = []
        self.duty_rows: list[tuple] = []
        self.on_since: dict[int, float] = {}  # slot -> when its current on-duty spell began

    def visit(self, *values: object) -> None:
        """Append one visit row, values in :data:`VISIT_COLUMNS` order."""
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

    @staticmethod
    def from_recorder(rec: Recorder, **meta: object) -> Records:
        """Freeze a :class:`Recorder`'s lists into arrays: customers by id, visits by (customer,
        step), levels by (station, time, recording order)."""
        levels = _freeze(rec.level_rows, LEVEL_COLUMNS)
        order = np.lexsort((np.arange(len(levels["time_min"])), levels["time_min"],
                            levels["station_idx"]))
        levels = {k: v[order] for k, v in levels.items()}
        visits = _freeze(rec.visit_rows, VISIT_COLUMNS)
        order = np.lexsort((visits["step_idx"], visits["customer_id"]))
        visits = {k: v[order] for k, v in visits.items()}
        customers = _freeze(rec.customer_rows, CUSTOMER_COLUMNS)
        order = np.argsort(customers["customer_id"], kind="stable")
        customers = {k: v[order] for k, v in customers.items()}
        duty = _freeze(rec.duty_rows, DUTY_COLUMNS)
        order = np.lexsort((duty["on_min"], duty["slot_id"]))
        duty = {k: v[order] for k, v in duty.items()}
        return Records(
            duty=duty,
            visits=visits,
            customers=customers,
            levels=levels,
            staff=_freeze(rec.staff_rows, STAFF_COLUMNS),
            **meta,  # type: ignore[arg-type]
        )
