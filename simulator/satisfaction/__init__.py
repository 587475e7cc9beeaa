"""Predicted customer satisfaction (satisfaction.md §2): a pure, vectorised post-processing.

Per-customer records (:class:`StageTable`, :class:`CustomerTable`) → perceived waits →
SERVQUAL stage scores → per-customer aggregation → overall index Q → CSAT distribution,
complaint and return probabilities (:func:`predict`). Simulated survey answers are drawn
separately from a dedicated stream (:func:`sample_responses`, :func:`satisfaction_rng`).

The default :class:`ModelParameters` are *uncalibrated* assumptions; reports must say
"uncalibrated defaults" (``ModelParameters().label``) until a fitted profile is loaded.
"""

from __future__ import annotations

from simulator.scenario.satisfaction_params import (
    DIMENSIONS,
    KANO_CLASSES,
    OMEGA_PRESETS,
    AggregationConfig,
    AggregationWeights,
    BetterWorse,
    ClassExpectations,
    ConstantPerformance,
    DelightCaps,
    DimensionWeights,
    KanoAttribute,
    KanoDefaults,
    ModelParameters,
    OutputsConfig,
    PerClassPerformance,
    PhaseWeights,
    RecoveryConfig,
    RecoveryWeights,
    SatisfactionConfig,
    StageFlagPerformance,
    StandardConfig,
    WaitBasedPerformance,
    WaitingEnvironment,
    resolve_parameters,
)

from .aggregate import aggregate_stages
from .columns import stage_columns
from .dimensions import (
    assurance,
    crowding,
    crowding_item,
    empathy,
    facility_item,
    reliability,
    responsiveness,
    rush,
)
from .kano import berger_coefficients, kano_contribution, kano_shapes
from .outputs import (
    SampledResponses,
    complaint_probability,
    csat_index,
    csat_probabilities,
    expected_csat,
    return_failure_terms,
    return_probability,
    sample_responses,
    satisfaction_rng,
    summarise,
    top2_box,
)
from .overall import apply_halo, loss_transform, overall_index
from .overtaking import overtaken_counts
from .perception import anticipated_wait, perceived_wait, perception_multiplier
from .predict import predict
from .prediction import Prediction
from .recovery import compensation_match, failure_effect, recovery_quality, timeliness
from .tables import (
    KANO_CODES,
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_CODES,
    OUTCOME_SERVED,
    PHASE_CODES,
    PHASE_IN,
    PHASE_POST,
    PHASE_PRE,
    CustomerTable,
    StageTable,
    default_phases,
)

__all__ = [
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
