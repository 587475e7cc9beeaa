"""`servsim theory`: the calculator equals the library, errors are clean, and the
hour-by-hour --scenario view covers every station and open hour."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from simulator import theory as qt
from simulator.cli.theory import qed_beta_for_mean_wait, qed_beta_for_service_level, theory
from simulator.experiments.runner import run_replications
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from simulator.theory.hourly import HOURLY_THEORY_COLUMNS, hourly_theory
from tests.helpers import HALL


def run(*args: str):
    return CliRunner().invoke(theory, list(args))


def table_values(output: str) -> dict[str, float]:
    """metric -> value of the calculator's table (numbers only)."""
    values: dict[str, float] = {}
    for line in output.splitlines()[3:]:
        parts = line.split("  ")
        cells = [p.strip() for p in parts if p.strip()]
        if len(cells) >= 2:
            try:
                values[cells[0]] = float(cells[1])
            except ValueError:
                pass
    return values


def as_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# Table and JSON equal the library
# ---------------------------------------------------------------------------------------------


def test_mmc_table_equals_library_in_planner_units():
    result = run("mmc", "--rate-per-hour", "100", "--mean-service-min", "5", "--servers", "10",
                 "--within-min", "0.33")
    assert result.exit_code == 0, result.output
    m = qt.mmc(100 / 60, 5, 10)
    v = table_values(result.output)
    assert v["servers"] == 10
    assert v["mean wait"] == pytest.approx(m.mean_wait_min, rel=1e-5)
    assert v["P(wait)"] == pytest.approx(m.p_wait, rel=1e-5)
    assert v["utilisation"] == pytest.approx(m.utilisation, rel=1e-5)
    assert v["mean queue length"] == pytest.approx(m.mean_queue_len, rel=1e-5)
    assert v["throughput"] == pytest.approx(100.0)
    assert v["P(wait > 0.33 min)"] == pytest.approx(
        qt.mmc_wait_exceeds(100 / 60, 5, 10, 0.33), rel=1e-5)
    assert v["service level P(wait <= 0.33 min)"] == pytest.approx(
        qt.mmc_service_level(100 / 60, 5, 10, 0.33), rel=1e-5)


def test_mmc_json_is_to_dict_plus_inputs():
    doc = as_json("mmc", "--rate-per-hour", "100", "--mean-service-min", "5", "--servers",
                  "10", "--within-min", "0.33")
    m = qt.mmc(100 / 60, 5, 10)
    assert {k: doc[k] for k in m.to_dict()} == m.to_dict()
    assert doc["p_wait_exceeds"] == qt.mmc_wait_exceeds(100 / 60, 5, 10, 0.33)
    assert doc["service_level"] == qt.mmc_service_level(100 / 60, 5, 10, 0.33)
    assert doc["inputs"] == {"rate_per_hour": 100, "mean_service_min": 5, "servers": 10,
                             "within_min": 0.33}


@pytest.mark.parametrize(("args", "expected"), [
    (["mm1", "--rate-per-hour", "42", "--mean-service-min", "1"], qt.mm1(0.7, 1)),
    (["mmck", "--rate-per-hour", "120", "--mean-service-min", "1", "--servers", "2",
      "--capacity", "5"], qt.mmck(2, 1, 2, 5)),
    (["erlang-a", "--rate-per-hour", "132", "--mean-service-min", "1", "--servers", "2",
      "--patience-min", "3"], qt.erlang_a(2.2, 1, 2, 3)),
    (["mg1", "--rate-per-hour", "36", "--mean-service-min", "1", "--cv", "1.5"],
     qt.mg1(0.6, 1, 1.5)),
    (["mg1", "--rate-per-hour", "45", "--mean-service-min", "1", "--cv", "0"],
     qt.mg1(0.75, 1, 0)),
    (["priority", "--rates-per-hour", "30,20", "--mean-service-min", "1"],
     qt.priority_mm1([0.5, 1 / 3], 1)),
    (["priority", "--rates-per-hour", "38.4,57.6", "--mean-service-min", "1", "--servers",
      "2"], qt.priority_mmc([0.64, 0.96], 1, 2)),
])
def test_json_equals_library(args, expected):
    doc = as_json(*args)
    want = expected.to_dict()
    got = {k: doc[k] for k in want}
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
        elif isinstance(value, list):
            assert got[key] == pytest.approx(value, rel=1e-12), key
        else:
            assert got[key] == value, key


def test_priority_table_lists_classes_highest_first():
    result = run("priority", "--rates-per-hour", "30,20", "--mean-service-min", "1")
    assert result.exit_code == 0, result.output
    pm = qt.priority_mm1([0.5, 1 / 3], 1)
    v = table_values(result.output)
    assert v["class 1 (highest) mean wait"] == pytest.approx(pm.mean_wait_min_by_class[0],
                                                             rel=1e-5)
    assert v["class 2 (lowest) mean wait"] == pytest.approx(pm.mean_wait_min_by_class[1],
                                                            rel=1e-5)


