"""Exact sums of floating-point values, in any order and any number of pieces.

A streaming measure sums its values chunk by chunk, in the order events happen; the same
measure computed afterwards from the record tables sums them in table order, all at once.
Plain float addition would make the two differ in the last bits. Here every float64 is split
into an integer mantissa and a power of two (``x = m * 2**e``, exactly), mantissas of equal
exponent are added as integers, and the total is kept as one Python integer scaled by
``2**-SCALE_BITS``. The sum is therefore exact whatever the order or chunking, and
:meth:`ExactSums.value` rounds it to the nearest float64 once (Python's integer division is
correctly rounded). A mean is that correctly rounded sum divided by the count.

References
----------
Shewchuk, J. R. (1997). Adaptive precision floating-point arithmetic and fast robust
    geometric predicates. *Discrete & Computational Geometry* 18, 305-363. (Exact sums of
    floats; ``math.fsum`` uses his partials, this module the equivalent fixed-point total.)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["SCALE_BITS", "ExactSums", "exact_sum"]

#: Every float64 (subnormals included) is an integer multiple of 2**-SCALE_BITS.
SCALE_BITS = 1074 + 52
_DENOMINATOR = 1 << SCALE_BITS
_HALF = 26  # mantissas are split into two halves so int64 sums of many cannot overflow
_LOW = (1 << _HALF) - 1


def _terms(values: np.ndarray, keys: np.ndarray | None) -> Iterable[tuple[int, int]]:
    """(key, integer total scaled by 2**SCALE_BITS) for each key present in ``values``."""
    x = np.asarray(values, dtype=np.float64).ravel()
    if keys is None:
        k = np.zeros(x.size, dtype=np.int64)
    else:
        k = np.asarray(keys, dtype=np.int64).ravel()
    keep = x != 0.0
    if not keep.all():
        x, k = x[keep], k[keep]
    if x.size == 0:
        return ()
    if not np.isfinite(x).all():
        raise ValueError("exact sums need finite values (got NaN or infinity)")
    mant, exp = np.frexp(x)
    m = np.ldexp(mant, 53).astype(np.int64)  # x = m * 2**(exp - 53), |m| < 2**53
    shift = (exp - 53 + SCALE_BITS).astype(np.int64)  # >= 0 for every float64
    # one bin per (key, exponent); the half-mantissas are below 2**27, so float64 bincount
    # sums of up to 2**25 of them are exact integers
    keys, kidx = np.unique(k, return_inverse=True)
    s0 = int(shift.min())
    span = int(shift.max()) - s0 + 1
    if x.size >= 1 << 25 or keys.size * span > 1 << 24:
        raise ValueError(f"too many values or exponents for one exact sum (got {x.size})")
    cell = kidx * span + (shift - s0)
    size = keys.size * span
    hi = np.bincount(cell, weights=(m >> _HALF).astype(np.float64), minlength=size)
    lo = np.bincount(cell, weights=(m & _LOW).astype(np.float64), minlength=size)
    used = np.flatnonzero((hi != 0) | (lo != 0))
    out: dict[int, int] = {}
    for c, h, low in zip(used.tolist(), hi[used].astype(np.int64).tolist(),
                         lo[used].astype(np.int64).tolist(), strict=True):
        key = int(keys[c // span])
        out[key] = out.get(key, 0) + (((h << _HALF) + low) << (s0 + c % span))
    return out.items()


class ExactSums:
    """Running exact sums of float64 values, one per integer key.

    Examples
    --------
    >>> s = ExactSums()
    >>> s.add(np.array([0.1, 0.2]))
    >>> s.add(np.array([0.3]))
    >>> s.value() == 0.6000000000000001  # the correctly rounded sum of the three floats
    True
    >>> g = ExactSums()
    >>> g.add(np.array([1.0, 2.0, 3.0]), keys=np.array([0, 1, 1]))
    >>> g.value(1), g.value(7)
    (5.0, 0.0)
    """

    __slots__ = ("_totals",)

    def __init__(self) -> None:
        self._totals: dict[int, int] = {}

    def add(self, values: np.ndarray, keys: np.ndarray | None = None) -> None:
        """Add ``values`` (finite), each to the sum of its key (all to key 0 without keys)."""
        totals = self._totals
        for key, total in _terms(values, keys):
            totals[key] = totals.get(key, 0) + total

    def add_sums(self, other: ExactSums) -> None:
        """Add every sum of ``other`` to this one's (merging two partial results)."""
        for key, total in other._totals.items():
            self._totals[key] = self._totals.get(key, 0) + total

    def value(self, key: int = 0) -> float:
        """The sum of ``key``, rounded once to the nearest float64 (0.0 when nothing was
        added)."""
        return self._totals.get(key, 0) / _DENOMINATOR

    def values(self, n_keys: int) -> np.ndarray:
        """Sums of keys ``0 .. n_keys - 1`` as an array."""
        return np.array([self.value(k) for k in range(n_keys)], dtype=np.float64)

    def keys(self) -> list[int]:
        """Keys that received a nonzero value, ascending."""
        return sorted(self._totals)

    def pop(self, key: int) -> float:
        """The sum of ``key`` (as :meth:`value`), forgetting it."""
        return self._totals.pop(key, 0) / _DENOMINATOR


def exact_sum(values: np.ndarray) -> float:
    """The sum of ``values`` rounded once to the nearest float64, whatever their order.

    Examples
    --------
    >>> exact_sum(np.array([1e16, 1.0, -1e16]))
    1.0
    """
    s = ExactSums()
    s.add(values)
    return s.value()
