"""plan_staffing from Python: the tables as DataFrames, whole-day targets, the frontier, the
paired comparison, and satisfaction and abandonment targets."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import plan_staffing
from simulator.experiments.staffing import StaffingError, TargetOptions
from simulator.experiments.staffing.folder import staffed_yaml
from simulator.experiments.staffing.measure import day_values
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.scenario.loader import load_scenario, load_scenario_text
from tests.cli.test_staff import SMALL

FAST = {"replications": 4, "iteration_replications": 4}


@pytest.fixture(scope="module")
def per_interval():
    return plan_staffing(load_scenario_text(SMALL), ["clerks"], **FAST)


def test_tables(per_interval):
    out = per_interval
    assert list(out.staffing["start"]) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    # the plan covers the requirement at counters in every interval
    assert np.all(out.staffing["planned_at_counters"] >= out.staffing["requirement"])
    assert out.shifts["cost"].sum() == pytest.approx(out.plans["clerks"].cost)
    assert set(out.comparison["kpi"]) >= {"wait_mean_min", "staff_cost", "staff_paid_min",
                                          "abandon_rate", "std__desk_within_10_min__compliance"}
    # staff cost in the comparison is the simulated cost of every group, paired
    staffed_cost = out.comparison.set_index("kpi").loc["staff_cost", "variant_mean"]
    assert staffed_cost >= out.plans["clerks"].cost - 1e-9
    assert out.iterations["iteration"].max() == len(out.requirement.iterations)
    assert out.simulated_replications == 4 * (1 + len(out.requirement.iterations) + 3)


def test_whole_day_target_is_cheaper_and_met(per_interval):
    day = plan_staffing(load_scenario_text(SMALL), ["clerks"], over="day", **FAST)
    assert day.plans["clerks"].cost <= per_interval.plans["clerks"].cost
    target = day.study.groups[0].targets[0]
    last = day.requirement.iterations[-1]
    assert last.day["clerks"][target.key] >= target.level


def test_frontier_rows(per_interval):
    out = plan_staffing(load_scenario_text(SMALL), ["clerks"], frontier=[0.5, 0.9], **FAST)
    f = out.frontier
    assert list(f["level"]) == [0.5, 0.9]
    assert f["cost"].iloc[1] >= f["cost"].iloc[0]
    assert ((f["service_level"] >= 0) & (f["service_level"] <= 1)).all()
    assert (f["service_level_ci_low"] >= 0).all() and (f["service_level_ci_high"] <= 1).all()


def test_abandonment_and_satisfaction_targets():
    targets = TargetOptions(max_abandon=0.1, min_csat=3.0)
    out = plan_staffing(load_scenario_text(SMALL), ["clerks"], targets=targets, **FAST)
    kinds = [t.kind for t in out.study.groups[0].targets]
    assert kinds == ["abandon", "csat"]
    assert {"abandon__mean", "csat__mean", "csat__stationary_value"} <= set(out.staffing)
    # satisfaction is on the model's 1-5 scale; its interval stays inside it
    assert out.staffing["csat__ci_low"].min() >= 1 and out.staffing["csat__ci_high"].max() <= 5
    reps = StaffingRunner.intervals(out.staffed_rows)
    assert np.all(np.isfinite(day_values(out.study.groups[0].targets[1], 0, reps)))


def test_steady_state_scenarios_are_refused():
    text = SMALL.replace('clock: {open: "09:00", close: "12:00"}', 'clock: {open: "09:00"}')
    text = text.replace("run: {replications: 4, seed: 5}", "run: {seed: 5, length_min: 180}")
    with pytest.raises(StaffingError, match="plans a service day"):
        plan_staffing(load_scenario_text(text), ["clerks"], **FAST)


def test_staffed_scenario_round_trips(tmp_path, per_interval):
    """scenario.staffed.yaml: the original file with the new shifts loads back to exactly the
    staffed scenario (and so does the full dump of a scenario given as text)."""
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    out = plan_staffing(load_scenario(path), ["clerks"], **FAST)
    text = staffed_yaml(out)
    assert "# Staffed by servsim staff from" in text.splitlines()[0]
    assert "cost_per_hour: 30" in text  # the original file's lines are kept
    assert load_scenario_text(text).scenario == out.staffed
    assert load_scenario_text(staffed_yaml(per_interval)).scenario == per_interval.staffed
    assert out.staffed.staff["clerks"].shifts == [
        type(out.staffed.staff["clerks"].shifts[0]).model_validate(row)
        for row in out.plans["clerks"].scenario_shifts()]
