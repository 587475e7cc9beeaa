"""``overtaken`` counts (satisfaction.md §2.14): O(n log n) against a brute-force count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.satisfaction import overtaken_counts


def brute_force(join, start, leave=None):
    join = np.asarray(join, float)
    start = np.asarray(start, float)
    leave = start if leave is None else np.asarray(leave, float)
    s = np.where(np.isnan(start), np.inf, start)
    lv = np.where(np.isnan(leave), np.inf, leave)
    later = join[None, :] > join[:, None]  # [i, j]: j joined after i
    earlier = s[None, :] < lv[:, None]  # j started before i left
    return (later & earlier).sum(axis=1)


def test_example():
    assert overtaken_counts([0.0, 1.0, 2.0], [5.0, 3.0, 4.0]).tolist() == [2, 0, 0]
    assert overtaken_counts([0.0, 1.0], [1.0, 2.0]).tolist() == [0, 0]  # FIFO
    assert overtaken_counts([], []).tolist() == []


def test_ties_and_abandonment():
    join = [0.0, 0.0, 1.0, 2.0]
    start = [5.0, 1.0, 2.0, np.nan]  # customer 3 abandoned at 6
    leave = [5.0, 1.0, 2.0, 6.0]
    got = overtaken_counts(join, start, leave)
    assert got.tolist() == [1, 0, 0, 0]  # tie with customer 1 does not count
    np.testing.assert_array_equal(got, brute_force(join, start, leave))


times = st.floats(0.0, 20.0).map(lambda x: round(x, 1))  # rounding makes ties likely


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(0, 40))
def test_matches_brute_force(data, n):
    join = data.draw(st.lists(times, min_size=n, max_size=n))
    start = data.draw(st.lists(st.one_of(times, st.just(np.nan)), min_size=n, max_size=n))
    use_leave = data.draw(st.booleans())
    leave = (
        data.draw(st.lists(st.one_of(times, st.just(np.nan)), min_size=n, max_size=n))
        if use_leave
        else None
    )
    np.testing.assert_array_equal(
        overtaken_counts(join, start, leave), brute_force(join, start, leave)
    )


def test_large_random_against_brute_force():
    gen = np.random.default_rng(3)
    n = 3000
    join = np.sort(gen.uniform(0, 480, n)).round(2)
    start = join + gen.exponential(10, n)
    start[gen.random(n) < 0.05] = np.nan
    np.testing.assert_array_equal(overtaken_counts(join, start), brute_force(join, start))


def test_scales():
    gen = np.random.default_rng(4)
    n = 50_000
    join = gen.uniform(0, 2500, n)
    start = join + gen.exponential(10, n)
    out = overtaken_counts(join, start)
    assert out.shape == (n,) and out.min() >= 0


def test_bad_input():
    with pytest.raises(ValueError, match="lengths differ"):
        overtaken_counts([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        overtaken_counts([np.nan], [1.0])
