"""``servsim run``: the results folder, its manifest, the resolved scenario, the record modes,
refusal to overwrite, and atomic writing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments.storage import parquet_available
from simulator.scenario.loader import load_scenario
from tests.helpers import ROOT

REPO = ROOT
HALL = REPO / "scenarios" / "government_hall.yaml"
# Record tables are CSV unless pyarrow is installed; pin CSV so the file names are known.
FORMAT = ["--format", "csv"] if parquet_available() else []

RECORD_TABLES = {"customers.csv", "visits.csv", "levels.csv", "staff.csv", "people.csv"}
ALWAYS = {"manifest.json", "scenario.resolved.yaml", "summary.csv", "replications.csv",
          "by_hour.csv", "report.html"}
FIGURES = {"figures/queue_length.png", "figures/wait_distribution.png",
           "figures/staffing_utilisation.png", "figures/satisfaction_dimensions.png",
           "figures/satisfaction_by_hour.png"}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def invoke(*args: str):
    return CliRunner().invoke(main, ["run", *args, *FORMAT])


@pytest.fixture(scope="module")
def hall_run(tmp_path_factory) -> tuple[Path, object]:
    """One run of the bundled scenario: 3 replications, seed 7 (shared by the tests below)."""
    out = tmp_path_factory.mktemp("hall") / "run"
    result = invoke(str(HALL), "-n", "3", "--seed", "7", "-o", str(out))
    return out, result


def test_run_writes_the_complete_results_folder(hall_run):
    out, result = hall_run
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert files_in(out) == ALWAYS | RECORD_TABLES | FIGURES
    for png in FIGURES:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the verdict, then the summary table, go to stdout, in words (CSV keeps machine names)
    assert result.stdout.startswith("VERDICT: ")
    assert "general window within 15 min: " in result.stdout
    assert "Bottleneck: " in result.stdout
    assert "Mean total wait of served customers (min)" in result.stdout
    assert "std__" not in result.stdout and "_tw" not in result.stdout
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_manifest_records_seed_replications_and_file_hash(hall_run):
    out, _ = hall_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["seed"] == 7
    assert manifest["run"]["replications"] == 3
    assert manifest["scenario"]["sha256_file"] == hashlib.sha256(HALL.read_bytes()).hexdigest()
    assert manifest["scenario"]["path"] == str(HALL)
    assert manifest["run"]["terminating"] is True
    assert manifest["random_numbers"]["generator"] == "PCG64"
    assert set(manifest["outputs"]["files"]) == files_in(out)


def test_tables_cover_every_replication(hall_run):
    out, _ = hall_run
    reps = pd.read_csv(out / "replications.csv")
    assert reps["replication"].tolist() == [0, 1, 2]
    assert (reps["seed"] == 7).all()
    summary = pd.read_csv(out / "summary.csv").set_index("kpi")
    assert (summary.loc["arrived", "n"]) == 3
    assert summary.loc["arrived", "mean"] == pytest.approx(reps["arrived"].mean())
    customers = pd.read_csv(out / "customers.csv")
    assert sorted(customers["replication"].unique()) == [0, 1, 2]
    assert customers.groupby("replication").size().tolist() == reps["arrived"].tolist()


def test_resolved_scenario_loads_back_equal(hall_run):
    out, _ = hall_run
    original = load_scenario(HALL).scenario
    again = load_scenario(out / "scenario.resolved.yaml").scenario
    # the resolved scenario is the one run: -n 3 --seed 7 replaced the file's run settings
    assert again.run.replications == 3 and again.run.seed == 7
    expected = original.model_dump()
    expected["run"].update(replications=3, seed=7)
    assert again.model_dump() == expected


def test_non_empty_folder_is_refused_without_force_and_left_unchanged(tmp_path,
                                                                      minimal_scenario_file):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = invoke(str(minimal_scenario_file), "-n", "1", "-o", str(out), "--no-figures")
    assert result.exit_code == 1
    assert "exists and is not empty" in result.stderr and "--force" in result.stderr
    assert files_in(out) == {"notes.txt"}
    assert (out / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["taken",
                                                                  minimal_scenario_file.name])

    forced = invoke(str(minimal_scenario_file), "-n", "1", "-o", str(out), "--no-figures",
                    "--force")
    assert forced.exit_code == 0, forced.output
    assert files_in(out) == ALWAYS | RECORD_TABLES


def test_empty_existing_folder_is_accepted(tmp_path, minimal_scenario_file):
    out = tmp_path / "empty"
    out.mkdir()
    result = invoke(str(minimal_scenario_file), "-n", "1", "-o", str(out), "--no-figures",
                    "-q")
    assert result.exit_code == 0, result.output
    assert "manifest.json" in files_in(out)


@pytest.mark.parametrize(("mode", "tables"), [("none", set()),
                                               ("summary", {"customers.csv"}),
                                               ("full", RECORD_TABLES)])
def test_records_mode_selects_the_record_tables(tmp_path, minimal_scenario_file, mode, tables):
    out = tmp_path / mode
    result = invoke(str(minimal_scenario_file), "-n", "2", "--seed", "3", "-o", str(out),
                    "--records", mode, "--no-figures", "-q")
    assert result.exit_code == 0, result.output
    assert files_in(out) == ALWAYS | tables
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"]["records"] == mode


def test_failure_while_writing_leaves_no_folder(tmp_path, minimal_scenario_file, monkeypatch):
    """Results are written to a temporary folder renamed only when complete."""
    from simulator.figures import run as plots

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(plots, "write_run_figures", boom)
    out = tmp_path / "results" / "run"
    result = invoke(str(minimal_scenario_file), "-n", "1", "-o", str(out), "-q")
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no .run.incomplete-* left behind


@pytest.mark.skipif(parquet_available(), reason="pyarrow is installed")
def test_parquet_without_pyarrow_is_a_clean_error(tmp_path, minimal_scenario_file):
    out = tmp_path / "pq"
    result = CliRunner().invoke(main, ["run", str(minimal_scenario_file), "-n", "1", "-o",
                                       str(out), "--format", "parquet", "-q"])
    assert result.exit_code == 1
    assert not out.exists()
    assert "pyarrow" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_python_dash_m_simulator_help():
    proc = subprocess.run([sys.executable, "-m", "simulator", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "validate", "schema"):
        assert command in proc.stdout
