"""Open any scenario in class, change its staffing, demand and service times, and run it.

A trainer picks a bundled scenario (the ``scenarios/`` library found by
:mod:`simulator.scenario.templates`) or uploads one. :func:`staffing_knobs` lists what the
staffing sliders change: the head count of every staff group (``count``) or of each of its
shifts, and the counters of every unstaffed station (kiosks). :func:`demand_knobs` lists the
demand sliders: each walk-in source's arrivals per hour and each station's service time, as a
percentage of the file's values. :func:`with_staffing` applies slider values as
``--set``-style overrides to the file's tree *before* validation
(:mod:`simulator.scenario.overrides`), so a bad value is reported exactly as ``servsim run
--set`` would; a staffed station's counters are raised, when needed, to the most staff its
group can have on duty, so extra staff have somewhere to sit. :func:`run_workshop` runs a few
replications and returns the headline KPIs with 95 % intervals (kept inside what each KPI can
be), the verdict, the mean line length over the day and one replication to animate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine.model import simulate
from simulator.experiments.runner import replication_outputs
from simulator.measures import stats
from simulator.measures.labels import kpi_info
from simulator.measures.verdict import Verdict, run_verdict, standard_names
from simulator.scenario.arrivals import PoissonArrivals
from simulator.scenario.fields import min_to_clock
from simulator.scenario.loader import (
    LoadedScenario,
    ScenarioError,
    ScenarioIssue,
    locate,
    read_yaml,
    scenario_text,
    to_plain,
    validate_tree,
)
from simulator.scenario.overrides import Override, apply_overrides
from simulator.scenario.plan import compile_plan
from simulator.scenario.profile import resolve_profile
from simulator.scenario.references import file_references
from simulator.scenario.schema import Scenario
from simulator.scenario.templates import TEMPLATES_DIR, list_templates
from simulator.teach.animation import Animated

__all__ = ["HEADLINE_KPIS", "Knob", "WorkshopResult", "bundled_scenarios", "decode_upload",
           "demand_knobs",
           "run_workshop", "staffing_knobs", "with_staffing"]


@dataclass(frozen=True)
class Knob:
    """One staffing slider.

    Attributes
    ----------
    path : tuple
        Scenario path it sets (``("staff", "clerks", "shifts", 0, "count")``).
    label : str
        What the slider says.
    value, low, high : int
        Current value and slider range.
    """

    path: tuple[str | int, ...]
    label: str
    value: int
    low: int
    high: int

    @property
    def key(self) -> str:
        """The dotted path (a stable widget key)."""
        return ".".join(str(p) for p in self.path)


def bundled_scenarios(directory: Path | None = None) -> dict[str, Path]:
    """Bundled scenario files by name (file stem), from :data:`TEMPLATES_DIR`."""
    folder = TEMPLATES_DIR if directory is None else directory
    return {name: folder / f"{name}.yaml" for name in list_templates(folder)}


def _high(value: int) -> int:
    return max(4, 2 * value + 2)


def staffing_knobs(scenario: Scenario) -> list[Knob]:
    """The staffing sliders of a scenario, in file order.

    One knob per staff group with ``count`` ("clerks on duty"), one per shift otherwise
    ("clerks, shift 1 (08:15-17:00)"), and one per unstaffed station's counters.
    """
    knobs: list[Knob] = []
    for gname, grp in scenario.staff.items():
        if grp.count is not None:
            knobs.append(Knob(("staff", gname, "count"), f"{gname} on duty", grp.count, 0,
                              _high(grp.count)))
        for i, sh in enumerate(grp.shifts or ()):
            knobs.append(Knob(("staff", gname, "shifts", i, "count"),
                              f"{gname}, shift {i + 1} ({sh.start}-{sh.end})", sh.count, 0,
                              _high(sh.count)))
    for sname, st in scenario.stations.items():
        if not st.staffed:
            knobs.append(Knob(("stations", sname, "counters"), f"{sname} counters",
                              st.counters, 1, _high(st.counters)))
    return knobs


#: Range of the demand sliders, percent of the file's values.
PERCENT_LOW, PERCENT_HIGH, PERCENT_STEP = 50, 200, 10

#: Numbers of a service distribution that scale with its time (its location and spread).
_TIME_FIELDS = ("mean", "value", "low", "mode", "high")


def demand_knobs(scenario: Scenario) -> list[Knob]:
    """The demand sliders, in percent of the file (100 = as written): each walk-in source's
    arrivals per hour (``arrivals.<source>.rate_per_hour``, its meal peaks too) and each
    station's service time (``stations.<station>.service``)."""
    knobs: list[Knob] = []
    for name, src in scenario.arrivals.items():
        if isinstance(src, PoissonArrivals):
            peak = max(src.rate_per_hour.values())
            knobs.append(Knob(("arrivals", name, "rate_per_hour"),
                              f"{name.replace('_', ' ')}: arrivals per hour, % of the file "
                              f"(busiest {peak:g}/h at 100 %)", 100, PERCENT_LOW, PERCENT_HIGH))
    for name, st in scenario.stations.items():
        service = st.service.model_dump(by_alias=True)
        if any(isinstance(service.get(f), (int, float)) for f in _TIME_FIELDS):
            mean = st.service.mean
            knobs.append(Knob(("stations", name, "service"),
                              f"{name.replace('_', ' ')}: service time, % of the file "
                              f"(mean {mean:.3g} min at 100 %)", 100, PERCENT_LOW,
                              PERCENT_HIGH))
    return knobs


