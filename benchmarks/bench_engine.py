"""Engine throughput benchmark: customers simulated per second of wall time.

Measures, in one process and one run:

1. servsim on a steady-state M/M/5 at utilisation 0.9 (arrivals 4.5/min, exponential service
   mean 1 min, 5 unstaffed counters), built from YAML text;
2. an idiomatic plain-SimPy model of the same M/M/5 (the way the SimPy docs and tutorials write
   it), which also keeps per-customer records, and the ratio servsim / plain SimPy;
3. servsim on the bundled day ``scenarios/government_hall.yaml``, many replications, one core.

Each figure is whole-replication wall time (``time.perf_counter`` around building, running and
collecting the records), repeated; the table gives the best (minimum time) and the median.
Both M/M/5 models are checked against the Erlang C mean wait, so the comparison is of two
correct models. See ``benchmarks/README.md``.

Run from the repository root::

    python benchmarks/bench_engine.py            # default sizes, about a minute on 2 cores
    python benchmarks/bench_engine.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from simulator.loader import load_scenario, load_scenario_text
from simulator.model import simulate
from simulator.plan import compile_plan
from simulator.records import CustomerOutcome, Records
from simulator.theory import mmc

ROOT = Path(__file__).resolve().parent.parent
HALL = ROOT / "scenarios" / "government_hall.yaml"

ARRIVAL_RATE_PER_MIN = 4.5
MEAN_SERVICE_MIN = 1.0
COUNTERS = 5
MIN_CHECK_CUSTOMERS = 100_000  # below this the Erlang C check is shown but cannot fail the run

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


# ---------------------------------------------------------------------------- the models
def mm5_yaml(customers: int, seed: int) -> str:
    """Scenario text of the M/M/5 run long enough for about ``customers`` arrivals."""
    return MM5_YAML.format(
        length_min=round(customers / ARRIVAL_RATE_PER_MIN, 3),
        seed=seed,
        rate_per_hour=ARRIVAL_RATE_PER_MIN * 60,
        counters=COUNTERS,
        mean=MEAN_SERVICE_MIN,
    )


def run_servsim_mm5(text: str, seed: int) -> Records:
    """Build, run and collect one servsim replication of the M/M/5 (the timed unit)."""
    loaded = load_scenario_text(text)
    plan = compile_plan(loaded.scenario)
    return simulate(plan, seed, 0)


@dataclass
class PlainRecords:
    """Per-customer records of the plain-SimPy model (served customers, in service order)."""

    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray


def run_plain_simpy(
    seed: int, arrival_rate: float, mean_service: float, counters: int, length_min: float
) -> PlainRecords:
    """The same M/M/c written as a typical SimPy tutorial does (the timed unit).

    One generator process makes arrivals, one process per customer requests a counter with
    ``with resource.request() as req: yield req``; exponentials are drawn one at a time from a
    NumPy Generator; each customer's arrival, start and end are appended to Python lists, which
    become arrays at the end (as servsim freezes its record lists).
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=counters)
    arrivals: list[float] = []
    starts: list[float] = []
    ends: list[float] = []

    def customer(env: simpy.Environment):
        arrive = env.now
        with desk.request() as req:
            yield req
            start = env.now
            yield env.timeout(rng.exponential(mean_service))
        arrivals.append(arrive)
        starts.append(start)
        ends.append(env.now)

    def source(env: simpy.Environment):
        while True:
            yield env.timeout(rng.exponential(1.0 / arrival_rate))
            env.process(customer(env))

    env.process(source(env))
    env.run(until=length_min)
    return PlainRecords(np.asarray(arrivals), np.asarray(starts), np.asarray(ends))


def run_hall(path: Path, replications: int) -> int:
    """Load the hall scenario, compile it and run replications 0..N-1; return customers."""
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    seed = loaded.scenario.run.seed
    n = 0
    for r in range(replications):
        rec = simulate(plan, seed, r)
        n += len(rec.customers["customer_id"])
    return n


