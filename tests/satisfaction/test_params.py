"""Property §3.17 of satisfaction.md (weights and invalid inputs) and the parameter models."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from simulator.satisfaction import (
    AggregationConfig,
    DimensionWeights,
    ModelParameters,
    RecoveryWeights,
    SatisfactionConfig,
    StageTable,
    StandardConfig,
    resolve_parameters,
)

from ._build import run, visit

# The §2.12 sketch, as the YAML loader hands it over (plain dicts and lists).
SECTION_2_12 = {
    "profile": "default",
    "weights": {
        "reliability": 0.32,
        "responsiveness": 0.22,
        "assurance": 0.19,
        "empathy": 0.16,
        "tangibles": 0.11,
    },
    "aggregation": {
        "preset": "blend",
        "mean": 0.4,
        "worst": 0.3,
        "best": 0.1,
        "end": 0.2,
        "phase_weights": {"pre": 1.5, "in": 1.0, "post": 1.25},
    },
    "facility_level": 0.5,
    "standards": [
        {
            "id": "window_15",
            "stage": "window",
            "adequate_min": 15,
            "kano": "must_be",
            "promise": True,
        },
        {
            "id": "menu_3",
            "stage": "menu",
            "adequate_min": 3,
            "desired_min": 1.5,
            "kano": "one_dimensional",
            "promise": True,
        },
        {
            "id": "complaint_24h",
            "applies_to": "complaint_resolution",
            "adequate_h": 24,
            "kano": "one_dimensional",
        },
    ],
    "waiting_environment": {"reception": {"occupied": True, "informed": True}},
    "classes": {"vip": {"expectation_scale": 0.7}},
    "kano_attributes": [
        {
            "id": "free_tea_when_waiting",
            "class": "attractive",
            "dimension": "empathy",
            "performance": {"source": "stage_flag", "flag": "tea_served"},
            "better": 0.62,
            "worse": -0.08,
        },
        {
            "id": "clean_room",
            "class": "must_be",
            "dimension": "tangibles",
            "performance": {"source": "constant", "value": 0.9},
        },
    ],
    "recovery": {
        "weights": {
            "fix": 0.30,
            "timeliness": 0.25,
            "apology": 0.20,
            "compensation": 0.15,
            "follow_up": 0.10,
        },
        "urgent_fix_standard_min": 10,
    },
    "outputs": {"sample_responses": True, "paradox_in_loyalty": False},
}


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(field.path, message) as the scenario loader will print them after ``file:line:``."""
    out = []
    for e in exc.errors():
        msg = e["msg"].removeprefix("Value error, ")
        out.append((".".join(str(p) for p in e["loc"]), msg))
    return out


def _section(**changes):
    import copy

    d = copy.deepcopy(SECTION_2_12)
    for path, value in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return d


# --- defaults of §2.10 --------------------------------------------------------------------


def test_defaults_are_the_spec_values():
    p = ModelParameters()
    assert (p.m0, p.b, p.a_occ, p.a_info, p.a_fair, p.desired_ratio) == (
        1.36,
        1.0,
        0.20,
        0.10,
        0.15,
        0.5,
    )
    assert p.g.as_tuple() == (0.0, 0.3, 0.6) and (p.eps, p.lam) == (0.10, 1.0)
    assert (p.promise_pen, p.abandoned_reliability) == (0.30, -0.5)
    assert (p.k_a, p.k_e, p.k_rush, p.k_t, p.k_crowd, p.c0) == (0.5, 0.3, 0.4, 0.5, 0.5, 0.7)
    assert p.recovery_weights.as_tuple() == (0.30, 0.25, 0.20, 0.15, 0.10)
    assert (p.pi, p.rho_star, p.sigma_star, p.dd) == (0.20, 0.8, 0.5, 0.25)
    assert p.kano_a == 3.0
    kd = p.kano_defaults
    assert (kd.attractive.better, kd.attractive.worse) == (0.7, 0.1)
    assert (kd.one_dimensional.better, kd.one_dimensional.worse) == (0.5, 0.5)
    assert (kd.must_be.better, kd.must_be.worse) == (0.1, 0.7)
    assert (kd.indifferent.better, kd.indifferent.worse) == (0.1, 0.1)
    assert (kd.reverse.better, kd.reverse.worse) == (0.3, 0.3)
    assert p.phase_weights.as_tuple() == (1.5, 1.0, 1.25)
    assert p.omega.as_tuple() == (0.4, 0.3, 0.1, 0.2)
    assert (p.h, p.kappa, p.psi) == (0.2, 1.5, 0.3)
    assert p.weights.as_tuple() == (0.32, 0.22, 0.19, 0.16, 0.11)
    assert p.beta == 4.86 and p.cutpoints == (-4.94, -3.75, -1.39, 1.21)
    assert p.gamma == (-4.5, 3.0, 3.0) and p.eta == (1.4, 2.0, 2.9, 3.1)


