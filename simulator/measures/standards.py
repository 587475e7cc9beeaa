"""Service standards as measures see them: their column slugs and per-visit units.

A standard ("general window within 15 min for 80 %") is checked per customer at a station,
or over the whole visit. :func:`standard_slugs` names its KPI columns
(``std__{slug}__compliance``); :func:`standard_units` says, per visit, whether it is
counted and whether it met the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome

__all__ = [
    "StandardUnits",
    "field_of",
    "slug",
    "standard_slugs",
    "standard_units",
]


def slug(name: str) -> str:
    """Lower-snake identifier for a name, for use in KPI keys.

    Lower-cases, replaces every run of characters other than ``a-z0-9`` by one underscore and
    strips underscores at the ends; an empty result becomes ``"standard"``.

    Examples
    --------
    >>> slug("Window within 15 min")
    'window_within_15_min'
    """
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return s or "standard"


def standard_slugs(standards: Iterable[Any]) -> list[str]:
    """Unique key slugs for service standards, in the order given.

    The first standard with a given :func:`slug` keeps it; later ones get ``_2``, ``_3``, ...

    Examples
    --------
    >>> standard_slugs([{"name": "A b"}, {"name": "a-b"}])
    ['a_b', 'a_b_2']
    """
    seen: set[str] = set()
    out: list[str] = []
    for std in standards:
        base = slug(str(field_of(std, "name")))
        key, k = base, 1
        while key in seen:
            k += 1
            key = f"{base}_{k}"
        seen.add(key)
        out.append(key)
    return out


def field_of(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute ``name`` of a standard given as an object, or key ``name`` of one given as a
    mapping (``default`` when absent)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


class StandardUnits(NamedTuple):
    """Units a standard is measured on: their clock time (for hourly binning) and outcome."""

    time_min: np.ndarray  # join time (station standard) or arrival time (whole visit)
    passed: np.ndarray  # bool: wait <= wait_max_min and not abandoned
    station: int  # -1 for the whole-visit standard


def standard_units(
    records: Records, std: Any, visit_in: np.ndarray, cust_in: np.ndarray
) -> StandardUnits:
    """Select the relevant units of one standard and say which met the wait limit."""
    name = field_of(std, "name")
    wait_max = float(field_of(std, "wait_max_min"))
    station = field_of(std, "station")
    classes = field_of(std, "classes")
    class_ok_visit = np.ones(records.visits["class_idx"].shape, dtype=bool)
    class_ok_cust = np.ones(records.customers["class_idx"].shape, dtype=bool)
    if classes is not None:
        idx = []
        for cname in classes:
            if cname not in records.class_names:
                raise ValueError(
                    f"standard {name!r}: unknown class {cname!r}; "
                    f"expected one of {list(records.class_names)}"
                )
            idx.append(records.class_names.index(cname))
        class_ok_visit = np.isin(records.visits["class_idx"], idx)
        class_ok_cust = np.isin(records.customers["class_idx"], idx)
    if station is not None:
        if station not in records.station_names:
            raise ValueError(
                f"standard {name!r}: unknown station {station!r}; "
                f"expected one of {list(records.station_names)}"
            )
        s = records.station_names.index(station)
        v = records.visits
        start, join = v["start_min"], v["join_min"]
        started = np.isfinite(start)
        abandoned = v["outcome"] == VisitOutcome.ABANDONED
        m = visit_in & class_ok_visit & (v["station_idx"] == s) & (started | abandoned)
        if field_of(std, "measure", "wait") == "wait_and_service":
            end = v["end_min"]
            passed = np.isfinite(end[m]) & ((end[m] - join[m]) <= wait_max)
        else:
            passed = started[m] & ((start[m] - join[m]) <= wait_max)
        return StandardUnits(join[m].astype(np.float64), passed, s)
    c = records.customers
    out = c["outcome"]
    m = cust_in & class_ok_cust & (
        (out == CustomerOutcome.SERVED) | (out == CustomerOutcome.ABANDONED)
    )
    passed = (out[m] == CustomerOutcome.SERVED) & (c["wait_min"][m] <= wait_max)
    return StandardUnits(c["arrival_min"][m].astype(np.float64), passed, -1)
