"""A pilot study for choosing a warm-up: a steady-state scenario run with no warm-up.

:func:`pilot_series` simulates replications of the scenario with ``run.warm_up_min = 0`` and
returns one observation per replication and interval
(:func:`simulator.measures.warmup.interval_series`), the input of Welch's method and MSER-5
(:func:`simulator.measures.warmup.suggest_warmup`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulator.engine.model import simulate
from simulator.measures.warmup import SeriesKind, interval_series
from simulator.scenario.loader import validate_tree
from simulator.scenario.plan import compile_plan
from simulator.scenario.schema import Scenario

__all__ = ["pilot_series", "steady_state_variant"]




def steady_state_variant(
    scenario: Scenario, *, length_min: float | None = None, warm_up_min: float = 0.0
) -> Scenario:
    """A steady-state scenario with a new warm-up (and optionally run length), re-validated.

    Raises
    ------
    ValueError
        If ``scenario`` is a terminating service day (it opens empty and drains: no warm-up).
    simulator.scenario.loader.ScenarioError
        If the new values break a rule (e.g. a warm-up not shorter than the run).
    """
    if scenario.terminating:
        raise ValueError("a service day (clock.close, no run.length_min) is a terminating "
                         "simulation: it opens empty and ends when the day drains, so it "
                         "needs no warm-up; warm-up applies to steady-state studies "
                         "(clock without close, run.length_min)")
    tree = scenario.model_dump(by_alias=True)
    tree["run"]["warm_up_min"] = float(warm_up_min)
    if length_min is not None:
        tree["run"]["length_min"] = float(length_min)
    return validate_tree(tree, "<steady-state variant>")


def _one_series(plan: Any, seed: int, replication: int, interval_min: float,
                kind: SeriesKind) -> np.ndarray:
    return interval_series(simulate(plan, seed, replication), interval_min, kind)


def pilot_series(
    scenario: Scenario,
    *,
    replications: int,
    seed: int,
    interval_min: float = 10.0,
    kind: SeriesKind = "in_system",
    length_min: float | None = None,
    base_dir: Path | None = None,
    jobs: int = 1,
    on_replication: Any = None,
) -> np.ndarray:
    """Run a pilot study with no warm-up and return its series, shape (replications, T).

    Replication ``r`` uses the named streams of ``(seed, r)`` exactly as ``servsim run``, so
    the result depends only on the scenario, ``seed`` and the grid, never on ``jobs``.

    Parameters
    ----------
    scenario : Scenario
        A steady-state scenario (its ``run.warm_up_min`` is replaced by 0).
    replications, seed : int
        Pilot replications and seed.
    interval_min : float, default 10
        Grid interval, minutes.
    kind : {"in_system", "waiting", "wait"}
        The observation (:func:`interval_series`).
    length_min : float, optional
        Run length instead of the scenario's ``run.length_min``.
    base_dir : Path, optional
        Folder for files the scenario names (traces, empirical distributions).
    jobs : int, default 1
        joblib workers (1: in this process; -1: all cores).
    on_replication : callable, optional
        Called with no arguments after each replication (progress).
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1 (got {replications})")
    variant = steady_state_variant(scenario, length_min=length_min, warm_up_min=0.0)
    plan = compile_plan(variant, base_dir)
    if jobs == 1 or replications == 1:
        rows = []
        for r in range(replications):
            rows.append(_one_series(plan, seed, r, interval_min, kind))
            if on_replication is not None:
                on_replication()
    else:
        from joblib import Parallel, delayed

        rows = []
        for row in Parallel(n_jobs=jobs, return_as="generator")(
            delayed(_one_series)(plan, seed, r, interval_min, kind)
            for r in range(replications)
        ):
            rows.append(row)
            if on_replication is not None:
                on_replication()
    return np.vstack(rows)


