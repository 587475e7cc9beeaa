"""Costs: overtime premium, regular and overtime staff cost, cost by hour, compensation per
failure (``recovery_cost``) — docs/scenario.md "Costs".

Exact timeline on a one-clerk day, invariants (the hours add up to the day; cost is the sum
of its parts), theory (compensation of redo failures: a geometric number of failures per
visit) and reproducibility (``-j 1`` equals ``-j 2``, files byte for byte).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine.model import simulate
from simulator.measures.accumulate import measure_records
from simulator.measures.costs import CostRates, cost_rates
from simulator.measures.kpis import replication_kpis
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text

ONE_CLERK = """
name: costs
clock: {open: "09:00", close: "10:00"}
run: {max_overtime_min: 120}
customer_classes: {c: {pathway: p}}
arrivals: {log: {trace: trace.csv}}
stations:
  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 30},
         failure: {probability: 1.0, recovery: {station: sup},
                   actions: {apology: true, compensation_cost: 7.5}}}
  sup: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
staff:
  clerks:
    cost_per_hour: 60
    overtime_premium: 1.5
    shifts: [{start: "09:00", end: "10:00", count: 1,
              breaks: [{start: "09:10", minutes: 15}]}]
pathways: {p: [desk]}
"""


def _plan(tmp_path):
    (tmp_path / "trace.csv").write_text("time\n0\n25\n")
    loaded = load_scenario_text(textwrap.dedent(ONE_CLERK))
    return compile_plan(loaded.scenario, tmp_path)


def test_one_clerk_day_exact_costs(tmp_path):
    """Shift 09:00-10:00 with a break 09:10-09:25 (postponed: the clerk is serving until
    09:30), paid 45 min at 60/h = 45; customer 2 (arrived 09:25) is served 09:45-10:15, so the
    clerk leaves 15 min late: overtime 15 min × 60/h × 1.5 = 22.5, all in hour 10. Each
    service fails and is compensated 7.5: recovery cost 15."""
    plan = _plan(tmp_path)
    rec = run_text(tmp_path, ONE_CLERK, "time\n0\n25\n")
    res = measure_records(rec, (), cost_rates(plan))
    k = res.kpis
    assert k["overtime_min"] == 15.0
    assert k["staff_cost_regular"] == 45.0
    assert k["staff_cost_overtime"] == 22.5
    assert k["staff_cost"] == 67.5
    assert k["desk__failures"] == 2.0 and k["recovery_cost"] == 15.0
    rows = {(r["hour"], r["station"]): r for r in res.by_hour}
    assert rows[(9, "all")]["staff_cost_regular"] == 45.0  # 09:00-09:10 and 09:25-10:00
    assert rows[(9, "all")]["staff_cost_overtime"] == 0.0
    assert rows[(10, "all")]["staff_cost_regular"] == 0.0
    assert rows[(10, "all")]["staff_cost_overtime"] == 22.5
    assert rows[(10, "all")]["staff_cost"] == 22.5
    assert math.isnan(rows[(9, "desk")]["staff_cost"])


def test_plain_rates_keep_the_old_meaning(tmp_path):
    """A plain list of rates: overtime at the normal rate, no compensation cost, no cost by
    hour columns are wrong: the premium is 1 and recovery_cost 0."""
    rec = run_text(tmp_path, ONE_CLERK, "time\n0\n25\n")
    k = replication_kpis(rec, (), [60.0])
    assert k["staff_cost_overtime"] == 15.0 and k["staff_cost"] == 60.0
    assert k["recovery_cost"] == 0.0
    none = replication_kpis(rec, ())
    assert all(math.isnan(none[x]) for x in ("staff_cost", "staff_cost_regular",
                                               "staff_cost_overtime", "recovery_cost"))
    with pytest.raises(ValueError, match="one premium per staff group"):
        replication_kpis(rec, (), CostRates((60.0,), (1.5, 2.0)))


def test_overtime_premium_must_be_at_least_one():
    bad = ONE_CLERK.replace("overtime_premium: 1.5", "overtime_premium: 0.5").replace(
        "arrivals: {log: {trace: trace.csv}}", 'arrivals: {a: {rate_per_hour: {"09:00": 5}}}')
    from simulator.scenario.loader import ScenarioError
    with pytest.raises(ScenarioError, match="overtime_premium"):
        load_scenario_text(textwrap.dedent(bad))


# ------------------------------------------------------------------ a busier day

BUSY = """
name: busy
clock: {open: "08:00", close: "12:00"}
customer_classes: {c: {pathway: p}}
arrivals: {walk_in: {rate_per_hour: {"08:00": 50}}}
stations:
  desk: {counters: 3, staff: clerks, service: {dist: exponential, mean: 3},
         failure: {probability: 0.2, recovery: redo, actions: {compensation_cost: 4}}}
staff:
  clerks:
    cost_per_hour: 30
    overtime_premium: 2
    failure_scale: 0.5           # trained: half the station's 0.2
    shifts:
      - {start: "07:45", end: "12:00", count: 2, breaks: [{start: "10:00", minutes: 20}]}
      - {start: "09:00", end: "11:00", count: 1}
