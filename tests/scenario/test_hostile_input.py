"""Hostile and unlucky scenario input gets one clear error, never a traceback or a hang
(issue 14, rows 2-6 and 11-13 of its table; docs/reliability.md).

Each ``test_rowNN_*`` reproduces the row's input and checks the clean error: the file (or the
``--set``), the line where there is one, the field path and what was expected.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from simulator.scenario.distributions import Empirical
from simulator.scenario.files import MAX_DATA_BYTES, MAX_SCENARIO_BYTES, DataFileError
from simulator.scenario.horizon import expected_customers, horizon_warnings
from simulator.scenario.loader import (
    MAX_DEPTH,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    read_yaml,
)
from simulator.scenario.overrides import parse_overrides, with_overrides
from simulator.scenario.plan import DutyChange, compile_plan, shift_days
from tests.helpers import HALL, MINIMAL_SCENARIO, ROOT


def issues_of(text: str, name: str = "s.yaml") -> list:
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, name)
    return err.value.issues


def bomb(levels: int) -> str:
    """A "billion laughs": anchor k is nine aliases of anchor k-1 (9**levels values)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]" for k in range(1, levels)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- row 2: aliases
def test_row02_alias_bomb_is_refused_before_anything_is_expanded(tmp_path):
    """9**12 (2.8e11) values if expanded: refused from the node graph in a fresh process
    (a regression would hang or exhaust memory there, and the timeout would fail it)."""
    path = tmp_path / "bomb.yaml"
    path.write_text(MINIMAL_SCENARIO + bomb(12), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "simulator", "validate", str(path)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    line = int(first.removeprefix(f"{path}:").split(":")[0])
    assert 22 <= line <= 33  # a line of the bomb: the anchor repeated most
    assert "YAML aliases (*name) would add" in first and "expected at most 100,000" in first


def test_row02_small_anchors_and_aliases_stay_allowed_and_recursion_is_refused():
    reused = MINIMAL_SCENARIO.replace("service: {dist: exponential, mean: 4}",
                                      "service: &svc {dist: exponential, mean: 4}\n"
                                      "  kiosk: {counters: 1, staffed: false, service: *svc}")
    reused = reused.replace("main: [desk]", "main: [kiosk, desk]")
    sc = load_scenario_text(reused).scenario
    assert sc.stations["kiosk"].service == sc.stations["desk"].service
    (issue,) = issues_of(MINIMAL_SCENARIO + "description: &d [*d]\n")
    assert issue.line == 22 and "refers to a value that contains it" in issue.message


# ------------------------------------------------------- row 3: characters, nesting, size
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_row03_control_characters_name_the_line(char):
    text = MINIMAL_SCENARIO.replace("pathway: main", f"pathway: ma{char}in")
    (issue,) = issues_of(text)
    assert issue.line == 6
    assert f"U+{ord(char):04X}" in issue.message and "control character" in issue.message


@pytest.mark.parametrize("text", [
    MINIMAL_SCENARIO + "description: " + "[" * 5000 + "]" * 5000 + "\n",
    MINIMAL_SCENARIO + "description:\n" + "".join(
        "  " * k + f"k{k}:\n" for k in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x\n",
])
def test_row03_deep_nesting_is_refused_with_its_limit(text):
    (issue,) = issues_of(text)
    assert issue.line is not None and issue.line >= 22
    assert f"nested too deeply (got more than {MAX_DEPTH} levels" in issue.message


def test_row03_scenario_files_have_a_size_cap(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(MAX_SCENARIO_BYTES + 1)
    with pytest.raises(ScenarioError) as err:
        load_scenario(big)
    (issue,) = err.value.issues
    assert issue.message.startswith("scenario files are at most 5 MB (got 5.0 MB")
    with pytest.raises(ScenarioError, match="scenario files are at most 5 MB"):
        read_yaml("x" * (MAX_SCENARIO_BYTES + 1), "upload.yaml")


@pytest.mark.parametrize(("special", "kind"), [("/dev/zero", "a device"), ("/", "a folder")])
def test_row03_a_scenario_path_that_is_not_a_file_is_refused_unread(special, kind):
    with pytest.raises(ScenarioError) as err:
        load_scenario(special)
    assert f"got {kind}; expected a regular file" in str(err.value)


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("name: x\na: !!int abc\n", 2, "cannot read 'abc' as a YAML int"),
    ("name: x\nwhen: 2024-13-45\n", 2, "cannot read '2024-13-45' as a YAML timestamp"),
    ("name: x\n---\nname: y\n", 2, "expected a single document"),
    ("name: x\n\tclock: 1\n", 2, "YAML syntax error"),
    ("name: [x\n", 2, "YAML syntax error"),
])
def test_row03_every_ruamel_error_type_is_one_issue_with_its_line(text, line, fragment):
    (issue,) = issues_of(text)
    assert issue.line == line and fragment in issue.message


# -------------------------------------------------------------- row 4: non-finite numbers
FIELDS = [  # (text to replace in MINIMAL_SCENARIO, with {v} for the value, field path)
    ('"09:00": 30', '"09:00": {v}', "arrivals.walk_in.rate_per_hour.09:00"),
    ("mean: 4}", "mean: {v}}}", "stations.desk.service.mean"),
    ("{dist: exponential, mean: 4}", "{{dist: lognormal, mean: 4, cv: {v}}}",
     "stations.desk.service.cv"),
    ("{dist: exponential, mean: 4}", "{{dist: triangular, low: 1, mode: 2, high: {v}}}",
     "stations.desk.service.high"),
    ("{dist: exponential, mean: 4}", "{{dist: empirical, values: [1, {v}, 3]}}",
     "stations.desk.service.values.1"),
    ("cost_per_hour: 30", "cost_per_hour: {v}", "staff.clerks.cost_per_hour"),
    ("pathway: main", "pathway: main\n    patience: {{dist: constant, value: {v}}}",
     "customer_classes.walk.patience.value"),
    ("main: [desk]", "main: [{{step: desk, probability: {v}}}]", "pathways.main.0.probability"),
    ("run: {replications: 2, seed: 1}", "run: {{replications: 2, seed: 1, "
     "max_overtime_min: {v}}}", "run.max_overtime_min"),
    ("    rate_per_hour:", "    rate_per_hour: {{\"09:00\": 5}}\n  booked: {{slots_every_min: 15, "
     'start: "09:00", end: "11:00", punctuality_mean_min: {v}}}\n    old_rates:',
     "arrivals.booked.punctuality_mean_min"),
]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400"])
@pytest.mark.parametrize(("old", "new", "path"), FIELDS, ids=[f[2] for f in FIELDS])
def test_row04_non_finite_numbers_are_refused_anywhere(old, new, path, value):
    text = MINIMAL_SCENARIO.replace(old, new.format(v=value), 1)
    if "old_rates" in text:  # the appointments case keeps the walk-ins as a source
        text = text.replace('    old_rates: {"09:00": 30, "11:00": 10}\n', "")
    issues = issues_of(text)
    mine = [i for i in issues if i.path == path]
    assert mine, [str(i) for i in issues]
    assert "finite number" in mine[0].message, str(mine[0])


def test_row04_run_length_and_set_values_must_be_finite(tmp_path):
    steady = MINIMAL_SCENARIO.replace('close: "12:00"', "").replace(
        "run: {replications: 2, seed: 1}", "run: {replications: 2, seed: 1, length_min: .inf}")
    assert any(i.path == "run.length_min" and "finite" in i.message for i in issues_of(steady))
    path = tmp_path / "m.yaml"
    path.write_text(MINIMAL_SCENARIO, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        with_overrides(load_scenario(path), parse_overrides(["stations.desk.service.mean=.nan"]))
    (issue,) = err.value.issues
    assert issue.file == "--set stations.desk.service.mean=.nan" and issue.line is None
    assert issue.path == "stations.desk.service.mean" and "finite number" in issue.message


def test_row04_empirical_values_from_a_file_must_be_finite(tmp_path):
    (tmp_path / "t.csv").write_text("minutes\n3\ninf\n", encoding="utf-8")
    dist = Empirical(file="t.csv", column="minutes")
    with pytest.raises(DataFileError, match=r"'minutes' of t\.csv is out of range \(got 'inf' "
                       r"on line 3; expected a finite number from 0 to 525,600\)"):
        dist.resolved(tmp_path)


# ------------------------------------------------------------------ row 5: absurd rates
@pytest.mark.parametrize(("old", "new", "path", "expected"), [
    ('"09:00": 30', '"09:00": 1e6', "arrivals.walk_in.rate_per_hour.09:00",
     "at most 10,000 arrivals per hour"),
    ('"09:00": 30', '"09:00": 1e12', "arrivals.walk_in.rate_per_hour.09:00",
     "at most 10,000 arrivals per hour"),
    ("rate_per_hour:", "peaks: [{at: \"10:00\", extra_per_hour: 1e9, width_min: 5}]\n"
     "    rate_per_hour:", "arrivals.walk_in.peaks.0.extra_per_hour",
     "at most 10,000 arrivals per hour"),
    ("mean: 4}", "mean: 1e308}", "stations.desk.service.mean",
     "at most 525,600 minutes (a year)"),
    ("counters: 2", "counters: 1000000000", "stations.desk.counters",
     "less than or equal to 10000"),
])
def test_row05_absurd_rates_and_sizes_are_refused_in_the_scenarios_units(old, new, path,
                                                                         expected):
    (issue,) = [i for i in issues_of(MINIMAL_SCENARIO.replace(old, new, 1)) if i.path == path]
    assert expected in issue.message, str(issue)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("slots_every_min", "1e-9", "greater than or equal to 0.1"),
    ("per_slot", "1000000000", "at most 1,000 customers per slot"),
])
def test_row05_appointments_every_nanosecond_are_refused(field, value, expected):
    source = ('  booked: {slots_every_min: 15, start: "09:00", end: "11:00", '
              f'per_slot: 1, {field}: {value}}}\n').replace(f"{field}: 15, ", "").replace(
        f"{field}: 1, ", "")
    text = MINIMAL_SCENARIO.replace("stations:\n", source + "stations:\n")
    (issue,) = [i for i in issues_of(text) if i.path == f"arrivals.booked.{field}"]
    assert expected in issue.message


