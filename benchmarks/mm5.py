"""The benchmark M/M/5 (utilisation 0.9) as servsim scenario text, shared by the scripts.

Kept free of imports beyond the standard library so a fresh process measuring its own memory
(``bench_scaling.py``) loads nothing it would not load anyway.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

ARRIVAL_RATE_PER_MIN = 4.5
MEAN_SERVICE_MIN = 1.0
COUNTERS = 5

MM5_YAML = """\
name: M/M/5 rho 0.9
clock: {{open: "00:00"}}
run: {{length_min: {length_min}, replications: 1, seed: {seed}}}
customer_classes: {{c: {{pathway: p}}}}
arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
stations:
  s: {{counters: {counters}, staffed: false, service: {{dist: exponential, mean: {mean}}}}}
pathways: {{p: [s]}}
"""


def length_min(customers: int) -> float:
    """Run length (minutes) giving about ``customers`` arrivals: N / 4.5."""
    return round(customers / ARRIVAL_RATE_PER_MIN, 3)


def mm5_yaml(customers: int, seed: int) -> str:
    """Scenario text of the M/M/5 run long enough for about ``customers`` arrivals."""
    return MM5_YAML.format(
        length_min=length_min(customers),
        seed=seed,
        rate_per_hour=ARRIVAL_RATE_PER_MIN * 60,
        counters=COUNTERS,
        mean=MEAN_SERVICE_MIN,
    )


def machine_basics() -> dict[str, Any]:
    """CPU model, usable cores, Python version and the load when a benchmark starts."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    return {
        "nproc": nproc,
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_1min_at_start": os.getloadavg()[0],
    }
