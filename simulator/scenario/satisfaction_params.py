"""Parameters of the satisfaction model and the scenario's ``satisfaction:`` section.

Two kinds of settings live here (satisfaction.md §2.10 and §2.12):

* :class:`ModelParameters` -- the *profile*: every model constant of §2.10 with its default
  and its fitting bounds. The default profile is **uncalibrated** (most values are
  assumptions tagged [A] in the specification); :attr:`ModelParameters.label` says so and
  reports must show it until a fitted profile (``calibrated=True``) is loaded.
* :class:`SatisfactionConfig` -- the scenario section: standards, waiting environment,
  customer classes, KANO attributes, recovery settings, outputs, and optional overrides of
  the profile's dimension weights, aggregation weights ω, phase weights and recovery weights.
  :func:`resolve_parameters` applies those overrides to a profile.

All models are pydantic v2, ``extra="forbid"``, ``frozen=True``, ``strict=True``.
Cross-field checks raise :class:`ValueError` with messages of the form
``must be < adequate_min (got 5; expected < 3)``; pydantic attaches the field path
(``standards.1.desired_min``) so the scenario loader can prefix ``file:line:``.

Interpretation choices
----------------------
* Weight vectors (dimension weights, ω, recovery weights) are **validated, not normalised**:
  each must be non-negative and sum to 1 within ``1e-6`` (§3.17 "each sum to 1 after
  loading"). Silent normalisation would hide typos.
* ``worse`` of a KANO attribute may be written as Berger's negative "Worse" coefficient
  (e.g. ``-0.08``, as in the §2.12 example) or as its magnitude; it is stored as
  ``W = |worse|`` (§2.6 "W = |Worse|"). ``|worse| > 1`` is rejected.
* Aggregation presets: ``blend`` means the profile's ω (the default profile's ω is the
  blend 0.4/0.3/0.1/0.2); ``mean``, ``peak_end`` and ``verhoef`` are the fixed vectors of
  §2.7; explicit ``mean/worst/best/end`` values are a custom ω and are allowed with
  ``preset: blend`` or ``preset: custom`` (with another preset they must equal it).
* The signs of the heads' slopes are constrained (γ1, γ2, η1, η2, η3 ≥ 0) so that the
  monotonicity properties of §3 hold for every admissible profile.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "DIMENSIONS",
    "KANO_CLASSES",
    "OMEGA_PRESETS",
    "STANDARD_KANO_CLASSES",
    "AggregationConfig",
    "AggregationWeights",
    "BetterWorse",
    "ClassExpectations",
    "ConstantPerformance",
    "DelightCaps",
    "DimensionWeights",
    "KanoAttribute",
    "KanoDefaults",
    "ModelParameters",
    "OutputsConfig",
    "PerClassPerformance",
    "PhaseWeights",
    "RecoveryConfig",
    "RecoveryWeights",
    "SatisfactionConfig",
    "StageFlagPerformance",
    "StandardConfig",
    "WaitBasedPerformance",
    "WaitingEnvironment",
    "resolve_parameters",
]

#: The five SERVQUAL dimensions, in the column order used throughout the package.
DIMENSIONS: tuple[str, ...] = (
    "reliability",
    "responsiveness",
    "assurance",
    "empathy",
    "tangibles",
)

#: KANO classes a *standard* may have (they set the delight cap g, §2.4).
STANDARD_KANO_CLASSES: tuple[str, ...] = ("must_be", "one_dimensional", "attractive")

#: KANO classes an *attribute* may have (§2.6).
KANO_CLASSES: tuple[str, ...] = (
    "must_be",
    "one_dimensional",
    "attractive",
    "indifferent",
    "reverse",
)

#: Fixed aggregation presets of §2.7 as (mean, worst, best, end).
OMEGA_PRESETS: dict[str, tuple[float, float, float, float]] = {
    "mean": (1.0, 0.0, 0.0, 0.0),
    "peak_end": (0.0, 0.5, 0.0, 0.5),
    "verhoef": (0.6, 0.1, 0.3, 0.0),
}

_SUM_TOL = 1e-6

StrictFloat = Annotated[float, Strict()]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    """Base: strict, frozen, no unknown keys; aliases and field names both accepted."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        allow_inf_nan=False,
        validate_by_name=True,
        validate_by_alias=True,
    )


def _fmt(x: float) -> str:
    return f"{x:g}"


