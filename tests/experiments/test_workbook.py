"""``--xlsx``: one workbook of the result tables, human headers over machine names, the same
bytes for the same results, and a clear message without openpyxl."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from simulator.cli import main

FAST = ["-q", "--no-figures", "--no-report"]


def _run(*args: str) -> None:
    result = CliRunner().invoke(main, [*args, *FAST])
    assert result.exit_code == 0, result.output + repr(result.exception)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    from tests.helpers import MINIMAL_SCENARIO

    folder = tmp_path_factory.mktemp("wb")
    (folder / "s.yaml").write_text(MINIMAL_SCENARIO)
    _run("run", str(folder / "s.yaml"), "-n", "3", "--records", "none", "--xlsx", "-o",
         str(folder / "run"))
    return folder


def test_run_workbook_has_labels_over_machine_names(run_folder: Path) -> None:
    out = run_folder / "run"
    wb = load_workbook(out / "results.xlsx")
    assert wb.sheetnames == ["Summary", "By hour", "Replications"]
    summary = wb["Summary"]
    row1 = [c.value for c in summary[1]]
    row2 = [c.value for c in summary[2]]
    csv = pd.read_csv(out / "summary.csv")
    assert row2 == ["kpi", "label", *list(csv.columns[1:])]
    assert row1[:3] == ["KPI (machine name)", "KPI", "Mean"]
    sheet = pd.read_excel(out / "results.xlsx", sheet_name="Summary", header=1)
    pd.testing.assert_frame_equal(sheet.drop(columns="label"), csv, check_dtype=False)
    labels = dict(zip(sheet["kpi"], sheet["label"], strict=True))
    assert labels["wait_mean_min"] == "Mean total wait of served customers (min)"
    by_hour = wb["By hour"]
    assert [c.value for c in by_hour[2]] == list(pd.read_csv(out / "by_hour.csv").columns)
    assert "Customers joining" in [c.value for c in by_hour[1]]
    assert "results.xlsx" in json.loads((out / "manifest.json").read_text())["outputs"]["files"]


def test_same_results_give_the_same_workbook_bytes(run_folder: Path) -> None:
    again = run_folder / "again"
    _run("run", str(run_folder / "s.yaml"), "-n", "3", "--records", "none", "--xlsx", "-j",
         "2", "-o", str(again))
    assert (again / "results.xlsx").read_bytes() == \
        (run_folder / "run" / "results.xlsx").read_bytes()


def test_compare_and_sweep_workbooks(run_folder: Path) -> None:
    s = str(run_folder / "s.yaml")
    _run("compare", s, "--set", "stations.desk.counters=3", "--set",
         "staff.clerks.shifts.0.count=3", "-n", "3", "--xlsx", "-o", str(run_folder / "cmp"))
    wb = load_workbook(run_folder / "cmp" / "results.xlsx")
    assert wb.sheetnames == ["Comparison", "Replications"]
    assert "Difference (variant − baseline)" in [c.value for c in wb["Comparison"][1]]
    _run("sweep", s, "--vary", "stations.desk.service.mean=2~5", "--design", "lhs",
         "--samples", "6", "-n", "2", "--xlsx", "-o", str(run_folder / "sw"))
    wb = load_workbook(run_folder / "sw" / "results.xlsx")
    assert wb.sheetnames == ["Sweep", "Variants", "Sensitivity", "Replications"]


def test_without_openpyxl_the_run_stops_before_simulating(run_folder: Path,
                                                           monkeypatch) -> None:
    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl" or name.startswith("openpyxl."):
            raise ImportError("no openpyxl")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    out = run_folder / "none"
    result = CliRunner().invoke(main, ["run", str(run_folder / "s.yaml"), "-n", "2", "--xlsx",
                                       "-o", str(out), *FAST])
    assert result.exit_code == 1
    assert "--xlsx needs openpyxl" in result.stderr and "servsim[excel]" in result.stderr
    assert not out.exists()
