"""Statistics beyond the defaults: other confidence levels, every output column by value,
:class:`OnlineStats` intervals, and the n < 2 branches.

Reference values come from scipy (``scipy.stats.t``) or are worked by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from simulator.measures.stats import (
    COMPARE_COLUMNS,
    OnlineStats,
    bonferroni_confidence,
    compare_paired,
    paired_difference,
    summarise,
    t_interval,
)

BASE = [5.0, 7.0, 6.0, 8.0, 9.5]
VAR = [4.2, 6.1, 5.9, 6.5, 8.0]  # differences: -0.8, -0.9, -0.1, -1.5, -1.5


def scipy_interval(x, confidence):
    x = np.asarray(x, dtype=float)
    lo, hi = sps.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    return lo, hi


@pytest.mark.parametrize("confidence", [0.8, 0.99])
def test_summarise_uses_the_confidence_it_is_given(confidence):
    df = summarise([{"w": x} for x in BASE], confidence=confidence)
    lo, hi = scipy_interval(BASE, confidence)
    row = df.iloc[0]
    assert row["ci_low"] == pytest.approx(lo, rel=1e-12)
    assert row["ci_high"] == pytest.approx(hi, rel=1e-12)
    assert row["half_width"] == pytest.approx((hi - lo) / 2, rel=1e-12)
    assert row["rel_half_width"] == pytest.approx((hi - lo) / 2 / np.mean(BASE), rel=1e-12)
    assert row["sd"] == pytest.approx(np.std(BASE, ddof=1), rel=1e-12)
    with pytest.raises(ValueError, match="confidence"):
        summarise([{"w": 1.0}], confidence=1.0)


@pytest.mark.parametrize("confidence", [0.8, 0.99])
def test_compare_paired_uses_the_confidence_it_is_given(confidence):
    df = compare_paired([{"w": x} for x in BASE], [{"w": x} for x in VAR],
                        confidence=confidence)
    d = np.subtract(VAR, BASE)
    lo, hi = scipy_interval(d, confidence)
    row = df.iloc[0]
    assert row["mean_diff"] == pytest.approx(d.mean(), rel=1e-12)
    assert row["sd_diff"] == pytest.approx(np.std(d, ddof=1), rel=1e-12)
    assert row["n"] == 5
    assert row["ci_low"] == pytest.approx(lo, rel=1e-12)
    assert row["ci_high"] == pytest.approx(hi, rel=1e-12)
    assert row["half_width"] == pytest.approx((hi - lo) / 2, rel=1e-12)
    assert row["baseline_mean"] == pytest.approx(np.mean(BASE))
    assert row["variant_mean"] == pytest.approx(np.mean(VAR))
    with pytest.raises(ValueError, match="confidence"):
        compare_paired([{"w": 1.0}], [{"w": 1.0}], confidence=0.0)


def test_a_bonferroni_level_can_turn_a_difference_insignificant():
    # mean difference -0.96, sd 0.594, n 5: t = -3.61; significant at 95 % (t 2.776) but not
    # at the Bonferroni level for 10 comparisons, 99.5 % (t 5.598)
    base = [{"w": x} for x in BASE]
    var = [{"w": x} for x in VAR]
    assert bool(compare_paired(base, var).loc[0, "significant"]) is True
    strict = compare_paired(base, var, confidence=bonferroni_confidence(0.95, 10))
    assert bool(strict.loc[0, "significant"]) is False
    assert strict.loc[0, "ci_low"] < strict.loc[0, "mean_diff"] < 0 < strict.loc[0, "ci_high"]
    assert paired_difference(VAR, BASE, 0.995).significant is False
    assert paired_difference(VAR, BASE).significant is True


def test_significance_both_ways_and_at_the_edges():
    up = paired_difference([2.0, 3.0, 4.0], [1.0, 1.9, 3.1])  # all above: ci_low > 0
    assert up.significant is True and up.ci_low > 0
    down = paired_difference([1.0, 1.9, 3.1], [2.0, 3.0, 4.0])
    assert down.significant is True and down.ci_high < 0
    one = paired_difference([5.0], [1.0])  # a single pair is never significant
    assert (one.mean_diff, one.n, one.significant) == (4.0, 1, False)
    assert math.isnan(one.sd) and math.isnan(one.ci_low) and math.isnan(one.half_width)
    none = paired_difference([math.nan], [1.0])
    assert none.n == 0 and math.isnan(none.mean_diff) and none.significant is False


def test_compare_paired_columns_when_pairs_are_missing():
    base = [{"w": 1.0, "only_base": 2.0}, {"w": math.nan}, {"w": 3.0}]
    var = [{"w": 2.0, "only_var": 1.0}, {"w": 5.0}, {"w": 3.5}]
    df = compare_paired(base, var).set_index("kpi")
    assert df.index.tolist() == ["w", "only_base", "only_var"]
    w = df.loc["w"]  # pairs (1, 2) and (3, 3.5): differences 1 and 0.5
    assert (w["n"], w["baseline_mean"], w["variant_mean"], w["mean_diff"]) == (2, 2.0, 2.75, 0.75)
    assert w["sd_diff"] == pytest.approx(math.sqrt(0.125))
    for kpi in ("only_base", "only_var"):  # no complete pair
        row = df.loc[kpi]
        assert row["n"] == 0 and bool(row["significant"]) is False
        assert math.isnan(row["baseline_mean"]) and math.isnan(row["variant_mean"])
        assert math.isnan(row["mean_diff"]) and math.isnan(row["sd_diff"])


def test_summarise_single_and_missing_values():
    df = summarise([{"a": 4.0, "b": None}, {"a": math.nan}]).set_index("kpi")
    a = df.loc["a"]
    assert a["n"] == 1 and a["mean"] == 4.0
    assert all(math.isnan(a[c]) for c in ("sd", "ci_low", "ci_high", "half_width",
                                          "rel_half_width"))
    b = df.loc["b"]
    assert b["n"] == 0 and math.isnan(b["mean"]) and math.isnan(b["rel_half_width"])
    neg = summarise([{"x": -2.0}, {"x": -4.0}]).iloc[0]
    assert neg["rel_half_width"] == pytest.approx(neg["half_width"] / 3.0)  # |mean|


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.999])
def test_online_interval_equals_t_interval(confidence):
    s = OnlineStats()
    s.update(BASE)
    got, want = s.interval(confidence), t_interval(BASE, confidence)
    assert got.n == want.n == 5
    for field in ("mean", "sd", "ci_low", "ci_high", "half_width"):
        assert getattr(got, field) == pytest.approx(getattr(want, field), rel=1e-12), field
    assert got.ci_low < got.mean < got.ci_high
    assert got.ci_high - got.mean == pytest.approx(got.mean - got.ci_low, rel=1e-12)
    with pytest.raises(ValueError, match="confidence"):
        s.interval(1.5)


def test_online_stats_small_n_nan_and_merge_order():
    s = OnlineStats()
    empty = s.interval()
    assert empty.n == 0 and math.isnan(empty.mean) and math.isnan(empty.half_width)
    s.push(math.nan)  # ignored
    assert s.n == 0 and math.isnan(s.mean)
    s.push(3.0)
    one = s.interval()
    assert (one.mean, one.n) == (3.0, 1) and math.isnan(one.sd) and math.isnan(one.ci_low)
    assert math.isnan(s.variance) and math.isnan(s.sd)
    s.push(5.0)
    assert (s.n, s.mean, s.variance, s.sd) == (2, 4.0, 2.0, math.sqrt(2.0))
    # merging into an empty accumulator copies; merging an empty one changes nothing
    e = OnlineStats()
    e.merge(s)
    assert (e.n, e.mean, e.variance) == (2, 4.0, 2.0)
    e.merge(OnlineStats())
    assert (e.n, e.mean, e.variance) == (2, 4.0, 2.0)
    # [3, 5] + [10, 12, 14]: mean 8.8, squared deviations sum to 86.8, variance 86.8 / 4
    other = OnlineStats()
    other.update([10.0, 12.0, 14.0])
    e.merge(other)
    assert e.n == 5 and e.mean == pytest.approx(8.8) and e.variance == pytest.approx(21.7)
    assert other.n == 3 and other.mean == 12.0  # the merged-in accumulator is unchanged


def test_t_interval_flattens_and_keeps_float_precision():
    ti = t_interval(np.array([[1.0, 2.0], [3.0, 4.0]]), 0.9)
    lo, hi = scipy_interval([1.0, 2.0, 3.0, 4.0], 0.9)
    assert ti.n == 4 and ti.mean == 2.5
    assert (ti.ci_low, ti.ci_high) == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))
    assert t_interval([1, 2, 3]).mean == 2.0


def test_two_pairs_can_be_significant():
    # differences 1.0 and 1.1: half-width t(0.975, 1) · 0.0707 / √2 = 0.635 < 1.05
    d = paired_difference([2.0, 3.1], [1.0, 2.0])
    assert d.n == 2 and d.significant is True and d.ci_low > 0


def test_missing_values_given_as_none_count_as_nan():
    ti = t_interval([1.0, None, 3.0])
    assert (ti.n, ti.mean) == (2, 2.0)
    d = paired_difference([1.0, None, 3.0, 4], [0.0, 1.0, None, 3])
    assert (d.n, d.mean_diff, d.sd) == (2, 1.0, 0.0)


@pytest.mark.parametrize("values", [[], [math.nan]], ids=["no value", "only NaN"])
def test_no_value_gives_nan_everywhere(values):
    ti = t_interval(values)
    assert ti.n == 0
    assert all(math.isnan(x) for x in (ti.mean, ti.sd, ti.ci_low, ti.ci_high, ti.half_width))


def test_one_value_has_a_mean_and_no_interval():
    ti = t_interval([2.5])
    s = OnlineStats()
    s.push(2.5)
    for got in (ti, s.interval()):
        assert (got.mean, got.n) == (2.5, 1)
        assert all(math.isnan(x) for x in (got.sd, got.ci_low, got.ci_high, got.half_width))


@pytest.mark.filterwarnings("error")  # no "mean of empty slice" noise for a KPI never paired
def test_compare_paired_of_nothing_and_of_unpaired_kpis_is_quiet():
    empty = compare_paired([], [])
    assert list(empty.columns) == list(COMPARE_COLUMNS) and len(empty) == 0
    df = compare_paired([{"a": 1.0}, {"a": 2.0}], [{"b": 1.0}, {"b": 3.0}])
    assert df["kpi"].tolist() == ["a", "b"] and df["n"].tolist() == [0, 0]
    with pytest.raises(ValueError, match=r"^paired comparison needs one variant row per "
                                         r"baseline replication \(got 2 baseline and 1 "
                                         r"variant rows\)$"):
        compare_paired([{"a": 1.0}, {"a": 2.0}], [{"a": 1.0}])
    with pytest.raises(ValueError, match=r"^n_comparisons must be >= 1 \(got 0\)$"):
        bonferroni_confidence(0.95, 0)