class _Simplex(_Strict):
    """A weight vector: every entry >= 0 (field bounds) and the entries sum to 1."""

    @model_validator(mode="after")
    def _sums_to_one(self) -> _Simplex:
        total = math.fsum(float(v) for v in self.model_dump().values())
        if abs(total - 1.0) > _SUM_TOL:
            raise ValueError(f"must sum to 1 (got {_fmt(total)}; expected 1 ± {_SUM_TOL:g})")
        return self

    def as_tuple(self) -> tuple[float, ...]:
        """Values in field order."""
        return tuple(float(v) for v in self.model_dump().values())


class DimensionWeights(_Simplex):
    """SERVQUAL importance weights w_d (§2.8; [S] Zeithaml et al. 1990)."""

    reliability: Unit = 0.32
    responsiveness: Unit = 0.22
    assurance: Unit = 0.19
    empathy: Unit = 0.16
    tangibles: Unit = 0.11


class AggregationWeights(_Simplex):
    """ω of §2.7: weights of the phase-weighted mean, worst, best and last stage score."""

    mean: Unit = 0.4
    worst: Unit = 0.3
    best: Unit = 0.1
    end: Unit = 0.2


class RecoveryWeights(_Simplex):
    """Weights of the recovery quality ρ (§2.5; order from Davidow, del Río-Lanza et al.)."""

    fix: Unit = 0.30
    timeliness: Unit = 0.25
    apology: Unit = 0.20
    compensation: Unit = 0.15
    follow_up: Unit = 0.10


class PhaseWeights(_Strict):
    """Phase weights v of §2.7 (pre 1.5, in 1.0, post 1.25 [A]); YAML key ``in`` for the middle."""

    pre: float = Field(default=1.5, ge=0.5, le=3.0)
    in_process: float = Field(default=1.0, ge=0.5, le=3.0, alias="in")
    post: float = Field(default=1.25, ge=0.5, le=3.0)

    def as_tuple(self) -> tuple[float, float, float]:
        """(pre, in, post), indexed by the phase codes 0, 1, 2."""
        return (self.pre, self.in_process, self.post)


class DelightCaps(_Strict):
    """Delight cap g of the responsiveness curve per KANO class of the standard (§2.4)."""

    must_be: Unit = 0.0
    one_dimensional: Unit = 0.3
    attractive: Unit = 0.6

    def as_tuple(self) -> tuple[float, float, float]:
        """(must_be, one_dimensional, attractive), indexed by the standard KANO codes."""
        return (self.must_be, self.one_dimensional, self.attractive)


class BetterWorse(_Strict):
    """Berger et al. coefficients B (Better) and W = |Worse|, both in [0, 1]."""

    better: Unit
    worse: Unit


class KanoDefaults(_Strict):
    """Default (B, W) per KANO class when no survey is available (§2.6 [A])."""

    attractive: BetterWorse = BetterWorse(better=0.7, worse=0.1)
    one_dimensional: BetterWorse = BetterWorse(better=0.5, worse=0.5)
    must_be: BetterWorse = BetterWorse(better=0.1, worse=0.7)
    indifferent: BetterWorse = BetterWorse(better=0.1, worse=0.1)
    reverse: BetterWorse = BetterWorse(better=0.3, worse=0.3)


