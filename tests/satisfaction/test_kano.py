"""Property §3.12 of satisfaction.md: KANO shapes and Berger coefficients; KANO attributes
through :func:`predict`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.satisfaction import (
    KanoAttribute,
    SatisfactionConfig,
    berger_coefficients,
    kano_contribution,
    kano_shapes,
)

from ._build import run, visit

X = np.linspace(0.0, 1.0, 201)
coef = st.floats(0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(coef, coef, st.floats(1.0, 6.0))
def test_12_must_be(b, w, a):
    k = kano_contribution(X, "must_be", b, w, a)
    assert np.all(k <= 0)
    assert k[-1] == pytest.approx(0.0, abs=1e-15)
    assert np.all(np.diff(k, 2) <= 1e-12)  # concave
    assert np.all(np.diff(k) >= -1e-15)  # more performance never hurts


@settings(max_examples=40, deadline=None)
@given(coef, coef, st.floats(1.0, 6.0))
def test_12_attractive(b, w, a):
    k = kano_contribution(X, "attractive", b, w, a)
    assert np.all(k >= 0)
    assert k[0] == 0.0
    assert np.all(np.diff(k, 2) >= -1e-12)  # convex
    assert k[-1] == pytest.approx(b)


@settings(max_examples=40, deadline=None)
@given(coef, coef)
def test_12_one_dimensional_and_reverse(b, w):
    k = kano_contribution(X, "one_dimensional", b, w)
    np.testing.assert_allclose(np.diff(k, 2), 0.0, atol=1e-12)  # linear
    assert k[0] == pytest.approx(-w) and k[-1] == pytest.approx(b)
    sym = kano_contribution(X, "one_dimensional", b, b)
    np.testing.assert_allclose(sym, -sym[::-1], atol=1e-12)  # antisymmetric about 1/2
    # reverse = −one-dimensional (B and W trade places)
    np.testing.assert_allclose(
        kano_contribution(X, "reverse", b, w), -kano_contribution(X, "one_dimensional", w, b)
    )
    np.testing.assert_allclose(kano_contribution(X, "reverse", b, b), -sym)


def test_12_indifferent():
    assert np.all(kano_contribution(X, "indifferent", 0.9, 0.9) == 0.0)


def test_12_shapes_in_unit_interval():
    for cls in ("attractive", "one_dimensional", "must_be", "reverse", "indifferent"):
        plus, minus = kano_shapes(X, cls)
        assert np.all((plus >= 0) & (plus <= 1 + 1e-12) & (minus >= 0) & (minus <= 1 + 1e-12))
    with pytest.raises(ValueError, match="unknown KANO class"):
        kano_shapes(X, "delightful")


def test_12_berger_from_counts():
    # hand values: A = 12, O = 20, M = 6, I = 2 of 40 answers
    b, w = berger_coefficients(12, 20, 6, 2)
    assert float(b) == pytest.approx(32 / 40) and float(w) == pytest.approx(26 / 40)
    b, w = berger_coefficients([5, 0], [5, 10], [0, 10], [10, 0])
    np.testing.assert_allclose(b, [0.5, 0.5])
    np.testing.assert_allclose(w, [0.25, 1.0])


def test_12_negative_worse_is_its_magnitude():
    x = np.array([0.0, 0.3])
    np.testing.assert_allclose(
        kano_contribution(x, "one_dimensional", 0.6, -0.2),
        kano_contribution(x, "one_dimensional", 0.6, 0.2),
    )


def _attr(**kw):
    return KanoAttribute.model_validate(kw)


def test_kano_attributes_through_predict():
    cfg = SatisfactionConfig(
        classes={"vip": {"expectation_scale": 0.7}},
        kano_attributes=[
            _attr(
                id="tea",
                **{"class": "attractive"},
                dimension="empathy",
                performance={"source": "stage_flag", "flag": "tea_served"},
                better=0.62,
                worse=-0.08,
            ),
            _attr(
                id="clean_room",
                **{"class": "must_be"},
                dimension="tangibles",
                performance={"source": "constant", "value": 0.9},
            ),
            _attr(
                id="upgrade",
                **{"class": "attractive"},
                dimension="empathy",
                performance={"source": "per_class", "values": {"vip": 1.0}},
            ),
            _attr(
                id="quick_window",
                **{"class": "one_dimensional"},
                dimension="responsiveness",
                performance={"source": "wait_based", "stage": "window"},
            ),
        ],
    )
    visits = []
    for tea, cls, wait in [(0, "", 5.0), (1, "", 5.0), (0, "vip", 5.0), (0, "", 14.0)]:
        v = visit(1, wait_min=wait, adequate_min=15.0, stage="window")
        v["class_name"] = cls
        visits.append((v, tea))
    from ._build import tables

    s, c = tables([v for v, _ in visits])
    c = type(c).build(
        c.outcome,
        class_name=c.class_name,
        flags={"tea_served": np.array([t for _, t in visits], dtype=bool)},
    )
    from simulator.satisfaction import predict

    p = predict(s, c, config=cfg)
    clean = 0.0 - 0.7 * (np.exp(-3 * 0.9) - np.exp(-3)) / (1 - np.exp(-3))
    assert p.tangibles[0] == pytest.approx(clean)
    assert p.empathy[1] == pytest.approx(0.62)  # tea served: B·φ⁺(1) = B
    assert p.empathy[0] == 0.0
    assert p.empathy[2] == pytest.approx(0.7)  # vip upgrade (default B of attractive)
    # wait-based: perceived 6.8 ≤ D → x = 1 → +B (0.5) on responsiveness
    resp_stage = p.stage_scores[0, 1]
    assert p.responsiveness[0] == pytest.approx(resp_stage + 0.5)
    # vip expects less (A = 10.5): the same wait is a smaller x-credit
    assert p.responsiveness[2] < p.responsiveness[0]
    assert p.responsiveness[3] < p.responsiveness[0]
    assert p.expected_csat[1] > p.expected_csat[0]


def test_kano_stage_flag_missing_is_an_error():
    cfg = SatisfactionConfig(
        kano_attributes=[
            _attr(
                id="tea",
                **{"class": "attractive"},
                dimension="empathy",
                performance={"source": "stage_flag", "flag": "tea_served"},
            )
        ]
    )
    with pytest.raises(ValueError, match="tea_served"):
        run([visit(1, wait_min=1.0)], config=cfg)
