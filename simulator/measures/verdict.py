"""The verdict that opens every output: standards met or missed, worst hours, bottleneck.

A manager reads the verdict first and the tables after. :func:`run_verdict` judges a run
from its summary (and by-hour table); :func:`compare_verdict` and :func:`sweep_verdict`
judge experiments: the best variant on the chosen KPI, with its cost. Each returns a
:class:`Verdict` of plain-language :class:`Line` s, each with a status the readers colour
(terminal, report, classroom app); the words come from :mod:`simulator.measures.labels`.

A standard is **met** when the whole 95 % interval of its compliance is at or above the
target, **missed** when the whole interval is below it, and **not clear** otherwise (more
replications would tell).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from simulator.measures.labels import (
    HIGHER,
    LOWER,
    format_interval,
    format_value,
    humanise,
    kpi_info,
    with_cost_parts,
)
from simulator.measures.standards import field_of, standard_slugs

__all__ = [
    "Line",
    "StandardCheck",
    "Verdict",
    "compare_verdict",
    "run_verdict",
    "standard_checks",
    "standard_names",
    "sweep_verdict",
]

Status = Literal["met", "missed", "unclear", "good", "bad", "info"]


@dataclass(frozen=True)
class Line:
    """One sentence of a verdict and how to colour it (``met``/``good`` green,
    ``missed``/``bad`` red, ``unclear`` amber, ``info`` plain)."""

    status: Status
    text: str


@dataclass(frozen=True)
class Verdict:
    """A verdict: its headline sentence and the lines under it."""

    headline: Line
    lines: tuple[Line, ...]

    def text(self) -> str:
        """The verdict as plain text, one line each, for terminals and logs."""
        marks = {"met": "✔", "good": "✔", "missed": "✘", "bad": "✘", "unclear": "?",
                 "info": "·"}
        out = [f"VERDICT: {self.headline.text}"]
        out += [f"  {marks[line.status]} {line.text}" for line in self.lines]
        return "\n".join(out)


@dataclass(frozen=True)
class StandardCheck:
    """One service standard against its target."""

    name: str
    key: str
    target: float
    compliance: float
    ci_low: float
    ci_high: float
    status: Literal["met", "missed", "unclear"]


def _row(summary: pd.DataFrame, kpi: str) -> pd.Series | None:
    rows = summary[summary["kpi"] == kpi]
    if rows.empty or not np.isfinite(float(rows["mean"].iloc[0])):
        return None
    return rows.iloc[0]


def standard_checks(summary: pd.DataFrame, standards: Sequence[Any]) -> list[StandardCheck]:
    """Each standard's compliance (mean and 95 % interval) against its ``target_share``."""
    out = []
    for key, std in zip(standard_slugs(standards), standards, strict=True):
        row = _row(summary, f"std__{key}__compliance")
        if row is None:
            continue
        target = float(field_of(std, "target_share", 0.8))
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        mean = float(row["mean"])
        if math.isnan(lo) or math.isnan(hi):
            lo = hi = mean
        status = "met" if lo >= target else "missed" if hi < target else "unclear"
        out.append(StandardCheck(str(field_of(std, "name")), key, target, mean, lo, hi,
                                 status))  # type: ignore[arg-type]
    return out


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f} %"


def _with_interval(summary: pd.DataFrame, kpi: str, currency: str | None = None) -> str:
    row = _row(summary, kpi)
    if row is None:
        return "–"
    ci = format_interval(kpi, row["ci_low"], row["ci_high"])
    return f"{format_value(kpi, row['mean'], currency)}" + (f" {ci}" if ci else "")


def _worst_hours(by_hour: pd.DataFrame | None, k: int = 2) -> list[tuple[int, float]]:
    """The ``k`` clock hours with the longest mean total wait (means over replications)."""
    if by_hour is None or by_hour.empty or "wait_mean_min" not in by_hour:
        return []
    rows = by_hour[(by_hour["station"] == "all") & (by_hour["arrivals"] > 0)]
    means = rows.groupby("hour")["wait_mean_min"].mean().dropna()
    means = means[means > 0].sort_values(ascending=False, kind="stable")
    return [(int(h), float(w)) for h, w in means.head(k).items()]


def _hours_text(hour: int) -> str:
    return f"{hour % 24:02d}:00–{(hour + 1) % 24:02d}:00"


def _stations(summary: pd.DataFrame) -> list[str]:
    return [k[: -len("__utilisation_tw")] for k in summary["kpi"]
            if k.endswith("__utilisation_tw")]


