"""Tests for simulator.measures.stats against scipy and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from simulator.measures.stats import (
    COMPARE_COLUMNS,
    SUMMARY_COLUMNS,
    OnlineStats,
    bonferroni_confidence,
    compare_paired,
    paired_difference,
    summarise,
    t_interval,
)

DATA = [2.1, 3.4, 1.9, 5.6, 4.2, 3.3]


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_matches_scipy(confidence):
    ti = t_interval(DATA, confidence)
    lo, hi = sps.t.interval(confidence, len(DATA) - 1, loc=np.mean(DATA), scale=sps.sem(DATA))
    assert ti.n == 6
    assert ti.mean == pytest.approx(np.mean(DATA))
    assert ti.sd == pytest.approx(np.std(DATA, ddof=1))
    assert ti.ci_low == pytest.approx(lo) and ti.ci_high == pytest.approx(hi)
    assert ti.half_width == pytest.approx((hi - lo) / 2)


def test_t_interval_known_value_nan_and_small_n():
    ti = t_interval([1.0, 2.0, NAN_ := math.nan, 3.0])
    assert ti.n == 3 and ti.mean == 2.0 and ti.sd == 1.0
    assert ti.half_width == pytest.approx(4.302652729911275 / math.sqrt(3))
    one = t_interval([7.0])
    assert one.mean == 7.0 and one.n == 1 and math.isnan(one.sd) and math.isnan(one.ci_low)
    none = t_interval([NAN_])
    assert none.n == 0 and math.isnan(none.mean)
    with pytest.raises(ValueError, match="confidence"):
        t_interval(DATA, 95)


def test_paired_difference_of_identical_inputs_is_zero_with_zero_width():
    d = paired_difference(DATA, DATA)
    assert (d.mean_diff, d.sd, d.n, d.ci_low, d.ci_high, d.half_width) == (
        0.0, 0.0, 6, 0.0, 0.0, 0.0)
    assert d.significant is False


def test_paired_difference_matches_paired_t_test():
    a = np.array(DATA)
    b = a - np.array([0.5, 0.7, 0.2, 0.9, 0.4, 0.6])
    d = paired_difference(a, b)
    diff = a - b
    lo, hi = sps.t.interval(0.95, 5, loc=diff.mean(), scale=sps.sem(diff))
    assert d.mean_diff == pytest.approx(diff.mean())
    assert (d.ci_low, d.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert d.significant == (sps.ttest_rel(a, b).pvalue < 0.05) == True  # noqa: E712
    noisy = paired_difference([1.0, 2.0, 3.0], [2.0, 1.0, 3.5])
    assert noisy.significant is False
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1.0], [1.0, 2.0])


def test_paired_difference_drops_incomplete_pairs():
    d = paired_difference([1.0, math.nan, 3.0, 4.0], [0.0, 1.0, math.nan, 3.0])
    assert d.n == 2 and d.mean_diff == 1.0 and d.sd == 0.0


def test_bonferroni():
    assert bonferroni_confidence(0.95, 1) == 0.95
    assert bonferroni_confidence(0.95, 5) == pytest.approx(0.99)
    with pytest.raises(ValueError):
        bonferroni_confidence(0.95, 0)


def test_summarise_order_columns_and_values():
    rows = [
        {"served": 10.0, "wait_mean_min": 4.0, "balk_rate": math.nan},
        {"served": 12.0, "wait_mean_min": 6.0, "balk_rate": 0.1, "extra": 1.0},
        {"served": 14.0, "wait_mean_min": 5.0, "balk_rate": 0.0},
    ]
    df = summarise(rows)
    assert list(df.columns) == list(SUMMARY_COLUMNS)
    assert df["kpi"].tolist() == ["served", "wait_mean_min", "balk_rate", "extra"]
    assert df["n"].tolist() == [3, 3, 2, 1]
    served = df.iloc[0]
    ti = t_interval([10.0, 12.0, 14.0])
    assert served["mean"] == 12.0 and served["sd"] == 2.0
    assert served["ci_low"] == ti.ci_low and served["ci_high"] == ti.ci_high
    assert served["rel_half_width"] == pytest.approx(ti.half_width / 12.0)
    extra = df.iloc[3]
    assert extra["mean"] == 1.0 and math.isnan(extra["sd"]) and math.isnan(extra["half_width"])
    pd.testing.assert_frame_equal(df, summarise(rows))  # deterministic


def test_summarise_zero_mean_and_empty():
    df = summarise([{"x": 0.0}, {"x": 0.0}])
    assert df.loc[0, "half_width"] == 0.0 and math.isnan(df.loc[0, "rel_half_width"])
    empty = summarise([])
    assert list(empty.columns) == list(SUMMARY_COLUMNS) and len(empty) == 0


def test_compare_paired():
    base = [{"wait_mean_min": w, "served": 10.0} for w in (5.0, 7.0, 6.0, 8.0)]
    var = [{"wait_mean_min": w - 1.0 - 0.1 * i, "served": 10.0}
           for i, w in enumerate((5.0, 7.0, 6.0, 8.0))]
    df = compare_paired(base, var)
    assert list(df.columns) == list(COMPARE_COLUMNS)
    wait = df.iloc[0]
    assert wait["kpi"] == "wait_mean_min"
    assert wait["mean_diff"] == pytest.approx(-1.15)
    assert wait["baseline_mean"] == 6.5 and wait["variant_mean"] == pytest.approx(5.35)
    assert bool(wait["significant"]) is True
    served = df.iloc[1]
    assert served["mean_diff"] == 0.0 and bool(served["significant"]) is False
    with pytest.raises(ValueError, match="one variant row per baseline"):
        compare_paired(base, var[:2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=0, max_size=40),
       st.lists(st.floats(-1e3, 1e3), min_size=0, max_size=40))
def test_online_stats_match_numpy_and_merge(xs, ys):
    s = OnlineStats()
    s.update(xs)
    other = OnlineStats()
    other.update(ys)
    both = xs + ys
    s.merge(other)
    assert s.n == len(both)
    if both:
        assert s.mean == pytest.approx(np.mean(both), abs=1e-9)
    if len(both) >= 2:
        assert s.variance == pytest.approx(np.var(both, ddof=1), rel=1e-7, abs=1e-7)
        ti = t_interval(both)
        assert s.interval().half_width == pytest.approx(ti.half_width, rel=1e-6, abs=1e-6)
    else:
        assert math.isnan(s.variance)