def test_uncalibrated_label():
    assert ModelParameters().label == "uncalibrated defaults"
    assert ModelParameters(calibrated=True).label == "calibrated profile"
    assert run([visit(1, wait_min=1.0)]).label == "uncalibrated defaults"


# --- §3.17 weights sum to 1 after loading --------------------------------------------------


def test_17_weights_sum_to_one_after_loading():
    cfg = SatisfactionConfig.model_validate(SECTION_2_12)
    prm = resolve_parameters(ModelParameters(), cfg)
    for vec in (prm.weights, prm.omega, prm.recovery_weights):
        assert math.fsum(vec.as_tuple()) == pytest.approx(1.0, abs=1e-6)
    default = ModelParameters()
    for vec in (default.weights, default.omega, default.recovery_weights):
        assert math.fsum(vec.as_tuple()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("weights__tangibles", 0.2, "weights"),
        ("recovery__weights__follow_up", 0.0, "recovery.weights"),
        ("aggregation__end", 0.3, "aggregation"),
    ],
)
def test_17_weights_not_summing_to_one_fail(path, value, where):
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(_section(**{path: value}))
    errs = _errors(info.value)
    assert any(p == where and m.startswith("must sum to 1 (got ") for p, m in errs), errs
    assert any("expected 1 ± 1e-06" in m for _, m in errs)


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("weights__empathy", "weights.empathy"),
        ("recovery__weights__apology", "recovery.weights.apology"),
        ("aggregation__worst", "aggregation.worst"),
    ],
)
def test_17_negative_weights_fail(path, where):
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(_section(**{path: -0.1}))
    errs = _errors(info.value)
    assert any(p == where and "greater than or equal to 0" in m for p, m in errs), errs


def test_17_desired_not_below_adequate_fails_with_field_path():
    bad = _section(standards__1__adequate_min=3, standards__1__desired_min=5)
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(bad)
    assert ("standards.1.desired_min", "must be < adequate_min (got 5; expected < 3)") in _errors(
        info.value
    )


@pytest.mark.parametrize("d", [0, -1.5, 3, 3.5])
def test_17_desired_out_of_range_fails(d):
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(_section(standards__1__desired_min=d))
    (path, msg), *_ = _errors(info.value)
    assert path == "standards.1.desired_min"
    assert msg.startswith("must be > 0") or msg.startswith("must be < adequate_min")


def test_17_desired_hours():
    ok = StandardConfig(id="c", applies_to="complaint_resolution", adequate_h=24, desired_h=12)
    assert ok.adequate_minutes == 1440 and ok.desired_minutes() == 720
    with pytest.raises(ValidationError, match=r"must be < adequate_h \(got 30; expected < 24\)"):
        StandardConfig(id="c", applies_to="recovery", adequate_h=24, desired_h=30)
    assert StandardConfig(id="w", stage="w", adequate_min=15).desired_minutes(0.5) == 7.5


@pytest.mark.parametrize(
    ("key", "value"),
    [("better", 1.2), ("better", -0.1), ("worse", 1.2), ("worse", -1.5)],
)
def test_17_better_worse_outside_unit_interval_fail(key, value):
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(_section(**{f"kano_attributes__0__{key}": value}))
    paths = [p for p, _ in _errors(info.value)]
    assert f"kano_attributes.0.{key}" in paths


