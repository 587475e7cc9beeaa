"""Option types the commands share."""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["FiniteFloatRange"]


class FiniteFloatRange(click.FloatRange):
    """A :class:`click.FloatRange` that also refuses ``nan``, ``inf`` and ``1e400``
    (``FloatRange`` lets ``nan`` through: every comparison with it is false).

    Examples
    --------
    >>> FiniteFloatRange(0, 1).convert("0.5", None, None)
    0.5
    """

    name = "float range"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number (got {number}; expected a number "
                      "such as 0.05)", param, ctx)
        return number
