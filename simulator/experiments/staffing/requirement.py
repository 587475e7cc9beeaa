"""The requirement curve by simulation: an iterative staffing algorithm with CRN.

For every staffed group and interval, find the fewest people at counters whose customers (by
the time they joined the line) meet every target, in the scenario as it is: time-varying
arrivals, the queue carried over from earlier intervals, routing, other groups held fixed,
abandonment and balking. The method follows the iterative staffing algorithm (ISA) of Feldman,
Mandelbaum, Massey & Whitt (2008), generalised from a delay-probability target to any target
measured per interval:

1. **Offered load.** Simulate with ample staff (the group's home station given twice its
   counters, or ten more, all staffed all day): the busy counters per interval estimate
   the offered load m(t) of the infinite-server approximation,
   which already carries the lag of service after arrival. The first staffing is the
   stationary answer for that load (modified offered load: Erlang C or A with load m(t);
   Jennings, Mandelbaum, Massey & Whitt 1996), at most the counters.
2. **Iterate.** Simulate the current staffing with the same replications and seeds as every
   other iteration (common random numbers), measure each target per interval (pooled over
   replications), add one person where a target is missed and take one away where every
   target is met with a margin: it would still be met if the simulated shortfall (one minus
   the share, or the rate or wait) grew by the factor the stationary model (Erlang C or A at
   the interval's offered load) predicts for one person fewer (predicted satisfaction, which
   has no formula: 0.1 above its floor). Reductions are tried in every other interval, in
   turn, so that a reduction does not fail because of its neighbour's; an interval whose
   reduction failed keeps its level as a floor, so the search cannot cycle.
   With delay-probability targets only, the update is Feldman et al.'s: the smallest s with
   P(N >= s) <= alpha, N the number at the station seen by the interval's arrivals under the
   current staffing; should sampling noise make it repeat an earlier staffing, the larger
   value of the cycle in each interval is taken, simulated once more, and the search stops.
   An interval that misses with every counter staffed is missing because of the queue
   carried over from before (the lag): the latest interval in the hour before it that is
   below the cap gets one more person, for good; when there is none, the interval is
   reported infeasible with its best attainable value.
3. **Stop** when an iteration changes nothing: the last simulated staffing met every
   feasible interval's targets, and one person fewer in an interval either failed or was
   not tried because the interval sits at its floor.

References
----------
Feldman, Z., Mandelbaum, A., Massey, W. A. & Whitt, W. (2008). Staffing of time-varying queues
    to achieve time-stable performance. *Management Science* 54(2), 324-338.
Jennings, O. B., Mandelbaum, A., Massey, W. A. & Whitt, W. (1996). Server staffing to meet
    time-varying demand. *Management Science* 42(10), 1383-1394.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simulator.experiments.staffing.edit import with_counters, with_staffing
from simulator.experiments.staffing.measure import (
    ReplicationIntervals,
    delay_staffing,
    group_offered,
    pooled,
    pooled_day,
)
from simulator.experiments.staffing.simulate import StaffingRunner
from simulator.experiments.staffing.spec import GroupSpec, Target
from simulator.scenario.schema import Scenario
from simulator.theory.interval_staffing import (
    StationaryTargets,
    stationary_servers,
    stationary_value,
)

__all__ = ["Demand", "Iteration", "Requirement", "find_requirement", "stationary_answer"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Demand:
    """A group's demand per interval, from the ample-staff pass."""

    arrivals_per_hour: np.ndarray
    offered_load: np.ndarray  # busy counters, time average (infinite-server approximation)
    mean_service_min: float


@dataclass(frozen=True)
class Iteration:
    """One simulated staffing: people per interval, targets met, pooled target values."""

    number: int
    staffing: dict[str, np.ndarray]
    met: dict[str, np.ndarray]
    values: dict[str, dict[str, np.ndarray]]
    day: dict[str, dict[str, float]]  # group -> target key -> value over the whole day


@dataclass
class Requirement:
    """The requirement curve of every group, with how it was found."""

    edges: np.ndarray
    people: dict[str, np.ndarray]
    infeasible: dict[str, np.ndarray]
    values: dict[str, dict[str, np.ndarray]]  # group -> target key -> pooled value
    demand: dict[str, Demand]
    stationary: dict[str, np.ndarray]  # -1 where even every counter is not enough
    iterations: list[Iteration] = field(default_factory=list)
    converged: bool = False
    replications: int = 0


def _targets_for_formula(t: Target) -> StationaryTargets | None:
    if t.kind == "standard":
        return StationaryTargets(service_level=(t.level, t.within_min))
    if t.kind == "abandon":
        return StationaryTargets(max_abandon=t.level)
    if t.kind == "mean_wait":
        return StationaryTargets(max_mean_wait_min=t.level)
    if t.kind == "delay":
        return StationaryTargets(max_p_wait=t.level)
    return None  # predicted satisfaction: no closed form


