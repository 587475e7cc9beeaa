"""Open any scenario in class, change its staffing with sliders and run it.

A trainer picks a bundled scenario (the ``scenarios/`` library found by
:mod:`simulator.scenario.templates`) or uploads one. :func:`staffing_knobs` lists what the
sliders change: the head count of every staff group (``count``) or of each of its shifts, and
the counters of every unstaffed station (kiosks). :func:`with_staffing` applies slider values
as ``--set``-style overrides to the file's tree *before* validation
(:mod:`simulator.scenario.overrides`), so a bad value is reported exactly as ``servsim run
--set`` would; a staffed station's counters are raised, when needed, to the most staff its
group can have on duty, so extra staff have somewhere to sit. :func:`run_workshop` runs a few
replications and returns the headline KPIs with 95 % intervals, the mean line length over the
day and one replication to animate.
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
from simulator.scenario.fields import min_to_clock
from simulator.scenario.loader import (
    LoadedScenario,
    ScenarioError,
    ScenarioIssue,
    locate,
    read_yaml,
    scenario_text,
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
                  base_dir: Path | None = None) -> LoadedScenario:
    """Validate scenario ``text`` with staffing slider values applied.

    Parameters
    ----------
    text : str
        The scenario file's YAML.
    file_name : str
        Named in error messages.
    values : dict[str, int]
        :attr:`Knob.key` -> value.
    base_dir : Path, optional
        Where file names inside the scenario (traces, profiles) are resolved. Without it (an
        upload) the scenario may not name files at all.

    Raises
    ------
    simulator.ScenarioError
        With ``file:line: path: message`` issues, as for any scenario file.
    """
    tree = read_yaml(text, file_name)
    overrides = [Override(tuple(int(p) if p.isdigit() else p for p in k.split(".")), int(v),
                          f"{k}={int(v)}") for k, v in sorted(values.items())]
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


#: KPIs shown as headline tiles, with their labels.
HEADLINE_KPIS: dict[str, str] = {
    "arrived": "customers arrived",
    "wait_mean_min": "mean wait (min)",
    "wait_p90_min": "90th percentile wait (min)",
    "abandon_rate": "abandonment rate",
    "balk_rate": "balking rate",
    "closing_overrun_min": "closing overrun (min)",
    "staff_cost": "staff cost",
    "sat__csat_mean": "predicted CSAT (1-5)",
    "sat__complaint_rate": "predicted complaint rate",
}


@dataclass(frozen=True)
class WorkshopResult:
    """A scenario's run: KPI summary, line length over time and one replication to replay.

    Attributes
    ----------
    summary : pandas.DataFrame
        kpi, label, mean, ci_low, ci_high, n for :data:`HEADLINE_KPIS` and each station's
        mean wait and utilisation.
    queue : pandas.DataFrame
        time_min, hour_of_day, clock, station, queue_mean (mean over replications,
        5-minute grid).
    animation : Animated
        Replication 1 over the whole day.
    """

    summary: pd.DataFrame
    queue: pd.DataFrame
    animation: Animated


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
    keys: dict[str, str] = {k: v for k, v in HEADLINE_KPIS.items() if k in results[0].kpis}
    for name in plan.station_names:
        keys[f"{name}__wait_mean_min"] = f"{name}: mean wait (min)"
        keys[f"{name}__utilisation_tw"] = f"{name}: utilisation"
    rows: list[dict[str, Any]] = []
    for key, label in keys.items():
        ti = stats.t_interval([r.kpis[key] for r in results])
        rows.append({"kpi": key, "label": label, "mean": ti.mean, "ci_low": ti.ci_low,
                     "ci_high": ti.ci_high, "n": ti.n})
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
    return WorkshopResult(pd.DataFrame(rows), pd.concat(frames, ignore_index=True), anim)
