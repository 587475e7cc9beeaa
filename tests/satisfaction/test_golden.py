"""§3.18 Worked examples: the tables of satisfaction.md §2.11 reproduce to two decimals.

Also the §2.9 anchors (Q → E[CSAT], top-2-box; complaint anchors) and the §2.6 KANO values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.satisfaction import (
    AggregationConfig,
    SatisfactionConfig,
    csat_probabilities,
    expected_csat,
    kano_contribution,
    top2_box,
)

from ._build import government, restaurant, run, visit

# --- government window ------------------------------------------------------------------

GOV_WAITS = (0, 5, 11, 15, 20, 30, 60)
GOV_TABLE = {
    "perceived": (0.0, 6.8, 15.0, 20.4, 27.2, 40.8, 81.6),
    "resp": (0.30, 0.03, -0.10, -0.37, -0.60, -0.84, -0.99),
    "csat": (4.08, 4.01, 3.85, 3.45, 2.95, 2.68, 2.57),
    "top2": (0.83, 0.80, 0.73, 0.50, 0.24, 0.15, 0.12),
    "complaint": (0.011, 0.011, 0.014, 0.026, 0.050, 0.070, 0.081),
    "return": (0.82, 0.80, 0.77, 0.70, 0.59, 0.53, 0.51),
}


@pytest.fixture(scope="module")
def gov_prediction():
    return run([government(float(w)) for w in GOV_WAITS])


@pytest.mark.parametrize("i", range(len(GOV_WAITS)), ids=[f"wait{w}" for w in GOV_WAITS])
def test_18_golden_government_window(gov_prediction, i):
    p = gov_prediction
    assert round(float(p.perceived_wait_min[i]), 1) == GOV_TABLE["perceived"][i]
    assert round(float(p.responsiveness[i]), 2) == GOV_TABLE["resp"][i]
    assert round(float(p.expected_csat[i]), 2) == GOV_TABLE["csat"][i]
    assert round(float(p.top2[i]), 2) == GOV_TABLE["top2"][i]
    assert round(float(p.p_complaint[i]), 3) == GOV_TABLE["complaint"][i]
    assert round(float(p.p_return[i]), 2) == GOV_TABLE["return"][i]


def test_18_golden_government_must_be_variant():
    p = run([government(0.0, kano=0), government(5.0, kano=0)])
    assert [round(float(x), 2) for x in p.expected_csat] == [4.00, 4.00]


def test_18_golden_government_occupied_informed():
    p = run([government(15.0, occupied=True, informed=True)])
    assert round(float(p.perceived_wait_min[0]), 1) == 14.7
    assert round(float(p.expected_csat[0]), 2) == 3.86


# --- restaurant --------------------------------------------------------------------------

RESTAURANT_CASES = {
    "all_within_standard": ((5, 1, 10, 2), (3.95, 3.96, 3.93)),
    "seating_25": ((25, 1, 10, 2), (3.33, 3.49, 3.23)),
    "payment_15": ((5, 1, 10, 15), (3.04, 3.54, 2.58)),
    "food_30": ((5, 1, 30, 2), (3.45, 3.69, 3.28)),
}
PRESETS = ("blend", "mean", "peak_end")


@pytest.mark.parametrize("case", list(RESTAURANT_CASES))
@pytest.mark.parametrize("k", range(3), ids=PRESETS)
def test_18_golden_restaurant(case, k):
    waits, expected = RESTAURANT_CASES[case]
    cfg = SatisfactionConfig(aggregation=AggregationConfig(preset=PRESETS[k]))
    p = run([restaurant(tuple(float(w) for w in waits))], config=cfg)
    assert round(float(p.expected_csat[0]), 2) == expected[k]


# --- failure / TARP ----------------------------------------------------------------------

T_REC = 10.0  # urgent-fix standard (min)
# "Slow resolution": 27 min against the 10-min standard, τ = exp(−1.7) = 0.183, so
# apology + fix + follow-up gives ρ = 0.6457, printed as 0.65 in the table. (With ρ exactly
# 0.65, i.e. τ = 0.2, the σ = 0.9 P(return) cell is 0.587 → 0.59 instead of 0.58; every
# ρ in [0.645, 0.648] reproduces all cells of both "satisfied" rows.)
SLOW = 27.0
BRANCHES = {
    "silent": ({}, 0.00),
    "complained_not_satisfied": ({"apology": True}, 0.20),
    "complained_satisfied": (
        {"apology": True, "fix": True, "follow_up": True, "resolution_min": SLOW},
        0.65,
    ),
    "complained_satisfied_quickly": (
        {"apology": True, "fix": True, "follow_up": True, "resolution_min": 5.0},
        0.85,
    ),
}
TARP_TABLE = [
    (0.5, "silent", 3.35, 0.33),
    (0.5, "complained_not_satisfied", 3.32, 0.47),
    (0.5, "complained_satisfied", 3.76, 0.76),
    (0.5, "complained_satisfied_quickly", 4.01, 0.78),
    (0.9, "silent", 2.98, 0.10),
    (0.9, "complained_not_satisfied", 2.96, 0.16),
    (0.9, "complained_satisfied", 3.57, 0.58),
    (0.9, "complained_satisfied_quickly", 3.81, 0.77),
]

# The table isolates the reliability item: a visit whose other dimensions are "as expected".
# Two equivalent framings of "failure at the food stage, otherwise on time":
FRAMINGS = {
    # must-be food standard met (perceived 6.8 <= D = 7.5: no delight credit, Resp = 0)
    "must_be_on_time": {"adequate_min": 15.0, "kano": 0, "promise": True, "wait_min": 5.0},
    # food stage without a wait standard (responsiveness not observed)
    "no_wait_standard": {"wait_min": 5.0},
}


def _food(framing: str, severity: float, **recovery) -> dict:
    cols = dict(FRAMINGS[framing])
    wait = cols.pop("wait_min")
    return visit(
        1,
        stage="food",
        wait_min=wait,
        severity=severity,
        recovery_standard_min=T_REC,
        **cols,
        **recovery,
    )


@pytest.mark.parametrize("framing", list(FRAMINGS))
@pytest.mark.parametrize(
    ("sigma", "branch", "csat", "p_return"), TARP_TABLE, ids=[f"{s}-{b}" for s, b, *_ in TARP_TABLE]
)
def test_18_golden_failure_tarp_table(framing, sigma, branch, csat, p_return):
    components, rho_shown = BRANCHES[branch]
    tau = 0.0
    if "resolution_min" in components:
        r = components["resolution_min"]
        tau = 1.0 if r <= T_REC else math.exp(-(r / T_REC - 1.0))
    rho = (
        0.30 * components.get("fix", False)
        + 0.25 * tau
        + 0.20 * components.get("apology", False)
        + 0.10 * components.get("follow_up", False)
    )
    assert round(rho, 2) == rho_shown
    p = run([_food(framing, sigma, **components)])
    # the reliability item equals F_f, whose ρ is the table's
    f_expected = -sigma * (1 - rho) - (0.25 * sigma if components and rho < 0.3 else 0.0)
    if rho >= 0.8 and sigma <= 0.5:
        f_expected += 0.2 * sigma
    assert p.reliability[0] == pytest.approx(f_expected, abs=1e-12)
    assert round(float(p.expected_csat[0]), 2) == csat
    assert round(float(p.p_return[0]), 2) == p_return


@pytest.mark.parametrize("framing", list(FRAMINGS))
def test_18_golden_no_failure_and_full_recovery(framing):
    full = {"apology": True, "fix": True, "follow_up": True, "resolution_min": 5.0}
    p = run(
        [
            _food(framing, 0.0),
            _food(framing, 0.5, compensation_value=0.5, **full),  # ρ = 1
        ]
    )
    assert [round(float(x), 2) for x in p.expected_csat] == [4.00, 4.04]
    assert [round(float(x), 2) for x in p.p_return] == [0.80, 0.80]


# --- §2.9 anchors ---------------------------------------------------------------------------

Q_TABLE = [
    (-1.0, 1.80, 0.03),
    (-0.75, 2.41, 0.09),
    (-0.5, 3.00, 0.26),
    (-0.25, 3.53, 0.54),
    (-0.1, 3.82, 0.71),
    (0.0, 4.00, 0.80),
    (0.1, 4.18, 0.87),
    (0.2, 4.34, 0.91),
    (0.3, 4.50, 0.94),
    (0.5, 4.75, 0.98),
]


@pytest.mark.parametrize(("q", "csat", "top2"), Q_TABLE, ids=[f"Q{q}" for q, *_ in Q_TABLE])
def test_18_golden_q_to_expected_csat(q, csat, top2):
    p = csat_probabilities(np.array([q]))
    assert round(float(expected_csat(p)[0]), 2) == csat


@pytest.mark.parametrize(
    ("q", "top2"),
    [
        pytest.param(q, t, id=f"Q{q}")
        if q != 0.3
        else pytest.param(
            q,
            t,
            id=f"Q{q}",
            marks=pytest.mark.xfail(
                strict=True,
                reason="§2.9 prints 0.94 but the spec's own β = 4.86 and cut-points give "
                "top-2-box 1 − Λ(−1.39 − 4.86·0.3) = 0.9452 → 0.95 (spec value truncated?)",
            ),
        )
        for q, _, t in Q_TABLE
    ],
)
def test_18_golden_q_to_top2_box(q, top2):
    p = csat_probabilities(np.array([q]))
    assert round(float(top2_box(p)[0]), 2) == top2


def test_18_golden_complaint_anchors():
    # 1.1 % when all is as expected; ≈ 43 % after a severe unrecovered failure (TARP).
    p = run([_food("no_wait_standard", 0.0), _food("no_wait_standard", 0.9)])
    assert round(float(p.p_complaint[0]), 3) == 0.011
    assert round(float(p.p_complaint[1]), 2) == 0.43
    # ≈ 2-8 % after long waits only
    long_waits = run([government(w) for w in (15.0, 20.0, 30.0, 60.0)])
    assert np.all((long_waits.p_complaint > 0.02) & (long_waits.p_complaint < 0.085))


def test_18_golden_kano_values_of_section_2_6():
    x = np.array([0.0, 0.5, 1.0])
    assert np.round(kano_contribution(x, "attractive", 0.7, 0.1), 2).tolist() == [0.0, 0.13, 0.70]
    assert np.round(kano_contribution(x, "one_dimensional", 0.5, 0.5), 2).tolist() == [
        -0.5,
        0.0,
        0.5,
    ]
    assert np.round(kano_contribution(x, "must_be", 0.1, 0.7), 2).tolist() == [-0.70, -0.13, 0.0]
