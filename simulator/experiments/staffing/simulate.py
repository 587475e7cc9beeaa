"""Replications of staffing variants, on common random numbers, through the task executors.

Every variant of a staffing study (each iteration's staffing, the stationary answer, the shift
plan, the original scenario) runs replications 0 .. n-1 with the same seed, so they see the
same customers (common random numbers, CRN): differences between iterations come from the
staffing, not from luck. Tasks go through :func:`simulator.experiments.tasks.execute`, so the
in-process, joblib and Dask backends all work and results do not depend on the workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.experiments.staffing.measure import IntervalMeasure, ReplicationIntervals
from simulator.experiments.tasks import Backend, Task, TaskResult, execute
from simulator.scenario.plan import compile_plan
from simulator.scenario.profile import resolve_profile
from simulator.scenario.schema import Scenario

__all__ = ["StaffingRunner"]


@dataclass
class StaffingRunner:
    """Runs scenarios for a staffing study and counts the replications simulated."""

    base_dir: Path
    seed: int
    measure: IntervalMeasure
    backend: Backend = "inprocess"
    jobs: int = 1
    scheduler: str | None = None
    simulated: int = field(default=0, init=False)

    def run(self, scenarios: Mapping[str, Scenario], replications: int,
            kpis: bool = False) -> dict[str, list[TaskResult]]:
        """Replications 0 .. ``replications``-1 of every scenario, ordered by replication.

        Raises
        ------
        RuntimeError
            If a replication failed (with its variant, replication and traceback).
        """
        plans = {vid: compile_plan(resolve_profile(sc, self.base_dir), self.base_dir)
                 for vid, sc in scenarios.items()}
        tasks = [Task(vid, r, self.seed) for vid in scenarios for r in range(replications)]
        measure = IntervalMeasure(self.measure.edges, self.measure.stations,
                                  self.measure.standards, self.measure.csat, kpis)
        out: dict[str, list[TaskResult]] = {vid: [] for vid in scenarios}
        for res in execute(plans, tasks, backend=self.backend, jobs=self.jobs,
                           scheduler=self.scheduler, measure=measure):
            if res.error is not None:
                raise RuntimeError(f"replication {res.replication} of {res.variant_id} "
                                   f"failed:\n{res.error}")
            out[res.variant_id].append(res)
        self.simulated += len(tasks)
        for rows in out.values():
            rows.sort(key=lambda r: r.replication)
        return out

    @staticmethod
    def intervals(rows: list[TaskResult]) -> list[ReplicationIntervals]:
        """The per-interval measures of each replication."""
        return [r.extra for r in rows]
