"""Tests for simulator.theory against textbook values and independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator import theory

# --------------------------------------------------------------------------
# Independent reference computations (no code shared with simulator.theory)
# --------------------------------------------------------------------------


def birth_death_stationary(birth: np.ndarray, death: np.ndarray) -> np.ndarray:
    """Solve pi Q = 0 for a finite birth-death chain by linear algebra.

    ``birth[n]`` is the rate n -> n+1 (n = 0..N-1), ``death[n]`` the rate
    n+1 -> n. Deliberately uses the generator matrix, not product formulas.
    """
    size = len(birth) + 1
    q = np.zeros((size, size))
    for n, rate in enumerate(birth):
        q[n, n + 1] = rate
    for n, rate in enumerate(death):
        q[n + 1, n] = rate
    q -= np.diag(q.sum(axis=1))
    # Replace one balance equation by the normalisation sum(pi) = 1.
    lhs = q.T.copy()
    lhs[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.linalg.solve(lhs, rhs)


def mmc_chain(lam: float, mu: float, c: int, size: int, theta: float = 0.0) -> np.ndarray:
    n = np.arange(1, size)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    return birth_death_stationary(np.full(size - 1, lam), death)


def erlang_b_poisson(a: float, c: int) -> float:
    """Erlang B as a truncated Poisson: pmf(c) / cdf(c)."""
    return float(stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a))


def erlang_c_poisson(a: float, c: int) -> float:
    """Erlang C via Poisson terms: pmf(c) / (pmf(c) + (1 - a/c) cdf(c-1))."""
    pmf = stats.poisson.pmf(c, a)
    return float(pmf / (pmf + (1 - a / c) * stats.poisson.cdf(c - 1, a)))


# --------------------------------------------------------------------------
# Erlang B / C
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("load", "servers", "expected"),
    [
        (10.0, 10, 0.2146),  # Erlang B table
        (5.0, 10, 0.01838),
        (1.0, 1, 0.5),
        (2.0, 2, 0.4),  # (4/2) / (1 + 2 + 2)
    ],
)
def test_erlang_b_table_values(load: float, servers: int, expected: float) -> None:
    assert theory.erlang_b(load, servers) == pytest.approx(expected, abs=5e-5)


def test_erlang_b_zero_servers_and_zero_load() -> None:
    assert theory.erlang_b(3.0, 0) == 1.0
    assert theory.erlang_b(0.0, 4) == 0.0


def test_erlang_c_textbook_value() -> None:
    # a = 2, c = 3: C = 4/9.
    assert theory.erlang_c(2.0, 3) == pytest.approx(4 / 9, rel=1e-12)
    # c = 1: C = rho.
    assert theory.erlang_c(0.7, 1) == pytest.approx(0.7, rel=1e-12)


@pytest.mark.parametrize(("load", "servers"), [(3.3, 5), (45.0, 50), (950.0, 1000), (990.0, 1000)])
def test_erlang_b_and_c_large_systems_match_poisson_forms(load: float, servers: int) -> None:
    assert theory.erlang_b(load, servers) == pytest.approx(
        erlang_b_poisson(load, servers), rel=1e-9
    )
    assert theory.erlang_c(load, servers) == pytest.approx(
        erlang_c_poisson(load, servers), rel=1e-9
    )


def test_erlang_c_unstable_and_invalid() -> None:
    with pytest.raises(ValueError, match=r"unstable: utilisation 1\.2"):
        theory.erlang_c(6.0, 5)
    with pytest.raises(ValueError, match="servers"):
        theory.erlang_c(1.0, 0)
    with pytest.raises(ValueError, match="offered_load"):
        theory.erlang_b(-1.0, 3)
    with pytest.raises(ValueError, match="servers"):
        theory.erlang_b(1.0, 2.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# M/M/1, M/M/c
# --------------------------------------------------------------------------


def test_mm1_formulas() -> None:
    lam, es = 0.75, 1.0  # rho = 0.75, mu = 1
    m = theory.mm1(lam, es)
    assert m.utilisation == pytest.approx(0.75)
    assert m.p_wait == pytest.approx(0.75)
    assert m.mean_wait_min == pytest.approx(0.75 / (1 - 0.75))  # rho / (mu - lambda)
    assert m.mean_time_in_system_min == pytest.approx(1 / (1 - 0.75))
    assert m.mean_queue_len == pytest.approx(0.75**2 / 0.25)
    assert m.mean_in_system == pytest.approx(0.75 / 0.25)
    assert m.throughput_per_min == lam
    assert m.p_block == 0.0 and m.p_abandon == 0.0


def test_mm1_units_scale_with_minutes() -> None:
    # 12 arrivals/hour = 0.2/min, 4-minute service: rho = 0.8, W = 1/(0.25-0.2) = 20 min.
    m = theory.mm1(0.2, 4.0)
    assert m.mean_time_in_system_min == pytest.approx(20.0)
    assert m.mean_wait_min == pytest.approx(16.0)
    assert theory.littles_law_l(0.2, m.mean_time_in_system_min) == pytest.approx(m.mean_in_system)


def test_mm1_unstable_message() -> None:
    with pytest.raises(ValueError, match=r"unstable: utilisation 1.05 >= 1 .*arrival_rate_per_min"):
        theory.mm1(1.05, 1.0)
    with pytest.raises(ValueError, match="mean_service_min"):
        theory.mm1(0.5, 0.0)
    with pytest.raises(ValueError, match="arrival_rate_per_min"):
        theory.mm1(-0.5, 1.0)
    with pytest.raises(ValueError, match="arrival_rate_per_min"):
        theory.mm1(float("nan"), 1.0)


def test_mmc_with_one_server_equals_mm1() -> None:
    a = theory.mmc(0.6, 1.5, 1).to_dict()
    b = theory.mm1(0.6, 1.5).to_dict()
    for key in (
        "utilisation",
        "p_wait",
        "mean_wait_min",
        "mean_time_in_system_min",
        "mean_queue_len",
        "mean_in_system",
        "throughput_per_min",
    ):
        assert a[key] == pytest.approx(b[key], rel=1e-12)


def test_mmc_against_generator_matrix() -> None:
    lam, es, c = 10.0, 0.45, 5  # a = 4.5, rho = 0.9
    m = theory.mmc(lam, es, c)
    p = mmc_chain(lam, 1 / es, c, size=600)
    n = np.arange(p.size)
    lq = float(np.dot(np.maximum(n - c, 0), p))
    assert m.p_wait == pytest.approx(p[c:].sum(), rel=1e-9)
    assert m.mean_queue_len == pytest.approx(lq, rel=1e-9)
    assert m.mean_in_system == pytest.approx(float(np.dot(n, p)), rel=1e-9)
    assert m.mean_wait_min == pytest.approx(lq / lam, rel=1e-9)
    assert m.utilisation == pytest.approx(0.9)


def test_mmc_call_centre_example() -> None:
    # a = 2 Erlangs on 3 agents, mean service 1 min, lambda = 2/min:
    # Wq = C / (c mu - lambda) = (4/9) / 1.
    m = theory.mmc(2.0, 1.0, 3)
    assert m.mean_wait_min == pytest.approx(4 / 9)
    assert m.mean_queue_len == pytest.approx(8 / 9)
    assert m.mean_in_system == pytest.approx(8 / 9 + 2)


def test_mmc_wait_distribution_against_state_sum() -> None:
    lam, es, c, t = 4.0, 1.0, 5, 0.3
    mu = 1 / es
    p = mmc_chain(lam, mu, c, size=400)
    # An arrival finding n >= c waits for n - c + 1 completions at rate c mu.
    k = np.arange(p.size - c)
    tail = float(np.dot(p[c:], stats.poisson.cdf(k, c * mu * t)))
    assert theory.mmc_wait_exceeds(lam, es, c, t) == pytest.approx(tail, rel=1e-9)
    assert theory.mmc_service_level(lam, es, c, t) == pytest.approx(1 - tail, rel=1e-9)
    assert theory.mmc_wait_exceeds(lam, es, c, 0.0) == pytest.approx(theory.erlang_c(4.0, 5))


def test_mmc_large_system() -> None:
    m = theory.mmc(990.0, 1.0, 1000)
    assert 0 < m.p_wait < 1
    assert m.p_wait == pytest.approx(erlang_c_poisson(990.0, 1000), rel=1e-9)


# --------------------------------------------------------------------------
# M/M/c/K
# --------------------------------------------------------------------------


def test_mmck_against_generator_matrix() -> None:
    lam, es, c, cap = 3.0, 1.0, 2, 6  # overloaded but finite: always stable
    m = theory.mmck(lam, es, c, cap)
    p = mmc_chain(lam, 1 / es, c, size=cap + 1)
    n = np.arange(cap + 1)
    lam_eff = lam * (1 - p[-1])
    lq = float(np.dot(np.maximum(n - c, 0), p))
    big_l = float(np.dot(n, p))
    assert m.p_block == pytest.approx(p[-1], rel=1e-10)
    assert m.throughput_per_min == pytest.approx(lam_eff, rel=1e-10)
    assert m.mean_queue_len == pytest.approx(lq, rel=1e-10)
    assert m.mean_in_system == pytest.approx(big_l, rel=1e-10)
    assert m.mean_wait_min == pytest.approx(lq / lam_eff, rel=1e-10)  # Little
    assert m.mean_time_in_system_min == pytest.approx(big_l / lam_eff, rel=1e-10)
    assert m.p_wait == pytest.approx(p[c:-1].sum() / (1 - p[-1]), rel=1e-10)
    assert m.utilisation == pytest.approx(lam_eff * es / c, rel=1e-10)


def test_mm1k_closed_form() -> None:
    # M/M/1/K: p_K = (1 - rho) rho^K / (1 - rho^(K+1)).
    rho, cap = 0.5, 4
    m = theory.mmck(rho, 1.0, 1, cap)
    assert m.p_block == pytest.approx((1 - rho) * rho**cap / (1 - rho ** (cap + 1)))


def test_mmck_loss_system_is_erlang_b() -> None:
    m = theory.mmck(8.0, 1.0, 10, 10)
    assert m.p_block == pytest.approx(theory.erlang_b(8.0, 10), rel=1e-10)
    assert m.p_wait == 0.0 and m.mean_wait_min == 0.0 and m.mean_queue_len == 0.0


def test_mmck_tends_to_mmc_as_capacity_grows() -> None:
    lam, es, c = 4.0, 1.0, 5
    ref = theory.mmc(lam, es, c)
    errors = []
    for cap in (10, 20, 40, 300):
        m = theory.mmck(lam, es, c, cap)
        errors.append(abs(m.mean_wait_min - ref.mean_wait_min))
    assert errors == sorted(errors, reverse=True)
    big = theory.mmck(lam, es, c, 300)
    assert big.p_block < 1e-20
    for key in ("p_wait", "mean_wait_min", "mean_queue_len", "mean_in_system", "utilisation"):
        assert getattr(big, key) == pytest.approx(getattr(ref, key), rel=1e-10)


def test_mmck_heavy_load_no_overflow_and_invalid_capacity() -> None:
    m = theory.mmck(5000.0, 1.0, 1000, 1200)
    assert m.p_block == pytest.approx(1 - 1000 / 5000, rel=1e-6)
    assert m.utilisation == pytest.approx(1.0, rel=1e-9)
    with pytest.raises(ValueError, match="capacity"):
        theory.mmck(1.0, 1.0, 3, 2)


# --------------------------------------------------------------------------
# Erlang A (M/M/c+M)
# --------------------------------------------------------------------------


def tagged_customer_recursion(c: int, mu: float, theta: float, kmax: int):
    """Expected wait, P(served), E[wait; served] for an arrival with k queued ahead.

    First-step recursion over the number ahead j (j -> j-1 at rate c mu + j theta;
    own abandonment at rate theta), written independently of the closed forms.
    """
    total = np.zeros(kmax + 1)
    p_serv = np.zeros(kmax + 1)
    w_serv = np.zeros(kmax + 1)
    prev_t, prev_p, prev_w = 0.0, 1.0, 0.0  # "j = -1": in service, waited 0
    for j in range(kmax + 1):
        advance = c * mu + j * theta
        out = advance + theta
        prev_t = 1 / out + advance / out * prev_t
        prev_w = advance / out * (prev_p / out + prev_w)
        prev_p = advance / out * prev_p
        total[j], p_serv[j], w_serv[j] = prev_t, prev_p, prev_w
    return total, p_serv, w_serv


def test_erlang_a_against_generator_matrix_and_tagged_customer() -> None:
    lam, es, c, patience = 11.0, 1.0, 10, 2.0  # overloaded: a = 11 > c
    mu, theta = 1 / es, 1 / patience
    m = theory.erlang_a(lam, es, c, patience)
    p = mmc_chain(lam, mu, c, size=200, theta=theta)
    n = np.arange(p.size)
    lq = float(np.dot(np.maximum(n - c, 0), p))
    assert m.mean_queue_len == pytest.approx(lq, rel=1e-9)
    assert m.p_wait == pytest.approx(p[c:].sum(), rel=1e-9)
    assert m.p_abandon == pytest.approx(theta * lq / lam, rel=1e-9)
    assert m.mean_wait_min == pytest.approx(lq / lam, rel=1e-9)
    assert m.throughput_per_min == pytest.approx(lam * (1 - m.p_abandon), rel=1e-9)
    assert m.utilisation == pytest.approx(lam * (1 - m.p_abandon) / (c * mu), rel=1e-9)

    total, p_serv, w_serv = tagged_customer_recursion(c, mu, theta, p.size - c - 1)
    q = p[c:]
    # Tagged-customer view agrees with Little's law for the queue.
    assert float(np.dot(q, total)) == pytest.approx(m.mean_wait_min, rel=1e-9)
    p_served = p[:c].sum() + float(np.dot(q, p_serv))
    assert 1 - p_served == pytest.approx(m.p_abandon, rel=1e-9)
    assert m.mean_wait_served_min == pytest.approx(float(np.dot(q, w_serv)) / p_served, rel=1e-9)
    w_ab = (m.mean_wait_min - float(np.dot(q, w_serv))) / m.p_abandon
    assert m.mean_wait_abandoned_min == pytest.approx(w_ab, rel=1e-7)


def test_erlang_a_with_patience_equal_service_is_poisson() -> None:
    # theta = mu makes the chain M/M/infinity: N ~ Poisson(a).
    a, c = 6.0, 5
    m = theory.erlang_a(a, 1.0, c, 1.0)
    n = np.arange(200)
    pmf = stats.poisson.pmf(n, a)
    assert m.mean_in_system == pytest.approx(a, rel=1e-10)
    assert m.p_wait == pytest.approx(float(stats.poisson.sf(c - 1, a)), rel=1e-10)
    assert m.mean_queue_len == pytest.approx(float(np.dot(np.maximum(n - c, 0), pmf)), rel=1e-10)


def test_erlang_a_tends_to_erlang_c() -> None:
    lam, es, c = 8.0, 1.0, 10
    ref = theory.mmc(lam, es, c)
    previous = math.inf
    for patience in (1.0, 10.0, 100.0, 1e4, 1e6):
        m = theory.erlang_a(lam, es, c, patience)
        assert m.p_abandon < previous
        previous = m.p_abandon
    assert m.p_abandon < 1e-5
    assert m.mean_wait_min == pytest.approx(ref.mean_wait_min, rel=1e-4)
    assert m.p_wait == pytest.approx(ref.p_wait, rel=1e-4)
    assert m.mean_wait_served_min == pytest.approx(ref.mean_wait_min, rel=1e-4)


def test_erlang_a_overload_is_stable_and_large_c() -> None:
    m = theory.erlang_a(1200.0, 1.0, 1000, 0.5)
    # Fluid limit: served rate about c mu, abandonment about (lambda - c mu) / lambda.
    assert m.throughput_per_min == pytest.approx(1000.0, rel=0.01)
    assert m.p_abandon == pytest.approx(200 / 1200, rel=0.05)
    zero = theory.erlang_a(0.0, 1.0, 3, 1.0)
    assert zero.mean_queue_len == 0.0 and zero.p_abandon == 0.0
    with pytest.raises(ValueError, match="mean_patience_min"):
        theory.erlang_a(1.0, 1.0, 2, 0.0)


# --------------------------------------------------------------------------
# M/G/1
# --------------------------------------------------------------------------


def test_mg1_exponential_equals_mm1() -> None:
    a = theory.mg1(0.3, 2.5, 1.0)
    b = theory.mm1(0.3, 2.5)
    for key in (
        "p_wait",
        "mean_wait_min",
        "mean_time_in_system_min",
        "mean_queue_len",
        "mean_in_system",
        "utilisation",
    ):
        assert getattr(a, key) == pytest.approx(getattr(b, key), rel=1e-12)


def test_md1_wait_is_half_of_mm1() -> None:
    d = theory.mg1(0.8, 1.0, 0.0)
    assert d.model == "M/D/1"
    assert d.mean_wait_min == pytest.approx(theory.mm1(0.8, 1.0).mean_wait_min / 2)
    # Textbook M/D/1: Lq = rho^2 / (2 (1 - rho)).
    assert d.mean_queue_len == pytest.approx(0.64 / 0.4)


def test_mg1_unstable() -> None:
    with pytest.raises(ValueError, match="unstable"):
        theory.mg1(1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="service_cv"):
        theory.mg1(0.5, 1.0, -0.1)


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------


def test_priority_single_class_equals_mm1() -> None:
    pm = theory.priority_mm1([0.7], 1.0)
    m = theory.mm1(0.7, 1.0)
    assert pm.mean_wait_min_by_class[0] == pytest.approx(m.mean_wait_min)
    assert pm.mean_in_system == pytest.approx(m.mean_in_system)


def test_priority_mm1_cobham_values() -> None:
    # mu = 1, lambdas 0.2, 0.3, 0.1: W0 = rho / mu = 0.6.
    pm = theory.priority_mm1([0.2, 0.3, 0.1], 1.0)
    assert pm.mean_wait_min_by_class == pytest.approx(
        (0.6 / 0.8, 0.6 / (0.8 * 0.5), 0.6 / (0.5 * 0.4))
    )
    w = pm.mean_wait_min_by_class
    assert w[0] < w[1] < w[2]


@pytest.mark.parametrize("servers", [1, 3])
def test_priority_conservation_law(servers: int) -> None:
    rates = [0.5, 1.0, 0.8]
    es = 0.9 * servers / sum(rates)
    pm = theory.priority_mmc(rates, es, servers)
    fcfs = theory.mmc(sum(rates), es, servers)
    weighted = sum(r * w for r, w in zip(rates, pm.mean_wait_min_by_class, strict=True)) / sum(
        rates
    )
    assert weighted == pytest.approx(fcfs.mean_wait_min, rel=1e-12)
    assert pm.mean_wait_min == pytest.approx(fcfs.mean_wait_min, rel=1e-12)
    assert pm.mean_queue_len == pytest.approx(fcfs.mean_queue_len, rel=1e-12)
    assert pm.to_dict()["mean_wait_min_by_class"] == list(pm.mean_wait_min_by_class)


def test_priority_invalid() -> None:
    with pytest.raises(ValueError, match="unstable"):
        theory.priority_mm1([0.5, 0.6], 1.0)
    with pytest.raises(ValueError, match="at least one"):
        theory.priority_mm1([], 1.0)
    with pytest.raises(ValueError, match=r"arrival_rates_per_min\[1\]"):
        theory.priority_mmc([0.5, -0.1], 1.0, 2)


# --------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------


def _meets_service_level(lam: float, es: float, c: int, target: float, t: float) -> bool:
    if lam * es >= c:
        return False
    return theory.mmc_service_level(lam, es, c, t) >= target


@pytest.mark.parametrize(
    ("lam", "es", "target", "t"),
    [
        (10.0, 3.0, 0.8, 1 / 3),
        (2.0, 1.0, 0.9, 0.0),
        (100.0, 0.5, 0.95, 0.25),
        (0.01, 1.0, 0.5, 1.0),
    ],
)
def test_servers_for_service_level_is_minimal(
    lam: float, es: float, target: float, t: float
) -> None:
    c = theory.servers_for_service_level(lam, es, target, t)
    assert _meets_service_level(lam, es, c, target, t)
    assert c == 1 or not _meets_service_level(lam, es, c - 1, target, t)


def test_servers_for_service_level_known_case() -> None:
    # a = 2 Erlangs, target P(no wait) >= 0.5 with t = 0: C(3, 2) = 0.444 meets, c = 2 unstable.
    assert theory.servers_for_service_level(2.0, 1.0, 0.5, 0.0) == 3
    assert theory.servers_for_service_level(0.0, 1.0, 0.99, 0.0) == 1
    with pytest.raises(ValueError, match="target_share"):
        theory.servers_for_service_level(1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("lam", "es", "bound"), [(10.0, 3.0, 0.1), (5.0, 1.0, 2.0), (500.0, 1.0, 0.01)]
)
def test_servers_for_mean_wait_is_minimal(lam: float, es: float, bound: float) -> None:
    c = theory.servers_for_mean_wait(lam, es, bound)
    assert theory.mmc(lam, es, c).mean_wait_min <= bound
    if c - 1 > lam * es:
        assert theory.mmc(lam, es, c - 1).mean_wait_min > bound


def test_square_root_staffing_and_halfin_whitt() -> None:
    assert theory.square_root_staffing(100.0, 1.0) == 110
    assert theory.square_root_staffing(100.0, 0.5) == 105
    assert theory.square_root_staffing(0.0, 2.0) == 1
    # alpha(beta) at beta = 1: 1 / (1 + Phi(1)/phi(1)) = 0.22336.
    assert theory.halfin_whitt_p_wait(1.0) == pytest.approx(0.223361, abs=1e-6)
    assert theory.halfin_whitt_p_wait(0.0) == 1.0
    beta = theory.halfin_whitt_beta(0.2)
    assert theory.halfin_whitt_p_wait(beta) == pytest.approx(0.2, rel=1e-9)
    # QED regime: for large a the exact Erlang C is close to alpha(beta).
    a = 2500.0
    c = theory.square_root_staffing(a, beta)
    assert theory.erlang_c(a, c) == pytest.approx(0.2, abs=0.01)


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------

loads = st.floats(min_value=0.0, max_value=200.0, allow_nan=False)
server_counts = st.integers(min_value=1, max_value=250)


@settings(max_examples=60, deadline=None)
@given(load=loads, servers=server_counts)
def test_erlang_b_bounded_and_decreasing_in_servers(load: float, servers: int) -> None:
    b = theory.erlang_b(load, servers)
    assert 0.0 <= b <= 1.0
    assert theory.erlang_b(load, servers + 1) <= b
    assert theory.erlang_b(load * 1.1 + 0.01, servers) >= b


@settings(max_examples=60, deadline=None)
@given(servers=server_counts, utilisation=st.floats(min_value=0.01, max_value=0.99))
def test_erlang_c_at_least_erlang_b(servers: int, utilisation: float) -> None:
    load = utilisation * servers
    b = theory.erlang_b(load, servers)
    c = theory.erlang_c(load, servers)
    assert b <= c <= 1.0


@settings(max_examples=40, deadline=None)
@given(
    lam=st.floats(min_value=0.01, max_value=50.0),
    es=st.floats(min_value=0.05, max_value=5.0),
    extra=st.integers(min_value=1, max_value=20),
)
def test_mmc_littles_law(lam: float, es: float, extra: int) -> None:
    c = math.floor(lam * es) + extra
    m = theory.mmc(lam, es, c)
    assert m.mean_queue_len == pytest.approx(lam * m.mean_wait_min, rel=1e-9)
    assert m.mean_in_system == pytest.approx(lam * m.mean_time_in_system_min, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    lam=st.floats(min_value=0.1, max_value=20.0),
    servers=st.integers(min_value=1, max_value=10),
    extra=st.integers(min_value=0, max_value=30),
)
def test_mmck_block_decreases_with_capacity(lam: float, servers: int, extra: int) -> None:
    cap = servers + extra
    small = theory.mmck(lam, 1.0, servers, cap)
    large = theory.mmck(lam, 1.0, servers, cap + 1)
    assert large.p_block <= small.p_block * (1 + 1e-12)
    assert small.mean_in_system == pytest.approx(
        small.throughput_per_min * small.mean_time_in_system_min, rel=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(
    rates=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=5),
    servers=st.integers(min_value=1, max_value=5),
)
def test_priority_conservation_property(rates: list[float], servers: int) -> None:
    total = sum(rates)
    assume(total > 1e-6)
    es = 0.8 * servers / total
    pm = theory.priority_mmc(rates, es, servers)
    fcfs = theory.mmc(total, es, servers)
    assert pm.mean_wait_min == pytest.approx(fcfs.mean_wait_min, rel=1e-9, abs=1e-15)
    waits = pm.mean_wait_min_by_class
    assert all(w1 <= w2 * (1 + 1e-12) for w1, w2 in itertools.pairwise(waits))


def test_mx_m1_reduces_to_mm1_and_matches_constant_batches():
    th = theory
    one = th.mxm1(0.6, 1.0, 1.0, 1.0)
    mm1 = th.mm1(0.6, 1.0)
    assert one.members.mean_wait_min == pytest.approx(mm1.mean_wait_min)
    assert one.members.mean_queue_len == pytest.approx(mm1.mean_queue_len)
    assert one.mean_party_wait_min == pytest.approx(mm1.mean_wait_min)
    # constant batches of K (Gross et al. 2008, §3.2.1): L = rho (K + 1) / (2 (1 - rho))
    k, lam, es = 3, 0.2, 1.0
    rho = lam * k * es
    b = th.mxm1(lam, es, k, k * k)
    assert b.members.mean_in_system == pytest.approx(rho * (k + 1) / (2 * (1 - rho)))
    # Little's law per member, and members in a batch wait L/mu + (i - 1)/mu
    assert b.members.mean_queue_len == pytest.approx(lam * k * b.members.mean_wait_min)
    first = b.mean_first_member_wait_min
    assert b.members.mean_wait_min == pytest.approx(first + (k - 1) / 2 * es)
    assert b.mean_party_wait_min == pytest.approx(first + (k - 1) * es)
    with pytest.raises(ValueError, match="at least 1"):
        th.mxm1(0.1, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError):
        th.mxm1(0.5, 1.0, 2.0, 4.0)  # rho = 1
