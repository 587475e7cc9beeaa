"""compare: paired differences with common random numbers, Bonferroni, CRN vs independent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments.compare import comparison_table, welch_half_width
from simulator.experiments.tasks import TaskResult, Variant
from simulator.measures.stats import bonferroni_confidence
from tests.helpers import HALL


@pytest.fixture(scope="module")
def one_more_clerk(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "c"
    res = CliRunner().invoke(main, ["compare", str(HALL), "--set",
                                    "staff.clerks.shifts.0.count=6", "-n", "20", "--seed", "3",
                                    "-o", str(out), "--independent-check"])
    assert res.exit_code == 0, res.output
    return out, res


def test_one_more_clerk_cuts_mean_wait_significantly(one_more_clerk):
    out, res = one_more_clerk
    table = pd.read_csv(out / "comparison.csv").set_index("kpi")
    row = table.loc["wait_mean_min"]
    assert row["significant"] and row["diff_ci_high"] < 0
    # the verdict first, then the table in words, judged by the direction of good:
    # the wait is better, the staff cost worse, and the standards' compliance rows are there
    out_text = res.stdout
    assert out_text.startswith("VERDICT: Best on mean total wait of served customers: ")
    wait_row = next(line for line in out_text.splitlines()
                    if line.strip().startswith("Mean total wait of served customers (min)"))
    assert wait_row.rstrip().endswith("better")
    cost_row = next(line for line in out_text.splitlines()
                    if line.strip().startswith("Staff cost"))
    assert cost_row.rstrip().endswith("worse")
    assert "Compliance: general window within 15 min" in out_text
    assert "Cost per unit of benefit: staff cost " in out_text
    assert "per minute of mean wait saved" in out_text
    assert "wait_mean_min" not in out_text


def test_crn_intervals_are_narrower_than_independent(one_more_clerk):
    out, _ = one_more_clerk
    row = pd.read_csv(out / "comparison.csv").set_index("kpi").loc["wait_mean_min"]
    assert row["diff_half_width"] < row["independent_half_width_est"]
    assert row["diff_half_width"] < row["independent_half_width_run"]


def test_compare_outputs(one_more_clerk):
    out, _ = one_more_clerk
    for name in ("comparison.csv", "replications.csv", "manifest.json", "spec.json",
                 "figures/differences.png"):
        assert (out / name).exists(), name
    reps = pd.read_csv(out / "replications.csv")
    assert sorted(set(reps["variant_id"])) == sorted(
        set(pd.read_csv(out / "comparison.csv")["variant_id"]) | {"base"})


def test_rerun_recomputes_nothing(one_more_clerk):
    out, _ = one_more_clerk
    before = (out / "comparison.csv").read_bytes()
    res = CliRunner().invoke(main, ["compare", str(HALL), "--set",
                                    "staff.clerks.shifts.0.count=6", "-n", "20", "--seed", "3",
                                    "-o", str(out), "--independent-check", "-q"])
    assert res.exit_code == 0, res.output
    import json

    m = json.loads((out / "manifest.json").read_text())
    assert m["execution"]["computed_tasks"] == 0 and m["execution"]["reused_tasks"] == 60
    assert (out / "comparison.csv").read_bytes() == before


def _variant(vid):
    return Variant(vid, vid, {}, None, "")  # type: ignore[arg-type]


def test_bonferroni_widens_with_more_variants():
    rng = np.random.default_rng(1)
    base = rng.normal(10, 1, 30)
    rows = {"base": [TaskResult("base", i, 0, {"k": x}) for i, x in enumerate(base)]}
    vs = []
    for j in range(3):
        vid = f"v{j}"
        vs.append(_variant(vid))
        rows[vid] = [TaskResult(vid, i, 0, {"k": x - 0.3 + rng.normal(0, 0.2)})
                     for i, x in enumerate(base)]
    one = comparison_table(_variant("base"), vs[:1], rows)
    three = comparison_table(_variant("base"), vs, rows)
    assert one["confidence"].iloc[0] == pytest.approx(0.95)
    assert three["confidence"].iloc[0] == pytest.approx(bonferroni_confidence(0.95, 3))
    assert three["diff_half_width"].iloc[0] > one["diff_half_width"].iloc[0]


def test_welch_half_width_matches_scipy():
    from scipy import stats

    a = np.array([1.0, 2.0, 4.0, 3.0])
    b = np.array([2.0, 5.0, 4.0, 6.0, 7.0])
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert welch_half_width(a, b, 0.95) == pytest.approx((ci.high - ci.low) / 2)


def test_compare_needs_something_to_compare():
    res = CliRunner().invoke(main, ["compare", str(HALL)])
    assert res.exit_code == 2 and "nothing to compare" in res.output


def test_bad_set_in_compare_is_a_scenario_error(tmp_path):
    res = CliRunner().invoke(main, ["compare", str(HALL), "--set", "stations.nope.counters=3",
                                    "-o", str(tmp_path / "x")])
    assert res.exit_code == 1
    assert "--set stations.nope.counters=3: stations.nope: no key 'nope'" in res.stderr
    assert not (tmp_path / "x").exists()
