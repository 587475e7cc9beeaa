"""Simulation agrees with queueing theory, run as scenario files through the public API.

Tolerance: 3 standard errors of the across-replication mean (never pinned digits), plus a
small allowance for the initial transient left after the warm-up.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from simulator import theory
from simulator.experiments.runner import run_replications
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan


def steady(counters: int, rate_per_hour: float, mean_service: float, *, length: float,
           warm_up: float, extra_station: str = "", extra_class: str = "",
           service: str = "exponential") -> str:
    dist = (f"{{dist: exponential, mean: {mean_service}}}" if service == "exponential"
            else service)
    return textwrap.dedent(f"""
        name: theory check
        clock: {{open: "00:00"}}
        run: {{length_min: {length}, warm_up_min: {warm_up}}}
        customer_classes: {{c: {{pathway: p{extra_class}}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
        stations:
          s: {{counters: {counters}, staffed: false, service: {dist}{extra_station}}}
        pathways: {{p: [s]}}
    """)


def kpi_samples(yaml: str, reps: int, seed: int = 2026) -> dict[str, np.ndarray]:
    plan = compile_plan(load_scenario_text(yaml).scenario)
    results = run_replications(plan, reps, seed)
    keys = results[0].kpis.keys()
    return {k: np.array([r.kpis[k] for r in results], dtype=float) for k in keys}


def assert_close(sample: np.ndarray, expected: float, slack: float = 0.0) -> None:
    se = sample.std(ddof=1) / np.sqrt(len(sample))
    assert abs(sample.mean() - expected) <= 3 * se + slack, (
        f"simulated {sample.mean():.4f} ± {se:.4f} (SE) vs theory {expected:.4f}")


def test_mm1_mean_wait_queue_and_utilisation():
    lam, es = 0.7, 1.0
    k = kpi_samples(steady(1, lam * 60, es, length=4000, warm_up=300), reps=20)
    th = theory.mm1(lam, es)
    assert_close(k["s__wait_mean_min"], th.mean_wait_min)
    assert_close(k["s__queue_len_tw"], th.mean_queue_len)
    assert_close(k["s__utilisation_tw"], th.utilisation)


def test_mmc_erlang_c_mean_wait():
    lam, es, c = 2.4, 1.0, 3
    k = kpi_samples(steady(c, lam * 60, es, length=3000, warm_up=200), reps=15)
    th = theory.mmc(lam, es, c)
    assert_close(k["s__wait_mean_min"], th.mean_wait_min)
    assert_close(k["s__utilisation_tw"], th.utilisation)
    assert_close(k["s__queue_len_tw"], th.mean_queue_len)


def test_mmck_blocking_probability():
    lam, es, c, cap = 2.0, 1.0, 2, 5
    yaml = steady(c, lam * 60, es, length=3000, warm_up=100,
                  extra_station=f", waiting_room: {cap - c}")
    k = kpi_samples(yaml, reps=15)
    th = theory.mmck(lam, es, c, cap)
    assert_close(k["blocked"] / k["arrived"], th.p_block)
    assert_close(k["s__wait_mean_min"], th.mean_wait_min)


def test_erlang_a_abandonment():
    lam, es, c, patience = 2.2, 1.0, 2, 3.0
    yaml = steady(c, lam * 60, es, length=3000, warm_up=100,
                  extra_class=f", patience: {{dist: exponential, mean: {patience}}}")
    k = kpi_samples(yaml, reps=15)
    th = theory.erlang_a(lam, es, c, patience)
    assert_close(k["abandon_rate"], th.p_abandon, slack=0.002)


def test_md1_pollaczek_khinchine():
    lam = 0.75
    yaml = steady(1, lam * 60, 1.0, length=4000, warm_up=200,
                  service="{dist: constant, value: 1.0}")
    k = kpi_samples(yaml, reps=15)
    assert_close(k["s__wait_mean_min"], theory.mg1(lam, 1.0, 0.0).mean_wait_min)


@pytest.mark.parametrize(("dist", "cv"), [("lognormal", 0.5), ("gamma", 1.5)])
def test_mg1_general_service(dist, cv):
    lam = 0.6
    yaml = steady(1, lam * 60, 1.0, length=4000, warm_up=300,
                  service=f"{{dist: {dist}, mean: 1.0, cv: {cv}}}")
    k = kpi_samples(yaml, reps=20)
    assert_close(k["s__wait_mean_min"], theory.mg1(lam, 1.0, cv).mean_wait_min)
