"""The public surface is small and deliberate; the shipped JSON Schema matches the models."""

from __future__ import annotations

import json

import simulator
from simulator.scenario.schema import Scenario
from tests.helpers import ROOT


def test_public_names_are_pinned():
    assert set(simulator.__all__) == {
        "CustomerOutcome", "DutyChange", "FitOptions", "FitResult", "LoadedScenario",
        "LogError", "Plan", "Records",
        "ReplicationResult", "ReplicationTask", "RunOutput", "Scenario", "ScenarioError",
        "ScenarioIssue", "VisitOutcome", "__version__", "compile_plan", "load_scenario",
        "load_scenario_text", "run_replication", "run_replications", "run_scenario", "simulate",
        "fit_folder", "fit_log", "validate_log",
        "StaffingOutput", "plan_staffing", "staff_scenario",
    }
    for name in simulator.__all__:
        assert hasattr(simulator, name), name


def test_shipped_schema_is_current():
    """scenarios/scenario.schema.json is what `servsim schema` prints (regenerate if not)."""
    shipped = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert shipped == json.loads(json.dumps(Scenario.model_json_schema(by_alias=True)))


def test_version_matches_distribution():
    from importlib.metadata import version

    assert simulator.__version__ == version("servsim")
