"""The KPI row of a block of days (a week) from the KPI rows of its open days.

Each open day of a calendar (docs/week.md) is measured as a service day by the same
accumulators as a one-day run; its row is the day's ``by_day`` row. The block's row combines
them with one rule per kind of KPI, chosen by the KPI's name:

- **counts and totals** (``arrived``, ``served``, ``<station>__visits``, ``std__*__n``,
  ``overtime_min``, ``staff_cost`` and its regular and overtime parts, ``recovery_cost``,
  ``stats_window_min``, busy and on-duty minutes, ...):
  the sum over days;
- **extremes** (``wait_max_min``, ``queue_len_max``, ``closing_overrun_min``,
  ``last_departure_min``): the largest day;
- **standards**: ``std__*__compliance`` = Σ passed / Σ relevant (passed = compliance × n of
  each day), and ``std__*__met`` = 1 when that compliance reaches the standard's target;
- **means, shares and time averages**: the mean of the daily values weighted by the day's
  size of the KPI's population: served customers for waits and times in system of served
  customers, arrivals for rates over arrivals, a station's visits for its waits, the
  statistics window for time averages and rates per minute or hour, on-duty time for
  utilisations, scored customers for predicted satisfaction. This is exactly the block's
  value for means, shares and time averages over that population; for percentiles
  (``*_p50_min``, ``*_p90_min``, ``*_p95_min``) it is the weighted mean of the daily
  percentiles. The block's row in ``replications.csv`` then replaces every wait statistic
  (customers' and stations' mean, percentiles and maximum) by that of the days' wait tallies
  pooled (:func:`simulator.experiments.runner.join_days`), so it is exact there;
  ``by_day_type.csv`` keeps the weighted means of the daily percentiles.

A block of one open day returns that day's row unchanged (so a one-day calendar gives today's
results byte for byte).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from simulator.measures.standards import field_of, standard_slugs

__all__ = ["combine_days", "standard_targets", "weight_key"]

_SUM = {"arrived", "served", "balked", "blocked", "abandoned", "inside", "persons_served",
        "visits", "failures", "n", "overtime_min", "late_break_min", "staff_paid_min",
        "staff_cost", "staff_cost_regular", "staff_cost_overtime", "recovery_cost",
        "stats_window_min", "busy_min", "on_duty_min", "n_all", "n_served",
        "checkout_no_room"}
_MAX = {"wait_max_min", "queue_len_max", "closing_overrun_min", "last_departure_min"}
_PER_WINDOW = {"throughput_per_hour", "arrival_rate_per_min", "in_system_tw"}
_PER_SERVED = {"wait_mean_min", "wait_p50_min", "wait_p90_min", "wait_p95_min",
               "time_in_system_mean_min"}
_STD = re.compile(r"^std__(.+)__(compliance|met)$")


def standard_targets(standards: Sequence[object]) -> dict[str, float]:
    """``target_share`` of each service standard by slug (for :func:`combine_days`)."""
    return {slug: float(field_of(std, "target_share", 0.8))
            for slug, std in zip(standard_slugs(standards), standards, strict=True)}


def _metric(key: str) -> tuple[str, str, str]:
    """``(prefix, metric, class)`` of a KPI name: ``window__wait_mean_min`` gives
    ``("window", "wait_mean_min", "")``; ``abandon_rate__class__vip`` gives
    ``("", "abandon_rate", "vip")``; ``window__busy_min__clerks`` gives
    ``("window", "busy_min", "")``."""
    cls = ""
    if "__class__" in key:
        key, cls = key.split("__class__", 1)
    parts = key.split("__")
    if parts[0] == "sat":
        return "sat", "__".join(parts[1:]), cls
    if len(parts) >= 3 and parts[-2] in ("busy_min", "on_duty_min"):
        return "__".join(parts[:-2]), parts[-2], cls
    if len(parts) == 1:
        return "", parts[0], cls
    return "__".join(parts[:-1]), parts[-1], cls


def weight_key(key: str, row: Mapping[str, float]) -> str | None:
    """The KPI whose daily value weights ``key`` in the block's mean (``None``: a count or an
    extreme, combined by sum or maximum; ``""``: days weigh equally, as the back office's
    backlog at each close)."""
    prefix, metric, cls = _metric(key)
    if prefix == "bo":  # the back office's columns of a day: counts, and the backlog
        return None if metric.endswith("_opened") or metric == "staff_cost" else ""
    if prefix == "sat":
        if metric in ("calibrated",):
            return "stats_window_min"
        if metric in ("n_all", "n_served"):
            return None
        all_customers = (metric.endswith("__all") or metric.startswith("complaint_rate")
                         or metric.startswith("return_rate") or "__complaint_rate" in metric
                         or "__return_rate" in metric or metric.startswith("gap3__"))
        return "sat__n_all" if all_customers else "sat__n_served"
    if metric in _SUM or metric in _MAX:
        return None
    if prefix.startswith("promise__"):  # a promise's units, and its broken ones
        return f"{prefix}__n" if metric == "broken_share" else f"{prefix}__broken"
    if key == "promise_broken_share":
        return "promise__"
    if cls:
        return f"arrived__class__{cls}"
    if prefix.startswith("staff"):
        return f"{prefix}__on_duty_min" if f"{prefix}__on_duty_min" in row else \
            "stats_window_min"
    if prefix:
        if metric == "utilisation_tw":
            return f"{prefix}__on_duty_tw"  # times the window, below
        if metric.endswith("_tw") or (metric.endswith("_share") and metric != "waited_share"):
            return "stats_window_min"
        return f"{prefix}__visits"
    if metric in _PER_WINDOW or metric.endswith("_tw"):
        return "stats_window_min"
    if metric in _PER_SERVED:
        return "served"
    return "arrived"


def _weight(row: Mapping[str, float], wkey: str) -> float:
    """The weight ``wkey`` names in ``row``: a KPI; ``""`` (1); ``promise__`` (every
    promise's units); ``<promise>__broken`` (its broken units = units × broken share)."""
    if not wkey:
        return 1.0
    if wkey == "promise__":
        return math.fsum(v for k, v in row.items()
                         if k.startswith("promise__") and k.endswith("__n"))
    if wkey.startswith("promise__") and wkey.endswith("__broken"):
        base = wkey[:-len("__broken")]
        return float(row.get(f"{base}__n", math.nan)) * float(
            row.get(f"{base}__broken_share", math.nan))
    return float(row.get(wkey, math.nan))


def combine_days(rows: Sequence[Mapping[str, float]],
                 targets: Mapping[str, float] | None = None) -> dict[str, float]:
    """The KPI row of a block of days from its open days' rows (module docstring).

    Parameters
    ----------
    rows : sequence of mapping
        One KPI row per open day, in day order, with the same keys.
    targets : mapping, optional
        ``target_share`` of each standard by slug (``std__<slug>__met``); without it a
        standard's ``met`` is NaN.

    Returns
    -------
    dict[str, float]
        Keys in the order of the first row.
    """
    if not rows:
        return {}
    if len(rows) == 1:
        return dict(rows[0])
    targets = targets or {}
    out: dict[str, float] = {}
    first = rows[0]
    for key in first:
        values = [float(r.get(key, math.nan)) for r in rows]
        std = _STD.match(key)
        if std is not None:
            slug, what = std.groups()
            ns = [float(r.get(f"std__{slug}__n", 0.0)) for r in rows]
            passed = sum(c * n for c, n in zip(
                [float(r.get(f"std__{slug}__compliance", math.nan)) for r in rows], ns,
                strict=True) if n > 0)
            total = sum(ns)
            compliance = passed / total if total > 0 else math.nan
            if what == "compliance":
                out[key] = compliance
            else:
                target = targets.get(slug)
                out[key] = (math.nan if target is None or math.isnan(compliance)
                            else float(compliance >= target - 1e-12))
            continue
        _prefix, metric, _cls = _metric(key)
        wkey = weight_key(key, first)
        if wkey is None:
            finite = [v for v in values if not math.isnan(v)]
            if metric in _MAX:
                out[key] = max(finite) if finite else math.nan
            else:
                out[key] = math.fsum(finite)
            continue
        weights = [_weight(r, wkey) for r in rows]
        if metric == "utilisation_tw" and wkey.endswith("__on_duty_tw"):
            weights = [w * float(r.get("stats_window_min", math.nan))
                       for w, r in zip(weights, rows, strict=True)]
        pairs = [(v, w) for v, w in zip(values, weights, strict=True)
                 if not math.isnan(v) and not math.isnan(w) and w > 0]
        total_w = math.fsum(w for _, w in pairs)
        out[key] = (math.fsum(v * w for v, w in pairs) / total_w if total_w > 0
                    else math.nan)
    return out
