"""Scenario files: YAML 1.2 reading, line-numbered errors with field paths, and the CLI's
``validate``, ``schema`` and refusal to run a malformed scenario.

Malformed cases edit one line of :data:`BASE` at a time; the expected line numbers below are
counted in :data:`BASE` by hand (each case also checks that the edited line is the one named).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.scenario.loader import (
    ScenarioError,
    ScenarioIssue,
    load_scenario,
    load_scenario_text,
    read_yaml,
    to_plain,
)
from tests.helpers import ROOT

REPO = ROOT
HALL = REPO / "scenarios" / "government_hall.yaml"

BASE = """\
name: Line numbers
clock:
  open: "09:00"
  close: "17:00"
customer_classes:
  resident:
    share: 0.7
    pathway: standard
  business:
    share: 0.3
    pathway: express
  booked:
    pathway: express
arrivals:
  walk_in:
    rate_per_hour:
      "09:00": 40
      "12:00": 20
  appointments:
    slots_every_min: 15
    start: "09:30"
    end: "16:00"
    class: booked
stations:
  kiosk:
    counters: 1
    staffed: false
    service: {dist: constant, value: 0.5}
  window:
    counters: 3
    staff: clerks
    service: {dist: lognormal, mean: 6, cv: 0.5}
staff:
  clerks:
    shifts:
      - start: "09:00"
        end: "17:00"
        count: 3
pathways:
  standard:
    - kiosk
    - window
  express:
    - window