def _scaled(tree: Any, path: tuple[str | int, ...], percent: int) -> Override:
    """An override setting ``path`` (a rate table or a service distribution of the file) to
    its values times ``percent`` / 100."""
    node = tree
    for key in path:
        node = node[key]
    plain = to_plain(node)
    f = percent / 100.0
    if path[-1] == "rate_per_hour":
        value: Any = {k: round(float(v) * f, 6) for k, v in plain.items()}
    else:
        value = {k: (round(float(v) * f, 6) if k in _TIME_FIELDS
                     and isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                 for k, v in plain.items()}
        if isinstance(value.get("values"), list):  # an empirical list of times
            value["values"] = [round(float(v) * f, 6) for v in value["values"]]
    dotted = ".".join(map(str, path))
    return Override(path, value, f"{dotted}={percent}%")


def _scaled_peaks(tree: Any, source: str, percent: int) -> Override | None:
    peaks = to_plain(tree["arrivals"][source]).get("peaks")
    if not peaks:
        return None
    f = percent / 100.0
    value = [{**p, "extra_per_hour": round(float(p["extra_per_hour"]) * f, 6)}
             if "extra_per_hour" in p else p for p in peaks]
    return Override(("arrivals", source, "peaks"), value, f"arrivals.{source}.peaks={percent}%")


def _most_on_duty(scenario: Scenario, group: str) -> int:
    grp = scenario.staff[group]
    if grp.count is not None:
        return grp.count
    return sum(sh.count for sh in grp.shifts or ())


def decode_upload(raw: bytes, name: str) -> str:
    """The text of an uploaded scenario file, with a scenario file's limits
    (:func:`simulator.scenario.loader.scenario_text`).

    Raises
    ------
    simulator.ScenarioError
        If it is larger than a scenario file may be, or not UTF-8 (naming the line).

    Examples
    --------
    >>> decode_upload(b"name: x\\n", "x.yaml")
    'name: x\\n'
    """
    return scenario_text(raw, name)


def with_staffing(text: str, file_name: str, values: dict[str, int],
                  base_dir: Path | None = None,
                  demand: dict[str, int] | None = None) -> LoadedScenario:
    """Validate scenario ``text`` with staffing (and demand) slider values applied.

    Parameters
    ----------
    text : str
        The scenario file's YAML.
    file_name : str
        Named in error messages.
    values : dict[str, int]
        Staffing :attr:`Knob.key` -> value.
    base_dir : Path, optional
        Where file names inside the scenario (traces, profiles) are resolved. Without it (an
        upload) the scenario may not name files at all.
    demand : dict[str, int], optional
        Demand :attr:`Knob.key` (:func:`demand_knobs`) -> percent of the file's values.

    Raises
    ------
    simulator.ScenarioError
        With ``file:line: path: message`` issues, as for any scenario file.
    """
    tree = read_yaml(text, file_name)
    overrides = [Override(tuple(int(p) if p.isdigit() else p for p in k.split(".")), int(v),
                          f"{k}={int(v)}") for k, v in sorted(values.items())]
    for key, percent in sorted((demand or {}).items()):
        if int(percent) == 100:
            continue
        path = tuple(key.split("."))
        overrides.append(_scaled(tree, path, int(percent)))
        if path[-1] == "rate_per_hour":
            peaks = _scaled_peaks(tree, str(path[1]), int(percent))
            if peaks is not None:
                overrides.append(peaks)
    tree = apply_overrides(tree, overrides)
    scenario = validate_tree(tree, file_name)
    if base_dir is None:
        refs = file_references(scenario)
        if refs:
            raise ScenarioError([ScenarioIssue(file_name, *locate(tree, loc), (
                f"an uploaded scenario cannot name files (got {name[:60]!r}; expected the "
                "data inline, e.g. an empirical distribution's values: [...], or the scenario "
                "run with servsim run next to its files)")) for loc, name in refs])
    seats = []
    for sname, st in scenario.stations.items():
        if st.staff is not None:
            need = _most_on_duty(scenario, st.staff)
            if need > st.counters:
                seats.append(Override(("stations", sname, "counters"), need,
                                      f"stations.{sname}.counters={need}"))
    if seats:
        scenario = validate_tree(apply_overrides(tree, seats), file_name)
    path = (base_dir / Path(file_name).name) if base_dir is not None else None
    return LoadedScenario(scenario, path, "")


#: KPIs shown as headline tiles (labels from :mod:`simulator.measures.labels`).
HEADLINE_KPIS: tuple[str, ...] = (
    "arrived", "wait_mean_min", "wait_p90_min", "abandon_rate", "balk_rate",
    "closing_overrun_min", "staff_cost", "sat__csat_mean", "sat__complaint_rate",
)


@dataclass(frozen=True)
class WorkshopResult:
    """A scenario's run: KPI summary, line length over time and one replication to replay.

    Attributes
    ----------
    summary : pandas.DataFrame
        kpi, label, mean, ci_low, ci_high, n for :data:`HEADLINE_KPIS`, each station's
        mean wait and utilisation and each standard's compliance; intervals stay inside what
        each KPI can be (:func:`simulator.measures.stats.summarise`).
    queue : pandas.DataFrame
        time_min, hour_of_day, clock, station, queue_mean (mean over replications,
        5-minute grid).
    animation : Animated
        Replication 1 over the whole day.
    verdict : Verdict
        Standards met or missed, worst hours, bottleneck
        (:func:`simulator.measures.verdict.run_verdict`).
    currency : str or None
        The scenario's currency, for costs.
    """

    summary: pd.DataFrame
    queue: pd.DataFrame
    animation: Animated
    verdict: Verdict | None = None
    currency: str | None = None


def run_workshop(loaded: LoadedScenario, replications: int = 5, seed: int | None = None,
                 ) -> WorkshopResult:
    """Run ``replications`` replications of a scenario and summarise them for the class."""
    sc = loaded.scenario
    run_seed = sc.run.seed if seed is None else seed
    sc = resolve_profile(sc, loaded.base_dir)
    plan = compile_plan(sc, loaded.base_dir)
    results = []
    first = None
    for rep in range(replications):
        rec = simulate(plan, run_seed, rep)
        results.append(replication_outputs(plan, rec, rep, detail=True, seed=run_seed))
        first = rec if first is None else first
    assert first is not None
    keys = [k for k in HEADLINE_KPIS if k in results[0].kpis]
    for name in plan.station_names:
        keys += [f"{name}__wait_mean_min", f"{name}__utilisation_tw"]
    keys += [k for k in results[0].kpis if k.startswith("std__") and k.endswith("__compliance")]
    full = stats.summarise([r.kpis for r in results])
    names = standard_names(sc.standards)
    table = full.set_index("kpi").reindex(keys).reset_index()
    rows: list[dict[str, Any]] = [
        {"kpi": r["kpi"], "label": kpi_info(r["kpi"], names).titled(sc.currency),
         "mean": r["mean"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": int(r["n"])}
        for _, r in table.iterrows()]
    by_hour = pd.DataFrame([{"replication": r.replication, **row} for r in results
                            for row in r.by_hour])
    verdict = run_verdict(full, sc.standards, by_hour, sc.currency)
    # replications of a day differ in length: pool on the longest grid, NaN after a day ends
    longest = max(r.grid_min.size for r in results)
    times = results[int(np.argmax([r.grid_min.size for r in results]))].grid_min
    frames = []
    for s, name in enumerate(plan.station_names):
        q = np.full((len(results), longest), np.nan)
        for i, r in enumerate(results):
            q[i, : r.grid_min.size] = r.queue_grid[s]
        q = np.nan_to_num(q, nan=0.0)  # a finished day has nobody waiting
        frames.append(pd.DataFrame({"time_min": times, "hour_of_day": times / 60.0,
                                    "clock": [min_to_clock(t) for t in times],
                                    "station": name, "queue_mean": q.mean(axis=0)}))
    anim = Animated(f"{sc.name} (replication 1)", first,
                    tuple(s.counters for s in plan.stations),
                    tuple(s.per_counter for s in plan.stations),
                    tuple(c.rank for c in plan.classes), float(first.open_min),
                    float(first.end_min))
    return WorkshopResult(pd.DataFrame(rows), pd.concat(frames, ignore_index=True), anim,
                          verdict, sc.currency)
