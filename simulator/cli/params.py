"""Option types the commands share."""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["BACKEND_OPTIONS", "FiniteFloatRange", "with_options"]


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


#: ``-j``, ``--backend`` and ``--scheduler``: where a command's replications run.
BACKEND_OPTIONS = [
    click.option("-j", "--jobs", type=int, default=1,
                 help="workers (1: in-process, -1: all cores); results do not depend on it"),
    click.option("--backend", type=click.Choice(["inprocess", "joblib", "dask"]), default=None,
                 help="where tasks run [default: joblib if -j != 1]"),
    click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                 help="Dask scheduler address (--backend dask; default: a local cluster)"),
]


def with_options(options: list[Any]) -> Any:
    """Decorator applying a list of click options in the order listed (top to bottom)."""
    def deco(f: Any) -> Any:
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco
