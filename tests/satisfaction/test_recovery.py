"""Properties §3.8-3.11 of satisfaction.md: recovery, paradox gating, double deviation,
severity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.satisfaction import (
    ModelParameters,
    SatisfactionConfig,
    compensation_match,
    failure_effect,
    recovery_quality,
    timeliness,
)

from ._build import run, visit

SETTINGS = settings(max_examples=60, deadline=None)
T_REC = 10.0


def _failure(severity, *, n_stages=1, at=0, prior=None, **recovery):
    """A visit with on-time stages (no responsiveness observed) and a failure at ``at``."""
    cols = {
        "severity": [0.0] * n_stages,
        "recovery_standard_min": T_REC,
        "attempted": [False] * n_stages,
    }
    cols["severity"][at] = severity
    comps = {
        k: [False if k != "compensation_value" and k != "resolution_min" else None] for k in ()
    }
    del comps
    for k in ("fix", "apology", "follow_up"):
        cols[k] = [False] * n_stages
        cols[k][at] = bool(recovery.get(k, False))
    cols["compensation_value"] = [0.0] * n_stages
    cols["compensation_value"][at] = float(recovery.get("compensation_value", 0.0))
    cols["resolution_min"] = [np.inf] * n_stages
    cols["resolution_min"][at] = float(recovery.get("resolution_min", np.inf))
    cols["attempted"][at] = bool(
        recovery.get(
            "attempted",
            any(recovery.get(k, False) for k in ("fix", "apology", "follow_up"))
            or recovery.get("compensation_value", 0.0) > 0,
        )
    )
    if prior is not None:  # (stage, severity, rho-1 recovery) of an earlier failure
        stage, sev = prior
        cols["severity"][stage] = sev
        for k in ("fix", "apology", "follow_up"):
            cols[k][stage] = True
        cols["compensation_value"][stage] = 1.0
        cols["resolution_min"][stage] = 0.0
        cols["attempted"][stage] = True
    return visit(n_stages, wait_min=[1.0] * n_stages, **cols)


# --- §3.8 recovery ------------------------------------------------------------------------


def test_08_timeliness_shape():
    r = np.array([0.0, 5.0, 10.0, 10.5, 15.0, 30.0, 100.0, np.inf])
    tau = timeliness(r, 10.0)
    assert tau[:3].tolist() == [1.0, 1.0, 1.0]
    assert np.all(np.diff(tau[2:]) < 0) and tau[-1] == 0.0
    assert timeliness(np.nan, 10.0) == 0.0


recovery_components = st.fixed_dictionaries(
    {
        "fix": st.booleans(),
        "apology": st.booleans(),
        "follow_up": st.booleans(),
        "compensation_value": st.sampled_from([0.0, 0.1, 0.3, 0.5, 1.0]),
        "resolution_min": st.sampled_from([0.0, 10.0, 15.0, 30.0, 60.0, np.inf]),
    }
)


@SETTINGS
@given(
    st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9, 1.0]),
    recovery_components,
    st.sampled_from(["fix", "apology", "follow_up", "compensation_value", "resolution_min"]),
    st.integers(1, 3),
)
def test_08_monotone_in_each_recovery_component(sigma, comps, component, n_stages):
    """For a fixed failure and a given attempt status, improving any one recovery component
    never lowers E[CSAT] or P(return). (Starting an attempt that stays below ρ = 0.3 is the
    double deviation of §3.10 and lowers the score by design.)"""
    worse = dict(comps)
    better = dict(comps)
    if component == "compensation_value":
        better[component] = worse[component] + 0.4
    elif component == "resolution_min":
        better[component] = worse[component] / 2.0
    else:
        worse[component], better[component] = False, True
    at = n_stages - 1
    p = run(
        [
            _failure(sigma, n_stages=n_stages, at=at, attempted=True, **worse),
            _failure(sigma, n_stages=n_stages, at=at, attempted=True, **better),
        ]
    )
    assert p.expected_csat[1] >= p.expected_csat[0] - 1e-12
    assert p.p_return[1] >= p.p_return[0] - 1e-12
    assert p.p_complaint[1] <= p.p_complaint[0] + 1e-12


@pytest.mark.parametrize("sigma", [0.3, 0.5, 0.9])
def test_08_full_recovery_beats_no_recovery(sigma):
    full = {
        "fix": True,
        "apology": True,
        "follow_up": True,
        "compensation_value": 1.0,
        "resolution_min": 0.0,
    }
    p = run([_failure(sigma), _failure(sigma, **full)])
    assert p.expected_csat[1] > p.expected_csat[0]
    assert p.p_return[1] > p.p_return[0]
    assert p.p_complaint[1] < p.p_complaint[0]


def test_08_recovery_quality_components():
    assert recovery_quality(1, 1.0, 1, 1.0, 1) == pytest.approx(1.0)
    assert recovery_quality(0, 0.0, 1, 0.0, 0) == pytest.approx(0.2)
    assert compensation_match(0.25, 0.5) == 0.5 and compensation_match(2.0, 0.5) == 1.0


# --- §3.9 paradox gating ------------------------------------------------------------------

FULL = {
    "fix": True,
    "apology": True,
    "follow_up": True,
    "compensation_value": 1.0,
    "resolution_min": 0.0,
}
QUICK = {"fix": True, "apology": True, "follow_up": True, "resolution_min": 0.0}  # ρ = 0.85


@pytest.mark.parametrize("sigma", [0.1, 0.3, 0.5])
@pytest.mark.parametrize("recovery", [FULL, QUICK], ids=["rho1", "rho0.85"])
@pytest.mark.parametrize("n_stages", [1, 3])
def test_09_paradox_bounded(sigma, recovery, n_stages):
    prm = ModelParameters()
    bound = (1 - prm.psi) * prm.weights.reliability * prm.pi * sigma
    p = run([_failure(0.0, n_stages=n_stages), _failure(sigma, n_stages=n_stages, **recovery)])
    excess = p.q[1] - p.q[0]
    assert excess <= bound + 1e-12
    if recovery is FULL:
        assert excess > 0
        if n_stages == 1:
            assert excess == pytest.approx(bound)  # 0.0224 at σ = 0.5
    assert p.p_return[1] <= p.p_return[0] + 1e-12


def test_09_paradox_bound_value():
    prm = ModelParameters()
    assert round((1 - prm.psi) * prm.weights.reliability * prm.pi * 0.5, 3) == 0.022


@pytest.mark.parametrize(
    "case",
    ["prior_failure", "severe", "rho_below_gate"],
)
def test_09_no_paradox_outside_gates(case):
    if case == "prior_failure":
        # a severe (no-bonus) failure fully recovered earlier in the visit
        base = _failure(0.0, n_stages=2, at=1)
        fail = _failure(0.5, n_stages=2, at=1, prior=(0, 0.6), **FULL)
    elif case == "severe":
        base, fail = _failure(0.0), _failure(0.6, **FULL)
    else:
        rec = {"fix": True, "apology": True, "follow_up": True, "resolution_min": 30.0}  # ρ<0.8
        base, fail = _failure(0.0), _failure(0.5, **rec)
    p = run([base, fail])
    assert p.q[1] <= p.q[0] + 1e-12
    assert p.p_return[1] <= p.p_return[0] + 1e-12


@SETTINGS
@given(
    st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9, 1.0]),
    recovery_components,
    st.integers(1, 3),
)
def test_09_return_never_above_no_failure(sigma, comps, n_stages):
    visits = [_failure(0.0, n_stages=n_stages), _failure(sigma, n_stages=n_stages, **comps)]
    p = run(visits)
    assert p.p_return[1] <= p.p_return[0] + 1e-12
    lifted = run(visits, config=SatisfactionConfig(outputs={"paradox_in_loyalty": True}))
    assert lifted.p_return[0] == pytest.approx(p.p_return[0])


def test_09_paradox_in_loyalty_lifts_the_cap():
    visits = [_failure(0.0), _failure(0.5, **QUICK), _failure(0.5, **FULL)]
    capped = run(visits)
    lifted = run(visits, config=SatisfactionConfig(outputs={"paradox_in_loyalty": True}))
    assert capped.p_return[1] < capped.p_return[0] + 1e-12
    assert lifted.p_return[1] > lifted.p_return[0]
    assert lifted.p_return[2] > lifted.p_return[0]
    assert round(float(lifted.p_return[1]), 2) == 0.93  # TARP's 95 % "satisfied quickly"
    np.testing.assert_allclose(lifted.q_loyalty, lifted.q)


# --- §3.10 double deviation ---------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("comps", [{}, {"apology": True}, {"follow_up": True}])
def test_10_double_deviation(sigma, comps):
    """Same failure, same ρ < 0.3: attempted scores lower by dd·σ on the reliability item
    (σ ≤ 0.7 so that the stage score is not clipped at −1)."""
    p = run([_failure(sigma, attempted=False, **comps), _failure(sigma, attempted=True, **comps)])
    diff = p.stage_scores[0, 0] - p.stage_scores[1, 0]
    assert diff == pytest.approx(0.25 * sigma)
    assert p.expected_csat[1] < p.expected_csat[0]


@pytest.mark.parametrize("sigma", [0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("rho", [0.0, 0.1, 0.29])
def test_10_double_deviation_item(sigma, rho):
    f = failure_effect([sigma, sigma], [rho, rho], [False, True], [True, True])
    assert f[0] - f[1] == pytest.approx(0.25 * sigma)


def test_10_realistic_double_deviation():
    """Silent vs apology only (ρ 0 vs 0.2): the poor attempt is still worse (3.35 vs 3.32)."""
    p = run([_failure(0.5), _failure(0.5, apology=True)])
    assert p.expected_csat[1] < p.expected_csat[0]


def test_10_no_double_deviation_above_threshold():
    f = failure_effect([0.5, 0.5], [0.3, 0.3], [True, False], [True, True])
    assert f[0] == f[1]


# --- §3.11 severity -----------------------------------------------------------------------


@SETTINGS
@given(recovery_components, st.floats(0.01, 1.0), st.floats(0.01, 1.0), st.booleans())
def test_11_severity_without_paradox(comps, s1, s2, attempted):
    lo, hi = sorted((s1, s2))
    prm = ModelParameters(pi=0.0)
    p = run(
        [_failure(lo, attempted=attempted, **comps), _failure(hi, attempted=attempted, **comps)],
        params=prm,
    )
    assert p.expected_csat[1] <= p.expected_csat[0] + 1e-12
    assert p.p_return[1] <= p.p_return[0] + 1e-12
