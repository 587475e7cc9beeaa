"""--precision: replications are added until the relative half-width meets the target."""

from __future__ import annotations

import json

import pytest

from simulator import run_scenario
from simulator.experiments.precision import rel_half_widths, replicate_to_precision
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import HALL


def test_precision_run_equals_a_fixed_run_of_the_size_found(tmp_path):
    loaded = load_scenario(HALL)
    a = run_scenario(loaded, tmp_path / "p", seed=4, records="none", figures=False,
                     precision=0.06, precision_kpis=("wait_mean_min", "abandon_rate"),
                     replications=5)
    rep = a.precision
    assert rep is not None and rep.reached
    assert all(v <= 0.06 for v in rep.rel_half_width.values())
    assert rep.history[-1][0] == rep.replications and rep.history[0][0] == 5
    assert all(worst > 0.06 for _, worst in rep.history[:-1])
    run_scenario(loaded, tmp_path / "f", seed=4, records="none", figures=False,
                 replications=rep.replications)
    assert (tmp_path / "p" / "replications.csv").read_bytes() == \
        (tmp_path / "f" / "replications.csv").read_bytes()
    m = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert m["run"]["replications"] == rep.replications
    assert "confidence-interval method" in m["run"]["replications_method"]


def test_stops_at_the_cap_and_says_so():
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    results, rep = replicate_to_precision(plan, 1, 0.001, ["wait_mean_min"], initial=3,
                                          max_replications=6)
    assert len(results) == 6 and not rep.reached
    assert rel_half_widths(results, ["wait_mean_min"]) == rep.rel_half_width


def test_unknown_kpi_is_a_clear_error():
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    with pytest.raises(ValueError, match="wait_mean_min"):
        replicate_to_precision(plan, 1, 0.05, ["wait_mean"], initial=2, max_replications=4)
