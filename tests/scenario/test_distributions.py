"""Distributions (moments, inverse CDFs, bounds, empirical sources) and named random streams.

Statistical checks use 200,000 draws and a tolerance of 4 standard errors computed from the
analytic moments, so a correct implementation fails with probability below 1e-4 per check (and
the seeds are fixed, so the outcome is reproducible).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats as sps

from simulator.engine.rng import Streams, UniformStream, make_generator, stream_key
from simulator.scenario.distributions import DIST_NAMES, Distribution, Empirical
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan

N = 200_000
ADAPTER = TypeAdapter(Distribution)

SPECS = {
    "exponential": {"dist": "exponential", "mean": 5},
    "lognormal": {"dist": "lognormal", "mean": 8, "cv": 0.6},
    "lognormal-wide": {"dist": "lognormal", "mean": 2.5, "cv": 1.2},
    "gamma": {"dist": "gamma", "mean": 2, "cv": 0.5},
    "gamma-shape-below-1": {"dist": "gamma", "mean": 3, "cv": 1.5},
    # cv chosen so that the shape is a round number: k = 2 and k = 0.5
    "weibull-shape-2": {"dist": "weibull", "mean": 3, "cv": math.sqrt(4 / math.pi - 1)},
    "weibull-shape-0.5": {"dist": "weibull", "mean": 3, "cv": math.sqrt(5)},
    "triangular": {"dist": "triangular", "low": 1, "mode": 2, "high": 6},
    "triangular-mode-at-low": {"dist": "triangular", "low": 0, "mode": 0, "high": 4},
    "uniform": {"dist": "uniform", "low": 2, "high": 5},
    "constant": {"dist": "constant", "value": 3},
    "empirical": {"dist": "empirical", "values": [1, 2, 2, 7, 10.5]},
}


def make(spec: dict) -> Distribution:
    return ADAPTER.validate_python(spec)


def scipy_twin(spec: dict):
    """The same distribution in scipy.stats (None where scipy has no direct twin)."""
    kind = spec["dist"]
    if kind == "exponential":
        return sps.expon(scale=spec["mean"])
    if kind == "lognormal":
        s2 = math.log1p(spec["cv"] ** 2)
        return sps.lognorm(s=math.sqrt(s2), scale=math.exp(math.log(spec["mean"]) - s2 / 2))
    if kind == "gamma":
        shape = 1 / spec["cv"] ** 2
        return sps.gamma(shape, scale=spec["mean"] / shape)
    if kind == "weibull":  # the specs' shapes, from Γ(1 + 2/k) / Γ(1 + 1/k)² = 1 + cv²
        k = 2.0 if spec["cv"] < 1 else 0.5
        return sps.weibull_min(k, scale=spec["mean"] / math.gamma(1 + 1 / k))
    if kind == "triangular":
        lo, hi = spec["low"], spec["high"]
        return sps.triang((spec["mode"] - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if kind == "uniform":
        return sps.uniform(loc=spec["low"], scale=spec["high"] - spec["low"])
    raise AssertionError(kind)


def test_every_distribution_kind_is_covered():
    assert {s["dist"] for s in SPECS.values()} == set(DIST_NAMES)


TWINNED = {k: v for k, v in SPECS.items() if v["dist"] not in ("constant", "empirical")}


@pytest.mark.parametrize("spec", TWINNED.values(), ids=TWINNED.keys())
def test_analytic_moments_and_ppf_match_scipy(spec):
    d = make(spec)
    twin = scipy_twin(spec)
    assert d.mean == pytest.approx(twin.mean(), rel=1e-12)
    assert d.variance == pytest.approx(twin.var(), rel=1e-9)
    u = np.linspace(0.001, 0.999, 999)
    np.testing.assert_allclose(d.ppf(u), twin.ppf(u), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_sample_mean_within_4_se_of_analytic_mean(spec):
    d = make(spec)
    x = d.sample(make_generator(2024, 0, "test:" + spec["dist"]), N)
    assert x.shape == (N,)
    se = math.sqrt(d.variance / N)
    if se == 0:
        assert np.all(x == d.mean)
    else:
        assert abs(x.mean() - d.mean) <= 4 * se, (x.mean(), d.mean, se)


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_sampler_mean_within_4_se_of_analytic_mean(spec):
    d = make(spec)
    draw = d.sampler(UniformStream(2025, 3, "sampler:" + spec["dist"]))
    x = np.fromiter((draw() for _ in range(N)), dtype=float, count=N)
    se = math.sqrt(d.variance / N)
    if se == 0:
        assert np.all(x == d.mean)
    else:
        assert abs(x.mean() - d.mean) <= 4 * se, (x.mean(), d.mean, se)


CV_CASES = ["lognormal", "lognormal-wide", "gamma", "gamma-shape-below-1"]


@pytest.mark.parametrize("case", CV_CASES)
def test_cv_is_recovered(case):
    spec = SPECS[case]
    d = make(spec)
    cv = spec["cv"]
    assert d.cv == pytest.approx(cv)
    x = d.sample(make_generator(7, 0, "cv"), N)
    cv_hat = x.std(ddof=1) / x.mean()
    # delta method: Var(log cv_hat) ~ ((kurtosis - 1)/4 + cv^2 - skewness * cv) / n
    skew, excess = (float(m) for m in scipy_twin(spec).stats(moments="sk"))
    se_log = math.sqrt(max((excess + 2) / 4 + cv**2 - skew * cv, 1e-3) / N)
    assert abs(math.log(cv_hat / cv)) <= 4 * se_log, (cv_hat, cv, se_log)


U_GRID = np.concatenate(([0.0], np.linspace(1e-12, 1 - 1e-12, 20_001), [np.nextafter(1, 0)]))


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_ppf_is_monotone_non_decreasing(spec):
    y = make(spec).ppf(U_GRID)
    assert np.all(np.isfinite(y))
    assert np.all(np.diff(y) >= 0)


def test_empirical_ppf_is_monotone_for_unsorted_values():
    y = make({"dist": "empirical", "values": [7, 1, 10.5, 2, 2]}).ppf(U_GRID)
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("kind", ["lognormal", "gamma"])
def test_cv_zero_gives_the_constant(kind):
    d = make({"dist": kind, "mean": 4.5, "cv": 0})
    assert d.variance == 0 and d.cv == 0
    assert np.all(d.sample(make_generator(1, 0, "c"), 1000) == 4.5)
    assert np.all(d.ppf(U_GRID) == 4.5)
    draw = d.sampler(UniformStream(1, 0, "c"))
    assert {draw() for _ in range(300)} == {4.5}


def test_constant():
    d = make({"dist": "constant", "value": 0})
    assert d.mean == 0 and d.variance == 0 and d.cv == 0
    assert np.all(d.sample(make_generator(1, 0, "c"), 100) == 0)


@pytest.mark.parametrize("spec", [SPECS["triangular"], SPECS["triangular-mode-at-low"],
                                  {"dist": "triangular", "low": 1, "mode": 3, "high": 3},
                                  SPECS["uniform"]], ids=str)
def test_bounded_distributions_stay_within_bounds(spec):
    d = make(spec)
    x = d.sample(make_generator(5, 0, "bounds"), N)
    assert x.min() >= spec["low"] and x.max() <= spec["high"]
    width = spec["high"] - spec["low"]
    assert x.min() < spec["low"] + 0.02 * width and x.max() > spec["high"] - 0.02 * width
    assert d.ppf(np.array([0.0]))[0] == pytest.approx(spec["low"])
    assert d.ppf(np.array([1.0]))[0] == pytest.approx(spec["high"])


@pytest.mark.parametrize("spec", [
    {"dist": "lognormal", "mean": 5, "cv": -0.1},
    {"dist": "exponential", "mean": 0},
    {"dist": "triangular", "low": 1, "mode": 5, "high": 4},
    {"dist": "uniform", "low": 3, "high": 3},
    {"dist": "empirical", "values": [1, -2]},
    {"dist": "empirical", "values": [1], "file": "x.csv", "column": "a"},
    {"dist": "empirical", "file": "x.csv"},
    {"dist": "gamma", "mean": 2, "cv": 0.5, "sd": 1},
    {"dist": "exponential", "mean": "5"},
])
def test_invalid_parameters_are_rejected(spec):
    with pytest.raises(ValidationError):
        make(spec)


# ----------------------------------------------------------------------------- empirical
def test_empirical_inline_resamples_the_observed_values():
    values = [1.0, 2.0, 2.0, 7.0, 10.5]
    d = make({"dist": "empirical", "values": values})
    assert d.mean == pytest.approx(np.mean(values))
    assert d.variance == pytest.approx(np.var(values))
    x = d.sample(make_generator(11, 0, "emp"), N)
    assert set(np.unique(x)) == set(values)
    for v in set(values):
        p = values.count(v) / len(values)
        share = np.mean(x == v)
        assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / N)


def test_empirical_from_csv_column(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "times.csv").write_text("id,minutes\n1,3.5\n2,\n3,7\n4,1.25\n")
    d = make({"dist": "empirical", "file": "data/times.csv", "column": "minutes"})
    with pytest.raises(ValueError, match="not resolved"):
        d.sample(make_generator(1, 0, "e"), 3)
    r = d.resolved(tmp_path)
    assert isinstance(r, Empirical) and r.file is None
    assert r.values == [3.5, 7.0, 1.25]  # the empty cell is skipped
    assert r.mean == pytest.approx(11.75 / 3)
    assert set(r.sample(make_generator(1, 0, "e"), 1000)) == {3.5, 7.0, 1.25}
    assert r.resolved(tmp_path / "elsewhere") is r  # inline values need no file


def test_empirical_csv_errors(tmp_path):
    (tmp_path / "times.csv").write_text("id,minutes\n1,3.5\n2,abc\n")
    with pytest.raises(ValueError, match=r"column 'mins' not in times\.csv.*minutes"):
        make({"dist": "empirical", "file": "times.csv", "column": "mins"}).resolved(tmp_path)
    with pytest.raises(ValueError, match=r"'minutes' of times\.csv is not numeric"):
        make({"dist": "empirical", "file": "times.csv", "column": "minutes"}).resolved(tmp_path)
    with pytest.raises(ValueError, match="cannot read"):
        make({"dist": "empirical", "file": "nope.csv", "column": "minutes"}).resolved(tmp_path)


def test_empirical_file_is_read_relative_to_the_scenario(tmp_path, minimal_scenario_text):
    (tmp_path / "service.csv").write_text("minutes\n2\n4\n9\n")
    text = minimal_scenario_text.replace(
        "service: {dist: exponential, mean: 4}",
        "service: {dist: empirical, file: service.csv, column: minutes}")
    path = tmp_path / "hall.yaml"
    path.write_text(text)
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    assert plan.classes[0].steps[0].service.values == [2.0, 4.0, 9.0]
    (tmp_path / "service.csv").write_text("secs\n2\n")
    with pytest.raises(ValueError, match=r"stations\.desk\.service: column 'minutes'"):
        compile_plan(loaded.scenario, loaded.base_dir)


# ----------------------------------------------------------------------------- streams
def test_make_generator_is_pcg64_of_named_seed_sequence():
    for seed, rep, name in [(0, 0, "arrivals:walk_in"), (20261123, 17, "service:window:a"),
                            (2**63, 3, "patience"), (5, 0, "naïve-ü")]:
        ours = make_generator(seed, rep, name)
        ref = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            seed, spawn_key=(rep, zlib.crc32(name.encode())))))
        assert stream_key(name) == zlib.crc32(name.encode())
        assert ours.bit_generator.state == ref.bit_generator.state
        np.testing.assert_array_equal(ours.random(1000), ref.random(1000))


def test_same_stream_same_sequence_and_different_names_differ():
    d = make(SPECS["gamma"])

    def draws(seed: int, rep: int, name: str, n: int = 1000) -> np.ndarray:
        draw = d.sampler(UniformStream(seed, rep, name))
        return np.array([draw() for _ in range(n)])

    a = draws(1, 0, "service:window")
    np.testing.assert_array_equal(a, draws(1, 0, "service:window"))
    assert not np.array_equal(a, draws(1, 0, "service:kiosk"))
    assert not np.array_equal(a, draws(1, 1, "service:window"))
    assert not np.array_equal(a, draws(2, 0, "service:window"))
    # the block size of the sampler does not shape the sequence: it is the inverse CDF of
    # the stream's uniforms, in order
    np.testing.assert_array_equal(a, d.sample(make_generator(1, 0, "service:window"), 1000))


def test_uniform_stream_and_streams_factory():
    s = UniformStream(9, 2, "u")
    u = np.array([s() for _ in range(700)])
    np.testing.assert_array_equal(u, make_generator(9, 2, "u").random(700))
    assert np.all((u >= 0) & (u < 1))
    streams = Streams(9, 2)
    assert streams.uniform("u") is streams.uniform("u")
    np.testing.assert_array_equal(streams.generator("u").random(5), u[:5])
    np.testing.assert_array_equal(streams.generator("u").random(5), u[:5])  # fresh each time
