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


# ------------------------------------------------------------------ exact values
def wilson(p: float, n_eff: float, reps: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval written out independently, with scipy's t quantile."""
    from scipy.stats import t as student_t

    z = float(student_t.ppf(0.5 + confidence / 2.0, reps - 1))
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff**2))
    return centre - half, centre + half


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_wilson_interval_at_the_effective_sample_size_by_hand(confidence):
    x = [0.2, 0.4, 0.3]  # mean 0.3, sd 0.1: n_eff = 0.3 * 0.7 / (0.01 / 3) = 63
    r = range_interval(x, 0.0, 1.0, confidence)
    low, high = wilson(0.3, 63.0, 3, confidence)
    assert (r.ci_low, r.ci_high) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))
    assert r.method == WILSON_METHOD


@pytest.mark.parametrize(("units", "expect_point"), [(None, True), (0, True), (1, False),
                                                     (40, False)])
def test_a_share_without_spread_uses_the_units_counted(units, expect_point):
    r = range_interval([0.0, 0.0], 0.0, 1.0, units=units)
    if expect_point:  # no spread and no (or no positive) count: nothing but the point
        assert (r.ci_low, r.ci_high) == (0.0, 0.0)
    else:
        assert r.ci_low == 0.0
        assert r.ci_high == pytest.approx(wilson(0.0, float(units), 2)[1], rel=1e-12)


def test_values_a_rounding_error_outside_the_range_are_moved_onto_it():
    r = range_interval([-1.0, 1.0, 3.0], low=0.0)  # as [0, 1, 3]
    ti = t_interval(np.array([0.0, 1.0, 3.0]))
    assert (r.ci_low, r.ci_high) == (0.0, pytest.approx(ti.ci_high))
    r = range_interval([5.0, 1.0, 2.0], high=3.0)  # as [3, 1, 2]
    ti = t_interval(np.array([3.0, 1.0, 2.0]))
    assert (r.ci_low, r.ci_high) == (pytest.approx(ti.ci_low), 3.0)


def test_none_is_a_missing_replication_and_one_value_gives_no_interval():
    r = range_interval([0.2, None, 0.4, 0.3], 0.0, 1.0)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(0.3, 63.0, 3))
    one = range_interval([0.5, None], 0.0, 1.0)
    assert math.isnan(one.ci_low) and math.isnan(one.ci_high)
    assert one.method == WILSON_METHOD


def test_summarise_counts_the_units_of_the_replications_that_have_both_values():
    # every replication served everybody: the interval comes from the 30 customers of the
    # replications with both values (not the row without a count, not the one without a share)
    rows = [{"served_share": 1.0, "arrived": 10.0}, {"served_share": 1.0, "arrived": math.nan},
            {"served_share": 1.0, "arrived": 20.0}, {"served_share": math.nan, "arrived": 50.0}]
    row = summarise(rows).set_index("kpi").loc["served_share"]
    assert row["ci_high"] == 1.0
    assert row["ci_low"] == pytest.approx(wilson(1.0, 30.0, 3)[0], rel=1e-12)
    assert row["ci_method"] == WILSON_METHOD


def test_days_meeting_a_target_count_the_replications():
    rows = [{"std__w15__met": 1.0}, {"std__w15__met": 1.0}, {"std__w15__met": math.nan},
            {"std__w15__met": 1.0}]
    row = summarise(rows).set_index("kpi").loc["std__w15__met"]
    assert row["ci_low"] == pytest.approx(wilson(1.0, 3.0, 3)[0], rel=1e-12)
    assert row["ci_high"] == 1.0


@pytest.mark.parametrize("units", [20, 46, 50])
def test_a_share_of_one_never_gets_an_upper_limit_above_one(units):
    # at these counts the Wilson upper limit of p = 1 rounds to just above 1 before clipping
    r = range_interval([1.0, 1.0, 1.0], 0.0, 1.0, units=units)
    assert r.ci_high == 1.0 and r.ci_low < 1.0
