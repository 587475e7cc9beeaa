"""Step 1 of the satisfaction model: perceived waits (satisfaction.md §2.3).

Customers overestimate waits: at the standard the perceived/actual ratio is m0 = 1.36
(Larson, as reported by the New York Times [S]). Occupied and informed waits feel shorter
(Maister 1985; Taylor 1995; Pruyn & Smidts 1998), being overtaken feels unfair and longer
(Larson 1987; Whiting & Donthu). The power form ``p = m·A·(w/A)^b`` follows Antonides et al.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["anticipated_wait", "perceived_wait", "perception_multiplier"]


def perception_multiplier(
    occupied: ArrayLike,
    informed: ArrayLike,
    overtaken: ArrayLike,
    *,
    m0: float = 1.36,
    a_occ: float = 0.20,
    a_info: float = 0.10,
    a_fair: float = 0.15,
    overtaken_cap: int = 3,
) -> np.ndarray:
    """Perception multiplier m of §2.3.

    ``m = m0 · (1 − a_occ·occupied) · (1 − a_info·informed) · (1 + a_fair·min(overtaken, cap))``

    Parameters
    ----------
    occupied, informed : array_like of bool
        Waiting conditions.
    overtaken : array_like of int
        Later arrivals who started service earlier.
    m0, a_occ, a_info, a_fair, overtaken_cap
        Model constants (§2.10).

    Returns
    -------
    numpy.ndarray
        m (dimensionless, > 0).

    Examples
    --------
    >>> round(float(perception_multiplier(True, True, 0)), 4)
    0.9792
    """
    occ = np.asarray(occupied, dtype=float)
    info = np.asarray(informed, dtype=float)
    ov = np.minimum(np.asarray(overtaken, dtype=float), overtaken_cap)
    return m0 * (1.0 - a_occ * occ) * (1.0 - a_info * info) * (1.0 + a_fair * ov)


def perceived_wait(
    wait: ArrayLike, adequate: ArrayLike, multiplier: ArrayLike, b: float = 1.0
) -> np.ndarray:
    """Perceived wait ``p = m · A · (w/A)^b`` (§2.3), in the unit of ``wait``.

    Where there is no standard (``adequate`` NaN) the power law has no reference and
    ``p = m · w`` is returned.

    Parameters
    ----------
    wait : array_like
        Actual wait w (>= 0; inf allowed).
    adequate : array_like
        Adequate level A (> 0) in the same unit, or NaN.
    multiplier : array_like
        m from :func:`perception_multiplier`.
    b : float
        Power exponent (1 = proportional).

    Returns
    -------
    numpy.ndarray
        Perceived wait p.

    Examples
    --------
    >>> float(perceived_wait(15.0, 15.0, 1.36))
    20.400000000000002
    """
    w = np.asarray(wait, dtype=float)
    a = np.asarray(adequate, dtype=float)
    m = np.asarray(multiplier, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        powered = m * a * np.power(w / a, b)
    return np.where(np.isnan(a), m * w, powered)


def anticipated_wait(
    queue_on_arrival: ArrayLike, nominal_service_min: ArrayLike, servers_on_arrival: ArrayLike
) -> np.ndarray:
    """Wait a balking customer anticipates: ``Ŵ = (queue + 1)·E[S]/c`` (§2.4).

    Parameters
    ----------
    queue_on_arrival : array_like of int
        Customers waiting when the customer arrived.
    nominal_service_min : array_like
        Mean service time E[S] (min).
    servers_on_arrival : array_like of int
        Servers on duty c; with c = 0 the anticipated wait is infinite.

    Returns
    -------
    numpy.ndarray
        Ŵ in the unit of ``nominal_service_min``.

    Examples
    --------
    >>> float(anticipated_wait(9, 6.0, 4))
    15.0
    """
    q = np.asarray(queue_on_arrival, dtype=float)
    s = np.asarray(nominal_service_min, dtype=float)
    c = np.asarray(servers_on_arrival, dtype=float)
    ok = c > 0
    w = (q + 1.0) * s / np.where(ok, c, 1.0)
    return np.where(ok, w, np.where(np.isnan(s), np.nan, np.inf))