"""


# The lines of BASE that the cases below edit or expect, counted by hand.
LINES = {
    1: "name: Line numbers",
    5: "customer_classes:",
    10: "    share: 0.3",
    11: "    pathway: express",
    17: '      "09:00": 40',
    22: '    end: "16:00"',
    24: "stations:",
    27: "    staffed: false",
    29: "  window:",
    30: "    counters: 3",
    31: "    staff: clerks",
    32: "    service: {dist: lognormal, mean: 6, cv: 0.5}",
    36: '      - start: "09:00"',
    37: '        end: "17:00"',
    42: "    - window",
}


def edit(changes: dict[int, str]) -> str:
    """BASE with the given 1-based lines replaced (the line count stays the same)."""
    lines = BASE.splitlines()
    for number, new in changes.items():
        assert number in LINES, number  # only lines whose numbers are checked below
        lines[number - 1] = new
    return "\n".join(lines) + "\n"


def test_line_numbers_of_base_are_as_counted():
    lines = BASE.splitlines()
    assert len(lines) == 44
    for number, text in LINES.items():
        assert lines[number - 1] == text


def issues_of(tmp_path: Path, text: str, name: str = "hall.yaml") -> tuple[Path, list]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return path, info.value.issues


def by_path(issues: list[ScenarioIssue], path: str) -> ScenarioIssue:
    found = [i for i in issues if i.path == path]
    assert len(found) == 1, f"expected one issue at {path}, got {[str(i) for i in issues]}"
    return found[0]


# ----------------------------------------------------------------------------- valid files
def test_base_is_valid():
    sc = load_scenario_text(BASE).scenario
    assert list(sc.stations) == ["kiosk", "window"]
    assert sc.arrivals["appointments"].class_ == "booked"


def test_minimal_conftest_scenario_is_valid(minimal_scenario_file):
    assert load_scenario(minimal_scenario_file).scenario.name == "Minimal hall"


def test_bundled_government_hall_validates():
    loaded = load_scenario(HALL)
    sc = loaded.scenario
    assert sc.name == "City service hall, weekday"
    assert set(sc.stations) == {"ticket_kiosk", "triage_desk", "general_window",
                                "specialist_window", "supervisor", "cashier"}
    assert set(sc.pathways) == {"resident", "business", "booked"}
    assert sc.terminating and sc.open_min == 510.0 and sc.close_min == 1020.0
    assert loaded.path == HALL and loaded.base_dir == HALL.parent
    assert loaded.raw_sha256 == hashlib.sha256(HALL.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- YAML 1.2
def test_yaml_1_2_scalars_stay_what_the_planner_typed():
    data = to_plain(read_yaml("start: 8:30\nlunch: 12:00\nflag: no\non: yes\nsci: 1e3\n"
                              "code: 017\n"))
    assert data == {"start": "8:30", "lunch": "12:00", "flag": "no", "on": "yes",
                    "sci": 1000.0, "code": 17}
    assert type(data["start"]) is str and type(data["code"]) is int


def test_unquoted_time_stays_a_string_and_fails_the_hh_mm_pattern(tmp_path):
    path, issues = issues_of(tmp_path, edit({36: "      - start: 8:30"}))
    issue = by_path(issues, "staff.clerks.shifts.0.start")
    assert issue.file == str(path) and issue.line == 36
    assert issue.message == ("not a clock time (got '8:30'; expected HH:MM (24 h), quoted, "
                             'e.g. "08:30" or "17:00")')
    assert str(issue).startswith(f"{path}:36: staff.clerks.shifts.0.start: ")
    assert len(issues) == 1


def test_no_stays_a_string():
    sc = load_scenario_text(edit({1: "name: no"})).scenario
    assert sc.name == "no"
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(edit({27: "    staffed: no"}), "k.yaml")
    issue = by_path(info.value.issues, "stations.kiosk.staffed")
    assert (issue.file, issue.line) == ("k.yaml", 27)
    assert "valid boolean" in issue.message and "(got 'no')" in issue.message


# ----------------------------------------------------------------------------- bad fields
CASES = {
    "wrong type": (
        {30: '    counters: "eight"'}, "stations.window.counters", 30,
        ["valid integer", "(got 'eight')"]),
    "negative rate": (
        {17: '      "09:00": -40'}, "arrivals.walk_in.rate_per_hour.09:00", 17,
        ["greater than or equal to 0", "(got -40)"]),
    "unknown key": (
        {32: "    sevice: {dist: lognormal, mean: 6, cv: 0.5}"}, "stations.window.sevice", 32,
        ["unknown key 'sevice'", "did you mean 'service'"]),
    "unknown top-level key": (
        {24: "statons:"}, "statons", 24, ["did you mean 'stations'"]),
    "unknown distribution": (
        {32: "    service: {dist: pareto, mean: 6}"}, "stations.window.service", 32,
        ["'pareto'", "'lognormal'", "(got "]),
    "shift ends before it starts": (
        {37: '        end: "08:00"'}, "staff.clerks.shifts.0.end", 37,
        ["shift ends before it starts", "(got '08:00'", "later than 09:00"]),
    "pathway names a missing station": (
        {42: "    - windw"}, "pathways.standard.1", 42,
        ["no station named 'windw'", "(got 'windw'", "one of kiosk, window"]),
    "class names a missing pathway": (
        {11: "    pathway: expres"}, "customer_classes.business.pathway", 11,
        ["no pathway named 'expres'", "(got 'expres'", "one of express, standard"]),
    # the staff key is absent, so the line is the station's own
    "staffed station without staff group": (
        {31: "    waiting_room: 20"}, "stations.window.staff", 29,
        ["a staffed station needs a staff group", "(got nothing"]),
    "class shares do not sum to 1": (
        {10: "    share: 0.2"}, "customer_classes", 5, ["add up to 1", "(got 0.9"]),
    "appointments end before start": (
        {22: '    end: "09:00"'}, "arrivals.appointments.end", 22,
        ["ends before it starts", "(got '09:00'"]),
}


@pytest.mark.parametrize(("changes", "field", "line", "fragments"), CASES.values(),
                         ids=CASES.keys())
def test_malformed_field_gives_file_line_path_and_value(tmp_path, changes, field, line,
                                                        fragments):
    path, issues = issues_of(tmp_path, edit(changes))
    issue = by_path(issues, field)
    assert issue.file == str(path)
    assert issue.line == line
    for fragment in fragments:
        assert fragment in issue.message
    assert str(issue) == f"{path}:{line}: {field}: {issue.message}"
    for other in issues:  # every message shows what was found
        assert "(got " in other.message, str(other)


def test_unknown_key_message_follows_the_got_expected_format(tmp_path):
    _, issues = issues_of(tmp_path, edit({32: "    sevice: {dist: lognormal, mean: 6, cv: 0.5}"}))
    issue = by_path(issues, "stations.window.sevice")
    assert ("(got 'sevice'; expected one of counters, failure, jockey, line, service,"
            in issue.message)


def test_several_field_errors_are_all_reported(tmp_path):
    text = edit({30: '    counters: "eight"', 17: '      "09:00": -40',
                 36: "      - start: 8:30", 27: "    staffed: no"})
    _, issues = issues_of(tmp_path, text)
    assert {(i.path, i.line) for i in issues} == {
        ("stations.window.counters", 30),
        ("arrivals.walk_in.rate_per_hour.09:00", 17),
        ("staff.clerks.shifts.0.start", 36),
        ("stations.kiosk.staffed", 27),
    }
    assert all("(got " in i.message for i in issues)


def test_several_cross_field_errors_are_all_reported(tmp_path):
    text = edit({10: "    share: 0.2", 22: '    end: "09:00"', 37: '        end: "08:00"',
                 42: "    - windw"})
    _, issues = issues_of(tmp_path, text)
    assert {(i.path, i.line) for i in issues} == {
        ("customer_classes", 5),
        ("arrivals.appointments.end", 22),
        ("staff.clerks.shifts.0.end", 37),
        ("pathways.standard.1", 42),
    }
    assert all("(got " in i.message for i in issues)


def test_text_source_is_named_in_issues():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(edit({30: '    counters: "eight"'}), "pasted.yaml")
    (issue,) = info.value.issues
    assert (issue.file, issue.line, issue.path) == ("pasted.yaml", 30, "stations.window.counters")
    assert str(info.value) == str(issue)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path, issues = issues_of(tmp_path, edit({31: "     staff: clerks"}))
    (issue,) = issues
    assert (issue.file, issue.line, issue.path) == (str(path), 31, "")
    assert "YAML syntax error" in issue.message


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_a_file_that_is_not_a_mapping(text):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "odd.yaml")
    (issue,) = info.value.issues
    assert (issue.file, issue.line) == ("odd.yaml", 1)
    assert "mapping" in issue.message and "(got " in issue.message


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.yaml")
    (issue,) = info.value.issues
    assert issue.file == str(tmp_path / "nope.yaml") and issue.line is None
    assert "cannot read" in issue.message


# ----------------------------------------------------------------------------- CLI
def test_cli_validate_accepts_the_bundled_scenario():
    result = CliRunner().invoke(main, ["validate", str(HALL)])
    assert result.exit_code == 0, result.output
    assert f"{HALL}: ok" in result.stdout
    # only warnings on stderr: the triage hand-over leaves two officers idle for 30 minutes
    assert result.stderr.splitlines() and all(
        ": warning: " in line for line in result.stderr.splitlines())


def test_cli_validate_rejects_a_bad_file_with_file_line_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit({30: '    counters: "eight"', 42: "    - windw"}), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(HALL), str(bad)])
    assert result.exit_code == 1
    assert f"{HALL}: ok" in result.stdout
    assert f"{bad}:30: stations.window.counters: Input should be a valid integer" in result.stderr
    assert "(got 'eight')" in result.stderr
    assert "1 of 2 file(s) invalid" in result.stderr
    assert str(bad) not in result.stdout


def test_cli_validate_needs_a_file():
    assert CliRunner().invoke(main, ["validate"]).exit_code == 2


def test_cli_schema_prints_json_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    props = schema["properties"]
    for key in ("name", "clock", "run", "customer_classes", "arrivals", "stations", "staff",
                "pathways", "standards"):
        assert key in props
    assert set(schema["required"]) >= {"name", "customer_classes", "arrivals", "stations",
                                       "pathways"}
    assert schema.get("additionalProperties") is False  # extra="forbid" reaches editors
    assert "Station" in schema["$defs"] and "Shift" in schema["$defs"]


def test_cli_run_refuses_a_malformed_scenario_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit({37: '        end: "08:00"'}), encoding="utf-8")
    out = tmp_path / "results" / "run1"
    result = CliRunner().invoke(main, ["run", str(bad), "-n", "1", "-o", str(out)])
    assert result.exit_code == 1
    assert f"{bad}:37: staff.clerks.shifts.0.end: shift ends before it starts" in result.stderr
    assert "nothing was run" in result.stderr
    assert not out.exists()
    leftovers = [p.name for p in tmp_path.rglob("*") if "incomplete" in p.name]
    assert leftovers == []
