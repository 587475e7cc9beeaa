"""Per-replication KPIs: pure NumPy functions of one replication's :class:`Records`.

Every KPI is computed from the record tables alone, so a new KPI never needs a re-run. These
functions run in worker processes for thousands of replications: they use NumPy only (no pandas)
and never modify their inputs.

Two kinds of estimator, kept apart by name (style habit 5):

* **Tally** statistics average over *observations* (customers or visits): ``wait_mean_min``,
  ``wait_p90_min``, ... They include only customers *arriving* at or after
  ``records.stats_start_min`` (warm-up deletion for steady-state studies; for a terminating day
  ``stats_start_min`` is the opening time, so every customer counts). A visit belongs to the
  tally window when its customer does.
* **Time-weighted** statistics (suffix ``_tw``) average a step function over *time*, exactly,
  on the statistics window ``[stats_start_min, end_min]``. The level in force at
  ``stats_start_min`` counts from ``stats_start_min`` on (warm-up boundary correction).

Level series are step functions: per station, a row's values hold from its ``time_min`` until
that station's next row; when several rows share a time the last one is the state after that
instant. Before a station's first row every level is taken as 0.

Times are minutes after midnight; durations are minutes. All counts are returned as floats so
that a KPI row is a flat ``dict[str, float]``.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill. (Time-average
    estimators and initial-data deletion, ch. 1 and 9.)
Little, J. D. C. (1961). A proof for the queuing formula L = lambda W. *Operations Research*
    9(3), 383-387.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.measures.staff_use import routing_kpis
from simulator.scenario.plan import DutyChange

__all__ = [
    "BY_HOUR_COLUMNS",
    "LevelGrid",
    "TallyStats",
    "by_hour_columns",
    "by_hour_rows",
    "check_conservation",
    "level_grid",
    "replication_kpis",
    "resource_kpis",
    "slug",
    "standard_slugs",
    "tally_stats",
    "time_weighted_integral",
    "time_weighted_mean",
    "wait_histogram",
]

_NAN = math.nan
_SERVICE_DONE = (int(VisitOutcome.SERVED), int(VisitOutcome.FAILED), int(VisitOutcome.RECOVERED))

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


# ---------------------------------------------------------------------------------------------
# Step functions
# ---------------------------------------------------------------------------------------------


def _step_arrays(times: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a step function and keep only the last row at each time."""
    t = np.asarray(times, dtype=np.float64).ravel()
    v = np.asarray(values, dtype=np.float64).ravel()
    if t.shape != v.shape:
        raise ValueError(
            f"times and values must have the same length (got {t.size} and {v.size})"
        )
    if t.size > 1:
        if np.any(np.diff(t) < 0):
            raise ValueError("times must be sorted in non-decreasing order")
        last = np.empty(t.size, dtype=bool)
        np.not_equal(t[1:], t[:-1], out=last[:-1])
        last[-1] = True
        t, v = t[last], v[last]
    return t, v


def time_weighted_integral(
    times: Any, values: Any, t_start: float, t_end: float, *, initial: float = 0.0
) -> float:
    r"""Exact integral of a right-continuous step function over ``[t_start, t_end]``.

    The function is :math:`f(t) = v_k` for :math:`t_k \le t < t_{k+1}` (the value of the last
    row at or before ``t``) and ``initial`` before the first row. When several rows share a
    time only the last one counts (it is the state after that instant). Rows before
    ``t_start`` matter only through the value in force at ``t_start``, which counts from
    ``t_start`` on; rows after ``t_end`` are ignored.

    .. math:: I = \int_{t_\mathrm{start}}^{t_\mathrm{end}} f(t)\,dt
              = \sum_j (e_{j+1} - e_j)\, f(e_j)

    where :math:`e_0 = t_\mathrm{start} < e_1 < \dots < e_m = t_\mathrm{end}` are the window
    bounds and the row times strictly inside the window.

    Parameters
    ----------
    times : array_like of float
        Row times (minutes), sorted non-decreasing.
    values : array_like of float
        Value taking effect at each row time (same length as ``times``).
    t_start, t_end : float
        Window bounds in minutes, ``t_start <= t_end``.
    initial : float, default 0.0
        Value before the first row.

    Returns
    -------
    float
        The integral, in value × minutes (0.0 for an empty window).

    Raises
    ------
    ValueError
        If the lengths differ, times are not sorted, or ``t_end < t_start``.

    Examples
    --------
    >>> time_weighted_integral([0, 10, 10, 20], [1, 5, 2, 0], 5, 15)
    15.0
    """
    if t_end < t_start:
        raise ValueError(f"t_end must be >= t_start (got t_start={t_start}, t_end={t_end})")
    t, v = _step_arrays(times, values)
    if t.size == 0:
        return float(initial * (t_end - t_start))
    k = int(np.searchsorted(t, t_start, side="right")) - 1
    v0 = v[k] if k >= 0 else initial
    inner = (t > t_start) & (t < t_end)
    edges = np.concatenate(([t_start], t[inner], [t_end]))
    heights = np.concatenate(([v0], v[inner]))
    return float(np.sum(np.diff(edges) * heights))


