"""Shifts repeat every day of a steady-state run longer than a day (issue 14, row 11): staff
come on duty each morning, take their breaks and go off each evening, and customers are served
only while someone is on duty."""

from __future__ import annotations

import textwrap

import numpy as np

from simulator.engine.model import simulate
from simulator.engine.records import VisitOutcome
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import DutyChange, compile_plan

THREE_DAYS = textwrap.dedent("""\
    name: three days of a desk open 08:00-16:00
    clock: {open: "00:00"}
    run: {length_min: 4320}
    customer_classes: {c: {pathway: p}}
    arrivals: {w: {rate_per_hour: {"00:00": 6}}}
    stations: {desk: {counters: 1, staff: clerks, service: {dist: constant, value: 2}}}
    staff:
      clerks:
        shifts:
          - {start: "08:00", end: "16:00", count: 1,
             breaks: [{start: "12:00", minutes: 30}]}
    pathways: {p: [desk]}
""")


def test_shift_and_break_times_repeat_each_day_exactly():
    plan = compile_plan(load_scenario_text(THREE_DAYS).scenario)
    (slot,) = plan.slots
    b, e = int(DutyChange.BREAK), int(DutyChange.SHIFT_END)
    assert slot.intervals == tuple(
        iv for d in range(3) for iv in ((480.0 + 1440 * d, 720.0 + 1440 * d, b, 30.0),
                                        (750.0 + 1440 * d, 960.0 + 1440 * d, e, 0.0)))
    rec = simulate(plan, 7, 0)
    staff = rec.staff
    due = staff["due_min"][np.argsort(staff["due_min"])]
    np.testing.assert_array_equal(due, [720, 960, 2160, 2400, 3600, 3840])


def test_customers_are_served_every_day_and_only_while_a_clerk_is_on_duty():
    rec = simulate(compile_plan(load_scenario_text(THREE_DAYS).scenario), 7, 0)
    v = rec.visits
    served = v["outcome"] == int(VisitOutcome.SERVED)
    starts = v["start_min"][served]
    days = np.floor(starts / 1440).astype(int)
    assert set(days.tolist()) == {0, 1, 2}
    clock = starts % 1440
    # on duty 08:00-12:00 and 12:30-16:00 (a customer started before 12:00 or 16:00 is finished)
    on_duty = ((clock >= 480) & (clock < 720)) | ((clock >= 750) & (clock < 960))
    assert on_duty.all(), clock[~on_duty]
    check_conservation(rec)
