"""The result of the satisfaction model: per-customer predictions of one replication.

:func:`~.predict.predict` builds a :class:`Prediction`; :mod:`~.outputs` samples answers from
it and summarises it. Both import it from here, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario.satisfaction_params import DIMENSIONS

from .tables import OUTCOME_SERVED

__all__ = ["Prediction"]

_REL, _RESP, _ASS, _EMP, _TAN = range(5)


@dataclass(frozen=True)
class Prediction:
    """Per-customer predictions of one replication (arrays indexed by customer id).

    Attributes
    ----------
    dimensions : ndarray, shape (n, 5)
        Aggregated dimension scores (gap-5 scores) in [−1, 1], columns in
        :data:`~.params.DIMENSIONS` order, including the visit items, before the halo.
    q, q_loyalty : ndarray, shape (n,)
        Overall index Q and its loyalty version (no paradox bonus), in [−1, 1].
    p_csat : ndarray, shape (n, 5)
        P(CSAT = 1..5).
    expected_csat, top2, csat_index : ndarray, shape (n,)
        E[CSAT] in [1, 5], P(CSAT ≥ 4), 25·(E[CSAT] − 1).
    p_complaint, p_return : ndarray, shape (n,)
        Probabilities of a complaint and of returning / recommending.
    outcome : ndarray of int8, shape (n,)
        Customer outcome codes (0 served, 1 balked, 2 abandoned).
    stage_scores : ndarray, shape (N, 5)
        Stage scores per row of the :class:`~.tables.StageTable` (NaN = not observed).
    perceived_wait_min : ndarray, shape (N,)
        Perceived wait per row (anticipated wait for a balking row).
    label : str
        ``"uncalibrated defaults"`` unless a fitted profile was used.
    """

    dimensions: np.ndarray
    q: np.ndarray
    q_loyalty: np.ndarray
    p_csat: np.ndarray
    expected_csat: np.ndarray
    top2: np.ndarray
    csat_index: np.ndarray
    p_complaint: np.ndarray
    p_return: np.ndarray
    outcome: np.ndarray
    stage_scores: np.ndarray
    perceived_wait_min: np.ndarray
    label: str

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.q.shape[0])

    @property
    def served(self) -> np.ndarray:
        """Mask of served customers (CSAT "for served" vs "for all arrivals")."""
        return self.outcome == OUTCOME_SERVED

    def dimension(self, name: str) -> np.ndarray:
        """Aggregated score of one dimension by name."""
        return self.dimensions[:, DIMENSIONS.index(name)]

    @property
    def reliability(self) -> np.ndarray:
        """Aggregated reliability."""
        return self.dimensions[:, _REL]

    @property
    def responsiveness(self) -> np.ndarray:
        """Aggregated responsiveness."""
        return self.dimensions[:, _RESP]

    @property
    def assurance(self) -> np.ndarray:
        """Aggregated assurance."""
        return self.dimensions[:, _ASS]

    @property
    def empathy(self) -> np.ndarray:
        """Aggregated empathy."""
        return self.dimensions[:, _EMP]

    @property
    def tangibles(self) -> np.ndarray:
        """Aggregated tangibles."""
        return self.dimensions[:, _TAN]
