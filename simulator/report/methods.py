"""The methods section, following the STRESS-DES checklist (Monks et al. 2019), generated from
the manifest and the resolved scenario.

Left out on purpose: when and where the results were produced (start time, wall time, output
folder, worker count). ``manifest.json`` keeps them; leaving them out makes the report depend
only on the results, so identical results give an identical report.
"""

from __future__ import annotations

import shlex
from typing import Any

from simulator.report.markup import duration, esc, table
from simulator.scenario.schema import Scenario

#: Options of the recorded command line that say where or how fast, not what, was computed.
_DROP_WITH_VALUE = {"-o", "--out", "-j", "--jobs", "--backend", "--scheduler"}
_DROP_FLAGS = {"-q", "--quiet", "--force", "--no-report"}


_PROGRAMS = {"servsim", "servsim.exe", "__main__.py"}
_COMMANDS = {"run", "compare", "sweep", "merge"}


def reproduce_command(command: str | None) -> str | None:
    """The recorded servsim command line without its output folder, worker and display
    options (which do not change the results), starting with ``servsim``.

    None when the command is not a servsim command line (the results came from the Python
    API, so the recorded command is that of the calling program).
    """
    if not command:
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if len(words) < 2 or words[0] not in _PROGRAMS or words[1] not in _COMMANDS:
        return None
    out = ["servsim"]
    skip = False
    for w in words[1:]:
        if skip:
            skip = False
            continue
        name = w.split("=", 1)[0]
        if name in _DROP_WITH_VALUE:
            skip = "=" not in w
            continue
        if w in _DROP_FLAGS or (w.startswith("-o") and len(w) > 2 and not w.startswith("--")):
            continue
        out.append(w)
    return " ".join(shlex.quote(w) for w in out)


def constructed_command(kind: str, manifest: dict[str, Any]) -> str | None:
    """A servsim command computing the same results, built from the manifest's fields (for
    results produced through the Python API). None when the manifest lacks what it needs."""
    spec = manifest.get("spec", {})
    if kind == "run":
        path = (manifest.get("scenario") or {}).get("path")
        run = manifest.get("run", {})
        if not path:
            return None
        return shlex.join(["servsim", "run", path, "-n", str(run.get("replications")),
                           "--seed", str(run.get("seed"))])
    if kind == "sweep":
        if not spec.get("scenario"):
            return None
        words = ["servsim", "sweep", spec["scenario"]]
        for v in spec.get("vary", []):
            words += ["--vary", v]
        if spec.get("design") == "lhs":
            words += ["--design", "lhs", "--samples", str(spec.get("samples"))]
        words += ["-n", str(spec.get("replications")), "--seed", str(spec.get("seed"))]
        for k in spec.get("kpis", []):
            words += ["--kpi", k]
        return shlex.join(words)
    return None


def _item(term: str, text: str) -> str:
    return f"<dt>{term}</dt>\n<dd>{text}</dd>\n"


def _objective(kind: str, name: str, spec: dict[str, Any]) -> str:
    if kind == "compare":
        n = max(0, len(spec.get("variants", [])) - 1)
        return (f"Estimate how {n} change(s) to “{esc(name)}” alter waiting, abandonment, "
                "staff cost, service-standard compliance and predicted satisfaction, against "
                "the baseline, with paired intervals.")
    if kind == "sweep":
        return (f"Estimate how the KPIs of “{esc(name)}” respond to "
                + ", ".join(f"<code>{esc(v)}</code>" for v in spec.get("vary", []))
                + ".")
    return (f"Estimate the waiting, queueing, staffing, service-standard and predicted-"
            f"satisfaction KPIs of “{esc(name)}” with their 95 % confidence intervals.")


def _logic(sc: Scenario | None) -> str:
    if sc is None:
        return "A discrete-event model of customers moving through service stations."
    n_staff = sum(1 for s in sc.stations.values() if s.staffed)
    return (f"Discrete-event simulation (SimPy, process interaction). Customers of "
            f"{len(sc.customer_classes)} class(es) arrive from {len(sc.arrivals)} source(s) and "
            f"follow their class's pathway through {len(sc.stations)} station(s) "
            f"({n_staff} staffed). Each station has counters and one line or a line per "
            "counter, first come first served within priority classes (non-preemptive); "
            "customers may balk on arrival at a line or abandon it when their patience runs "
            "out. Staff shifts and breaks open and close counters; a server due off duty "
            "finishes the customer in service first. Service failures are redone or sent to a "
            "recovery station. Satisfaction is predicted afterwards from each customer's "
            "records.")


def _experimentation(kind: str, manifest: dict[str, Any], sc: Scenario | None) -> str:
    run = manifest.get("run", {})
    spec = manifest.get("spec", {})
    reps = run.get("replications", spec.get("replications"))
    seed = run.get("seed", spec.get("seed"))
    terminating = run.get("terminating", sc.terminating if sc is not None else None)
    text = f"{esc(reps)} independent replications, seed {esc(seed)}"
    method = run.get("replications_method")
    if method and method != "fixed":
        text += f" ({esc(method)})"
    text += ". "
    if terminating is True:
        text += ("Terminating: each replication is one service day that starts empty and "
                 "idle, with no warm-up; " + esc(run.get(
                     "stopping_rule",
                     "doors close, customers inside are served, then the day ends")) + ".")
    elif terminating is False:
        warm = run.get("warm_up_min", sc.run.warm_up_min if sc is not None else None)
        length = sc.run.length_min if sc is not None else None
        text += ("Steady state: " + (f"run length {esc(duration(length))}, " if length else "")
                 + (f"warm-up {esc(duration(float(warm)))} deleted from the statistics"
                    if warm is not None else "") + "; replications start empty and idle.")
    if kind in ("compare", "sweep"):
        text += (" Every variant runs the same replication indices with the same seed "
                 "(common random numbers).")
    return text


