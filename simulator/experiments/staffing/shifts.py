"""The least-cost shift plan: a set-covering integer program solved by HiGHS.

Each allowed shift (start, length, break start) is a column j with cost c_j (paid hours x the
hourly cost of its type); x_j people work it. Time is cut into slots of g minutes, the greatest
common divisor of every start, length, break and interval boundary, so a shift is either at
its counter for a whole slot or not at all (on a break, or off shift). The program is

    minimise    sum_j c_j x_j
    subject to  sum_j a_tj x_j >= max(r_t, min_heads)   for every slot t while open
                sum_j x_j <= max_heads,  part-time limits,  x_j >= 0 integer

where a_tj = 1 when shift j is at a counter in slot t and r_t is the requirement of the
interval holding slot t: people *at counters*, so break cover is part of the plan (Dantzig
1954's set-covering formulation, with one column per break start). It is solved with
:func:`scipy.optimize.milp` (HiGHS), whose relative optimality gap is
reported.

References
----------
Dantzig, G. B. (1954). A comment on Edie's "Traffic delays at toll booths". *Journal of the
    Operations Research Society of America* 2(3), 339-341.
Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
    *Mathematical Programming Computation* 10(1), 119-142. (HiGHS.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import numpy as np

from simulator.experiments.staffing.rules import ShiftColumn
from simulator.experiments.staffing.spec import StaffingError
from simulator.scenario.fields import min_to_clock
from simulator.scenario.shift_rules import ShiftRules

__all__ = ["ShiftPlan", "solve_shifts"]


@dataclass(frozen=True)
class ShiftPlan:
    """A group's shifts: how many people work each allowed shift, and what that covers."""

    group: str
    columns: tuple[ShiftColumn, ...]
    heads: np.ndarray  # people per column
    slot_min: int
    slot_start_min: np.ndarray
    at_counters: np.ndarray  # per slot
    on_duty: np.ndarray  # per slot (on shift, breaks included)
    cost: float
    gap: float  # HiGHS relative optimality gap
    status: str

    @property
    def people(self) -> int:
        return int(self.heads.sum())

    @property
    def paid_hours(self) -> float:
        return float(sum(n * c.paid_hours for n, c in zip(self.heads, self.columns, strict=True)))

    def per_interval(self, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(fewest people at counters, most people on shift) in each interval."""
        k = np.searchsorted(edges, self.slot_start_min, side="right") - 1
        n = edges.size - 1
        low = np.array([self.at_counters[k == i].min() if np.any(k == i) else 0
                        for i in range(n)])
        high = np.array([self.on_duty[k == i].max(initial=0) for i in range(n)])
        return low.astype(int), high.astype(int)

    def rows(self) -> list[dict[str, object]]:
        """One row per shift worked: start, end, break, heads, paid hours, type, cost."""
        out = []
        for n, c in zip(self.heads.tolist(), self.columns, strict=True):
            if n <= 0:
                continue
            has_break = c.break_start_min is not None
            out.append({
                "group": self.group, "start": min_to_clock(c.start_min),
                "end": min_to_clock(c.end_min),
                "break_start": min_to_clock(c.break_start_min) if has_break else "",
                "break_end": (min_to_clock(c.break_start_min + c.break_min)  # type: ignore[operator]
                              if has_break else ""),
                "break_min": c.break_min, "heads": int(n),
                "shift_type": "part_time" if c.part_time else "full_time",
                "paid_hours": n * c.paid_hours, "cost": n * c.cost,
            })
        return out

    def scenario_shifts(self) -> list[dict[str, object]]:
        """The plan as a scenario's ``shifts`` entries."""
        out: list[dict[str, object]] = []
        for n, c in zip(self.heads.tolist(), self.columns, strict=True):
            if n <= 0:
                continue
            row: dict[str, object] = {"start": min_to_clock(c.start_min),
                                      "end": min_to_clock(c.end_min), "count": int(n)}
            if c.break_start_min is not None:
                row["breaks"] = [{"start": min_to_clock(c.break_start_min),
                                  "minutes": float(c.break_min)}]
            out.append(row)
        return out


def _coverage(columns: list[ShiftColumn], slots: np.ndarray, g: int) -> tuple[np.ndarray, ...]:
    start = np.array([c.start_min for c in columns])
    end = np.array([c.end_min for c in columns])
    b0 = np.array([c.break_start_min if c.break_start_min is not None else -1 for c in columns])
    b1 = b0 + np.array([c.break_min for c in columns])
    t = slots[:, None]
    on = (start[None, :] <= t) & (t + g <= end[None, :])
    off = (b0[None, :] <= t) & (t < b1[None, :])
    return (on & ~off).astype(float), on.astype(float)


def solve_shifts(group: str, requirement: np.ndarray, edges: np.ndarray, rules: ShiftRules,
                 columns: list[ShiftColumn], time_limit_s: float = 60.0) -> ShiftPlan:
    """The least-cost plan covering ``requirement`` (people at counters per interval).

    Raises
    ------
    StaffingError
        When no allowed shift covers an interval that needs people, or the head limits leave
        no plan.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not columns:
        raise StaffingError(f"shift_rules of {group!r} allow no shift (expected a start and "
                            "a length that fit in the day)")
    values = [int(e) for e in edges] + [v for c in columns for v in (
        c.start_min, c.length_min, c.break_min,
        c.break_start_min if c.break_start_min is not None else c.start_min)]
    g = reduce(math.gcd, values)
    slots = np.arange(int(edges[0]), int(edges[-1]), g)
    k = np.searchsorted(edges, slots, side="right") - 1
    need = np.maximum(np.asarray(requirement, dtype=float)[k], float(rules.min_heads))
    a_counter, a_duty = _coverage(columns, slots, g)
    uncovered = np.flatnonzero((need > 0) & (a_counter.sum(axis=1) == 0))
    if uncovered.size:
        i = int(k[uncovered[0]])
        raise StaffingError(
            f"no shift allowed by the shift_rules of {group!r} covers "
            f"{min_to_clock(edges[i])}-{min_to_clock(edges[i + 1])}, where "
            f"{int(need[uncovered[0]])} people are needed at counters (got starts "
            f"{rules.earliest_start}-{rules.latest_start}, lengths "
            f"{', '.join(f'{h:g}' for h in rules.lengths_hours)} h; expected shift_rules."
            f"{group} allowing a shift over that time)")
    n = len(columns)
    cost = np.array([c.cost for c in columns])
    cons = [LinearConstraint(a_counter, lb=need, ub=np.inf)]
    if rules.max_heads is not None:
        cons.append(LinearConstraint(np.ones((1, n)), lb=0, ub=rules.max_heads))
    part = np.array([1.0 if c.part_time else 0.0 for c in columns])
    if rules.part_time.max_heads is not None:
        cons.append(LinearConstraint(part[None, :], lb=0, ub=rules.part_time.max_heads))
    if rules.part_time.max_share is not None:
        cons.append(LinearConstraint((part - rules.part_time.max_share)[None, :], lb=-np.inf,
                                     ub=0))
    res = milp(cost, constraints=cons, integrality=np.ones(n), bounds=Bounds(0, np.inf),
               options={"time_limit": time_limit_s, "disp": False})
    if res.x is None:
        limits = []
        if rules.max_heads is not None:
            limits.append(f"max_heads {rules.max_heads}")
        if rules.part_time.max_heads is not None or rules.part_time.max_share is not None:
            limits.append("the part-time limits")
        raise StaffingError(
            f"no shift plan for {group!r} meets the requirement within the shift_rules "
            f"(got {' and '.join(limits) or 'these rules'}, HiGHS: {res.message}; expected "
            f"room for at least {int(need.max())} people at counters at once)")
    heads = np.rint(res.x).astype(int)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return ShiftPlan(group, tuple(columns), heads, g, slots.astype(float),
                     a_counter @ heads, a_duty @ heads, float(cost @ heads), gap,
                     "optimal" if res.status == 0 else str(res.message))
