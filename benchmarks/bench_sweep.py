"""Sweep throughput: replications per second on 1 and 2 workers (whole-process figures).

Runs the same sweep of the bundled government hall (3 × 2 variants × N replications) with
``-j 1`` and ``-j 2`` through the public API, each into a fresh folder, and prints tasks per
second and the speed-up. Usage::

    python benchmarks/bench_sweep.py [--replications 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from simulator.api import run_sweep
from simulator.experiments.sweep import parse_vary
from simulator.scenario.loader import load_scenario

HALL = Path(__file__).resolve().parent.parent / "scenarios" / "government_hall.yaml"
VARY = ["staff.clerks.shifts.0.count=4..6", "stations.general_window.service.cv=0.4,0.8"]


def timed_sweep(jobs: int, backend: str, replications: int) -> tuple[float, int]:
    loaded = load_scenario(HALL)
    root = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        t0 = time.perf_counter()
        out = run_sweep(loaded, [parse_vary(v) for v in VARY], root / "out",
                        replications=replications, seed=1, jobs=jobs,
                        backend=backend, figures=False)  # type: ignore[arg-type]
        wall = time.perf_counter() - t0
        assert out.run is not None
        return wall, out.run.report.computed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for jobs, backend in ((1, "inprocess"), (2, "joblib")):
        wall, tasks = timed_sweep(jobs, backend, args.replications)
        rows.append({"jobs": jobs, "backend": backend, "tasks": tasks, "wall_s": wall,
                     "tasks_per_s": tasks / wall})
    base = rows[0]["tasks_per_s"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"{'jobs':>4s} {'backend':>10s} {'tasks':>6s} {'wall s':>8s} {'tasks/s':>8s} "
          f"{'speed-up':>8s}")
    for r in rows:
        print(f"{r['jobs']:>4d} {r['backend']:>10s} {r['tasks']:>6d} {r['wall_s']:>8.2f} "
              f"{r['tasks_per_s']:>8.1f} {r['tasks_per_s'] / base:>8.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
