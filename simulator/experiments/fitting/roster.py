"""Staff on duty per interval, inferred from service spans, and a draft roster.

Nothing in a ticket log says who was on duty; it says who served whom and when. A person
(the ``staff`` column, else the ``counter``) counts as on duty in an interval of a day when
they served at least :data:`MIN_SERVING_MIN` minutes in it (a sixth of the interval if
that is shorter), so finishing one customer at the start of a break does not count.
Without either column, the most services in progress at once are counted. This is a lower
bound: someone on duty who served nobody in an interval is not seen. Per station and
interval the heads of the roster are the median over days, rounded up. The draft roster
stacks the head count into layers: layer j is on duty wherever at least j heads are,
and each unbroken run of a layer is a shift; equal shifts are merged with a count. A dip
in the middle of the day (lunch) therefore splits a layer into two
shifts, which the planner may rewrite as one shift with a break.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.experiments.fitting.arrivals import Grid
from simulator.experiments.fitting.log import TicketLog
from simulator.scenario.fields import min_to_clock

__all__ = ["MIN_SERVING_MIN", "Roster", "Shift", "fit_roster", "people_per_interval",
           "shifts_from_heads"]

#: A person counts as on duty in an interval after serving this long in it (minutes).
MIN_SERVING_MIN = 5.0


@dataclass(frozen=True)
class Shift:
    """``count`` people from ``start_min`` to ``end_min``."""

    start_min: float
    end_min: float
    count: int


def shifts_from_heads(heads: np.ndarray, grid: Grid) -> list[Shift]:
    """Shifts whose head count per interval is exactly ``heads``.

    Examples
    --------
    >>> g = Grid(480.0, 600.0, 30.0)
    >>> [(s.start_min, s.end_min, s.count) for s in shifts_from_heads(np.array([1, 2, 2, 1]), g)]
    [(480.0, 600.0, 1), (510.0, 570.0, 1)]
    """
    h = np.asarray(heads, dtype=np.int64)
    out: dict[tuple[float, float], int] = {}
    starts = grid.starts
    for layer in range(1, int(h.max(initial=0)) + 1):
        on = np.r_[False, h >= layer, False]
        edges = np.flatnonzero(np.diff(on.astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            key = (float(starts[a]), float(starts[b - 1] + grid.interval_min))
            out[key] = out.get(key, 0) + 1
    return [Shift(a, b, c) for (a, b), c in sorted(out.items())]


def people_per_interval(log: TicketLog, grid: Grid) -> tuple[dict[str, np.ndarray], str]:
    """People serving per station: ``{station: array[day, interval]}``, and what was counted
    (``staff``, ``counter`` or ``services in progress``)."""
    v = log.visits
    served = v[v["outcome"] == "served"]
    who = "staff" if (served["staff"] != "").any() else (
        "counter" if (served["counter"] != "").any() else "")
    days = list(log.days)
    day_index = {d: k for k, d in enumerate(days)}
    n_int = grid.starts.size
    lo = grid.starts
    hi = lo + grid.interval_min
    out: dict[str, np.ndarray] = {}
    for station in log.stations:
        at = served[served["station"] == station]
        grid_counts = np.zeros((len(days), n_int), dtype=np.int64)
        s = at["start_min"].to_numpy(dtype=float)
        e = at["end_min"].to_numpy(dtype=float)
        dk = at["day"].map(day_index).to_numpy()
        if who:
            # minutes each person served in each interval; counted from MIN_SERVING_MIN on
            busy = np.clip(np.minimum(e[:, None], hi[None, :])
                           - np.maximum(s[:, None], lo[None, :]), 0.0, None)
            codes, _ = pd.factorize(at[who].to_numpy())
            n_who = int(codes.max(initial=-1)) + 1
            per = np.zeros((len(days), n_who, n_int))
            np.add.at(per, (dk, codes), busy)
            grid_counts = (per >= min(MIN_SERVING_MIN, grid.interval_min / 6)).sum(axis=1)
        else:
            overlap = (s[:, None] < hi[None, :]) & (e[:, None] > lo[None, :])
            for d in range(len(days)):
                m = dk == d
                for i in range(n_int):
                    sel = m & overlap[:, i]
                    if sel.any():
                        ev = np.r_[np.maximum(s[sel], lo[i]), np.minimum(e[sel], hi[i])]
                        step = np.r_[np.ones(sel.sum()), -np.ones(sel.sum())]
                        order = np.lexsort((step, ev))
                        grid_counts[d, i] = int(np.cumsum(step[order]).max())
        out[station] = grid_counts
    return out, who or "services in progress"


@dataclass(frozen=True)
class Roster:
    """Heads per station and interval and the draft shifts.

    ``table`` columns: ``station``, ``interval_start``, ``start_min``, ``mean_people``,
    ``median_people``, ``max_people``, ``heads``.
    """

    counted: str
    people: dict[str, np.ndarray]
    heads: dict[str, np.ndarray]
    shifts: dict[str, list[Shift]]
    table: pd.DataFrame

    def counters(self, station: str) -> int:
        """Counters of a station: the most people seen serving there at once (at least 1)."""
        return max(1, int(np.ceil(self.people[station].max(initial=0) - 1e-9)),
                   int(self.heads[station].max(initial=0)))


def fit_roster(log: TicketLog, grid: Grid) -> Roster:
    """Staff on duty per interval and the draft roster of each station."""
    people, counted = people_per_interval(log, grid)
    heads: dict[str, np.ndarray] = {}
    shifts: dict[str, list[Shift]] = {}
    rows = []
    for station, grid_counts in people.items():
        med = np.median(grid_counts, axis=0) if grid_counts.shape[0] else np.zeros(0)
        h = np.ceil(med - 1e-9).astype(np.int64)
        heads[station] = h
        shifts[station] = shifts_from_heads(h, grid)
        for i, start in enumerate(grid.starts):
            col = grid_counts[:, i]
            rows.append({"station": station, "interval_start": min_to_clock(start),
                         "start_min": float(start), "mean_people": float(col.mean()),
                         "median_people": float(med[i]), "max_people": float(col.max()),
                         "heads": int(h[i])})
    return Roster(counted, people, heads, shifts, pd.DataFrame(rows))


def shift_text(s: Shift) -> str:
    """``08:30-12:00 x2``."""
    return f"{min_to_clock(s.start_min)}-{min_to_clock(s.end_min)} x{s.count}"


def clock_or_none(minutes: float) -> str | None:
    """HH:MM, or None for NaN."""
    return None if math.isnan(minutes) else min_to_clock(minutes)
