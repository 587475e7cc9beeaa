"""Shift rules of a group: the scenario's ``shift_rules``, or a default derived from its shifts.

The default allows what the group does today, moved around the day: starts from the earliest
current start, every interval, until the shortest shift still ends by closing time (or the
latest current start, if later); the current shift lengths; each current shift's break (its
length, and the window its staggered groups span, relative to the shift start) for shifts at
least that long; no shift ending after the latest current end or closing; the group's
hourly cost for every shift type; no head limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.scenario.fields import clock_to_min, min_to_clock
from simulator.scenario.schema import Scenario
from simulator.scenario.shift_rules import BreakRule, ShiftRules

__all__ = ["ShiftColumn", "group_rules", "shift_columns"]


def group_rules(sc: Scenario, group: str, interval_min: int) -> tuple[ShiftRules, bool]:
    """The group's shift rules and whether they were derived (True) or given (False)."""
    if group in sc.shift_rules:
        return sc.shift_rules[group], False
    grp = sc.staff[group]
    close = sc.close_min
    shifts = grp.shifts or []
    if not shifts:  # always on duty: one shift from opening to closing
        length = close - sc.open_min
        return ShiftRules(earliest_start=sc.clock.open, latest_start=sc.clock.open,
                          start_step_min=interval_min, lengths_hours=[length / 60.0]), True
    starts = [clock_to_min(s.start) for s in shifts]
    last_end = max(max(clock_to_min(s.end) for s in shifts), close)
    lengths = sorted({clock_to_min(s.end) - clock_to_min(s.start) for s in shifts})
    first = min(starts)
    latest = max(max(starts), close - lengths[0])
    latest = first + math.floor((latest - first) / interval_min) * interval_min
    breaks: dict[float, BreakRule] = {}
    for sh in sorted(shifts, key=lambda s: clock_to_min(s.start)):
        if not sh.breaks:
            continue
        s0, s1 = clock_to_min(sh.start), clock_to_min(sh.end)
        br = min(sh.breaks, key=lambda b: clock_to_min(b.start))
        b0 = clock_to_min(br.start)
        span = br.minutes * br.stagger_groups
        breaks.setdefault(s1 - s0, BreakRule(
            minutes=round(br.minutes), min_shift_hours=(s1 - s0) / 60.0,
            earliest_after_start_min=round(b0 - s0),
            latest_before_end_min=round(s1 - (b0 + span)),
            step_min=math.gcd(round(br.minutes), interval_min)))
    return ShiftRules(earliest_start=min_to_clock(first), latest_start=min_to_clock(latest),
                      latest_end=min_to_clock(last_end), start_step_min=interval_min,
                      lengths_hours=[x / 60.0 for x in lengths],
                      breaks=[breaks[k] for k in sorted(breaks)]), True


@dataclass(frozen=True)
class ShiftColumn:
    """One kind of shift a person can work: start, length, break start (or none)."""

    start_min: int
    length_min: int
    break_start_min: int | None
    break_min: int
    part_time: bool
    cost: float  # paid hours x cost per hour

    @property
    def end_min(self) -> int:
        return self.start_min + self.length_min

    @property
    def paid_hours(self) -> float:
        return (self.length_min - self.break_min) / 60.0


def _break_rule(rules: ShiftRules, length_min: int) -> BreakRule | None:
    fits = [b for b in rules.breaks if b.min_shift_hours * 60 <= length_min + 1e-9]
    return max(fits, key=lambda b: b.min_shift_hours) if fits else None


def shift_columns(rules: ShiftRules, cost_per_hour: float) -> list[ShiftColumn]:
    """Every shift the rules allow: each start on the grid, each length, each break start."""
    first, last = round(clock_to_min(rules.earliest_start)), round(clock_to_min(rules.latest_start))
    end_limit = 24 * 60 if rules.latest_end is None else round(clock_to_min(rules.latest_end))
    out: list[ShiftColumn] = []
    for start in range(first, last + 1, rules.start_step_min):
        for hours in rules.lengths_hours:
            length = round(hours * 60)
            if start + length > end_limit:
                continue
            part = hours < rules.part_time.below_hours
            rate = (rules.cost_per_hour.part_time if part else rules.cost_per_hour.full_time)
            rate = cost_per_hour if rate is None else rate
            br = _break_rule(rules, length)
            if br is None:
                out.append(ShiftColumn(start, length, None, 0, part, rate * length / 60.0))
                continue
            lo = start + br.earliest_after_start_min
            hi = start + length - br.latest_before_end_min - br.minutes
            for b in range(lo, hi + 1, br.step_min):
                out.append(ShiftColumn(start, length, b, br.minutes, part,
                                       rate * (length - br.minutes) / 60.0))
    return out
