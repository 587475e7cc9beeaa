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


def _flow(value: Any) -> Any:
    """Plain data as ruamel nodes: mappings in flow style, clock times quoted."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        m = CommentedMap({k: _flow(v) for k, v in value.items()})
        m.fa.set_flow_style()
        return m
    if isinstance(value, list):
        seq = CommentedSeq([_flow(v) for v in value])
        return seq
    if isinstance(value, str) and ":" in value:
        return DoubleQuotedScalarString(value)
    return value


def yaml_text(sc: Scenario, header: Sequence[str], source: str | None = None,
              shifts: Mapping[str, list[dict[str, Any]]] | None = None) -> str:
    """YAML 1.2 text of a staffed scenario, with a comment header.

    With ``source`` (the original file's text) and ``shifts``, the original file is kept,
    comments and layout included, and only the named groups' shifts are replaced; otherwise
    the whole scenario ``sc`` is written with every value.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    if source is not None and shifts is not None:
        tree = yaml.load(source)
        for name, rows in shifts.items():
            grp = tree["staff"][name]
            if "count" in grp:
                del grp["count"]
            grp["shifts"] = _flow(rows)
    else:
        tree = sc.model_dump(mode="json", by_alias=True)
    buf = io.StringIO()
    yaml.dump(tree, buf)
    text = buf.getvalue()
    if text.startswith("%YAML"):
        text = text.split("---\n", 1)[1]
    lines = "".join(f"# {h}\n" if h else "#\n" for h in header)
    return lines + text