def stationary_answer(group: GroupSpec, rate_per_min: np.ndarray,
                      mean_service_min: float) -> np.ndarray:
    """Per interval, the fewest servers meeting every formula target in steady state at
    ``rate_per_min`` (Erlang A with the group's patience, else Erlang C); -1 where even the
    counters are not enough, 0 where nobody arrives or no target has a formula."""
    out = np.zeros(rate_per_min.size, dtype=int)
    if not math.isfinite(mean_service_min) or mean_service_min <= 0:
        return out
    for i, lam in enumerate(rate_per_min.tolist()):
        need = 0
        for t in group.targets:
            st = _targets_for_formula(t)
            if st is None:
                continue
            c = stationary_servers(lam, mean_service_min, st, group.cap, group.patience_min)
            need = -1 if c is None or need < 0 else max(need, c)
        out[i] = need
    return out


def _evaluate(groups: Sequence[GroupSpec], reps: Sequence[ReplicationIntervals]
              ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, np.ndarray]],
                         dict[str, dict[str, float]]]:
    met, values, day = {}, {}, {}
    for g, grp in enumerate(groups):
        day[grp.name] = {t.key: pooled_day(t, g, reps) for t in grp.targets}
        vals = {t.key: pooled(t, g, reps) for t in grp.targets}
        ok = np.ones(next(iter(vals.values())).size, dtype=bool)
        for t in grp.targets:
            ok &= np.array([t.met(v) for v in vals[t.key].tolist()])
        met[grp.name], values[grp.name] = ok, vals
    return met, values, day


#: Margin on predicted satisfaction (1-5) before one person is taken away (no formula).
CSAT_MARGIN = 0.1


def _room_to_lower(group: GroupSpec, values: dict[str, np.ndarray], i: int, s: int,
                   d: Demand) -> bool:
    """Whether interval i is met with a margin: every target would still be met with one
    person fewer, if the simulated value moved by what the stationary model (Erlang C / A at
    the interval's offered load) predicts for that change."""
    if s <= 1:
        return s == 1 and d.arrivals_per_hour[i] == 0
    es = d.mean_service_min
    lam = float(d.offered_load[i]) / es if es > 0 else math.nan
    for t in group.targets:
        v = float(values[t.key][i])
        if v != v:
            continue
        if t.kind == "csat":
            if v < t.level + CSAT_MARGIN:
                return False
            continue
        kind = {"standard": "service_level", "abandon": "abandon", "mean_wait": "mean_wait",
                "delay": "p_wait"}[t.kind]
        if not math.isfinite(lam) or (group.patience_min is None and lam * es >= s - 1):
            return False
        now = stationary_value(kind, lam, es, s, group.patience_min, t.within_min)
        fewer = stationary_value(kind, lam, es, s - 1, group.patience_min, t.within_min)
        if not (now == now and fewer == fewer):
            return False
        # scale the simulated shortfall (1 - share, or the rate or wait itself) by the
        # model's ratio for one person fewer
        bad, bad_now, bad_fewer = ((1 - v, 1 - now, 1 - fewer) if t.higher_is_better
                                   else (v, now, fewer))
        guess = bad * bad_fewer / bad_now if bad_now > 1e-9 else bad + bad_fewer - bad_now
        if not t.met(1 - guess if t.higher_is_better else guess):
            return False
    return True


def _upstream(s: np.ndarray, i: int, cap: int, lookback: int) -> int | None:
    """The latest interval before ``i``, at most ``lookback`` back, below the cap."""
    for j in range(i - 1, max(-1, i - 1 - lookback), -1):
        if s[j] < cap:
            return j
    return None


def _key(staffing: dict[str, np.ndarray]) -> tuple[int, ...]:
    return tuple(int(x) for k in sorted(staffing) for x in staffing[k])


def ample_counters(cap: int) -> int:
    """Counters of the ample-staff pass: twice the station's, or ten more if that is more."""
    return max(2 * cap, cap + 10)


def staff_hours(staffing: dict[str, np.ndarray], interval_min: float) -> float:
    """People x interval hours, summed over groups."""
    return float(sum(int(s.sum()) for s in staffing.values()) * interval_min / 60.0)


