"""The calibration's search space: parameter blocks and the penalised ordered-logit loss.

Each block maps some of :class:`~simulator.scenario.satisfaction_params.ModelParameters` to an
unconstrained-enough optimiser vector (cut-points by their first value and log-gaps, weight
vectors by softmax logits) with bounds and a ridge penalty toward the starting profile;
:class:`PenalisedObjective` adds the ordered-logit negative log-likelihood of the survey's
CSAT answers (satisfaction.md §2.13). :mod:`~.calibrate` chooses the blocks and runs the fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.scenario.satisfaction_params import (
    ModelParameters,
    SatisfactionConfig,
)

from .outputs import csat_probabilities
from .predict import predict
from .survey import Survey

__all__ = [
    "ParamBlock",
    "PenalisedObjective",
    "beta_block",
    "cutpoints_block",
    "cuts_from",
    "field_bounds",
    "ordered_logit_nll",
    "phase_weights_block",
    "scalar_block",
    "simplex_block",
]


def ordered_logit_nll(csat: np.ndarray, q: np.ndarray, beta: float,
                      cutpoints: np.ndarray | tuple[float, ...]) -> float:
    """Negative log-likelihood of CSAT answers 1..5 under ``P(CSAT ≤ k) = Λ(c_k − β·Q)``.

    Examples
    --------
    >>> cuts = (-4.94, -3.75, -1.39, 1.21)
    >>> round(ordered_logit_nll(np.array([4]), np.array([0.0]), 4.86, cuts), 3)
    0.561
    """
    p = csat_probabilities(q, beta, tuple(float(c) for c in cutpoints))
    pk = p[np.arange(csat.shape[0]), csat.astype(np.int64) - 1]
    return float(-np.sum(np.log(np.maximum(pk, 1e-300))))


@dataclass
class ParamBlock:
    """Some parameters as a slice of the optimiser vector: start, bounds, how a vector
    updates :class:`ModelParameters`, its ridge penalty, and whether it changes Q."""

    name: str
    x0: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    update: Callable[[np.ndarray], dict[str, Any]]
    penalty: Callable[[np.ndarray], float]
    affects_q: bool


def field_bounds(name: str) -> tuple[float, float]:
    """(lower, upper) bounds of a :class:`ModelParameters` field from its declaration."""
    lo, hi = -math.inf, math.inf
    for m in ModelParameters.model_fields[name].metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = float(getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = float(getattr(m, attr))
    return lo, hi


def scalar_block(name: str, base: ModelParameters) -> ParamBlock:
    """One scalar parameter within its declared bounds, penalised by half the bound width."""
    lo, hi = field_bounds(name)
    x0 = float(getattr(base, name))
    s = (hi - lo) / 2.0

    return ParamBlock(name, np.array([x0]), np.array([lo]), np.array([hi]),
                  lambda x: {name: float(x[0])},
                  lambda x: float(((x[0] - x0) / s) ** 2), affects_q=True)


def beta_block(base: ModelParameters) -> ParamBlock:
    """The ordered-logit slope β in [0.2, 25], penalised by half its starting value."""
    b0 = base.beta
    s = b0 / 2.0
    return ParamBlock("beta", np.array([b0]), np.array([0.2]), np.array([25.0]),
                  lambda x: {"beta": float(x[0])},
                  lambda x: float(((x[0] - b0) / s) ** 2), affects_q=False)


def cuts_from(x: np.ndarray) -> tuple[float, float, float, float]:
    """Increasing cut-points from the first cut-point and three log-gaps."""
    c = np.cumsum(np.concatenate(([x[0]], np.exp(x[1:]))))
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3]))


def cutpoints_block(base: ModelParameters) -> ParamBlock:
    """The four cut-points as the first and three log-gaps (always increasing)."""
    c0 = np.asarray(base.cutpoints, dtype=float)
    x0 = np.concatenate(([c0[0]], np.log(np.diff(c0))))
    return ParamBlock("cutpoints", x0, np.array([-20.0, -6.0, -6.0, -6.0]),
                  np.array([20.0, 3.5, 3.5, 3.5]),
                  lambda x: {"cutpoints": cuts_from(x)},
                  lambda x: float(np.sum((np.asarray(cuts_from(x)) - c0) ** 2)),
                  affects_q=False)


def simplex_block(name: str, base: ModelParameters) -> ParamBlock:
    """A weight vector that sums to 1, searched on its softmax logits."""
    model = getattr(base, name)
    keys = list(type(model).model_fields)
    w0 = np.maximum(np.asarray(model.as_tuple(), dtype=float), 1e-3)
    x0 = np.log(w0) - np.mean(np.log(w0))
    cls = type(model)

    def update(x: np.ndarray) -> dict[str, Any]:
        w = np.exp(x - np.max(x))
        w = w / w.sum()
        vals = [float(v) for v in w]
        vals[-1] = 1.0 - math.fsum(vals[:-1])
        return {name: cls(**dict(zip(keys, vals, strict=True)))}

    return ParamBlock(name, x0, np.full(x0.size, -8.0), np.full(x0.size, 8.0), update,
                  lambda x: float(np.sum((x - x0) ** 2)), affects_q=True)


def phase_weights_block(base: ModelParameters) -> ParamBlock:
    """The pre/in/post phase weights, each in [0.5, 3]."""
    pw = base.phase_weights
    x0 = np.asarray(pw.as_tuple(), dtype=float)
    s = (3.0 - 0.5) / 2.0
    cls = type(pw)
    return ParamBlock("phase_weights", x0, np.full(3, 0.5), np.full(3, 3.0),
                  lambda x: {"phase_weights": cls.model_validate(
                      {"pre": float(x[0]), "in": float(x[1]), "post": float(x[2])})},
                  lambda x: float(np.sum(((x - x0) / s) ** 2)), affects_q=True)


class PenalisedObjective:
    """Penalised ordered-logit loss over the blocks; Q is cached per Q-parameter vector."""

    def __init__(self, survey: Survey, config: SatisfactionConfig, base: ModelParameters,
                 blocks: list[ParamBlock]) -> None:
        self.survey, self.config, self.base, self.blocks = survey, config, base, blocks
        self.slices: list[slice] = []
        i = 0
        for b in blocks:
            self.slices.append(slice(i, i + b.x0.size))
            i += b.x0.size
        self.x0 = np.concatenate([b.x0 for b in blocks]) if blocks else np.zeros(0)
        self.bounds = list(zip(np.concatenate([b.lower for b in blocks]),
                               np.concatenate([b.upper for b in blocks]), strict=True)) \
            if blocks else []
        self._q_key: tuple[float, ...] | None = None
        self._q: np.ndarray | None = None

    def params(self, x: np.ndarray) -> ModelParameters:
        """The starting profile with every block updated from ``x``."""
        update: dict[str, Any] = {}
        for b, sl in zip(self.blocks, self.slices, strict=True):
            update.update(b.update(x[sl]))
        return self.base.model_copy(update=update)

    def q(self, x: np.ndarray) -> np.ndarray:
        """Overall index Q of every respondent (recomputed only when a Q block moved)."""
        key = tuple(float(v) for b, sl in zip(self.blocks, self.slices, strict=True)
                    if b.affects_q for v in x[sl])
        if key != self._q_key or self._q is None:
            p = self.params(x)
            self._q = predict(self.survey.stages, self.survey.customers, p, self.config).q
            self._q_key = key
        return self._q

    def nll(self, x: np.ndarray) -> float:
        """Ordered-logit negative log-likelihood of the answers at ``x``."""
        p = self.params(x)
        return ordered_logit_nll(self.survey.csat, self.q(x), p.beta, p.cutpoints)

    def penalty(self, x: np.ndarray) -> float:
        """Sum of the blocks' ridge penalties at ``x``."""
        return float(sum(b.penalty(x[sl]) for b, sl in zip(self.blocks, self.slices,
                                                             strict=True)))

    def __call__(self, x: np.ndarray) -> float:
        return self.nll(x) + self.penalty(x)
