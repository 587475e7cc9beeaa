"""Property §3.20 of satisfaction.md: sampling agrees with expectation (tolerance from the
standard error, never pinned digits); plus the reproducibility of the sampled stream."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.satisfaction import (
    CustomerTable,
    StageTable,
    predict,
    sample_responses,
    satisfaction_rng,
)

N = 20_000
Z = 4.0  # |z| > 4 has probability 6e-5 per check


@pytest.fixture(scope="module")
def prediction():
    gen = np.random.default_rng(12345)  # builds the inputs only
    waits = gen.exponential(12.0, N)
    severity = np.where(gen.random(N) < 0.15, gen.choice([0.3, 0.5, 0.9], N), 0.0)
    stages = StageTable.build(
        customer=np.arange(N),
        wait_min=waits,
        adequate_min=15.0,
        promise=True,
        staff_skill=gen.random(N),
        severity=severity,
        apology=gen.random(N) < 0.5,
        fix=gen.random(N) < 0.5,
    )
    return predict(stages, CustomerTable.build(np.zeros(N, dtype=int)))


def test_20_sampled_csat_mean_matches_expectation(prediction):
    draws = sample_responses(prediction, satisfaction_rng(2026, 0))
    k = np.arange(1, 6)
    var = prediction.p_csat @ k**2 - prediction.expected_csat**2
    se = np.sqrt(var.sum()) / N
    diff = draws.csat.mean() - prediction.expected_csat.mean()
    assert abs(diff) < Z * se, (diff, se)
    assert set(np.unique(draws.csat)) <= {1, 2, 3, 4, 5}
    # each category's frequency too
    for c in range(5):
        pc = prediction.p_csat[:, c]
        se_c = np.sqrt((pc * (1 - pc)).sum()) / N
        assert abs((draws.csat == c + 1).mean() - pc.mean()) < Z * se_c


@pytest.mark.parametrize("head", ["complaint", "returned"])
def test_20_sampled_complaints_and_returns_match(prediction, head):
    draws = sample_responses(prediction, satisfaction_rng(2026, 1))
    prob = prediction.p_complaint if head == "complaint" else prediction.p_return
    se = np.sqrt((prob * (1 - prob)).sum()) / N
    assert abs(getattr(draws, head).mean() - prob.mean()) < Z * se


def test_19_same_seed_same_answers(prediction):
    a = sample_responses(prediction, satisfaction_rng(7, 3))
    b = sample_responses(prediction, satisfaction_rng(7, 3))
    c = sample_responses(prediction, satisfaction_rng(7, 4))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.csat, c.csat)


def test_19_customer_order_prefix_stable(prediction):
    """Customer i's answers do not depend on how many customers follow (customer-id order)."""
    n = 500
    small = StageTable.build(
        customer=np.arange(n), wait_min=np.linspace(0, 40, n), adequate_min=15.0, promise=True
    )
    big = StageTable.build(
        customer=np.arange(2 * n),
        wait_min=np.linspace(0, 80, 2 * n),
        adequate_min=15.0,
        promise=True,
    )
    p_small = predict(small, CustomerTable.build(np.zeros(n, dtype=int)))
    p_big = predict(big, CustomerTable.build(np.zeros(2 * n, dtype=int)))
    a = sample_responses(p_small, satisfaction_rng(1, 0))
    b = sample_responses(p_big, satisfaction_rng(1, 0))
    same = np.isclose(p_small.q, p_big.q[:n])
    assert same.any()
    np.testing.assert_array_equal(a.csat[same], b.csat[:n][same])


def test_19_stream_is_the_named_satisfaction_stream():
    rng_mod = pytest.importorskip("simulator.engine.rng")
    ours = satisfaction_rng(99, 2).random(5)
    theirs = rng_mod.make_generator(99, 2, "satisfaction").random(5)
    np.testing.assert_array_equal(ours, theirs)


def test_sampling_never_touches_global_state(prediction):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    sample_responses(prediction, satisfaction_rng(5, 0))
    assert np.array_equal(state, np.random.get_state()[1])  # noqa: NPY002
