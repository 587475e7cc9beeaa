"""Whole-process time of ``servsim fit`` on the bundled example log, with the back-test.

    python benchmarks/bench_fit.py [--runs 5] [--jobs 1]

Runs ``servsim fit scenarios/examples/hall_ticket_log.csv -o TMP --validate --force`` as a
separate process several times and prints each wall time and the median (seconds). The
acceptance target of issue 13 is under a minute on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "scenarios" / "examples" / "hall_ticket_log.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    servsim = Path(sys.executable).with_name("servsim")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            cmd = [str(servsim), "fit", str(LOG), "-o", os.path.join(tmp, f"fit{i}"),
                   "--validate", "-j", str(args.jobs), "--force", "-q"]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            times.append(time.perf_counter() - t0)
            print(f"run {i + 1}: {times[-1]:.1f} s", flush=True)
    print(f"median of {args.runs}: {statistics.median(times):.1f} s (jobs={args.jobs}; "
          f"load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
