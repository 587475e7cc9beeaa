"""The built-in self-check: the full default run passes, and a wrong theory value fails."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from simulator import theory as qt
from simulator.cli import selfcheck as selfcheck_cli
from simulator.cli.selfcheck import selfcheck
from simulator.experiments import selfcheck as sc
from simulator.experiments.selfcheck import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    Case,
    check,
    default_cases,
    format_table,
    run_case,
    run_selfcheck,
)


def _shorter(case: Case, length: int) -> Case:
    """The same case with a shorter run (for fast tests of the machinery, not of theory)."""
    lines = []
    for line in case.yaml.splitlines():
        if line.lstrip().startswith("run:"):
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}run: {{length_min: {length}, warm_up_min: 20}}"
        lines.append(line)
    return dataclasses.replace(case, yaml="\n".join(lines) + "\n")


def _case(name: str) -> Case:
    return next(c for c in default_cases() if c.name == name)


# ---------------------------------------------------------------------------------------------
# The full default run (about 12 s on one core)
# ---------------------------------------------------------------------------------------------


def test_full_default_selfcheck_passes_every_line():
    results = run_selfcheck()  # the defaults users get from `servsim selfcheck`
    assert [r for r in results if not r.passed] == [], "\n" + format_table(results)
    cases = default_cases()
    assert len(results) == sum(len(c.quantities) for c in cases)
    names = {c.name for c in cases}
    assert {"M/M/1", "M/M/c light", "M/M/c heavy", "M/M/c/K", "Erlang A", "M/D/1", "M/G/1",
            "Priority", "Tandem", "Choice split", "Jockeying", "M^X/M/1"} <= names
    for r in results:
        assert r.n == DEFAULT_REPLICATIONS
        assert r.ci_low <= r.mean <= r.ci_high
        assert r.se > 0
        # the check is meaningful: intervals are tight relative to the value
        assert r.ci_high - r.ci_low < 0.5 * abs(r.theory), r


def test_default_cases_use_textbook_values():
    by_name = {c.name: c for c in default_cases()}
    mm1 = by_name["M/M/1"].quantities[0]
    assert mm1.theory == pytest.approx(0.7 / 0.3)  # rho / (mu - lambda)
    light, heavy = by_name["M/M/c light"], by_name["M/M/c heavy"]
    assert light.quantities[2].theory == pytest.approx(0.5)
    assert heavy.quantities[3].theory == pytest.approx(0.9)
    prio = by_name["Priority"].quantities
    # conservation: the arrival-weighted class waits equal the FCFS M/M/2 wait
    assert 0.4 * prio[0].theory + 0.6 * prio[1].theory == pytest.approx(
        qt.mmc(1.6, 1.0, 2).mean_wait_min)
    assert all(q.slack == 0.0 for c in default_cases() for q in c.quantities)


# ---------------------------------------------------------------------------------------------
# The check can fail
# ---------------------------------------------------------------------------------------------


def test_check_criterion_is_three_standard_errors():
    x = np.array([1.0, 1.4, 0.8, 1.2, 1.1])
    se = x.std(ddof=1) / math.sqrt(x.size)
    inside = check("c", "q", x, x.mean() + 2.99 * se)
    outside = check("c", "q", x, x.mean() + 3.01 * se)
    assert inside.passed and not outside.passed
    assert outside.se == pytest.approx(se)
    assert outside.deviation_se == pytest.approx(-3.01)
    assert check("c", "q", x, x.mean() + 3.01 * se, slack=0.02 * se).passed
    assert not check("c", "q", [1.0], 1.0).passed  # no interval from one replication
    assert not check("c", "q", [1.0, math.nan], 1.0).passed


def test_deliberately_wrong_theory_value_fails_its_line():
    case = _case("M/M/c/K")
    right = case.quantities[0]
    wrong = dataclasses.replace(right, theory=right.theory * 1.25)
    bad_case = dataclasses.replace(case, quantities=(wrong, *case.quantities[1:]))
    results = run_case(bad_case)
    assert not results[0].passed
    assert abs(results[0].deviation_se) > 3
    assert all(r.passed for r in results[1:])


def test_command_exits_1_and_says_fail_on_a_wrong_value(monkeypatch):
    case = _shorter(_case("M/M/1"), 400)
    wrong = tuple(dataclasses.replace(q, theory=q.theory * 3) for q in case.quantities)
    monkeypatch.setattr(selfcheck_cli, "default_cases",
                        lambda: [dataclasses.replace(case, quantities=wrong)])
    result = CliRunner().invoke(selfcheck, ["-n", "4", "-q"])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output
    assert "3 FAILED" in result.output


# ---------------------------------------------------------------------------------------------
# The command and the machinery
# ---------------------------------------------------------------------------------------------


def test_command_table_and_json(monkeypatch):
    cases = [_shorter(_case("M/M/c/K"), 300), _shorter(_case("Priority"), 300)]
    monkeypatch.setattr(selfcheck_cli, "default_cases", lambda: cases)
    table = CliRunner().invoke(selfcheck, ["-n", "6", "-q"])
    assert table.exit_code in (0, 1), table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:4] == ["case", "quantity", "theory", "simulated"]
    assert any(line.startswith("M/M/c/K") and "P(blocked)" in line for line in lines)
    assert any(line.startswith("Priority") and "high priority" in line for line in lines)

    out = CliRunner().invoke(selfcheck, ["-n", "6", "--json", "-q"])
    doc = json.loads(out.stdout)
    assert doc["seed"] == DEFAULT_SEED and doc["replications"] == 6
    assert [c["case"] for c in doc["cases"]] == ["M/M/c/K", "Priority"]
    assert len(doc["results"]) == 5
    first = doc["results"][0]
    assert first["theory"] == pytest.approx(qt.mmck(2.0, 1.0, 2, 5).p_block)
    assert set(first) >= {"case", "quantity", "theory", "mean", "ci_low", "ci_high", "se",
                          "n", "passed", "deviation_se"}
    assert doc["passed"] == all(r["passed"] for r in doc["results"])
    assert (out.exit_code == 0) == doc["passed"]


@pytest.mark.parametrize("name", ["M/M/c/K", "Priority"])
def test_results_do_not_depend_on_jobs(name):
    case = _shorter(_case(name), 200)
    one = run_case(case, replications=4, seed=3, jobs=1)
    two = run_case(case, replications=4, seed=3, jobs=2)
    assert [r.to_dict() for r in one] == [r.to_dict() for r in two]


def test_per_class_waits_drop_the_warm_up_and_average_to_the_station_wait():
    case = _shorter(_case("Priority"), 400)
    rows = sc._kpi_rows(case, 2, 11, 1)
    for k in rows:
        hi, lo = k["class__hi__wait_mean_min"], k["class__lo__wait_mean_min"]
        assert 0 <= hi < lo
        # the station's mean wait lies between the class means (it is their weighted mean)
        assert hi <= k["s__wait_mean_min"] <= lo


def test_replications_below_two_are_refused():
    with pytest.raises(ValueError, match="replications must be >= 2"):
        run_selfcheck(replications=1)
