"""Properties §3.1-3.7 and §3.14-3.16 of satisfaction.md: bounds, monotonicity in wait,
tolerance zone, must-be standards, perception, pre vs in-process, skill, baseline, units
invariance, outcome order."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.satisfaction import (
    KanoAttribute,
    ModelParameters,
    SatisfactionConfig,
    csat_probabilities,
    expected_csat,
    perceived_wait,
    perception_multiplier,
    responsiveness,
    top2_box,
)

from ._build import government, run, visit, visits_strategy

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KANO_CONFIG = SatisfactionConfig(
    kano_attributes=[
        KanoAttribute.model_validate(
            {
                "id": "tea",
                "class": "attractive",
                "dimension": "empathy",
                "performance": {"source": "constant", "value": 0.8},
                "better": 1.0,
                "worse": 0.0,
            }
        ),
        KanoAttribute.model_validate(
            {
                "id": "clean",
                "class": "must_be",
                "dimension": "tangibles",
                "performance": {"source": "constant", "value": 0.0},
                "better": 0.0,
                "worse": -1.0,
            }
        ),
    ]
)


# --- §3.1 bounds --------------------------------------------------------------------------


@SETTINGS
@given(st.lists(visits_strategy(), min_size=1, max_size=6), st.booleans())
def test_01_bounds(visits, with_kano):
    p = run(visits, config=KANO_CONFIG if with_kano else None)
    scores = p.stage_scores[~np.isnan(p.stage_scores)]
    assert np.all((scores >= -1) & (scores <= 1))
    assert np.all((p.dimensions >= -1) & (p.dimensions <= 1))
    assert np.all((p.q >= -1) & (p.q <= 1)) and np.all((p.q_loyalty >= -1) & (p.q_loyalty <= 1))
    assert np.all(p.p_csat >= 0)
    np.testing.assert_allclose(p.p_csat.sum(axis=1), 1.0, atol=1e-12)
    assert np.all((p.expected_csat >= 1) & (p.expected_csat <= 5))
    assert np.all((p.top2 >= 0) & (p.top2 <= 1))
    assert np.all((p.csat_index >= 0) & (p.csat_index <= 100))
    for prob in (p.p_complaint, p.p_return):
        assert np.all((prob >= 0) & (prob <= 1))


def test_01_bounds_extremes():
    worst = visit(
        1,
        wait_min=1e9,
        adequate_min=1.0,
        promise=True,
        severity=1.0,
        attempted=True,
        staff_skill=0.0,
        service_min=0.0,
        nominal_service_min=10.0,
        others_waiting=True,
        queue_on_arrival=10_000,
        servers_on_arrival=0,
    )
    worst["facility_level"] = 0.0
    best = visit(1, wait_min=0.0, adequate_min=1.0, kano=2, staff_skill=1.0)
    best["facility_level"] = 1.0
    p = run([worst, best], config=KANO_CONFIG)
    assert p.q[0] >= -1 and p.q[1] <= 1
    assert np.all(p.dimensions[0] >= -1) and np.all(p.dimensions[1] <= 1)
    assert 1 <= p.expected_csat[0] < p.expected_csat[1] <= 5


# --- §3.2 monotone in wait (and in overtaken, skill, severity) ---------------------------


def _perturb(v, stage, column, delta, lo=None, hi=None):
    w = copy.deepcopy(v)
    x = w[column][stage] + delta
    if lo is not None:
        x = max(lo, x)
    if hi is not None:
        x = min(hi, x)
    w[column][stage] = x
    return w


@SETTINGS
@given(visits_strategy(), st.data(), st.floats(0.01, 120.0))
def test_02_monotone_in_wait(v, data, delta):
    stage = data.draw(st.integers(0, v["n"] - 1))
    p = run([v, _perturb(v, stage, "wait_min", delta)], config=KANO_CONFIG)
    assert p.expected_csat[1] <= p.expected_csat[0] + 1e-12
    assert p.q[1] <= p.q[0] + 1e-12


@SETTINGS
@given(
    st.floats(0.5, 60.0),
    st.floats(0.1, 0.9),
    st.integers(0, 2),
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.5),
)
def test_02_strictly_decreasing_above_desired(a, d_ratio, kano, frac, step):
    """Above D (and below where the curve saturates), a longer wait strictly lowers E[CSAT]."""
    m0 = 1.36
    x_lo = d_ratio + (3.0 - d_ratio) * frac  # perceived/A in (x_D, 3]
    w = x_lo * a / m0 + 1e-9 * a
    w2 = w + (0.01 + step) * a
    visits = [
        visit(1, wait_min=wt, adequate_min=a, desired_min=d_ratio * a, kano=kano) for wt in (w, w2)
    ]
    p = run(visits)
    assert p.expected_csat[1] < p.expected_csat[0]


@SETTINGS
@given(visits_strategy(), st.data(), st.integers(1, 5))
def test_02_monotone_in_overtaken(v, data, extra):
    stage = data.draw(st.integers(0, v["n"] - 1))
    p = run([v, _perturb(v, stage, "overtaken", extra)])
    assert p.expected_csat[1] <= p.expected_csat[0] + 1e-12


@SETTINGS
@given(visits_strategy(), st.data(), st.floats(0.0, 1.0))
def test_02_monotone_in_severity_without_paradox(v, data, delta):
    stage = data.draw(st.integers(0, v["n"] - 1))
    params = ModelParameters(pi=0.0)
    p = run([v, _perturb(v, stage, "severity", delta, hi=1.0)], params=params)
    assert p.expected_csat[1] <= p.expected_csat[0] + 1e-12


# --- §3.3 tolerance zone ------------------------------------------------------------------


def test_03_tolerance_zone():
    a, d, m0 = 15.0, 7.5, 1.36
    eps, lam = 0.10, 1.0
    w_d, w_a = d / m0, a / m0
    delta = 0.05
    p = run([government(w) for w in (w_d, w_a, w_a + delta)])
    e = p.expected_csat
    slope_zone = (e[0] - e[1]) / (w_a - w_d)
    slope_beyond = (e[1] - e[2]) / delta
    assert slope_zone > 0
    assert slope_beyond / slope_zone > 3.0
    # For the Resp score itself the ratio tends to λ(1−ε)(1−x_D)/ε (= 4.5 at the defaults;
    # the spec's "≈ λ(1−ε)/ε" leaves out the zone width 1 − x_D).
    r = p.responsiveness
    ratio = ((r[1] - r[2]) / delta) / ((r[0] - r[1]) / (w_a - w_d))
    assert ratio == pytest.approx(lam * (1 - eps) * (1 - d / a) / eps, rel=0.01)


# --- §3.4 must-be standards ---------------------------------------------------------------


@SETTINGS
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=10), st.floats(1.0, 60.0))
def test_04_must_be_flat_up_to_desired(fractions, a):
    d = 0.5 * a
    waits = [f * d / 1.36 for f in fractions]  # perceived ≤ D
    p = run([visit(1, wait_min=w, adequate_min=a, kano=0, promise=True) for w in waits])
    np.testing.assert_allclose(p.expected_csat, p.expected_csat[0], atol=1e-12)
    assert p.expected_csat[0] == pytest.approx(expected_csat(csat_probabilities([0.0]))[0])


# --- §3.5 perception ----------------------------------------------------------------------


@pytest.mark.parametrize("b", [0.3, 0.7, 1.0, 1.5])
def test_05_perception_at_standard(b):
    a = 12.0
    assert perceived_wait(a, a, perception_multiplier(False, False, 0), b) == pytest.approx(
        1.36 * a
    )


def test_05_perception_modifiers():
    m = perception_multiplier(
        [False, True, False, True, False, False, False, False, False],
        [False, False, True, True, False, False, False, False, False],
        [0, 0, 0, 0, 1, 2, 3, 4, 10],
    )
    base = m[0]
    assert m[1] < base and m[2] < base and m[3] < min(m[1], m[2])
    assert base < m[4] < m[5] < m[6]
    assert m[6] == m[7] == m[8]  # capped at 3

    visits = [
        government(15.0),
        government(15.0, occupied=True),
        government(15.0, informed=True),
        government(15.0, overtaken=1),
        government(15.0, overtaken=3),
        government(15.0, overtaken=7),
    ]
    p = run(visits)
    assert p.perceived_wait_min[1] < p.perceived_wait_min[0]
    assert p.perceived_wait_min[2] < p.perceived_wait_min[0]
    assert p.perceived_wait_min[3] > p.perceived_wait_min[0]
    e = p.expected_csat
    assert e[1] > e[0] and e[2] > e[0]
    assert e[0] > e[3] > e[4] == e[5]


# --- §3.6 pre vs in-process ---------------------------------------------------------------


@pytest.mark.parametrize("late_wait", [15.0, 25.0, 60.0])
def test_06_pre_stage_weighs_more_than_in_stage(late_wait):
    a = 10.0
    ok = 0.5 * a / 1.36  # perceived exactly D: Resp 0
    common = {"adequate_min": a, "promise": True}
    # same position, only the phase label differs
    pre = visit(2, wait_min=[late_wait, ok], phase=[0, 2], **common)
    inn = visit(2, wait_min=[late_wait, ok], phase=[1, 2], **common)
    # same phases, the late stage is the pre or an in stage
    late_pre = visit(3, wait_min=[late_wait, ok, ok], phase=[0, 1, 2], **common)
    late_in = visit(3, wait_min=[ok, late_wait, ok], phase=[0, 1, 2], **common)
    e = run([pre, inn, late_pre, late_in]).expected_csat
    assert e[0] < e[1]
    assert e[2] < e[3]


# --- §3.7 skill ---------------------------------------------------------------------------


@SETTINGS
@given(visits_strategy(), st.data(), st.floats(0.0, 1.0))
def test_07_skill(v, data, delta):
    stage = data.draw(st.integers(0, v["n"] - 1))
    if math.isnan(v["staff_skill"][stage]):
        v = copy.deepcopy(v)
        v["staff_skill"][stage] = 0.0
    p = run([v, _perturb(v, stage, "staff_skill", delta, hi=1.0)])
    assert p.expected_csat[1] >= p.expected_csat[0] - 1e-12


def test_07_skill_levels():
    skills = np.linspace(0, 1, 5)
    p = run([government(5.0, staff_skill=s) for s in skills])
    assert np.all(np.diff(p.expected_csat) > 0)
    assert p.assurance[2] == 0.0 and p.empathy[2] == 0.0  # mid-level meets expectations


# --- §3.14 baseline -----------------------------------------------------------------------


def test_14_baseline():
    p = csat_probabilities(np.array([0.0]))
    assert expected_csat(p)[0] == pytest.approx(4.00, abs=0.01)
    assert top2_box(p)[0] == pytest.approx(0.80, abs=0.01)
    # a visit where every dimension is "as expected"
    v = visit(2, wait_min=[5.0 / 1.36, 1.0], adequate_min=[10.0, math.nan], staff_skill=0.5)
    pred = run([v])
    np.testing.assert_allclose(pred.dimensions, 0.0, atol=1e-12)
    assert pred.expected_csat[0] == pytest.approx(4.00, abs=0.01)
    assert pred.top2[0] == pytest.approx(0.80, abs=0.01)


# --- §3.15 units invariance ---------------------------------------------------------------

TIME_COLUMNS = (
    "wait_min",
    "adequate_min",
    "desired_min",
    "service_min",
    "nominal_service_min",
    "resolution_min",
    "recovery_standard_min",
)


def _scale_visit(v, k):
    w = copy.deepcopy(v)
    for col in TIME_COLUMNS:
        if col in w:
            w[col] = [x * k for x in w[col]]
    for col in ("time_in_system_min", "visit_adequate_min"):
        if col in w:
            w[col] = w[col] * k
    return w


@SETTINGS
@given(st.lists(visits_strategy(), min_size=1, max_size=4))
def test_15_units_invariance(visits):
    for v in visits:  # recovery standard must be given (its default is in minutes)
        v["recovery_standard_min"] = [
            10.0 if math.isnan(x) else x for x in v["recovery_standard_min"]
        ]
    cfg = SatisfactionConfig(recovery={"timeliness_in_responsiveness": True})
    a = run(visits, config=cfg)
    b = run([_scale_visit(v, 60.0) for v in visits], config=cfg)
    for name in ("dimensions", "q", "q_loyalty", "p_csat", "expected_csat", "p_complaint"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.p_return, b.p_return, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        a.perceived_wait_min * 60, b.perceived_wait_min, rtol=1e-9, atol=1e-9
    )


# --- §3.16 outcome order ------------------------------------------------------------------


@SETTINGS
@given(st.floats(0.5, 60.0), st.floats(0.0, 1.0), st.floats(1.0001, 10.0), st.booleans())
def test_16_outcome_order(a, f_within, f_late, promise):
    w_ok, w_late = f_within * a, f_late * a
    common = {"adequate_min": a, "promise": promise, "staff_skill": 0.5}
    within = visit(1, wait_min=w_ok, **common)
    late = visit(1, wait_min=w_late, **common)
    gone = visit(1, wait_min=w_late, abandoned_here=True, **common)
    e = run([within, late, gone]).expected_csat
    assert e[0] >= e[1] >= e[2]
    # multi-stage: later stages on time
    ok_tail = {"adequate_min": [a, 10.0], "promise": promise, "staff_skill": 0.5}
    within2 = visit(2, wait_min=[w_ok, 5.0 / 1.36], **ok_tail)
    late2 = visit(2, wait_min=[w_late, 5.0 / 1.36], **ok_tail)
    gone1 = visit(1, wait_min=w_late, abandoned_here=True, **common)
    e2 = run([within2, late2, gone1]).expected_csat
    assert e2[0] >= e2[1] >= e2[2]


def test_16_abandoned_reliability():
    p = run([government(20.0), government(20.0, abandoned_here=True)])
    assert p.stage_scores[0, 0] == pytest.approx(-0.3)
    assert p.stage_scores[1, 0] == pytest.approx(-0.5)


def test_responsiveness_curve_shape():
    x = np.linspace(0, 5, 2001)
    r = responsiveness(x, 0.5, 0.3)
    assert np.all(np.diff(r) <= 1e-15)
    assert r[0] == pytest.approx(0.3) and responsiveness(np.inf, 0.5, 0.3) == -1.0
    assert responsiveness(0.5, 0.5, 0.3) == 0.0 and responsiveness(1.0, 0.5, 0.3) == -0.1