def test_row05_wave_sizes_are_bounded():
    text = MINIMAL_SCENARIO.replace("stations:\n", '  coach: {waves: [{at: "10:00", size: '
                                    "1000000000000}]}\nstations:\n")
    issues = issues_of(text)
    assert any(i.path == "arrivals.coach.waves.0.size"
               and "Input should be at most 100,000 customers" in i.message
               for i in issues), [str(i) for i in issues]


# ------------------------------------------------------------------ row 6: data files
def traced(tmp_path: Path, trace: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL_SCENARIO.replace('rate_per_hour: {"09:00": 30, "11:00": 10}',
                                             f"trace: {trace}"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda d: "/dev/zero", "cannot read it as a file (got a device; expected a regular file)"),
    (lambda d: str(d), "cannot read it as a file (got a folder"),
    (lambda d: (d / "b.csv").write_bytes(b"time\n09:00\n\xff\xfe\x00binary") and "b.csv",
     "b.csv:3: not UTF-8 text (got byte 0xff; expected a trace saved as UTF-8)"),
    (lambda d: (d / "n.csv").write_bytes(b"time\n09:\x0000\n") and "n.csv",
     "n.csv:2: bad time (got '09:\\x0000'; expected HH:MM or minutes)"),
    (lambda d: (d / "gone.csv").name, "cannot read file (got No such file or directory"),
])
def test_row06_traces_must_be_regular_utf8_csv_files(tmp_path, make, fragment):
    loaded = load_scenario(traced(tmp_path, make(tmp_path)))
    with pytest.raises(DataFileError) as err:
        compile_plan(loaded.scenario, loaded.base_dir)
    assert str(err.value).startswith("arrivals.walk_in.trace: ")
    assert fragment in str(err.value)


