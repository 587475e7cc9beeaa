"""The first hour with servsim: what a newcomer types and reads.

``servsim new`` without a template lists them; a bad clock time says "expected HH:MM (24 h)";
``run --help`` shows "95 %"; ``--format auto`` writes CSV unless the full records would be
large (and then says why).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments import run as run_module
from simulator.experiments.storage import parquet_available
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from simulator.scenario.templates import list_templates


def test_new_without_a_template_lists_them() -> None:
    result = CliRunner().invoke(main, ["new"])
    assert result.exit_code == 0, result.output
    for name in list_templates():
        assert name in result.stdout
    assert "pick one of these templates" in result.stderr


def test_a_bad_clock_time_says_what_is_expected(tmp_path: Path, minimal_scenario_text) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(minimal_scenario_text.replace('open: "09:00"', 'open: "9:00"'))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert ("bad.yaml:2: clock.open: not a clock time (got '9:00'; expected HH:MM (24 h), "
            'quoted, e.g. "08:30"') in result.stderr
    assert "pattern" not in result.stderr


def test_run_help_shows_a_percent_sign_once() -> None:
    text = CliRunner().invoke(main, ["run", "--help"]).stdout
    assert "relative 95 % half-" in " ".join(text.split())  # click may wrap at the hyphen
    assert "%%" not in text


def test_format_auto_writes_csv(tmp_path: Path, minimal_scenario_file) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(minimal_scenario_file), "-n", "2", "-q",
                                       "--no-figures", "--no-report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "customers.csv").exists() and not (out / "customers").exists()
    assert "Parquet" not in result.stderr


@pytest.mark.skipif(not parquet_available(), reason="needs the parquet extra (pyarrow)")
def test_format_auto_switches_to_parquet_for_large_records_and_says_why(
        tmp_path: Path, minimal_scenario_file, monkeypatch) -> None:
    monkeypatch.setattr(run_module, "AUTO_PARQUET_MB", 0.0)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(minimal_scenario_file), "-n", "2", "-q",
                                       "--no-figures", "--no-report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "records: Parquet, because --records full of about 140 customers" in result.stderr
    assert "--format csv keeps CSV" in result.stderr
    assert (out / "customers").is_dir()


def test_records_format_choice(minimal_scenario_text, monkeypatch) -> None:
    plan = compile_plan(load_scenario_text(minimal_scenario_text).scenario)
    # 30/h for 2 hours, then 10/h for 1 hour: 70 customers a day
    assert run_module.expected_customers(plan) == pytest.approx(70.0)
    assert run_module.choose_records_format(plan, 2, "full") == ("csv", None)
    assert run_module.choose_records_format(plan, 2, "full", "parquet") == ("parquet", None)
    monkeypatch.setattr(run_module, "AUTO_PARQUET_MB", 0.0)
    assert run_module.choose_records_format(plan, 2, "summary") == ("csv", None)
    fmt, why = run_module.choose_records_format(plan, 2, "full")
    if parquet_available():
        assert fmt == "parquet" and why is not None and "140 customers" in why
    else:
        assert (fmt, why) == ("csv", None)