def _estimation(kind: str, manifest: dict[str, Any]) -> str:
    est = manifest.get("estimation", {})
    base = ("Each replication gives one value of every KPI; the replications are the "
            "independent observations. Estimates are the mean across replications with a "
            "two-sided 95 % Student-t interval, x̄ ± t<sub>0.975, n−1</sub> · s/√n, kept inside "
            "what the KPI can be: clipped to its range (a wait at 0), and for shares the Wilson "
            "score interval at the effective sample size of the replications (Korn &amp; "
            "Graubard 1998); no interval is computed over customers (they are correlated "
            "within a replication).")
    if est.get("statistics_window"):
        base += f" Statistics window: {esc(est['statistics_window'])}."
    if kind == "compare":
        base += (" Differences between variants are paired by replication (common random "
                 "numbers) with a Student-t interval of the differences, Bonferroni-adjusted "
                 "over the variants.")
    if kind == "sweep":
        base += " Each variant has its own interval over its replications."
    return base


def methods(kind: str, manifest: dict[str, Any], sc: Scenario | None) -> str:
    """The methods section body (STRESS-DES items)."""
    spec = manifest.get("spec", {})
    scen = manifest.get("scenario", {})
    name = scen.get("name") or (sc.name if sc is not None else "the scenario")
    items = [_item("1.1 Objectives", _objective(kind, name, spec)),
             _item("2 Model logic", _logic(sc))]
    inputs = []
    if scen.get("path"):
        inputs.append(f"scenario file <code>{esc(scen['path'])}</code>")
    sha = scen.get("sha256_file") or spec.get("scenario_sha256")
    if sha:
        inputs.append(f"SHA-256 <code>{esc(sha)}</code>")
    if spec.get("scenario") and not scen.get("path"):
        inputs.append(f"scenario file <code>{esc(spec['scenario'])}</code>")
    inputs.append("the validated scenario with every default filled in is "
                  "<code>scenario.resolved.yaml</code> in the results folder; the scenario "
                  "section above summarises it")
    sat = manifest.get("satisfaction") or {}
    if kind != "run" and isinstance(sat, dict) and sat:
        first = next(iter(sat.values()))
        sat = first if isinstance(first, dict) else {}
    if sat.get("label"):
        inputs.append(f"satisfaction model: {esc(sat.get('model', 'servqual'))}, "
                      f"{esc(sat['label'])}")
    items.append(_item("3 Data and inputs", "; ".join(inputs) + "."))
    items.append(_item("4.1–4.2 Experimentation: initialisation and run length",
                       _experimentation(kind, manifest, sc)))
    items.append(_item("4.3 Estimation and outputs", _estimation(kind, manifest)))
    soft = manifest.get("software", {})
    soft_table = table(["Software", "Version"], [[esc(k), esc(v)] for k, v in soft.items()],
                       cls="keep") if soft else "not recorded"
    items.append(_item("5.1 Software", soft_table))
    rn = manifest.get("random_numbers", {})
    items.append(_item("5.2 Random sampling",
                       f"{esc(rn.get('generator', 'PCG64'))} generators, one stream per "
                       f"purpose: <code>{esc(rn.get('streams', ''))}</code>. Common random "
                       f"numbers: {esc(rn.get('common_random_numbers', ''))}."))
    items.append(_item("5.3 Model execution",
                       "SimPy process interaction, one replication at a time per worker. "
                       "Results do not depend on the backend or the number of worker "
                       "processes (manifest.json records which were used)."))
    plat = manifest.get("platform", {})
    sys_text = ", ".join(esc(x) for x in (plat.get("os"), plat.get("machine")) if x)
    if plat.get("cpu_count"):
        sys_text += f", {esc(plat['cpu_count'])} CPUs"
    if plat.get("git_commit"):
        sys_text += f"; servsim git commit <code>{esc(plat['git_commit'])}</code>"
    items.append(_item("5.4 System", (sys_text or "not recorded") + "."))
    command = reproduce_command(plat.get("command")) or constructed_command(kind, manifest)
    repro = ""
    if command:
        repro = (f"<p>To reproduce these results (from the folder the command was run in, "
                 f"adding <code>-o FOLDER</code>):</p>\n<pre>{esc(command)}</pre>\n")
    if kind == "run":
        repro += ("<p>Or, from the results folder alone: <code>servsim run "
                  "scenario.resolved.yaml</code> (the file holds the replications and seed "
                  "used).</p>\n")
    return (f'<dl class="methods">\n{"".join(items)}</dl>\n{repro}'
            "<p class=\"note\">Items numbered as in STRESS-DES (Monks et al. 2019, "
            "<em>Journal of Simulation</em> 13:1, 55–67).</p>\n")
