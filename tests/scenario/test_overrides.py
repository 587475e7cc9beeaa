"""--set PATH=VALUE: applied before validation, errors name the --set and the field."""

from __future__ import annotations

import pytest

from simulator.scenario.loader import ScenarioError, load_scenario
from simulator.scenario.overrides import parse_override, parse_overrides, values_id, with_overrides
from tests.helpers import HALL


@pytest.fixture(scope="module")
def hall():
    return load_scenario(HALL)


def test_values_change_and_types_follow_yaml(hall):
    v = with_overrides(hall, parse_overrides([
        "stations.general_window.counters=9", "staff.clerks.shifts.0.count=6",
        "stations.general_window.service={dist: gamma, mean: 7.5, cv: 0.5}",
        'clock.close="17:30"']))
    sc = v.scenario
    assert sc.stations["general_window"].counters == 9
    assert sc.staff["clerks"].shifts[0].count == 6
    assert sc.stations["general_window"].service.dist == "gamma"
    assert sc.clock.close == "17:30"
    assert hall.scenario.stations["general_window"].counters == 8  # original untouched


@pytest.mark.parametrize(("text", "where", "fragment"), [
    ("stations.genral_window.counters=9", "stations.genral_window",
     "did you mean 'general_window'"),
    ("stations.general_window.counters=nine", "stations.general_window.counters",
     "valid integer (got 'nine')"),
    ("stations.general_window.counters=-1", "stations.general_window.counters",
     "greater than or equal to 1"),
    ("staff.clerks.shifts.7.count=1", "staff.clerks.shifts.7", "expected an index 0..1"),
    ("stations.general_window.sevice=1", "stations.general_window.sevice",
     "did you mean 'service'"),
    ("staff.clerks.shifts.0.end=\"08:00\"", "staff.clerks.shifts.0.end",
     "shift ends before it starts"),
])
def test_bad_override_gets_the_field_path_error(hall, text, where, fragment):
    with pytest.raises(ScenarioError) as info:
        with_overrides(hall, parse_overrides([text]))
    issues = info.value.issues
    assert any(i.file == f"--set {text}" and i.path == where and fragment in i.message
               for i in issues), [str(i) for i in issues]


def test_override_needs_an_equals_sign():
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_override("stations.window.counters")


def test_value_ids_are_stable_and_order_free():
    a = values_id({"x.y": 1, "z": 0.5})
    assert a == values_id({"z": 0.5, "x.y": 1})
    assert a != values_id({"x.y": 2, "z": 0.5})
    assert a.startswith("v-") and len(a) == 12


def test_append_to_a_list_is_validated_like_the_file(hall):
    text = 'staff.clerks.shifts+={start: "11:00", end: "15:00", count: 1}'
    v = with_overrides(hall, parse_overrides([text]))
    shifts = v.scenario.staff["clerks"].shifts
    assert len(shifts) == len(hall.scenario.staff["clerks"].shifts) + 1
    assert (shifts[-1].start, shifts[-1].end, shifts[-1].count) == ("11:00", "15:00", 1)
    bad = 'staff.clerks.shifts+={start: "11:00", end: "25:00", count: 1}'
    with pytest.raises(ScenarioError) as info:
        with_overrides(hall, parse_overrides([bad]))
    (issue,) = info.value.issues
    assert issue.file == f"--set {bad}" and issue.path == "staff.clerks.shifts.2.end"
    assert "expected HH:MM (24 h)" in issue.message


def test_remove_an_item_by_value_or_by_position(hall):
    v = with_overrides(hall, parse_overrides(["pathways.resident-=triage_desk"]))
    assert "triage_desk" not in v.scenario.pathways["resident"]
    assert "triage_desk" in hall.scenario.pathways["resident"]
    v = with_overrides(hall, parse_overrides(["staff.clerks.shifts.1-="]))
    assert len(v.scenario.staff["clerks"].shifts) == 1
    assert v.scenario.staff["clerks"].shifts[0] == hall.scenario.staff["clerks"].shifts[0]


@pytest.mark.parametrize(("text", "fragment"), [
    ("staff.clerks-=x", "-= needs a list (got a mapping"),
    ("pathways.resident-=nope", "no item equal to 'nope'"),
    ("staff.clerks.shifts.9-=", "nothing to remove at staff.clerks.shifts.9"),
    ("stations.cashier.counters+=1", "+= needs a list (got the value 2"),
])
def test_bad_append_or_remove_names_the_set(hall, text, fragment):
    with pytest.raises(ScenarioError) as info:
        with_overrides(hall, parse_overrides([text]))
    assert any(i.file == f"--set {text}" and fragment in i.message
               for i in info.value.issues), [str(i) for i in info.value.issues]


def test_operators_are_part_of_the_variant_key():
    assert [o.key for o in parse_overrides(["a.b=1", "a.c+=2", "a.d-=", "a.e-=x"])] == [
        "a.b", "a.c+=", "a.d-=", "a.e-="]
