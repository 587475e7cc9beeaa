"""Level series as segments: each station's step functions, built from rows that come in chunks.

A level row ``(station, t, queue, busy, on_duty)`` holds from ``t`` until the station's next
row; before a station's first row every level is 0; of several rows at one instant the last
is the state after it. :class:`LevelSegments` turns rows arriving in chunks (in recording
order) into *segments* ``[a, b)`` with constant levels, carrying each station's last row over
to the next chunk, so a series split anywhere gives exactly the same segments as the whole
series at once. Time-weighted measures are sums over segments of ``level × length``; with
exact sums (:mod:`.exact`) they are identical whichever way the rows came.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["LevelSegments", "Segments", "hour_pieces"]


class Segments(NamedTuple):
    """Segments ``[start_min, end_min)`` of constant levels, one entry per segment."""

    station: np.ndarray  # int64
    start_min: np.ndarray
    end_min: np.ndarray
    queue: np.ndarray  # float64
    busy: np.ndarray
    on_duty: np.ndarray


class LevelSegments:
    """Each station's last row so far, and the segments completed by new rows.

    Examples
    --------
    >>> seg = LevelSegments(1)
    >>> s = seg.feed({"station_idx": np.array([0, 0]), "time_min": np.array([0.0, 2.0]),
    ...               "queue_len": np.array([1, 3]), "busy": np.array([0, 0]),
    ...               "on_duty": np.array([1, 1])})
    >>> s.start_min.tolist(), s.end_min.tolist(), s.queue.tolist()
    ([0.0], [2.0], [1.0])
    >>> seg.close(5.0).queue.tolist()  # the last row holds until the end
    [3.0]
    """

    def __init__(self, n_stations: int) -> None:
        self.n = n_stations
        self.last_t = np.full(n_stations, np.nan)  # NaN: no row yet
        self.last = np.zeros((n_stations, 3))  # queue, busy, on duty in force

    def feed(self, levels: dict[str, np.ndarray]) -> Segments:
        """Add rows (in recording order); return the segments they complete."""
        st = levels["station_idx"].astype(np.int64)
        if st.size == 0:
            return _empty()
        t = levels["time_min"].astype(np.float64)
        vals = np.column_stack((levels["queue_len"], levels["busy"],
                                levels["on_duty"])).astype(np.float64)
        have = np.flatnonzero(~np.isnan(self.last_t))
        carried = have[np.isin(have, st)]
        # the carried rows go first within their station (stable sort keeps recording order)
        st = np.concatenate((carried, st))
        t = np.concatenate((self.last_t[carried], t))
        vals = np.concatenate((self.last[carried], vals))
        order = np.argsort(st, kind="stable")
        st, t, vals = st[order], t[order], vals[order]
        same = st[1:] == st[:-1]
        i = np.flatnonzero(same)
        last = np.flatnonzero(np.r_[~same, True])
        self.last_t[st[last]] = t[last]
        self.last[st[last]] = vals[last]
        return Segments(st[i], t[i], t[i + 1], vals[i, 0], vals[i, 1], vals[i, 2])

    def close(self, end_min: float) -> Segments:
        """The last segment of every station that has a row: its last row until ``end_min``."""
        s = np.flatnonzero(~np.isnan(self.last_t))
        return Segments(s, self.last_t[s], np.full(s.size, float(end_min)),
                        self.last[s, 0].copy(), self.last[s, 1].copy(), self.last[s, 2].copy())


def _empty() -> Segments:
    z = np.zeros(0)
    return Segments(np.zeros(0, dtype=np.int64), z, z, z, z, z)


def hour_pieces(start_min: np.ndarray, end_min: np.ndarray,
                lo_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut segments ``[max(start, lo), end)`` at clock hours.

    Returns
    -------
    (segment, hour, minutes)
        For every piece: the index of its segment, its clock hour ``floor(t / 60)`` and its
        length in minutes (pieces of empty segments are left out).
    """
    a = np.maximum(start_min, lo_min)
    b = end_min
    keep = np.flatnonzero(b > a)
    if keep.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    a, b = a[keep], b[keep]
    h0 = np.floor(a / 60.0).astype(np.int64)
    h1 = np.ceil(b / 60.0).astype(np.int64) - 1  # last hour the segment reaches into
    h1 = np.maximum(h1, h0)
    n = h1 - h0 + 1
    seg = np.repeat(keep, n)
    first = np.repeat(h0, n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    hour = first + offset
    a_rep, b_rep = np.repeat(a, n), np.repeat(b, n)
    piece = np.minimum(b_rep, (hour + 1) * 60.0) - np.maximum(a_rep, hour * 60.0)
    ok = piece > 0
    return seg[ok], hour[ok], piece[ok]


def in_force(segments: Segments, lo_min: float) -> np.ndarray:
    """Mask of segments in force at some time at or after ``lo_min`` (ending after it)."""
    return segments.end_min > lo_min if math.isfinite(lo_min) else np.ones(
        segments.end_min.shape, dtype=bool)
