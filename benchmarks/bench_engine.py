"""Engine throughput benchmark: customers simulated per second of wall time.

Measures, in one process and one run, side by side:

1. servsim on a steady-state M/M/5 at utilisation 0.9 (arrivals 4.5/min, exponential service
   mean 1 min, 5 unstaffed counters), built from YAML text, twice: as ``servsim run
   --records summary`` does it (``run_replication(..., "summary")``: every KPI, the by-hour
   rows, figure arrays and predicted satisfaction measured while the day runs, and the
   customer table streamed to a CSV file; no row kept in memory), and returning its full
   records (``simulate``: the rows kept, nothing measured);
2. an idiomatic plain-SimPy model of the same M/M/5 (the way the SimPy docs and tutorials write
   it), which also keeps per-customer records;
3. Ciw (the ``bench`` extra) on the same M/M/5, keeping its own records
   (``Simulation.get_all_records()``); skipped with a note if Ciw is not installed;
4. servsim on the bundled day ``scenarios/government_hall.yaml``, many replications, one core,
   at three depths: records only (``simulate``), records + KPI row incl. predicted satisfaction
   (``run_replication(..., detail=False)``, as sweeps do) and the full per-replication
   outputs of ``servsim run`` (``run_replication(...)``: KPI row, satisfaction, by-hour rows,
   figure arrays).

Each figure is whole-replication wall time (``time.perf_counter`` around building, running and
collecting the records), repeated, with the order of the three M/M/5 models rotated per repeat;
the table gives the best (minimum time) and the median. Every M/M/5 model is checked against
the Erlang C mean wait, so the comparison is of correct models. ``--profile PATH`` adds cProfile
runs of the M/M/5 models and of government-hall replications. See ``benchmarks/README.md``;
memory growth with run length is in ``bench_scaling.py``.

Run from the repository root::

    python benchmarks/bench_engine.py                    # default sizes, about 2 min on 2 cores
    python benchmarks/bench_engine.py --quick            # smoke run, about 10 s
    python benchmarks/bench_engine.py --profile prof.txt # also write cProfile tables
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mm5 import ARRIVAL_RATE_PER_MIN, COUNTERS, MEAN_SERVICE_MIN, machine_basics, mm5_yaml

from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome, Records
from simulator.experiments.runner import ReplicationTask, run_replication
from simulator.scenario.loader import load_scenario, load_scenario_text
from simulator.scenario.plan import Plan, compile_plan
from simulator.theory import mmc

ROOT = Path(__file__).resolve().parent.parent
HALL = ROOT / "scenarios" / "government_hall.yaml"
MIN_CHECK_CUSTOMERS = 100_000  # below this the Erlang C check is shown but cannot fail the run
CIW_INSTALL = "pip install -e '.[bench]'  (or: pip install ciw==3.2.7)"

# issue 5 speed targets
TARGET_VS_PLAIN = 1.5
TARGET_VS_CIW = 3.0
TARGET_HALL_CPS = 40_000


def import_ciw() -> ModuleType | None:
    """Ciw if installed (the ``bench`` extra), else None."""
    try:
        import ciw
    except ImportError:
        return None
    return ciw


# ---------------------------------------------------------------------------- the models
def run_servsim_mm5(text: str, seed: int) -> Records:
    """Build, run and collect one servsim replication of the M/M/5, rows kept, nothing
    measured."""
    loaded = load_scenario_text(text)
    plan = compile_plan(loaded.scenario)
    return simulate(plan, seed, 0)


def run_servsim_summary(text: str, seed: int, folder: Path) -> Any:
    """One servsim replication of the M/M/5 as ``servsim run --records summary`` runs it:
    measures while the day runs, customer table streamed to ``folder`` (the timed unit)."""
    loaded = load_scenario_text(text)
    plan = compile_plan(loaded.scenario)
    shutil.rmtree(folder, ignore_errors=True)
    return run_replication(plan, ReplicationTask(0, seed), "summary", folder, "csv")


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


def run_ciw(
    ciw: ModuleType,
    seed: int,
    arrival_rate: float,
    mean_service: float,
    counters: int,
    length_min: float,
) -> list[Any]:
    """The same M/M/c in Ciw, as its documentation writes it (the timed unit).

    ``ciw.create_network`` with exponential arrivals and services and ``counters`` servers,
    ``ciw.seed(seed)``, ``Simulation(network).simulate_until_max_time(length_min)``; the
    records are Ciw's own per-service records (``get_all_records()``: arrival, wait, service
    start and end, queue sizes, server id... one named tuple per completed service).
    """
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / mean_service)],
        number_of_servers=[counters],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(length_min)
    return sim.get_all_records()


HALL_STAGES = {
    "sim": "records only (simulate)",
    "kpis": "+ KPI row & satisfaction",
    "full": "+ by-hour & figure arrays",
}


def hall_plan(path: Path) -> tuple[Plan, int]:
    loaded = load_scenario(path)
    return compile_plan(loaded.scenario, loaded.base_dir), loaded.scenario.run.seed


def run_hall(path: Path, replications: int, stage: str) -> int:
    """Load and compile the hall, run replications 0..N-1 to ``stage``; return customers.

    ``sim``: ``simulate`` (records); ``kpis``: ``run_replication(..., detail=False)`` (records,
    conservation check, KPI row incl. predicted satisfaction and sampled survey answers);
    ``full``: ``run_replication(...)`` (also by-hour rows incl. hourly satisfaction, the
    queue/busy/on-duty grids and wait histograms -- what ``servsim run`` computes per
    replication before writing files). Customers for the last two are the ``arrived`` KPI,
    which for this scenario equals the records' customer count.
    """
    plan, seed = hall_plan(path)
    n = 0
    for r in range(replications):
        if stage == "sim":
            n += len(simulate(plan, seed, r).customers["customer_id"])
        else:
            res = run_replication(plan, ReplicationTask(r, seed), detail=stage == "full")
            n += int(res.kpis["arrived"])
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


def ciw_waits(records: list[Any]) -> np.ndarray:
    """Waits of Ciw's served customers (service records), in arrival order."""
    arrival = np.fromiter((r.arrival_date for r in records), float, len(records))
    wait = np.fromiter((r.waiting_time for r in records), float, len(records))
    return wait[np.argsort(arrival, kind="stable")]


