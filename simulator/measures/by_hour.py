"""The by-hour rows of one replication: per clock hour and station, by hour of arrival.

Tallies (arrivals, waits, balking, abandonment, standards) are grouped by the hour the visit's
customer arrived; levels (queue length, staff on duty, utilisation) are time-weighted over
each clock hour, clipped to the statistics window. Same estimators and windows as the KPI row
(:mod:`simulator.measures.kpis`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.measures.estimators import ratio, window_integrals
from simulator.measures.record_views import SERVICE_DONE, station_levels, visit_customer_arrival
from simulator.measures.standards import standard_slugs, standard_units

__all__ = [
    "BY_HOUR_COLUMNS",
    "by_hour_columns",
    "by_hour_rows",
]

_NAN = math.nan


#: Fixed leading columns of :func:`by_hour_rows`; one ``std__{slug}__compliance`` column per
#: service standard follows, in the order the standards were given.
BY_HOUR_COLUMNS: tuple[str, ...] = (
    "hour",
    "hour_start_min",
    "station",
    "arrivals",
    "served",
    "balked",
    "abandoned",
    "balk_rate",
    "abandon_rate",
    "wait_mean_min",
    "wait_p90_min",
    "queue_len_tw",
    "busy_tw",
    "on_duty_tw",
    "utilisation_tw",
)


def by_hour_columns(standards: Sequence[Any] = ()) -> list[str]:
    """Column names of :func:`by_hour_rows` for these standards, in order.

    Examples
    --------
    >>> by_hour_columns([{"name": "Q 15"}])[-1]
    'std__q_15__compliance'
    """
    return [*BY_HOUR_COLUMNS, *(f"std__{k}__compliance" for k in standard_slugs(standards))]


def _hourly_tally(hidx: np.ndarray, x: np.ndarray, n_hours: int) -> tuple[np.ndarray, ...]:
    """Per-hour tally mean and p90 of ``x`` grouped by hour index (NaN values ignored).

    Vectorised: one sort by (hour, value); the p90 is numpy's default (linear) percentile,
    read at virtual index ``0.9 (n - 1)`` of each hour's sorted values.
    """
    mean = np.full(n_hours, _NAN)
    p90 = np.full(n_hours, _NAN)
    keep = ~np.isnan(x)
    h, v = np.asarray(hidx)[keep].astype(np.int64), np.asarray(x, dtype=np.float64)[keep]
    if v.size == 0:
        return mean, p90
    order = np.lexsort((v, h))
    h, v = h[order], v[order]
    counts = np.bincount(h, minlength=n_hours)[:n_hours]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    sums = np.add.reduceat(v, starts[has]) if has.any() else np.zeros(0)
    mean[has] = sums / counts[has]
    pos = 0.9 * (counts[has] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, counts[has] - 1)
    base = starts[has]
    a, b = v[base + lo], v[base + hi]
    p90[has] = a + (pos - lo) * (b - a)
    return mean, p90


def by_hour_rows(records: Records, standards: Sequence[Any] = ()) -> list[dict[str, Any]]:
    r"""KPIs by clock hour, one row per (hour, station) plus an overall row per hour.

    Hours are ``h = floor(t / 60)`` of the clock time t (minutes after midnight). Rows cover
    every hour from the hour of ``stats_start_min`` to the latest of the last window arrival's
    hour, the last window visit's joining hour and the last hour that overlaps
    ``[stats_start_min, end_min]``, so closing-time service has rows too (hours without
    arrivals have ``arrivals == 0`` and NaN rates and waits). Within an hour the overall row
    (``station == "all"``) comes first, then stations in ``records.station_names`` order.
    Every row has the keys of :func:`by_hour_columns` in that order:

    - ``hour`` (int), ``hour_start_min`` (= 60·hour), ``station`` (str).
    - Tally columns (window customers/visits only, as in :func:`replication_kpis`), binned by
      the hour of *arrival*: for ``"all"`` the customer's ``arrival_min`` and the customer
      table (``arrivals`` = customers, ``served``/``balked``/``abandoned`` by
      :class:`CustomerOutcome`, ``wait_*`` over ``wait_min`` of served customers); for a
      station the visit's ``join_min`` and the visit table (``arrivals`` = visits,
      ``served`` = SERVED/FAILED/RECOVERED, ``balked`` = BALKED + BLOCKED, ``abandoned``,
      ``wait_*`` over ``start − join`` of visits that started service). ``balk_rate`` =
      balked / arrivals, ``abandon_rate`` = abandoned / arrivals (NaN if no arrivals);
      ``wait_mean_min`` and ``wait_p90_min`` as in :func:`tally_stats`.
    - Time-weighted columns over the clock hour clipped to the statistics window,
      :math:`[\max(60h, T_0), \min(60h+60, T_1)]` (all NaN if that is empty):
      ``queue_len_tw``, ``busy_tw``, ``on_duty_tw`` and ``utilisation_tw`` = ∫busy / ∫on_duty
      (NaN if nobody on duty). The ``"all"`` row sums the stations' levels (utilisation =
      Σ∫busy / Σ∫on_duty).
    - ``std__{k}__compliance`` per standard (see :func:`replication_kpis`), over the units
      whose measured wait began in the hour (joining the line for a station standard,
      arrival for a whole-visit standard); filled on the ``"all"`` row and, for a station
      standard, on that station's row; NaN elsewhere and where no unit is relevant.

    Parameters
    ----------
    records : Records
        One replication's tables.
    standards : sequence, default ()
        Service standards as for :func:`replication_kpis`.

    Returns
    -------
    list of dict
        Rows, ready for ``csv.DictWriter(fieldnames=by_hour_columns(standards))``.
    """
    r = records
    t0, t1 = float(r.stats_start_min), float(r.end_min)
    c, v = r.customers, r.visits
    arr = c["arrival_min"].astype(np.float64)
    cust_in = arr >= t0
    visit_in = visit_customer_arrival(r) >= t0

    h0 = math.floor(t0 / 60.0)
    h_last = max(h0, math.ceil(t1 / 60.0) - 1)
    for t in (arr[cust_in], v["join_min"][visit_in]):
        if t.size:
            h_last = max(h_last, math.floor(float(np.max(t)) / 60.0))
    n_hours = h_last - h0 + 1
    hours = np.arange(h0, h_last + 1)
    win_start = np.maximum(hours * 60.0, t0)
    win_end = np.minimum(hours * 60.0 + 60.0, t1)
    win_len = win_end - win_start
    empty = win_len <= 0

    def hour_index(t: np.ndarray) -> np.ndarray:
        return np.floor(t / 60.0).astype(np.int64) - h0

    def counts(hidx: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(hidx[mask], minlength=n_hours).astype(np.float64)

    slugs = standard_slugs(standards)
    std_units = [standard_units(r, s, visit_in, cust_in) for s in standards]
    std_hourly = []
    for u in std_units:
        hidx = hour_index(u.time_min)
        std_hourly.append(_rates(counts(hidx, u.passed), counts(hidx, np.ones_like(u.passed))))

    # Overall rows from the customer table.
    ch = hour_index(arr[cust_in])
    cout = c["outcome"][cust_in]
    cserved = cout == CustomerOutcome.SERVED
    all_cols: dict[str, np.ndarray] = {}
    all_cols["arrivals"] = counts(ch, np.ones_like(cserved))
    all_cols["served"] = counts(ch, cserved)
    all_cols["balked"] = counts(ch, cout == CustomerOutcome.BALKED)
    all_cols["abandoned"] = counts(ch, cout == CustomerOutcome.ABANDONED)
    all_cols["wait_mean_min"], all_cols["wait_p90_min"] = _hourly_tally(
        ch[cserved], c["wait_min"][cust_in][cserved].astype(np.float64), n_hours
    )

    # Station rows from the visit table and level series.
    start, join, vout = v["start_min"], v["join_min"], v["outcome"]
    station_cols: list[dict[str, np.ndarray]] = []
    sum_q = np.zeros(n_hours)
    sum_b = np.zeros(n_hours)
    sum_d = np.zeros(n_hours)
    for s in range(len(r.station_names)):
        at = visit_in & (v["station_idx"] == s)
        vh = hour_index(join[at].astype(np.float64))
        o = vout[at]
        st = np.isfinite(start[at])
        cols: dict[str, np.ndarray] = {}
        cols["arrivals"] = counts(vh, np.ones_like(st))
        cols["served"] = counts(vh, np.isin(o, SERVICE_DONE))
        cols["balked"] = counts(vh, (o == VisitOutcome.BALKED) | (o == VisitOutcome.BLOCKED))
        cols["abandoned"] = counts(vh, o == VisitOutcome.ABANDONED)
        cols["wait_mean_min"], cols["wait_p90_min"] = _hourly_tally(
            vh[st], (start[at][st] - join[at][st]).astype(np.float64), n_hours
        )
        times, queue, busy, on_duty = station_levels(r, s)
        q = window_integrals(times, queue, win_start, win_end)
        b = window_integrals(times, busy, win_start, win_end)
        d = window_integrals(times, on_duty, win_start, win_end)
        sum_q += q
        sum_b += b
        sum_d += d
        cols.update(_level_cols(q, b, d, win_len, empty))
        station_cols.append(cols)
    all_cols.update(_level_cols(sum_q, sum_b, sum_d, win_len, empty))

    rows: list[dict[str, Any]] = []
    for i, h in enumerate(hours.tolist()):
        for s, (label, cols) in enumerate(
            [("all", all_cols), *zip(r.station_names, station_cols, strict=True)], start=-1
        ):
            arrivals = cols["arrivals"][i]
            row: dict[str, Any] = {
                "hour": int(h),
                "hour_start_min": float(h * 60),
                "station": label,
                "arrivals": float(arrivals),
                "served": float(cols["served"][i]),
                "balked": float(cols["balked"][i]),
                "abandoned": float(cols["abandoned"][i]),
                "balk_rate": ratio(float(cols["balked"][i]), float(arrivals)),
                "abandon_rate": ratio(float(cols["abandoned"][i]), float(arrivals)),
                "wait_mean_min": float(cols["wait_mean_min"][i]),
                "wait_p90_min": float(cols["wait_p90_min"][i]),
                "queue_len_tw": float(cols["queue_len_tw"][i]),
                "busy_tw": float(cols["busy_tw"][i]),
                "on_duty_tw": float(cols["on_duty_tw"][i]),
                "utilisation_tw": float(cols["utilisation_tw"][i]),
            }
            for key, u, hourly in zip(slugs, std_units, std_hourly, strict=True):
                shown = s == -1 or u.station == s
                row[f"std__{key}__compliance"] = float(hourly[i]) if shown else _NAN
            rows.append(row)
    return rows


def _rates(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise num / den, NaN where den is 0."""
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), _NAN)


def _level_cols(
    q: np.ndarray, b: np.ndarray, d: np.ndarray, length: np.ndarray, empty: np.ndarray
) -> dict[str, np.ndarray]:
    safe = np.where(empty, 1.0, length)
    return {
        "queue_len_tw": np.where(empty, _NAN, q / safe),
        "busy_tw": np.where(empty, _NAN, b / safe),
        "on_duty_tw": np.where(empty, _NAN, d / safe),
        "utilisation_tw": np.where(empty, _NAN, _rates(b, d)),
    }
