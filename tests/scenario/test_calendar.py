"""The calendar section: names, day types and their errors with file:line locations."""

from __future__ import annotations

import pytest

from simulator.scenario.calendar import apply_day_type, day_labels
from simulator.scenario.loader import ScenarioError, load_scenario_text
from tests.helpers import MINIMAL_SCENARIO


def _problem(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(MINIMAL_SCENARIO + text)
    return str(info.value)


def test_unknown_day_type_in_pattern_is_located():
    msg = _problem("calendar:\n  days: 7\n  pattern: [weekday, sunday]\n"
                   "  day_types: {weekday: {}}\n")
    assert "calendar.pattern.1" in msg and "no day type named 'sunday'" in msg
    assert msg.startswith("<string>:24: ")


def test_day_type_rates_after_its_own_close_are_located():
    msg = _problem('calendar:\n  days: 2\n  pattern: [default, short]\n  day_types:\n'
                   '    short:\n      clock: {open: "09:00", close: "10:00"}\n'
                   '      rate_per_hour: {walk_in: {"09:00": 5, "11:00": 2}}\n')
    assert msg.startswith("<string>:28: calendar.day_types.short.rate_per_hour.walk_in.11:00: "
                          "rate starts after the doors close")


@pytest.mark.parametrize("text, fragment", [
    ("calendar: {days: 3, pattern: [closed]}\n", "no day of the horizon is open"),
    ("calendar: {days: 3, pattern: [x], day_types: {x: {shifts: {nobody: []}}}}\n",
     "no staff group named 'nobody'"),
    ("calendar: {days: 3, pattern: [x], day_types: {x: {rate_per_hour: {nope: "
     "{\"09:00\": 1}}}}}\n", "no arrival source named 'nope'"),
    ("calendar: {days: 0}\n", "calendar.days"),
])
def test_bad_calendars(text, fragment):
    assert fragment in _problem(text)


def test_apply_day_type_changes_only_what_it_names():
    sc = load_scenario_text(MINIMAL_SCENARIO + "calendar:\n  days: 7\n  first_day: friday\n"
                            "  pattern: [busy]\n  day_types:\n"
                            "    busy: {arrival_multiplier: 2}\n").scenario
    day = apply_day_type(sc, "busy")
    assert day.calendar is None
    assert day.arrivals["walk_in"].rate_per_hour == {"09:00": 60.0, "11:00": 20.0}
    assert day.staff == sc.staff and day.clock == sc.clock
    assert apply_day_type(sc, "default").arrivals == sc.arrivals
    assert day_labels(sc.calendar)[:4] == ["Fri 1", "Sat 2", "Sun 3", "Mon 4"]


def test_replication_period_words():
    from simulator.scenario.calendar import Calendar, replication_period

    assert replication_period(None) == "day"
    assert replication_period(Calendar(days=1)) == "day"
    assert replication_period(Calendar(days=7)) == "week"
    assert replication_period(Calendar(days=14)) == "14-day block"


def test_expected_customers_count_every_open_day():
    from simulator.scenario.horizon import expected_customers

    one = load_scenario_text(MINIMAL_SCENARIO).scenario
    week = load_scenario_text(MINIMAL_SCENARIO + "calendar:\n  days: 7\n  pattern: [default, "
                              "busy, closed]\n  day_types:\n    busy: {arrival_multiplier: "
                              "2}\n").scenario
    # days 1-7: default, busy, closed, default, busy, closed, default
    assert expected_customers(week) == pytest.approx(3 * expected_customers(one)
                                                     + 2 * 2 * expected_customers(one))