def time_weighted_mean(
    times: Any, values: Any, t_start: float, t_end: float, *, initial: float = 0.0
) -> float:
    r"""Exact time average of a step function over ``[t_start, t_end]``.

    .. math:: \bar f = \frac{1}{t_\mathrm{end} - t_\mathrm{start}}
              \int_{t_\mathrm{start}}^{t_\mathrm{end}} f(t)\,dt

    with :math:`f` as in :func:`time_weighted_integral` (value of the last row at or before
    ``t``; last of several rows at one time wins; the value in force at ``t_start`` counts from
    ``t_start``).

    Parameters
    ----------
    times, values : array_like of float
        The step function's rows, times sorted non-decreasing.
    t_start, t_end : float
        Window bounds in minutes.
    initial : float, default 0.0
        Value before the first row.

    Returns
    -------
    float
        The time average; NaN if ``t_end == t_start``.

    Examples
    --------
    >>> time_weighted_mean([0, 10], [2, 4], 0, 20)
    3.0
    """
    integral = time_weighted_integral(times, values, t_start, t_end, initial=initial)
    length = t_end - t_start
    return integral / length if length > 0 else _NAN


def _window_integrals(
    times: np.ndarray, values: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Integrals of one step function (initial value 0) over many windows at once.

    Uses the running integral F(x) = ∫_{t_0}^{x} f, so ∫_a^b f = F(b) - F(a). Windows with
    ``end <= start`` give 0. Agrees with :func:`time_weighted_integral` up to rounding.
    """
    t, v = _step_arrays(times, values)
    starts = np.asarray(starts, dtype=np.float64)
    ends = np.maximum(np.asarray(ends, dtype=np.float64), starts)
    if t.size == 0:
        return np.zeros(starts.shape)
    cum = np.concatenate(([0.0], np.cumsum(np.diff(t) * v[:-1])))

    def running(x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(t, x, side="right") - 1
        kc = np.maximum(k, 0)
        return np.where(k >= 0, cum[kc] + v[kc] * (x - t[kc]), 0.0)

    return running(ends) - running(starts)


# ---------------------------------------------------------------------------------------------
# Tally statistics
# ---------------------------------------------------------------------------------------------


class TallyStats(NamedTuple):
    """Tally (per-observation) summary of a sample; all NaN for an empty sample."""

    mean: float
    p50: float
    p90: float
    p95: float
    max: float


def tally_stats(x: Any) -> TallyStats:
    r"""Mean, median, 90th and 95th percentiles and maximum of a sample (tally estimator).

    Each observation has weight 1: :math:`\bar x = \frac{1}{n}\sum_i x_i`. Percentiles use
    linear interpolation between order statistics (``numpy.percentile(method="linear")``,
    Hyndman & Fan type 7): the p-th percentile is :math:`x_{(\lfloor h \rfloor)} + (h -
    \lfloor h \rfloor)(x_{(\lfloor h \rfloor + 1)} - x_{(\lfloor h \rfloor)})` with
    :math:`h = (n-1)p/100` and 0-based order statistics. NaN entries are ignored.

    Parameters
    ----------
    x : array_like of float
        Observations, e.g. waits in minutes.

    Returns
    -------
    TallyStats
        ``(mean, p50, p90, p95, max)``; every field NaN if there is no non-NaN observation.

    Examples
    --------
    >>> tally_stats([0.0, 10.0]).p90
    9.0
    """
    a = np.asarray(x, dtype=np.float64).ravel()
    a = a[~np.isnan(a)]
    if a.size == 0:
        return TallyStats(_NAN, _NAN, _NAN, _NAN, _NAN)
    p50, p90, p95 = np.percentile(a, [50.0, 90.0, 95.0], method="linear")
    return TallyStats(float(np.mean(a)), float(p50), float(p90), float(p95), float(np.max(a)))


# ---------------------------------------------------------------------------------------------
# Helpers on Records
# ---------------------------------------------------------------------------------------------


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else _NAN


def _visit_customer_arrival(records: Records) -> np.ndarray:
    """Arrival time of each visit's customer (the visit's join time if the customer is unknown)."""
    v, c = records.visits, records.customers
    vcid = v["customer_id"]
    join = v["join_min"].astype(np.float64)
    cid = c["customer_id"]
    if vcid.size == 0 or cid.size == 0:
        return join
    order = np.argsort(cid, kind="stable")
    cid_sorted = cid[order]
    pos = np.searchsorted(cid_sorted, vcid)
    pos_c = np.minimum(pos, cid_sorted.size - 1)
    found = cid_sorted[pos_c] == vcid
    return np.where(found, c["arrival_min"][order][pos_c], join)


def _station_levels(records: Records, station: int) -> tuple[np.ndarray, ...]:
    """(times, queue_len, busy, on_duty) rows of one station, in recorded order."""
    lv = records.levels
    m = lv["station_idx"] == station
    return (
        lv["time_min"][m].astype(np.float64),
        lv["queue_len"][m].astype(np.float64),
        lv["busy"][m].astype(np.float64),
        lv["on_duty"][m].astype(np.float64),
    )


def slug(name: str) -> str:
    """Lower-snake identifier for a name, for use in KPI keys.

    Lower-cases, replaces every run of characters other than ``a-z0-9`` by one underscore and
    strips underscores at the ends; an empty result becomes ``"standard"``.

    Examples
    --------
    >>> slug("Window within 15 min")
    'window_within_15_min'
    """
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return s or "standard"


def standard_slugs(standards: Iterable[Any]) -> list[str]:
    """Unique key slugs for service standards, in the order given.

    The first standard with a given :func:`slug` keeps it; later ones get ``_2``, ``_3``, ...

    Examples
    --------
    >>> standard_slugs([{"name": "A b"}, {"name": "a-b"}])
    ['a_b', 'a_b_2']
    """
    seen: set[str] = set()
    out: list[str] = []
    for std in standards:
        base = slug(str(_field(std, "name")))
        key, k = base, 1
        while key in seen:
            k += 1
            key = f"{base}_{k}"
        seen.add(key)
        out.append(key)
    return out


def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


class _StdUnits(NamedTuple):
    """Units a standard is measured on: their clock time (for hourly binning) and outcome."""

    time_min: np.ndarray  # join time (station standard) or arrival time (whole visit)
    passed: np.ndarray  # bool: wait <= wait_max_min and not abandoned
    station: int  # -1 for the whole-visit standard


def _standard_units(
    records: Records, std: Any, visit_in: np.ndarray, cust_in: np.ndarray
) -> _StdUnits:
    """Select the relevant units of one standard and say which met the wait limit."""
    name = _field(std, "name")
    wait_max = float(_field(std, "wait_max_min"))
    station = _field(std, "station")
    classes = _field(std, "classes")
    class_ok_visit = np.ones(records.visits["class_idx"].shape, dtype=bool)
    class_ok_cust = np.ones(records.customers["class_idx"].shape, dtype=bool)
    if classes is not None:
        idx = []
        for cname in classes:
            if cname not in records.class_names:
                raise ValueError(
                    f"standard {name!r}: unknown class {cname!r}; "
                    f"expected one of {list(records.class_names)}"
                )
            idx.append(records.class_names.index(cname))
        class_ok_visit = np.isin(records.visits["class_idx"], idx)
        class_ok_cust = np.isin(records.customers["class_idx"], idx)
    if station is not None:
        if station not in records.station_names:
            raise ValueError(
                f"standard {name!r}: unknown station {station!r}; "
                f"expected one of {list(records.station_names)}"
            )
        s = records.station_names.index(station)
        v = records.visits
        start, join = v["start_min"], v["join_min"]
        started = np.isfinite(start)
        abandoned = v["outcome"] == VisitOutcome.ABANDONED
        m = visit_in & class_ok_visit & (v["station_idx"] == s) & (started | abandoned)
        if _field(std, "measure", "wait") == "wait_and_service":
            end = v["end_min"]
            passed = np.isfinite(end[m]) & ((end[m] - join[m]) <= wait_max)
        else:
            passed = started[m] & ((start[m] - join[m]) <= wait_max)
        return _StdUnits(join[m].astype(np.float64), passed, s)
    c = records.customers
    out = c["outcome"]
    m = cust_in & class_ok_cust & (
        (out == CustomerOutcome.SERVED) | (out == CustomerOutcome.ABANDONED)
    )
    passed = (out[m] == CustomerOutcome.SERVED) & (c["wait_min"][m] <= wait_max)
    return _StdUnits(c["arrival_min"][m].astype(np.float64), passed, -1)


def _staff_late(records: Records) -> np.ndarray:
    """Late minutes per staff row; a row still open at the end counts up to ``end_min``."""
    sf = records.staff
    due = sf["due_min"].astype(np.float64)
    left = sf["left_min"].astype(np.float64)
    late = sf["late_min"].astype(np.float64)
    still_there = np.isnan(left)
    recorded = np.where(np.isnan(late), left - due, late)
    return np.maximum(np.where(still_there, records.end_min - due, recorded), 0.0)


# ---------------------------------------------------------------------------------------------
# KPI row of one replication
# ---------------------------------------------------------------------------------------------


def replication_kpis(
    records: Records,
    standards: Sequence[Any] = (),
    cost_per_hour_by_group: Sequence[float] | None = None,
) -> dict[str, float]:
    r"""All KPIs of one replication as one flat, ordered ``dict[str, float]``.

    The key order is fixed for a given model (stations, standards), so rows of many
    replications make CSV columns directly. Let :math:`T_0` = ``stats_start_min``,
    :math:`T_1` = ``end_min``, :math:`W = T_1 - T_0`. *Window customers* are those with
    ``arrival_min >= T_0``; *window visits* are their visits.

    Parameters
    ----------
    records : Records
        One replication's tables.
    standards : sequence, default ()
        Service standards: objects or mappings with ``name``, ``station`` (station name, or
        None for the total wait over the visit), ``wait_max_min``, ``target_share`` and
        ``classes`` (class names, or None for all).
    cost_per_hour_by_group : sequence of float, optional
        Cost per paid staff hour, indexed like ``records.group_names``. Without it
        ``staff_cost`` is NaN.

    Returns
    -------
    dict[str, float]
        In this order (counts as floats; rates NaN when their denominator is 0):

        Customers (window customers, ``customers`` table):

        - ``arrived``; ``served``, ``balked``, ``abandoned``, ``inside`` — customers by
          :class:`CustomerOutcome` (``balked`` includes a full waiting room); ``blocked`` —
          customers with at least one BLOCKED visit (a subset of ``balked``);
          ``persons_served`` — Σ ``group_size`` of served customers.
        - ``balk_rate`` = balked / arrived, ``abandon_rate`` = abandoned / arrived,
          ``served_share`` = served / arrived.
        - ``wait_mean_min``, ``wait_p50_min``, ``wait_p90_min``, ``wait_p95_min``,
          ``wait_max_min`` — :func:`tally_stats` of ``wait_min`` (total wait over the visit)
          of served customers.
        - ``time_in_system_mean_min`` — mean of departure − arrival over served customers.
        - ``time_in_system_all_mean_min`` — mean of min(departure, :math:`T_1`) − arrival over
          all window customers (a customer still inside counts up to :math:`T_1`).
        - ``throughput_per_hour`` — served customers departing in :math:`[T_0, T_1]`, divided
          by :math:`W/60`.

        Little's law terms (time-weighted, window :math:`[T_0, T_1]`):

        - ``stats_window_min`` = :math:`W`.
        - ``arrival_rate_per_min`` — customers arriving in :math:`[T_0, T_1]` divided by W.
        - ``in_system_tw`` — :math:`\frac1W\int_{T_0}^{T_1} N(t)\,dt` with :math:`N(t)` the
          number of customers (not persons) with arrival ≤ t < departure, computed exactly
          as :math:`\frac1W \sum_i |[a_i, d_i) \cap [T_0, T_1]|`; a missing departure counts
          as :math:`T_1`. When every customer arrives and leaves inside the window,
          ``in_system_tw == arrival_rate_per_min * time_in_system_all_mean_min`` exactly.

        Staff (whole run, ``staff`` table; not windowed):

        - ``overtime_min`` — Σ ``late_min`` over SHIFT_END rows; ``late_break_min`` — the same
          over BREAK rows. A row with NaN ``left_min`` (still there at the end) counts
          max(0, ``end_min`` − ``due_min``).
        - ``staff_paid_min`` — Σ ``records.staff_paid_min`` (scheduled) + ``overtime_min``.
        - ``staff_cost`` — :math:`\sum_\text{slots} (\text{paid}_s + \text{overtime}_s)/60
          \times \text{rate}_{g(s)}`, group :math:`g(s)` from ``records.slot_group`` (paid) and
          the staff row's ``group_idx`` (overtime).
        - ``last_departure_min`` — latest departure of any customer (NaN if none).
        - ``closing_overrun_min`` — terminating days: max(0, ``last_departure_min`` −
          ``close_min``), 0 if nobody departed; NaN for steady-state runs.

        Per station ``s`` (name verbatim from ``records.station_names``), window visits:

        - ``{s}__wait_mean_min``, ``{s}__wait_p50_min``, ``{s}__wait_p90_min``,
          ``{s}__wait_p95_min``, ``{s}__wait_max_min`` — :func:`tally_stats` of
          ``start_min − join_min`` over visits that started service.
        - ``{s}__visits`` (all visit rows), ``{s}__served`` (outcome SERVED, FAILED or
          RECOVERED), ``{s}__abandoned``, ``{s}__balked``, ``{s}__blocked`` (by
          :class:`VisitOutcome`), ``{s}__failures`` (Σ ``n_failures``).
        - ``{s}__queue_len_tw``, ``{s}__busy_tw``, ``{s}__on_duty_tw`` — time averages of the
          level series over :math:`[T_0, T_1]`; ``{s}__utilisation_tw`` =
          :math:`\int \text{busy}\,dt / \int \text{on\_duty}\,dt` over the window (NaN if
          nobody was on duty).

        Per held resource (tables, rooms), the station columns above (a wait is the wait
        for a table or a ready room; queue = waiting list, busy = units in use, on duty =
        units, so ``utilisation_tw`` is units used / available), then
        :func:`resource_kpis`. A hidden housekeeping station ``{rooms}.housekeeping`` has
        station columns too (queue = dirty rooms waiting, busy = rooms being cleaned).

        Per service standard, ``k`` = :func:`standard_slugs` of the names:

        - ``std__{k}__compliance`` — passed / relevant. Station standard: relevant = window
          visits at that station (of the listed classes) that started service or abandoned;
          passed = started with ``start − join <= wait_max_min``. Whole-visit standard:
          relevant = window customers SERVED or ABANDONED; passed = SERVED with
          ``wait_min <= wait_max_min``. Abandonment always fails; balked and blocked units are
          excluded. NaN if nothing is relevant.
        - ``std__{k}__met`` — 1.0 if compliance >= ``target_share`` else 0.0 (NaN if
          compliance is NaN).
        - ``std__{k}__n`` — number of relevant units.

        Skill-based routing, only when a staff group is routed: the keys of
        :func:`simulator.measures.staff_use.routing_kpis` (per routed group on-duty and busy minutes
        and utilisation across the stations its people served; per station the busy minutes
        given by each group serving it).

    Raises
    ------
    ValueError
        If a standard names an unknown station or class, or ``cost_per_hour_by_group`` does not
        match ``records.group_names``.

    Examples
    --------
    >>> kpis = replication_kpis(records, scenario.standards)  # doctest: +SKIP
    >>> kpis["window__utilisation_tw"]  # doctest: +SKIP
    0.83
    """
    r = records
    t0, t1 = float(r.stats_start_min), float(r.end_min)
    window = t1 - t0
    c, v = r.customers, r.visits
    arr = c["arrival_min"].astype(np.float64)
    dep = c["departure_min"].astype(np.float64)
    cust_in = arr >= t0
    outcome = c["outcome"][cust_in]
    is_served = outcome == CustomerOutcome.SERVED

    visit_in = _visit_customer_arrival(r) >= t0
    blocked_cids = np.unique(v["customer_id"][visit_in & (v["outcome"] == VisitOutcome.BLOCKED)])

    k: dict[str, float] = {}
    arrived = int(np.count_nonzero(cust_in))
    served = int(np.count_nonzero(is_served))
    balked = int(np.count_nonzero(outcome == CustomerOutcome.BALKED))
    abandoned = int(np.count_nonzero(outcome == CustomerOutcome.ABANDONED))
    k["arrived"] = float(arrived)
    k["served"] = float(served)
    k["balked"] = float(balked)
    k["blocked"] = float(blocked_cids.size)
    k["abandoned"] = float(abandoned)
    k["inside"] = float(np.count_nonzero(outcome == CustomerOutcome.INSIDE))
    k["persons_served"] = float(np.sum(c["group_size"][cust_in][is_served], dtype=np.int64))
    k["balk_rate"] = _ratio(balked, arrived)
    k["abandon_rate"] = _ratio(abandoned, arrived)
    k["served_share"] = _ratio(served, arrived)

    waits = tally_stats(c["wait_min"][cust_in][is_served])
    k["wait_mean_min"] = waits.mean
    k["wait_p50_min"] = waits.p50
    k["wait_p90_min"] = waits.p90
    k["wait_p95_min"] = waits.p95
    k["wait_max_min"] = waits.max
    a_in, d_in = arr[cust_in], dep[cust_in]
    k["time_in_system_mean_min"] = (
        float(np.mean(d_in[is_served] - a_in[is_served])) if served else _NAN
    )
    d_eff = np.where(np.isnan(d_in), t1, np.minimum(d_in, t1))
    k["time_in_system_all_mean_min"] = float(np.mean(d_eff - a_in)) if arrived else _NAN
    all_served = c["outcome"] == CustomerOutcome.SERVED
    served_out = np.count_nonzero(all_served & (dep >= t0) & (dep <= t1))
    k["throughput_per_hour"] = _ratio(served_out, window / 60.0)

    # Little's law terms, exact over the window.
    k["stats_window_min"] = window
    k["arrival_rate_per_min"] = _ratio(np.count_nonzero((arr >= t0) & (arr <= t1)), window)
    dep_all = np.where(np.isnan(dep), t1, dep)
    overlap = np.clip(np.minimum(dep_all, t1) - np.maximum(arr, t0), 0.0, None)
    k["in_system_tw"] = _ratio(float(np.sum(overlap)), window)

    # Staff.
    late = _staff_late(r)
    kind = r.staff["kind"]
    shift_end = kind == DutyChange.SHIFT_END
    overtime = float(np.sum(late[shift_end]))
    k["overtime_min"] = overtime
    k["late_break_min"] = float(np.sum(late[kind == DutyChange.BREAK]))
    paid_slots = sorted(r.staff_paid_min)
    k["staff_paid_min"] = float(sum(float(r.staff_paid_min[s]) for s in paid_slots)) + overtime
    k["staff_cost"] = _staff_cost(r, late, shift_end, paid_slots, cost_per_hour_by_group)
    finite_dep = dep[np.isfinite(dep)]
    last_dep = float(np.max(finite_dep)) if finite_dep.size else _NAN
    k["last_departure_min"] = last_dep
    if r.terminating:
        k["closing_overrun_min"] = max(0.0, last_dep - r.close_min) if finite_dep.size else 0.0
    else:
        k["closing_overrun_min"] = _NAN

    # Stations.
    start, join = v["start_min"], v["join_min"]
    started = np.isfinite(start)
    vout = v["outcome"]
    for s, name in enumerate(r.station_names):
        at = visit_in & (v["station_idx"] == s)
        w = tally_stats(start[at & started] - join[at & started])
        k[f"{name}__wait_mean_min"] = w.mean
        k[f"{name}__wait_p50_min"] = w.p50
        k[f"{name}__wait_p90_min"] = w.p90
        k[f"{name}__wait_p95_min"] = w.p95
        k[f"{name}__wait_max_min"] = w.max
        k[f"{name}__visits"] = float(np.count_nonzero(at))
        k[f"{name}__served"] = float(np.count_nonzero(at & np.isin(vout, _SERVICE_DONE)))
        k[f"{name}__abandoned"] = float(np.count_nonzero(at & (vout == VisitOutcome.ABANDONED)))
        k[f"{name}__balked"] = float(np.count_nonzero(at & (vout == VisitOutcome.BALKED)))
        k[f"{name}__blocked"] = float(np.count_nonzero(at & (vout == VisitOutcome.BLOCKED)))
        k[f"{name}__failures"] = float(np.sum(v["n_failures"][at], dtype=np.int64))
        times, queue, busy, on_duty = _station_levels(r, s)
        if window > 0:
            q_int = time_weighted_integral(times, queue, t0, t1)
            b_int = time_weighted_integral(times, busy, t0, t1)
            d_int = time_weighted_integral(times, on_duty, t0, t1)
            k[f"{name}__queue_len_tw"] = q_int / window
            k[f"{name}__busy_tw"] = b_int / window
            k[f"{name}__on_duty_tw"] = d_int / window
            k[f"{name}__utilisation_tw"] = _ratio(b_int, d_int)
        else:
            for col in ("queue_len_tw", "busy_tw", "on_duty_tw", "utilisation_tw"):
                k[f"{name}__{col}"] = _NAN

    # Held resources.
    for s in range(len(r.station_names)):
        if r.kind_of(s) in ("tables", "rooms"):
            k.update(resource_kpis(r, s, visit_in))

    # Service standards.
    for key, std in zip(standard_slugs(standards), standards, strict=True):
        units = _standard_units(r, std, visit_in, cust_in)
        n = int(units.passed.size)
        compliance = _ratio(float(np.count_nonzero(units.passed)), n)
        target = float(_field(std, "target_share", 0.8))
        k[f"std__{key}__compliance"] = compliance
        k[f"std__{key}__met"] = _NAN if math.isnan(compliance) else float(compliance >= target)
        k[f"std__{key}__n"] = float(n)

    # Skill-based routing (only when a group is routed): per group and per station served.
    k.update(routing_kpis(r))
    return k


def resource_kpis(records: Records, s: int, visit_in: np.ndarray) -> dict[str, float]:
    r"""KPIs of held resource ``s`` (a tables or rooms entry of ``records.station_names``).

    Window :math:`[T_0, T_1]` as in :func:`replication_kpis`; ``visit_in`` marks window
    visits. Columns (prefix ``{name}__``):

    - ``queue_len_max`` — longest waiting list in the window (level series).
    - tables: ``seat_utilisation_tw`` — seat-minutes held / (seats × W), a hold being
      [start, end) of a seize visit clipped to the window (end :math:`T_1` if unfinished)
      and its seats those of its table(s).
    - rooms: ``kept_waiting_share`` — window check-ins (seize visits handed a room or
      abandoned) that were not handed a room on arrival at the step; ``checkout_no_room`` —
      release visits that found no room to vacate (NOTHING_HELD); ``ready_tw``,
      ``dirty_tw`` — time averages of ready rooms and dirty rooms (waiting for or being
      cleaned: housekeeping queue + busy); occupied rooms are ``busy_tw``.
    """
    r = records
    name = r.station_names[s]
    t0, t1 = float(r.stats_start_min), float(r.end_min)
    window = t1 - t0
    v = r.visits
    at = v["station_idx"] == s
    k: dict[str, float] = {}
    times, queue, busy, units = _station_levels(r, s)
    in_force = (times <= t1) & (np.r_[times[1:], np.inf] > t0)
    k[f"{name}__queue_len_max"] = float(np.max(queue[in_force])) if np.any(in_force) else _NAN
    if r.kind_of(s) == "tables":
        seats = np.asarray(r.unit_seats[s], dtype=np.float64)
        held = at & np.isfinite(v["start_min"])
        a, b = v["counter"][held], v["staff_id"][held]
        n_seats = seats[a] + np.where(b >= 0, seats[np.maximum(b, 0)], 0.0)
        end = np.where(np.isnan(v["end_min"][held]), t1, v["end_min"][held])
        span = np.clip(np.minimum(end, t1) - np.maximum(v["start_min"][held], t0), 0.0, None)
        k[f"{name}__seat_utilisation_tw"] = _ratio(float(np.sum(n_seats * span)),
                                                   float(seats.sum()) * window)
        return k
    vout = v["outcome"]
    mine = at & visit_in
    checked_in = mine & np.isin(vout, [int(VisitOutcome.SERVED), int(VisitOutcome.ABANDONED)])
    kept = checked_in & ~(v["start_min"] <= v["join_min"])
    k[f"{name}__kept_waiting_share"] = _ratio(float(np.count_nonzero(kept)),
                                              float(np.count_nonzero(checked_in)))
    k[f"{name}__checkout_no_room"] = float(np.count_nonzero(
        mine & (vout == VisitOutcome.NOTHING_HELD)))
    hk_t, hk_q, hk_b, _ = _station_levels(r, r.housekeeping_of[s])
    if window > 0:
        dirty = (time_weighted_integral(hk_t, hk_q, t0, t1)
                 + time_weighted_integral(hk_t, hk_b, t0, t1))
        occupied = time_weighted_integral(times, busy, t0, t1)
        rooms = time_weighted_integral(times, units, t0, t1)
        k[f"{name}__ready_tw"] = (rooms - occupied - dirty) / window
        k[f"{name}__dirty_tw"] = dirty / window
    else:
        k[f"{name}__ready_tw"] = k[f"{name}__dirty_tw"] = _NAN
    return k


def _staff_cost(
    r: Records,
    late: np.ndarray,
    shift_end: np.ndarray,
    paid_slots: list[int],
    rates: Sequence[float] | None,
) -> float:
    if rates is None:
        return _NAN
    rate = np.asarray(rates, dtype=np.float64)
    if rate.shape != (len(r.group_names),):
        raise ValueError(
            f"cost_per_hour_by_group needs one rate per staff group {list(r.group_names)} "
            f"(got {len(rate)} values)"
        )
    cost = 0.0
    for slot in paid_slots:
        group = r.slot_group.get(slot)
        if group is None:
            raise ValueError(f"staff slot {slot} has paid minutes but no entry in slot_group")
        cost += float(r.staff_paid_min[slot]) / 60.0 * float(rate[group])
    groups = r.staff["group_idx"][shift_end].astype(np.intp)
    cost += float(np.sum(late[shift_end] / 60.0 * rate[groups]))
    return cost


# ---------------------------------------------------------------------------------------------
# By hour
# ---------------------------------------------------------------------------------------------


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
    visit_in = _visit_customer_arrival(r) >= t0

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
    std_units = [_standard_units(r, s, visit_in, cust_in) for s in standards]
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
        cols["served"] = counts(vh, np.isin(o, _SERVICE_DONE))
        cols["balked"] = counts(vh, (o == VisitOutcome.BALKED) | (o == VisitOutcome.BLOCKED))
        cols["abandoned"] = counts(vh, o == VisitOutcome.ABANDONED)
        cols["wait_mean_min"], cols["wait_p90_min"] = _hourly_tally(
            vh[st], (start[at][st] - join[at][st]).astype(np.float64), n_hours
        )
        times, queue, busy, on_duty = _station_levels(r, s)
        q = _window_integrals(times, queue, win_start, win_end)
        b = _window_integrals(times, busy, win_start, win_end)
        d = _window_integrals(times, on_duty, win_start, win_end)
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
                "balk_rate": _ratio(float(cols["balked"][i]), float(arrivals)),
                "abandon_rate": _ratio(float(cols["abandoned"][i]), float(arrivals)),
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


# ---------------------------------------------------------------------------------------------
# Grids and histograms for pooling across replications
# ---------------------------------------------------------------------------------------------


class LevelGrid(NamedTuple):
    """Level series sampled on a fixed time grid; arrays are ``[station, time]``."""

    times_min: np.ndarray
    queue_len: np.ndarray
    busy: np.ndarray
    on_duty: np.ndarray


def level_grid(
    records: Records, step_min: float = 5.0, t_end_min: float | None = None
) -> LevelGrid:
    """Sample every station's level step functions at fixed grid times.

    Grid times are ``open_min + j * step_min`` for ``j = 0, 1, ...`` up to and including
    ``t_end_min`` (default ``records.end_min``). The value at a grid time t is the value in
    force at t: the last row with ``time_min <= t`` (so of several rows at t, the last),
    or 0 before the station's first row. Grid times after ``records.end_min`` were not
    simulated and are NaN; pass a common ``t_end_min`` to give replications of different
    lengths the same grid, then pool with ``numpy.nanpercentile``.

    Parameters
    ----------
    records : Records
        One replication's tables.
    step_min : float, default 5.0
        Grid spacing in minutes (> 0).
    t_end_min : float, optional
        Last grid time bound (minutes after midnight).

    Returns
    -------
    LevelGrid
        ``times_min`` of shape (T,), and ``queue_len``, ``busy``, ``on_duty`` of shape
        (n_stations, T), float.

    Examples
    --------
    >>> g = level_grid(records, step_min=15)  # doctest: +SKIP
    >>> np.nanpercentile(np.stack(qs), [5, 95], axis=0)  # bands  # doctest: +SKIP
    """
    if not step_min > 0:
        raise ValueError(f"step_min must be > 0 (got {step_min})")
    stop = float(records.end_min if t_end_min is None else t_end_min)
    n = max(0, math.floor((stop - records.open_min) / step_min + 1e-9) + 1)
    times = records.open_min + step_min * np.arange(n, dtype=np.float64)
    n_st = len(records.station_names)
    out = [np.zeros((n_st, n)) for _ in range(3)]
    after_end = times > records.end_min
    for s in range(n_st):
        t, *series = _station_levels(records, s)
        k = np.searchsorted(t, times, side="right") - 1
        kc = np.maximum(k, 0)
        for grid, val in zip(out, series, strict=True):
            sampled = np.where(k >= 0, val[kc], 0.0) if t.size else np.zeros(n)
            grid[s] = np.where(after_end, _NAN, sampled)
    return LevelGrid(times, out[0], out[1], out[2])


def wait_histogram(records: Records, edges: Any) -> np.ndarray:
    """Per-station counts of visit waits in fixed bins, to pool distributions across runs.

    Waits are ``start_min − join_min`` of window visits that started service (the same sample
    as ``{s}__wait_*_min`` in :func:`replication_kpis`). Bin i is ``[edges[i], edges[i+1])``;
    the last bin ``[edges[-1], ∞)`` is open-ended, so there are ``len(edges)`` bins and every
    wait is counted. Summing the arrays of many replications gives the pooled histogram.

    Parameters
    ----------
    records : Records
        One replication's tables.
    edges : array_like of float
        Strictly increasing bin edges in minutes, ``edges[0] <= 0``.

    Returns
    -------
    numpy.ndarray of int64, shape (n_stations, len(edges))

    Raises
    ------
    ValueError
        If ``edges`` is empty, not strictly increasing, starts above 0, or a wait is below
        ``edges[0]``.

    Examples
    --------
    >>> wait_histogram(records, [0, 5, 10, 20, 40])  # doctest: +SKIP
    """
    e = np.asarray(edges, dtype=np.float64).ravel()
    if e.size == 0 or np.any(np.diff(e) <= 0) or not e[0] <= 0:
        raise ValueError(
            f"edges must be strictly increasing, non-empty and start at <= 0 (got {e.tolist()})"
        )
    v = records.visits
    in_window = _visit_customer_arrival(records) >= records.stats_start_min
    started = np.isfinite(v["start_min"]) & in_window
    out = np.zeros((len(records.station_names), e.size), dtype=np.int64)
    for s in range(len(records.station_names)):
        m = started & (v["station_idx"] == s)
        w = v["start_min"][m] - v["join_min"][m]
        idx = np.searchsorted(e, w, side="right") - 1
        if np.any(idx < 0):
            raise ValueError(
                f"station {records.station_names[s]!r} has a wait {float(np.min(w))} below "
                f"edges[0] = {e[0]}"
            )
        out[s] = np.bincount(idx, minlength=e.size)
    return out


# ---------------------------------------------------------------------------------------------
# Conservation
# ---------------------------------------------------------------------------------------------


def check_conservation(records: Records) -> None:
    """Assert that every customer and (on a finished terminating day) every visit is accounted for.

    Checks, over all customers (no warm-up deletion):

    1. every customer outcome is a :class:`CustomerOutcome` code,
       ``arrived == served + balked + abandoned + inside``, and every customer who left
       (not INSIDE) has a finite ``departure_min >= arrival_min``;
    2. if the day is terminating and ``inside == 0``: every visit belongs to a recorded
       customer, no visit is UNFINISHED, every visit with outcome SERVED, FAILED or RECOVERED
       has finite ``start_min <= end_min``, every ABANDONED/BALKED/BLOCKED visit has no service
       start, and every station's (and tables resource's) last level row shows an empty line
       and no busy counter (tables: none in use). Rooms and housekeeping are exempt: guests
       stay overnight and dirty rooms may wait for the next day.

    Parameters
    ----------
    records : Records
        One replication's tables.

    Raises
    ------
    AssertionError
        Naming the first violated check and the numbers involved.
    """
    c, v = records.customers, records.visits
    out = c["outcome"]
    valid = np.isin(out, [int(x) for x in CustomerOutcome])
    assert np.all(valid), (
        f"customer outcome codes not in CustomerOutcome: {sorted(set(out[~valid].tolist()))}"
    )
    n = {o.name.lower(): int(np.count_nonzero(out == o)) for o in CustomerOutcome}
    arrived = int(out.size)
    total = n["served"] + n["balked"] + n["abandoned"] + n["inside"]
    assert arrived == total, (
        f"conservation violated: arrived={arrived} != served {n['served']} + balked "
        f"{n['balked']} + abandoned {n['abandoned']} + inside {n['inside']} (= {total})"
    )
    arr, dep = c["arrival_min"], c["departure_min"]
    gone = out != CustomerOutcome.INSIDE
    bad = gone & ~(np.isfinite(dep) & (dep >= arr))
    assert not np.any(bad), (
        f"{int(np.count_nonzero(bad))} customers who left lack a departure >= arrival "
        f"(customers {sorted(set(c['customer_id'][bad].tolist()))})"
    )
    if not (records.terminating and n["inside"] == 0):
        return
    unknown = ~np.isin(v["customer_id"], c["customer_id"])
    assert not np.any(unknown), (
        f"visits of unrecorded customers: ids {sorted(set(v['customer_id'][unknown].tolist()))}"
    )
    vout = v["outcome"]
    unfinished = vout == VisitOutcome.UNFINISHED
    assert not np.any(unfinished), (
        f"terminating day ended with nobody inside but {int(np.count_nonzero(unfinished))} "
        f"UNFINISHED visits (customers {sorted(set(v['customer_id'][unfinished].tolist()))})"
    )
    done = np.isin(vout, _SERVICE_DONE)
    start, end = v["start_min"], v["end_min"]
    bad = done & ~(np.isfinite(start) & np.isfinite(end) & (start <= end))
    assert not np.any(bad), (
        f"{int(np.count_nonzero(bad))} served visits lack a finite start <= end "
        f"(customers {sorted(set(v['customer_id'][bad].tolist()))})"
    )
    left = np.isin(
        vout, [int(VisitOutcome.ABANDONED), int(VisitOutcome.BALKED), int(VisitOutcome.BLOCKED)]
    )
    bad = left & np.isfinite(start)
    assert not np.any(bad), (
        f"{int(np.count_nonzero(bad))} abandoned/balked/blocked visits have a service start "
        f"(customers {sorted(set(v['customer_id'][bad].tolist()))})"
    )
    for s, name in enumerate(records.station_names):
        if records.kind_of(s) in ("rooms", "housekeeping"):
            continue  # guests stay in their rooms overnight; dirty rooms wait for tomorrow
        _, queue, busy, _ = _station_levels(records, s)
        if queue.size:
            assert queue[-1] == 0 and busy[-1] == 0, (
                f"station {name!r} ends with queue_len={int(queue[-1])}, busy={int(busy[-1])} "
                "though nobody is inside"
            )
