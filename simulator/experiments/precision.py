"""Enough replications: add replications until the chosen KPIs are precise enough.

The confidence-interval method (Law 2015, §9.4.1; Hoad, Robinson & Davies 2010 call it the
"CI method"): after each batch, compute the 95 % Student-t half-width of each chosen KPI's mean
across replications; stop when every relative half-width ``half_width / |mean|`` is at most the
target. The next batch size comes from the usual ``n (h / target)²`` projection, bounded to
between one more replication and doubling. Because replication ``r`` is a pure function of
(scenario, seed, r), the first ``n`` replications are the same as in a fixed run of ``n``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulator.experiments.runner import ReplicationResult, ReplicationTask, iter_results
from simulator.measures import stats
from simulator.scenario.plan import Plan


@dataclass(frozen=True)
class PrecisionReport:
    """How many replications were needed and the precision reached per KPI."""

    target: float
    kpis: tuple[str, ...]
    replications: int
    reached: bool
    rel_half_width: dict[str, float]
    history: tuple[tuple[int, float], ...]  # (n, worst relative half-width) per batch


def rel_half_widths(results: Sequence[ReplicationResult], kpis: Sequence[str],
                    confidence: float = 0.95) -> dict[str, float]:
    """Relative half-width of each KPI's mean over ``results`` (inf when the mean is 0)."""
    out = {}
    for k in kpis:
        ti = stats.t_interval([r.kpis.get(k, math.nan) for r in results], confidence)
        if ti.n < 2 or ti.half_width != ti.half_width:
            out[k] = math.inf
        elif ti.mean == 0:
            out[k] = 0.0 if ti.half_width == 0 else math.inf
        else:
            out[k] = ti.half_width / abs(ti.mean)
    return out


def replicate_to_precision(
    plan: Plan,
    seed: int,
    target: float,
    kpis: Sequence[str],
    *,
    initial: int = 10,
    max_replications: int = 1000,
    jobs: int = 1,
    records_mode: str = "none",
    records_dir=None,
    records_format: str = "csv",
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> tuple[list[ReplicationResult], PrecisionReport]:
    """Run replications in batches until every KPI's relative half-width <= ``target``.

    Raises
    ------
    ValueError
        If a KPI name is unknown (the message lists close names).
    """
    if not 0 < target < 1:
        raise ValueError(f"precision must be between 0 and 1 (got {target})")
    results: list[ReplicationResult] = []
    n_next = max(2, initial)
    history = []
    while True:
        tasks = [ReplicationTask(r, seed) for r in range(len(results), n_next)]
        for res in iter_results(plan, tasks, jobs, records_mode, records_dir,  # type: ignore[arg-type]
                                records_format):  # type: ignore[arg-type]
            results.append(res)
            if on_result is not None:
                on_result(res)
        results.sort(key=lambda r: r.replication)
        unknown = [k for k in kpis if k not in results[0].kpis]
        if unknown:
            import difflib

            near = difflib.get_close_matches(unknown[0], list(results[0].kpis), n=3)
            hint = ", ".join(near) or "wait_mean_min"
            raise ValueError(f"unknown KPI for --precision-kpi (got {unknown[0]!r}; expected "
                             f"one of the summary's KPIs, e.g. {hint})")
        rel = rel_half_widths(results, kpis)
        worst = max(rel.values())
        n = len(results)
        history.append((n, worst))
        if worst <= target or n >= max_replications:
            return results, PrecisionReport(target, tuple(kpis), n, worst <= target, rel,
                                            tuple(history))
        grow = math.ceil(n * (worst / target) ** 2) if math.isfinite(worst) else 2 * n
        n_next = min(max_replications, max(n + 1, min(grow, 2 * n)))
