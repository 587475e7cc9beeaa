"""Input tables: defaults, immutability and validation messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.satisfaction import CustomerTable, StageTable, default_phases


def test_build_defaults():
    t = StageTable.build(
        [0, 0, 0, 1], [1.0, 2.0, 3.0, 4.0], apology=[1, 0, 0, 0], compensation_value=[0, 0, 0.5, 0]
    )
    assert t.phase.tolist() == [0, 1, 2, 0] == default_phases(t.customer).tolist()
    assert t.kano.tolist() == [1, 1, 1, 1] and np.isnan(t.adequate_min).all()
    assert t.attempted.tolist() == [True, False, True, False]
    assert np.isinf(t.resolution_min).all() and t.servers_on_arrival.tolist() == [1] * 4
    assert t.n_rows == 4 and t.n_customers == 2
    with pytest.raises(ValueError):
        t.wait_min[0] = 9.0
    c = CustomerTable.build(["served", "balked", "abandoned"], class_name="vip")
    assert c.outcome.tolist() == [0, 1, 2] and c.class_name.tolist() == ["vip"] * 3
    assert c.n_customers == 3 and dict(c.flags) == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customer": [1, 1]}, r"customer\[0\]: must start at 0"),
        ({"customer": [0, 2]}, r"customer\[1\]: rows must be grouped"),
        ({"customer": [0, 1, 0], "wait_min": [1.0, 2.0, 3.0]}, r"customer\[2\]: rows must be"),
        ({"wait_min": [-1.0, 0.0]}, r"wait_min\[0\]: must be >= 0"),
        ({"wait_min": [math.nan, 0.0]}, r"wait_min\[0\]: must be >= 0"),
        ({"adequate_min": [0.0, 5.0]}, r"adequate_min\[0\]: must be > 0"),
        ({"staff_skill": [0.5, 1.5]}, r"staff_skill\[1\]: must be in \[0, 1\]"),
        ({"severity": [0.0, 2.0]}, r"severity\[1\]: must be in \[0, 1\]"),
        ({"kano": [0, 3]}, r"kano\[1\]: must be in 0..2"),
        ({"phase": [0, 5]}, r"phase\[1\]: must be in 0..2"),
        ({"overtaken": [0, -1]}, r"overtaken\[1\]: must be >= 0"),
        ({"area_capacity": [0.0, 1.0]}, r"area_capacity\[0\]: must be > 0"),
        ({"abandoned_here": [True, False], "customer": [0, 0]}, r"abandoned_here\[0\]: must be on"),
        ({"recovery_standard_min": [0.0, 1.0]}, r"recovery_standard_min\[0\]: must be > 0"),
        ({"wait_min": [1.0, 2.0, 3.0]}, r"StageTable.wait_min: length mismatch"),
        ({"service_min": ["a", "b"]}, r"service_min: must be numeric"),
    ],
)
def test_stage_table_validation(kwargs, message):
    base = {"customer": [0, 1], "wait_min": [1.0, 2.0]}
    base.update(kwargs)
    customer, wait = base.pop("customer"), base.pop("wait_min")
    with pytest.raises(ValueError, match=message):
        StageTable.build(customer, wait, **base)


def test_balked_row_may_have_no_wait():
    t = StageTable.build([0], [math.nan], balked_here=True)
    assert np.isnan(t.wait_min[0])
    with pytest.raises(ValueError, match="cannot also be abandoned_here"):
        StageTable.build([0], [1.0], balked_here=True, abandoned_here=True)


def test_unknown_columns():
    with pytest.raises(TypeError, match="unknown columns"):
        StageTable.build([0], [1.0], wiat_min=[1.0])
    with pytest.raises(TypeError, match="unknown columns"):
        CustomerTable.build([0], clas_name="x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": ["served", "left"]}, r"unknown outcome 'left'"),
        ({"outcome": [0, 3]}, r"outcome\[1\]: must be 0, 1 or 2"),
        ({"facility_level": [0.5, 1.5]}, r"facility_level\[1\]: must be in \[0, 1\]"),
        ({"visit_adequate_min": [0.0, 1.0]}, r"visit_adequate_min\[0\]: must be > 0"),
        (
            {"visit_adequate_min": [10.0, 10.0], "visit_desired_min": [12.0, 5.0]},
            r"visit_desired_min\[0\]: must be > 0 and < visit_adequate_min",
        ),
        ({"flags": {"tea": [0.0, 2.0]}}, r"flags\['tea'\]\[1\]: must be in \[0, 1\]"),
        ({"flags": {"tea": [0.0]}}, r"flags\['tea'\]: must have shape"),
    ],
)
def test_customer_table_validation(kwargs, message):
    outcome = kwargs.pop("outcome", ["served", "served"])
    with pytest.raises(ValueError, match=message):
        CustomerTable.build(outcome, **kwargs)