pathways: {p: [desk]}
"""


@pytest.fixture(scope="module")
def busy():
    plan = compile_plan(load_scenario_text(BUSY).scenario)
    return plan, [measure_records(simulate(plan, 9, r), (), cost_rates(plan))
                  for r in range(16)]


def test_hours_add_up_to_the_day(busy):
    """Regular, overtime and total cost by hour add up to the day's KPIs (paid time before
    the doors open, 07:45, is in hour 7's row); regular cost is the roster's paid hours."""
    results = busy[1]
    for res in results:
        rows = [r for r in res.by_hour if r["station"] == "all"]
        assert rows[0]["hour"] == 7 or rows[0]["staff_cost_regular"] > 0
        for col in ("staff_cost_regular", "staff_cost_overtime", "staff_cost"):
            total = math.fsum(r[col] for r in rows)
            assert total == pytest.approx(res.kpis[col], rel=1e-12, abs=1e-9), col
        k = res.kpis
        assert k["staff_cost_regular"] == pytest.approx(30.0 * (2 * (255 - 20) + 120) / 60)
        assert k["staff_cost_overtime"] == pytest.approx(k["overtime_min"] / 60 * 30 * 2)
        assert k["staff_cost"] == pytest.approx(k["staff_cost_regular"]
                                                + k["staff_cost_overtime"])


def test_recovery_cost_matches_geometric_failures(busy):
    """With redo, failures per served visit are geometric: with the trained clerks'
    p = 0.2 × 0.5 the mean is p/(1 − p) = 1/9, so the expected compensation is
    4 × served visits / 9 (within 3 replication SEs)."""
    results = busy[1]
    ratio = np.array([r.kpis["recovery_cost"] / (4.0 * r.kpis["desk__served"])
                      for r in results])
    se = ratio.std(ddof=1) / math.sqrt(ratio.size)
    assert abs(ratio.mean() - 1 / 9) <= 3 * se, (ratio.mean(), se)
    for r in results:
        assert r.kpis["recovery_cost"] == 4.0 * r.kpis["desk__failures"]


def test_costs_do_not_depend_on_jobs(tmp_path):
    """Overtime premium, compensation and a failure scale: -j 1 and -j 2 write the same
    files."""
    scenario = tmp_path / "busy.yaml"
    scenario.write_text(BUSY)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        res = CliRunner().invoke(main, ["run", str(scenario), "-n", "3", "--seed", "4",
                                        "-j", jobs, "-o", str(out), "-q", "--no-figures"])
        assert res.exit_code == 0, res.output
        outs.append(out)
    for name in ("summary.csv", "replications.csv", "by_hour.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    hours = pd.read_csv(outs[0] / "by_hour.csv")
    assert {"staff_cost_regular", "staff_cost_overtime", "staff_cost"} <= set(hours.columns)


def test_run_output_shows_cost_parts_only_when_not_zero(tmp_path):
    """The verdict and the table show the overtime part and the compensation when a
    replication has them, and leave out rows of zeros."""
    outputs = []
    for name, text in (("paid", BUSY), ("free", BUSY.replace(
            ", actions: {compensation_cost: 4}", ""))):
        scenario = tmp_path / f"{name}.yaml"
        scenario.write_text(text)
        res = CliRunner().invoke(main, ["run", str(scenario), "-n", "2", "--seed", "4",
                                        "-o", str(tmp_path / name), "--no-figures"])
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
    paid, free = outputs
    assert "(overtime " in paid and "Staff cost, overtime (with premium)" in paid
    assert "compensation for failures" in paid and "Compensation paid for failures" in paid
    assert "compensation for failures" not in free
    assert "Compensation paid for failures" not in free


def test_comparison_shows_compensation_saved_by_training(tmp_path):
    """Training (a smaller failure_scale) fails a subset of the same services (common random
    numbers), so the compensation paid falls in every replication: the comparison shows the
    row and the verdict counts it as better."""
    scenario = tmp_path / "busy.yaml"
    scenario.write_text(BUSY)
    res = CliRunner().invoke(main, [
        "compare", str(scenario), "--variant", "trained: staff.clerks.failure_scale=0.1",
        "-n", "4", "--seed", "2", "-o", str(tmp_path / "cmp"), "--no-figures", "--no-report"])
    assert res.exit_code == 0, res.output
    assert "better on" in res.output and "compensation paid for failures (-" in res.output
    rows = [line for line in res.output.splitlines()
            if line.strip().startswith("Compensation paid for failures")]
    assert len(rows) == 1 and rows[0].rstrip().endswith("better")
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv").set_index("kpi")
    assert table.loc["recovery_cost", "diff_mean"] < 0


def test_steady_state_rows_stay_in_the_statistics_window():
    """A steady-state run: by-hour cost covers the window's hours (10:00-18:00), the KPIs
    the whole run (08:00-18:00, warm-up included): 2 people × 60/h × 8 h against × 10 h."""
    text = """
    name: steady
    clock: {open: "08:00"}
    run: {length_min: 600, warm_up_min: 120}
    customer_classes: {c: {pathway: p}}
    arrivals: {walk_in: {rate_per_hour: {"08:00": 10}}}
    stations:
      desk: {counters: 2, staff: clerks, service: {dist: exponential, mean: 5}}
    staff:
      clerks: {count: 2, cost_per_hour: 60}
    pathways: {p: [desk]}
    """
    plan = compile_plan(load_scenario_text(textwrap.dedent(text)).scenario)
    res = measure_records(simulate(plan, 1, 0), (), cost_rates(plan))
    rows = [r for r in res.by_hour if r["station"] == "all"]
    assert [r["hour"] for r in rows] == list(range(10, 18))
    assert math.fsum(r["staff_cost_regular"] for r in rows) == pytest.approx(960.0)
    assert res.kpis["staff_cost_regular"] == pytest.approx(1200.0)
