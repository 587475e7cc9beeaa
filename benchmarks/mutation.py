"""Mutation testing of the engine, the measures, the statistics and the distributions.

Each module is mutated with mutmut 3's operators (``pip install -e '.[mutation]'``) and every
mutant is run against the tests that target that module (the folder of tests that mirrors
its package, see ``GROUPS``), keeping only the tests that execute the mutated function.
A mutant is *killed* when one of those tests fails (or runs past its time limit), *survives*
when they all pass, is *not covered* when no targeted test executes its function, and is
*equivalent* when it is listed, with a reason, in ``benchmarks/mutation_equivalents.toml``
(a mutant that cannot change any behaviour, read and set aside by hand). The score is
killed ÷ (mutants − equivalent): a mutant no test reaches counts against it.

Every mutant runs in a new process of its own. mutmut's default forks each mutant from the
process that has already run the whole test suite, and a fork of a process whose joblib
(loky) workers and threads are alive hangs; here each mutant is forked from this driver,
which has only imported the libraries and the mutated package and has run no test (the
pass that finds which tests execute which function runs in a forked child too). With
``--spawn`` each mutant is instead a brand-new interpreter (``python -m pytest``): about ten
times slower, the same verdicts.

    python benchmarks/mutation.py                        # every group: about 1 h on 2 cores
    python benchmarks/mutation.py statistics distributions -j 2
    python benchmarks/mutation.py station --survivors    # re-run last run's survivors only
    python benchmarks/mutation.py --table                # print the table of the last run

The work tree (a copy of the package with the mutants, the tests and the scenarios), the
per-mutant verdicts (``results.json``), the diffs of the survivors (``survivors.md``) and
the table (``table.md``) go to ``.mutation/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "benchmarks" / "mutation_equivalents.toml"
CANARIES = ROOT / "benchmarks" / "mutation_canaries.toml"


@dataclass(frozen=True)
class Group:
    """Modules mutated together and the tests that target them."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    deselect: tuple[str, ...] = ()


#: Statistical checks of routing, held resources and arrival peaks (10-20 s each, most of the
#: engine tests' time): they target routing.py, holdings.py and arrivals.py and are left out
#: of the station's and the journey's targeted tests, whose exact timelines, invariants and
#: theory checks are in the same folder.
_ENGINE_SLOW = (
    "tests/engine/test_routing.py::test_full_pooling_matches_erlang_c_and_beats_separate_stations",
    "tests/engine/test_routing.py::test_jobs_1_equals_jobs_2_on_a_routed_scenario",
    "tests/engine/test_holdings.py::test_tables_pool_is_an_mmc_queue_erlang_c",
    "tests/engine/test_holdings.py::test_resources_jobs_do_not_change_result_files",
    "tests/engine/test_peaks.py::test_occupancy_of_an_infinite_server_matches_mt_m_infinity",
)


#: Groups of the table: modules (paths in the repository) and their targeted tests.
GROUPS: dict[str, Group] = {
    "station": Group(("simulator/engine/station.py",), ("tests/engine",), _ENGINE_SLOW),
    "journey": Group(("simulator/engine/journey.py",), ("tests/engine",), _ENGINE_SLOW),
    "rng": Group(("simulator/engine/rng.py",),
                 ("tests/engine", "tests/scenario/test_distributions.py",
                  "tests/scenario/test_distribution_inputs.py"), _ENGINE_SLOW),
    "statistics": Group(("simulator/measures/stats.py",),
                        ("tests/measures/test_stats.py", "tests/measures/test_stats_levels.py",
                         "tests/measures/test_range_interval.py")),
    "measures": Group(
        tuple(f"simulator/measures/{m}.py" for m in (
            "estimators", "record_views", "standards", "kpis", "by_hour", "levels",
            "conservation", "staff_use", "accumulate", "acc_customers", "acc_stations",
            "acc_staff", "acc_hours", "acc_checks", "segments", "exact", "quantiles")),
        ("tests/measures/test_metrics.py", "tests/measures/test_measures_edges.py",
         "tests/measures/test_people_table.py", "tests/measures/test_streaming.py",
         "tests/measures/test_invariants.py")),
    "distributions": Group(("simulator/scenario/distributions.py",),
                           ("tests/scenario/test_distributions.py",
                            "tests/scenario/test_distribution_inputs.py")),
}

