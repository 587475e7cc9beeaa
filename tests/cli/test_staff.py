"""``servsim staff``: the folder, the staffed scenario's round trip, -j 1 = -j 2, and every
bad input with a clear message, exit 1 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.scenario.loader import load_scenario
from tests.helpers import HALL

SMALL = """\
name: Small office
clock: {open: "09:00", close: "12:00"}
run: {replications: 4, seed: 5}
customer_classes:
  walk: {pathway: main, patience: {dist: exponential, mean: 20}}
arrivals:
  walk_in:
    rate_per_hour: {"09:00": 40, "10:00": 70, "11:00": 30}
stations:
  desk:
    counters: 6
    staff: clerks
    service: {dist: exponential, mean: 5}
staff:
  clerks:
    cost_per_hour: 30
    shifts:
      - {start: "09:00", end: "12:00", count: 3}
pathways:
  main: [desk]
standards:
  - {name: desk within 10 min, station: desk, wait_max_min: 10, target_share: 0.8}
shift_rules:
  clerks:
    earliest_start: "09:00"
    latest_start: "11:00"
    start_step_min: 30
    lengths_hours: [1.5, 3]
    latest_end: "12:00"
    cost_per_hour: {part_time: 25}
    part_time: {below_hours: 2}
"""

FAST = ["-n", "4", "--iteration-replications", "4", "--no-figures", "--no-report", "-q"]


def small(tmp_path: Path, text: str = SMALL) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(text)
    return path


def staff(*args: str):
    return CliRunner().invoke(main, ["staff", *args])


def test_folder_round_trip_and_answer(tmp_path):
    out = tmp_path / "plan"
    res = staff(str(small(tmp_path)), "--group", "clerks", "-o", str(out), "-n", "4",
                "--iteration-replications", "4", "-q")
    assert res.exit_code == 0, res.output
    assert res.output.startswith("clerks: ")  # the answer first
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"staffing.csv", "shifts.csv", "comparison.csv", "iterations.csv",
            "scenario.staffed.yaml", "manifest.json", "report.html",
            "verification/summary.csv", "verification/manifest.json",
            "figures/staffing_requirement_clerks.png",
            "figures/staffing_attainment_clerks.png"} <= files
    staffing = pd.read_csv(out / "staffing.csv")
    assert len(staffing) == 6 and set(staffing["group"]) == {"clerks"}
    shifts = pd.read_csv(out / "shifts.csv")
    assert shifts["heads"].sum() >= 1
    assert shifts["cost"].sum() == pytest.approx(
        sum(h * (25 if t == "part_time" else 30) for h, t in zip(
            shifts["paid_hours"], shifts["shift_type"], strict=True)))
    # the staffed scenario loads, validates, carries the plan's shifts and runs
    staffed = load_scenario(out / "scenario.staffed.yaml")
    rows = {(s.start, s.end): s.count for s in staffed.scenario.staff["clerks"].shifts}
    assert sum(rows.values()) == shifts["heads"].sum()
    text = (out / "scenario.staffed.yaml").read_text()
    assert text.startswith("# Staffed by servsim staff from ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "staff" and manifest["answer"][0].startswith("clerks: ")
    html = (out / "report.html").read_text()
    first = html.index('<section id="answer">')
    assert first < html.index(manifest["answer"][0][:30]) < html.index('<section id="intervals">')
    res = CliRunner().invoke(main, ["run", str(out / "scenario.staffed.yaml"), "-n", "2",
                                    "--records", "none", "--no-figures", "--no-report",
                                    "-o", str(tmp_path / "again"), "-q"])
    assert res.exit_code == 0, res.output


def test_jobs_do_not_change_the_plan(tmp_path):
    path = small(tmp_path)
    for jobs in ("1", "2"):
        res = staff(str(path), "--group", "clerks", "-o", str(tmp_path / f"j{jobs}"), "-j", jobs,
                    *FAST)
        assert res.exit_code == 0, res.output
    for name in ("staffing.csv", "shifts.csv", "iterations.csv", "comparison.csv"):
        assert (tmp_path / "j1" / name).read_bytes() == (tmp_path / "j2" / name).read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (["--group", "clerk"], "no staff group named 'clerk'; did you mean 'clerks'?"),
    (["--group", "clerks", "--standard", "desk within 15 min"],
     "no service standard named 'desk within 15 min'; did you mean 'desk within 10 min'?"),
    (["--group", "clerks", "--min-csat", "5.5"], "--min-csat cannot be met at any staffing"),
    (["--group", "clerks", "--max-mean-wait", "0"], "--max-mean-wait cannot be met at any"),
    (["--group", "clerks", "--max-abandon", "1.5"], "--max-abandon must be a share"),
    (["--group", "clerks", "--interval", "60", "--set", "clock.close=11:30"],
     "09:00-11:30 (150 min) is not a whole number of 60-min intervals"),
    (["--group", "clerks", "--frontier", "0.6:0.5:0.1"], "--frontier must be START:STOP:STEP"),
])
def test_bad_options(tmp_path, args, message):
    out = tmp_path / "out"
    res = staff(str(small(tmp_path)), *args, "-o", str(out), *FAST)
    assert res.exit_code == 1
    assert message in res.output
    assert "nothing was written" in res.output
    assert not out.exists()


def test_interval_must_divide_the_hall_day(tmp_path):
    out = tmp_path / "out"
    res = staff(str(HALL), "--group", "clerks", "--interval", "60", "-o", str(out), *FAST)
    assert res.exit_code == 1
    assert ("the day 08:30-17:00 (510 min) is not a whole number of 60-min intervals "
            "(expected --interval 15 or 30)") in res.output
    assert not out.exists()


def test_shift_rules_that_contradict_the_clock(tmp_path):
    bad = SMALL.replace('earliest_start: "09:00"', 'earliest_start: "12:30"').replace(
        'latest_start: "11:00"', 'latest_start: "13:00"')
    out = tmp_path / "out"
    res = staff(str(small(tmp_path, bad)), "--group", "clerks", "-o", str(out), *FAST)
    assert res.exit_code == 1
    assert "small.yaml:25: shift_rules.clerks.earliest_start: no shift may start before the " \
           "doors close (got '12:30'; expected before 12:00)" in res.output
    assert not out.exists()


def test_rules_that_cover_no_shift_for_an_interval(tmp_path):
    late = SMALL.replace('earliest_start: "09:00"', 'earliest_start: "10:00"')
    out = tmp_path / "out"
    res = staff(str(small(tmp_path, late)), "--group", "clerks", "-o", str(out), *FAST)
    assert res.exit_code == 1
    assert "no shift allowed by the shift_rules of 'clerks' covers 09:00-09:30" in res.output
    assert not out.exists()


def test_existing_folder_is_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    res = staff(str(small(tmp_path)), "--group", "clerks", "-o", str(out), *FAST)
    assert res.exit_code == 1 and "exists and is not empty" in res.output
    assert (out / "keep.txt").read_text() == "x"