def test_erlang_b_equals_library():
    doc = as_json("erlang-b", "--rate-per-hour", "120", "--mean-service-min", "3",
                  "--servers", "8")
    assert doc["p_block"] == qt.erlang_b(6.0, 8)
    assert doc["p_block"] == pytest.approx(qt.mmck(2.0, 3.0, 8, 8).p_block, rel=1e-12)
    v = table_values(run("erlang-b", "--rate-per-hour", "120", "--mean-service-min", "3",
                         "--servers", "8").output)
    assert v["P(blocked) (Erlang B)"] == pytest.approx(qt.erlang_b(6.0, 8), rel=1e-5)
    assert v["lost customers"] == pytest.approx(120 * qt.erlang_b(6.0, 8), rel=1e-5)


def test_staffing_service_level_beside_square_root_rule():
    lam, es = 100 / 60, 5.0
    doc = as_json("staffing", "--rate-per-hour", "100", "--mean-service-min", "5",
                  "--service-level", "0.8", "--within", "0.33")
    c = qt.servers_for_service_level(lam, es, 0.8, 0.33)
    assert doc["servers"] == c
    assert doc["service_level"] == qt.mmc_service_level(lam, es, c, 0.33) >= 0.8
    assert qt.mmc_service_level(lam, es, c - 1, 0.33) < 0.8
    a = lam * es
    beta = doc["square_root"]["beta"]
    assert beta == pytest.approx(qed_beta_for_service_level(a, es, 0.8, 0.33))
    assert doc["square_root"]["servers"] == qt.square_root_staffing(a, beta)
    table = run("staffing", "--rate-per-hour", "100", "--mean-service-min", "5",
                "--service-level", "0.8", "--within-min", "0.33")
    v = table_values(table.output)
    assert v["servers needed (exact Erlang C)"] == c
    assert v["servers, ceil(a + beta sqrt(a))"] == qt.square_root_staffing(a, beta)


def test_staffing_mean_wait():
    lam, es = 100 / 60, 5.0
    doc = as_json("staffing", "--rate-per-hour", "100", "--mean-service-min", "5",
                  "--max-mean-wait-min", "0.5")
    c = qt.servers_for_mean_wait(lam, es, 0.5)
    assert doc["servers"] == c
    assert doc["metrics"] == qt.mmc(lam, es, c).to_dict()
    assert doc["square_root"]["servers"] == qt.square_root_staffing(
        lam * es, qed_beta_for_mean_wait(lam * es, es, 0.5))


def test_qed_beta_solves_its_targets():
    a, es = 50.0, 4.0
    beta = qed_beta_for_service_level(a, es, 0.8, 0.5)
    tail = qt.halfin_whitt_p_wait(beta) * math.exp(-beta * math.sqrt(a) * 0.5 / es)
    assert tail == pytest.approx(0.2, rel=1e-9)
    # with t = 0 it is the Halfin-Whitt beta for P(wait) = 1 - target
    assert qed_beta_for_service_level(a, es, 0.8, 0.0) == pytest.approx(
        qt.halfin_whitt_beta(0.2), rel=1e-8)
    beta = qed_beta_for_mean_wait(a, es, 0.25)
    assert qt.halfin_whitt_p_wait(beta) * es / (beta * math.sqrt(a)) == pytest.approx(0.25)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "named"), [
    (["mmc", "--rate-per-hour", "60", "--mean-service-min", "1"], "--servers"),
    (["mm1", "--mean-service-min", "1"], "--rate-per-hour"),
    (["mmc", "--rate-per-hour", "-1", "--mean-service-min", "1", "--servers", "2"],
     "--rate-per-hour"),
    (["mmc", "--rate-per-hour", "1", "--mean-service-min", "0", "--servers", "2"],
     "--mean-service-min"),
    (["mmc", "--rate-per-hour", "1", "--mean-service-min", "1", "--servers", "0"],
     "--servers"),
    (["mmck", "--rate-per-hour", "60", "--mean-service-min", "1", "--servers", "3",
      "--capacity", "2"], "--capacity"),
    (["mm1", "--rate-per-hour", "30", "--mean-service-min", "1", "--servers", "2"],
     "--servers"),
    (["mg1", "--rate-per-hour", "30", "--mean-service-min", "1", "--cv", "-0.5"], "--cv"),
    (["priority", "--rates-per-hour", "30,x", "--mean-service-min", "1"], "--rates-per-hour"),
    (["priority", "--rates-per-hour", "30,,20", "--mean-service-min", "1"],
     "--rates-per-hour"),
    (["staffing", "--rate-per-hour", "30", "--mean-service-min", "1", "--service-level",
      "1"], "--service-level"),
    (["staffing", "--rate-per-hour", "30", "--mean-service-min", "1", "--service-level",
      "0.8"], "--within-min"),
    (["staffing", "--rate-per-hour", "30", "--mean-service-min", "1"], "--max-mean-wait-min"),
    (["erlang-a", "--rate-per-hour", "30", "--mean-service-min", "1", "--servers", "1",
      "--patience-min", "0"], "--patience-min"),
    (["mm1", "--rate-per-hour", "30", "--mean-service-min", "1", "--seed", "3"], "--seed"),
    (["mm2", "--rate-per-hour", "30", "--mean-service-min", "1"], "MODEL"),
])
def test_usage_errors_exit_2_and_name_the_option(args, named):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert "Traceback" not in result.output


