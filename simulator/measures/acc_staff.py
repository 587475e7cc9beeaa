"""Staff measures of one replication, accumulated chunk by chunk.

Lateness going off duty (overtime at a shift end, late breaks), paid minutes and cost, and
per person (roster slot) the minutes on duty and busy at each station, from which
``people.csv`` and the skill-based routing KPIs follow. A slot still on duty, a service
still running or a departure still owed when the run stops is counted up to the end of the
run, known only at :meth:`StaffMeasures.finish`. Definitions:
:func:`simulator.measures.kpis.replication_kpis` and :mod:`simulator.measures.staff_use`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.engine.records import RecordsMeta
from simulator.measures.costs import CostRates, as_cost_rates
from simulator.measures.exact import ExactSums
from simulator.measures.segments import hour_pieces
from simulator.scenario.plan import DutyChange

__all__ = ["StaffMeasures"]

_SHIFT_END = int(DutyChange.SHIFT_END)
_BREAK = int(DutyChange.BREAK)


class StaffMeasures:
    """Overtime, late breaks, paid minutes, cost and per-person use of time."""

    def __init__(self, meta: RecordsMeta,
                 cost_per_hour_by_group: Sequence[float] | CostRates | None) -> None:
        self.meta = meta
        self.rates: np.ndarray | None = None
        self.costs = as_cost_rates(cost_per_hour_by_group)
        if self.costs is not None:
            rate = np.asarray(self.costs.per_hour_by_group, dtype=np.float64)
            premium = self.costs.premium()
            if rate.shape != (len(meta.group_names),):
                raise ValueError(
                    f"cost_per_hour_by_group needs one rate per staff group "
                    f"{list(meta.group_names)} (got {len(rate)} values)")
            if premium.shape != rate.shape:
                raise ValueError(
                    f"overtime_premium_by_group needs one premium per staff group "
                    f"{list(meta.group_names)} (got {len(premium)} values)")
            self.rates = rate
            self.premium = premium
        self.overtime_by_hour = ExactSums()  # key: clock hour
        self.n_st = len(meta.station_names)
        self.late = ExactSums()  # key 0: overtime, 1: late breaks, 2: overtime cost
        self.open_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # still there
        self.busy = ExactSums()  # key slot * n_stations + station
        self.busy_slots: set[int] = set()
        self.open_busy: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.duty = ExactSums()  # key slot
        self.open_duty: list[tuple[np.ndarray, np.ndarray]] = []

    def consume(self, visits: dict[str, np.ndarray], staff: dict[str, np.ndarray],
                duty: dict[str, np.ndarray]) -> None:
        """Add a chunk's staff, duty and (for busy minutes) visit rows."""
        if staff["slot_id"].size:
            left = staff["left_min"]
            gone = ~np.isnan(left)
            self._late(staff["kind"][gone], staff["late_min"][gone],
                       staff["group_idx"][gone], staff["due_min"][gone])
            if np.any(~gone):
                self.open_rows.append((staff["kind"][~gone], staff["due_min"][~gone],
                                       staff["group_idx"][~gone]))
        slot = visits["staff_id"].astype(np.int64)
        start = visits["start_min"].astype(np.float64)
        served = (slot >= 0) & np.isfinite(start)
        if np.any(served):
            end = visits["end_min"][served]
            key = slot[served] * self.n_st + visits["station_idx"][served].astype(np.int64)
            done = ~np.isnan(end)
            self.busy.add(end[done] - start[served][done], key[done])
            self.busy_slots.update(np.unique(slot[served]).tolist())
            if np.any(~done):
                self.open_busy.append((key[~done], start[served][~done], slot[served][~done]))
        if duty["slot_id"].size:
            off = duty["off_min"]
            done = ~np.isnan(off)
            self.duty.add(np.clip(off[done] - duty["on_min"][done], 0.0, None),
                          duty["slot_id"][done].astype(np.int64))
            if np.any(~done):
                self.open_duty.append((duty["slot_id"][~done].astype(np.int64),
                                       duty["on_min"][~done]))

    def _late(self, kind: np.ndarray, late: np.ndarray, group: np.ndarray,
              due: np.ndarray) -> None:
        shift_end = kind == _SHIFT_END
        self.late.add(late[shift_end], np.zeros(int(shift_end.sum()), dtype=np.int64))
        brk = kind == _BREAK
        self.late.add(late[brk], np.ones(int(brk.sum()), dtype=np.int64))
        if self.rates is not None:
            g = group[shift_end].astype(np.intp)
            per_min = self.rates[g] * self.premium[g] / 60.0
            cost = late[shift_end] / 60.0 * self.rates[g] * self.premium[g]
            self.late.add(cost, np.full(cost.size, 2))
            # overtime runs from the shift's end (due) for late_min minutes
            d = due[shift_end].astype(np.float64)
            seg, hour, minutes = hour_pieces(d, d + late[shift_end], -math.inf)
            self.overtime_by_hour.add(minutes * per_min[seg], hour)

    def finish(self, end_min: float) -> None:
        """Count what was still running at ``end_min`` (call once, before the results)."""
        t1 = float(end_min)
        for kind, due, group in self.open_rows:
            self._late(kind, np.maximum(0.0, t1 - due), group, due)
        for key, start, slot in self.open_busy:
            self.busy.add(t1 - start, key)
            self.busy_slots.update(np.unique(slot).tolist())
        for slot, on in self.open_duty:
            self.duty.add(np.clip(t1 - on, 0.0, None), slot)

    def kpis(self) -> dict[str, float]:
        """``overtime_min``, ``late_break_min``, ``staff_paid_min`` and ``staff_cost``."""
        meta = self.meta
        overtime = self.late.value(0)
        paid = ExactSums()
        slots = sorted(meta.staff_paid_min)
        paid.add(np.array([float(meta.staff_paid_min[s]) for s in slots]))
        paid.add(np.array([overtime]))
        k = {"overtime_min": overtime, "late_break_min": self.late.value(1),
             "staff_paid_min": paid.value()}
        if self.rates is None:
            k["staff_cost"] = k["staff_cost_regular"] = k["staff_cost_overtime"] = math.nan
            return k
        cost, regular = ExactSums(), ExactSums()
        for s in slots:
            group = meta.slot_group.get(s)
            if group is None:
                raise ValueError(f"staff slot {s} has paid minutes but no entry in slot_group")
        if slots:
            groups = np.array([meta.slot_group[s] for s in slots], dtype=np.intp)
            mins = np.array([float(meta.staff_paid_min[s]) for s in slots])
            cost.add(mins / 60.0 * self.rates[groups])
            regular.add(mins / 60.0 * self.rates[groups])
        cost.add(np.array([self.late.value(2)]))
        k["staff_cost"] = cost.value()
        k["staff_cost_regular"] = regular.value()
        k["staff_cost_overtime"] = self.late.value(2)
        return k

    def cost_by_hour(self) -> dict[int, tuple[float, float]]:
        """Staff cost by clock hour: ``{hour: (regular, overtime)}`` (empty without rates).

        Regular cost is the scheduled paid spells of :class:`~.costs.CostRates` at each
        group's rate, overtime the minutes from each shift's end until the person left at
        the rate times the group's overtime premium, each cut at clock hours."""
        if self.rates is None or self.costs is None:
            return {}
        regular = ExactSums()
        spells = np.asarray(self.costs.paid_spells, dtype=np.float64).reshape(-1, 3)
        seg, hour, minutes = hour_pieces(spells[:, 0], spells[:, 1], -math.inf)
        per_min = self.rates[spells[:, 2].astype(np.intp)] / 60.0
        regular.add(minutes * per_min[seg], hour)
        hours = set(regular.keys()) | set(self.overtime_by_hour.keys())
        return {h: (regular.value(h), self.overtime_by_hour.value(h)) for h in sorted(hours)}

    def slots(self) -> list[int]:
        """Every slot of the roster or that served a visit, ascending."""
        return sorted(set(self.meta.slot_group) | self.busy_slots)

    def busy_min(self, slot: int) -> np.ndarray:
        """Busy minutes of ``slot`` at each station."""
        return np.array([self.busy.value(slot * self.n_st + s) for s in range(self.n_st)])

    def on_duty_min(self, slot: int) -> float:
        """On-duty minutes of ``slot`` (0 if never on duty)."""
        return self.duty.value(slot)

    def use_rows(self) -> list[dict[str, Any]]:
        """One row per slot (``people.csv``; see
        :func:`simulator.measures.staff_use.staff_use_rows`)."""
        meta = self.meta
        rows = []
        for slot in self.slots():
            b = self.busy_min(slot)
            g = meta.slot_group.get(slot, -1)
            on = self.on_duty_min(slot)
            total = ExactSums()
            total.add(b)
            busy = total.value()
            row: dict[str, Any] = {
                "slot_id": slot,
                "staff_group": meta.group_names[g] if g >= 0 else "",
                "on_duty_min": on,
                "busy_min": busy,
                "utilisation": busy / on if on > 0 else math.nan,
            }
            for s, name in enumerate(meta.station_names):
                row[f"busy_min__{name}"] = float(b[s])
            rows.append(row)
        return rows

    def routing_kpis(self) -> dict[str, float]:
        """KPIs of skill-based routing (see
        :func:`simulator.measures.staff_use.routing_kpis`); empty when no group is routed."""
        meta = self.meta
        if not meta.routed_serves:
            return {}
        n_g = len(meta.group_names)
        by_group = [[ExactSums() for _ in range(self.n_st)] for _ in range(n_g)]
        duty = [ExactSums() for _ in range(n_g)]
        for slot in self.slots():
            g = meta.slot_group.get(slot, -1)
            if g >= 0:
                for s, b in enumerate(self.busy_min(slot).tolist()):
                    by_group[g][s].add(np.array([b]))
        for slot in meta.slot_group:
            duty[meta.slot_group[slot]].add(np.array([self.on_duty_min(slot)]))
        k: dict[str, float] = {}
        for g in sorted(meta.routed_serves):
            name = meta.group_names[g]
            total = ExactSums()
            total.add(np.array([by_group[g][s].value() for s in range(self.n_st)]))
            b = total.value()
            on = duty[g].value()
            k[f"staff__{name}__on_duty_min"] = on
            k[f"staff__{name}__busy_min"] = b
            k[f"staff__{name}__utilisation"] = b / on if on > 0 else math.nan
        stations = sorted({s for serves in meta.routed_serves.values() for s in serves})
        for s in stations:
            for g in range(n_g):
                if s in meta.routed_serves.get(g, ()):
                    k[f"{meta.station_names[s]}__busy_min__{meta.group_names[g]}"] = (
                        by_group[g][s].value())
        return k
