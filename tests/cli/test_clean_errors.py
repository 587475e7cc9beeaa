"""The command line turns every problem a user can act on into clear messages and exit status
1, with nothing written (issue 14: rows 3, 4, 6, 7, 10, 11 and 12 as the CLI shows them)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.measures.conservation import InvariantError
from tests.helpers import HALL, MINIMAL_SCENARIO


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_row03_validate_checks_every_file_whatever_breaks(tmp_path):
    good = write(tmp_path, "good.yaml", MINIMAL_SCENARIO)
    nul = write(tmp_path, "nul.yaml", MINIMAL_SCENARIO.replace("Minimal", "Min\x00imal"))
    deep = write(tmp_path, "deep.yaml", MINIMAL_SCENARIO + "x: " + "[" * 5000 + "]" * 5000)
    bomb = write(tmp_path, "bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcde", "bcdef",
                                                                        strict=True)))
    result = cli("validate", str(good), str(nul), str(deep), str(tmp_path / "gone.yaml"),
                 str(bomb), str(good))
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stdout.count(f"{good}: ok") == 2
    err = result.stderr
    assert f"{nul}:1: a control character is not allowed" in err
    assert f"{deep}:22: nested too deeply" in err
    assert f"{tmp_path / 'gone.yaml'}: cannot read file (got No such file" in err
    assert f"{bomb}:" in err and "YAML aliases (*name) would add" in err
    assert err.strip().endswith("4 of 6 file(s) invalid")


def test_row04_a_non_finite_set_value_is_refused_and_nothing_is_written(tmp_path):
    scenario = write(tmp_path, "m.yaml", MINIMAL_SCENARIO)
    out = tmp_path / "out"
    result = cli("run", str(scenario), "-o", str(out), "-q",
                 "--set", "stations.desk.service.mean=.inf")
    assert result.exit_code == 1
    no_traceback(result)
    assert ("--set stations.desk.service.mean=.inf: stations.desk.service.mean: Input should "
            "be a finite number (got inf)") in result.stderr
    assert not out.exists()
    bad = cli("run", str(scenario), "-o", str(out), "-q", "--precision", "nan")
    assert bad.exit_code == 2 and "not a finite number" in bad.stderr


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_row06_a_device_as_trace_is_one_error_for_every_command(tmp_path, command):
    scenario = write(tmp_path, "t.yaml", MINIMAL_SCENARIO.replace(
        'rate_per_hour: {"09:00": 30, "11:00": 10}', "trace: /dev/zero"))
    out = tmp_path / "out"
    extra = {"run": [], "compare": ["--set", "stations.desk.counters=3"],
             "sweep": ["--vary", "stations.desk.counters=2,3"]}[command]
    result = cli(command, str(scenario), *extra, "-n", "2", "-o", str(out), "-q")
    assert result.exit_code == 1
    no_traceback(result)
    assert ("arrivals.walk_in.trace: /dev/zero: cannot read it as a file (got a device; "
            "expected a regular file)") in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_row07_an_output_path_that_is_a_file_is_one_error(tmp_path, command):
    scenario = write(tmp_path, "m.yaml", MINIMAL_SCENARIO)
    blocker = write(tmp_path, "results", "not a folder")
    extra = {"run": [], "compare": ["--set", "stations.desk.counters=3"],
             "sweep": ["--vary", "stations.desk.counters=2,3"]}[command]
    for out, why in [(blocker, "it is a file (got a file; expected a folder name"),
                     (blocker / "inside", "a file is in the way (got EEXIST")]:
        result = cli(command, str(scenario), *extra, "-n", "2", "-o", str(out), "-q")
        assert result.exit_code == 1, result.output
        no_traceback(result)
        assert f"Error: cannot write results to {out}: {why}" in result.stderr
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml", "results"]


def test_row10_a_broken_invariant_is_a_clean_error_and_nothing_is_written(tmp_path,
                                                                         monkeypatch):
    from simulator.measures.acc_checks import ConservationChecks

    def broken(self, levels, terminating):  # the checks run while the day runs
        raise InvariantError("conservation violated: arrived=3 != served 2 + balked 0 + "
                             "abandoned 0 + inside 0 (= 2)")

    monkeypatch.setattr(ConservationChecks, "finish", broken)
    scenario = write(tmp_path, "m.yaml", MINIMAL_SCENARIO)
    out = tmp_path / "out"
    result = cli("run", str(scenario), "-n", "2", "-o", str(out), "-q")
    assert result.exit_code == 1
    no_traceback(result)
    assert ("Error: an internal check failed (replication 0, seed 1: conservation violated: "
            "arrived=3") in result.stderr
    assert "this is a bug in servsim" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml"]


def test_row11_validate_warns_about_a_ten_year_run_but_accepts_it(tmp_path):
    text = HALL.read_text(encoding="utf-8").replace('close: "17:00"', "").replace(
        "run: {replications: 30, seed: 20261123}",
        "run: {replications: 30, seed: 20261123, length_min: 5256000}")
    path = write(tmp_path, "ten_years.yaml", text)
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok\n"
    assert (f"{path}: warning: run.length_min: the run simulates 3,650 days (got 5,256,000 "
            "min; expected at most a year") in result.stderr
    assert f"{path}: warning: arrivals: about " in result.stderr
    plain = cli("validate", str(HALL)).stderr  # the hall's only warning: its triage hand-over
    assert "run.length_min" not in plain and "arrivals: about" not in plain


def test_row12_the_cli_names_the_set_not_a_line_of_the_file(tmp_path):
    result = cli("run", str(HALL), "-o", str(tmp_path / "out"), "-q",
                 "--set", "customer_classes.resident.share=0.5")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "--set customer_classes.resident.share=0.5: customer_classes: class shares must add "
        "up to 1 (got 0.72; expected 1)",
        "1 problem found; nothing was run."]
    assert not (tmp_path / "out").exists()


def test_a_corrupt_task_file_is_recomputed_on_resume_with_a_warning(tmp_path):
    scenario = write(tmp_path, "m.yaml", MINIMAL_SCENARIO)
    out = tmp_path / "sweep"
    args = ["sweep", str(scenario), "--vary", "stations.desk.counters=2,3", "-n", "2",
            "--seed", "5", "-o", str(out), "-q", "--no-figures"]
    first = cli(*args)
    assert first.exit_code == 0, first.output
    table = (out / "sweep.csv").read_bytes()
    task = sorted((out / "tasks").rglob("rep=*.json"))[1]
    task.write_bytes(task.read_bytes()[:17])  # cut short, as by a full disk
    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert f"servsim: {task}: unreadable task file (got JSONDecodeError" in again.stderr
    assert (out / "sweep.csv").read_bytes() == table
    assert json.loads(task.read_text())["seed"] == 5
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["execution"]["computed_tasks"], manifest["execution"]["reused_tasks"]) \
        == (1, 3)