def test_no_model_and_both_model_and_scenario_are_usage_errors():
    assert run().exit_code == 2
    both = run("mm1", "--scenario", str(HALL))
    assert both.exit_code == 2 and "not both" in both.output
    extra = run("--scenario", str(HALL), "--servers", "3")
    assert extra.exit_code == 2 and "--servers" in extra.output


@pytest.mark.parametrize(("args", "util"), [
    (["mm1", "--rate-per-hour", "72", "--mean-service-min", "1"], "1.2"),
    (["mmc", "--rate-per-hour", "150", "--mean-service-min", "1", "--servers", "2"], "1.25"),
    (["mg1", "--rate-per-hour", "60", "--mean-service-min", "1", "--cv", "1"], "1"),
    (["priority", "--rates-per-hour", "30,40", "--mean-service-min", "1"], "1.16667"),
])
def test_unstable_system_exits_1_with_the_utilisation(args, util):
    for extra in ([], ["--json"]):
        result = run(*args, *extra)
        assert result.exit_code == 1, result.output
        assert f"utilisation {util} >= 1" in result.output
        assert "Traceback" not in result.output


def test_stable_by_design_models_accept_overload():
    # loss and abandonment systems have a steady state at any load
    assert run("mmck", "--rate-per-hour", "600", "--mean-service-min", "1", "--servers", "2",
               "--capacity", "4").exit_code == 0
    assert run("erlang-a", "--rate-per-hour", "600", "--mean-service-min", "1", "--servers",
               "2", "--patience-min", "2").exit_code == 0


# ---------------------------------------------------------------------------------------------
# --scenario: stationary Erlang C per station and hour beside the simulation
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hall_json() -> dict:
    result = CliRunner().invoke(theory, ["--scenario", str(HALL), "-n", "3", "--seed", "5",
                                         "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_scenario_rows_cover_every_station_and_open_hour(hall_json):
    loaded = load_scenario(HALL)
    stations = list(loaded.scenario.stations)
    rows = hall_json["rows"]
    assert hall_json["replications"] == 3 and hall_json["seed"] == 5
    open_hours = range(8, 17)  # 08:30-17:00
    assert [(r["hour"], r["station"]) for r in rows] == [
        (h, s) for h in open_hours for s in stations]
    assert set(rows[0]) == set(HOURLY_THEORY_COLUMNS)
    for r in rows:
        assert r["servers"] >= 0
        if r["servers"] > 0 and r["offered_load"] < r["servers"]:
            assert r["status"] == "ok"
            assert math.isfinite(r["predicted_wait_min"]) and r["predicted_wait_min"] >= 0
            assert 0 <= r["p_wait"] <= 1
        else:
            assert r["status"] in ("overloaded", "no servers")
            assert r["predicted_wait_min"] is None  # NaN in the frame, null in JSON
    kiosk = [r for r in rows if r["station"] == "ticket_kiosk"]
    assert all(r["servers"] == 2 for r in kiosk)  # unstaffed: its counters
    assert [r["minutes_open"] for r in kiosk] == [30.0] + [60.0] * 8
    # the lunch break at the general windows: fewer clerks from 12:00
    general = {r["hour"]: r for r in rows if r["station"] == "general_window"}
    assert general[12]["servers"] < general[11]["servers"]
    assert any(r["status"] == "overloaded" for r in rows)


def test_scenario_table_output():
    result = CliRunner().invoke(theory, ["--scenario", str(HALL), "-n", "2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Erlang C Wq" in out and "simulated Wq" in out
    for station in ("ticket_kiosk", "general_window", "specialist_window", "supervisor",
                    "cashier"):
        assert f"08:00 {station}" in out and f"16:00 {station}" in out
    assert "overloaded" in out


def test_hourly_theory_matches_erlang_c_and_the_replications():
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    results = run_replications(plan, 2, 9)
    table = hourly_theory(plan, results)
    row = table[(table["station"] == "cashier") & (table["hour"] == 10)].iloc[0]
    lam = row["arrivals_per_hour"] / 60
    m = qt.mmc(lam, row["mean_service_min"], int(row["servers"]))
    assert row["predicted_wait_min"] == pytest.approx(m.mean_wait_min)
    assert row["offered_load"] == pytest.approx(lam * row["mean_service_min"])
    sims = [r["wait_mean_min"] for res in results for r in res.by_hour
            if r["station"] == "cashier" and r["hour"] == 10]
    assert row["sim_wait_mean_min"] == pytest.approx(sum(sims) / len(sims))
    with pytest.raises(ValueError, match="at least one replication"):
        hourly_theory(plan, [])


def test_invalid_scenario_exits_1_with_the_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HALL.read_text(encoding="utf-8").replace("counters: 8", "counters: -8"),
                   encoding="utf-8")
    result = run("--scenario", str(bad), "-n", "2")
    assert result.exit_code == 1
    assert "counters" in result.output and "nothing was run" in result.output
    assert "Traceback" not in result.output