#: What is copied into the work tree besides the package (tests read scenarios and docs).
COPY = ("simulator", "tests", "scenarios", "pyproject.toml", "setup.cfg")

#: Verdicts, as stored in results.json.
KILLED, TIMEOUT, SURVIVED, NOT_COVERED, EQUIVALENT = (
    "killed", "timeout", "survived", "not covered", "equivalent")


# ---------------------------------------------------------------- the work tree and mutants
def copy_checkout(dest: Path) -> None:
    """A fresh copy of the checkout's :data:`COPY` entries in ``dest`` (emptied first)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / name)


def build_tree(work: Path, modules: Iterable[str]) -> dict[str, list[str]]:
    """Copy the checkout into ``work/tree`` with ``modules`` replaced by their mutants.

    Returns the mutant names of each module, in mutmut's order.
    """
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    tree = work / "tree"
    copy_checkout(tree)
    names: dict[str, list[str]] = {}
    here = Path.cwd()
    os.chdir(ROOT)  # mutmut reads its configuration ([tool.mutmut]) from the checkout
    try:
        for module in modules:
            mutated = mutate_file_contents(module, (ROOT / module).read_text())
            (tree / module).write_text(mutated.code)
            names[module] = [get_mutant_name(Path(module), m) for m in mutated.mutant_names]
    finally:
        os.chdir(here)
    return names


_PARSED: dict[Path, object] = {}


def diff_of(work: Path, module: str, mutant: str) -> str:
    """The unified diff a mutant makes to its function (each mutated file parsed once)."""
    from difflib import unified_diff

    import libcst as cst
    from mutmut.mutation.diff_apply import read_mutant_function, read_original_function

    path = work / "tree" / module
    if path not in _PARSED:
        _PARSED[path] = cst.parse_module(path.read_text())
    tree = _PARSED[path]
    old, new = (cst.Module([f]).code.strip().split("\n")
                for f in (read_original_function(tree, mutant), read_mutant_function(tree, mutant)))
    return "\n".join(unified_diff(old, new, fromfile=module, tofile=module, lineterm=""))


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and added lines of a diff, stripped, each joined by ' / '."""
    old = [ln[1:].strip() for ln in diff.splitlines()
           if ln.startswith("-") and not ln.startswith("---")]
    new = [ln[1:].strip() for ln in diff.splitlines()
           if ln.startswith("+") and not ln.startswith("+++")]
    return " / ".join(old), " / ".join(new)


# ---------------------------------------------------------------- running in forked children
class _Children:
    """At most ``jobs`` forked children, each running pytest once, with time limits."""

    def __init__(self, jobs: int, logs: Path) -> None:
        self.jobs = jobs
        self.logs = logs
        self.running: dict[int, tuple[str, float, float]] = {}  # pid -> (key, start, deadline)

    def start(self, key: str, args: list[str], env: dict[str, str], limit_s: float,
              spawn: bool) -> None:
        log = self.logs / (key.replace("/", "_") + ".log")
        pid = os.fork()
        if pid == 0:  # the child: a new process group, so a timeout kills its workers too
            code = 3
            try:
                os.setpgrp()
                fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.environ.update(env)
                if spawn:
                    os.execv(sys.executable, [sys.executable, "-m", "pytest", *args])
                import pytest

                _fix_mutant(env.get("MUTANT_UNDER_TEST", ""))

                code = int(pytest.main(args))
            finally:
                os._exit(code)
        now = time.monotonic()
        self.running[pid] = (key, now, now + limit_s)

    def stop(self) -> None:
        """Kill every running child (and its workers) and exit."""
        for pid in list(self.running):
            _kill_group(pid)
        raise SystemExit("stopped")

    def wait_one(self) -> tuple[str, int | None, float]:
        """Wait for a child to end; ``None`` as exit code means it ran out of time."""
        while True:
            now = time.monotonic()
            for pid, (key, start, deadline) in list(self.running.items()):
                if now > deadline:
                    _kill_group(pid)
                    os.waitpid(pid, 0)
                    del self.running[pid]
                    return key, None, now - start
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid:
                key, start, _ = self.running.pop(pid)
                _kill_group(pid)  # joblib workers a test left behind
                return key, os.waitstatus_to_exitcode(status), time.monotonic() - start
            time.sleep(0.02)


