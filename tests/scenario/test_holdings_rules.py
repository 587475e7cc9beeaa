"""Scenario rules of held resources: each broken rule is reported with its field path."""

from __future__ import annotations

import textwrap

import pytest

from simulator.scenario.loader import ScenarioError, load_scenario_text

BASE = """
name: rules
clock: {open: "18:00", close: "22:00"}
customer_classes: {c: {pathway: p}}
arrivals: {w: {rate_per_hour: {"18:00": 10}%(group)s}}
stations:
  eat: {counters: 9, staffed: false, service: {dist: constant, value: 30}}
  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 2}}
staff:
  clerks: {count: 1}
  housekeepers: {count: 2}
resources:
  tables: {kind: tables, sizes: %(sizes)s%(tables)s}
  rooms: {kind: rooms, count: 10, occupied_at_open: %(occupied)s, ready_at_open: %(ready)s,
          housekeeping: {staff: %(hk)s, clean: {dist: constant, value: 30}}}
pathways:
  p: %(path)s
  q: [desk, {release: rooms}]
"""


def text(**kw: str) -> str:
    values = {"group": "", "sizes": "{2: 3}", "tables": "", "occupied": "5", "ready": "2",
              "hk": "housekeepers", "path": "[{seize: tables}, eat, {release: tables}]"}
    values.update(kw)
    return textwrap.dedent(BASE % values)


def issues(yaml: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(yaml, "x.yaml")
    return [str(i) for i in info.value.issues]


def with_q_class(yaml: str) -> str:
    return yaml.replace("customer_classes: {c: {pathway: p}}",
                        "customer_classes: {c: {pathway: p, share: 0.5}, "
                        "d: {pathway: q, share: 0.5}}")


def test_a_valid_scenario_loads():
    load_scenario_text(with_q_class(text()), "x.yaml")


@pytest.mark.parametrize(("kw", "expected"), [
    ({"path": "[{seize: chairs}, eat]"},
     "pathways.p.0.seize: no resource named 'chairs' (got 'chairs'; expected one of rooms, "
     "tables)"),
    ({"path": "[eat, {release: tables}]"},
     "pathways.p.1.release: releases 'tables' without seizing it first"),
    ({"path": "[{seize: tables}, eat, {seize: tables}]"},
     "pathways.p.2.seize: 'tables' is already held here"),
    ({"path": "[tables, eat]"}, "pathways.p.0: no station named 'tables'"),
    ({"sizes": "{4: 1}", "tables": ", join: true"},
     "resources.tables.join: joining needs at least two tables (got 1"),
    ({"occupied": "11", "ready": "0"},
     "resources.rooms.occupied_at_open: more rooms occupied than exist (got 11"),
    ({"ready": "6"}, "resources.rooms.ready_at_open: more rooms ready than vacant (got 6; "
     "expected <= count - occupied_at_open (5))"),
    ({"hk": "cleaners"}, "resources.rooms.housekeeping.staff: no staff group named 'cleaners'"),
    ({"hk": "clerks"}, "resources.rooms.housekeeping.staff: staff group already serves "
     "station 'desk'"),
    ({"group": ", group_size: {dist: uniform, low: 1, high: 8}"},
     "arrivals.w.group_size: parties of up to 8 cannot be seated at 'tables' (got 8; expected "
     "at most 2 (the largest table))"),
    ({"group": ", group_size: {dist: constant, value: 5}", "tables": ", join: true"},
     "arrivals.w.group_size: parties of up to 5 cannot be seated at 'tables' (got 5; expected "
     "at most 4 (the largest table or two joined))"),
])
def test_broken_rules_are_reported(kw, expected):
    found = issues(with_q_class(text(**kw)))
    assert any(expected in i for i in found), found


def test_releasing_rooms_without_seizing_is_a_check_out():
    load_scenario_text(with_q_class(text()), "x.yaml")  # pathway q releases rooms only


def test_unbounded_group_sizes_are_left_to_the_door():
    # an exponential has no largest value: oversize parties are blocked when they come
    load_scenario_text(with_q_class(text(group=", group_size: {dist: exponential, mean: 2}")),
                       "x.yaml")


def test_unknown_resource_kind_is_named():
    yaml = with_q_class(text()).replace("kind: tables", "kind: booths")
    found = issues(yaml)
    assert any("resources.tables" in i and "kind: tables or kind: rooms" in i
               for i in found), found


def test_a_resource_may_not_share_a_station_name():
    yaml = with_q_class(text(path="[{seize: eat}, eat, {release: eat}]")).replace(
        "  tables: {kind", "  eat: {kind")
    found = issues(yaml)
    assert any("resources.eat: a resource and a station share this name" in i
               for i in found), found


def test_standards_and_satisfaction_stages_may_name_a_resource():
    yaml = with_q_class(text()) + (
        'standards: [{name: "seated within 10 min", station: tables, wait_max_min: 10}]\n'
        "satisfaction: {standards: [{id: seated, stage: tables, adequate_min: 15}]}\n")
    load_scenario_text(yaml, "x.yaml")
