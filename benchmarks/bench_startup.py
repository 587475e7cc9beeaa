"""Start-up cost: wall-clock time of short commands, each in a fresh Python process.

Runs every command ``--repeats`` times (rotating the order between rounds so drift in the
machine's load does not favour one) and prints the best and the median whole-process time,
interpreter start and exit included. ``python -c pass`` is the floor every command starts from.

    python benchmarks/bench_startup.py                 # 15 rounds: about 1 min on 2 cores
    python benchmarks/bench_startup.py --repeats 5 --json startup.json
    python benchmarks/bench_startup.py --root ../old-checkout --root .   # before/after, interleaved

With several ``--root`` folders (checkouts of the repository) every command runs in each, in
the same rounds, so a change in the machine's load hits both sides of a comparison alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "import simulator": ["-c", "import simulator"],
    "import simulator.cli": ["-c", "import simulator.cli"],
    "python -m simulator --help": ["-m", "simulator", "--help"],
    "python -m simulator validate government_hall.yaml":
        ["-m", "simulator", "validate", "scenarios/government_hall.yaml"],
}


def time_once(args: list[str], root: Path) -> float:
    """Seconds of one fresh ``python args...`` process run from the checkout ``root``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Time every command and print a table (and optionally write JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="fresh processes per command")
    parser.add_argument("--json", type=Path, default=None, help="write all times here")
    parser.add_argument("--root", type=Path, action="append", default=None,
                        help="checkout to run the commands in (repeatable; default: this one)")
    opts = parser.parse_args(argv)
    roots = [p.resolve() for p in (opts.root or [ROOT])]
    cells = [(root, name) for name in COMMANDS for root in roots]
    times: dict[tuple[Path, str], list[float]] = {c: [] for c in cells}
    for r in range(opts.repeats):
        k = r % len(cells)
        for root, name in cells[k:] + cells[:k]:
            times[root, name].append(time_once(COMMANDS[name], root))
    print(f"{'command':52s} {'checkout':24s} {'best s':>7s} {'median s':>9s}")
    for root, name in cells:
        t = times[root, name]
        print(f"{name:52s} {str(root)[-24:]:24s} {min(t):7.3f} {statistics.median(t):9.3f}")
    if opts.json is not None:
        opts.json.write_text(json.dumps(
            {"python": sys.version, "repeats": opts.repeats,
             "times_s": [{"checkout": str(root), "command": name, "times": times[root, name]}
                         for root, name in cells]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