def _fix_mutant(name: str) -> None:
    """In a forked child: the trampolines ask for the active mutant on every call of a mutated
    function; answer with a constant instead of reading the environment each time."""
    if name in ("", "stats"):
        return
    from mutmut.mutation import trampoline

    trampoline.get_mutant_under_test = lambda: name


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _pytest_args(tests: Iterable[str]) -> list[str]:
    # no tracebacks: only the exit code counts, and formatting one through a mutated module
    # (thousands of lines, parsed for every frame) can take longer than the test
    return ["-x", "-q", "--tb=no", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]


_STATS_PLUGIN = '''
"""Records which mutated functions each test executes (MUTANT_UNDER_TEST=stats)."""
import json, os
from mutmut.mutation.trampoline import set_mutant_under_test
from mutmut.state import state

# record in this process only: worker processes (joblib) get no MUTANT_UNDER_TEST and run the
# original code (their cwd may not hold the mutmut configuration the recording needs)
set_mutant_under_test("stats")
del os.environ["MUTANT_UNDER_TEST"]

_hits, _time = {}, {}

def pytest_runtest_teardown(item, nextitem):
    _hits[item.nodeid] = sorted(state()._stats)
    state()._stats.clear()

def pytest_runtest_logreport(report):
    _time[report.nodeid] = _time.get(report.nodeid, 0.0) + report.duration

def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["SERVSIM_MUTATION_STATS"], "w") as f:
        json.dump({"hits": _hits, "seconds": _time, "exit": int(exitstatus)}, f)
'''


def _warm_up(tests: list[str], log: Path) -> None:
    """Import what every child needs once, here: the libraries, the mutated package and the
    test modules (pytest's collection, which runs no test). Children forked afterwards start
    with all of it in memory. Refuses to go on if anything left a thread running, since a
    fork of a process with threads is what hangs."""
    import threading

    import pytest

    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    saved = os.dup(1), os.dup(2)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *tests])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(fd)
    if code != 0:
        raise SystemExit(f"collecting {tests} failed (exit {code}); see {log}")
    if threading.active_count() != 1:
        raise SystemExit(f"collection left {threading.active_count() - 1} thread(s) running; "
                         "use --spawn")
    # what is in memory now stays: children's garbage collections (pytest runs several as it
    # ends) then skip it, which makes each child about three times faster
    gc.collect()
    gc.freeze()


