"""Rules of the journey steps of issue 17: branch steps and parties queueing member by member.

Checked with the other rules between sections (:func:`simulator.scenario.schema.
cross_field_problems`), which turns each :class:`RuleBreak` into a ``Problem`` with its field
path; they take the scenario as it is being validated (``sc``: a
:class:`~simulator.scenario.schema.Scenario`, not imported here to keep the import graph one
way).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from simulator.scenario.arrivals import Appointments, ArrivalSource, TraceArrivals
from simulator.scenario.pathways import (
    Branch,
    Choose,
    IfFailed,
    IfServed,
    branch_kind,
    branch_targets,
    step_stations,
)

__all__ = ["RuleBreak", "branch_problems", "fed_classes", "members_queue_problems"]


class RuleBreak(NamedTuple):
    """A broken rule: where, what is wrong, what was found, what was expected."""

    loc: tuple[str | int, ...]
    message: str
    got: Any = None
    expected: str | None = None


def _one_of(names: set[str]) -> str:
    return "one of " + ", ".join(sorted(names)) if names else "none defined"


def branch_problems(sc: Any, steps: list[Any], i: int,
                    loc: tuple[str | int, ...]) -> list[RuleBreak]:
    """Rules of a branch step (``choose``, ``if_failed``, ``if_served``, ``shortest_of``).

    A pathway is a list walked forwards and a branch names stations, never a pathway, so a
    journey cannot loop back; the loops a scenario can write (recovery stations that send
    failures round in a circle) are rejected with the stations.
    """
    out: list[RuleBreak] = []
    step: Branch = steps[i]
    kind = branch_kind(step)
    names = branch_targets(step)
    for j, name in enumerate(names):
        where: tuple[str | int, ...] = (*loc, kind, name if kind == "choose" else j)
        if kind in ("if_failed", "if_served"):
            where = (*loc, kind)
        if name not in sc.stations:
            out.append(RuleBreak(where, f"no station named {name!r}", name,
                               _one_of(set(sc.stations))))
    if len(set(names)) < len(names):
        out.append(RuleBreak((*loc, kind), "a station is listed twice", names,
                           "each station once"))
    if isinstance(step, Choose):
        total = sum(step.choose.values())
        if abs(total - 1) > 1e-6:
            out.append(RuleBreak((*loc, kind), "the probabilities of a choice must add up to 1",
                               round(total, 6), "1"))
    if isinstance(step, IfFailed | IfServed):
        before = [n for s in steps[:i] for n in step_stations(s)]
        if not before:
            out.append(RuleBreak((*loc, kind), "a step by the outcome of the previous visit "
                               "needs a station visit before it", kind,
                               "a station step earlier in the pathway"))
        elif isinstance(step, IfFailed) and not any(
                sc.stations[n].failure is not None for n in before if n in sc.stations):
            out.append(RuleBreak((*loc, kind), "no earlier station of this pathway can fail, so "
                               "this step is never taken", step.if_failed,
                               "a station with failure: earlier in the pathway"))
    return out


def fed_classes(sc: Any, src: ArrivalSource) -> set[str]:
    """The customer classes an arrival source can bring."""
    fixed = getattr(src, "class_", None)
    shares = getattr(src, "class_shares", None)
    if fixed is not None:
        return {fixed}
    if isinstance(src, TraceArrivals) and src.class_column is not None:
        return set(sc.customer_classes)
    if shares is not None:
        return {c for c, v in shares.items() if v > 0}
    if isinstance(src, Appointments) or len(sc.customer_classes) == 1:
        return {next(iter(sc.customer_classes))}
    return {c for c, cc in sc.customer_classes.items() if cc.share > 0}


def members_queue_problems(sc: Any) -> list[RuleBreak]:
    """Rules of ``members_queue: individually``: parties to queue, and stations whose
    failures a party served member by member cannot have."""
    out: list[RuleBreak] = []
    for sname, src in sc.arrivals.items():
        if src.members_queue != "individually":
            continue
        loc: tuple[str | int, ...] = ("arrivals", sname, "members_queue")
        sized = (src.group_size_column if isinstance(src, TraceArrivals)
                 else src.group_size) is not None
        if not sized:
            out.append(RuleBreak(loc, "members queue individually only in parties", "individually",
                               "group_size (group_size_column for a trace), or as_one"))
        for cname in sorted(fed_classes(sc, src) & set(sc.customer_classes)):
            steps = sc.pathways.get(sc.customer_classes[cname].pathway, [])
            names = [n for st in steps for n in step_stations(st)]
            failing = sorted({n for n in names if n in sc.stations
                              and sc.stations[n].failure is not None})
            if failing:
                out.append(RuleBreak(loc, f"class {cname!r} visits {', '.join(failing)}, which "
                                   "can fail; a party served member by member is not modelled "
                                   "with failures", "individually",
                                   "as_one, or no failure: at those stations"))
    return out
