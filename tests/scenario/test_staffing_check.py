"""Idle staff: more people on duty than counters for longer than a hand-over is a warning at
validate and run (the file stays valid), with the stretch and the people idle."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.scenario.loader import load_scenario, load_scenario_text
from simulator.scenario.staffing_check import idle_staff_warnings, warning_issues
from tests.helpers import HALL, MINIMAL_SCENARIO

SHIFTS = '      - {start: "09:00", end: "12:00", count: 2}\n'


def _with_shifts(shifts: str) -> str:
    return MINIMAL_SCENARIO.replace(SHIFTS, shifts)


def _warnings(shifts: str):
    return idle_staff_warnings(load_scenario_text(_with_shifts(shifts)).scenario)


def test_an_extra_clerk_for_an_hour_is_one_exact_warning() -> None:
    (w,) = _warnings(SHIFTS + '      - {start: "10:00", end: "11:00", count: 1}\n')
    assert (w.start_min, w.end_min, w.idle, w.loc) == (600.0, 660.0, 1, ("staff", "clerks"))
    assert w.message.startswith("1 of the clerks on duty 10:00–11:00 has no free counter at "
                                "desk (2 counters): paid and idle")


def test_a_short_hand_over_is_not_a_warning() -> None:
    assert _warnings('      - {start: "09:00", end: "10:15", count: 2}\n'
                     '      - {start: "10:00", end: "12:00", count: 2}\n') == []
    assert len(_warnings('      - {start: "09:00", end: "10:16", count: 2}\n'
                         '      - {start: "10:00", end: "12:00", count: 2}\n')) == 1


def test_breaks_take_people_off_duty() -> None:
    shift = ('      - {start: "09:00", end: "12:00", count: 3,\n'
             '         breaks: [{start: "10:00", minutes: 60}]}\n')
    got = [(w.start_min, w.end_min, w.idle) for w in _warnings(shift)]
    assert got == [(540.0, 600.0, 1), (660.0, 720.0, 1)]
    staggered = ('      - {start: "09:00", end: "12:00", count: 3,\n'
                 '         breaks: [{start: "10:00", minutes: 30, stagger_groups: 3}]}\n')
    # one person is away at a time from 10:00 to 11:30: two on duty, two counters
    assert [(w.start_min, w.end_min) for w in _warnings(staggered)] == [(540.0, 600.0),
                                                                      (690.0, 720.0)]


def test_the_bundled_hall_warns_about_the_triage_hand_over() -> None:
    (issue,) = warning_issues(load_scenario(HALL))
    assert issue.path == "staff.triage_officers" and issue.line is not None
    assert "2 of the triage officers on duty 12:30–13:00" in issue.message


@pytest.mark.parametrize("command", ["validate", "run"])
def test_validate_and_run_warn_and_go_on(tmp_path: Path, command: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(_with_shifts(SHIFTS + '      - {start: "10:00", end: "11:00", count: 1}\n'))
    args = [command, str(path)]
    if command == "run":
        args += ["-n", "2", "-q", "--records", "none", "--no-figures", "--no-report", "-o",
                 str(tmp_path / "out")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{path}:16: staff.clerks: warning: 1 of the clerks on duty 10:00–11:00" in \
        result.stderr