# ---------------------------------------------------------------- the run
def run_group(name: str, group: Group, work: Path, jobs: int, spawn: bool,
              only: set[str] | None, part: tuple[int, int] = (1, 1)) -> dict[str, dict]:
    """Mutate the group's modules and run every mutant; verdicts by mutant name."""
    names = build_tree(work, group.modules)
    tree = work / "tree"
    (tree / "servsim_mutation_stats.py").write_text(_STATS_PLUGIN)
    logs = work / "logs" / name
    if logs.exists():
        shutil.rmtree(logs)
    logs.mkdir(parents=True)
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    targeted = [t for t in group.tests if (tree / t).exists()]
    targeted += [a for t in group.deselect for a in ("--deselect", t)]
    if not spawn:
        _warm_up(targeted, logs / "_collect.log")
    stats_file = work / f"stats-{name}.json"
    kids = _Children(1, logs)
    t0 = time.monotonic()
    kids.start("_stats", ["-q", "-p", "no:cacheprovider", "-p", "servsim_mutation_stats",
                          *targeted],
               {"MUTANT_UNDER_TEST": "stats", "SERVSIM_MUTATION_STATS": str(stats_file)},
               3600.0, spawn)
    _, code, _ = kids.wait_one()
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {"exit": code}
    if code != 0 or stats.get("exit") != 0:
        raise SystemExit(f"{name}: the targeted tests fail without any mutant (exit {code}); "
                         f"see {logs / '_stats.log'}")
    print(f"{name}: targeted tests pass in {time.monotonic() - t0:.0f} s; "
          f"{sum(map(len, names.values()))} mutants", file=sys.stderr)
    tests_of: dict[str, list[str]] = {}
    for test, hit in stats["hits"].items():
        for fn in hit:
            tests_of.setdefault(fn, []).append(test)
    seconds = stats["seconds"]

    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    results: dict[str, dict] = {}
    todo: list[tuple[str, str, list[str], float]] = []
    index = -1
    for module, mutants in names.items():
        for mutant in mutants:
            index += 1
            if (only is not None and mutant not in only) or index % part[1] != part[0] - 1:
                continue
            tests = sorted(tests_of.get(mangled_name_from_mutant_name(mutant), []),
                           key=lambda t: (seconds.get(t, 0.0), t))
            if not tests:
                results[mutant] = {"module": module, "verdict": NOT_COVERED}
                continue
            base = sum(seconds.get(t, 0.0) for t in tests)
            todo.append((module, mutant, tests, 30.0 + 5.0 * base))
    kids = _Children(jobs, logs)
    signal.signal(signal.SIGTERM, lambda *_: kids.stop())
    pending = {m: (module, tests) for module, m, tests, _ in todo}
    try:
        _run_all(name, kids, list(todo), pending, results, logs, spawn, t0)
    except BaseException:
        for pid in list(kids.running):
            _kill_group(pid)
        raise

    for mutant, r in results.items():
        if r["verdict"] in (SURVIVED, NOT_COVERED):
            r["diff"] = diff_of(work, r["module"], mutant)
    return results


def _run_all(name: str, kids: _Children, queue: list, pending: dict, results: dict,
             logs: Path, spawn: bool, t0: float) -> None:
    """Run the queued mutants, ``kids.jobs`` at a time, recording each verdict."""
    total = len(queue)
    done = 0
    while queue or kids.running:
        while queue and len(kids.running) < kids.jobs:
            module, mutant, tests, limit = queue.pop(0)
            kids.start(mutant, _pytest_args(tests), {"MUTANT_UNDER_TEST": mutant}, limit, spawn)
        mutant, code, took = kids.wait_one()
        module, tests = pending[mutant]
        if code in (4, 5):  # pytest usage error or no test collected: the setup is broken
            raise SystemExit(f"{mutant}: pytest exit {code}; see {logs / (mutant + '.log')}")
        verdict = TIMEOUT if code is None else SURVIVED if code == 0 else KILLED
        results[mutant] = {"module": module, "verdict": verdict, "exit": code,
                           "seconds": round(took, 2), "tests": len(tests)}
        done += 1
        if done % 50 == 0 or not (queue or kids.running):
            print(f"{name}: {done}/{total} run, {time.monotonic() - t0:.0f} s",
                  file=sys.stderr)


# ---------------------------------------------------------------- equivalents and the table
def load_equivalents() -> dict[str, dict[str, str]]:
    """Mutants set aside as equivalent: name -> {"old", "new", "why"}."""
    if not EQUIVALENTS.exists():
        return {}
    with EQUIVALENTS.open("rb") as f:
        return tomllib.load(f)


def classify(results: dict[str, dict], equivalents: dict[str, dict[str, str]]) -> list[str]:
    """Mark listed survivors (or uncovered mutants) equivalent; return stale list entries.

    An entry is applied only while the mutant still makes the change it was listed for
    (``old`` → ``new``), so renumbered mutants after an edit are not silently excused.
    """
    stale = []
    for name, entry in equivalents.items():
        r = results.get(name)
        if r is None:
            continue
        if "diff" not in r:  # killed: the list entry is wrong or out of date
            stale.append(f"{name}: listed as equivalent but {r['verdict']}")
            continue
        old, new = changed_lines(r["diff"])
        if (old, new) != (entry["old"], entry["new"]):
            stale.append(f"{name}: now changes {old!r} -> {new!r}, listed for "
                         f"{entry['old']!r} -> {entry['new']!r}")
            continue
        r["verdict"] = EQUIVALENT
        r["why"] = entry["why"]
    return stale


