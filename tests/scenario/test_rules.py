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
