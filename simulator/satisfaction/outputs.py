"""Step 5: CSAT distribution, complaint and return heads, sampled answers (satisfaction.md §2.9).

CSAT 1–5 is an ordered logit in Q (McCullagh 1980) with cut-points chosen so that Q = 0 gives
E[CSAT] = 4.0 and an 80 % top-2-box (≈ Jones & Sasser 1995). Complaint and return are
logistic heads anchored to TARP's voice and loyalty figures. Expected values come first;
simulated survey answers are drawn from a dedicated stream, in customer-id order.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from .prediction import Prediction


def _expit(x: ArrayLike) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)): scipy's, imported on first use (scipy.special
    is slow to import, and loading a scenario needs none of it)."""
    from scipy.special import expit

    return expit(x)

__all__ = [
    "SampledResponses",
    "complaint_probability",
    "csat_index",
    "csat_probabilities",
    "expected_csat",
    "return_failure_terms",
    "return_probability",
    "sample_responses",
    "satisfaction_rng",
    "summarise",
    "top2_box",
]

_CUTPOINTS = (-4.94, -3.75, -1.39, 1.21)


def csat_probabilities(
    q: ArrayLike, beta: float = 4.86, cutpoints: tuple[float, ...] = _CUTPOINTS
) -> np.ndarray:
    """Category probabilities of the ordered logit ``P(CSAT ≤ k) = Λ(c_k − β·Q)`` (§2.9).

    Parameters
    ----------
    q : array_like, shape (n,)
        Overall index Q.
    beta : float
        Slope (> 0).
    cutpoints : tuple of 4 increasing floats
        c_1..c_4.

    Returns
    -------
    numpy.ndarray, shape (n, 5)
        P(CSAT = 1..5); rows are non-negative and sum to 1.

    Examples
    --------
    >>> csat_probabilities([0.0]).round(2).tolist()
    [[0.01, 0.02, 0.18, 0.57, 0.23]]
    """
    q = np.asarray(q, dtype=float)
    c = np.asarray(cutpoints, dtype=float)
    cum = _expit(c[None, :] - beta * q.reshape(-1, 1))
    cum = np.concatenate((np.zeros((cum.shape[0], 1)), cum, np.ones((cum.shape[0], 1))), axis=1)
    p = np.clip(np.diff(cum, axis=1), 0.0, 1.0)
    return p.reshape((*q.shape, 5))


def expected_csat(p_csat: ArrayLike) -> np.ndarray:
    """E[CSAT] = Σ k·P(CSAT = k), in [1, 5].

    Examples
    --------
    >>> float(expected_csat([[0, 0, 0, 1, 0]])[0])
    4.0
    """
    p = np.asarray(p_csat, dtype=float)
    return p @ np.arange(1.0, 6.0)


def top2_box(p_csat: ArrayLike) -> np.ndarray:
    """Top-2-box probability P(CSAT ≥ 4).

    Examples
    --------
    >>> float(top2_box([[0.1, 0.1, 0.1, 0.3, 0.4]])[0])
    0.7
    """
    p = np.asarray(p_csat, dtype=float)
    return p[..., 3] + p[..., 4]


def csat_index(expected: ArrayLike) -> np.ndarray:
    """Index 0–100 = 25·(E[CSAT] − 1).

    Examples
    --------
    >>> float(csat_index(4.0))
    75.0
    """
    return 25.0 * (np.asarray(expected, dtype=float) - 1.0)


def complaint_probability(
    q: ArrayLike, sigma_unrecovered: ArrayLike, gamma: tuple[float, float, float] = (-4.5, 3.0, 3.0)
) -> np.ndarray:
    """``P(complaint) = Λ(γ0 + γ1·max(0, −Q) + γ2·σ_unrec)`` (§2.9; TARP: 1 in 27 voice).

    ``σ_unrec`` is the largest ``σ·(1 − ρ)`` of the visit (0 without failures).

    Examples
    --------
    >>> round(float(complaint_probability(0.0, 0.0)), 3)
    0.011
    """
    q = np.asarray(q, dtype=float)
    su = np.asarray(sigma_unrecovered, dtype=float)
    g0, g1, g2 = gamma
    return _expit(g0 + g1 * np.maximum(0.0, -q) + g2 * su)


def return_probability(
    q_loyalty: ArrayLike,
    failure_term: ArrayLike,
    eta: tuple[float, float, float, float] = (1.4, 2.0, 2.9, 3.1),
) -> np.ndarray:
    """``P(return) = Λ(η0 + η1·Q_loy + Σ_f min(0, −η2·σ_f + η3·ρ_f))`` (§2.9).

    ``failure_term`` is the per-customer sum over failures (see
    :func:`return_failure_terms`); η2, η3 only enter there.

    Examples
    --------
    >>> round(float(return_probability(0.0, 0.0)), 2)
    0.8
    """
    return _expit(eta[0] + eta[1] * np.asarray(q_loyalty, dtype=float) + np.asarray(failure_term))