def records_nbytes(rec: Records | PlainRecords) -> int:
    if isinstance(rec, PlainRecords):
        return rec.arrival.nbytes + rec.start.nbytes + rec.end.nbytes
    return sum(
        a.nbytes for t in (rec.visits, rec.customers, rec.levels, rec.staff) for a in t.values()
    )


# ---------------------------------------------------------------------------- profiling
def _group(filename: str) -> str:
    """Where a profiled function lives, coarsely: simpy, simulator/<module>, numpy, C..."""
    f = filename.replace("\\", "/")
    if f == "~" or f.startswith("<"):
        return "builtins / C calls"
    for pkg in ("simpy", "numpy", "pandas", "scipy", "ciw", "pydantic", "ruamel"):
        if f"/{pkg}/" in f:
            return pkg
    if "/simulator/satisfaction" in f:
        return "simulator satisfaction"
    if "/simulator/" in f:
        return "simulator/" + f.rsplit("/simulator/", 1)[1]
    if f.endswith("bench_engine.py"):
        return "this script (plain SimPy model)"
    return "other (stdlib...)"


def profile_section(title: str, fn: Callable[[], Any], top: int, wall_s: float | None) -> str:
    """Profile ``fn()`` with cProfile; return a text section (totals by module, top by tottime)."""
    gc.collect()
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    st = pstats.Stats(prof)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = st.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    groups: dict[str, float] = {}
    steps = 0
    cum: dict[str, float] = {}
    for (filename, _line, func), (_cc, nc, tt, ct, _callers) in raw.items():
        groups[_group(filename)] = groups.get(_group(filename), 0.0) + tt
        if func == "step" and "/simpy/core.py" in filename.replace("\\", "/"):
            steps = nc
        if "/simulator/" in filename.replace("\\", "/") and func in (
            "simulate",
            "replication_kpis",
            "replication_satisfaction",
            "by_hour_rows",
            "level_grid",
            "wait_histogram",
            "check_conservation",
            "freeze",
        ):
            cum[func] = cum.get(func, 0.0) + ct
    out = io.StringIO()
    out.write(f"{'=' * 100}\n{title}\n{'=' * 100}\n")
    out.write(f"profiled total {total:.3f} s (cProfile inflates call-heavy code)")
    if wall_s is not None:
        out.write(f"; unprofiled best wall time {wall_s:.3f} s")
    out.write("\n")
    if steps:
        out.write(f"SimPy events processed (Environment.step calls): {steps:,}")
        if wall_s is not None:
            out.write(f"; {wall_s / steps * 1e6:.2f} us of unprofiled wall time per event")
        out.write("\n")
    if cum:
        out.write("\ncumulative time of the stages (profiled):\n")
        for k, v in sorted(cum.items(), key=lambda kv: -kv[1]):
            out.write(f"  {k:28s} {v:8.3f} s  {v / total:6.1%}\n")
    out.write("\ntottime by module:\n")
    for g, t in sorted(groups.items(), key=lambda kv: -kv[1]):
        if t / total >= 0.005:
            out.write(f"  {g:40s} {t:8.3f} s  {t / total:6.1%}\n")
    out.write(f"\ntop {top} functions by tottime:\n")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    i = text.find("   ncalls")
    out.write(text[i:] if i >= 0 else text)
    return out.getvalue()


