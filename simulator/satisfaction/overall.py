"""Step 4: halo, loss transform and the overall index Q in [-1, 1] (satisfaction.md §2.8).

Long waits colour the other dimensions (halo; Taylor 1995), losses weigh more than gains
(v with slope κ at 0; Mittal, Ross & Baldasare 1998; Tversky & Kahneman 1992), and one very
bad dimension can dominate through the worst-dimension term ψ (Taylor & Claxton 1994)
while Q stays monotone in every dimension score. Weights: Zeithaml, Parasuraman & Berry
(1990) [S].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["RESPONSIVENESS", "apply_halo", "loss_transform", "overall_index"]

#: Column of responsiveness in the (reliability, responsiveness, assurance, empathy,
#: tangibles) order.
RESPONSIVENESS = 1


def apply_halo(agg: ArrayLike, h: float = 0.2) -> np.ndarray:
    """Add the halo ``h · min(0, Agg_Resp)`` to every dimension but responsiveness (§2.8).

    Parameters
    ----------
    agg : array_like, shape (n, 5)
        Aggregated dimension scores in the order of :data:`~.params.DIMENSIONS`.
    h : float
        Halo strength.

    Returns
    -------
    numpy.ndarray, shape (n, 5)
        ``s_d = clip(Agg_d + halo, −1, 1)`` for d ≠ responsiveness; responsiveness unchanged.

    Examples
    --------
    >>> apply_halo([[0.0, -0.5, 0.0, 0.0, 0.0]]).round(2).tolist()
    [[-0.1, -0.5, -0.1, -0.1, -0.1]]
    """
    a = np.asarray(agg, dtype=float)
    halo = h * np.minimum(0.0, a[..., RESPONSIVENESS])
    s = np.clip(a + halo[..., None], -1.0, 1.0)
    s[..., RESPONSIVENESS] = a[..., RESPONSIVENESS]
    return s


def loss_transform(s: ArrayLike, kappa: float = 1.5) -> np.ndarray:
    """Loss transform ``v(s) = s`` for s ≥ 0, ``−(1 − (1 + s)^κ)`` for s < 0 (§2.8).

    Slope κ just below 0, v(−1) = −1, increasing on [−1, 1].

    Examples
    --------
    >>> round(float(loss_transform(-0.5)), 4)
    -0.6464
    """
    s = np.asarray(s, dtype=float)
    neg = -(1.0 - np.power(np.clip(1.0 + s, 0.0, None), kappa))
    return np.where(s >= 0, s, neg)


def overall_index(
    s: ArrayLike,
    weights: Sequence[float] = (0.32, 0.22, 0.19, 0.16, 0.11),
    psi: float = 0.3,
    kappa: float = 1.5,
) -> np.ndarray:
    """Overall index ``Q = (1 − ψ)·Σ w_d·v(s_d) + ψ·min_d v(s_d)`` in [−1, 1] (§2.8).

    Parameters
    ----------
    s : array_like, shape (n, 5)
        Dimension scores after the halo (:func:`apply_halo`).
    weights : sequence of 5 floats
        Dimension weights (simplex).
    psi, kappa : float
        Worst-dimension weight and loss curvature.

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> round(float(overall_index([[-0.5, 0, 0, 0, 0]])[0]), 4)
    -0.3387
    """
    v = loss_transform(s, kappa)
    w = np.asarray(weights, dtype=float)
    q = (1.0 - psi) * (v @ w) + psi * v.min(axis=-1)
    return np.clip(q, -1.0, 1.0)
