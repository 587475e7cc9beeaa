"""Builders and Hypothesis strategies shared by the satisfaction tests."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from simulator.satisfaction import (
    CustomerTable,
    ModelParameters,
    Prediction,
    SatisfactionConfig,
    StageTable,
    predict,
)

# Columns of one visit (lists, one entry per stage) that the builders understand.
STAGE_COLUMNS = (
    "stage",
    "phase",
    "wait_min",
    "adequate_min",
    "desired_min",
    "kano",
    "promise",
    "occupied",
    "informed",
    "overtaken",
    "queue_on_arrival",
    "servers_on_arrival",
    "area_capacity",
    "staff_skill",
    "service_min",
    "nominal_service_min",
    "others_waiting",
    "abandoned_here",
    "balked_here",
    "severity",
    "fix",
    "apology",
    "follow_up",
    "compensation_value",
    "resolution_min",
    "recovery_standard_min",
    "attempted",
)
CUSTOMER_COLUMNS = (
    "outcome",
    "class_name",
    "facility_level",
    "time_in_system_min",
    "visit_adequate_min",
    "visit_desired_min",
    "visit_kano",
)


def visit(n_stages: int = 1, **columns: Any) -> dict[str, Any]:
    """One customer's visit: stage columns as lists (scalars broadcast), customer columns scalar."""
    out: dict[str, Any] = {"n": n_stages}
    for k, v in columns.items():
        if k in CUSTOMER_COLUMNS:
            out[k] = v
        elif k in STAGE_COLUMNS:
            out[k] = list(v) if isinstance(v, list | tuple | np.ndarray) else [v] * n_stages
            assert len(out[k]) == n_stages, k
        else:
            raise KeyError(k)
    return out


def tables(visits: list[dict[str, Any]]) -> tuple[StageTable, CustomerTable]:
    """Concatenate visits into the model's input tables."""
    customer: list[int] = []
    cols: dict[str, list[Any]] = {}
    present = {k for v in visits for k in v if k in STAGE_COLUMNS}
    defaults = _stage_defaults()
    for i, v in enumerate(visits):
        n = v["n"]
        customer += [i] * n
        for k in present:
            if k in v:
                cols.setdefault(k, []).extend(v[k])
            elif k == "phase":
                cols.setdefault(k, []).extend(_phases(n))
            elif k == "attempted":
                att = [
                    bool(v.get("fix", [False] * n)[j])
                    or bool(v.get("apology", [False] * n)[j])
                    or float(v.get("compensation_value", [0.0] * n)[j]) > 0
                    or bool(v.get("follow_up", [False] * n)[j])
                    for j in range(n)
                ]
                cols.setdefault(k, []).extend(att)
            else:
                cols.setdefault(k, []).extend([defaults[k]] * n)
    wait = cols.pop("wait_min")
    stage_table = StageTable.build(customer=customer, wait_min=wait, **cols)
    outcome = []
    for v in visits:
        if "outcome" in v:
            outcome.append(v["outcome"])
        elif v.get("abandoned_here", [False])[-1]:
            outcome.append("abandoned")
        elif v.get("balked_here", [False])[-1]:
            outcome.append("balked")
        else:
            outcome.append("served")
    ccols: dict[str, list[Any]] = {}
    cdefaults = {
        "class_name": "",
        "facility_level": math.nan,
        "time_in_system_min": math.nan,
        "visit_adequate_min": math.nan,
        "visit_desired_min": math.nan,
        "visit_kano": 1,
    }
    for k, dflt in cdefaults.items():
        if any(k in v for v in visits):
            ccols[k] = [v.get(k, dflt) for v in visits]
    return stage_table, CustomerTable.build(outcome, **ccols)


def _phases(n: int) -> list[int]:
    if n == 1:
        return [0]
    return [0] + [1] * (n - 2) + [2]


def _stage_defaults() -> dict[str, Any]:
    return {
        "stage": "",
        "wait_min": 0.0,
        "adequate_min": math.nan,
        "desired_min": math.nan,
        "kano": 1,
        "promise": False,
        "occupied": False,
        "informed": False,
        "overtaken": 0,
        "queue_on_arrival": 0,
        "servers_on_arrival": 1,
        "area_capacity": math.nan,
        "staff_skill": math.nan,
        "service_min": math.nan,
        "nominal_service_min": math.nan,
        "others_waiting": False,
        "abandoned_here": False,
        "balked_here": False,
        "severity": 0.0,
        "fix": False,
        "apology": False,
        "follow_up": False,
        "compensation_value": 0.0,
        "resolution_min": math.inf,
        "recovery_standard_min": math.nan,
    }


