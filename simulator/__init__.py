"""servsim: discrete-event simulation of service operations with predicted satisfaction.

The public API::

    from simulator import load_scenario, compile_plan, simulate, run_scenario

    loaded = load_scenario("scenarios/government_hall.yaml")      # validated, line-numbered
    records = simulate(compile_plan(loaded.scenario, loaded.base_dir), seed=7, replication=0)
    output = run_scenario(loaded, "results/hall", replications=30)  # a full results folder
"""

from __future__ import annotations

from simulator.experiment import RunOutput, run_scenario
from simulator.loader import (
    LoadedScenario,
    ScenarioError,
    ScenarioIssue,
    load_scenario,
    load_scenario_text,
)
from simulator.model import simulate
from simulator.plan import Plan, compile_plan
from simulator.records import CustomerOutcome, DutyChange, Records, VisitOutcome
from simulator.runner import ReplicationResult, ReplicationTask, run_replication, run_replications
from simulator.scenario import Scenario

__version__ = "0.1.0"

__all__ = [
    "CustomerOutcome",
    "DutyChange",
    "LoadedScenario",
    "Plan",
    "Records",
    "ReplicationResult",
    "ReplicationTask",
    "RunOutput",
    "Scenario",
    "ScenarioError",
    "ScenarioIssue",
    "VisitOutcome",
    "__version__",
    "compile_plan",
    "load_scenario",
    "load_scenario_text",
    "run_replication",
    "run_replications",
    "run_scenario",
    "simulate",
]
