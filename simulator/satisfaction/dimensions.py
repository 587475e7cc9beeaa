"""Step 2: stage scores on the five SERVQUAL dimensions, each in [-1, 1] (satisfaction.md §2.4).

0 means "as expected" (disconfirmation S = P − E; Parasuraman, Zeithaml & Berry 1988).
Failures and recovery (reliability) are in :mod:`.recovery`, KANO attributes in :mod:`.kano`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "assurance",
    "crowding",
    "crowding_item",
    "empathy",
    "facility_item",
    "reliability",
    "responsiveness",
    "rush",
]


def responsiveness(
    x: ArrayLike,
    x_desired: ArrayLike,
    g: ArrayLike,
    eps: float = 0.10,
    lam: float = 1.0,
) -> np.ndarray:
    """Responsiveness of a wait against the tolerance zone (§2.4).

    With x = p/A and x_D = D/A::

        x ≤ x_D      : g · (1 − x/x_D)
        x_D < x ≤ 1  : −ε · (x − x_D)/(1 − x_D)
        x > 1        : −ε − (1 − ε) · (1 − exp(−λ·(x − 1)))

    The zone of tolerance is Zeithaml, Berry & Parasuraman (1993); the delight cap g follows
    the KANO class of the standard (Kano; Sauerwein et al.); the loss side is measured
    against the external standard (Caruelle et al.; Webb et al.).

    Parameters
    ----------
    x : array_like
        Perceived wait over the adequate level (>= 0; inf gives −1; NaN gives NaN).
    x_desired : array_like
        D/A in (0, 1).
    g : array_like
        Delight cap in [0, 1].
    eps, lam : float
        Zone slope ε and loss slope λ.

    Returns
    -------
    numpy.ndarray
        Score in [−1, g], continuous and non-increasing in x (strictly for x > x_D if ε > 0).

    Examples
    --------
    >>> round(float(responsiveness(1.36, 0.5, 0.3)), 4)
    -0.3721
    """
    x = np.asarray(x, dtype=float)
    xd = np.asarray(x_desired, dtype=float)
    g = np.asarray(g, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        better = g * (1.0 - x / xd)
        zone = -eps * (x - xd) / (1.0 - xd)
        beyond = -eps - (1.0 - eps) * (1.0 - np.exp(-lam * (x - 1.0)))
    out = np.where(x <= xd, better, np.where(x <= 1.0, zone, beyond))
    return np.where(np.isnan(x) | np.isnan(xd), np.nan, out)


def reliability(
    wait: ArrayLike,
    adequate: ArrayLike,
    promise: ArrayLike,
    failure_effect: ArrayLike,
    abandoned: ArrayLike,
    *,
    promise_pen: float = 0.30,
    abandoned_reliability: float = -0.5,
) -> np.ndarray:
    """Reliability of a stage (§2.4).

    ``R_k = clip(−promise_pen·[w > A and promise] + Σ F_f, −1, 1)``; a customer who abandoned
    at the stage gets ``abandoned_reliability`` (service not delivered) in place of the
    promise term (Taylor 1995: delays lower reliability evaluations).

    Parameters
    ----------
    wait, adequate : array_like
        Actual wait and the *published* adequate level (NaN = no standard).
    promise : array_like of bool
        The standard is published.
    failure_effect : array_like
        Σ F_f of the failures at the stage (:func:`.recovery.failure_effect`), 0 if none.
    abandoned : array_like of bool
        The customer abandoned at this stage.
    promise_pen, abandoned_reliability : float
        Model constants.

    Returns
    -------
    numpy.ndarray
        Score in [−1, 1] (positive only through the recovery-paradox bonus).

    Examples
    --------
    >>> float(reliability(20.0, 15.0, True, 0.0, False))
    -0.3
    """
    w = np.asarray(wait, dtype=float)
    a = np.asarray(adequate, dtype=float)
    with np.errstate(invalid="ignore"):
        broken = np.asarray(promise, dtype=bool) & (w > a)
    base = np.where(np.asarray(abandoned, dtype=bool), abandoned_reliability, -promise_pen * broken)
    return np.clip(base + np.asarray(failure_effect, dtype=float), -1.0, 1.0)


def assurance(staff_skill: ArrayLike, k_a: float = 0.5) -> np.ndarray:
    """Assurance ``k_A · (2·skill − 1)`` (§2.4): a mid-level (0.5) employee meets expectations.

    Examples
    --------
    >>> float(assurance(1.0))
    0.5
    """
    return k_a * (2.0 * np.asarray(staff_skill, dtype=float) - 1.0)


def rush(
    service_min: ArrayLike, nominal_service_min: ArrayLike, others_waiting: ArrayLike
) -> np.ndarray:
    """Rushed service ``clip(1 − service/nominal, 0, 1)`` when others were waiting (§2.4).

    Zero when nobody was waiting, or when either time is unknown (Noone et al.: an
    inverted U of pace).

    Examples
    --------
    >>> float(rush(3.0, 6.0, True))
    0.5
    """
    s = np.asarray(service_min, dtype=float)
    nom = np.asarray(nominal_service_min, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(1.0 - s / nom, 0.0, 1.0)
    ok = np.asarray(others_waiting, dtype=bool) & np.isfinite(r) & (nom > 0)
    return np.where(ok, r, 0.0)


def empathy(
    staff_skill: ArrayLike, rush_k: ArrayLike, k_e: float = 0.3, k_rush: float = 0.4
) -> np.ndarray:
    """Empathy ``k_E · (2·skill − 1) − k_rush · rush`` (§2.4).

    Examples
    --------
    >>> float(empathy(0.5, 0.5))
    -0.2
    """
    return k_e * (2.0 * np.asarray(staff_skill, dtype=float) - 1.0) - k_rush * np.asarray(
        rush_k, dtype=float
    )


def facility_item(facility_level: ArrayLike, k_t: float = 0.5) -> np.ndarray:
    """Visit tangibles item ``T_0 = k_T · (2·facility_level − 1)`` (§2.4).

    Examples
    --------
    >>> float(facility_item(0.5))
    0.0
    """
    return k_t * (2.0 * np.asarray(facility_level, dtype=float) - 1.0)


def crowding(
    queue_on_arrival: ArrayLike,
    area_capacity: ArrayLike,
    servers_on_arrival: ArrayLike,
    crowd_per_server: float = 5.0,
) -> np.ndarray:
    """Crowding seen on arrival: ``queue / area_capacity``, else ``queue / (servers·5)`` (§2.4).

    With no capacity and no server on duty, a non-empty queue counts as fully crowded (inf).

    Examples
    --------
    >>> float(crowding(8, np.nan, 2))
    0.8
    """
    q = np.asarray(queue_on_arrival, dtype=float)
    cap = np.asarray(area_capacity, dtype=float)
    c = np.asarray(servers_on_arrival, dtype=float)
    seats = np.where(np.isnan(cap), c * crowd_per_server, cap)
    with np.errstate(divide="ignore", invalid="ignore"):
        crowd = q / seats
    return np.where(q > 0, crowd, 0.0)


def crowding_item(crowd: ArrayLike, k_crowd: float = 0.5, c0: float = 0.7) -> np.ndarray:
    """Stage tangibles item ``−k_crowd · clip((crowd − c0)/(1 − c0), 0, 1)`` (§2.4).

    Examples
    --------
    >>> float(crowding_item(1.0))
    -0.5
    """
    crowd = np.asarray(crowd, dtype=float)
    return -k_crowd * np.clip((crowd - c0) / (1.0 - c0), 0.0, 1.0)