def bottleneck(summary: pd.DataFrame) -> tuple[str, str] | None:
    """``(busiest station, station with the longest mean wait)`` by utilisation and mean
    wait (means over replications); None without stations."""
    names = _stations(summary)
    util = {s: float(r["mean"]) for s in names
            if (r := _row(summary, f"{s}__utilisation_tw")) is not None}
    wait = {s: float(r["mean"]) for s in names
            if (r := _row(summary, f"{s}__wait_mean_min")) is not None}
    if not util:
        return None
    busiest = max(util, key=lambda s: util[s])
    longest = max(wait, key=lambda s: wait[s]) if wait else busiest
    return busiest, longest


def run_verdict(summary: pd.DataFrame, standards: Sequence[Any] = (),
                by_hour: pd.DataFrame | None = None,
                currency: str | None = None) -> Verdict:
    """The verdict of one run.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``summary.csv``: kpi, mean, ci_low, ci_high.
    standards : sequence
        The scenario's service standards (``name``, ``target_share``), in scenario order.
    by_hour : pandas.DataFrame, optional
        ``by_hour.csv``, for the worst hours.
    currency : str, optional
        The scenario's currency, shown with costs.

    Returns
    -------
    Verdict
        Headline: how many standards were met (or the mean wait when there are none); then
        one line per standard, the worst hours, the bottleneck and the wait, abandonment and
        cost with their intervals.
    """
    checks = standard_checks(summary, standards)
    lines: list[Line] = []
    for c in checks:
        word = {"met": "met", "missed": "MISSED", "unclear": "not clear"}[c.status]
        lines.append(Line(c.status, f"{c.name}: {word} — {_pct(c.compliance)} "
                          f"[{100 * c.ci_low:.1f}, {100 * c.ci_high:.1f}] within the limit, "
                          f"target {_pct(c.target)}"))
    worst = _worst_hours(by_hour)
    if worst:
        lines.append(Line("info", "Worst hours (mean total wait by hour of arrival): "
                          + "; ".join(f"{_hours_text(h)} {w:.1f} min" for h, w in worst)))
    neck = bottleneck(summary)
    if neck is not None:
        busiest, longest = neck
        text = (f"Bottleneck: {humanise(busiest)} (utilisation "
                f"{_with_interval(summary, f'{busiest}__utilisation_tw')}, mean wait "
                f"{_with_interval(summary, f'{busiest}__wait_mean_min')})")
        if longest != busiest:
            text += (f"; longest wait at {humanise(longest)} "
                     f"({_with_interval(summary, f'{longest}__wait_mean_min')})")
        lines.append(Line("info", text))
    people = [f"mean wait {_with_interval(summary, 'wait_mean_min')}"]
    if _row(summary, "abandon_rate") is not None:
        people.append(f"abandoned {_with_interval(summary, 'abandon_rate')}")
    if _row(summary, "staff_cost") is not None:
        people.append(f"staff cost {_with_interval(summary, 'staff_cost', currency)}"
                      + _cost_parts(summary, currency))
    if _positive(summary, "recovery_cost"):
        people.append(f"compensation for failures "
                      f"{_with_interval(summary, 'recovery_cost', currency)}")
    lines.append(Line("info", "Customers and cost: " + "; ".join(people)))
    if not checks:
        headline = Line("info", "No service standards are set; mean wait "
                        f"{_with_interval(summary, 'wait_mean_min')}.")
    else:
        met = sum(c.status == "met" for c in checks)
        missed = sum(c.status == "missed" for c in checks)
        unclear = len(checks) - met - missed
        parts = [f"{met} of {len(checks)} service standards met"]
        if missed:
            parts.append(f"{missed} missed")
        if unclear:
            parts.append(f"{unclear} not clear (interval straddles the target)")
        status: Status = "missed" if missed else "unclear" if unclear else "met"
        headline = Line(status, ", ".join(parts) + ".")
    return Verdict(headline, tuple(lines))


# ---------------------------------------------------------------------------- experiments
def _better(kpi: str, diff: float) -> bool | None:
    good = kpi_info(kpi).good
    if good == 0 or diff == 0 or math.isnan(diff):
        return None
    return (diff < 0) == (good == LOWER)


def _signed(kpi: str, x: float, currency: str | None = None) -> str:
    if math.isnan(x):
        return "–"
    if kpi_info(kpi).share:
        return f"{100.0 * x:+.1f} pp"
    text = format_value(kpi, abs(x), currency)
    return ("+" if x > 0 else "-" if x < 0 else "") + text