def test_row06_data_files_have_a_size_cap(tmp_path):
    with (tmp_path / "huge.csv").open("wb") as handle:
        handle.truncate(MAX_DATA_BYTES + 1)  # sparse
    loaded = load_scenario(traced(tmp_path, "huge.csv"))
    with pytest.raises(DataFileError, match=r"too large \(got 100 MB; traces are at most "
                       r"100 MB\)"):
        compile_plan(loaded.scenario, loaded.base_dir)
    dist = Empirical(file="/dev/zero", column="minutes")
    with pytest.raises(DataFileError, match="got a device"):
        dist.resolved(tmp_path)


def test_row06_trace_cells_in_messages_are_short(tmp_path):
    (tmp_path / "t.csv").write_text("time\n" + "9" * 5000 + "x\n", encoding="utf-8")
    loaded = load_scenario(traced(tmp_path, "t.csv"))
    with pytest.raises(DataFileError) as err:
        compile_plan(loaded.scenario, loaded.base_dir)
    assert "t.csv:2: bad time" in str(err.value) and len(str(err.value)) < 300


# ----------------------------------------------------------- row 11: absurd horizons
def ten_year_hall() -> str:
    text = HALL.read_text(encoding="utf-8")
    return text.replace('close: "17:00"', "").replace(
        "run: {replications: 30, seed: 20261123}",
        "run: {replications: 30, seed: 20261123, length_min: 5256000, warm_up_min: 1440}")


