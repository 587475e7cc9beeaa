"""Round trip: a log simulated from a known scenario is fitted back within the fit's 95 %
intervals (coverage over several seeds); the fitted scenario validates and runs; the
back-test of the example log flags no more intervals than chance; files are reproducible."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine.model import simulate
from simulator.experiments.fitting.fit import FitOptions, fit_log
from simulator.experiments.fitting.synthetic import simulated_log, weekdays
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import SCENARIOS

TRUTH = SCENARIOS / "examples" / "hall_ticket_truth.yaml"
EXAMPLE = SCENARIOS / "examples" / "hall_ticket_log.csv"
RATES = {"08:30": 40, "09:00": 40, "09:30": 60, "10:00": 60, "10:30": 70, "11:00": 70,
         "11:30": 70, "12:00": 50, "12:30": 50, "13:00": 50, "13:30": 60, "14:00": 60,
         "14:30": 60, "15:00": 45, "15:30": 45, "16:00": 30, "16:30": 30}
SERVICE = {"general": ("lognormal", 8.0, 0.6), "passports": ("gamma", 12.0, 0.5),
           "cashier": ("weibull", 2.5, 0.7)}


@pytest.fixture(scope="module")
def fits(tmp_path_factory) -> list:
    loaded = load_scenario(TRUTH)
    out = []
    for seed in range(5):
        path = tmp_path_factory.mktemp("rt") / f"log{seed}.csv"
        simulated_log(loaded, weekdays(date(2026, 3, 2), 8), 100 + seed).to_csv(path,
                                                                                 index=False)
        out.append(fit_log(path, FitOptions(seed=seed)))
    return out


def test_rates_are_recovered_within_their_intervals(fits) -> None:
    hits = total = 0
    for res in fits:
        rows = res.arrivals.rates()
        assert list(rows["interval_start"]) == list(RATES)
        for r in rows.itertuples():
            hits += r.ci_low <= RATES[r.interval_start] <= r.ci_high
            total += 1
    assert hits / total >= 0.88, f"{hits} of {total} rate intervals cover the truth"


def test_service_families_and_parameters_are_recovered(fits) -> None:
    hits = total = chosen = 0
    for res in fits:
        for station, (family, mean, cv) in SERVICE.items():
            fit = res.services[station]
            best = next(f for f in fit.fits if f.family == family)
            chosen += fit.chosen == family
            hits += (best.mean_low <= mean <= best.mean_high) + (best.cv_low <= cv <= best.cv_high)
            total += 2
    assert chosen >= 13, f"the true family chosen in {chosen} of 15 fits"
    assert hits >= 26, f"{hits} of {total} intervals cover the truth"  # 95 %: 28.5


def test_mean_patience_and_routing_are_recovered(fits) -> None:
    covered = sum(r.patience.best.mean_low <= 35.0 <= r.patience.best.mean_high for r in fits)
    assert covered >= 4
    shares = {"general": 0.5, "general_then_cashier": 0.2, "passports": 0.2,
              "passports_then_cashier": 0.1}
    hits = sum(row.ci_low <= shares[row[1]] <= row.ci_high for r in fits
               for row in r.routing.itertuples())
    assert hits >= 17  # of 20


def test_fitted_scenario_validates_and_runs(fits, tmp_path: Path) -> None:
    res = fits[0]
    path = tmp_path / "scenario.fitted.yaml"
    path.write_text(res.scenario_text, encoding="utf-8")
    loaded = load_scenario(path)
    assert set(loaded.scenario.stations) == set(SERVICE)
    assert "# n=" in res.scenario_text and "MLE" in res.scenario_text
    rec = simulate(compile_plan(loaded.scenario, loaded.base_dir), 1, 0)
    check_conservation(rec)
    assert len(rec.customers["customer_id"]) > 300


def test_example_backtest_and_reproducible_files(tmp_path: Path) -> None:
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        result = runner.invoke(main, ["fit", str(EXAMPLE), "-o", str(out), "--validate",
                                      "-n", "30", "-j", jobs, "--no-report", "-q"])
        assert result.exit_code == 0, result.output
        outs.append(out)
    for name in ("scenario.fitted.yaml", "fits.csv", "data_quality.csv", "arrivals.csv",
                 "routing.csv", "roster.csv", "backtest.csv", "figures/backtest.png"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    import json

    bt = json.loads((outs[0] / "manifest.json").read_text())["backtest"]
    assert bt["flagged"] <= bt["chance_bound_99"], bt["verdict"]
    dq = (outs[0] / "data_quality.csv").read_text()
    assert dq.count("row left out") == 5
    log_sha = json.loads((outs[0] / "manifest.json").read_text())["log"]["sha256"]
    import hashlib

    assert log_sha == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert np.isfinite(bt["cells"])
