"""The back office in SimPy: cases worked first come, first served by officers on shifts.

A case is a work item (a complaint, a recovery follow-up), not a customer walking a pathway.
Cases join one first-come-first-served queue when they are opened (ties by case order). An
officer on duty and free takes the oldest waiting case and works on it while on duty; when
the officer's duty interval ends (a break, the end of a shift or of the day) with work left,
the officer keeps the case and resumes it at the start of their next interval (preemptive
resume at the shift boundary), so unfinished work and waiting cases carry over to the next
working day. The model runs until the end of the horizon; cases not answered by then are
open at the horizon.

Times are minutes of the block of days (day ``d`` starts at ``(d - 1) * 1440``).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

__all__ = ["BackOfficeRun", "simulate_back_office"]


@dataclass(frozen=True)
class BackOfficeRun:
    """What the back office did over the horizon.

    Attributes
    ----------
    start_min, done_min : ndarray
        Per case: when an officer first took it and when it was answered (NaN: not by the
        end of the horizon).
    busy_min : ndarray
        Per officer: minutes worked on cases within the horizon.
    """

    start_min: np.ndarray
    done_min: np.ndarray
    busy_min: np.ndarray


def simulate_back_office(
    officers: Sequence[Sequence[tuple[float, float]]],
    opened_min: np.ndarray,
    work_min: np.ndarray,
    horizon_min: float,
) -> BackOfficeRun:
    """Work the cases with the officers' on-duty intervals (module docstring).

    Parameters
    ----------
    officers : sequence of sequences of (start, end)
        Each officer's on-duty intervals, ascending and disjoint, in minutes of the block.
    opened_min, work_min : ndarray
        Per case, in queue order for ties: when it is opened and the minutes of work it needs.
    horizon_min : float
        The end of the block: the model stops there.

    Returns
    -------
    BackOfficeRun
    """
    opened = np.asarray(opened_min, dtype=float)
    work = np.asarray(work_min, dtype=float)
    n = opened.size
    start = np.full(n, math.nan)
    done = np.full(n, math.nan)
    busy = np.zeros(len(officers))
    env = simpy.Environment()
    queue = simpy.Store(env)
    order = np.argsort(opened, kind="stable")

    def open_cases() -> Generator[simpy.Event, None, None]:
        for i in order.tolist():
            if opened[i] > env.now:
                yield env.timeout(opened[i] - env.now)
            queue.put(i)

    def officer(k: int, intervals: Sequence[tuple[float, float]]
                ) -> Generator[simpy.Event, None, None]:
        case, left = -1, 0.0
        for a, b in intervals:
            if env.now < a:
                yield env.timeout(a - env.now)
            while env.now < b:
                if case < 0:
                    get = queue.get()
                    yield get | env.timeout(b - env.now)
                    if not get.triggered:
                        get.cancel()
                        break
                    case, left = int(get.value), float(work[get.value])
                    if math.isnan(start[case]):
                        start[case] = env.now
                run = min(left, b - env.now)
                busy[k] += max(0.0, min(env.now + run, horizon_min) - env.now)
                yield env.timeout(run)
                if run == left:
                    done[case] = env.now
                    case, left = -1, 0.0
                else:
                    left -= run

    env.process(open_cases())
    for k, ivs in enumerate(officers):
        env.process(officer(k, ivs))
    env.run(until=horizon_min)
    done[done > horizon_min] = math.nan
    return BackOfficeRun(start, done, busy)
