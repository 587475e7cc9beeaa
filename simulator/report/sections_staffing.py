"""``report.html`` of a ``servsim staff`` folder: the answer first, then how it was found.

Sections: the answer (people, shifts, cost, which intervals meet the targets, in words) with
the shifts; the requirement per interval beside the stationary answer and the verification;
the figures; the paired comparison with the original scenario; the cost-service frontier; the
method and its sources. Every number is in the folder's CSV files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.report.figures import figure_html
from simulator.report.markup import REPORT_NAME, esc, num, page, pct, table, with_interval

__all__ = ["write_staffing_report"]

_KPI_LABELS = {
    "wait_mean_min": "mean wait (min)", "wait_p90_min": "90th percentile wait (min)",
    "abandon_rate": "share abandoning", "balk_rate": "share balking",
    "time_in_system_mean_min": "mean time in the hall (min)",
    "overtime_min": "overtime (staff-min)", "staff_cost": "staff cost (all groups)",
    "staff_paid_min": "paid staff time, all groups (min)",
    "sat__csat_mean": "predicted satisfaction (1-5)",
    "sat__top2_share": "share satisfied (4-5)", "sat__complaint_rate": "complaint rate",
}


def _answer(manifest: dict[str, Any], shifts: pd.DataFrame) -> str:
    lines = "".join(f"<p class=\"verdict\"><strong>{esc(x)}</strong></p>\n"
                    for x in manifest.get("answer", []))
    rows = [[esc(r["group"]), esc(r["start"]), esc(r["end"]),
             esc(f"{r['break_start']}-{r['break_end']}") if r["break_start"] else "none",
             num(r["heads"]), esc(r["shift_type"].replace("_", " ")), num(r["paid_hours"]),
             num(r["cost"])] for _, r in shifts.iterrows()]
    gaps = manifest.get("method", {}).get("optimality_gap", {})
    gap = "; ".join(f"{esc(g)}: {100 * v:.2f} %" for g, v in gaps.items())
    return (lines + table(["group", "start", "end", "break", "people", "type", "paid hours",
                           "cost"], rows, [False, False, False, False, True, False, True, True],
                          caption="The shift plan (least cost)")
            + f"<p>Optimality gap reported by HiGHS: {gap or '–'}.</p>\n")


def _fmt(value: float, key: str) -> str:
    if key == "mean_wait":
        return num(value)
    if key == "csat":
        return num(value)
    return pct(value)


def _intervals(staffing: pd.DataFrame, manifest: dict[str, Any]) -> str:
    labels = {t["key"]: t["label"] for g in manifest.get("study", {}).get("groups", [])
              for t in g.get("targets", [])}
    out = []
    keys = [c[: -len("__target")] for c in staffing.columns if c.endswith("__target")]
    for group, part in staffing.groupby("group", sort=False):
        rows = []
        for _, r in part.iterrows():
            row = [esc(f"{r['start']}-{r['end']}"), num(r["arrivals_per_hour"]),
                   num(r["offered_load"]), num(r["requirement"]),
                   num(r["stationary_requirement"]) if r["stationary_requirement"] ==
                   r["stationary_requirement"] else "more than the counters",
                   num(r["planned_at_counters"])]
            for k in keys:
                percent = k not in ("mean_wait", "csat")
                row.append(with_interval(r[f"{k}__mean"], r[f"{k}__ci_low"],
                                         r[f"{k}__ci_high"], percent))
                row.append("yes" if r[f"{k}__met"] else "<strong>no</strong>")
                row.append(_fmt(r[f"{k}__stationary_value"], k)
                           + ("" if r[f"{k}__stationary_met"] else " (misses)"))
            if r["infeasible"]:
                row[3] += " (not attainable)"
            rows.append(row)
        head = ["interval", "arrivals per hour", "offered load", "requirement (simulation)",
                "stationary answer", "planned at counters"]
        for k in keys:
            head += [f"with the plan: {esc(labels.get(k, k))} [95 % interval]", "met",
                     "with the stationary answer"]
        out.append(table(head, rows, [False, True, True, True, True, True],
                         caption=f"{esc(group)}: per interval of arrival"))
    return "".join(out)


def _comparison(comparison: pd.DataFrame) -> str:
    rows = []
    for _, r in comparison.iterrows():
        k = str(r["kpi"])
        label = _KPI_LABELS.get(k, k.replace("std__", "standard: ").replace("__compliance", ""))
        star = " *" if r["significant"] else ""
        rows.append([esc(label), num(r["baseline_mean"]), num(r["variant_mean"]),
                     num(r["diff_mean"]) + star,
                     f"[{num(r['diff_ci_low'])}, {num(r['diff_ci_high'])}]"])
    return ("<p>Paired differences, staffed minus original, on common random numbers "
            "(* = the 95 % interval excludes 0).</p>\n"
            + table(["measure", "original", "staffed", "difference", "95 % interval"], rows,
                    [False, True, True, True, False]))


def _frontier(frontier: pd.DataFrame) -> str:
    rows = [[pct(r["level"]), num(r["people"]), num(r["paid_hours"]), num(r["cost"]),
             with_interval(r["service_level"], r["service_level_ci_low"],
                           r["service_level_ci_high"], True),
             pct(r["abandon_rate"]), num(r["csat_mean"])] for _, r in frontier.iterrows()]
    return table(["target level per interval", "people", "paid hours", "cost",
                  "day service level [95 %]", "abandoning", "satisfaction (1-5)"], rows,
                 [True] * 7)


def _method(manifest: dict[str, Any]) -> str:
    m = manifest.get("method", {})
    return (
        f"<p>Requirement: the iterative staffing algorithm of Feldman, Mandelbaum, Massey & "
        f"Whitt (<em>Management Science</em> 54(2), 2008), started from the modified offered "
        f"load, {esc(m.get('iterations'))} iterations of {esc(m.get('iteration_replications'))} "
        f"replications on common random numbers ("
        f"{'converged' if m.get('converged') else 'stopped at the iteration limit'}). "
        "Targets are met per interval of arrival (time-stable) unless the study says "
        "<em>over the day</em>. The stationary answer is Erlang C per interval (Erlang A when "
        "customers are impatient), the method of workforce tools; it ignores the queue "
        "carried over from the interval before. Shifts: a set-covering integer program "
        "(Dantzig 1954) solved by HiGHS through scipy.optimize.milp, with breaks placed so "
        f"the people at counters cover the requirement. Verification: "
        f"{esc(m.get('verification_replications'))} replications; "
        f"{esc(m.get('simulated_replications'))} replications simulated in all. The "
        f"verification run's own report is <a href=\"verification/{REPORT_NAME}\">"
        f"verification/{REPORT_NAME}</a>.</p>\n")


def write_staffing_report(folder: Path, manifest: dict[str, Any], staffing: pd.DataFrame,
                          shifts: pd.DataFrame, comparison: pd.DataFrame,
                          frontier: pd.DataFrame | None) -> Path:
    """Write ``folder/report.html`` (through a temporary name) and return its path."""
    folder = Path(folder)
    figs = ""
    for png in sorted((folder / "figures").glob("*.png")):
        figs += figure_html(png.read_bytes(), png.stem, png.stem.replace("_", " "))
    sections = [("answer", "The answer", _answer(manifest, shifts)),
                ("intervals", "Requirement per interval", _intervals(staffing, manifest))]
    if figs:
        sections.append(("figures", "Figures", figs))
    sections.append(("comparison", "Against the original scenario", _comparison(comparison)))
    if frontier is not None and not frontier.empty:
        sections.append(("frontier", "Cost-service frontier", _frontier(frontier)))
    sections.append(("method", "Method", _method(manifest)))
    name = manifest.get("scenario", {}).get("name", "scenario")
    text = page(f"{name}: staffing plan", "servsim staff · "
                f"{esc(manifest.get('study', {}).get('interval_min'))}-min intervals",
                sections, "Generated by <code>servsim staff</code>; every number is in "
                "staffing.csv, shifts.csv, comparison.csv or frontier.csv.")
    target = folder / REPORT_NAME
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, target)
    return target
