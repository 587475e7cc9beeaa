"""The public surface of simulator.satisfaction is pinned."""

from __future__ import annotations

import inspect

import simulator.satisfaction as sat

PUBLIC = [
    "DIMENSIONS",
    "KANO_CLASSES",
    "KANO_CODES",
    "OMEGA_PRESETS",
    "OUTCOME_ABANDONED",
    "OUTCOME_BALKED",
    "OUTCOME_CODES",
    "OUTCOME_SERVED",
    "PHASE_CODES",
    "PHASE_IN",
    "PHASE_POST",
    "PHASE_PRE",
    "AggregationConfig",
    "AggregationWeights",
    "BetterWorse",
    "ClassExpectations",
    "ConstantPerformance",
    "CustomerTable",
    "DelightCaps",
    "DimensionWeights",
    "KanoAttribute",
    "KanoDefaults",
    "ModelParameters",
    "OutputsConfig",
    "PerClassPerformance",
    "PhaseWeights",
    "Prediction",
    "RecoveryConfig",
    "RecoveryWeights",
    "SampledResponses",
    "SatisfactionConfig",
    "StageFlagPerformance",
    "StageTable",
    "StandardConfig",
    "WaitBasedPerformance",
    "WaitingEnvironment",
    "aggregate_stages",
    "anticipated_wait",
    "apply_halo",
    "assurance",
    "berger_coefficients",
    "compensation_match",
    "complaint_probability",
    "crowding",
    "crowding_item",
    "csat_index",
    "csat_probabilities",
    "default_phases",
    "empathy",
    "expected_csat",
    "facility_item",
    "failure_effect",
    "kano_contribution",
    "kano_shapes",
    "loss_transform",
    "overall_index",
    "overtaken_counts",
    "perceived_wait",
    "perception_multiplier",
    "predict",
    "recovery_quality",
    "reliability",
    "resolve_parameters",
    "responsiveness",
    "return_failure_terms",
    "return_probability",
    "rush",
    "sample_responses",
    "satisfaction_rng",
    "stage_columns",
    "summarise",
    "timeliness",
    "top2_box",
]


def test_all_is_pinned():
    assert sorted(sat.__all__) == sorted(PUBLIC)
    assert len(set(sat.__all__)) == len(sat.__all__)


def test_public_callables_are_documented():
    for name in sat.__all__:
        obj = getattr(sat, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), name


def test_dimension_order():
    assert sat.DIMENSIONS == ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
