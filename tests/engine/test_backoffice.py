"""The back office: the Friday 16:50 timeline, and an M/M/c office open 8 hours a day
against a plain SimPy model of the same calendar (carry-over included)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from simulator.engine.backoffice import simulate_back_office
from simulator.scenario.back_office import due_min
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.helpers import MINIMAL_SCENARIO

DAY = 1440.0

WEEK = MINIMAL_SCENARIO + """\
calendar:
  days: 14
  first_day: monday
  pattern: [default, default, default, default, default, saturday, closed]
  day_types:
    saturday:
      clock: {open: "09:00", close: "12:00"}
      back_office_shifts: []
back_office:
  shifts: [{start: "09:00", end: "17:00", count: 1}]
  cost_per_hour: 40
  complaints: {service: {dist: constant, value: 30}, answer_within_h: 24}
"""


def test_friday_1650_complaint_is_due_monday_1650_and_carried_over():
    plan = compile_plan(load_scenario_text(WEEK).scenario)
    bo = plan.back_office
    assert bo is not None
    assert sorted(d for d in bo.working_days if d <= 14) == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    friday = 4 * DAY + 16 * 60 + 50
    monday = 7 * DAY
    assert due_min(friday, 24, set(bo.working_days)) == monday + 16 * 60 + 50
    # calendar hours: Saturday 16:50
    assert due_min(friday, 24, None) == 5 * DAY + 16 * 60 + 50
    # a complaint filed on the (back-office-free) Saturday starts its clock on Monday 00:00
    assert due_min(5 * DAY + 11 * 60, 24, set(bo.working_days)) == monday + DAY
    # 30 minutes of work: 10 on Friday until 17:00, the other 20 on Monday from 09:00
    run = simulate_back_office(bo.officers, np.array([friday]), np.array([30.0]),
                               bo.horizon_min)
    assert run.start_min.tolist() == [friday]
    assert run.done_min.tolist() == [monday + 9 * 60 + 20]
    assert run.busy_min.tolist() == [30.0]
    assert bo.officers[0][4] == (4 * DAY + 540, 4 * DAY + 1020)
    assert len(bo.officers[0]) == 10 and bo.paid_min == 10 * 480


def test_shift_breaks_pause_the_work():
    ivs = [[(540.0, 720.0), (765.0, 1020.0)]]  # lunch 12:00-12:45
    run = simulate_back_office(ivs, np.array([700.0, 700.0]), np.array([30.0, 5.0]), DAY)
    assert run.done_min.tolist() == [775.0, 780.0]
    assert run.start_min.tolist() == [700.0, 775.0]


def test_cases_left_at_the_horizon_are_open():
    run = simulate_back_office([[(540.0, 1020.0)]], np.array([1000.0, 1010.0]),
                               np.array([15.0, 15.0]), DAY)
    assert run.done_min[0] == 1015.0 and math.isnan(run.done_min[1])
    assert run.busy_min.tolist() == [20.0]


def _plain_simpy(c: int, days: int, opened: np.ndarray, work: np.ndarray) -> np.ndarray:
    """The same office written with SimPy's preemptive resource: a 'closed' process seizes
    all c officers at 17:00 (priority -1, preempting) and frees them at 09:00; a case asks
    with its queue position as priority, so an interrupted case resumes first."""
    env = simpy.Environment()
    officers = simpy.PreemptiveResource(env, capacity=c)
    done = np.full(opened.size, math.nan)

    def closed():
        holds = []
        first = True
        for d in range(days + 1):
            open_at, close_at = d * DAY + 540.0, d * DAY + 1020.0
            if first:  # closed from 00:00 until the first opening
                holds = [officers.request(priority=-1, preempt=True) for _ in range(c)]
                yield env.all_of(holds)
                first = False
            yield env.timeout(open_at - env.now)
            for h in holds:
                officers.release(h)
            yield env.timeout(close_at - env.now)
            holds = [officers.request(priority=-1, preempt=True) for _ in range(c)]
            yield env.all_of(holds)

    def case(i):
        yield env.timeout(opened[i] - env.now)
        left = work[i]
        while left > 0:
            with officers.request(priority=i, preempt=False) as req:
                yield req
                began = env.now
                try:
                    yield env.timeout(left)
                    left = 0.0
                except simpy.Interrupt:
                    left -= env.now - began
        done[i] = env.now

    env.process(closed())
    for i in range(opened.size):
        env.process(case(i))
    env.run(until=days * DAY)
    return done


@pytest.mark.parametrize("c", [1, 3])
def test_mmc_office_open_8_hours_a_day_matches_a_plain_simpy_model(c):
    """Poisson cases around the clock at 0.75 of what c officers can answer in 8 hours
    (exponential work of mean 40 min), so cases wait overnight and carry over every day."""
    days = 10
    rng = np.random.default_rng(20 + c)
    lam_per_min = 0.75 * c * 480 / 40 / DAY
    gaps = rng.exponential(1 / lam_per_min, size=4000)
    opened = np.cumsum(gaps)
    opened = opened[opened < days * DAY]
    work = rng.exponential(40.0, size=opened.size)
    officers = [[(d * DAY + 540.0, d * DAY + 1020.0) for d in range(days)]] * c
    run = simulate_back_office(officers, opened, work, days * DAY)
    plain = _plain_simpy(c, days, opened, work)
    assert np.isnan(run.done_min).sum() == np.isnan(plain).sum() > 0  # a backlog at the end
    ok = ~np.isnan(plain)
    np.testing.assert_allclose(run.done_min[ok], plain[ok], rtol=0, atol=1e-7)
    # carry-over happened: some case opened on one day was answered on a later one
    assert np.any(np.floor(run.done_min[ok] / DAY) > np.floor(opened[ok] / DAY))
    # work conservation: busy time = work of answered cases + the part done of open ones
    assert run.busy_min.sum() >= work[ok].sum() - 1e-6
    assert run.busy_min.sum() <= work.sum() + 1e-6


def test_the_standard_defaults_to_the_satisfaction_sections_complaint_resolution():
    text = WEEK.replace(", answer_within_h: 24}", "}")
    plan = compile_plan(load_scenario_text(text).scenario)
    assert plan.back_office.complaints.answer_within_h == 24.0
    text += ("satisfaction:\n  standards:\n    - {id: complaint_48h, applies_to: "
             "complaint_resolution, adequate_h: 48}\n")
    plan = compile_plan(load_scenario_text(text).scenario)
    assert plan.back_office.complaints.answer_within_h == 48.0
