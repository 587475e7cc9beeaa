"""Inputs at the edges: empirical CSV columns with negative, zero or no values, and the
Poisson count distribution's inverse CDF (exact against scipy, never below 0)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats as sps

from simulator.engine.rng import UniformStream, make_generator
from simulator.scenario.distributions import CountDistribution, Empirical, Poisson

COUNT = TypeAdapter(CountDistribution)


def column(tmp_path, text: str) -> Empirical:
    (tmp_path / "obs.csv").write_text(text)
    return Empirical(file="obs.csv", column="minutes")


def test_empirical_column_with_a_negative_value_is_refused(tmp_path):
    d = column(tmp_path, "minutes\n3\n-0.5\n4\n")
    with pytest.raises(ValueError, match=r"column 'minutes' of obs\.csv is out of range "
                       r"\(got '-0\.5' on line 3; "):
        d.resolved(tmp_path)


@pytest.mark.parametrize("text", ["minutes\n", "minutes,id\n,1\n,2\n"],
                         ids=["header only", "empty cells only"])
def test_empirical_column_with_no_values_is_refused(tmp_path, text):
    with pytest.raises(ValueError, match=r"obs\.csv"):
        column(tmp_path, text).resolved(tmp_path)


def test_empirical_column_of_zeros_is_a_zero_constant(tmp_path):
    d = column(tmp_path, "minutes\n0\n0\n0.0\n").resolved(tmp_path)
    assert d.values == [0.0, 0.0, 0.0]
    assert (d.mean, d.variance, d.cv) == (0.0, 0.0, 0.0)
    assert np.all(d.sample(make_generator(1, 0, "e"), 100) == 0.0)


def test_empirical_inline_edges():
    with pytest.raises(ValidationError):
        Empirical(values=[])
    with pytest.raises(ValidationError,
                       match=r"values\.1\n  Input should be greater than or equal to 0"):
        Empirical(values=[2.0, -1.0])
    one = Empirical(values=[0.0, 4.0])
    assert one.cv == pytest.approx(1.0)  # sd 2 (population) / mean 2
    # the inverse CDF over the sorted values: u in [0, 1/2) gives 0, [1/2, 1) gives 4
    np.testing.assert_array_equal(one.ppf(np.array([0.0, 0.49, 0.5, np.nextafter(1, 0)])),
                                  [0.0, 0.0, 4.0, 4.0])


@pytest.mark.parametrize("mean", [0.3, 1.0, 4.5, 25.0, 400.0])
def test_poisson_ppf_is_scipys_and_never_negative(mean):
    d = Poisson(mean=mean)
    u = np.concatenate(([0.0], np.linspace(1e-9, 1 - 1e-9, 4001), [np.nextafter(1, 0)]))
    got = d.ppf(u)
    want = sps.poisson.ppf(u, mean)
    # scipy gives the smallest k with P(X <= k) >= u; ours > u: they differ only where u is
    # exactly a CDF value (u = 0 among these), where ours is the next count up from -1, 0
    np.testing.assert_array_equal(got[1:-1], want[1:-1])
    assert got[0] == 0.0 and np.all(got >= 0) and np.all(np.diff(got) >= 0)
    assert got.dtype == np.float64 and np.all(got == np.round(got))
    assert got[-1] <= mean + 12 * math.sqrt(mean) + 25


def test_poisson_of_mean_one_gives_no_guests_a_third_of_the_time():
    d = Poisson(mean=1.0)
    p0 = math.exp(-1.0)  # P(X = 0) = 0.3679
    np.testing.assert_array_equal(d.ppf(np.array([0.0, p0 - 1e-12, p0 + 1e-12, 0.99])),
                                  [0.0, 0.0, 1.0, 4.0])


def test_poisson_draws_have_its_mean_and_variance():
    n = 100_000
    d = COUNT.validate_python({"dist": "poisson", "mean": 6.0})
    assert isinstance(d, Poisson) and d.mean == d.variance == 6.0
    draw = d.sampler(UniformStream(3, 0, "wave"))
    x = np.fromiter((draw() for _ in range(n)), dtype=float, count=n)
    assert abs(x.mean() - 6.0) <= 4 * math.sqrt(6.0 / n)
    # Var(s²) ≈ (μ4 - σ⁴) / n with μ4 = λ(1 + 3λ) for a Poisson
    assert abs(x.var(ddof=1) - 6.0) <= 4 * math.sqrt((6.0 * (1 + 18.0) - 36.0) / n)
    assert x.min() >= 0 and np.all(x == np.round(x))


@pytest.mark.parametrize("spec", [{"dist": "poisson", "mean": 0},
                                  {"dist": "poisson", "mean": 2e6},
                                  {"dist": "poisson", "mean": "3"}])
def test_poisson_parameters_are_checked(spec):
    with pytest.raises(ValidationError):
        COUNT.validate_python(spec)


def test_poisson_ppf_at_a_cdf_value_is_the_next_count():
    from scipy import special

    # the smallest k with P(X <= k) > u: at u = P(X <= 0) exactly that is 1 (scipy's
    # convention, P(X <= k) >= u, would give 0)
    for mean in (1.0, 4.5):
        d = Poisson(mean=mean)
        u = special.pdtr(np.arange(3), mean)
        np.testing.assert_array_equal(d.ppf(u), [1.0, 2.0, 3.0])


def test_an_unresolved_empirical_file_says_what_to_do():
    d = Empirical(file="obs.csv", column="minutes")
    with pytest.raises(ValueError, match=r"^empirical file not resolved; call "
                                         r"resolved\(base_dir\) first$"):
        _ = d.mean


def test_a_uniform_stream_knows_its_name_and_starts_at_its_first_value():
    s = UniformStream(4, 1, "arrivals:walk_in")
    assert s.name == "arrivals:walk_in"
    assert s() == make_generator(4, 1, "arrivals:walk_in").random()


# ------------------------------------------------------------------ messages and bounds
def test_a_long_bad_cell_is_quoted_to_40_characters(tmp_path):
    word = "abcdefghij" * 5
    with pytest.raises(ValueError, match=rf"not numeric \(got '{word[:40]}' on line 2; "
                                         r"expected a number\)$"):
        column(tmp_path, f"minutes\n{word}\n").resolved(tmp_path)
    big = "1" + "0" * 49
    with pytest.raises(ValueError, match=rf"out of range \(got '{big[:40]}' on line 3; "
                                         r"expected a finite number from 0 to 525,600\)$"):
        column(tmp_path, f"minutes\n2\n{big}\n").resolved(tmp_path)


def test_a_column_may_reach_a_year_but_not_beyond(tmp_path):
    assert column(tmp_path, "minutes\n525600\n").resolved(tmp_path).values == [525_600.0]
    with pytest.raises(ValueError, match="out of range"):
        column(tmp_path, "minutes\n525600.5\n").resolved(tmp_path)


def test_an_empty_column_says_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match=r"column 'minutes' of obs\.csv has no values "
                                         r"\(expected at least one number\)$"):
        column(tmp_path, "minutes,id\n,1\n").resolved(tmp_path)


def test_a_weibull_without_spread_is_its_mean_in_the_shape_asked():
    from simulator.scenario.distributions import Weibull

    flat = Weibull(mean=5.0, cv=0.0).ppf(np.full((2, 3), 0.7))
    assert flat.shape == (2, 3) and np.all(flat == 5.0)
    # from cv 1e-4 on, the Weibull itself (shape about 12,800): within 0.01 % of the mean, and
    # no longer exactly it
    near = Weibull(mean=5.0, cv=1e-4).ppf(np.array([0.1, 0.9]))
    assert np.all(np.abs(near / 5.0 - 1.0) < 1e-3) and near[0] < 5.0 < near[1]