def _positive(summary: pd.DataFrame, kpi: str) -> bool:
    """The KPI is in the summary with a mean above 0."""
    row = _row(summary, kpi)
    return row is not None and float(row["mean"]) > 0


def _cost_parts(summary: pd.DataFrame, currency: str | None) -> str:
    """`` (overtime X)`` when the staff cost includes overtime, else ``""``."""
    if not _positive(summary, "staff_cost_overtime"):
        return ""
    return f" (overtime {_with_interval(summary, 'staff_cost_overtime', currency)})"


#: KPIs a comparison's verdict judges (then every standard's compliance).
COMPARE_KPIS = ("wait_mean_min", "wait_p90_min", "abandon_rate", "balk_rate",
                "time_in_system_mean_min", "overtime_min", "staff_cost", "sat__csat_mean",
                "sat__complaint_rate", "promise_broken_share",
                "bo__complaints_within_standard_share", "bo__complaints_open_at_end")


def _judged_keys(rows: pd.DataFrame) -> list[str]:
    keys = [k for k in with_cost_parts(COMPARE_KPIS, ("recovery_cost",)) if k in rows.index]
    return keys + [k for k in rows.index if k.startswith("std__") and k.endswith("__compliance")]


def _short(kpi: str) -> str:
    label = kpi_info(kpi).label
    if kpi.startswith("std__"):
        return "compliance with " + label.removeprefix("Compliance: ")
    return label[0].lower() + label[1:]


def cost_per_benefit(rows: pd.DataFrame, currency: str | None = None,
                     period: str = "day") -> str | None:
    """``Cost per unit of benefit`` of one variant's comparison rows (kpi, diff_mean,
    significant): the change in staff cost per minute of mean wait saved and per percentage
    point of each standard's compliance gained, for the significant gains only (ratios of
    mean changes); None without a staff cost."""
    table = rows.set_index("kpi")
    if "staff_cost" not in table.index or math.isnan(float(table.loc["staff_cost",
                                                                      "diff_mean"])):
        return None
    cost = float(table.loc["staff_cost", "diff_mean"])
    if cost == 0:
        return "no change in staff cost"
    money = format_value("staff_cost", abs(cost), currency)
    more = "more" if cost > 0 else "less"
    gains = []
    if "wait_mean_min" in table.index and bool(table.loc["wait_mean_min", "significant"]):
        wait = float(table.loc["wait_mean_min", "diff_mean"])
        if wait < 0:
            gains.append(f"{format_value('staff_cost', abs(cost) / -wait, currency)} {more} "
                         "per minute of mean wait saved")
    for k in table.index:
        if k.startswith("std__") and k.endswith("__compliance") and bool(
                table.loc[k, "significant"]):
            gain = 100.0 * float(table.loc[k, "diff_mean"])
            if gain > 0:
                name = kpi_info(k).label.removeprefix("Compliance: ")
                gains.append(f"{format_value('staff_cost', abs(cost) / gain, currency)} {more} "
                             f"per point of compliance with {name}")
    head = f"staff cost {money} {more} per replication ({period})"
    if not gains:
        return head + "; no significant gain in mean wait or compliance"
    return head + ": " + "; ".join(gains)


def compare_verdict(table: pd.DataFrame, kpi: str = "wait_mean_min",
                    currency: str | None = None, period: str = "day") -> Verdict:
    """The verdict of a comparison (``comparison.csv``): the best variant on ``kpi`` with
    its cost, then per variant the headline KPIs and standards it is significantly better
    or worse on (by each KPI's direction of good)."""
    lines: list[Line] = []
    info = kpi_info(kpi)
    best: tuple[float, str, pd.DataFrame] | None = None
    for _, part in table.groupby("variant_id", sort=False):
        rows = part.set_index("kpi")
        name = str(part["variant"].iloc[0])
        if kpi in rows.index:
            d = float(rows.loc[kpi, "diff_mean"])
            score = -d if info.good == LOWER else d
            if best is None or score > best[0]:
                best = (score, name, part)
        judged = [(k, _better(k, float(rows.loc[k, "diff_mean"])))
                  for k in _judged_keys(rows) if bool(rows.loc[k, "significant"])]
        better = [f"{_short(k)} ({_signed(k, float(rows.loc[k, 'diff_mean']), currency)})"
                  for k, b in judged if b is True]
        worse = [f"{_short(k)} ({_signed(k, float(rows.loc[k, 'diff_mean']), currency)})"
                 for k, b in judged if b is False]
        status: Status = ("good" if better and not worse else "bad" if worse and not better
                          else "info")
        text = f"{name}: better on " + (", ".join(better) or "nothing")
        text += "; worse on " + (", ".join(worse) or "nothing")
        lines.append(Line(status, text + " (significant changes only)"))
    if best is None:
        return Verdict(Line("info", f"No variant has {info.label.lower()}."), tuple(lines))
    _, name, part = best
    rows = part.set_index("kpi")
    d = float(rows.loc[kpi, "diff_mean"])
    sig = bool(rows.loc[kpi, "significant"])
    cost = ""
    if "staff_cost" in rows.index:
        cost_diff = float(rows.loc["staff_cost", "diff_mean"])
        cost = f"; staff cost {_signed('staff_cost', cost_diff, currency)} per {period}"
    if _better(kpi, d) and sig:
        head = Line("good", f"Best on {_short(kpi)}: {name} "
                    f"({_signed(kpi, d, currency)} against the baseline, significant{cost}).")
    elif sig and _better(kpi, d) is False:
        head = Line("bad", f"No variant beats the baseline on {_short(kpi)}: the closest, "
                    f"{name}, is significantly worse ({_signed(kpi, d, currency)}{cost}).")
    else:
        head = Line("unclear", f"No variant is significantly better than the baseline on "
                    f"{_short(kpi)} (closest: {name}, {_signed(kpi, d, currency)}{cost}).")
    return Verdict(head, tuple(lines))