def set_aside(results: dict[str, dict], mutant: str, why: str) -> None:
    """Append a survivor of the last run to the equivalents file, with the change it makes."""
    r = results.get(mutant)
    if r is None or "diff" not in r:
        raise SystemExit(f"{mutant} is not a survivor of the last run")
    old, new = changed_lines(r["diff"])
    with EQUIVALENTS.open("a") as f:
        f.write(f"\n[{json.dumps(mutant, ensure_ascii=False)}]\nold = {json.dumps(old)}\n"
                f"new = {json.dumps(new)}\nwhy = {json.dumps(why, ensure_ascii=False)}\n")


def equivalents_table(equivalents: dict[str, dict[str, str]]) -> str:
    """Markdown: module, mutant (function and number), the change, and why it is equivalent."""
    lines = ["| module | mutant | change | why it changes nothing |", "|---|---|---|---|"]
    for name, e in equivalents.items():
        module, _, mutant = name.rpartition(".")
        function, _, number = mutant.rpartition("__mutmut_")
        function = function.removeprefix("x_").replace("xǁ", "").replace("ǁ", ".")
        change = f"`{e['old']}` → `{e['new']}`".replace("|", "\\|")
        lines.append(f"| `{module.removeprefix('simulator.')}` | `{function}` #{number} | "
                     f"{change} | {e['why']} |")
    return "\n".join(lines)


