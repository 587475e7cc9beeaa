"""Intervals that respect the range: never outside [0, 1] for a share or below 0 for a wait,
always holding the mean, close to Student t away from the bounds, and covering the true
value about 95 % of the time near a bound (where the t-interval leaves the range)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.measures.stats import (
    CLIPPED_METHOD,
    T_METHOD,
    WILSON_METHOD,
    range_interval,
    summarise,
    t_interval,
)

shares = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30)


@settings(max_examples=200, deadline=None)
@given(x=shares, units=st.one_of(st.none(), st.integers(1, 10_000)))
def test_a_share_interval_stays_in_0_1_and_holds_the_mean(x, units):
    r = range_interval(x, 0.0, 1.0, units=units)
    mean = float(np.mean(x))
    assert 0.0 <= r.ci_low <= mean + 1e-12 and mean - 1e-12 <= r.ci_high <= 1.0
    assert r.method == WILSON_METHOD


@settings(max_examples=200, deadline=None)
@given(x=st.lists(st.floats(0.0, 1e4), min_size=2, max_size=30))
def test_a_non_negative_interval_is_the_t_interval_clipped_at_0(x):
    r, t = range_interval(x, 0.0), t_interval(x)
    assert r.ci_low == max(0.0, t.ci_low) and r.ci_high == t.ci_high
    assert r.method == CLIPPED_METHOD


def test_away_from_the_bounds_wilson_is_close_to_t():
    x = [0.42, 0.47, 0.51, 0.45, 0.49, 0.44, 0.50, 0.46]
    r, t = range_interval(x, 0.0, 1.0), t_interval(x)
    assert r.ci_low == pytest.approx(t.ci_low, abs=0.003)
    assert r.ci_high == pytest.approx(t.ci_high, abs=0.003)


def test_a_share_that_is_always_0_gets_an_upper_limit_from_the_units_counted():
    r = range_interval([0.0] * 5, 0.0, 1.0, units=2500)
    assert r.ci_low == 0.0 and 0.0 < r.ci_high < 0.005
    assert range_interval([0.0] * 5, 0.0, 1.0) == (0.0, 0.0, WILSON_METHOD)
    assert all(math.isnan(v) for v in range_interval([0.3], 0.0, 1.0)[:2])
    assert range_interval([1.0, -2.0, 4.0]).method == T_METHOD


def test_near_zero_the_wilson_interval_covers_and_the_t_interval_leaves_the_range():
    """Theory check: 5 days of 200 customers, each abandoning with probability 0.01. The
    Wilson interval at the effective sample size covers 0.01 in at least 95 % of 2,000
    studies (within three standard errors; 96.5 % here); the t-interval often goes below 0."""
    rng = np.random.default_rng(20260407)
    p, days, customers, studies = 0.01, 5, 200, 2000
    rates = rng.binomial(customers, p, size=(studies, days)) / customers
    covered = below_zero = 0
    for x in rates:
        r = range_interval(x, 0.0, 1.0, units=days * customers)
        covered += r.ci_low <= p <= r.ci_high
        below_zero += t_interval(x).ci_low < 0
    se = math.sqrt(0.95 * 0.05 / studies)
    # at least the nominal 95 % within three standard errors, and not grossly conservative
    assert 0.95 - 3 * se <= covered / studies <= 0.98, covered / studies
    assert below_zero / studies > 0.2


def test_summarise_uses_each_kpis_range_and_denominator():
    rows = [{"arrived": 100.0, "abandon_rate": 0.0, "wait_mean_min": 0.1},
            {"arrived": 120.0, "abandon_rate": 0.01, "wait_mean_min": 0.0},
            {"arrived": 90.0, "abandon_rate": 0.0, "wait_mean_min": 3.0}]
    s = summarise(rows).set_index("kpi")
    assert s.loc["abandon_rate", "ci_method"] == WILSON_METHOD
    assert 0.0 <= s.loc["abandon_rate", "ci_low"] <= s.loc["abandon_rate", "ci_high"] <= 1.0
    assert s.loc["wait_mean_min", "ci_low"] == 0.0  # the t-interval would go below 0
    assert s.loc["wait_mean_min", "ci_method"] == CLIPPED_METHOD
    t = t_interval([0.1, 0.0, 3.0])
    assert s.loc["wait_mean_min", "half_width"] == pytest.approx(t.half_width)  # unchanged
    assert s.loc["wait_mean_min", "ci_high"] == pytest.approx(t.ci_high)