def sweep_verdict(tidy: pd.DataFrame, variants: pd.DataFrame, kpi: str,
                  standards: Sequence[Any] = (), currency: str | None = None) -> Verdict:
    """The verdict of a sweep (``sweep.csv`` and ``variants.csv``): the best variant on
    ``kpi`` with its cost, how many others its interval cannot separate it from, and the
    cheapest variant whose mean compliance reaches every standard's target."""
    info = kpi_info(kpi)
    params = [c for c in variants.columns if c != "variant_id"]
    values = variants.set_index("variant_id")
    cells = tidy.set_index(["variant_id", "kpi"])

    def describe(vid: str) -> str:
        return ", ".join(f"{p} = {values.loc[vid, p]}" for p in params)

    part = tidy[tidy["kpi"] == kpi].dropna(subset=["mean"])
    lines: list[Line] = []
    if part.empty or info.good == 0:
        head = Line("info", f"{len(variants)} variants; {info.label.lower()} has no better "
                    "direction to rank them by.")
        return Verdict(head, ())
    order = part.sort_values("mean", ascending=info.good == LOWER, kind="stable")
    top = order.iloc[0]
    vid = str(top["variant_id"])
    cost = ""
    if (vid, "staff_cost") in cells.index:
        mine = cells.loc[vid].reset_index()
        cost = f", staff cost {_with_interval(mine, 'staff_cost', currency)}"
    close = 0
    for _, r in order.iloc[1:].iterrows():
        if info.good == LOWER and r["ci_low"] <= top["ci_high"]:
            close += 1
        if info.good == HIGHER and r["ci_high"] >= top["ci_low"]:
            close += 1
    ci = format_interval(kpi, top["ci_low"], top["ci_high"])
    head = Line("good", f"Best on {info.label.lower()}: {describe(vid)} — "
                f"{format_value(kpi, top['mean'], currency)} {ci}{cost}.")
    if close:
        lines.append(Line("unclear", f"{close} other variant(s) have overlapping intervals: "
                          "not clearly worse (more replications would separate them)."))
    keys = standard_slugs(standards)
    if keys and (vid, "staff_cost") in cells.index:
        meeting = []
        for v in variants["variant_id"]:
            ok = all((v, f"std__{k}__compliance") in cells.index
                     and cells.loc[(v, f"std__{k}__compliance"), "mean"]
                     >= float(field_of(s, "target_share", 0.8))
                     for k, s in zip(keys, standards, strict=True))
            if ok:
                meeting.append((float(cells.loc[(v, "staff_cost"), "mean"]), str(v)))
        if meeting:
            c, v = min(meeting)
            money = format_value("staff_cost", c, currency)
            lines.append(Line("good", f"Cheapest variant meeting every standard on average: "
                              f"{describe(v)} (staff cost {money})."))
        else:
            lines.append(Line("missed", "No variant meets every standard on average."))
    return Verdict(head, tuple(lines))


def standard_names(standards: Sequence[Any]) -> Mapping[str, str]:
    """Standard slug -> the name written in the scenario (for labels)."""
    return {k: str(field_of(s, "name")) for k, s in zip(standard_slugs(standards), standards,
                                                         strict=True)}
