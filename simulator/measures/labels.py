"""What each KPI means to a person: its label, unit, possible range and direction of good.

One table for every reader: the terminal tables, the HTML report, the figures, the workbook
and the classroom app look a KPI name up here (:func:`kpi_info`) instead of keeping labels of
their own. CSV files keep the machine names.

A KPI name is either a fixed name (``wait_mean_min``) or built from a pattern:

==========================================  ==============================================
``<station>__<metric>``                     a station or held resource
                                            (``general_window__wait_mean_min``)
``<metric>__class__<class>``                one customer class (``abandon_rate__class__resident``)
``std__<standard>__compliance|met|n``       a service standard
``staff__<group>__on_duty_min|...``         a staff group under skill-based routing
``<station>__busy_min__<group>``            service minutes a group gave at a station
``sat__...``                                predicted satisfaction (see docs/satisfaction.md)
==========================================  ==============================================

Each KPI has a *range* (a share is in [0, 1], a wait is >= 0, CSAT is in [1, 5]) that
:func:`simulator.measures.stats.range_interval` keeps its interval inside, and a *direction
of good* (:data:`LOWER`: less is better, such as waits and cost; :data:`HIGHER`: more is
better, such as compliance; :data:`NEUTRAL`: neither, such as arrivals or utilisation), which
colours comparisons. ``docs/results.md`` prints the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

__all__ = [
    "COLUMN_LABELS",
    "COST_PARTS",
    "HIGHER",
    "LOWER",
    "NEUTRAL",
    "KpiInfo",
    "format_interval",
    "format_number",
    "format_value",
    "humanise",
    "is_share",
    "kpi_info",
    "label",
    "with_cost_parts",
]

#: Directions of good.
LOWER, HIGHER, NEUTRAL = -1, 1, 0

_INF = math.inf


@dataclass(frozen=True)
class KpiInfo:
    """How a person reads one KPI.

    Attributes
    ----------
    key : str
        The machine name (a CSV column or a ``summary.csv`` row).
    label : str
        Plain words, without the unit (``Mean wait of served customers``).
    unit : str
        ``%`` (a share, shown as a percentage), ``min``, ``person-min``, ``customers``,
        ``visits``, ``customers/h``, ``currency``, ``clock`` (minutes after midnight shown as
        HH:MM), ``points`` (a score) or ``""``.
    low, high : float
        The possible range (``-inf``/``inf`` when unbounded).
    good : int
        :data:`LOWER`, :data:`HIGHER` or :data:`NEUTRAL`.
    denominator : str or None
        For a share of counted units, the KPI counting those units per replication
        (``arrived`` for ``abandon_rate``; ``replications`` for a share of days); None for
        shares of time or expected values.
    """

    key: str
    label: str
    unit: str = ""
    low: float = -_INF
    high: float = _INF
    good: int = NEUTRAL

    denominator: str | None = None
    short: str = ""

    @property
    def share(self) -> bool:
        """A share of 0..1, shown as a percentage."""
        return self.unit == "%"

    def titled(self, currency: str | None = None, short: bool = False) -> str:
        """The label with its unit in brackets (``Mean wait (min)``, ``Staff cost (EUR)``);
        shares and plain counts carry no unit. ``short``: the short label of a tile, where
        the KPI has one."""
        text = self.short if short and self.short else self.label
        unit = self.unit
        if unit == "currency":
            unit = currency or ""
        if unit in ("", "%", "customers", "visits", "clock", "points"):
            return text
        return f"{text} ({unit})"


#: Parts of the day's cost listed right after ``staff_cost`` (:func:`with_cost_parts`); tables
#: show them only when some replication has them (a scenario without overtime or
#: compensation would show a row of zeros).
COST_PARTS: tuple[str, ...] = ("staff_cost_overtime", "recovery_cost")


def with_cost_parts(keys: Sequence[str], parts: Sequence[str] = COST_PARTS) -> tuple[str, ...]:
    """``keys`` with the cost KPIs ``parts`` inserted right after ``staff_cost`` (``keys``
    unchanged when it has no ``staff_cost``).

    Examples
    --------
    >>> with_cost_parts(("overtime_min", "staff_cost", "closing_overrun_min"))
    ('overtime_min', 'staff_cost', 'staff_cost_overtime', 'recovery_cost', 'closing_overrun_min')
    """
    out: list[str] = []
    for k in keys:
        out.append(k)
        if k == "staff_cost":
            out.extend(p for p in parts if p not in keys)
    return tuple(out)


def _i(label: str, unit: str = "", low: float = -_INF, high: float = _INF,
       good: int = NEUTRAL, denominator: str | None = None) -> KpiInfo:
    return KpiInfo("", label, unit, low, high, good, denominator)


def _count(label: str, good: int = NEUTRAL, unit: str = "customers") -> KpiInfo:
    return _i(label, unit, 0.0, _INF, good)


def _share(label: str, good: int = NEUTRAL, denominator: str | None = None) -> KpiInfo:
    return _i(label, "%", 0.0, 1.0, good, denominator)


def _minutes(label: str, good: int = LOWER, unit: str = "min") -> KpiInfo:
    return _i(label, unit, 0.0, _INF, good)


#: KPIs of the whole operation (one replication), by machine name.
FIXED: dict[str, KpiInfo] = {
    "arrived": _count("Customers arrived"),
    "served": _count("Customers served", HIGHER),
    "balked": _count("Turned away on arrival (balked)", LOWER),
    "blocked": _count("Turned away by a full waiting room", LOWER),
    "abandoned": _count("Left a line before service (abandoned)", LOWER),
    "inside": _count("Still inside at the end", LOWER),
    "persons_served": _count("Persons served", HIGHER),
    "balk_rate": _share("Turned away on arrival (balked)", LOWER, "arrived"),
    "abandon_rate": replace(_share("Left a line before service (abandoned)", LOWER, "arrived"),
                            short="Abandoned"),
    "served_share": _share("Served", HIGHER, "arrived"),
    "waited_share": _share("Had to wait at all (P(wait > 0))", LOWER),
    "wait_mean_min": replace(_minutes("Mean total wait of served customers"), short="Mean wait"),
    "wait_p50_min": _minutes("Median total wait of served customers"),
    "wait_p90_min": _minutes("90th percentile of the total wait"),
    "wait_p95_min": _minutes("95th percentile of the total wait"),
    "wait_max_min": _minutes("Longest total wait"),
    "time_in_system_mean_min": _minutes("Mean time inside, served customers"),
    "time_in_system_all_mean_min": _minutes("Mean time inside, all customers"),
    "throughput_per_hour": _i("Customers served per hour", "customers/h", 0.0, _INF, HIGHER),
    "stats_window_min": _minutes("Length of the statistics window", NEUTRAL),
    "arrival_rate_per_min": _i("Arrivals per minute", "customers/min", 0.0, _INF),
    "in_system_tw": _i("Mean customers inside (time-weighted)", "customers", 0.0, _INF, LOWER),
    "overtime_min": _minutes("Staff overtime", LOWER, "person-min"),
    "late_break_min": _minutes("Breaks started late", LOWER, "person-min"),
    "staff_paid_min": _minutes("Paid staff time", LOWER, "person-min"),
    "staff_cost": _i("Staff cost", "currency", 0.0, _INF, LOWER),
    "staff_cost_regular": _i("Staff cost, scheduled time", "currency", 0.0, _INF, LOWER),
    "staff_cost_overtime": _i("Staff cost, overtime (with premium)", "currency", 0.0, _INF,
                              LOWER),
    "recovery_cost": _i("Compensation paid for failures", "currency", 0.0, _INF, LOWER),
    "last_departure_min": _i("Last customer leaves", "clock", 0.0, _INF),
    "closing_overrun_min": _minutes("Service after the doors close"),
    # predicted satisfaction (docs/satisfaction.md)
    "sat__calibrated": _i("Satisfaction model calibrated (1 = yes)", "", 0.0, 1.0),
    "sat__n_served": _count("Served customers scored"),
    "sat__n_all": _count("Customers scored"),
    "sat__csat_mean": replace(_i("Predicted CSAT of served customers (1–5)", "points", 1.0, 5.0,
                                 HIGHER), short="Predicted CSAT (1–5)"),
    "sat__csat_mean__all": _i("Predicted CSAT of all arrivals (1–5)", "points", 1.0, 5.0,
                              HIGHER),
    "sat__top2_share": _share("Predicted satisfied (4 or 5), served customers", HIGHER,
                              "sat__n_served"),
    "sat__top2_share__all": _share("Predicted satisfied (4 or 5), all arrivals", HIGHER,
                                   "sat__n_all"),
    "sat__csat_index": _i("Predicted CSAT index (0–100)", "points", 0.0, 100.0, HIGHER),
    "sat__complaint_rate": _share("Predicted to complain", LOWER, "sat__n_all"),
    "sat__return_rate": _share("Predicted to return or recommend", HIGHER, "sat__n_all"),
    "sat__sampled__csat_mean": _i("Simulated survey: CSAT (1–5)", "points", 1.0, 5.0, HIGHER),
    "sat__sampled__top2_share": _share("Simulated survey: satisfied (4 or 5)", HIGHER),
    "sat__sampled__complaint_rate": _share("Simulated survey: complained", LOWER),
    "sat__sampled__return_rate": _share("Simulated survey: would return", HIGHER),
}

#: Columns of ``by_hour.csv`` that are not KPI names above.
BY_HOUR: dict[str, KpiInfo] = {
    "arrivals": _count("Customers joining"),
}

#: Station and held-resource metrics: ``<station>__<metric>``.
STATION: dict[str, KpiInfo] = {
    "wait_mean_min": _minutes("mean wait"),
    "wait_p50_min": _minutes("median wait"),
    "wait_p90_min": _minutes("90th percentile wait"),
    "wait_p95_min": _minutes("95th percentile wait"),
    "wait_max_min": _minutes("longest wait"),
    "waited_share": _share("visits that had to wait (P(wait > 0))", LOWER),
    "visits": _count("visits", unit="visits"),
    "served": _count("visits served", HIGHER, "visits"),
    "abandoned": _count("visits abandoned", LOWER, "visits"),
    "balked": _count("visits turned away", LOWER, "visits"),
    "blocked": _count("visits blocked (waiting room full)", LOWER, "visits"),
    "failures": _count("service failures", LOWER, "visits"),
    "queue_len_tw": _i("mean line length (time-weighted)", "customers", 0.0, _INF, LOWER),
    "queue_len_max": _i("longest waiting list", "customers", 0.0, _INF, LOWER),
    "busy_tw": _i("mean counters busy", "", 0.0, _INF),
    "on_duty_tw": _i("mean staff on duty", "", 0.0, _INF),
    "utilisation_tw": _share("utilisation (busy ÷ on duty)"),
    "seat_utilisation_tw": _share("seats in use"),
    "kept_waiting_share": _share("check-ins kept waiting for a room", LOWER),
    "checkout_no_room": _count("check-outs finding no room", LOWER, "visits"),
    "ready_tw": _i("mean rooms ready", "", 0.0, _INF),
    "dirty_tw": _i("mean rooms waiting for housekeeping", "", 0.0, _INF, LOWER),
}

#: Per-class metrics: ``<metric>__class__<class>``.
PER_CLASS: dict[str, KpiInfo] = {
    "arrived": _count("customers arrived"),
    "wait_mean_min": _minutes("mean total wait of served customers"),
    "abandon_rate": _share("left a line before service (abandoned)", LOWER),
    "sat__csat_mean": _i("predicted CSAT (1–5)", "points", 1.0, 5.0, HIGHER),
    "sat__complaint_rate": _share("predicted to complain", LOWER),
    "sat__return_rate": _share("predicted to return or recommend", HIGHER),
}

#: Routed staff groups: ``staff__<group>__<metric>``.
STAFF: dict[str, KpiInfo] = {
    "on_duty_min": _minutes("time on duty", NEUTRAL, "person-min"),
    "busy_min": _minutes("time serving", NEUTRAL, "person-min"),
    "utilisation": _share("utilisation across stations"),
}

#: Human headers of the columns of the result tables (CSV keeps the machine names).
COLUMN_LABELS: dict[str, str] = {
    "kpi": "KPI (machine name)", "label": "KPI", "mean": "Mean", "sd": "Standard deviation",
    "n": "Replications", "ci_low": "95 % interval, low", "ci_high": "95 % interval, high",
    "half_width": "Half-width (Student t)", "rel_half_width": "Relative half-width",
    "ci_method": "Interval method", "note": "Note", "replication": "Replication",
    "seed": "Seed", "hour": "Hour", "hour_start_min": "Hour starts (min after midnight)",
    "station": "Station", "variant_id": "Variant id", "variant": "Variant",
    "baseline_mean": "Baseline mean", "variant_mean": "Variant mean",
    "diff_mean": "Difference (variant − baseline)", "diff_ci_low": "Difference, interval low",
    "diff_ci_high": "Difference, interval high", "diff_half_width": "Difference, half-width",
    "confidence": "Confidence per comparison", "significant": "Significant",
    "independent_half_width_est": "Half-width with independent runs (estimated)",
    "independent_half_width_run": "Half-width with independent runs (run)",
    "crn_width_ratio": "CRN ÷ independent half-width", "direction": "Good direction",
    "better": "Better for customers or cost", "parameter": "Varied value",
    "src": "Standardised regression coefficient", "src_ci_low": "SRC interval, low",
    "src_ci_high": "SRC interval, high", "prcc": "Partial rank correlation",
    "prcc_ci_low": "PRCC interval, low", "prcc_ci_high": "PRCC interval, high",
    "r2": "R² of the linear model", "points": "Design points",
}


def humanise(name: str) -> str:
    """A machine name in plain words: ``general_window`` -> ``general window``."""
    return name.replace("_", " ").replace("-", " ")


def _split_suffix(key: str, table: Mapping[str, KpiInfo]) -> tuple[str, KpiInfo] | None:
    """``prefix__<metric>`` with the longest metric of ``table`` that ends the key."""
    best: tuple[str, KpiInfo] | None = None
    for metric, info in table.items():
        tail = "__" + metric
        if key.endswith(tail) and len(key) > len(tail):
            if best is None or len(metric) > len(best[1].key or ""):
                best = (key[: -len(tail)], replace(info, key=metric))
    return best


def kpi_info(key: str, standard_names: Mapping[str, str] | None = None) -> KpiInfo:
    """How a person reads the KPI (or result column) ``key``.

    Parameters
    ----------
    key : str
        A KPI name of ``summary.csv`` or a column of ``by_hour.csv`` / ``replications.csv``.
    standard_names : mapping, optional
        Standard slug (the ``<standard>`` of ``std__<standard>__...``) to the name written
        in the scenario; without it the slug is shown in words.

    Returns
    -------
    KpiInfo
        For an unknown key: the key itself as the label, unbounded, neutral.

    Examples
    --------
    >>> kpi_info("general_window__wait_mean_min").label
    'general window: mean wait'
    >>> kpi_info("abandon_rate").good == LOWER
    True
    """
    if key in FIXED:
        return replace(FIXED[key], key=key)
    if key in BY_HOUR:
        return replace(BY_HOUR[key], key=key)
    if key.startswith("std__"):
        slug, _, what = key[len("std__"):].rpartition("__")
        name = (standard_names or {}).get(slug, humanise(slug))
        if what == "compliance":
            return KpiInfo(key, f"Compliance: {name}", "%", 0.0, 1.0, HIGHER, f"std__{slug}__n")
        if what == "met":
            return KpiInfo(key, f"Days meeting the target: {name}", "%", 0.0, 1.0, HIGHER,
                           "replications")
        if what == "n":
            return KpiInfo(key, f"Customers or visits judged: {name}", "customers", 0.0)
    if "__class__" in key:
        metric, _, cls = key.rpartition("__class__")
        if metric in PER_CLASS:
            info = PER_CLASS[metric]
            return replace(info, key=key, label=f"{humanise(cls)}: {info.label}")
    if key.startswith("sat__"):
        return _satisfaction(key)
    if key.startswith("staff__"):
        split = _split_suffix(key[len("staff__"):], STAFF)
        if split is not None:
            group, info = split
            return replace(info, key=key, label=f"{humanise(group)} (staff): {info.label}")
    if "__busy_min__" in key:
        station, _, group = key.partition("__busy_min__")
        return KpiInfo(key, f"{humanise(station)}: time served by {humanise(group)}",
                       "person-min", 0.0)
    if key in WEEK:
        return replace(WEEK[key], key=key)
    if key.startswith("promise__"):
        name, _, what = key[len("promise__"):].rpartition("__")
        if what in PROMISE:
            info = PROMISE[what]
            return replace(info, key=key, label=f"{info.label}: {humanise(name)}")
    split = _split_suffix(key, STATION)
    if split is not None:
        station, info = split
        return replace(info, key=key, label=f"{humanise(station)}: {info.label}")
    return KpiInfo(key, key)


#: The back office and promises (docs/week.md).
WEEK: dict[str, KpiInfo] = {
    "promise_broken_share": _share("Promises broken (all promises)", LOWER),
    "bo__complaints_opened": _count("Complaints opened", LOWER, "cases"),
    "bo__complaints_answered": _count("Complaints answered", HIGHER, "cases"),
    "bo__complaints_open_at_end": _count("Complaints still open at the end", LOWER, "cases"),
    "bo__complaints_escalated": _count("Complaints escalated", LOWER, "cases"),
    "bo__complaints_within_standard_share": _share("Complaints answered within the standard",
                                                   HIGHER),
    "bo__complaint_answer_mean_h": _minutes("Mean time to answer a complaint", LOWER, "h"),
    "bo__complaint_timeliness_mean": _i("Complaint answer timeliness (τ, 1 = on time)", "",
                                        0.0, 1.0, HIGHER),
    "bo__follow_ups_opened": _count("Follow-ups opened", NEUTRAL, "cases"),
    "bo__follow_ups_done": _count("Follow-ups done", HIGHER, "cases"),
    "bo__follow_ups_open_at_end": _count("Follow-ups still open at the end", LOWER, "cases"),
    "bo__follow_up_delay_mean_h": _minutes("Mean time to a follow-up", LOWER, "h"),
    "bo__backlog_at_close_mean": _count("Back-office backlog at closing time", LOWER,
                                        "cases"),
    "bo__backlog_age_mean_h": _minutes("Age of the back-office backlog", LOWER, "h"),
    "bo__busy_min": _minutes("Back-office work done", NEUTRAL, "person-min"),
    "bo__on_duty_min": _minutes("Back-office time on duty", NEUTRAL, "person-min"),
    "bo__utilisation": _share("Back-office utilisation"),
    "bo__staff_cost": _i("Back-office staff cost", "money", 0.0, _INF, LOWER),
    "bo__backlog_at_close": _count("Back-office backlog at closing time", LOWER, "cases"),
}
PROMISE: dict[str, KpiInfo] = {
    "n": _count("Customers or visits promised"),
    "broken_share": _share("Promise broken", LOWER),
    "overrun_mean_min": _minutes("Mean overrun of a broken promise"),
}


def _satisfaction(key: str) -> KpiInfo:
    if key.startswith("sat__dim__"):
        dim = key[len("sat__dim__"):]
        return KpiInfo(key, f"SERVQUAL {dim}: score (0 = as expected)", "points", -1.0, 1.0,
                       HIGHER)
    if key.startswith("sat__gain__"):
        dim = key[len("sat__gain__"):]
        return KpiInfo(key, f"CSAT gained if {dim} met expectations", "points", 0.0)
    if key.startswith("sat__gap3__") and key.endswith("__share"):
        slug = key[len("sat__gap3__"):-len("__share")]
        return KpiInfo(key, f"Served within the standard: {humanise(slug)}", "%", 0.0, 1.0,
                       HIGHER)
    return KpiInfo(key, key)


def label(key: str, currency: str | None = None,
          standard_names: Mapping[str, str] | None = None) -> str:
    """The KPI's label with its unit (``Mean total wait of served customers (min)``).

    Examples
    --------
    >>> label("staff_cost", currency="EUR")
    'Staff cost (EUR)'
    """
    return kpi_info(key, standard_names).titled(currency)


def is_share(key: str) -> bool:
    """The KPI is a share of 0..1 (shown as a percentage)."""
    return kpi_info(key).share


def format_number(x: float) -> str:
    """A number for people: thousands separators, about three significant digits
    (``1,234``, ``45``, ``12.3``, ``1.23``, ``0.012``)."""
    ax = abs(x)
    if x == round(x) and ax < 1e15:
        return f"{round(x):,}"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def format_value(key: str, x: float | None, currency: str | None = None,
                 unit: bool = True) -> str:
    """One value for people: ``12.3 %``, ``10.9 min``, ``4,379 EUR``, ``13:05``; ``–`` when
    missing. ``unit=False`` leaves the unit out (a table whose header has it)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    info = kpi_info(key)
    x = float(x)
    if info.share:
        return f"{100.0 * x:.1f} %" if unit else f"{100.0 * x:.1f}"
    if info.unit == "clock":
        m = round(x)
        day, rest = divmod(m, 24 * 60)
        text = f"{rest // 60:02d}:{rest % 60:02d}"
        return text if day == 0 else f"d{day + 1} {text}"
    text = format_number(x)
    if not unit:
        return text
    if info.unit == "currency":
        return f"{text} {currency}" if currency else text
    if info.unit in ("min", "person-min"):
        return f"{text} {info.unit}"
    return text


def format_interval(key: str, low: float | None, high: float | None) -> str:
    """``[low, high]`` in the KPI's display unit without the unit (``[10.1, 14.5]`` for a
    share in percent); empty when the interval is undefined."""
    if low is None or high is None or math.isnan(float(low)) or math.isnan(float(high)):
        return ""
    return (f"[{format_value(key, low, unit=False)}, "
            f"{format_value(key, high, unit=False)}]")
