"""The shift covering program: optimum checked by enumeration (with breaks), coverage of the
requirement at every slot, default rules from a group's shifts, and infeasible rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulator.experiments.staffing.rules import group_rules, shift_columns
from simulator.experiments.staffing.shifts import solve_shifts
from simulator.experiments.staffing.spec import StaffingError
from simulator.scenario.loader import load_scenario
from simulator.scenario.shift_rules import ShiftRules
from tests.helpers import HALL

EDGES = np.arange(540.0, 540.0 + 8 * 60 + 1, 60.0)  # 09:00-17:00, hourly


def rules(**kw) -> ShiftRules:
    base = {"earliest_start": "09:00", "latest_start": "13:00", "start_step_min": 120,
            "lengths_hours": [4.0, 8.0]}
    base.update(kw)
    return ShiftRules.model_validate(base)


def brute_force(requirement, columns, edges, max_heads=None, part_cap=None, top=4):
    """Cheapest integer plan by enumeration: people at counters in every minute of every
    interval at least its requirement."""
    minutes = np.arange(edges[0], edges[-1])
    k = np.searchsorted(edges, minutes, side="right") - 1
    need = np.asarray(requirement)[k]
    cover = np.array([[c.start_min <= m < c.end_min and not (
        c.break_start_min is not None and c.break_start_min <= m < c.break_start_min
        + c.break_min) for c in columns] for m in minutes], dtype=int)
    best = None
    for x in itertools.product(range(top), repeat=len(columns)):
        xa = np.array(x)
        if max_heads is not None and xa.sum() > max_heads:
            continue
        part = sum(n for n, c in zip(x, columns, strict=True) if c.part_time)
        if part_cap is not None and part > part_cap:
            continue
        if np.all(cover @ xa >= need):
            cost = float(sum(n * c.cost for n, c in zip(x, columns, strict=True)))
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("requirement", [
    [1, 1, 1, 1, 1, 1, 1, 1],
    [1, 2, 2, 1, 1, 2, 2, 1],
    [0, 1, 3, 2, 0, 0, 1, 1],
])
def test_optimum_equals_enumeration_without_breaks(requirement):
    r = rules(cost_per_hour={"part_time": 25.0})
    cols = shift_columns(r, 20.0)
    assert len(cols) == 6  # starts 09, 11, 13 x lengths 4, 8 (13:00 + 8 h ends 21:00)
    plan = solve_shifts("g", np.array(requirement), EDGES, r, cols)
    assert plan.cost == pytest.approx(brute_force(requirement, cols, EDGES))
    low, _high = plan.per_interval(EDGES)
    assert np.all(low >= np.array(requirement))


@pytest.mark.parametrize("requirement", [[1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2],
                                         [1, 1, 2, 2, 1, 1, 1, 1]])
def test_optimum_equals_enumeration_with_breaks(requirement):
    """A 60-min break in every 8-hour shift, from 11:00 to 13:00 on the shift's grid: break
    cover must come from a second person or a half-day shift."""
    r = rules(latest_start="13:00", start_step_min=240, latest_end="17:00",
              lengths_hours=[8.0, 4.0],
              breaks=[{"minutes": 60, "min_shift_hours": 8, "earliest_after_start_min": 120,
                       "latest_before_end_min": 240, "step_min": 60}])
    cols = shift_columns(r, 20.0)
    assert {(c.start_min, c.length_min, c.break_start_min) for c in cols} == {
        (540, 480, 660), (540, 480, 720), (540, 240, None), (780, 240, None)}
    plan = solve_shifts("g", np.array(requirement), EDGES, r, cols)
    assert plan.cost == pytest.approx(brute_force(requirement, cols, EDGES))
    assert np.all(plan.per_interval(EDGES)[0] >= np.array(requirement))
    # paid time excludes the unpaid break
    assert {c.length_min: c.cost for c in cols if c.break_min} == {480: 20.0 * 7}


def test_head_and_part_time_limits():
    r = rules(max_heads=3, part_time={"max_heads": 1}, cost_per_hour={"part_time": 10.0})
    cols = shift_columns(r, 20.0)
    req = [1, 1, 2, 2, 1, 1, 1, 1]
    plan = solve_shifts("g", np.array(req), EDGES, r, cols)
    assert plan.people <= 3
    assert plan.cost == pytest.approx(brute_force(req, cols, EDGES, max_heads=3, part_cap=1))
    tight = rules(max_heads=1)
    with pytest.raises(StaffingError, match="max_heads 1"):
        solve_shifts("g", np.array([2] * 8), EDGES, tight, shift_columns(tight, 20.0))


def test_no_shift_covers_an_interval():
    r = rules(earliest_start="11:00", latest_start="11:00", lengths_hours=[4.0])
    with pytest.raises(StaffingError, match=r"covers 09:00-10:00, where 1 people are needed"):
        solve_shifts("clerks", np.ones(8), EDGES, r, shift_columns(r, 20.0))


def test_default_rules_follow_the_current_shifts():
    sc = load_scenario(HALL).scenario
    r, derived = group_rules(sc, "clerks", 30)
    assert derived
    assert (r.earliest_start, r.latest_start, r.latest_end) == ("08:15", "10:45", "17:00")
    assert r.lengths_hours == [6.0, 8.75]
    assert [(b.minutes, b.min_shift_hours) for b in r.breaks] == [(30, 6.0), (45, 8.75)]
    # the current shifts are among the allowed ones
    cols = shift_columns(r, 32.0)
    assert {(c.start_min, c.length_min) for c in cols} >= {(495, 525)}
    # every column's break lies inside its shift with the rule's margins
    for c in cols:
        assert c.break_start_min is not None
        assert c.start_min < c.break_start_min < c.end_min - c.break_min