def test_row11_a_ten_year_steady_state_hall_is_warned_about():
    text = ten_year_hall()
    assert "length_min: 5256000" in text  # the replacement above found its line
    sc = load_scenario_text(text).scenario
    warnings = {w.path: w.message for w in horizon_warnings(sc)}
    assert warnings["run.length_min"].startswith("the run simulates 3,650 days")
    assert "customers per replication" in warnings["arrivals"]
    assert expected_customers(sc) > 1_000_000
    assert "hours on one core" in warnings["run.replications"]
    assert "last rate" in warnings["arrivals.walk_in"]  # rates follow the first day only
    assert horizon_warnings(load_scenario(HALL).scenario) == []


def test_row11_shifts_repeat_every_day_of_a_long_steady_state_run():
    sc = load_scenario_text(ten_year_hall()).scenario
    plan = compile_plan(sc, HALL.parent)
    first_day = compile_plan(load_scenario(HALL).scenario, HALL.parent)
    for slot, day1 in zip(plan.slots, first_day.slots, strict=True):
        per_day = len(day1.intervals)
        days = shift_days(day1.intervals[0][0], plan.close_min, terminating=False)
        # ten years from 08:30: every shift starting before 08:30 works a 3,651st morning
        assert days == (3651 if day1.intervals[0][0] < plan.open_min else 3650)
        assert len(slot.intervals) == per_day * days
        last = 1440 * (days - 1)
        shifted = [(a + last, b + last, k, g) for a, b, k, g in day1.intervals]
        assert list(slot.intervals[-per_day:]) == shifted
        assert slot.paid_min == pytest.approx(day1.paid_min * days)
    assert shift_days(8 * 60, 9 * 60 + 1440, terminating=False) == 2
    assert shift_days(8 * 60, 17 * 60, terminating=True) == 1