def return_failure_terms(
    severity: ArrayLike,
    rho: ArrayLike,
    eta: tuple[float, float, float, float] = (1.4, 2.0, 2.9, 3.1),
    uncapped: ArrayLike = False,
) -> np.ndarray:
    """Per-failure loyalty term ``min(0, −η2·σ + η3·ρ)``; 0 where σ = 0.

    Where ``uncapped`` is true (paradox-eligible failures when ``paradox_in_loyalty`` is
    set), the min(0, ·) cap is lifted.

    Examples
    --------
    >>> round(float(return_failure_terms(0.5, 0.0)), 2)
    -1.45
    """
    s = np.asarray(severity, dtype=float)
    t = -eta[2] * s + eta[3] * np.asarray(rho, dtype=float)
    t = np.where(np.asarray(uncapped, dtype=bool), t, np.minimum(0.0, t))
    return np.where(s > 0, t, 0.0)


class SampledResponses(NamedTuple):
    """Simulated survey answers, complaints and returns, one entry per customer."""

    csat: np.ndarray
    """int8 in 1..5."""
    complaint: np.ndarray
    """bool."""
    returned: np.ndarray
    """bool."""


def satisfaction_rng(seed: int, replication: int, day: int = 0) -> np.random.Generator:
    """The dedicated stream ``SeedSequence(seed, spawn_key=(replication, crc32(b"satisfaction")))``.

    Using a stream of its own keeps arrival and service streams unchanged when the model is
    enabled (common random numbers, §2.14).

    Examples
    --------
    >>> a = satisfaction_rng(1, 0).random(); b = satisfaction_rng(1, 0).random(); a == b
    True
    """
    key = (replication, zlib.crc32(b"satisfaction"))
    # day d > 0 of a calendar appends its index, as every engine stream does
    ss = np.random.SeedSequence(seed, spawn_key=key if day == 0 else (*key, day))
    return np.random.default_rng(ss)


def sample_responses(prediction: Prediction, rng: np.random.Generator) -> SampledResponses:
    """Draw CSAT answers, complaints and returns from a prediction.

    Three uniforms per customer are drawn as one ``(n, 3)`` block, row i for customer i, so
    the draws are in customer-id order and customer i's answers do not depend on later
    customers. CSAT is drawn by inverting its cumulative distribution.

    Parameters
    ----------
    prediction : Prediction
        Output of :func:`~.predict.predict`.
    rng : numpy.random.Generator
        The caller's ``satisfaction`` stream (see :func:`satisfaction_rng`); never global state.

    Returns
    -------
    SampledResponses
        ``(csat, complaint, returned)`` arrays of length n.

    Examples
    --------
    >>> from simulator.satisfaction import CustomerTable, StageTable, predict
    >>> pred = predict(StageTable.build([0], [5.0], adequate_min=15.0), CustomerTable.build([0]))
    >>> sample_responses(pred, satisfaction_rng(7, 0)).csat.shape
    (1,)
    """
    p = np.asarray(prediction.p_csat, dtype=float)
    n = p.shape[0]
    u = rng.random((n, 3))
    cum = np.cumsum(p, axis=1)
    csat = 1 + (u[:, :1] > cum[:, :4]).sum(axis=1)
    complaint = u[:, 1] < prediction.p_complaint
    returned = u[:, 2] < prediction.p_return
    return SampledResponses(csat.astype(np.int8), complaint, returned)


def summarise(prediction: Prediction) -> dict[str, float]:
    """Per-replication satisfaction KPIs (expected values).

    CSAT is reported for *served* customers and separately for *all arrivals* (§2.9).

    Returns
    -------
    dict
        ``n_served``, ``n_all``, ``csat_mean_served``, ``csat_mean_all``,
        ``top2_served``, ``top2_all``, ``index_served``, ``index_all``,
        ``complaint_rate`` and ``return_rate`` (all arrivals), ``label``-free floats (NaN
        when a group is empty).
    """
    served = prediction.served
    out: dict[str, float] = {"n_served": float(served.sum()), "n_all": float(served.size)}

    def mean(a: np.ndarray, mask: np.ndarray | None = None) -> float:
        a = a if mask is None else a[mask]
        return float(a.mean()) if a.size else float("nan")

    out["csat_mean_served"] = mean(prediction.expected_csat, served)
    out["csat_mean_all"] = mean(prediction.expected_csat)
    out["top2_served"] = mean(prediction.top2, served)
    out["top2_all"] = mean(prediction.top2)
    out["index_served"] = mean(prediction.csat_index, served)
    out["index_all"] = mean(prediction.csat_index)
    out["complaint_rate"] = mean(prediction.p_complaint)
    out["return_rate"] = mean(prediction.p_return)
    return out