def test_17_negative_worse_is_stored_as_magnitude():
    cfg = SatisfactionConfig.model_validate(SECTION_2_12)
    tea = cfg.kano_attributes[0]
    assert tea.worse == pytest.approx(0.08)
    assert tea.coefficients(ModelParameters().kano_defaults) == (0.62, pytest.approx(0.08))
    assert cfg.kano_attributes[1].coefficients(ModelParameters().kano_defaults) == (0.1, 0.7)


def test_17_stage_table_desired_not_below_adequate():
    with pytest.raises(
        ValueError,
        match=r"StageTable.desired_min\[1\]: must be < adequate_min "
        r"\(got 5; expected < 3\)",
    ):
        StageTable.build([0, 0], [1.0, 1.0], adequate_min=[10.0, 3.0], desired_min=[4.0, 5.0])
    with pytest.raises(ValueError, match=r"desired_min\[0\]: must be > 0"):
        StageTable.build([0], [1.0], adequate_min=3.0, desired_min=0.0)


# --- strictness and other validation ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"facility_level": "0.5"}, "facility_level"),
        ({"facility_level": True}, "facility_level"),
        ({"facility_levle": 0.5}, "facility_levle"),
        ({"outputs": {"paradox_in_loyalty": "yes"}}, "outputs.paradox_in_loyalty"),
        ({"aggregation": {"preset": "median"}}, "aggregation.preset"),
        ({"classes": {"vip": {"expectation_scale": 0}}}, "classes.vip.expectation_scale"),
    ],
)
def test_strict_section(data, path):
    with pytest.raises(ValidationError) as info:
        SatisfactionConfig.model_validate(data)
    assert path in [p for p, _ in _errors(info.value)]


def test_frozen():
    p = ModelParameters()
    with pytest.raises(ValidationError):
        p.m0 = 2.0  # type: ignore[misc]
    assert hash(p) == hash(ModelParameters())


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"m0": 0.5}, "greater than or equal to 0.7"),
        ({"lam": 6.0}, "less than or equal to 5"),
        ({"psi": 0.7}, "less than or equal to 0.6"),
        ({"cutpoints": (-4.94, -1.39, -3.75, 1.21)}, "must be strictly increasing"),
        ({"eta": (1.4, 2.0, -2.9, 3.1)}, "slope eta2 must be >= 0"),
        ({"gamma": (-4.5, -3.0, 3.0)}, "slope gamma1 must be >= 0"),
        ({"beta": 0.0}, "greater than 0"),
        ({"desired_ratio": 1.0}, "less than 1"),
        (
            {
                "weights": {
                    "reliability": 1.0,
                    "responsiveness": 0.1,
                    "assurance": 0.0,
                    "empathy": 0.0,
                    "tangibles": 0.0,
                }
            },
            "must sum to 1",
        ),
    ],
)
def test_model_parameter_bounds(kwargs, fragment):
    with pytest.raises(ValidationError, match=fragment):
        ModelParameters.model_validate(kwargs)


def test_model_parameters_from_lists():
    p = ModelParameters.model_validate({"cutpoints": [-5, -4, -1, 1], "eta": [1, 2, 3, 3]})
    assert p.cutpoints == (-5.0, -4.0, -1.0, 1.0)


def test_standard_targets_and_ids():
    with pytest.raises(ValidationError, match="exactly one of stage and applies_to"):
        StandardConfig(id="x", adequate_min=3)
    with pytest.raises(ValidationError, match="exactly one of adequate_min and adequate_h"):
        StandardConfig(id="x", stage="s", adequate_min=3, adequate_h=1)
    dup = _section(standards__1__id="window_15")
    with pytest.raises(ValidationError, match="duplicate standard id"):
        SatisfactionConfig.model_validate(dup)
    with pytest.raises(ValidationError, match="reverse cannot use wait_based"):
        SatisfactionConfig.model_validate(
            _section(
                kano_attributes__0={
                    "id": "r",
                    "class": "reverse",
                    "dimension": "empathy",
                    "performance": {"source": "wait_based", "stage": "w"},
                }
            )
        )
    cfg = SatisfactionConfig.model_validate(SECTION_2_12)
    assert cfg.standard_for_stage("menu").desired_minutes() == 1.5
    assert cfg.expectation_scale("vip") == 0.7 and cfg.expectation_scale("other") == 1.0


