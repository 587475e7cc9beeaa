"""Appointments booked days ahead: no-show by lead time, exact and in distribution."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.arrivals import source_arrivals
from simulator.engine.rng import Streams
from simulator.scenario.loader import ScenarioError, load_scenario_text
from simulator.scenario.plan import compile_plan

BOOKED = """\
name: Booked
clock: {{open: "09:00", close: "17:00"}}
run: {{replications: 1, seed: 1}}
customer_classes:
  booked: {{pathway: main}}
arrivals:
  slots:
    slots_every_min: 10
    start: "09:00"
    end: "16:50"
    per_slot: 4
    booking:
      lead_time_days: {lead}
      no_show_by_lead: [{{from_days: 0, no_show: 0.05}}, {{from_days: 2, no_show: 0.2}},
                        {{from_days: 7, no_show: 0.4}}]
stations:
  desk: {{counters: 4, staff: clerks, service: {{dist: constant, value: 5}}}}
staff:
  clerks: {{count: 4}}
pathways:
  main: [desk]
"""


def _source(lead: str):
    plan = compile_plan(load_scenario_text(BOOKED.format(lead=lead)).scenario)
    return plan, plan.sources[0]


def _shown(plan, src, rep: int) -> int:
    times, _, _ = source_arrivals(src, Streams(9, rep), plan.open_min, plan.close_min)
    return len(times)


def test_no_show_follows_each_slots_lead_time_exactly():
    """A constant lead of 3 days: every booking has no-show 0.2; the kept slots are exactly
    those whose no-show uniform is at least 0.2."""
    plan, src = _source("{dist: constant, value: 3}")
    n = len(src.slots_min)
    for rep in range(3):
        u = Streams(9, rep).generator("no_show:slots").random(n)
        assert _shown(plan, src, rep) == int(np.count_nonzero(u >= 0.2))


def test_no_show_share_matches_the_lead_time_mixture():
    """Exponential lead, mean 4 days: P(no-show) = .05 P(L<2) + .2 P(2<=L<7) + .4 P(L>=7)."""
    plan, src = _source("{dist: exponential, mean: 4}")
    n = len(src.slots_min)
    p = (0.05 * (1 - np.exp(-2 / 4)) + 0.2 * (np.exp(-2 / 4) - np.exp(-7 / 4))
         + 0.4 * np.exp(-7 / 4))
    shares = np.array([1 - _shown(plan, src, r) / n for r in range(200)])
    se = shares.std(ddof=1) / np.sqrt(shares.size)
    assert abs(shares.mean() - p) < 3 * se
    # a longer lead means more no-shows, with common random numbers
    plan2, src2 = _source("{dist: exponential, mean: 10}")
    assert sum(_shown(plan2, src2, r) for r in range(50)) < sum(
        _shown(plan, src, r) for r in range(50))


@pytest.mark.parametrize("bad, fragment", [
    ("no_show_by_lead: [{from_days: 1, no_show: 0.1}]", "from_days must start at 0"),
    ("no_show_by_lead: [{from_days: 0, no_show: 0.1}, {from_days: 0, no_show: 0.2}]",
     "increase"),
])
def test_bad_lead_tables(bad, fragment):
    text = BOOKED.format(lead="{dist: constant, value: 3}")
    start = text.index("no_show_by_lead")
    end = text.index("stations:")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text[:start] + bad + "\n" + text[end:])
    assert fragment in str(info.value)


def test_booking_and_a_flat_no_show_are_not_both_given():
    text = BOOKED.format(lead="{dist: constant, value: 3}").replace(
        "    per_slot: 4\n", "    per_slot: 4\n    no_show: 0.1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text)
    assert "arrivals.slots.no_show: with booking" in str(info.value)
