"""Overtaking at a line, counted while the run goes (satisfaction.md §2.2, §2.14).

A customer is overtaken by every later joiner of the same line who starts service (or is
seated) strictly before the customer leaves the line, by starting service or by giving up.
:func:`simulator.satisfaction.overtaking.overtaken_counts` computes the same counts after the
run from the record tables; the engine counts them as they happen, so the satisfaction model
can run on finished customers while the day goes on (streaming measures), and a test checks
the two agree.

Only lines where overtaking can happen keep a counter: a single first-come-first-served line
with one priority class never overtakes, and its count is 0 without any bookkeeping.

Method: joiners are numbered in joining order; a Fenwick tree over those numbers counts the
customers who have started, so "later joiners who started" is a suffix count in O(log n).
Starts at the very instant a customer leaves do not count (ties in time), as in the post-run
definition.

References
----------
Fenwick, P. M. (1994). A new data structure for cumulative frequency tables. *Software:
    Practice and Experience* 24(3), 327-336.
"""

from __future__ import annotations

import math

__all__ = ["OvertakeCounter"]


class OvertakeCounter:
    """Counts, for one line, how many later joiners started before a customer left.

    Examples
    --------
    >>> ot = OvertakeCounter()
    >>> a, b, c = ot.join(), ot.join(), ot.join()
    >>> ot.started(c, 1.0)        # c, the last to join, starts first
    0
    >>> ot.left(a, 2.0)           # a gives up: c (later) started earlier
    1
    >>> ot.started(b, 2.5)        # b starts: c overtook b too
    1
    """

    __slots__ = ("_at_now", "_joined", "_now", "_size", "_started", "_tree")

    def __init__(self) -> None:
        self._joined = 0
        self._size = 64
        self._tree = [0] * (self._size + 1)
        self._started = 0
        self._now = math.nan
        self._at_now: list[int] = []  # joining numbers of those who started at ``_now``

    def join(self) -> int:
        """Number the next joiner (1, 2, ...)."""
        self._joined = n = self._joined + 1
        if n > self._size:
            # doubling a power-of-two Fenwick tree: only the new root covers anything
            tree, size = self._tree, self._size
            tree.extend([0] * size)
            tree[2 * size] = self._started
            self._size = 2 * size
        return n

    def _later_started(self, seq: int) -> int:
        """Customers who joined after ``seq`` and have started."""
        tree = self._tree
        before = 0
        i = seq
        while i > 0:
            before += tree[i]
            i -= i & -i
        return self._started - before

    def left(self, seq: int, now: float) -> int:
        """Joiner ``seq`` leaves the line at ``now``: how many later joiners started before."""
        count = self._later_started(seq)
        if now == self._now:
            count -= sum(1 for s in self._at_now if s > seq)
        return count

    def started(self, seq: int, now: float) -> int:
        """Joiner ``seq`` starts service at ``now``: its count (as :meth:`left`), and it
        now counts against earlier joiners still waiting."""
        count = self.left(seq, now)
        if now != self._now:
            self._now = now
            self._at_now = []
        self._at_now.append(seq)
        self._started += 1
        tree, size = self._tree, self._size
        i = seq
        while i <= size:
            tree[i] += 1
            i += i & -i
        return count

    def waiting(self, seq: int) -> int:
        """Joiner ``seq`` never left (still waiting when the run stopped): every later joiner
        who started counts."""
        return self._later_started(seq)
