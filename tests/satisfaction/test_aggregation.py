"""Property §3.13 of satisfaction.md: aggregation over stages (§2.7)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.satisfaction import OMEGA_PRESETS, aggregate_stages

SETTINGS = settings(max_examples=80, deadline=None)
PHASE_W = np.array([1.5, 1.0, 1.25])

score = st.floats(-1.0, 1.0)


@st.composite
def omegas(draw):
    raw = draw(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda r: sum(r) > 0))
    total = sum(raw)
    return tuple(r / total for r in raw)


@st.composite
def sequences(draw, min_size=1, max_size=6):
    n = draw(st.integers(min_size, max_size))
    s = draw(st.lists(score, min_size=n, max_size=n))
    ph = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return np.array(s), PHASE_W[np.array(ph)]


def agg(s, v, omega):
    return float(aggregate_stages(np.asarray(s), np.zeros(len(s), dtype=int), v, omega)[0])


@SETTINGS
@given(omegas(), sequences(), score)
def test_13_idempotent(omega, seq, value):
    _, v = seq
    assert agg(np.full(len(v), value), v, omega) == pytest.approx(value, abs=1e-12)


@SETTINGS
@given(omegas(), sequences(), st.data(), st.floats(0.0, 2.0))
def test_13_bounded_and_monotone(omega, seq, data, up):
    s, v = seq
    k = data.draw(st.integers(0, len(s) - 1))
    s2 = s.copy()
    s2[k] = min(1.0, s2[k] + up)
    a, b = agg(s, v, omega), agg(s2, v, omega)
    assert -1.0 <= a <= 1.0
    assert b >= a - 1e-12


@SETTINGS
@given(sequences(), st.randoms(use_true_random=False))
def test_13_mean_preset_permutation_invariant(seq, rnd):
    s, v = seq
    perm = list(range(len(s)))
    rnd.shuffle(perm)
    mean = OMEGA_PRESETS["mean"]
    assert agg(s[perm], v[perm], mean) == pytest.approx(agg(s, v, mean), abs=1e-12)


@SETTINGS
@given(st.lists(st.floats(-1.0, -0.2), min_size=1, max_size=5), st.floats(0.0, 1.0))
def test_13_cold_hand(bad, mild_frac):
    """peak_end: appending a milder-than-peak final stage to a bad sequence raises Agg."""
    peak = min(bad)
    seq = [*bad, peak]  # the bad episode ends at its peak
    milder = peak + mild_frac * (1.0 - peak) + 1e-6
    milder = min(milder, 1.0)
    v = np.ones(len(seq))
    before = agg(np.array(seq), v, OMEGA_PRESETS["peak_end"])
    after = agg(np.array([*seq, milder]), np.ones(len(seq) + 1), OMEGA_PRESETS["peak_end"])
    assert after > before


@SETTINGS
@given(omegas(), st.lists(score, min_size=2, max_size=5), st.integers(0, 2))
def test_13_order_matters_only_through_end_or_phases(omega, s, phase):
    """With ω_end = 0 and equal phases every ordering gives the same aggregate."""
    om = (omega[0], omega[1], omega[2] + omega[3], 0.0)
    s = np.array(s)
    v = np.full(len(s), PHASE_W[phase])
    ref = agg(s, v, om)
    for perm in itertools.islice(itertools.permutations(range(len(s))), 24):
        assert agg(s[list(perm)], v, om) == pytest.approx(ref, abs=1e-12)


def test_13_order_matters_with_end_or_phases():
    s = np.array([-0.8, 0.0])
    ones = np.ones(2)
    blend = (0.4, 0.3, 0.1, 0.2)
    assert agg(s, ones, blend) != pytest.approx(agg(s[::-1], ones, blend))
    v = np.array([1.5, 1.0])
    mean = OMEGA_PRESETS["mean"]
    assert agg(s, v, mean) != pytest.approx(agg(s[::-1], v, mean))


def test_aggregate_vectorised_groups_and_unobserved():
    s = np.array([[0.2, np.nan], [-0.4, np.nan], [0.1, 0.3], [np.nan, np.nan]])
    c = np.array([0, 0, 1, 2])
    v = np.ones(4)
    out = aggregate_stages(s, c, v, (0.4, 0.3, 0.1, 0.2), n_customers=3)
    assert out[0, 0] == pytest.approx(0.4 * -0.1 + 0.3 * -0.4 + 0.1 * 0.2 + 0.2 * -0.4)
    assert np.isnan(out[0, 1]) and out[1, 1] == pytest.approx(0.3)
    assert np.isnan(out[2]).all()
    # the last *observed* score is the end
    s2 = np.array([-0.5, np.nan])
    assert agg(s2, np.ones(2), (0.0, 0.0, 0.0, 1.0)) == -0.5
    with pytest.raises(ValueError, match="expected 4"):
        aggregate_stages(s, c, v, n_customers=4)
