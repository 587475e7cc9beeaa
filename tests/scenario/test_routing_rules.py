"""Scenario rules of skill-based routing (serves, help_when_line_at_least, skill_at)."""

from __future__ import annotations

import textwrap

import pytest

from simulator.scenario.loader import ScenarioError, load_scenario_text
from simulator.scenario.plan import compile_plan

BASE = """
name: rules
clock: {open: "09:00", close: "17:00"}
customer_classes: {c: {pathway: p}}
arrivals: {w: {rate_per_hour: {"09:00": 10}}}
stations:
  kiosk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
  general: {counters: 3, staff: clerks, service: {dist: constant, value: 1}%s}
  special: {counters: 2%s, service: {dist: constant, value: 1}}
staff:
  clerks:
    shifts: [{start: "09:00", end: "17:00", count: 2}]
%s
  specialists:
    shifts: [{start: "09:00", end: "17:00", count: 1}]
%s
pathways: {p: [kiosk, general, special]}
"""


def scenario(clerks: str = "    serves: [general, special]", specialists: str = "",
             general: str = "", special: str = ", staff: specialists") -> str:
    return textwrap.dedent(BASE % (general, special, clerks, specialists))


def issues(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "x.yaml")
    return [str(i) for i in info.value.issues]


def has(found: list[str], *parts: str) -> bool:
    return any(all(p in i for p in parts) for i in found)


def test_valid_routing_compiles_with_preferences_thresholds_and_skills():
    text = scenario("    serves: [general, special]\n    help_when_line_at_least: {special: 4}\n"
                    "    skill: 0.9\n    skill_at: {special: 1.3}")
    plan = compile_plan(load_scenario_text(text, "x.yaml").scenario)
    clerks, specialists = plan.groups
    assert clerks.serves == (1, 2) and clerks.help_at == (1, 4)
    assert clerks.skill_at == (0.9, 1.3) and clerks.routed and specialists.routed
    assert [sp.routed for sp in plan.stations] == [False, True, True]
    assert plan.stations[1].skill == 0.9  # the station's own group's skill at it
    assert all(s.routed for s in plan.slots) and plan.routed


def test_single_station_groups_are_not_routed():
    plan = compile_plan(load_scenario_text(scenario(clerks=""), "x.yaml").scenario)
    assert not plan.routed and not any(sp.routed for sp in plan.stations)
    assert not any(s.routed for s in plan.slots)
    assert [g.serves for g in plan.groups] == [(1,), (2,)]


def test_unknown_station_in_serves():
    found = issues(scenario("    serves: [general, specal]"))
    assert has(found, "staff.clerks.serves.1: no station named 'specal'", "(got 'specal'")


def test_station_listed_twice():
    found = issues(scenario("    serves: [general, special, special]"))
    assert has(found, "staff.clerks.serves.2: station listed twice")


def test_first_entry_must_be_the_station_naming_the_group():
    found = issues(scenario("    serves: [special, general]"))
    assert has(found, "staff.clerks.serves.0: the first station is the home station and "
               "must be 'general'", "(got 'special'")


def test_unstaffed_station_cannot_be_served():
    found = issues(scenario("    serves: [general, kiosk]"))
    assert has(found, "staff.clerks.serves.1: an unstaffed station (staffed: false) cannot "
               "be served by staff", "(got 'kiosk'")


def test_thresholds_only_for_helped_stations():
    found = issues(scenario("    serves: [general, special]\n"
                            "    help_when_line_at_least: {general: 2, kiosk: 3}"))
    assert has(found, "staff.clerks.help_when_line_at_least.general: the home station is "
               "always served first")
    assert has(found, "staff.clerks.help_when_line_at_least.kiosk: the group does not serve "
               "this station")


def test_threshold_must_be_at_least_one():
    found = issues(scenario("    serves: [general, special]\n"
                            "    help_when_line_at_least: {special: 0}"))
    assert has(found, "staff.clerks.help_when_line_at_least.special")


def test_skill_at_only_for_served_stations():
    found = issues(scenario("    serves: [general]\n    skill_at: {special: 1.2}"))
    assert has(found, "staff.clerks.skill_at.special: the group does not serve this station")
    # without serves, the home station is the only one served
    found = issues(scenario("    skill_at: {special: 1.2}"))
    assert has(found, "staff.clerks.skill_at.special: the group does not serve this station")


def test_staffed_station_needs_some_group():
    found = issues(scenario(clerks="", special=""))
    assert has(found, "stations.special.staff: a staffed station needs a staff group")


def test_station_served_only_through_serves_is_fine():
    text = scenario(special="", specialists="    serves: [special]")
    plan = compile_plan(load_scenario_text(text, "x.yaml").scenario)
    assert plan.groups[1].serves == (2,) and plan.stations[2].group == 1


def test_group_named_by_no_station_has_its_first_entry_as_home():
    text = scenario(special="", specialists="    serves: [special, general]")
    plan = compile_plan(load_scenario_text(text, "x.yaml").scenario)
    assert plan.groups[1].serves == (2, 1)
    assert [s.station for s in plan.slots] == [1, 1, 2]


def test_group_serving_nothing_is_rejected():
    found = issues(scenario(clerks="", special=", staffed: false"))
    assert has(found, "staff.specialists: staff group serves no station")


def test_routed_stations_need_one_shared_line():
    found = issues(scenario(general=", line: per_counter"))
    assert has(found, "stations.general.line: a station served by cross-trained staff",
               "(got 'per_counter'")


ROOMS = """
name: hotel
clock: {open: "14:00", close: "22:00"}
customer_classes: {c: {pathway: p}}
arrivals: {w: {rate_per_hour: {"14:00": 6}}}
stations:
  desk: {counters: 2, staff: clerks, service: {dist: constant, value: 3}}
  concierge: {counters: 1, staff: concierges, service: {dist: constant, value: 2}}
staff:
  clerks: {serves: [desk, concierge], count: 1}
  concierges: {count: 1}
  housekeepers: {count: 2%s}
resources:
  rooms: {kind: rooms, count: 10, housekeeping: {staff: housekeepers,
          clean: {dist: constant, value: 30}}}
pathways: {p: [desk, {seize: rooms}, concierge]}
"""


def test_routing_beside_housekeeping_compiles_and_housekeepers_take_no_serves():
    plan = compile_plan(load_scenario_text(textwrap.dedent(ROOMS % ""), "x.yaml").scenario)
    hk = plan.station_names.index("rooms.housekeeping")
    assert [g.serves for g in plan.groups] == [(0, 1), (1,), (hk,)]
    assert [g.routed for g in plan.groups] == [True, True, False]
    assert [s.station for s in plan.slots] == [0, 1, hk, hk]
    found = issues(textwrap.dedent(ROOMS % ", serves: [desk]"))
    assert has(found, "staff.housekeepers.serves: a housekeeping group cleans rooms and "
               "serves no station")