def test_row11_a_round_the_clock_shift_stays_one_interval():
    text = textwrap.dedent("""\
        name: round the clock
        clock: {open: "00:00"}
        run: {length_min: 4320}
        customer_classes: {c: {pathway: p}}
        arrivals: {w: {rate_per_hour: {"00:00": 10}}}
        stations: {desk: {counters: 1, staff: s, service: {dist: exponential, mean: 3}}}
        staff: {s: {shifts: [{start: "00:00", end: "24:00", count: 1}]}}
        pathways: {p: [desk]}
    """)
    (slot,) = compile_plan(load_scenario_text(text).scenario).slots
    assert slot.intervals == ((0.0, 4320.0, int(DutyChange.SHIFT_END), 0.0),)
    assert slot.paid_min == 4320.0


# ------------------------------------------------------------ row 12: --set attribution
def test_row12_a_set_that_breaks_a_rule_between_fields_is_named(tmp_path):
    loaded = load_scenario(HALL)
    with pytest.raises(ScenarioError) as err:
        with_overrides(loaded, parse_overrides(["customer_classes.resident.share=0.5"]))
    (issue,) = err.value.issues
    assert str(issue) == ("--set customer_classes.resident.share=0.5: customer_classes: class "
                          "shares must add up to 1 (got 0.72; expected 1)")
    with pytest.raises(ScenarioError) as err:  # unrelated paths: every --set is named
        with_overrides(loaded, parse_overrides(["stations.cashier.staff=nobody",
                                                "run.seed=3"]))
    assert all(i.file.startswith("--set stations.cashier.staff=nobody") and i.line is None
               for i in err.value.issues)


# ---------------------------------------------------------- row 13: union error noise
def test_row13_a_bad_step_gets_one_message_not_every_union_member():
    text = MINIMAL_SCENARIO.replace("main: [desk]", "main: [{step: desk, probability: 1.5}]")
    (issue,) = issues_of(text)
    assert str(issue) == ("s.yaml:21: pathways.main.0.probability: Input should be less than "
                          "or equal to 1 (got 1.5)")


@pytest.mark.parametrize(("step", "path", "message"), [
    ("42", "pathways.main.0", "Input should be a name (text), a mapping with key step, a "
     "mapping with key seize, a mapping with key release, a mapping with key choose, a "
     "mapping with key if_failed, a mapping with key if_served or a mapping with key "
     "shortest_of (got 42)"),
    ("{colour: red}", "pathways.main.0", "Input should be a mapping with key step, a mapping "
     "with key seize, a mapping with key release, a mapping with key choose, a mapping with "
     "key if_failed, a mapping with key if_served or a mapping with key shortest_of "
     "(got {'colour': 'red'})"),
    ("{seize: 3}", "pathways.main.0.seize", "Input should be a valid string (got 3)"),
    ("{step: desk, colour: red}", "pathways.main.0.colour", "unknown key 'colour'"),
])
def test_row13_union_errors_name_the_member_meant_or_list_the_forms(step, path, message):
    issues = issues_of(MINIMAL_SCENARIO.replace("main: [desk]", f"main: [{step}]"))
    assert [i.path for i in issues] == [path]
    assert issues[0].message.startswith(message)
    assert not any(tag in str(issues[0]) for tag in ("Seize", "Release", ".Step"))


def test_row13_a_failure_recovery_typo_is_one_message():
    text = MINIMAL_SCENARIO.replace("mean: 4}", "mean: 4}\n    failure: {probability: 0.1, "
                                    "recovery: retry}")
    (issue,) = issues_of(text)
    assert issue.path == "stations.desk.failure.recovery"
    assert issue.message == "Input should be 'redo' (got 'retry')"


def test_expected_customers_follows_the_rate_table():
    sc = load_scenario_text(MINIMAL_SCENARIO).scenario
    assert expected_customers(sc) == pytest.approx(30 * 2 + 10 * 1)
    assert np.isfinite(expected_customers(load_scenario(HALL).scenario))
