"""KANO attributes (satisfaction.md §2.6).

Each attribute contributes ``k_j(x) = B·φ⁺(x) − W·φ⁻(x)`` to its SERVQUAL dimension, with
performance x in [0, 1], curvature a = 3, and Better/Worse coefficients B, W = |Worse| from
a Kano survey (Berger et al. 1993) or the class defaults. Shapes (Kano et al. 1984;
Sauerwein et al. 1996): attractive is convex and 0 at x = 0, must-be concave and 0 at x = 1,
one-dimensional linear, reverse the mirror of one-dimensional, indifferent 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["berger_coefficients", "kano_contribution", "kano_shapes"]


def kano_shapes(x: ArrayLike, kano_class: str, a: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Shapes (φ⁺, φ⁻) of a KANO class at performance x (§2.6).

    Parameters
    ----------
    x : array_like
        Performance in [0, 1].
    kano_class : {"attractive", "one_dimensional", "must_be", "reverse", "indifferent"}
        KANO class.
    a : float
        Curvature of the attractive and must-be shapes.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        φ⁺ (satisfaction when present) and φ⁻ (dissatisfaction when absent), in [0, 1].

    Examples
    --------
    >>> [round(float(v), 3) for v in kano_shapes(0.5, "attractive")]
    [0.182, 0.0]
    """
    x = np.asarray(x, dtype=float)
    zero = np.zeros_like(x)
    if kano_class == "attractive":
        return np.expm1(a * x) / np.expm1(a), zero
    if kano_class == "one_dimensional":
        return x, 1.0 - x
    if kano_class == "must_be":
        return zero, (np.exp(-a * x) - np.exp(-a)) / (1.0 - np.exp(-a))
    if kano_class == "reverse":
        return 1.0 - x, x
    if kano_class == "indifferent":
        return zero, zero.copy()
    raise ValueError(
        f"unknown KANO class (got {kano_class!r}; expected attractive, one_dimensional, "
        "must_be, reverse or indifferent)"
    )


def kano_contribution(
    x: ArrayLike, kano_class: str, better: float, worse: float, a: float = 3.0
) -> np.ndarray:
    """Contribution ``k_j(x) = B·φ⁺(x) − W·φ⁻(x)`` of a KANO attribute (§2.6).

    ``worse`` may be given signed (Berger's Worse is negative); its magnitude is used.
    NaN performance (attribute not applicable) contributes 0.

    Examples
    --------
    >>> [round(float(kano_contribution(x, "must_be", 0.1, 0.7)), 2) for x in (0, 0.5, 1)]
    [-0.7, -0.13, 0.0]
    """
    x = np.asarray(x, dtype=float)
    plus, minus = kano_shapes(x, kano_class, a)
    k = better * plus - abs(worse) * minus
    return np.where(np.isnan(x), 0.0, k)


def berger_coefficients(
    attractive: ArrayLike, one_dimensional: ArrayLike, must_be: ArrayLike, indifferent: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Better and |Worse| coefficients from Kano survey counts (Berger et al. 1993).

    ``B = (A + O)/(A + O + M + I)``, ``W = (O + M)/(A + O + M + I)``.

    Examples
    --------
    >>> [float(v) for v in berger_coefficients(40, 30, 20, 10)]
    [0.7, 0.5]
    """
    a_, o, m, i = (
        np.asarray(v, dtype=float) for v in (attractive, one_dimensional, must_be, indifferent)
    )
    total = a_ + o + m + i
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a_ + o) / total, (o + m) / total
