"""Report sections of a single run: headline KPIs, stations, waits and queues by hour, staff
against demand, service standards and predicted satisfaction."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simulator.measures.labels import COST_PARTS, humanise, with_cost_parts
from simulator.report import figures as fg
from simulator.report.kpis import HEADLINE, SATISFACTION, has, interval_cell, label, summary_cell
from simulator.report.markup import breakable, clock, esc, num, pct, table
from simulator.report.scenario_text import standard_text
from simulator.scenario.schema import Scenario

#: Figures the run commands write, with their captions.
CAPTIONS: dict[str, str] = {
    "figures/queue_length.png": "Customers waiting over the day, per station: mean across "
    "replications (line) and the 10th–90th percentile of replications (band), on a 5-minute "
    "grid.",
    "figures/wait_distribution.png": "Waits before service per station, pooled over all "
    "replications (share of visits per minute of wait).",
    "figures/staffing_utilisation.png": "Staff on duty and counters busy over the day (means "
    "across replications), with each clock hour's utilisation as bars.",
    "figures/satisfaction_dimensions.png": "Predicted satisfaction by SERVQUAL dimension: "
    "scores and the CSAT that would be gained if each dimension met expectations (95 % "
    "intervals across replications).",
    "figures/satisfaction_by_hour.png": "Predicted CSAT of served customers and complaint "
    "rate by hour of arrival (95 % intervals across replications).",
    "figures/by_day.png": "Day by day: per open day of the calendar, the mean over "
    "replications with its 95 % interval.",
}

MAX_HOUR_ROWS = 48


def station_order(by_hour: pd.DataFrame | None, scenario: Scenario | None) -> list[str]:
    """Stations and held resources in the order of the by-hour table (the scenario's
    stations when there is no by-hour table)."""
    if by_hour is None or by_hour.empty:
        return list(scenario.stations) if scenario is not None else []
    return [str(s) for s in dict.fromkeys(by_hour["station"]) if s != "all"]


def staffed_stations(by_hour: pd.DataFrame | None, scenario: Scenario | None) -> list[str]:
    """Stations served by staff (every one in the by-hour table when the scenario is
    unknown; held resources such as tables have no staff)."""
    names = station_order(by_hour, scenario)
    if scenario is None:
        return names
    return [s for s in names if s in scenario.stations and scenario.stations[s].staffed]


def embedded(figs: dict[str, bytes], name: str, caption: str) -> str:
    """The figure ``name`` of the folder as HTML, or nothing when it is absent."""
    data = figs.get(name)
    return "" if data is None else fg.figure_html(data, caption, caption)


# ---------------------------------------------------------------------------- headline
def headline(summary: pd.DataFrame, n_reps: int, currency: str | None = None) -> str:
    """Headline KPIs with 95 % intervals."""
    rows = [[esc(label(k, currency)), summary_cell(summary, k)] for k in with_cost_parts(HEADLINE)
            if has(summary, k) and (k not in COST_PARTS or _positive_mean(summary, k))]
    return (f"<p>Mean over {n_reps} replications with the 95 % confidence interval in brackets "
            "(across replications; an interval never leaves what is possible: shares stay in "
            "0–100 %, waits at or above 0). Percentages are shares of arriving customers."
            "</p>\n" + table(["KPI", "Mean [95 % interval]"], rows, numeric=[False, True],
                             cls="keep"))


def _positive_mean(summary: pd.DataFrame, kpi: str) -> bool:
    return float(summary.loc[summary["kpi"] == kpi, "mean"].iloc[0]) > 0


def classes_table(summary: pd.DataFrame) -> str:
    """One row per customer class: arrivals, mean wait of served customers, abandonment."""
    classes = [k[len("arrived__class__"):] for k in summary["kpi"]
               if k.startswith("arrived__class__")]
    if len(classes) < 2:
        return ""
    rows = [[esc(humanise(c)), summary_cell(summary, f"arrived__class__{c}"),
             summary_cell(summary, f"wait_mean_min__class__{c}"),
             summary_cell(summary, f"abandon_rate__class__{c}")] for c in classes]
    return ("<h3>Customer classes</h3>\n" + table(
        ["Class", "Customers arrived", "Mean total wait of served customers (min)",
         "Abandoned"], rows, numeric=[False, True, True, True], cls="keep"))


def stations_table(summary: pd.DataFrame, stations: Sequence[str]) -> str:
    """One row per station: visits, waits, P(wait > 0), queue, utilisation, abandonment."""
    rows = []
    for s in stations:
        cells = [esc(humanise(s)), summary_cell(summary, f"{s}__visits")]
        cells += [summary_cell(summary, f"{s}__{c}") for c in
                  ("wait_mean_min", "wait_p90_min", "waited_share", "queue_len_tw",
                   "utilisation_tw")]
        cells.append(summary_cell(summary, f"{s}__abandoned"))
        rows.append(cells)
    return ("<h3>Stations</h3>\n" + table(
        ["Station", "Visits", "Mean wait (min)", "90th percentile wait (min)",
         "Had to wait", "Mean line length", "Utilisation", "Abandoned"], rows,
        numeric=[False, *[True] * 7], cls="keep wide")
        + "<p class=\"note\">Per replication (day or run), mean [95 % interval]. “Had to "
        "wait”: P(wait > 0), the share of visits that did not start at once. The line length "
        "is a time-weighted average; utilisation is busy time over staff time on duty.</p>\n")


# ---------------------------------------------------------------------------- by hour
def _hour_blocks(by_hour: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The by-hour table with ``hour`` replaced by blocks of k hours, so that at most
    :data:`MAX_HOUR_ROWS` rows are shown (k = 1 on an ordinary day)."""
    hours = np.unique(by_hour["hour"].to_numpy())
    k = max(1, math.ceil(len(hours) / MAX_HOUR_ROWS))
    if k == 1:
        return by_hour, 1
    out = by_hour.copy()
    first = int(hours[0])
    out["hour"] = first + ((out["hour"] - first) // k) * k
    return out, k


def _hour_label(hour: float, k: int) -> str:
    h = int(hour)
    return f"{clock(h * 60)}–{clock((h + k) * 60)}"


def hour_table(by_hour: pd.DataFrame, columns: Sequence[tuple[str, str, str]],
               fmt: Callable[[float], str] = num) -> str:
    """Rows: hours; one column per ``(station, by-hour column, header)``; cells are the
    mean over replications (and over the hours of a block)."""
    data, k = _hour_blocks(by_hour)
    means = data.groupby(["hour", "station"], sort=True)[
        sorted({c for _, c, _ in columns})].mean()
    hours = sorted(set(data["hour"]))
    rows = []
    for h in hours:
        cells = [esc(_hour_label(h, k))]
        for station, col, _ in columns:
            value = means[col].get((h, station), math.nan)
            cells.append(esc(fmt(float(value))))
        rows.append(cells)
    return table(["Hour", *[breakable(head) for _, _, head in columns]], rows,
                 numeric=[False, *[True] * len(columns)])


def waits_by_hour(by_hour: pd.DataFrame, stations: Sequence[str], figs: dict[str, bytes],
                  draw: bool) -> str:
    """Mean waits and queue lengths by hour, with the figures."""
    body = ["<p>Waits are binned by the hour a customer joined the line (the <em>all</em> "
            "column: total wait of served customers by hour of arrival); queue lengths are "
            "time-weighted averages over each clock hour. Cells are means over replications."
            "</p>\n"]
    if draw:
        body.append(fg.figure_html(fg.to_png(fg.waits_queues_by_hour(by_hour, stations)),
                                   "Waits and queue lengths by hour",
                                   "Mean wait by hour of joining (left) and mean queue length "
                                   "by clock hour (right), per station; means over "
                                   "replications."))
    body.append("<h3>Mean wait (min) by hour</h3>\n")
    body.append(hour_table(by_hour, [("all", "wait_mean_min", "all"),
                                     *[(s, "wait_mean_min", humanise(s)) for s in stations]]))
    body.append("<h3>Mean queue length by hour</h3>\n")
    body.append(hour_table(by_hour, [*[(s, "queue_len_tw", humanise(s)) for s in stations],
                                     ("all", "queue_len_tw", "all")]))
    body.append(embedded(figs, "figures/queue_length.png",
                         CAPTIONS["figures/queue_length.png"]))
    body.append(embedded(figs, "figures/wait_distribution.png",
                         CAPTIONS["figures/wait_distribution.png"]))
    return "".join(body)


def staffing(by_hour: pd.DataFrame, staffed: Sequence[str], figs: dict[str, bytes],
             draw: bool) -> str:
    """Staff on duty against customers joining, by hour."""
    if not staffed:
        return "<p>No station is staffed.</p>\n"
    body = ["<p>Demand is the number of customers joining each station's line in the hour; "
            "staff on duty and counters busy are time-weighted averages over the hour. Cells "
            "are means over replications.</p>\n"]
    if draw:
        body.append(fg.figure_html(fg.to_png(fg.staff_against_demand(by_hour, staffed)),
                                   "Staff on duty against demand",
                                   "Per staffed station: customers joining per hour (bars) "
                                   "against staff on duty and counters busy (lines)."))
    data, k = _hour_blocks(by_hour)
    means = data.groupby(["hour", "station"], sort=True)[
        ["arrivals", "on_duty_tw", "busy_tw", "utilisation_tw"]].mean()
    hours = sorted(set(data["hour"]))
    for s in staffed:
        rows = []
        for h in hours:
            if (h, s) not in means.index:
                continue
            r = means.loc[(h, s)]
            rows.append([esc(_hour_label(h, k)), esc(num(float(r["arrivals"]))),
                         esc(num(float(r["on_duty_tw"]))), esc(num(float(r["busy_tw"]))),
                         esc(pct(float(r["utilisation_tw"])))])
        body.append(f"<h3>{esc(humanise(s))}: demand and staff by hour</h3>\n")
        body.append(table(["Hour", "Customers joining", "Staff on duty", "Counters busy",
                           "Utilisation"], rows, numeric=[False, True, True, True, True],
                          cls="keep"))
    body.append(embedded(figs, "figures/staffing_utilisation.png",
                         CAPTIONS["figures/staffing_utilisation.png"]))
    return "".join(body)


# ---------------------------------------------------------------------------- standards
def standards(summary: pd.DataFrame, by_hour: pd.DataFrame | None,
              scenario: Scenario | None) -> str:
    """Compliance with each service standard, overall and by hour."""
    keys = [k[len("std__"):-len("__compliance")] for k in summary["kpi"]
            if k.startswith("std__") and k.endswith("__compliance")]
    if not keys:
        return "<p>The scenario sets no service standards.</p>\n"
    rules = list(scenario.standards) if scenario is not None else []
    rows = []
    for i, k in enumerate(keys):
        rule = rules[i] if i < len(rules) else None
        name = rule.name if rule is not None else k
        target = pct(rule.target_share) if rule is not None else "–"
        rows.append([esc(name), esc(standard_text(rule) if rule is not None else "–"),
                     summary_cell(summary, f"std__{k}__compliance"), esc(target),
                     summary_cell(summary, f"std__{k}__met"),
                     summary_cell(summary, f"std__{k}__n")])
    body = [table(["Standard", "Rule", "Compliance", "Target", "Days meeting the target",
                   "Customers or visits judged"], rows,
                  numeric=[False, False, True, True, True, True], cls="keep"),
            "<p class=\"note\">Compliance: share of the customers (or visits) judged whose "
            "wait was within the limit; abandoning counts as a miss, balking is left out. "
            "“Days meeting the target”: share of replications whose compliance reached the "
            "target.</p>\n"]
    if by_hour is not None and not by_hour.empty:
        cols = [("all", f"std__{k}__compliance", rules[i].name if i < len(rules) else k)
                for i, k in enumerate(keys) if f"std__{k}__compliance" in by_hour]
        if cols:
            body.append("<h3>Compliance by hour the wait began</h3>\n")
            body.append(hour_table(by_hour, cols, fmt=pct))
    return "".join(body)


# ---------------------------------------------------------------------------- days
#: The KPIs of the day-by-day table, in order (those present are shown).
BY_DAY = ("arrived", "wait_mean_min", "abandon_rate", "sat__csat_mean", "staff_cost",
          "bo__complaints_opened", "bo__backlog_at_close")


def by_day(days: pd.DataFrame, currency: str | None = None,
           figs: dict[str, bytes] | None = None) -> str:
    """A calendar's days side by side: per day (and day type) the mean over replications
    of a few KPIs with their 95 % intervals, then the service standards' compliance."""
    keys = [k for k in BY_DAY if k in days]
    keys += [k for k in days.columns if k.startswith("std__") and k.endswith("__compliance")]
    rows = []
    for (_day, name, kind), part in days.groupby(["day", "day_label", "day_type"], sort=True):
        rows.append([esc(str(name)), esc(str(kind))]
                    + [interval_cell(part[k].to_numpy(dtype=float), k) for k in keys])
    head = ("<p>Each open day of the calendar, as a service day of its day type (closed days "
            "have no row); the week's figures in the headline combine them (docs/week.md). "
            "Mean over replications [95 % interval].</p>\n")
    return (head + table(["Day", "Day type", *[esc(label(k, currency)) for k in keys]], rows,
                         numeric=[False, False, *[True] * len(keys)])
            + embedded(figs or {}, "figures/by_day.png", CAPTIONS["figures/by_day.png"]))


# ---------------------------------------------------------------------------- satisfaction
def has_satisfaction(summary: pd.DataFrame) -> bool:
    """The run predicted satisfaction."""
    return has(summary, "sat__csat_mean")


def satisfaction(summary: pd.DataFrame, manifest: dict, figs: dict[str, bytes]) -> str:
    """Predicted satisfaction: overall, SERVQUAL dimensions, by class."""
    from simulator.figures.satisfaction import driver
    from simulator.satisfaction import DIMENSIONS

    info = manifest.get("satisfaction") or {}
    model_label = str(info.get("label", "uncalibrated defaults"))
    body = [f"<p>Predicted from each customer's simulated experience by the SERVQUAL-based "
            f"model ({esc(model_label)}). These are model predictions, not survey results"
            + ("; calibrate the model to a survey with <code>servsim calibrate</code> before "
               "relying on levels, and use differences between variants."
               if not info.get("calibrated") else ".") + "</p>\n"]
    rows = [[esc(label(k)), summary_cell(summary, k)] for k in SATISFACTION
            if has(summary, k)]
    body.append(table(["Measure", "Mean [95 % interval]"], rows, numeric=[False, True],
                      cls="keep"))
    dim_rows = [[esc(d), summary_cell(summary, f"sat__dim__{d}"),
                 summary_cell(summary, f"sat__gain__{d}")] for d in DIMENSIONS
                if has(summary, f"sat__dim__{d}")]
    if dim_rows:
        body.append("<h3>SERVQUAL dimensions</h3>\n")
        body.append(table(["Dimension", "Score (0 = as expected)",
                           "CSAT gained if met expectations"], dim_rows,
                          numeric=[False, True, True], cls="keep"))
        top = driver(summary)
        if top:
            body.append(f"<p>The dimension costing the most satisfaction: "
                        f"<strong>{esc(top)}</strong>.</p>\n")
    class_rows = []
    for c in dict.fromkeys(k.split("__class__")[1] for k in summary["kpi"]
                           if k.startswith("sat__csat_mean__class__")):
        if has(summary, f"sat__csat_mean__class__{c}"):
            class_rows.append([esc(c)] + [summary_cell(summary, f"sat__{m}__class__{c}")
                                          for m in ("csat_mean", "complaint_rate",
                                                    "return_rate")])
    if class_rows:
        body.append("<h3>By customer class</h3>\n")
        body.append(table(["Class", "CSAT (1–5)", "Would complain", "Would return"],
                          class_rows, numeric=[False, True, True, True], cls="keep"))
    body.append(_gaps(summary))
    for name in ("figures/satisfaction_dimensions.png", "figures/satisfaction_by_hour.png"):
        body.append(embedded(figs, name, CAPTIONS[name]))
    return "".join(body)


def _gaps(summary: pd.DataFrame) -> str:
    """Gaps 3, 4 and 5 of the gap model side by side (satisfaction.md §2.9, docs/week.md)."""
    kpis = list(summary["kpi"])
    rows = [["Gap 3: standards vs delivery", esc(label(k)), summary_cell(summary, k)]
            for k in kpis if k.startswith("sat__gap3__")]
    rows += [["Gap 4: promises vs delivery", esc(label(k)), summary_cell(summary, k)]
             for k in kpis if k.startswith("promise__") and not k.endswith("__n")]
    gap5 = "Gap 5: expectations vs perceptions (dimension score, −1 to 1)"
    rows += [[gap5, esc(label(k)), summary_cell(summary, k)]
             for k in kpis if k.startswith("sat__dim__")]
    if not rows:
        return ""
    note = ("" if any(r[0].startswith("Gap 4") for r in rows) else
            "<p>No promises are modelled (add <code>promises:</code>, docs/week.md), so gap 4 "
            "is not measured.</p>\n")
    return ("<h3>The gap model: gaps 3, 4 and 5</h3>\n"
            + table(["Gap", "Measure", "Mean [95 % interval]"], rows,
                    numeric=[False, False, True], cls="keep") + note)