class ModelParameters(_Strict):
    """Every constant of the satisfaction model (satisfaction.md §2.10), defaults = spec.

    Bounds are the "bounds for fitting" of §2.10; where the table gives none, probabilities
    and gates are bounded to [0, 1] and slopes of the heads to be non-negative.

    Attributes
    ----------
    calibrated : bool
        False for the default profile; reports then say "uncalibrated defaults".
    m0, b : float
        Perception multiplier at the standard ([S] Larson via NYT) and power exponent
        ([A], form from Antonides): ``p = m·A·(w/A)^b``.
    a_occ, a_info, a_fair : float
        Multiplier reductions for occupied / informed waits and the increase per overtaking
        customer (Maister; Taylor 1995; Pruyn & Smidts; Larson 1987; Hui & Zhou).
    overtaken_cap : int
        Overtakings that count at most (3 in §2.3).
    desired_ratio : float
        Default D/A when a standard gives no desired level (0.5 [A]).
    g : DelightCaps
        Delight cap per KANO class of the standard.
    eps, lam : float
        Slope inside the tolerance zone (Zeithaml et al. 1993) and loss slope beyond A.
    promise_pen, abandoned_reliability : float
        Reliability penalty for a broken published standard (Taylor 1995) and the
        reliability of the stage an abandoning customer left (-0.5 [A]).
    k_a, k_e, k_rush, k_t, k_crowd, c0, crowd_per_server : float
        Assurance, empathy, rush, facility and crowding gains, crowding threshold, and the
        seats per server assumed when an area has no capacity (5 [A]).
    recovery_weights : RecoveryWeights
        Weights of ρ (fix, timeliness, apology, compensation, follow-up).
    pi, rho_star, sigma_star, dd : float
        Recovery-paradox bonus and its gates (Ok et al.; Maxham & Netemeyer; Magnini et
        al.) and the double-deviation penalty.
    kano_a : float
        Curvature of the KANO shapes (3).
    kano_defaults : KanoDefaults
        Default (B, W) per KANO class.
    phase_weights, omega : PhaseWeights, AggregationWeights
        Stage aggregation (§2.7; Kahneman; Verhoef et al.; Dixon & Verma).
    h, kappa, psi : float
        Halo of bad responsiveness (Taylor 1995), loss curvature (Mittal et al.), weight of
        the worst dimension (Taylor & Claxton).
    weights : DimensionWeights
        SERVQUAL dimension weights.
    beta, cutpoints : float, tuple of 4 floats
        Ordered-logit slope and strictly increasing cut-points.
    gamma : tuple of 3 floats
        Complaint head (γ0, γ1, γ2), anchored to TARP.
    eta : tuple of 4 floats
        Return head (η0, η1, η2, η3), η2 and η3 fitted to TARP's loyalty figures.
    """

    calibrated: bool = False

    # §2.3 perception
    m0: float = Field(default=1.36, ge=0.7, le=2.0)
    b: float = Field(default=1.0, ge=0.3, le=1.5)
    a_occ: float = Field(default=0.20, ge=0.0, le=0.6)
    a_info: float = Field(default=0.10, ge=0.0, le=0.6)
    a_fair: float = Field(default=0.15, ge=0.0, le=0.6)
    overtaken_cap: int = Field(default=3, ge=0)
    desired_ratio: float = Field(default=0.5, gt=0.0, lt=1.0)

    # §2.4 responsiveness and reliability
    g: DelightCaps = DelightCaps()
    eps: float = Field(default=0.10, ge=0.0, le=0.3)
    lam: float = Field(default=1.0, ge=0.2, le=5.0)
    promise_pen: float = Field(default=0.30, ge=0.0, le=1.0)
    abandoned_reliability: float = Field(default=-0.5, ge=-1.0, le=0.0)

    # §2.4 assurance, empathy, tangibles
    k_a: float = Field(default=0.5, ge=0.0, le=1.0)
    k_e: float = Field(default=0.3, ge=0.0, le=1.0)
    k_rush: float = Field(default=0.4, ge=0.0, le=1.0)
    k_t: float = Field(default=0.5, ge=0.0, le=1.0)
    k_crowd: float = Field(default=0.5, ge=0.0, le=1.0)
    c0: float = Field(default=0.7, ge=0.0, lt=1.0)
    crowd_per_server: float = Field(default=5.0, gt=0.0)

    # §2.5 failure and recovery
    recovery_weights: RecoveryWeights = RecoveryWeights()
    pi: float = Field(default=0.20, ge=0.0, le=1.0)
    rho_star: float = Field(default=0.8, ge=0.0, le=1.0)
    sigma_star: float = Field(default=0.5, ge=0.0, le=1.0)
    dd: float = Field(default=0.25, ge=0.0, le=1.0)

    # §2.6 KANO
    kano_a: float = Field(default=3.0, ge=1.0, le=6.0)
    kano_defaults: KanoDefaults = KanoDefaults()

    # §2.7 aggregation
    phase_weights: PhaseWeights = PhaseWeights()
    omega: AggregationWeights = AggregationWeights()

    # §2.8 overall index
    h: float = Field(default=0.2, ge=0.0, le=0.5)
    kappa: float = Field(default=1.5, ge=1.0, le=3.0)
    psi: float = Field(default=0.3, ge=0.0, le=0.6)
    weights: DimensionWeights = DimensionWeights()

    # §2.9 outputs
    beta: float = Field(default=4.86, gt=0.0)
    cutpoints: Annotated[
        tuple[StrictFloat, StrictFloat, StrictFloat, StrictFloat], Field(strict=False)
    ] = (-4.94, -3.75, -1.39, 1.21)
    gamma: Annotated[tuple[StrictFloat, StrictFloat, StrictFloat], Field(strict=False)] = (
        -4.5,
        3.0,
        3.0,
    )
    eta: Annotated[
        tuple[StrictFloat, StrictFloat, StrictFloat, StrictFloat], Field(strict=False)
    ] = (1.4, 2.0, 2.9, 3.1)

    @field_validator("cutpoints")
    @classmethod
    def _ordered(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        for k in range(1, len(v)):
            if not v[k] > v[k - 1]:
                raise ValueError(
                    f"must be strictly increasing (got {_fmt(v[k])} after {_fmt(v[k - 1])}; "
                    f"expected > {_fmt(v[k - 1])})"
                )
        return v

    @field_validator("gamma", "eta")
    @classmethod
    def _slopes_non_negative(cls, v: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        for k in range(1, len(v)):
            if v[k] < 0:
                raise ValueError(
                    f"slope {info.field_name}{k} must be >= 0 (got {_fmt(v[k])}; expected >= 0)"
                )
        return v

    @property
    def label(self) -> str:
        """``"uncalibrated defaults"`` unless the profile was fitted (§0, §4)."""
        return "calibrated profile" if self.calibrated else "uncalibrated defaults"


# ---------------------------------------------------------------------------------------
# Scenario section (§2.12)
# ---------------------------------------------------------------------------------------


class StandardConfig(_Strict):
    """A published or customer standard: adequate level A and desired level D (§2.3).

    Exactly one of ``stage`` (a wait standard of that stage) and ``applies_to`` (``visit``
    for the whole-visit standard, ``recovery`` or ``complaint_resolution`` for recovery
    standards) is given, and exactly one of ``adequate_min`` / ``adequate_h``. D defaults to
    ``desired_ratio · A`` of the profile (0.5·A); when given, 0 < D < A.
    """

    id: str = Field(min_length=1)
    stage: str | None = None
    applies_to: Literal["visit", "recovery", "complaint_resolution"] | None = None
    adequate_min: float | None = Field(default=None, gt=0.0, le=525_600.0)
    adequate_h: float | None = Field(default=None, gt=0.0, le=8_760.0)
    desired_min: float | None = None
    desired_h: float | None = None
    kano: Literal["must_be", "one_dimensional", "attractive"] = "one_dimensional"
    promise: bool = False

    @field_validator("desired_min", "desired_h")
    @classmethod
    def _desired_inside(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is None:
            return v
        if v <= 0:
            raise ValueError(f"must be > 0 (got {_fmt(v)}; expected > 0)")
        a_min, a_h = info.data.get("adequate_min"), info.data.get("adequate_h")
        a = a_min if a_min is not None else (a_h * 60.0 if a_h is not None else None)
        if a is None:
            return v
        d = v if info.field_name == "desired_min" else v * 60.0
        if d >= a:
            ref = "adequate_min" if info.field_name == "desired_min" else "adequate_h"
            unit = 1.0 if info.field_name == "desired_min" else 60.0
            raise ValueError(f"must be < {ref} (got {_fmt(v)}; expected < {_fmt(a / unit)})")
        return v

    @model_validator(mode="after")
    def _one_of_each(self) -> StandardConfig:
        if (self.stage is None) == (self.applies_to is None):
            raise ValueError(
                "needs exactly one of stage and applies_to "
                f"(got stage={self.stage!r}, applies_to={self.applies_to!r})"
            )
        if (self.adequate_min is None) == (self.adequate_h is None):
            raise ValueError(
                "needs exactly one of adequate_min and adequate_h "
                f"(got {self.adequate_min!r} and {self.adequate_h!r})"
            )
        if self.desired_min is not None and self.desired_h is not None:
            raise ValueError("give desired_min or desired_h, not both")
        return self

    @property
    def adequate_minutes(self) -> float:
        """A in minutes."""
        if self.adequate_min is not None:
            return self.adequate_min
        assert self.adequate_h is not None  # guaranteed by the model validator
        return self.adequate_h * 60.0

    def desired_minutes(self, desired_ratio: float = 0.5) -> float:
        """D in minutes (``desired_ratio · A`` when not given)."""
        if self.desired_min is not None:
            return self.desired_min
        if self.desired_h is not None:
            return self.desired_h * 60.0
        return desired_ratio * self.adequate_minutes


class WaitingEnvironment(_Strict):
    """Waiting conditions of a stage: seated/occupied and informed (number display)."""

    occupied: bool = False
    informed: bool = False


class ClassExpectations(_Strict):
    """Per-class scaling of A and D (Maister; Brown et al.), default 1 [A]."""

    expectation_scale: float = Field(default=1.0, gt=0.0, le=10.0)


class ConstantPerformance(_Strict):
    """KANO performance x that is the same for every customer."""

    source: Literal["constant"]
    value: Unit


class PerClassPerformance(_Strict):
    """KANO performance x by customer class; classes not listed use ``default``
    (``None``: the attribute is not observed for them)."""

    source: Literal["per_class"]
    values: dict[str, Unit]
    default: Unit | None = None


class StageFlagPerformance(_Strict):
    """x = 1 when the simulator marked the customer with ``flag`` (e.g. tea served), else 0."""

    source: Literal["stage_flag"]
    flag: str = Field(min_length=1)


class WaitBasedPerformance(_Strict):
    """x = 1 − clip((p − D)/(A − D), 0, 1) from the perceived wait at ``stage`` (§2.6)."""

    source: Literal["wait_based"]
    stage: str = Field(min_length=1)


Performance = Annotated[
    ConstantPerformance | PerClassPerformance | StageFlagPerformance | WaitBasedPerformance,
    Field(discriminator="source"),
]


class KanoAttribute(_Strict):
    """A KANO attribute (§2.6): class, SERVQUAL dimension, performance source, (B, W).

    ``better``/``worse`` default to the profile's per-class defaults. ``worse`` accepts
    Berger's signed Worse coefficient (``-0.08``) and is stored as its magnitude W.
    """

    id: str = Field(min_length=1)
    kano_class: Literal["must_be", "one_dimensional", "attractive", "indifferent", "reverse"] = (
        Field(alias="class")
    )
    dimension: Literal["reliability", "responsiveness", "assurance", "empathy", "tangibles"]
    performance: Performance
    better: Unit | None = None
    worse: float | None = Field(default=None, ge=-1.0, le=1.0)

    @field_validator("worse")
    @classmethod
    def _magnitude(cls, v: float | None) -> float | None:
        return None if v is None else abs(v)

    @model_validator(mode="after")
    def _no_reverse_wait(self) -> KanoAttribute:
        if self.kano_class == "reverse" and self.performance.source == "wait_based":
            raise ValueError(
                "class reverse cannot use wait_based performance "
                "(it would reward longer waits; expected another source)"
            )
        return self

    def coefficients(self, defaults: KanoDefaults) -> tuple[float, float]:
        """(B, W) with the class defaults filled in."""
        d: BetterWorse = getattr(defaults, self.kano_class)
        b = d.better if self.better is None else self.better
        w = d.worse if self.worse is None else self.worse
        return float(b), float(w)


class AggregationConfig(_Strict):
    """Aggregation section: preset, optional custom ω, optional phase weights (§2.7)."""

    preset: Literal["blend", "mean", "peak_end", "verhoef", "custom"] = "blend"
    mean: Unit | None = None
    worst: Unit | None = None
    best: Unit | None = None
    end: Unit | None = None
    phase_weights: PhaseWeights | None = None

    def _custom(self) -> tuple[float, float, float, float] | None:
        """The explicit (mean, worst, best, end), or None when not given."""
        m, w, b, e = self.mean, self.worst, self.best, self.end
        if m is None or w is None or b is None or e is None:
            return None
        return (float(m), float(w), float(b), float(e))

    @model_validator(mode="after")
    def _omega_consistent(self) -> AggregationConfig:
        given = [self.mean, self.worst, self.best, self.end]
        n_given = sum(v is not None for v in given)
        if 0 < n_given < 4:
            raise ValueError(f"custom ω needs all of mean, worst, best, end (got {n_given} of 4)")
        custom = self._custom()
        if custom is None and self.preset == "custom":
            raise ValueError("preset custom needs mean, worst, best and end")
        if custom is not None:
            m, w, b, e = custom
            AggregationWeights(mean=m, worst=w, best=b, end=e)
            if self.preset in OMEGA_PRESETS:
                want = OMEGA_PRESETS[self.preset]
                if any(abs(x - y) > _SUM_TOL for x, y in zip(custom, want, strict=True)):
                    raise ValueError(
                        f"must match preset {self.preset} (got {custom}; expected {want}); "
                        "use preset: custom for other weights"
                    )
        return self

    def omega(self, profile: AggregationWeights) -> AggregationWeights:
        """The ω this section selects, given the profile's ω (used by ``blend``)."""
        custom = self._custom()
        if custom is not None:
            m, w, b, e = custom
            return AggregationWeights(mean=m, worst=w, best=b, end=e)
        if self.preset in OMEGA_PRESETS:
            m, w, b, e = OMEGA_PRESETS[self.preset]
            return AggregationWeights(mean=m, worst=w, best=b, end=e)
        return profile


class RecoveryConfig(_Strict):
    """Recovery section: optional weights override and the in-visit recovery standard.

    ``timeliness_in_responsiveness`` (default False) adds, for every failure with an
    attempted recovery, a responsiveness observation of ``resolution_min / T_rec`` (§2.4
    "recovery timeliness ... use the same function"). It is off by default because
    timeliness already enters ρ through τ and the §2.11 failure table is computed without it.
    """

    weights: RecoveryWeights | None = None
    urgent_fix_standard_min: float = Field(default=10.0, gt=0.0, le=525_600.0)
    timeliness_in_responsiveness: bool = False


class OutputsConfig(_Strict):
    """Outputs: draw simulated survey answers; let the paradox reach loyalty (§2.9)."""

    sample_responses: bool = True
    paradox_in_loyalty: bool = False


class SatisfactionConfig(_Strict):
    """The scenario's ``satisfaction:`` section (§2.12).

    ``weights`` and the aggregation/recovery weights override the profile when given
    (see :func:`resolve_parameters`).
    """

    profile: str = "default"
    weights: DimensionWeights | None = None
    aggregation: AggregationConfig = AggregationConfig()
    facility_level: Unit = 0.5
    standards: list[StandardConfig] = Field(default_factory=list)
    waiting_environment: dict[str, WaitingEnvironment] = Field(default_factory=dict)
    classes: dict[str, ClassExpectations] = Field(default_factory=dict)
    kano_attributes: list[KanoAttribute] = Field(default_factory=list)
    recovery: RecoveryConfig = RecoveryConfig()
    outputs: OutputsConfig = OutputsConfig()

    @field_validator("standards")
    @classmethod
    def _unique_standards(cls, v: list[StandardConfig]) -> list[StandardConfig]:
        seen_ids: set[str] = set()
        seen_targets: set[str] = set()
        for s in v:
            if s.id in seen_ids:
                raise ValueError(f"duplicate standard id (got {s.id!r}; expected unique ids)")
            seen_ids.add(s.id)
            target = s.stage if s.stage is not None else f"applies_to:{s.applies_to}"
            if target in seen_targets:
                raise ValueError(
                    f"two standards for the same target (got {target!r}; expected one each)"
                )
            seen_targets.add(target)
        return v

    @field_validator("kano_attributes")
    @classmethod
    def _unique_attributes(cls, v: list[KanoAttribute]) -> list[KanoAttribute]:
        ids = [a.id for a in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate kano attribute id (got {dup}; expected unique ids)")
        return v

    def expectation_scale(self, class_name: str) -> float:
        """Expectation scale of a class (1 for classes not listed)."""
        c = self.classes.get(class_name)
        return 1.0 if c is None else c.expectation_scale

    def standard_for_stage(self, stage: str) -> StandardConfig | None:
        """The wait standard of ``stage``, if any."""
        for s in self.standards:
            if s.stage == stage:
                return s
        return None


def resolve_parameters(
    params: ModelParameters, config: SatisfactionConfig | None = None
) -> ModelParameters:
    """Apply the scenario section's overrides to a profile.

    Parameters
    ----------
    params : ModelParameters
        The profile (defaults or fitted).
    config : SatisfactionConfig, optional
        Scenario section; its ``weights``, aggregation ω/phase weights and recovery
        weights replace the profile's when given.

    Returns
    -------
    ModelParameters
        A new, validated profile (``params`` itself when nothing is overridden).

    Examples
    --------
    >>> cfg = SatisfactionConfig(aggregation=AggregationConfig(preset="mean"))
    >>> resolve_parameters(ModelParameters(), cfg).omega.mean
    1.0
    """
    if config is None:
        return params
    update: dict[str, object] = {}
    if config.weights is not None:
        update["weights"] = config.weights
    omega = config.aggregation.omega(params.omega)
    if omega != params.omega:
        update["omega"] = omega
    if config.aggregation.phase_weights is not None:
        update["phase_weights"] = config.aggregation.phase_weights
    if config.recovery.weights is not None:
        update["recovery_weights"] = config.recovery.weights
    if not update:
        return params
    return params.model_copy(update=update)
