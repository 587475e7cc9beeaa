"""Cross-field rules added beyond the loader tests: recovery loops, overlapping breaks."""

from __future__ import annotations

import textwrap

import pytest

from simulator.scenario.loader import ScenarioError, load_scenario_text

BASE = """
name: rules
clock: {open: "09:00", close: "17:00"}
customer_classes: {c: {pathway: p}}
arrivals: {w: {rate_per_hour: {"09:00": 10}}}
stations:
  a: {counters: 1, staffed: false, service: {dist: constant, value: 1}%s}
  b: {counters: 1, staffed: false, service: {dist: constant, value: 1}%s}
  c: {counters: 1, staff: st, service: {dist: constant, value: 1}}
staff:
  st: {shifts: [{start: "09:00", end: "17:00", count: 1, breaks: %s}]}
pathways: {p: [a, b, c]}
"""


def issues(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(textwrap.dedent(text), "x.yaml")
    return [str(i) for i in info.value.issues]


def test_recovery_loop_is_rejected():
    fa = ", failure: {probability: 0.1, recovery: {station: b}}"
    fb = ", failure: {probability: 0.1, recovery: {station: a}}"
    found = issues(BASE % (fa, fb, "[]"))
    assert any("stations.a.failure.recovery.station: recovery steps form a loop "
               "(got 'a -> b -> a'" in i for i in found), found


def test_overlapping_breaks_are_rejected():
    brk = ('[{start: "12:00", minutes: 30, stagger_groups: 2}, '
           '{start: "12:45", minutes: 15}]')
    found = issues(BASE % ("", "", brk))
    assert any("staff.st.shifts.0.breaks.1.start: break overlaps the previous break" in i
               and "(got '12:45'" in i for i in found), found


def test_redo_that_always_fails_is_rejected():
    found = issues(BASE % (", failure: {probability: 1.0}", "", "[]"))
    assert any("stations.a.failure.probability: a redo that always fails never ends" in i
               for i in found), found


def test_wait_and_service_standard_needs_a_station():
    text = BASE % ("", "", "[]") + (
        "standards: [{name: visit, wait_max_min: 30, measure: wait_and_service}]\n")
    found = issues(text)
    assert any("standards.0.measure: wait_and_service applies to one station's visits"
               in i for i in found), found


BRANCHES = """
name: branch rules
clock: {open: "09:00", close: "17:00"}
customer_classes: {c: {pathway: p}}
arrivals: {w: {rate_per_hour: {"09:00": 10}}}
stations:
  a: {counters: 1, staffed: false, service: {dist: constant, value: 1}%s}
  b: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
pathways:
  p: %s
"""


def test_branch_to_an_unknown_station_names_its_line_and_field():
    found = issues(BRANCHES % ("", "[a, {choose: {a: 0.5, bb: 0.5}}]"))
    assert any(i.startswith("x.yaml:10: pathways.p.1.choose.bb: no station named 'bb'")
               for i in found), found
    found = issues(BRANCHES % ("", "[a, {shortest_of: [a, c]}]"))
    assert any("x.yaml:10: pathways.p.1.shortest_of.1: no station named 'c'" in i
               for i in found), found


def test_choice_probabilities_must_add_up_to_one():
    found = issues(BRANCHES % ("", "[{choose: {a: 0.5, b: 0.4}}]"))
    assert any("pathways.p.0.choose: the probabilities of a choice must add up to 1 "
               "(got 0.9; expected 1)" in i for i in found), found


def test_outcome_branch_needs_an_earlier_visit_that_can_fail():
    found = issues(BRANCHES % ("", "[{if_served: b}, a]"))
    assert any("pathways.p.0.if_served: a step by the outcome of the previous visit needs a "
               "station visit before it" in i for i in found), found
    found = issues(BRANCHES % ("", "[a, {if_failed: b}]"))
    assert any("pathways.p.1.if_failed: no earlier station of this pathway can fail" in i
               for i in found), found
    ok = BRANCHES % (", failure: {probability: 0.1}", "[a, {if_failed: b}]")
    assert load_scenario_text(textwrap.dedent(ok), "x.yaml").scenario


def test_a_station_listed_twice_in_a_branch_is_rejected():
    found = issues(BRANCHES % ("", "[{shortest_of: [a, a]}]"))
    assert any("pathways.p.0.shortest_of: a station is listed twice" in i for i in found), found


def test_a_branch_with_a_misspelt_key_says_what_a_step_may_be():
    found = issues(BRANCHES % ("", "[{chose: {a: 0.5, b: 0.5}}]"))
    assert found and all(i.startswith("x.yaml:10: pathways.p.0") for i in found), found


def test_a_branch_cannot_name_a_pathway_so_no_journey_loops():
    """Branches name stations only: a pathway sent back to itself is an unknown station."""
    found = issues(BRANCHES % (", failure: {probability: 0.1}", "[a, {if_failed: p}]"))
    assert any("pathways.p.1.if_failed: no station named 'p'" in i for i in found), found
