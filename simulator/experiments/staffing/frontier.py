"""The cost-service frontier: the plan's price for each service level.

For each level of the service standard(s) (``--frontier 0.6:0.95:0.05``) the requirement is
found again (starting from the study's requirement, on the same common random numbers; the
study's own level reuses it), the
least-cost shifts are planned, and the plan is simulated: staff-hours and cost against the
whole-day service level, abandonment and predicted satisfaction, so a manager sees what each
point of service costs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simulator.experiments.staffing.edit import with_shifts
from simulator.experiments.staffing.requirement import Requirement, find_requirement
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import StaffingError
from simulator.experiments.staffing.study import StaffingStudy, shift_plans
from simulator.measures.standards import standard_slugs
from simulator.measures.stats import t_interval

__all__ = ["FRONTIER_COLUMNS", "cost_service_frontier", "parse_levels"]

FRONTIER_COLUMNS = ("level", "people", "paid_hours", "cost", "intervals_met", "intervals",
                    "service_level", "service_level_ci_low", "service_level_ci_high",
                    "abandon_rate", "csat_mean")


def parse_levels(text: str) -> list[float]:
    """``START:STOP:STEP`` (inclusive) or a comma list, as shares in (0, 1).

    Examples
    --------
    >>> parse_levels("0.6:0.7:0.05")
    [0.6, 0.65, 0.7]
    """
    try:
        if ":" in text:
            a, b, c = (float(x) for x in text.split(":"))
            if c <= 0 or b < a:
                raise ValueError
            n = math.floor((b - a) / c + 1e-9)
            levels = [round(a + i * c, 10) for i in range(n + 1)]
        else:
            levels = [float(x) for x in text.split(",")]
    except ValueError:
        raise StaffingError(f"--frontier must be START:STOP:STEP or a list of shares (got "
                            f"{text!r}; expected e.g. 0.6:0.95:0.05)") from None
    if not levels or any(not 0 < x < 1 for x in levels):
        raise StaffingError(f"--frontier levels must be shares between 0 and 1 (got {text!r}; "
                            "expected e.g. 0.6:0.95:0.05)")
    return levels


def cost_service_frontier(study: StaffingStudy, runner: StaffingRunner, base: Requirement,
                          levels: Sequence[float], *, max_iterations: int = 30,
                          on_progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """One row per level: people, paid hours, cost, intervals met and the simulated day.

    The service level is the first standard target's whole-day compliance (mean over
    replications, 95 % interval).
    """

    say = on_progress or (lambda _msg: None)
    first = next((t for g in study.groups for t in g.targets if t.kind == "standard"), None)
    if first is None:
        raise StaffingError("--frontier varies a service standard's share (got no standard "
                            "target; expected --standard NAME or standards at the group's "
                            "station)")
    sc = study.loaded.scenario
    key = f"std__{standard_slugs(sc.standards)[first.standard]}__compliance"
    rows = []
    for level in sorted(levels):
        groups = tuple(g.with_level(level) for g in study.groups)
        if groups == study.groups:  # the study's own level: its requirement
            req = base
        else:
            req = find_requirement(sc, runner, groups, study.edges,
                                   study.iteration_replications, start=base.people,
                                   demand=base.demand, max_iterations=max_iterations)
        plans = shift_plans(study, req.people)
        staffed = with_shifts(sc, {g: p.scenario_shifts() for g, p in plans.items()})
        res = runner.run({"frontier": staffed}, study.iteration_replications,
                         kpis=True)["frontier"]
        sl = t_interval([r.kpis.get(key, math.nan) for r in res])
        met = sum(int(it.sum()) for it in req.iterations[-1].met.values())
        rows.append({
            "level": level, "people": sum(p.people for p in plans.values()),
            "paid_hours": sum(p.paid_hours for p in plans.values()),
            "cost": sum(p.cost for p in plans.values()),
            "intervals_met": met, "intervals": len(groups) * (study.edges.size - 1),
            "service_level": sl.mean,
            "service_level_ci_low": max(0.0, sl.ci_low) if sl.ci_low == sl.ci_low else sl.ci_low,
            "service_level_ci_high": min(1.0, sl.ci_high) if sl.ci_high == sl.ci_high
            else sl.ci_high,
            "abandon_rate": float(np.nanmean([r.kpis.get("abandon_rate", math.nan)
                                              for r in res])),
            "csat_mean": float(np.nanmean([r.kpis.get("sat__csat_mean", math.nan)
                                           for r in res])),
        })
        say(f"frontier {level:.0%}: {rows[-1]['people']} people, cost {rows[-1]['cost']:,.2f}, "
            f"day service level {sl.mean:.1%}")
    return pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))
