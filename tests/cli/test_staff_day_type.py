"""`servsim staff --day-type`: a calendar's day types are planned one at a time."""

from __future__ import annotations

from click.testing import CliRunner

from simulator.cli import main
from tests.helpers import MINIMAL_SCENARIO

WEEK = MINIMAL_SCENARIO + """\
calendar:
  days: 7
  pattern: [busy, default, default, default, default, closed, closed]
  day_types:
    busy: {arrival_multiplier: 1.5}
"""


def test_a_calendar_needs_a_day_type(tmp_path):
    path = tmp_path / "week.yaml"
    path.write_text(WEEK)
    res = CliRunner().invoke(main, ["staff", str(path), "--group", "clerks", "-o",
                                   str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "expected --day-type one of busy, default" in res.output
    res = CliRunner().invoke(main, ["staff", str(path), "--group", "clerks", "--day-type",
                                   "sunday", "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "got 'sunday'" in res.output


def test_the_busy_day_needs_more_clerks_than_the_default_day(tmp_path):
    path = tmp_path / "week.yaml"
    path.write_text(WEEK)
    people = {}
    for name in ("busy", "default"):
        out = tmp_path / name
        res = CliRunner().invoke(main, [
            "staff", str(path), "--group", "clerks", "--day-type", name, "--max-mean-wait",
            "2", "-n", "4", "--iteration-replications", "4", "--max-iterations", "4",
            "--no-figures", "--no-report", "-q", "-o", str(out)])
        assert res.exit_code == 0, res.output
        line = next(x for x in res.output.splitlines() if x.startswith("clerks:"))
        people[name] = int(line.split()[1])
    assert people["busy"] >= people["default"]


def test_no_day_type_without_a_calendar(tmp_path):
    path = tmp_path / "day.yaml"
    path.write_text(MINIMAL_SCENARIO)
    res = CliRunner().invoke(main, ["staff", str(path), "--group", "clerks", "--day-type",
                                   "busy", "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "has no calendar" in res.output
