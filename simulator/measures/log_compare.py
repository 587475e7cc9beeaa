"""Per-interval measures of station visits, computed alike from a ticket log and a replication.

A back-test compares what a queue system's log shows with what a scenario simulates, so
both sides must be measured by one definition. :func:`interval_measures` takes plain visit
arrays (station, joining time, service start and end, outcome, who served) and returns, per
station and interval of joining, the measures of :data:`MEASURES`; :func:`records_visits`
turns a replication's :class:`~simulator.engine.records.Records` into those arrays, and
``simulator.experiments.fitting`` does the same for a log.

Definitions (visits whose joining time falls in interval i = [g0 + i·L, g0 + (i+1)·L)):

* ``arrivals``: visits (balking ones included);
* ``wait_mean_min``: mean of start - join over visits that started service (tally);
* ``over_standard_share``: share of visits that started service after waiting more than
  the station's limit, or abandoned, among visits that started or abandoned (as service
  standards count, :mod:`simulator.measures.standards`);
* ``abandon_rate``: abandoned visits / arrivals;
* ``utilisation``: minutes of service in progress within the interval (by service spans,
  whatever the joining time) divided by L times the people seen serving in it (distinct
  ``server`` keys with a service overlapping the interval): the log's only view of who was
  on duty, so the simulation is measured the same way.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.records import Records, VisitOutcome
from simulator.measures.record_views import SERVICE_DONE

__all__ = ["ABANDONED", "BALKED", "MEASURES", "SERVED", "interval_measures", "records_visits"]

#: Measure names, in report order.
MEASURES: tuple[str, ...] = ("arrivals", "wait_mean_min", "over_standard_share",
                             "abandon_rate", "utilisation")
#: Outcome codes of :func:`interval_measures`.
SERVED, ABANDONED, BALKED, OTHER = 0, 1, 2, 3


def records_visits(records: Records) -> dict[str, np.ndarray]:
    """A replication's visits as the arrays of :func:`interval_measures`.

    Served, failed and recovered visits are served; balked and blocked ones balked; a visit
    still unfinished when the run stopped is neither. ``server`` is the staff slot, or the
    counter (offset past every slot) at unstaffed stations.
    """
    v = records.visits
    out = v["outcome"].astype(np.int64)
    code = np.full(out.shape, OTHER, dtype=np.int64)
    code[np.isin(out, SERVICE_DONE)] = SERVED
    code[out == VisitOutcome.ABANDONED] = ABANDONED
    code[(out == VisitOutcome.BALKED) | (out == VisitOutcome.BLOCKED)] = BALKED
    staff = v["staff_id"].astype(np.int64)
    top = int(staff.max(initial=0)) + 1
    server = np.where(staff >= 0, staff, np.where(v["counter"] >= 0,
                                                  top + v["counter"].astype(np.int64), -1))
    return {"station": v["station_idx"].astype(np.int64), "join_min": v["join_min"],
            "start_min": v["start_min"], "end_min": v["end_min"], "outcome": code,
            "server": server}


def interval_measures(
    station: np.ndarray, join_min: np.ndarray, start_min: np.ndarray, end_min: np.ndarray,
    outcome: np.ndarray, server: np.ndarray, *, n_stations: int, grid_start_min: float,
    interval_min: float, n_intervals: int, wait_limit_min: np.ndarray,
) -> dict[str, np.ndarray]:
    """Measures per station and interval, each an array ``[station, interval]``.

    Parameters
    ----------
    station, join_min, start_min, end_min, outcome, server : arrays, one entry per visit
        Station index, joining time, service start and end (NaN if none), outcome code
        (:data:`SERVED`, :data:`ABANDONED`, :data:`BALKED`, other), and who served (an
        integer key, -1 if unknown).
    n_stations, n_intervals : int
    grid_start_min, interval_min : float
        The intervals.
    wait_limit_min : array of float, one per station
        The wait limit of ``over_standard_share``.

    Returns
    -------
    dict
        :data:`MEASURES` -> array ``[station, interval]`` (NaN where undefined).

    Examples
    --------
    >>> m = interval_measures(np.array([0, 0]), np.array([0.0, 5.0]), np.array([1.0, np.nan]),
    ...     np.array([4.0, np.nan]), np.array([0, 1]), np.array([7, -1]), n_stations=1,
    ...     grid_start_min=0.0, interval_min=10.0, n_intervals=1,
    ...     wait_limit_min=np.array([15.0]))
    >>> [float(m[k][0, 0]) for k in ("arrivals", "wait_mean_min", "abandon_rate")]
    [2.0, 1.0, 0.5]
    >>> round(float(m["utilisation"][0, 0]), 3)
    0.3
    """
    s = np.asarray(station, dtype=np.int64)
    join = np.asarray(join_min, dtype=float)
    start = np.asarray(start_min, dtype=float)
    end = np.asarray(end_min, dtype=float)
    out = np.asarray(outcome, dtype=np.int64)
    shape = (n_stations, n_intervals)
    i = np.floor((join - grid_start_min) / interval_min)
    ok = np.isfinite(i) & (i >= 0) & (i < n_intervals) & (s >= 0) & (s < n_stations)
    ii = np.where(ok, i, 0).astype(np.int64)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        m = mask & ok
        flat = s[m] * n_intervals + ii[m]
        w = None if weights is None else weights[m]
        return np.bincount(flat, weights=w, minlength=n_stations * n_intervals).reshape(shape)

    arrivals = count(out != OTHER)
    started = np.isfinite(start) & (out == SERVED)
    wait = np.where(started, start - join, 0.0)
    n_started = count(started)
    abandoned = out == ABANDONED
    limit = np.asarray(wait_limit_min, dtype=float)[np.clip(s, 0, n_stations - 1)]
    over = (started & (wait > limit)) | abandoned
    judged = count(started | abandoned)
    res = {
        "arrivals": arrivals.astype(float),
        "wait_mean_min": np.where(n_started > 0, count(started, wait) / np.maximum(n_started,
                                                                                    1), np.nan),
        "over_standard_share": np.where(judged > 0, count(over) / np.maximum(judged, 1),
                                        np.nan),
        "abandon_rate": np.where(arrivals > 0, count(abandoned) / np.maximum(arrivals, 1),
                                 np.nan),
    }
    res["utilisation"] = _utilisation(s, start, end, out, np.asarray(server, dtype=np.int64),
                                      n_stations, grid_start_min, interval_min, n_intervals)
    return res


def _utilisation(s: np.ndarray, start: np.ndarray, end: np.ndarray, out: np.ndarray,
                 server: np.ndarray, n_stations: int, g0: float, length: float,
                 n_int: int) -> np.ndarray:
    """Busy minutes / (people seen serving × length), per station and interval."""
    util = np.full((n_stations, n_int), np.nan)
    served = (out == SERVED) & np.isfinite(start) & np.isfinite(end) & (server >= 0)
    lo = g0 + length * np.arange(n_int)
    hi = lo + length
    for st in range(n_stations):
        m = served & (s == st)
        if not m.any():
            continue
        a, b, who = start[m], end[m], server[m]
        first = np.clip(np.floor((a - g0) / length).astype(np.int64), 0, n_int - 1)
        last = np.clip(np.ceil((b - g0) / length).astype(np.int64) - 1, 0, n_int - 1)
        busy = np.zeros(n_int)
        people = np.zeros(n_int)
        span = np.maximum(last - first + 1, 0)
        rows = np.repeat(np.arange(a.size), span)
        cols = np.concatenate([np.arange(f, f + k) for f, k in zip(first, span, strict=True)]
                              ) if rows.size else np.zeros(0, dtype=np.int64)
        overlap = np.minimum(b[rows], hi[cols]) - np.maximum(a[rows], lo[cols])
        keep = overlap > 0
        rows, cols, overlap = rows[keep], cols[keep], overlap[keep]
        np.add.at(busy, cols, overlap)
        pairs = np.unique(np.stack([cols, who[rows]]), axis=1)
        np.add.at(people, pairs[0], 1)
        util[st] = np.where(people > 0, busy / (np.maximum(people, 1) * length), np.nan)
    return util