# ---------------------------------------------------------------------------- machine
def machine() -> dict[str, Any]:
    ciw = import_ciw()
    return {
        **machine_basics(),
        "implementation": platform.python_implementation(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "ciw": getattr(ciw, "__version__", "?") if ciw else None,
        "platform": platform.platform(),
    }


def max_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


def verdict(value: float, target: float) -> str:
    return "met" if value >= target else "NOT met"


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
    ap.add_argument("--no-ciw", action="store_true", help="leave Ciw out even if installed")
    ap.add_argument(
        "--memory",
        action="store_true",
        help="add untimed tracemalloc passes for peak allocation per run (slow: "
        "about a minute more at the default sizes)",
    )
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="PATH",
        help="after the timings, profile (cProfile) one run of each M/M/5 model, one "
        "government-hall replication incl. KPIs and satisfaction and --hall-replications of "
        "them aggregated; write the tables to PATH",
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
    ciw = None if args.no_ciw else import_ciw()

    info = machine()
    print(
        f"machine: {info['nproc']} CPU(s), {info['cpu']}, {info['implementation']} "
        f"{info['python']}, SimPy {info['simpy']}, NumPy {info['numpy']}, "
        f"Ciw {info['ciw'] or 'not installed'}, "
        f"1-min load average {info['load_average_1min_at_start']:.2f}"
    )
    print(
        f"M/M/{COUNTERS}: lambda {ARRIVAL_RATE_PER_MIN}/min, mean service "
        f"{MEAN_SERVICE_MIN} min, rho {ARRIVAL_RATE_PER_MIN * MEAN_SERVICE_MIN / COUNTERS:.2f}, "
        f"run {length_min:g} min (~{customers} customers), {repeats} repeats, seed {seed}"
    )
    if ciw is None and not args.no_ciw:
        print(
            f"Ciw is not installed, its column is skipped; install the bench extra: {CIW_INSTALL}"
        )
    print(f"hall: {HALL.relative_to(ROOT)}, {hall_reps} replications per repeat and stage\n")

    mm5_args = (ARRIVAL_RATE_PER_MIN, MEAN_SERVICE_MIN, COUNTERS, length_min)
    scratch = Path(tempfile.mkdtemp(prefix="servsim-bench-"))
    models: dict[str, tuple[Timing, Callable[[], Any], Callable[[Any], int]]] = {
        "servsim": (
            Timing(f"servsim M/M/{COUNTERS} --records summary"),
            lambda: run_servsim_summary(text, seed, scratch / "records"),
            lambda res: int(res.kpis["arrived"]),
        ),
        "records": (
            Timing(f"servsim M/M/{COUNTERS} rows kept, unmeasured"),
            lambda: run_servsim_mm5(text, seed),
            lambda rec: len(rec.customers["customer_id"]),
        ),
        "plain": (
            Timing(f"plain SimPy M/M/{COUNTERS}"),
            lambda: run_plain_simpy(seed, *mm5_args),
            lambda rec: len(rec.arrival),
        ),
    }
    if ciw is not None:
        models["ciw"] = (Timing(f"Ciw M/M/{COUNTERS}"), lambda: run_ciw(ciw, seed, *mm5_args), len)
    halls = {stage: Timing(f"hall x{hall_reps}: {label}") for stage, label in HALL_STAGES.items()}
    last: dict[str, Any] = {}
    names = list(models)
    for i in range(repeats):
        # rotate the order so drift (thermal, other load) does not favour one model
        k = i % len(names)
        for which in names[k:] + names[:k]:
            timing, fn, count = models[which]
            dt, last[which] = timed(fn)
            timing.seconds.append(dt)
            timing.customers = count(last[which])
            print(f"  repeat {i + 1}/{repeats} {which:8s} {dt:7.3f} s", flush=True)
        for stage, timing in halls.items():
            dt, n = timed(lambda stage=stage: run_hall(HALL, hall_reps, stage))
            timing.seconds.append(dt)
            timing.customers = n
            print(f"  repeat {i + 1}/{repeats} hall {stage:4s} {dt:7.3f} s", flush=True)

    checks = [
        WaitCheck("servsim", *batch_means(servsim_waits(last["records"])), theory),
        WaitCheck("plain SimPy", *batch_means(plain_waits(last["plain"])), theory),
    ]
    if "ciw" in last:
        checks.append(WaitCheck("Ciw", *batch_means(ciw_waits(last["ciw"])), theory))

    memory: dict[str, Any] = {
        "records_bytes_servsim_mm5": records_nbytes(last["records"]),
        "records_bytes_plain_mm5": records_nbytes(last["plain"]),
    }
    last.clear()
    if args.memory:
        print("  tracemalloc passes (untimed) ...", flush=True)
        for which, (_t, fn, _c) in models.items():
            memory[f"traced_peak_bytes_{which}_mm5"] = traced_peak(fn)
        memory["traced_peak_bytes_hall_1rep_full"] = traced_peak(lambda: run_hall(HALL, 1, "full"))
    memory["max_rss_mib_process"] = max_rss_mib()
    info["load_average_1min_at_end"] = os.getloadavg()[0]

    serv = models["servsim"][0]
    ratios: dict[str, dict[str, float]] = {}
    for which in [n for n in names if n in ("plain", "ciw")]:
        other = models[which][0]
        ratios[which] = {
            "best": serv.best_cps / other.best_cps,
            "median": serv.median_cps / other.median_cps,
            # per repeat, each pair ran back to back: the median of the paired ratios
            "paired_median": statistics.median(
                b / a for a, b in zip(serv.seconds, other.seconds, strict=True)
            ),
        }

    # ------------------------------------------------------------------ table
    print()
    head = (
        f"{'workload':42s} {'customers':>10s} {'min s':>8s} {'median s':>9s} "
        f"{'cust/s best':>12s} {'cust/s median':>14s}"
    )
    print(head)
    print("-" * len(head))
    for t in [m[0] for m in models.values()] + list(halls.values()):
        print(
            f"{t.name:42s} {t.customers:10d} {t.min_s:8.3f} {t.median_s:9.3f} "
            f"{t.best_cps:12,.0f} {t.median_cps:14,.0f}"
        )
    print()
    for which, r in ratios.items():
        label = {"plain": "plain SimPy", "ciw": "Ciw"}[which]
        print(
            f"servsim / {label:11s} customers per second: {r['best']:.2f} (best), "
            f"{r['median']:.2f} (median), {r['paired_median']:.2f} (median of paired repeats)"
        )
    if ciw is None:
        print(f"servsim / Ciw: skipped (Ciw not installed; {CIW_INSTALL})")
    hall_sim, hall_kpi, hall_full = halls["sim"], halls["kpis"], halls["full"]
    per_rep = hall_sim.customers / hall_reps
    print(
        f"hall: {per_rep:.0f} customers per replication; ms per replication (best): "
        + ", ".join(f"{s} {t.min_s / hall_reps * 1e3:.1f}" for s, t in halls.items())
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

    print("\nspeed targets of issue 5 (best times, one core):")
    r = ratios["plain"]["best"]
    print(f"  servsim >= {TARGET_VS_PLAIN}x plain SimPy:  {r:.2f}x  {verdict(r, TARGET_VS_PLAIN)}")
    if "ciw" in ratios:
        r = ratios["ciw"]["best"]
        v = verdict(r, TARGET_VS_CIW)
        print(f"  servsim >= {TARGET_VS_CIW:.0f}x Ciw:         {r:.2f}x  {v}")
    else:
        print(f"  servsim >= {TARGET_VS_CIW:.0f}x Ciw:         not measured (Ciw not installed)")
    for t, what in ((hall_kpi, "KPI row + satisfaction"), (hall_full, "full run outputs")):
        print(
            f"  hall >= {TARGET_HALL_CPS:,}/s per core ({what}): {t.best_cps:,.0f}/s  "
            f"{verdict(t.best_cps, TARGET_HALL_CPS)}"
        )
    print("  memory flat with --records summary (1M < 200 MB): see benchmarks/bench_scaling.py")

    print("\nmemory:")
    mib = 1024 * 1024
    print(
        f"  records arrays, M/M/5: servsim {memory['records_bytes_servsim_mm5'] / mib:.1f} MiB "
        f"(visits, customers, levels), plain {memory['records_bytes_plain_mm5'] / mib:.1f} MiB"
    )
    if args.memory:
        peaks = ", ".join(
            f"{k.removeprefix('traced_peak_bytes_')} {v / mib:.1f} MiB"
            for k, v in memory.items()
            if k.startswith("traced_peak_bytes_")
        )
        print(f"  tracemalloc peak during one run: {peaks}")
    print(f"  process peak RSS (ru_maxrss): {memory['max_rss_mib_process']:.0f} MiB")
    print(
        f"\n1-min load average at the end: {info['load_average_1min_at_end']:.2f} "
        f"(other processes on the {info['nproc']} CPUs make the figures noisy)"
    )

    if args.profile is not None:
        print(f"\nprofiling (cProfile) -> {args.profile} ...", flush=True)
        plan, hseed = hall_plan(HALL)
        run_replication(plan, ReplicationTask(0, hseed))  # warm caches and imports
        sections = [
            f"cProfile of bench_engine.py workloads; machine: {info['nproc']} CPU(s), "
            f"{info['cpu']}, Python {info['python']}, SimPy {info['simpy']}, "
            f"Ciw {info['ciw']}\n",
            profile_section(
                "government hall: one replication incl. KPIs and satisfaction "
                "(run_replication(plan, ReplicationTask(1, seed)), detail=True)",
                lambda: run_replication(plan, ReplicationTask(1, hseed)),
                40,
                hall_full.min_s / hall_reps,
            ),
            profile_section(
                f"government hall: {hall_reps} replications incl. KPIs and satisfaction, "
                "aggregated (load + compile once, then run_replication for r = 0..N-1)",
                lambda: run_hall(HALL, hall_reps, "full"),
                40,
                hall_full.min_s,
            ),
        ]
        for timing, fn, _c in models.values():
            sections.append(
                profile_section(
                    f"{timing.name}, {timing.customers:,} customers, records kept",
                    fn,
                    30,
                    timing.min_s,
                )
            )
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        args.profile.write_text("\n\n".join(sections))
        print(f"wrote {args.profile}")

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
            "mm5": {k: m[0].as_dict() for k, m in models.items()},
            "ratio_servsim_over": ratios,
            "government_hall": {
                k: {**t.as_dict(), "replications": hall_reps} for k, t in halls.items()
            },
            "mean_wait_check": [c.as_dict() for c in checks],
            "memory": memory,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0 if not checkable or all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