# ---------------------------------------------------------------------------- measuring
@dataclass
class Timing:
    """Wall times of repeated runs of one workload and the customers each run simulated."""

    name: str
    customers: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def min_s(self) -> float:
        return min(self.seconds)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best_cps(self) -> float:
        return self.customers / self.min_s

    @property
    def median_cps(self) -> float:
        return self.customers / self.median_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "seconds": self.seconds,
            "min_s": self.min_s,
            "median_s": self.median_s,
            "customers_per_s_best": self.best_cps,
            "customers_per_s_median": self.median_cps,
        }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of ``fn()`` after a full collection (the collector stays on while timing)."""
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def traced_peak(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (Python objects and NumPy buffers) while ``fn()`` runs, untimed."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def batch_means(x: np.ndarray, batches: int = 20) -> tuple[float, float]:
    """Mean of ``x`` (in arrival order) and the 95 % half-width from ``batches`` batch means."""
    k = len(x) // batches
    if k < 2:
        return float(np.mean(x)), float("nan")
    means = x[: k * batches].reshape(batches, k).mean(axis=1)
    t975 = {10: 2.262, 20: 2.093}.get(batches, 1.96)  # Student t, batches - 1 dof
    return float(np.mean(x)), float(t975 * means.std(ddof=1) / np.sqrt(batches))


@dataclass
class WaitCheck:
    """Mean wait of one model against the Erlang C value."""

    model: str
    mean_wait_min: float
    half_width_95: float
    theory_min: float

    @property
    def rel_error(self) -> float:
        return self.mean_wait_min / self.theory_min - 1

    @property
    def ok(self) -> bool:
        # Agreement within the batch-means 95 % interval, or within 5 % of theory (short runs at
        # rho = 0.9 have a wide interval and a start-empty bias).
        diff = abs(self.mean_wait_min - self.theory_min)
        return diff <= self.half_width_95 or diff <= 0.05 * self.theory_min

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rel_error": self.rel_error, "ok": self.ok}


def servsim_waits(rec: Records) -> np.ndarray:
    """Waits of served customers, in arrival order (records are sorted by customer id)."""
    c = rec.customers
    served = c["outcome"] == int(CustomerOutcome.SERVED)
    order = np.argsort(c["arrival_min"][served], kind="stable")
    return c["wait_min"][served][order]


def plain_waits(rec: PlainRecords) -> np.ndarray:
    order = np.argsort(rec.arrival, kind="stable")
    return (rec.start - rec.arrival)[order]


def records_nbytes(rec: Records | PlainRecords) -> int:
    if isinstance(rec, PlainRecords):
        return rec.arrival.nbytes + rec.start.nbytes + rec.end.nbytes
    return sum(
        a.nbytes for t in (rec.visits, rec.customers, rec.levels, rec.staff) for a in t.values()
    )


# ---------------------------------------------------------------------------- machine
def machine() -> dict[str, Any]:
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
        "implementation": platform.python_implementation(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "load_average_1min_at_start": os.getloadavg()[0],
    }


def max_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--customers",
        type=int,
        default=None,
        help="M/M/5 customers per run (default 200000; --quick 20000)",
    )
    ap.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed repeats of each workload (default 5; --quick 2)",
    )
    ap.add_argument(
        "--hall-replications",
        type=int,
        default=None,
        help="government_hall replications per repeat (default 30; --quick 5)",
    )
    ap.add_argument("--seed", type=int, default=1, help="seed of the M/M/5 runs (default 1)")
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument(
        "--memory",
        action="store_true",
        help="add untimed tracemalloc passes for peak allocation per run (slow: "
        "about 35 s more at the default sizes)",
    )
    ap.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the figures to this JSON file",
    )
    args = ap.parse_args(argv)

    customers = args.customers or (20_000 if args.quick else 200_000)
    repeats = args.repeats or (2 if args.quick else 5)
    hall_reps = args.hall_replications or (5 if args.quick else 30)
    if customers < 1 or repeats < 1 or hall_reps < 1:
        ap.error("--customers, --repeats and --hall-replications must be positive")
    seed = args.seed
    length_min = round(customers / ARRIVAL_RATE_PER_MIN, 3)
    text = mm5_yaml(customers, seed)
    theory = mmc(ARRIVAL_RATE_PER_MIN, MEAN_SERVICE_MIN, COUNTERS).mean_wait_min

    info = machine()
    print(
        f"machine: {info['nproc']} CPU(s), {info['cpu']}, {info['implementation']} "
        f"{info['python']}, SimPy {info['simpy']}, NumPy {info['numpy']}, "
        f"1-min load average {info['load_average_1min_at_start']:.2f}"
    )
    print(
        f"M/M/{COUNTERS}: lambda {ARRIVAL_RATE_PER_MIN}/min, mean service "
        f"{MEAN_SERVICE_MIN} min, rho {ARRIVAL_RATE_PER_MIN * MEAN_SERVICE_MIN / COUNTERS:.2f}, "
        f"run {length_min:g} min (~{customers} customers), {repeats} repeats, seed {seed}"
    )
    print(f"hall: {HALL.relative_to(ROOT)}, {hall_reps} replications per repeat\n")

    serv = Timing("servsim M/M/5")
    plain = Timing("plain SimPy M/M/5")
    hall = Timing(f"servsim government_hall x{hall_reps}")
    serv_rec: Records | None = None
    plain_rec: PlainRecords | None = None
    for i in range(repeats):
        # alternate the order so drift (thermal, other load) does not favour one model
        order = ("serv", "plain") if i % 2 == 0 else ("plain", "serv")
        for which in order:
            if which == "serv":
                dt, serv_rec = timed(lambda: run_servsim_mm5(text, seed))
                serv.seconds.append(dt)
                serv.customers = len(serv_rec.customers["customer_id"])
            else:
                dt, plain_rec = timed(
                    lambda: run_plain_simpy(
                        seed, ARRIVAL_RATE_PER_MIN, MEAN_SERVICE_MIN, COUNTERS, length_min
                    )
                )
                plain.seconds.append(dt)
                plain.customers = len(plain_rec.arrival)
            print(f"  repeat {i + 1}/{repeats} {which:5s} {dt:7.3f} s", flush=True)
        dt, n = timed(lambda: run_hall(HALL, hall_reps))
        hall.seconds.append(dt)
        hall.customers = n
        print(f"  repeat {i + 1}/{repeats} hall  {dt:7.3f} s", flush=True)
    assert serv_rec is not None and plain_rec is not None

    checks = [
        WaitCheck("servsim", *batch_means(servsim_waits(serv_rec)), theory),
        WaitCheck("plain SimPy", *batch_means(plain_waits(plain_rec)), theory),
    ]

    memory: dict[str, Any] = {
        "records_bytes_servsim_mm5": records_nbytes(serv_rec),
        "records_bytes_plain_mm5": records_nbytes(plain_rec),
    }
    if args.memory:
        print("  tracemalloc passes (untimed) ...", flush=True)
        memory["traced_peak_bytes_servsim_mm5"] = traced_peak(lambda: run_servsim_mm5(text, seed))
        memory["traced_peak_bytes_plain_mm5"] = traced_peak(
            lambda: run_plain_simpy(
                seed, ARRIVAL_RATE_PER_MIN, MEAN_SERVICE_MIN, COUNTERS, length_min
            )
        )
        memory["traced_peak_bytes_hall_1rep"] = traced_peak(lambda: run_hall(HALL, 1))
    memory["max_rss_mib_process"] = max_rss_mib()
    info["load_average_1min_at_end"] = os.getloadavg()[0]

    ratio_best = serv.best_cps / plain.best_cps
    ratio_median = serv.median_cps / plain.median_cps

    # ------------------------------------------------------------------ table
    print()
    head = (
        f"{'workload':34s} {'customers':>10s} {'min s':>8s} {'median s':>9s} "
        f"{'cust/s best':>12s} {'cust/s median':>14s}"
    )
    print(head)
    print("-" * len(head))
    for t in (serv, plain, hall):
        print(
            f"{t.name:34s} {t.customers:10d} {t.min_s:8.3f} {t.median_s:9.3f} "
            f"{t.best_cps:12,.0f} {t.median_cps:14,.0f}"
        )
    print(
        f"\nservsim / plain SimPy customers per second: {ratio_best:.2f} (best), "
        f"{ratio_median:.2f} (median)"
    )
    print(
        f"hall: {hall.customers / hall_reps:.0f} customers per replication, "
        f"{hall.min_s / hall_reps * 1e3:.1f} ms per replication (best)"
    )

    checkable = customers >= MIN_CHECK_CUSTOMERS
    print(f"\nmean wait in line, M/M/{COUNTERS} (Erlang C theory {theory:.4f} min):")
    for c in checks:
        print(
            f"  {c.model:12s} {c.mean_wait_min:.4f} +- {c.half_width_95:.4f} min "
            f"(95 % batch means), {c.rel_error:+.1%} vs theory  "
            f"{'ok' if c.ok else ('MISMATCH' if checkable else 'off, short run')}"
        )
    if not checkable:
        print(
            f"  (runs under {MIN_CHECK_CUSTOMERS} customers are too short at rho 0.9 for the "
            "check to mean much; it does not fail the run)"
        )

    print("\nmemory:")
    mib = 1024 * 1024
    print(
        f"  records arrays, M/M/5: servsim {memory['records_bytes_servsim_mm5'] / mib:.1f} MiB "
        f"(visits, customers, levels), plain {memory['records_bytes_plain_mm5'] / mib:.1f} MiB"
    )
    if args.memory:
        print(
            f"  tracemalloc peak during one run: servsim M/M/5 "
            f"{memory['traced_peak_bytes_servsim_mm5'] / mib:.1f} MiB, plain SimPy "
            f"{memory['traced_peak_bytes_plain_mm5'] / mib:.1f} MiB, hall one replication "
            f"{memory['traced_peak_bytes_hall_1rep'] / mib:.1f} MiB"
        )
    print(f"  process peak RSS (ru_maxrss): {memory['max_rss_mib_process']:.0f} MiB")
    print(
        f"\n1-min load average at the end: {info['load_average_1min_at_end']:.2f} "
        f"(other processes on the {info['nproc']} CPUs make the figures noisy)"
    )

    if args.json is not None:
        out = {
            "machine": info,
            "settings": {
                "customers": customers,
                "repeats": repeats,
                "hall_replications": hall_reps,
                "seed": seed,
                "length_min": length_min,
                "quick": args.quick,
                "arrival_rate_per_min": ARRIVAL_RATE_PER_MIN,
                "mean_service_min": MEAN_SERVICE_MIN,
                "counters": COUNTERS,
            },
            "servsim_mm5": serv.as_dict(),
            "plain_simpy_mm5": plain.as_dict(),
            "ratio_servsim_over_plain": {"best": ratio_best, "median": ratio_median},
            "government_hall": {**hall.as_dict(), "replications": hall_reps},
            "mean_wait_check": [c.as_dict() for c in checks],
            "memory": memory,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0 if not checkable or all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
