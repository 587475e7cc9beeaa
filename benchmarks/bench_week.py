"""A service week: whole-process time of `servsim run` with 30 replications of the week.

Issue 18 asks that 30 replications of the bundled week (``scenarios/
government_hall_week.yaml``: six open days, a back office, promises) run in under 2 minutes
on one core. This runs, in a fresh process each round,

    python -m simulator run scenarios/government_hall_week.yaml -n 30 -j 1 -o TMP --force -q

(one worker, figures and the report included, as a planner would run it) and, for the
ratio, the same for the one-day hall ``scenarios/government_hall.yaml``; it prints the best
and median wall-clock seconds, the child's CPU seconds and the customers simulated.

    python benchmarks/bench_week.py                # 3 rounds: about 3 min on 2 cores
    python benchmarks/bench_week.py --repeats 1 --no-figures
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_library import ROOT, run_once

LIMIT_S = 120.0
SCENARIOS = ("government_hall_week", "government_hall")


def main(argv: list[str] | None = None) -> int:
    """Time the week (and the day, for the ratio); exit 1 if the week takes 2 minutes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per scenario")
    parser.add_argument("--no-figures", action="store_true", help="skip figures and report")
    opts = parser.parse_args(argv)
    walls: dict[str, list[float]] = {s: [] for s in SCENARIOS}
    cpus: dict[str, list[float]] = {s: [] for s in SCENARIOS}
    customers: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(opts.repeats):
            order = SCENARIOS if r % 2 == 0 else SCENARIOS[::-1]  # drift favours neither
            for name in order:
                wall, cpu, n = run_once(ROOT / "scenarios" / f"{name}.yaml", Path(tmp) / name,
                                        not opts.no_figures)
                walls[name].append(wall)
                cpus[name].append(cpu)
                customers[name] = n
    print(f"30 replications, -j 1, {'no figures' if opts.no_figures else 'figures and report'};"
          f" {opts.repeats} round(s)")
    print(f"{'scenario':<22} {'customers':>10} {'best s':>8} {'median s':>9} {'cpu s':>7}")
    for name in SCENARIOS:
        print(f"{name:<22} {customers[name]:>10,} {min(walls[name]):>8.2f} "
              f"{statistics.median(walls[name]):>9.2f} {statistics.median(cpus[name]):>7.2f}")
    week, day = (statistics.median(walls[s]) for s in SCENARIOS)
    print(f"week / day (median wall): {week / day:.2f}; the week under {LIMIT_S:.0f} s: "
          f"{'yes' if week < LIMIT_S else 'NO'}")
    return 0 if week < LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
