"""Data-quality accounting of a ticket log: every row left out is counted by reason.

A log is never silently cleaned. Each problem found while reading (an unparseable time, a
service that ends before it starts, a duplicated row, a day with no tickets, too few
observations for a fit, ...) is recorded here with how many rows it concerns, the first few
line numbers of the file and what was done about it; ``data_quality.csv`` is this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["FIRST_LINES", "DataQuality", "LogError", "QualityRow"]

#: How many line numbers of each problem are kept (the first ones in the file).
FIRST_LINES = 5


class LogError(ValueError):
    """The log cannot be used at all (no file, no column for the arrival time, ...).

    The message names the file and says what was expected; the command prints it and exits 1.
    """


@dataclass
class QualityRow:
    """One reason: how many rows (or days, or fits) it concerns, and where."""

    reason: str
    effect: str
    rows: int = 0
    first_lines: list[int] = field(default_factory=list)
    detail: str = ""


class DataQuality:
    """The problems found in a log, in the order first met.

    Examples
    --------
    >>> dq = DataQuality()
    >>> dq.add("unparseable issued time", [7, 3, 9], "row left out")
    >>> dq.rows_out()
    3
    >>> dq.frame()["first_lines"].tolist()
    ['3 7 9']
    """

    def __init__(self) -> None:
        self._rows: dict[str, QualityRow] = {}

    def add(self, reason: str, lines: Iterable[int], effect: str = "row left out",
            detail: str = "", count: int | None = None) -> None:
        """Record ``reason`` for the rows at file ``lines`` (``count`` when not rows)."""
        lines = sorted(int(x) for x in lines)
        n = len(lines) if count is None else int(count)
        if n == 0:
            return
        row = self._rows.setdefault(reason, QualityRow(reason, effect))
        row.rows += n
        row.first_lines = sorted({*row.first_lines, *lines})[:FIRST_LINES]
        if detail:
            row.detail = f"{row.detail}; {detail}" if row.detail else detail

    def rows_out(self) -> int:
        """Rows left out of every estimate (reasons whose effect is ``row left out``)."""
        return sum(r.rows for r in self._rows.values() if r.effect == "row left out")

    def __iter__(self):
        return iter(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def frame(self) -> pd.DataFrame:
        """``data_quality.csv``: reason, rows, first_lines (space-separated), effect, detail."""
        return pd.DataFrame(
            [{"reason": r.reason, "rows": r.rows,
              "first_lines": " ".join(map(str, r.first_lines)), "effect": r.effect,
              "detail": r.detail} for r in self._rows.values()],
            columns=["reason", "rows", "first_lines", "effect", "detail"])
