"""The ``shift_rules`` section: valid rules load, and each rule between fields names the field,
the value and what was expected."""

from __future__ import annotations

import pytest

from simulator.scenario.loader import ScenarioError, load_scenario_text
from tests.helpers import MINIMAL_SCENARIO

RULES = """\
shift_rules:
  clerks:
    earliest_start: "08:30"
    latest_start: "10:00"
    lengths_hours: [3, 2.5]
    breaks: [{minutes: 15, min_shift_hours: 3, earliest_after_start_min: 60,
              latest_before_end_min: 60}]
"""


def load(extra: str):
    return load_scenario_text(MINIMAL_SCENARIO + extra).scenario


def test_rules_load_with_defaults():
    rules = load(RULES).shift_rules["clerks"]
    assert rules.start_step_min == 30 and rules.min_heads == 0 and rules.max_heads is None
    assert rules.breaks[0].step_min == 15
    assert rules.part_time.below_hours == 6.0


@pytest.mark.parametrize(("change", "message"), [
    (("clerks:", "clerk:"), "shift_rules.clerk: no staff group named 'clerk' (got 'clerk'; "
                            "expected one of clerks)"),
    (('latest_start: "10:00"', 'latest_start: "08:00"'),
     "shift_rules.clerks.latest_start: latest start is before the earliest"),
    (('earliest_start: "08:30"', 'earliest_start: "12:00"'),
     "shift_rules.clerks.earliest_start: no shift may start before the doors close"),
    (("[3, 2.5]", "[3, 2.51]"), "shift_rules.clerks.lengths_hours.1: a shift length must be a "
                                "whole number of minutes"),
    (("earliest_after_start_min: 60", "earliest_after_start_min: 120"),
     "shift_rules.clerks.breaks.0: the break does not fit in a 3-hour shift"),
    (('latest_start: "10:00"', 'latest_start: "10:00"\n    latest_end: "10:00"'),
     "shift_rules.clerks.latest_end: no allowed shift ends by the latest end"),
    (("lengths_hours: [3, 2.5]", "lengths_hours: [3, 2.5]\n    part_time: {max_heads: 1, "
                                 "max_share: 0.5}"),
     "shift_rules.clerks.part_time: give max_heads or max_share, not both"),
])
def test_rule_errors(change, message):
    with pytest.raises(ScenarioError) as info:
        load(RULES.replace(*change))
    text = str(info.value)
    assert message in text
    assert "<string>:" in text  # file:line
