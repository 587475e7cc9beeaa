"""``plan_staffing``: requirement, shift plan and verification of one staffing study.

The steps, each on common random numbers (the scenario's seed, replications 0 .. n-1):

1. the requirement curve by simulation (:mod:`.requirement`), beside the stationary answer;
2. the least-cost shifts covering it (:mod:`.shifts`, rules from :mod:`.rules`);
3. verification of the staffed scenario, of the stationary answer and of the original
   scenario (:mod:`.verify`), and the paired comparison of staffed against original;
4. optionally the cost-service frontier (:mod:`.frontier`).

The tables come back as DataFrames; :func:`simulator.experiments.staffing.folder.write_folder`
writes them (with ``servsim staff``'s folder layout).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulator.experiments.compare import HEADLINE_KPIS, comparison_table
from simulator.experiments.staffing.day import day_requirement
from simulator.experiments.staffing.edit import with_shifts, with_staffing
from simulator.experiments.staffing.frontier import cost_service_frontier
from simulator.experiments.staffing.requirement import Requirement, find_requirement
from simulator.experiments.staffing.shifts import ShiftPlan
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import TargetOptions
from simulator.experiments.staffing.study import (
    StaffingStudy,
    make_runner,
    prepare_study,
    shift_plans,
)
from simulator.experiments.staffing.verify import staffing_table
from simulator.experiments.tasks import Backend, TaskResult, Variant
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.schema import Scenario

__all__ = ["StaffingOutput", "headline", "plan_staffing"]

Progress = Callable[[str], None]


@dataclass
class StaffingOutput:
    """Everything a staffing study found, as tables.

    Attributes
    ----------
    staffing : one row per group and interval (see :func:`.verify.staffing_table`)
    shifts : one row per shift worked (group, start, end, break, heads, paid hours, cost)
    comparison : paired differences, staffed minus original, per headline KPI
    iterations : people per group, interval and iteration, with whether the targets were met
    frontier : cost and service per target level (``--frontier``), or None
    headline : the answer in words, one line per group
    staffed : the staffed scenario
    """

    study: StaffingStudy
    requirement: Requirement
    plans: dict[str, ShiftPlan]
    staffing: pd.DataFrame
    shifts: pd.DataFrame
    comparison: pd.DataFrame
    iterations: pd.DataFrame
    headline: list[str]
    staffed: Scenario
    original_rows: list[TaskResult] = field(default_factory=list)
    staffed_rows: list[TaskResult] = field(default_factory=list)
    frontier: pd.DataFrame | None = None
    simulated_replications: int = 0


def _iterations_frame(study: StaffingStudy, req: Requirement) -> pd.DataFrame:
    rows = []
    for it in req.iterations:
        for g in study.groups:
            for i in range(study.edges.size - 1):
                rows.append({"iteration": it.number, "group": g.name, "interval": i,
                             "people": int(it.staffing[g.name][i]),
                             "met": bool(it.met[g.name][i]),
                             **{f"{k}__value": float(v[i])
                                for k, v in it.values[g.name].items()}})
    return pd.DataFrame(rows)


def _pct_or(value: float, kind: str) -> str:
    if value != value:
        return "-"
    if kind in ("standard", "abandon", "delay"):
        return f"{value:.1%}"
    return f"{value:.2f}" if kind == "csat" else f"{value:.1f} min"


def headline(study: StaffingStudy, plans: dict[str, ShiftPlan], table: pd.DataFrame,
             req: Requirement) -> list[str]:
    """The answer in words: people, shifts, cost, and which intervals meet the targets."""
    lines = []
    for g in study.groups:
        plan = plans[g.name]
        part = table[table["group"] == g.name]
        n_shifts = len(plan.rows())
        head = (f"{g.name}: {plan.people} people on {n_shifts} shift"
                f"{'s' if n_shifts != 1 else ''}, {plan.paid_hours:.1f} paid hours, cost "
                f"{plan.cost:,.2f}")
        targets = "; ".join(t.label for t in g.targets)
        missed = part[~part["met"].astype(bool)]
        infeasible = part[part["infeasible"].astype(bool)]
        if missed.empty and infeasible.empty:
            lines.append(f"{head}: every interval meets {targets} in simulation "
                         f"({study.replications} replications).")
            continue
        bits = []
        for _, r in infeasible.iterrows():
            vals = ", ".join(_pct_or(float(r[f"{t.key}__requirement_value"]), t.kind)
                             for t in g.targets)
            bits.append(f"{r['start']}-{r['end']} cannot meet it even with all {g.cap} "
                        f"counters staffed (best attainable {vals})")
        rest = missed[~missed["infeasible"].astype(bool)]
        if not rest.empty:
            when = ", ".join(f"{r['start']}-{r['end']}" for _, r in rest.iterrows())
            bits.append(f"{when} miss{'es' if len(rest) == 1 else ''} it in verification")
        ok = int(part["met"].astype(bool).sum())
        lines.append(f"{head}: {ok} of {len(part)} intervals meet {targets}; "
                     + "; ".join(bits) + ".")
    return lines


def plan_staffing(
    loaded: LoadedScenario,
    groups: Sequence[str],
    *,
    targets: TargetOptions | None = None,
    interval_min: int = 30,
    replications: int = 30,
    iteration_replications: int | None = None,
    seed: int | None = None,
    over: str = "interval",
    frontier: Sequence[float] | None = None,
    backend: Backend = "inprocess",
    jobs: int = 1,
    scheduler: str | None = None,
    max_iterations: int = 30,
    on_progress: Progress | None = None,
) -> StaffingOutput:
    """Staff groups of a scenario per interval, plan least-cost shifts, verify by simulation.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`simulator.load_scenario`.
    groups : sequence of str
        Staff groups to staff (others keep their shifts).
    targets : TargetOptions
        Targets beside (or instead of) the standards at each group's home station.
    interval_min : {15, 30, 60}
        Interval length; the opening hours must be a whole number of intervals.
    replications : int
        Replications of the verification (and of each iteration unless
        ``iteration_replications``), replication indices 0 .. n-1 with ``seed``.
    over : {"interval", "day"}
        Meet the targets in every interval (time-stable), or over the whole day
        (:mod:`.day`).
    frontier : sequence of float, optional
        Service-standard levels for the cost-service frontier.
    backend, jobs, scheduler
        Where replications run (:func:`simulator.experiments.tasks.execute`); results do
        not depend on them.
    on_progress : callable, optional
        Called with one line per step and iteration.

    Returns
    -------
    StaffingOutput
        The tables (DataFrames) and the staffed scenario.

    Raises
    ------
    StaffingError
        Bad groups, targets, intervals or shift rules, or rules that cannot cover the
        requirement.
    """
    say = on_progress or (lambda _msg: None)
    study = prepare_study(loaded, groups, targets=targets, interval_min=interval_min,
                          replications=replications,
                          iteration_replications=iteration_replications, seed=seed, over=over)
    runner = make_runner(study, backend, jobs, scheduler)
    sc = loaded.scenario
    if over == "day":
        req = day_requirement(study, runner, max_iterations=max_iterations, on_progress=say)
    else:
        req = find_requirement(sc, runner, study.groups, study.edges,
                               study.iteration_replications, max_iterations=max_iterations,
                               on_progress=say)
    plans = shift_plans(study, req.people)
    for g in study.groups:
        p = plans[g.name]
        say(f"shift plan for {g.name}: {p.people} people, cost {p.cost:,.2f} "
            f"(HiGHS {p.status}, gap {p.gap:.2%})")
    staffed = with_shifts(sc, {g: p.scenario_shifts() for g, p in plans.items()})
    stationary = {g.name: np.where(req.stationary[g.name] < 0, g.cap, req.stationary[g.name])
                  for g in study.groups}
    say(f"verifying: {study.replications} replications each of the staffed scenario, the "
        "stationary answer and the original scenario")
    rows = runner.run({"original": sc, "staffed": staffed,
                       "stationary": with_staffing(sc, stationary, study.edges)},
                      study.replications, kpis=True)
    table = staffing_table(study.groups, req, plans, StaffingRunner.intervals(rows["staffed"]),
                           StaffingRunner.intervals(rows["stationary"]))
    base_v = Variant("original", "original scenario", {}, None, "")  # type: ignore[arg-type]
    new_v = Variant("staffed", "staffed scenario", {}, None, "")  # type: ignore[arg-type]
    comparison = comparison_table(base_v, [new_v], {"original": rows["original"],
                                                    "staffed": rows["staffed"]})
    comparison = comparison[comparison["kpi"].isin([*HEADLINE_KPIS, "staff_paid_min"])
                            | comparison["kpi"].str.endswith("__compliance")]
    shifts = pd.DataFrame([r for p in plans.values() for r in p.rows()],
                          columns=["group", "start", "end", "break_start", "break_end",
                                   "break_min", "heads", "shift_type", "paid_hours", "cost"])
    out = StaffingOutput(study, req, plans, table, shifts, comparison.reset_index(drop=True),
                         _iterations_frame(study, req), headline(study, plans, table, req),
                         staffed, rows["original"], rows["staffed"])
    if frontier:
        out.frontier = cost_service_frontier(study, runner, req, frontier,
                                             max_iterations=max_iterations, on_progress=say)
    out.simulated_replications = runner.simulated
    return out
