"""The folder of ``servsim staff``, written atomically like a run's.

Layout::

    staffing.csv            one row per group and interval (see verify.py)
    shifts.csv              group, start, end, break, heads, shift type, paid hours, cost
    comparison.csv          staffed minus original, paired (common random numbers)
    iterations.csv          people per group, interval and iteration, targets met
    frontier.csv            cost and service per level (--frontier)
    scenario.staffed.yaml   the scenario with the new shifts (loads in servsim run)
    verification/           a run folder of the staffed scenario
    figures/*.png, report.html, manifest.json

Everything goes to a temporary sibling folder first (:func:`simulator.experiments.storage.
atomic_dir`); ``manifest.json`` is written last and the folder renamed only when complete.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from simulator.engine.rng import STREAM_SCHEME
from simulator.experiments.artifacts import Artifacts
from simulator.experiments.staffing.edit import yaml_text
from simulator.experiments.staffing.plan import StaffingOutput
from simulator.experiments.storage import (
    atomic_dir,
    platform_info,
    software_versions,
    write_csv,
)
from simulator.scenario.loader import LoadedScenario

__all__ = ["staffed_yaml", "write_folder"]


def staffed_yaml(out: StaffingOutput) -> str:
    """``scenario.staffed.yaml``: the original file with the planned shifts, and a header
    saying how it was made."""
    st = out.study
    loaded = st.loaded
    targets = "; ".join(t.label for g in st.groups for t in g.targets)
    header = [
        f"Staffed by servsim staff from {loaded.path or 'a scenario given as text'} "
        f"(sha256 {loaded.raw_sha256[:12]}).",
        f"Groups re-rostered: {', '.join(g.name for g in st.groups)}; the other groups keep "
        "their shifts.",
        f"Targets per {'day' if st.over == 'day' else f'{st.interval_min}-min interval'}: "
        f"{targets}.",
        f"Requirement by simulation ({len(out.requirement.iterations)} iterations of "
        f"{st.iteration_replications} replications, seed {st.seed}); least-cost shifts by "
        "HiGHS; verified on "
        f"{st.replications} replications.",
        *out.headline,
        "Run it: servsim run scenario.staffed.yaml",
        "",
    ]
    source = loaded.path.read_text(encoding="utf-8") if loaded.path is not None else None
    shifts = {g: p.scenario_shifts() for g, p in out.plans.items()}
    return yaml_text(out.staffed, header, source, shifts if source is not None else None)


def _manifest(out: StaffingOutput, files: list[str], wall_s: float, backend: str,
              jobs: int) -> dict[str, Any]:
    st = out.study
    req = out.requirement
    return {
        "servsim_manifest": 1,
        "kind": "staff",
        "scenario": {"name": st.loaded.scenario.name,
                     "path": str(st.loaded.path) if st.loaded.path else None,
                     "sha256_file": st.loaded.raw_sha256},
        "answer": out.headline,
        "study": {
            "groups": [{"name": g.name, "station": g.station_name, "counters": g.cap,
                        "targets": [{"key": t.key, "kind": t.kind, "level": t.level,
                                     "label": t.label}
                                    for t in g.targets],
                        "shift_rules": st.rules[g.name].model_dump(mode="json"),
                        "shift_rules_derived": st.rules_derived[g.name]}
                       for g in st.groups],
            "interval_min": st.interval_min, "over": st.over,
        },
        "method": {
            "requirement": "iterative staffing algorithm (Feldman, Mandelbaum, Massey & Whitt "
            "2008) on common random numbers, started from the modified offered load",
            "iterations": len(req.iterations), "converged": req.converged,
            "iteration_replications": st.iteration_replications,
            "stationary": "Erlang C per interval, Erlang A when the customers are impatient",
            "shifts": "set-covering integer program, scipy.optimize.milp (HiGHS)",
            "optimality_gap": {g: p.gap for g, p in out.plans.items()},
            "verification_replications": st.replications,
            "simulated_replications": out.simulated_replications,
        },
        "random_numbers": {"generator": "PCG64", "seed": st.seed, "streams": STREAM_SCHEME,
                           "common_random_numbers": "every iteration, the stationary answer, "
                           "the staffed and the original scenario use the same seed and "
                           "replication indices"},
        "execution": {"backend": backend, "jobs": jobs,
                      "note": "results do not depend on the backend or the number of jobs"},
        "outputs": {"files": sorted(files)},
        "software": software_versions(),
        "platform": platform_info(),
        "wall_time_s": round(wall_s, 3),
    }


def write_folder(out: StaffingOutput, out_dir: Path, *, force: bool = False,
                 artifacts: Artifacts | None = None, backend: str = "inprocess",
                 jobs: int = 1, started_s: float | None = None) -> Path:
    """Write the staffing folder (see the module docstring); return its path.

    The verification run uses :func:`simulator.experiments.run.run_scenario` with the
    study's seed and replications, so its numbers are the ones the staffing table shows.
    """
    from simulator.experiments.run import run_scenario

    t0 = started_s if started_s is not None else time.perf_counter()
    st = out.study
    with atomic_dir(Path(out_dir), force=force) as tmp:
        files = ["staffing.csv", "shifts.csv", "comparison.csv", "iterations.csv",
                 "scenario.staffed.yaml"]
        write_csv(out.staffing, tmp / "staffing.csv")
        write_csv(out.shifts, tmp / "shifts.csv")
        write_csv(out.comparison, tmp / "comparison.csv")
        write_csv(out.iterations, tmp / "iterations.csv")
        if out.frontier is not None:
            write_csv(out.frontier, tmp / "frontier.csv")
            files.append("frontier.csv")
        text = staffed_yaml(out)
        (tmp / "scenario.staffed.yaml").write_text(text, encoding="utf-8")
        staffed = LoadedScenario(out.staffed, st.loaded.path,
                                 hashlib.sha256(text.encode()).hexdigest())
        run_scenario(staffed, tmp / "verification", replications=st.replications,
                     seed=st.seed, jobs=jobs if backend != "inprocess" else 1, records="none",
                     artifacts=artifacts)
        files.append("verification/")
        if artifacts is not None and artifacts.figures:
            files += artifacts.staffing_figures(tmp / "figures", out.staffing, out.frontier)
        manifest = _manifest(out, files, 0.0, backend, jobs)
        if artifacts is not None and artifacts.report:
            files.append("report.html")
            manifest["outputs"]["files"] = sorted(files)
            artifacts.staffing_report(tmp, manifest, out.staffing, out.shifts,
                                      out.comparison, out.frontier)
        manifest["wall_time_s"] = round(time.perf_counter() - t0, 3)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")
    return Path(out_dir)
