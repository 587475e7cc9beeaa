"""servsim: discrete-event simulation of service operations with predicted satisfaction.

The public API::

    from simulator import load_scenario, compile_plan, simulate, run_scenario

    loaded = load_scenario("scenarios/government_hall.yaml")      # validated, line-numbered
    records = simulate(compile_plan(loaded.scenario, loaded.base_dir), seed=7, replication=0)
    output = run_scenario(loaded, "results/hall", replications=30)  # a full results folder

The names are imported on first use (PEP 562), so ``import simulator`` and the command line's
``--help`` do not pay for pandas and SciPy until something needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "RunOutput": "simulator.experiments.run",
    "run_scenario": "simulator.api",
    "LoadedScenario": "simulator.scenario.loader",
    "ScenarioError": "simulator.scenario.loader",
    "ScenarioIssue": "simulator.scenario.loader",
    "load_scenario": "simulator.scenario.loader",
    "load_scenario_text": "simulator.scenario.loader",
    "simulate": "simulator.engine.model",
    "Plan": "simulator.scenario.plan",
    "compile_plan": "simulator.scenario.plan",
    "CustomerOutcome": "simulator.engine.records",
    "DutyChange": "simulator.scenario.plan",
    "Records": "simulator.engine.records",
    "VisitOutcome": "simulator.engine.records",
    "ReplicationResult": "simulator.experiments.runner",
    "ReplicationTask": "simulator.experiments.runner",
    "run_replication": "simulator.experiments.runner",
    "run_replications": "simulator.experiments.runner",
    "Scenario": "simulator.scenario.schema",
    "FitOptions": "simulator.experiments.fitting.fit",
    "FitResult": "simulator.experiments.fitting.fit",
    "LogError": "simulator.experiments.fitting.quality",
    "fit_log": "simulator.experiments.fitting.fit",
    "validate_log": "simulator.experiments.fitting.validate",
    "fit_folder": "simulator.api",
    "StaffingOutput": "simulator.experiments.staffing",
    "plan_staffing": "simulator.experiments.staffing",
    "staff_scenario": "simulator.api",
}

__all__ = [
    "CustomerOutcome",
    "DutyChange",
    "FitOptions",
    "FitResult",
    "LoadedScenario",
    "LogError",
    "Plan",
    "Records",
    "ReplicationResult",
    "ReplicationTask",
    "RunOutput",
    "Scenario",
    "ScenarioError",
    "ScenarioIssue",
    "StaffingOutput",
    "VisitOutcome",
    "__version__",
    "compile_plan",
    "fit_folder",
    "fit_log",
    "load_scenario",
    "load_scenario_text",
    "plan_staffing",
    "run_replication",
    "run_replications",
    "run_scenario",
    "simulate",
    "staff_scenario",
    "validate_log",
]


__getattr__, __dir__ = lazy_exports('simulator', _EXPORTS, globals())


if TYPE_CHECKING:
    from simulator.api import fit_folder, run_scenario, staff_scenario
    from simulator.engine.model import simulate
    from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
    from simulator.experiments.fitting.fit import FitOptions, FitResult, fit_log
    from simulator.experiments.fitting.quality import LogError
    from simulator.experiments.fitting.validate import validate_log
    from simulator.experiments.run import RunOutput
    from simulator.experiments.runner import (
        ReplicationResult,
        ReplicationTask,
        run_replication,
        run_replications,
    )
    from simulator.experiments.staffing import StaffingOutput, plan_staffing
    from simulator.scenario.loader import (
        LoadedScenario,
        ScenarioError,
        ScenarioIssue,
        load_scenario,
        load_scenario_text,
    )
    from simulator.scenario.plan import Plan, compile_plan
    from simulator.scenario.schema import Scenario
