"""Verification of a staffing plan by simulation, and the tables a planner reads.

The staffed scenario (the shift plan), the stationary answer (per-interval Erlang C / A, run
without breaks like the requirement) and the original scenario run the same replications with
the same seed (common random numbers). Per group and interval the staffing table gives the
demand, both requirements, the people the plan puts at counters, and each target's value under
the plan with its 95 % Student-t interval across replications (clipped to the values the
measure can take) and whether the point estimate meets the target, beside the same value under
the stationary answer. The comparison table is the paired difference, staffed minus original,
of the headline KPIs (:func:`simulator.experiments.compare.comparison_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.experiments.staffing.measure import ReplicationIntervals, pooled, target_values
from simulator.experiments.staffing.requirement import Requirement
from simulator.experiments.staffing.shifts import ShiftPlan
from simulator.experiments.staffing.spec import GroupSpec
from simulator.measures.stats import t_interval
from simulator.scenario.fields import min_to_clock

__all__ = ["staffing_table", "target_summary"]


def target_summary(groups: Sequence[GroupSpec], reps: Sequence[ReplicationIntervals]
                   ) -> dict[str, dict[str, tuple[np.ndarray, ...]]]:
    """Per group and target: (mean, ci_low, ci_high, n) per interval across replications."""
    out: dict[str, dict[str, tuple[np.ndarray, ...]]] = {}
    for g, grp in enumerate(groups):
        out[grp.name] = {}
        for t in grp.targets:
            vals = target_values(t, g, reps)
            lo_b, hi_b = t.bounds()
            cols = []
            for i in range(vals.shape[1]):
                ti = t_interval(vals[:, i])
                low = ti.ci_low if math.isfinite(ti.ci_low) else math.nan
                high = ti.ci_high if math.isfinite(ti.ci_high) else math.nan
                cols.append((ti.mean, max(lo_b, low) if low == low else low,
                             min(hi_b, high) if high == high else high, ti.n))
            arr = np.array(cols, dtype=float).reshape(-1, 4)
            out[grp.name][t.key] = (arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    return out


def staffing_table(groups: Sequence[GroupSpec], req: Requirement,
                   plans: dict[str, ShiftPlan], staffed: Sequence[ReplicationIntervals],
                   stationary: Sequence[ReplicationIntervals]) -> pd.DataFrame:
    """One row per group and interval (see the module docstring); machine column names."""
    edges = req.edges
    summary = target_summary(groups, staffed)
    rows = []
    for g, grp in enumerate(groups):
        d = req.demand[grp.name]
        at_counters, on_shift = plans[grp.name].per_interval(edges)
        st_vals = {t.key: pooled(t, g, stationary) for t in grp.targets}
        for i in range(edges.size - 1):
            st_req = int(req.stationary[grp.name][i])
            row: dict[str, object] = {
                "group": grp.name, "station": grp.station_name,
                "start": min_to_clock(edges[i]), "end": min_to_clock(edges[i + 1]),
                "arrivals_per_hour": float(d.arrivals_per_hour[i]),
                "offered_load": float(d.offered_load[i]),
                "requirement": int(req.people[grp.name][i]),
                "stationary_requirement": st_req if st_req >= 0 else math.nan,
                "counters": grp.cap,
                "infeasible": False,  # set below: not attainable, and missed by the plan
                "planned_at_counters": int(min(at_counters[i], grp.cap)),
                "planned_on_shift": int(on_shift[i]),
            }
            all_met = True
            for t in grp.targets:
                mean, low, high, _n = (a[i] for a in summary[grp.name][t.key])
                met = t.met(float(mean))
                all_met &= met
                stv = float(st_vals[t.key][i])
                row.update({
                    f"{t.key}__target": t.level,
                    f"{t.key}__requirement_value": float(req.values[grp.name][t.key][i]),
                    f"{t.key}__mean": float(mean), f"{t.key}__ci_low": float(low),
                    f"{t.key}__ci_high": float(high), f"{t.key}__met": met,
                    f"{t.key}__stationary_value": stv,
                    f"{t.key}__stationary_met": t.met(stv),
                })
            row["met"] = all_met
            row["infeasible"] = bool(req.infeasible[grp.name][i]) and not all_met
            rows.append(row)
    return pd.DataFrame(rows)