# --- aggregation presets and overrides ------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({}, (0.4, 0.3, 0.1, 0.2)),
        ({"preset": "mean"}, (1.0, 0.0, 0.0, 0.0)),
        ({"preset": "peak_end"}, (0.0, 0.5, 0.0, 0.5)),
        ({"preset": "verhoef"}, (0.6, 0.1, 0.3, 0.0)),
        ({"preset": "custom", "mean": 0.5, "worst": 0.5, "best": 0, "end": 0}, (0.5, 0.5, 0, 0)),
        ({"mean": 0.25, "worst": 0.25, "best": 0.25, "end": 0.25}, (0.25,) * 4),
        ({"preset": "mean", "mean": 1, "worst": 0, "best": 0, "end": 0}, (1.0, 0, 0, 0)),
    ],
)
def test_aggregation_presets(section, expected):
    cfg = SatisfactionConfig(aggregation=AggregationConfig.model_validate(section))
    assert resolve_parameters(ModelParameters(), cfg).omega.as_tuple() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("section", "fragment"),
    [
        ({"preset": "custom"}, "preset custom needs"),
        ({"mean": 0.5, "worst": 0.5}, "needs all of mean, worst, best, end"),
        ({"preset": "mean", "mean": 0.5, "worst": 0.5, "best": 0, "end": 0}, "must match preset"),
        ({"preset": "custom", "mean": 0.5, "worst": 0.6, "best": 0, "end": 0}, "must sum to 1"),
    ],
)
def test_aggregation_preset_errors(section, fragment):
    with pytest.raises(ValidationError, match=fragment):
        AggregationConfig.model_validate(section)


def test_blend_uses_profile_omega():
    prm = ModelParameters(omega={"mean": 0.5, "worst": 0.5, "best": 0.0, "end": 0.0})
    assert resolve_parameters(prm, SatisfactionConfig()).omega == prm.omega
    assert resolve_parameters(prm, SatisfactionConfig()) is prm


def test_overrides_reach_the_model():
    late = visit(2, wait_min=[30.0, 1.0], adequate_min=[10.0, 10.0], promise=True)
    base = run([late])
    mean_only = run([late], config=SatisfactionConfig(aggregation={"preset": "mean"}))
    assert mean_only.expected_csat[0] != pytest.approx(base.expected_csat[0])
    w = DimensionWeights(
        reliability=0.2, responsiveness=0.4, assurance=0.2, empathy=0.1, tangibles=0.1
    )
    heavier = run([late], config=SatisfactionConfig(weights=w))
    assert heavier.expected_csat[0] < base.expected_csat[0]
    fix_only = RecoveryWeights(
        fix=1.0, timeliness=0.0, apology=0.0, compensation=0.0, follow_up=0.0
    )
    failed = visit(1, wait_min=1.0, severity=0.5, apology=True)
    a = run([failed])
    b = run([failed], config=SatisfactionConfig(recovery={"weights": fix_only.model_dump()}))
    assert b.reliability[0] < a.reliability[0]
    np.testing.assert_allclose(b.reliability, -0.5 - 0.25 * 0.5)


def test_round_trip_and_schema():
    prm = ModelParameters(calibrated=True, lam=1.6, beta=4.0)
    assert ModelParameters.model_validate(prm.model_dump(by_alias=True)) == prm
    cfg = SatisfactionConfig.model_validate(SECTION_2_12)
    assert SatisfactionConfig.model_validate(cfg.model_dump(by_alias=True)) == cfg
    assert "kano_attributes" in SatisfactionConfig.model_json_schema()["properties"]
    assert "cutpoints" in ModelParameters.model_json_schema()["properties"]
