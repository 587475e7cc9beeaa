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
