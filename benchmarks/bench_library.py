"""The bundled scenario library: whole-process time of `servsim run` with 30 replications.

Issue 6 asks that each bundled scenario runs 30 replications in under 30 seconds on one core.
For every ``scenarios/*.yaml`` this runs, in a fresh process,

    python -m simulator run SCENARIO -n 30 -j 1 -o TMP --force

(one worker: one core; figures and the report included, as a planner would run it), and
prints the best and median whole-process wall-clock time over ``--repeats`` rounds (the
scenario order is rotated between rounds so drift in the machine's load favours none), the
customers simulated and the user CPU seconds of the child.

    python benchmarks/bench_library.py                  # 3 rounds: about 3 min on 2 cores
    python benchmarks/bench_library.py --repeats 1 --no-figures
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 30.0
#: Scenarios of more than one day have their own limit (issue 18: a week in 2 minutes,
#: bench_week.py); the 30-second check is for one-day scenarios.
MULTI_DAY = {"government_hall_week": 120.0}


def timed_servsim(args: list[str], what: str) -> tuple[float, float]:
    """Run ``python -m simulator ARGS`` from the repository root as a fresh process: its wall
    seconds and its user+system CPU seconds; exit with its stderr if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "simulator", *args], cwd=ROOT,
                          capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}): {done.stderr.decode()[-800:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_once(scenario: Path, out: Path, figures: bool) -> tuple[float, float, int]:
    """Wall seconds, child user+system CPU seconds and customers of one fresh `run`."""
    args = ["run", str(scenario), "-n", "30", "-j", "1", "-o", str(out), "--force", "-q"]
    if not figures:
        args += ["--no-figures", "--no-report"]
    wall, cpu = timed_servsim(args, scenario.name)
    with (out / "replications.csv").open(newline="") as handle:
        customers = sum(int(float(row["arrived"])) for row in csv.DictReader(handle))
    return wall, cpu, customers


def main(argv: list[str] | None = None) -> int:
    """Time every bundled scenario and print a table; exit 1 if one exceeds 30 s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per scenario")
    parser.add_argument("--no-figures", action="store_true", help="skip figures and report")
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    opts = parser.parse_args(argv)
    scenarios = sorted((ROOT / "scenarios").glob("*.yaml"))
    walls: dict[str, list[float]] = {s.stem: [] for s in scenarios}
    cpus: dict[str, list[float]] = {s.stem: [] for s in scenarios}
    customers: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(opts.repeats):
            k = r % len(scenarios)
            for sc in scenarios[k:] + scenarios[:k]:
                wall, cpu, n = run_once(sc, Path(tmp) / sc.stem, not opts.no_figures)
                walls[sc.stem].append(wall)
                cpus[sc.stem].append(cpu)
                customers[sc.stem] = n
    print(f"30 replications, -j 1, {'no figures' if opts.no_figures else 'figures and report'};"
          f" {opts.repeats} round(s)")
    print(f"{'scenario':<20} {'customers':>10} {'best s':>8} {'median s':>9} {'cpu s':>7}"
          f" {'< 30 s':>7}")
    worst = 0.0
    for name in walls:
        best, med = min(walls[name]), statistics.median(walls[name])
        limit = MULTI_DAY.get(name, LIMIT_S)
        worst = max(worst, best / limit)
        print(f"{name:<20} {customers[name]:>10} {best:>8.2f} {med:>9.2f}"
              f" {min(cpus[name]):>7.2f} {'yes' if best < limit else 'NO':>7}")
    if opts.json is not None:
        opts.json.write_text(json.dumps({"walls_s": walls, "cpu_s": cpus,
                                         "customers": customers}, indent=2))
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
