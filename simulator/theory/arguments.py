"""Argument checks shared by the closed forms: finite, non-negative, positive, integral.

Each returns the checked value or raises ``ValueError`` with the argument's name and value,
so a bad input to any formula says what was wrong (``servers must be >= 1 (got servers=0)``).
"""

from __future__ import annotations

import math
import operator

__all__ = [
    "check_integer",
    "check_nonneg",
    "check_positive",
    "check_real",
    "unstable_error",
]


def check_real(name: str, value: float) -> float:
    """``value`` as a finite float, else ``ValueError`` naming the argument."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number (got {name}={value!r})") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite (got {name}={value!r})")
    return x


def check_nonneg(name: str, value: float) -> float:
    """``value`` as a finite float >= 0, else ``ValueError`` naming the argument."""
    x = check_real(name, value)
    if x < 0:
        raise ValueError(f"{name} must be >= 0 (got {name}={value!r})")
    return x


def check_positive(name: str, value: float) -> float:
    """``value`` as a finite float > 0, else ``ValueError`` naming the argument."""
    x = check_real(name, value)
    if x <= 0:
        raise ValueError(f"{name} must be > 0 (got {name}={value!r})")
    return x


def check_integer(name: str, value: int, minimum: int) -> int:
    """``value`` as an int >= ``minimum`` (an integral float is accepted; a bool is not)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer (got {name}={value!r})")
    try:
        n = operator.index(value)
    except TypeError:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            n = int(value)
        else:
            raise ValueError(f"{name} must be an integer (got {name}={value!r})") from None
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {name}={value!r})")
    return n


def unstable_error(utilisation: float, **args: object) -> ValueError:
    """The ``ValueError`` for a system without a stationary regime (utilisation >= 1)."""
    detail = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return ValueError(f"unstable: utilisation {utilisation:.6g} >= 1 (got {detail})")
