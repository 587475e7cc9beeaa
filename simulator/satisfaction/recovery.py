"""Service failure and recovery (satisfaction.md §2.5).

Recovery quality ρ weighs fix, timeliness, apology, compensation and follow-up; the order of
the weights follows Davidow (2003, attentiveness), del Río-Lanza et al. (2009, procedural
justice strongest), Smith, Bolton & Wagner (1999, matching the amount to the magnitude) and
Grewal et al. (2008, compensation helps conditionally). The recovery paradox (a small bonus
after an excellent recovery of a first, non-severe failure) is gated after Ok et al.,
Maxham & Netemeyer (2002) and Magnini et al. (2007) and kept out of loyalty (de Matos et
al. 2007); a poor attempted recovery is a double deviation (Bitner et al.).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["compensation_match", "failure_effect", "recovery_quality", "timeliness"]


def timeliness(resolution_min: ArrayLike, recovery_standard_min: ArrayLike) -> np.ndarray:
    """Recovery timeliness τ (§2.5).

    ``τ = 1`` if ``resolution ≤ T_rec``, else ``exp(−(resolution/T_rec − 1))``; a failure
    never resolved (inf or NaN) has τ = 0.

    Examples
    --------
    >>> float(timeliness(5.0, 10.0)), round(float(timeliness(20.0, 10.0)), 4)
    (1.0, 0.3679)
    """
    r = np.asarray(resolution_min, dtype=float)
    t = np.asarray(recovery_standard_min, dtype=float)
    r = np.where(np.isnan(r), np.inf, r)
    with np.errstate(over="ignore", invalid="ignore"):
        late = np.exp(-(r / t - 1.0))
    return np.where(r <= t, 1.0, late)


def compensation_match(compensation_value: ArrayLike, severity: ArrayLike) -> np.ndarray:
    """Compensation matched to the magnitude of the failure: ``κc = min(1, value/σ)`` (§2.5).

    ``compensation_value`` is relative to the price of the failed item (Smith et al. 1999).
    With σ = 0 (no failure) κc is 1 if anything was given, else 0.

    Examples
    --------
    >>> float(compensation_match(0.25, 0.5))
    0.5
    """
    v = np.asarray(compensation_value, dtype=float)
    s = np.asarray(severity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.minimum(1.0, v / s)
    return np.where(s > 0, k, np.where(v > 0, 1.0, 0.0))


def recovery_quality(
    fix: ArrayLike,
    tau: ArrayLike,
    apology: ArrayLike,
    kappa_c: ArrayLike,
    follow_up: ArrayLike,
    weights: Sequence[float] = (0.30, 0.25, 0.20, 0.15, 0.10),
) -> np.ndarray:
    """Recovery quality ``ρ = w·(fix, τ, apology, κc, follow_up)`` in [0, 1] (§2.5).

    Examples
    --------
    >>> round(float(recovery_quality(1, 1.0, 1, 0.0, 1)), 2)
    0.85
    """
    comps = (fix, tau, apology, kappa_c, follow_up)
    rho = sum(w * np.asarray(c, dtype=float) for w, c in zip(weights, comps, strict=True))
    return np.clip(np.asarray(rho, dtype=float), 0.0, 1.0)


def failure_effect(
    severity: ArrayLike,
    rho: ArrayLike,
    attempted: ArrayLike,
    first: ArrayLike,
    *,
    pi: float = 0.20,
    rho_star: float = 0.8,
    sigma_star: float = 0.5,
    dd: float = 0.25,
    paradox: bool = True,
) -> np.ndarray:
    """Reliability effect F_f of one failure (§2.5).

    ``F = −σ·(1 − ρ) − dd·σ·[attempted and ρ < 0.3] + π·σ·[ρ ≥ ρ* and first and σ ≤ σ*]``;
    ``paradox=False`` drops the bonus (the loyalty version). σ = 0 gives 0.

    Parameters
    ----------
    severity : array_like
        σ in [0, 1] (0 = no failure).
    rho : array_like
        Recovery quality ρ.
    attempted, first : array_like of bool
        A recovery was attempted; this is the first failure of the visit.
    pi, rho_star, sigma_star, dd : float
        Paradox bonus and its gates, double-deviation penalty.
    paradox : bool
        Include the paradox bonus.

    Returns
    -------
    numpy.ndarray
        F in [−(1 + dd)·σ, π·σ].

    Examples
    --------
    >>> round(float(failure_effect(0.5, 0.2, True, True)), 3)
    -0.525
    >>> round(float(failure_effect(0.5, 1.0, True, True)), 3)
    0.1
    """
    s = np.asarray(severity, dtype=float)
    r = np.asarray(rho, dtype=float)
    att = np.asarray(attempted, dtype=bool)
    f = -s * (1.0 - r) - dd * s * (att & (r < 0.3))
    if paradox:
        f = f + pi * s * ((r >= rho_star) & np.asarray(first, dtype=bool) & (s <= sigma_star))
    return np.where(s > 0, f, 0.0)