def run(
    visits: list[dict[str, Any]],
    params: ModelParameters | None = None,
    config: SatisfactionConfig | None = None,
) -> Prediction:
    """Predict for a list of visits."""
    s, c = tables(visits)
    return predict(s, c, params, config)


def government(wait: float, **kw: Any) -> dict[str, Any]:
    """§2.11 government window: one stage, 'served within 15 min', published."""
    cols: dict[str, Any] = {"adequate_min": 15.0, "promise": True, "kano": 1, "stage": "window"}
    cols.update(kw)
    return visit(1, wait_min=wait, **cols)


RESTAURANT_A = (10.0, 3.0, 15.0, 5.0)
RESTAURANT_PHASES = (0, 1, 1, 2)


def restaurant(waits: tuple[float, float, float, float], **kw: Any) -> dict[str, Any]:
    """§2.11 restaurant: seat (pre, A 10), menu (in, 3), food (in, 15), pay (post, 5)."""
    cols: dict[str, Any] = {
        "stage": ["seat", "menu", "food", "pay"],
        "phase": list(RESTAURANT_PHASES),
        "adequate_min": list(RESTAURANT_A),
        "promise": True,
        "kano": 1,
    }
    cols.update(kw)
    return visit(4, wait_min=list(waits), **cols)


# ------------------------------------------------------------------------------------
# Hypothesis strategies
# ------------------------------------------------------------------------------------

finite = {"allow_nan": False, "allow_infinity": False}


@st.composite
def stage_rows(draw: st.DrawFn, n: int, failures: bool = True) -> dict[str, list[Any]]:
    """Random columns for n stages of one served visit."""
    cols: dict[str, list[Any]] = {k: [] for k in STAGE_COLUMNS if k not in ("stage",)}
    for _ in range(n):
        has_std = draw(st.booleans()) or draw(st.booleans())
        a = draw(st.floats(0.5, 60.0, **finite)) if has_std else math.nan
        d_ratio = draw(st.one_of(st.none(), st.floats(0.05, 0.95, **finite)))
        d = math.nan if (d_ratio is None or not has_std) else d_ratio * a
        staffed = draw(st.booleans())
        sev = draw(st.sampled_from([0.0, 0.0, 0.3, 0.5, 0.9, 1.0])) if failures else 0.0
        nominal = draw(st.floats(0.5, 20.0, **finite))
        row = {
            "phase": draw(st.integers(0, 2)),
            "wait_min": draw(st.floats(0.0, 180.0, **finite)),
            "adequate_min": a,
            "desired_min": d,
            "kano": draw(st.integers(0, 2)),
            "promise": draw(st.booleans()),
            "occupied": draw(st.booleans()),
            "informed": draw(st.booleans()),
            "overtaken": draw(st.integers(0, 6)),
            "queue_on_arrival": draw(st.integers(0, 60)),
            "servers_on_arrival": draw(st.integers(0, 8)),
            "area_capacity": draw(st.one_of(st.just(math.nan), st.floats(1.0, 80.0, **finite))),
            "staff_skill": draw(st.floats(0.0, 1.0, **finite)) if staffed else math.nan,
            "service_min": draw(st.floats(0.0, 30.0, **finite)),
            "nominal_service_min": nominal,
            "others_waiting": draw(st.booleans()),
            "abandoned_here": False,
            "balked_here": False,
            "severity": sev,
            "fix": draw(st.booleans()),
            "apology": draw(st.booleans()),
            "follow_up": draw(st.booleans()),
            "compensation_value": draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
            "resolution_min": draw(st.sampled_from([0.0, 5.0, 15.0, 40.0, math.inf])),
            "recovery_standard_min": draw(st.sampled_from([math.nan, 10.0, 30.0])),
            "attempted": draw(st.booleans()),
        }
        for k, v in row.items():
            cols[k].append(v)
    return cols


@st.composite
def visits_strategy(draw: st.DrawFn, max_stages: int = 4, failures: bool = True) -> dict[str, Any]:
    """A random visit, possibly ending in abandonment or balking."""
    n = draw(st.integers(1, max_stages))
    cols = draw(stage_rows(n, failures))
    end = draw(st.sampled_from(["served", "served", "abandoned", "balked"]))
    if end == "abandoned":
        cols["abandoned_here"][-1] = True
    elif end == "balked":
        cols["balked_here"][-1] = True
    v = visit(n, **cols)
    v["facility_level"] = draw(st.floats(0.0, 1.0, **finite))
    if draw(st.booleans()):
        v["visit_adequate_min"] = draw(st.floats(5.0, 200.0, **finite))
        v["time_in_system_min"] = draw(st.floats(0.0, 400.0, **finite))
    return v
