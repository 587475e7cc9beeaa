"""Scenarios with new staffing: a per-interval staffing vector, or a plan of shifts.

The requirement search runs the scenario with the staffing under test: for each group, the
people on duty per interval become stacked shifts (person k works every maximal run of
intervals that need at least k people), so nobody leaves and comes back at an interval
boundary where the staffing does not drop. The shift plan becomes ordinary shifts with their
breaks. Both are validated as scenarios, so the staffed scenario loads in ``servsim run``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from simulator.scenario.fields import min_to_clock
from simulator.scenario.schema import Scenario

__all__ = ["stacked_shifts", "with_counters", "with_shifts", "with_staffing", "yaml_text"]


def stacked_shifts(counts: Sequence[int], edges: np.ndarray) -> list[dict[str, Any]]:
    """Shifts (scenario ``shifts`` entries) giving ``counts[i]`` people in interval i.

    Examples
    --------
    >>> stacked_shifts([1, 2, 1], np.array([0.0, 30.0, 60.0, 90.0]))
    [{'start': '00:00', 'end': '01:30', 'count': 1}, {'start': '00:30', 'end': '01:00', 'count': 1}]
    """
    c = np.asarray(counts, dtype=int)
    runs: dict[tuple[int, int], int] = {}
    for k in range(1, int(c.max(initial=0)) + 1):
        on = np.concatenate(([False], c >= k, [False]))
        starts = np.flatnonzero(on[1:] & ~on[:-1])
        ends = np.flatnonzero(~on[1:] & on[:-1])
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            runs[(a, b)] = runs.get((a, b), 0) + 1
    return [{"start": min_to_clock(float(edges[a])), "end": min_to_clock(float(edges[b])),
             "count": n} for (a, b), n in runs.items()]


def with_shifts(sc: Scenario, shifts: Mapping[str, list[dict[str, Any]]]) -> Scenario:
    """The scenario with each named group's shifts replaced (``count:`` groups included).

    A group given no shifts keeps one shift with nobody on it, so the scenario stays valid.
    """
    data = sc.model_dump(mode="json", by_alias=True)
    for name, rows in shifts.items():
        grp = data["staff"][name]
        grp["count"] = None
        grp["shifts"] = rows or [{"start": sc.clock.open, "end": str(sc.clock.close),
                                  "count": 0}]
    return Scenario.model_validate(data)


def with_counters(sc: Scenario, counters: Mapping[str, int]) -> Scenario:
    """The scenario with more (or fewer) counters at the named stations."""
    data = sc.model_dump(mode="json", by_alias=True)
    for name, n in counters.items():
        data["stations"][name]["counters"] = int(n)
    return Scenario.model_validate(data)


def with_staffing(sc: Scenario, staffing: Mapping[str, Sequence[int]],
                  edges: np.ndarray) -> Scenario:
    """The scenario with ``staffing[group][i]`` people on duty in interval i, no breaks."""
    return with_shifts(sc, {g: stacked_shifts(c, edges) for g, c in staffing.items()})


def yaml_text(sc: Scenario, header: Sequence[str]) -> str:
    """The scenario as YAML 1.2 text (only values that differ from the defaults), with a
    comment header."""
    from ruamel.yaml import YAML

    data = sc.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump(data, buf)
    lines = "".join(f"# {h}\n" if h else "#\n" for h in header)
    return lines + buf.getvalue()
