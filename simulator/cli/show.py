"""What the commands print: the verdict first, then tables with human labels.

Labels, units, ranges and directions of good come from :mod:`simulator.measures.labels`;
verdicts from :mod:`simulator.measures.verdict`. Colour (green better, red worse, grey not
significant) is added with :func:`click.style`, which :func:`click.echo` drops when the
output is not a terminal, so files and pipes get plain text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import click

from simulator.measures.labels import (
    COST_PARTS,
    LOWER,
    NEUTRAL,
    format_interval,
    format_value,
    kpi_info,
    with_cost_parts,
)

if TYPE_CHECKING:
    import pandas as pd

    from simulator.measures.verdict import Verdict

__all__ = ["comparison_text", "summary_table", "verdict_text"]

_COLOURS = {"met": "green", "good": "green", "missed": "red", "bad": "red",
            "unclear": "yellow", "info": None}

#: The KPIs of the run table, in order (those present are shown).
RUN_KPIS = ("arrived", "served", "balk_rate", "abandon_rate", "waited_share", "wait_mean_min",
            "wait_p90_min", "time_in_system_mean_min", "overtime_min", "staff_cost",
            "closing_overrun_min", "promise_broken_share", "bo__complaints_opened",
            "bo__complaints_within_standard_share", "bo__backlog_at_close_mean")

#: The KPIs of the comparison table, in order (then the standards' compliance).
COMPARE_KPIS = ("wait_mean_min", "wait_p90_min", "abandon_rate", "balk_rate",
                "time_in_system_mean_min", "overtime_min", "staff_cost", "sat__csat_mean",
                "sat__top2_share", "sat__complaint_rate", "promise_broken_share",
                "bo__complaints_within_standard_share", "bo__complaints_open_at_end",
                "bo__staff_cost")


def verdict_text(verdict: Verdict) -> str:
    """The verdict block: a headline and one line each, coloured by status."""
    plain = verdict.text().splitlines()
    statuses = [verdict.headline.status, *(line.status for line in verdict.lines)]
    out = []
    for text, status in zip(plain, statuses, strict=True):
        colour = _COLOURS[status]
        out.append(click.style(text, fg=colour, bold=text.startswith("VERDICT"))
                   if colour else click.style(text, bold=text.startswith("VERDICT")))
    return "\n".join(out)


def _rows_wanted(keys: Sequence[str]) -> list[str]:
    present = set(keys)
    wanted = [k for k in with_cost_parts(RUN_KPIS) if k in present]
    wanted += [k for k in keys if k.endswith(("__wait_mean_min", "__utilisation_tw"))
               and "__class__" not in k]
    wanted += [k for k in keys if k.startswith(("wait_mean_min__class__",
                                                 "abandon_rate__class__"))]
    wanted += [k for k in keys if k.startswith("std__") and k.endswith("__compliance")]
    wanted += [k for k in ("sat__csat_mean", "sat__top2_share", "sat__complaint_rate",
                           "sat__return_rate") if k in present]
    return wanted


def summary_table(summary: pd.DataFrame, currency: str | None = None,
                  standard_names: Mapping[str, str] | None = None, max_rows: int = 48) -> str:
    """A one-screen table of the headline KPIs: label with unit, mean and 95 % interval
    (inside the KPI's possible range) across replications."""
    table = summary.set_index("kpi")
    shown = [k for k in _rows_wanted(list(table.index))
             if k not in COST_PARTS or float(table.loc[k, "mean"]) > 0][:max_rows]
    labels = {k: kpi_info(k, standard_names).titled(currency) for k in shown}
    width = max([len("KPI"), *map(len, labels.values())])
    lines = [f"{'KPI':{width}s} {'mean':>12s}   95 % interval"]
    for k in shown:
        row = table.loc[k]
        mean = format_value(k, row["mean"], currency, unit=False)
        if kpi_info(k).share:
            mean += " %"
        ci = format_interval(k, row["ci_low"], row["ci_high"])
        lines.append(f"{labels[k]:{width}s} {mean:>12s}   {ci:<20s}".rstrip())
    if "note" in table.columns and any(k.startswith("sat__") for k in shown):
        notes = {str(n) for n in table.loc[[k for k in shown if k.startswith("sat__")],
                                           "note"].dropna() if str(n)}
        lines += [f"Predicted satisfaction: {n}" for n in sorted(notes)]
    return "\n".join(lines)


def _signed(kpi: str, x: float, currency: str | None) -> str:
    if math.isnan(x):
        return "–"
    if kpi_info(kpi).share:
        return f"{100.0 * x:+.1f} pp"
    text = format_value(kpi, abs(x), currency, unit=False)
    return ("+" if x > 0 else "-" if x < 0 else "") + text


def _judgement(kpi: str, diff: float, significant: bool) -> tuple[str, str | None]:
    """(word, colour) of a paired difference: better/worse by the KPI's direction of good,
    grey when not significant."""
    if not significant:
        return "not significant", "bright_black"
    good = kpi_info(kpi).good
    if good == NEUTRAL or diff == 0:
        return "changed", None
    better = (diff < 0) == (good == LOWER)
    return ("better", "green") if better else ("worse", "red")


def comparison_text(table: pd.DataFrame, currency: str | None = None,
                    standard_names: Mapping[str, str] | None = None,
                    period: str = "day") -> str:
    """Per variant: baseline, variant and the paired difference with its interval for the
    headline KPIs and every standard's compliance, each judged better or worse by its
    direction of good (grey when not significant), then the cost per unit of benefit."""
    from simulator.measures.verdict import cost_per_benefit

    lines: list[str] = []
    for vid, part in table.groupby("variant_id", sort=False):
        rows = part.set_index("kpi")
        conf = float(part["confidence"].iloc[0])
        keys = [k for k in with_cost_parts(COMPARE_KPIS, ("recovery_cost",))
                if k in rows.index and (
            k not in COST_PARTS or float(rows.loc[k, "baseline_mean"]) > 0
            or float(rows.loc[k, "variant_mean"]) > 0)]
        keys += [k for k in rows.index if k.startswith("std__") and k.endswith("__compliance")]
        labels = {k: kpi_info(k, standard_names).titled(currency) for k in keys}
        width = max([len("KPI"), *map(len, labels.values())])
        lines.append(f"\n{part['variant'].iloc[0]}  [{vid}]  against the baseline  (paired "
                     f"differences with {100 * conf:.4g} % intervals)")
        lines.append(f"  {'KPI':{width}s} {'baseline':>10s} {'variant':>10s} "
                     f"{'difference':>11s}  {'interval':<22s} {'judgement'}")
        for k in keys:
            r = rows.loc[k]
            diff = float(r["diff_mean"])
            word, colour = _judgement(k, diff, bool(r["significant"]))
            base = format_value(k, r["baseline_mean"], currency)
            var = format_value(k, r["variant_mean"], currency)
            if not kpi_info(k).share:  # the unit is in the label
                base = format_value(k, r["baseline_mean"], currency, unit=False)
                var = format_value(k, r["variant_mean"], currency, unit=False)
            ci = f"[{_signed(k, float(r['diff_ci_low']), currency)}, " \
                 f"{_signed(k, float(r['diff_ci_high']), currency)}]"
            text = (f"  {labels[k]:{width}s} {base:>10s} {var:>10s} "
                    f"{_signed(k, diff, currency):>11s}  {ci:<22s} {word}")
            lines.append(click.style(text, fg=colour) if colour else text)
        cpb = cost_per_benefit(part, currency, period)
        if cpb:
            lines.append(f"  Cost per unit of benefit: {cpb}")
    return "\n".join(lines)
