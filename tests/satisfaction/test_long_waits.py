"""Satisfaction under long waits (issue 17): over waits of 0-180 min, all else equal, the
predicted CSAT never rises and the complaint probability never falls; both move strictly
wherever the responsiveness score has not yet reached its floor of −1; and where CSAT levels
off is exactly the level the formulas of satisfaction.md give once responsiveness is −1
(docs/satisfaction.md, "Long waits").

A dense grid of 721 waits (every 15 s) per drawn visit, rather than pairs of waits.
"""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.satisfaction import (
    ModelParameters,
    csat_probabilities,
    expected_csat,
    loss_transform,
)

from ._build import government, run, visits_strategy

GRID_MIN = np.linspace(0.0, 180.0, 721)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _along_grid(v: dict, stage: int, params: ModelParameters | None = None):
    """Predictions for ``v`` with the wait of ``stage`` set to every grid value."""
    visits = []
    for w in GRID_MIN:
        u = copy.deepcopy(v)
        u["wait_min"][stage] = float(w)
        visits.append(u)
    return run(visits, params=params)


@SETTINGS
@given(visits_strategy(max_stages=3), st.data(), st.floats(0.2, 5.0), st.floats(0.3, 1.5))
def test_csat_non_increasing_and_complaints_non_decreasing_in_wait(v, data, lam, b):
    """Any visit (failures, recovery, abandonment, crowding, overtaking), any stage, any loss
    slope λ and perception exponent b within their fitting bounds."""
    stage = data.draw(st.integers(0, v["n"] - 1))
    p = _along_grid(v, stage, ModelParameters(lam=lam, b=b))
    assert np.all(np.diff(p.expected_csat) <= 1e-12)
    assert np.all(np.diff(p.q) <= 1e-12)
    assert np.all(np.diff(p.p_complaint) >= -1e-15)
    assert np.all(np.diff(p.p_return) <= 1e-12)


@SETTINGS
@given(st.floats(3.0, 60.0), st.sampled_from([1, 2]), st.booleans(), st.floats(0.2, 5.0),
       st.integers(0, 3))
def test_strict_while_responsiveness_is_above_its_floor(a, kano, promise, lam, overtaken):
    """A one-stage visit with a standard A: above the desired level, every longer wait lowers
    CSAT and raises the complaint probability, as long as 1 + Resp = (1 − ε)·e^(−λ(x − 1))
    is resolvable in double precision (λ(x − 1) ≤ 20); beyond, both are flat because the
    score sits at the floor of its scale."""
    p = _along_grid(government(0.0, adequate_min=a, kano=kano, promise=promise,
                               overtaken=overtaken), 0, ModelParameters(lam=lam))
    x = p.perceived_wait_min / a
    live = (x > 0.5 + 1e-9) & (lam * (x - 1.0) <= 20.0)
    pairs = live[:-1] & live[1:]
    assert pairs.sum() > 0
    assert np.all(np.diff(p.expected_csat)[pairs] < 0)
    assert np.all(np.diff(p.p_complaint)[pairs] > 0)


def test_worked_example_window_keeps_falling_to_three_hours():
    """The §2.11 window (A = 15 min, published): strictly monotone all the way to 180 min,
    though by little after an hour (the score is then within 0.01 of its floor)."""
    p = _along_grid(government(0.0), 0)
    above = GRID_MIN > 7.5 / 1.36
    assert np.all(np.diff(p.expected_csat)[above[1:]] < 0)
    assert np.all(np.diff(p.p_complaint)[above[1:]] > 0)
    at = {w: i for i, w in enumerate(GRID_MIN)}
    assert p.expected_csat[at[60.0]] - p.expected_csat[at[180.0]] < 0.005
    assert p.p_complaint[at[180.0]] - p.p_complaint[at[60.0]] < 0.001


def test_level_off_is_the_responsiveness_floor():
    """Where CSAT levels off is the formulas' value with Resp = −1: the halo −h on the other
    dimensions, the broken promise −promise_pen on reliability, Q through the loss transform
    and the worst-dimension term, then the ordered logit (satisfaction.md §2.4, §2.8, §2.9).
    The CSAT scale's own floor (1) is reached only when every dimension is at −1."""
    prm = ModelParameters()
    w = np.asarray(prm.weights.as_tuple())  # reliability, responsiveness, assurance, ...
    s = np.array([-prm.promise_pen - prm.h, -1.0, -prm.h, -prm.h, -prm.h])
    v = loss_transform(s, prm.kappa)
    q = (1 - prm.psi) * float(v @ w) + prm.psi * float(v.min())
    floor = float(expected_csat(csat_probabilities(np.array([q]), prm.beta,
                                                   prm.cutpoints)[0]))
    p = run([government(600.0)])
    assert abs(float(p.expected_csat[0]) - floor) < 1e-9
    assert 2.55 < floor < 2.57
