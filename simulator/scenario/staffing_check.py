"""Warnings (not errors) about a scenario's staffing: people on duty with no counter to use.

A station has ``counters``; its staff group's shifts put people on duty. When more people
are on duty than there are counters, the extra people are paid but cannot serve (the engine
opens one counter per person on duty, up to ``counters``). That is sometimes intended (a
floor walker, a relief pool) but usually a mistake, so ``servsim validate`` and ``servsim
run`` warn when it lasts longer than :data:`IDLE_WARNING_MIN` minutes (a short shift
hand-over does not count) and go on.

Cross-trained staff (``serves``) are judged together with every station and group they share:
the people of all those groups against all those stations' counters. Housekeeping groups
(rooms) are left out. ``docs/scenario.md`` says how to model spare staff on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.scenario.fields import clock_to_min, min_to_clock
from simulator.scenario.loader import LoadedScenario, ScenarioIssue, locate, read_yaml
from simulator.scenario.schema import Scenario, group_serves

__all__ = ["IDLE_WARNING_MIN", "StaffingWarning", "idle_staff_warnings", "warning_issues"]

#: Minutes of more staff than counters, in one stretch, before a warning.
IDLE_WARNING_MIN = 15.0


@dataclass(frozen=True)
class StaffingWarning:
    """Idle staff at a station (or a set of stations shared by cross-trained groups)."""

    loc: tuple[str | int, ...]
    message: str
    start_min: float
    end_min: float
    idle: int


def _duty_changes(sc: Scenario, group: str) -> list[tuple[float, int]]:
    """(time, +1 / -1) each time a person of ``group`` goes on or off duty."""
    grp = sc.staff[group]
    out: list[tuple[float, int]] = []
    if grp.count is not None:
        end = sc.close_min
        out += [(sc.open_min, grp.count), (end, -grp.count)]
        return out
    for sh in grp.shifts or ():
        s0, s1 = clock_to_min(sh.start), clock_to_min(sh.end)
        breaks = sorted(sh.breaks, key=lambda b: clock_to_min(b.start))
        for j in range(sh.count):
            out += [(s0, 1), (s1, -1)]
            for br in breaks:
                b0 = clock_to_min(br.start) + (j % br.stagger_groups) * br.minutes
                out += [(b0, -1), (b0 + br.minutes, 1)]
    return out


def _components(serves: dict[str, list[str]]) -> list[tuple[list[str], list[str]]]:
    """Groups and the stations they serve, joined where they share a station."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for g, stations in serves.items():
        for s in stations:
            parent[find("g:" + g)] = find("s:" + s)
    comps: dict[str, tuple[list[str], list[str]]] = {}
    for g, stations in serves.items():
        if not stations:
            continue
        groups, sts = comps.setdefault(find("g:" + g), ([], []))
        groups.append(g)
        sts.extend(s for s in stations if s not in sts)
    return [(g, sorted(s)) for g, s in comps.values()]


def idle_staff_warnings(sc: Scenario, min_minutes: float = IDLE_WARNING_MIN,
                        ) -> list[StaffingWarning]:
    """Stretches longer than ``min_minutes`` with more staff on duty than counters.

    Returns
    -------
    list of StaffingWarning
        One per stretch: where (the staff group, or the first shared station's counters),
        the words, the stretch and the most people idle at once.
    """
    serves = {g: [s for s in st if s in sc.stations] for g, st in group_serves(sc).items()}
    out: list[StaffingWarning] = []
    for groups, stations in _components(serves):
        counters = sum(sc.stations[s].counters for s in stations)
        changes = sorted(c for g in groups for c in _duty_changes(sc, g))
        on, start, peak = 0, None, 0
        stretches: list[tuple[float, float, int]] = []
        i = 0
        while i < len(changes):
            t = changes[i][0]
            while i < len(changes) and changes[i][0] == t:  # all changes at one instant
                on += changes[i][1]
                i += 1
            if on > counters and start is None:
                start, peak = t, on - counters
            elif on > counters:
                peak = max(peak, on - counters)
            elif start is not None:
                stretches.append((start, t, peak))
                start = None
        for t0, t1, idle in stretches:
            if t1 - t0 <= min_minutes:
                continue
            who = " and ".join(g.replace("_", " ") for g in groups)
            where = " and ".join(s.replace("_", " ") for s in stations)
            loc: tuple[str | int, ...] = ("staff", groups[0]) if len(groups) == 1 else (
                "stations", stations[0], "counters")
            verb = "has" if idle == 1 else "have"
            out.append(StaffingWarning(
                loc, f"{idle} of the {who} on duty {min_to_clock(t0)}–{min_to_clock(t1)} "
                f"{verb} no free counter at {where} ({counters} counter"
                f"{'s' if counters != 1 else ''}): paid and idle (add counters, move the shift, or "
                "see 'Spare staff' in docs/scenario.md)", t0, t1, idle))
    return out


def warning_issues(loaded: LoadedScenario, label: str | None = None) -> list[ScenarioIssue]:
    """:func:`idle_staff_warnings` as ``file:line: path: warning: ...`` issues, with the
    line read from the scenario file (``label`` names the source when there is no file)."""
    warnings = idle_staff_warnings(loaded.scenario)
    if not warnings:
        return []
    tree = None
    name = label or (str(loaded.path) if loaded.path is not None else "<scenario>")
    if loaded.path is not None and Path(loaded.path).exists():
        tree = read_yaml(Path(loaded.path).read_text(encoding="utf-8"), name)
    issues = []
    for w in warnings:
        line, path = locate(tree, w.loc) if tree is not None else (None, ".".join(
            map(str, w.loc)))
        issues.append(ScenarioIssue(name, line, path, "warning: " + w.message))
    return issues