def find_requirement(
    base: Scenario, runner: StaffingRunner, groups: Sequence[GroupSpec], edges: np.ndarray,
    replications: int, *, start: dict[str, np.ndarray] | None = None,
    demand: dict[str, Demand] | None = None, max_iterations: int = 30,
    on_progress: Progress | None = None,
) -> Requirement:
    """Find each group's requirement per interval (see the module docstring).

    Parameters
    ----------
    base : Scenario
        The scenario; groups not staffed here keep their shifts.
    runner : StaffingRunner
        Simulates variants on common random numbers.
    groups : sequence of GroupSpec
        The groups to staff and their targets.
    edges : ndarray
        Interval boundaries, opening to closing.
    replications : int
        Replications per iteration (the same indices and seed every iteration).
    start : dict, optional
        A staffing to start from instead of the modified-offered-load answer (a warm start,
        e.g. the previous level of a frontier).
    demand : dict, optional
        Demand already measured (skips the ample-staff pass).
    max_iterations : int
        Stop after this many iterations even if the staffing still changes.
    on_progress : callable, optional
        Called with one line per iteration.
    """
    say = on_progress or (lambda _msg: None)
    n = edges.size - 1
    interval_min = float(edges[1] - edges[0])
    if demand is None:
        wide = {g.station_name: ample_counters(g.cap) for g in groups}
        ample = {g.name: np.full(n, ample_counters(g.cap), dtype=int) for g in groups}
        reps = StaffingRunner.intervals(runner.run(
            {"ample": with_staffing(with_counters(base, wide), ample, edges)},
            replications)["ample"])
        demand = {}
        for g, grp in enumerate(groups):
            rate, load, es = group_offered(g, reps, interval_min)
            demand[grp.name] = Demand(rate, load, es)
        say(f"offered load measured with every counter staffed ({replications} replications)")
    stationary = {g.name: stationary_answer(g, demand[g.name].arrivals_per_hour / 60.0,
                                            demand[g.name].mean_service_min) for g in groups}
    floor0 = {g.name: (demand[g.name].arrivals_per_hour > 0).astype(int) for g in groups}
    if start is None:
        start = {}
        for g in groups:
            d = demand[g.name]
            mol = stationary_answer(g, d.offered_load / d.mean_service_min, d.mean_service_min)
            mol = np.where(mol < 0, g.cap, mol)
            if any(t.kind == "csat" for t in g.targets):
                sqrt_rule = np.ceil(d.offered_load + np.sqrt(d.offered_load)).astype(int)
                mol = np.maximum(mol, sqrt_rule)
            start[g.name] = np.clip(mol, floor0[g.name], g.cap)
    staffing = {k: np.asarray(v, dtype=int).copy() for k, v in start.items()}
    floor = {k: v.copy() for k, v in floor0.items()}
    lowered = {g.name: np.zeros(n, dtype=bool) for g in groups}
    caps = {g.name: g.cap for g in groups}
    result = Requirement(edges, staffing, {}, {}, demand, stationary)
    seen: dict[tuple[int, ...], int] = {}
    lookback = max(1, round(60.0 / interval_min))
    final = False
    isa_only = all(t.kind == "delay" for g in groups for t in g.targets)
    for number in range(1, max_iterations + 1):
        reps = StaffingRunner.intervals(runner.run(
            {"iteration": with_staffing(base, staffing, edges)}, replications)["iteration"])
        met, values, day = _evaluate(groups, reps)
        result.iterations.append(Iteration(number, {k: v.copy() for k, v in staffing.items()},
                                           met, values, day))
        parts = [f"{name} {int(met[name].sum())}/{n} intervals meet the targets"
                 for name in staffing]
        say(f"iteration {number}: {', '.join(parts)}; "
            f"{staff_hours(staffing, interval_min):.1f} staff-hours at counters "
            f"({replications} replications)")
        if final:
            break
        new = {}
        for g, grp in enumerate(groups):
            name, s = grp.name, staffing[grp.name]
            ok, cap = met[name], caps[name]
            if all(t.kind == "delay" for t in grp.targets):
                level = min(t.level for t in grp.targets)
                new[name] = np.clip(delay_staffing(level, g, reps), floor0[name], cap)
                continue
            floor[name] = np.where(~ok & lowered[name], s + 1, floor[name])
            room = ok & (s > floor[name]) & np.array(
                [_room_to_lower(grp, values[name], i, int(s[i]), demand[name])
                 for i in range(n)])
            # alternate intervals, so a failed reduction is not caused by the neighbour's;
            # the other half when this half has nothing to take away
            half = (np.arange(n) + number) % 2 == 0
            down = room & half if np.any(room & half) else room & ~half
            new[name] = np.where(~ok, np.minimum(s + 1, cap), np.where(down, s - 1, s))
            # a miss that cannot be raised (every counter staffed) is the queue carried over:
            # raise the latest earlier interval within the hour before that has room, for good
            for i in np.flatnonzero(~ok & (s >= cap)).tolist():
                j = _upstream(s, i, cap, lookback)
                if j is not None:
                    new[name][j] = max(int(new[name][j]), int(s[j]) + 1)
                    floor[name][j] = max(int(floor[name][j]), int(s[j]) + 1)
                    down[j] = False
            lowered[name] = down
        if all(np.array_equal(new[k], staffing[k]) for k in staffing):
            result.converged = True
            break
        seen[_key(staffing)] = number - 1
        if isa_only and _key(new) in seen:  # a cycle (sampling noise): its larger staffing
            cycle = [it.staffing for it in result.iterations[seen[_key(new)]:]]
            new = {k: np.max([c[k] for c in cycle], axis=0) for k in staffing}
            say("the staffing cycles; taking the larger value of the cycle in each interval")
            final = True
        staffing = new
    last = result.iterations[-1]
    result.people = {k: v.copy() for k, v in last.staffing.items()}
    result.infeasible = {k: np.array([
        not last.met[k][i] and last.staffing[k][i] >= caps[k]
        and _upstream(last.staffing[k], i, caps[k], lookback) is None for i in range(n)])
        for k in caps}
    result.values = last.values
    result.replications = replications
    return result