def table(results: dict[str, dict]) -> str:
    """Markdown table: one row per module, with the score killed ÷ non-equivalent."""
    rows: dict[str, dict[str, int]] = {}
    for r in results.values():
        counts = rows.setdefault(r["module"], {k: 0 for k in (
            KILLED, TIMEOUT, SURVIVED, EQUIVALENT, NOT_COVERED)})
        counts[r["verdict"]] += 1
    lines = ["| module | mutants | killed | survived | equivalent | not covered | score |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for module in sorted(rows):
        c = rows[module]
        total = sum(c.values())
        killed = c[KILLED] + c[TIMEOUT]
        denominator = total - c[EQUIVALENT]
        score = f"{100.0 * killed / denominator:.1f} %" if denominator else "–"
        lines.append(f"| `{module.removeprefix('simulator/')}` | {total} | {killed} | "
                     f"{c[SURVIVED]} | {c[EQUIVALENT]} | {c[NOT_COVERED]} | {score} |")
    return "\n".join(lines)


def survivors_report(results: dict[str, dict]) -> str:
    """The diff of every survivor and uncovered mutant, by module."""
    out = []
    for name in sorted(results):
        r = results[name]
        if r["verdict"] in (SURVIVED, NOT_COVERED):
            out += [f"## {name} ({r['verdict']})", "```diff", r["diff"], "```", ""]
    return "\n".join(out)


def run_canaries(work: Path) -> int:
    """Apply each canary of ``mutation_canaries.toml`` to a copy of the checkout and run the
    test that must catch it, in a new interpreter; 1 if any canary goes unnoticed."""
    with CANARIES.open("rb") as f:
        canaries = tomllib.load(f)
    copy_checkout(work)
    missed = 0
    print("| canary | what it breaks | caught by | result |\n|---|---|---|---|")
    for name, c in canaries.items():
        path = work / c["file"]
        original = path.read_text()
        if original.count(c["old"]) != 1:
            raise SystemExit(f"canary {name}: its text is not found exactly once in {c['file']}")
        path.write_text(original.replace(c["old"], c["new"]))
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                                   "no:cacheprovider", c["test"]], cwd=work,
                                  capture_output=True, check=False, timeout=600)
        finally:
            path.write_text(original)
        caught = done.returncode == 1
        missed += not caught
        print(f"| `{name}` | {c['what']} | `{c['test'].split('::')[-1]}` | "
              f"{'caught' if caught else f'NOT CAUGHT (pytest exit {done.returncode})'} |")
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    """Run the chosen groups, merge into results.json, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP",
                        help=f"groups to run (default: all of {', '.join(GROUPS)})")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="mutants run at once")
    parser.add_argument("--work", type=Path, default=ROOT / ".mutation",
                        help="work folder (default .mutation/)")
    parser.add_argument("--survivors", action="store_true",
                        help="run only the mutants that survived (or were not covered) last time")
    parser.add_argument("--spawn", action="store_true",
                        help="run each mutant in a brand-new interpreter instead of a fork")
    parser.add_argument("--table", action="store_true", help="print the last table and stop")
    parser.add_argument("--part", default="1/1", metavar="I/N",
                        help="run every N-th mutant from the I-th (share a long group between "
                             "work folders; merge them with --merge)")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="WORK",
                        help="add the results of other work folders to this one's")
    parser.add_argument("--list-equivalents", action="store_true",
                        help="print the equivalent mutants set aside as a Markdown table")
    parser.add_argument("--canaries", action="store_true",
                        help="apply each canary mutation and check its test fails")
    parser.add_argument("--set-aside", nargs=2, metavar=("MUTANT", "WHY"),
                        help="list a survivor of the last run as equivalent, with the reason")
    parser.add_argument("--only-file", type=Path, help=argparse.SUPPRESS)  # internal
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal
    opts = parser.parse_args(argv)
    unknown = [g for g in opts.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r} (expected one of {', '.join(GROUPS)})")
    work = opts.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if opts.one:  # one group, in a process of its own (see below)
        name = opts.groups[0]
        only = set(json.loads(opts.only_file.read_text())) if opts.only_file else None
        part, parts = (int(x) for x in opts.part.split("/"))
        fresh = run_group(name, GROUPS[name], work / name, opts.jobs, opts.spawn, only,
                          (part, parts))
        (work / f"results-{name}.json").write_text(json.dumps(fresh, ensure_ascii=False))
        return 0
    path = work / "results.json"
    results: dict[str, dict] = json.loads(path.read_text()) if path.exists() else {}
    if opts.merge:
        for other in opts.merge:
            results.update(json.loads((other.resolve() / "results.json").read_text()))
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if opts.list_equivalents:
        print(equivalents_table(load_equivalents()))
        return 0
    if opts.canaries:
        return run_canaries(work / "canaries")
    if opts.set_aside:
        set_aside(results, *opts.set_aside)
    elif not (opts.table or opts.merge):
        for name in opts.groups or list(GROUPS):
            group = GROUPS[name]
            cmd = [sys.executable, __file__, name, "--one", "-j", str(opts.jobs),
                   "--work", str(work), "--part", opts.part,
                   *(["--spawn"] if opts.spawn else [])]
            if opts.survivors:  # those set aside as equivalent are not run again
                listed = load_equivalents()
                only = [m for m, r in results.items() if r["module"] in group.modules
                        and r["verdict"] in (SURVIVED, NOT_COVERED, EQUIVALENT)
                        and m not in listed]
                (work / f"only-{name}.json").write_text(json.dumps(only, ensure_ascii=False))
                cmd += ["--only-file", str(work / f"only-{name}.json")]
            # each group in a fresh driver process: its imports of one work tree never meet
            # another group's
            if subprocess.run(cmd, check=False).returncode != 0:
                return 2
            fresh = json.loads((work / f"results-{name}.json").read_text())
            if not opts.survivors:
                results = {m: r for m, r in results.items() if r["module"] not in group.modules}
            results.update(fresh)
            path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for r in results.values():  # equivalents are re-read every time
        if r["verdict"] == EQUIVALENT:
            r["verdict"] = SURVIVED
    stale = classify(results, load_equivalents())
    text = table(results)
    (work / "table.md").write_text(text + "\n")
    (work / "survivors.md").write_text(survivors_report(results))
    print(text)
    for line in stale:
        print(f"stale equivalent: {line}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
