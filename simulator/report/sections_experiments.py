"""Report sections of experiments: a comparison of variants, or a parameter sweep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from simulator.measures.labels import COST_PARTS, LOWER, NEUTRAL, kpi_info, with_cost_parts
from simulator.measures.verdict import cost_per_benefit
from simulator.report import figures as fg
from simulator.report.kpis import HEADLINE, interval_cell, is_share, label
from simulator.report.markup import esc, is_missing, num, pct, table, with_interval

#: KPIs of the comparison and sweep tables (those present are shown, in this order).
EXPERIMENT_KPIS = ("wait_mean_min", "wait_p90_min", "abandon_rate", "balk_rate",
                   "time_in_system_mean_min", "overtime_min", "staff_cost", "sat__csat_mean",
                   "sat__top2_share", "sat__complaint_rate")


def _values_text(values: dict[str, Any]) -> str:
    if not values:
        return "the scenario as given"
    if set(values) == {"file"}:
        return f"scenario file {values['file']}"
    return "; ".join(f"{k} = {v}" for k, v in values.items())


def _either_positive(row: pd.Series) -> bool:
    """The baseline or the variant has a mean above 0."""
    return float(row["baseline_mean"]) > 0 or float(row["variant_mean"]) > 0


def headline_kpis(replications: pd.DataFrame) -> list[str]:
    """The headline KPIs present in an experiment's replications table, with the service
    standards' compliance."""
    keys = [k for k in dict.fromkeys([*with_cost_parts(HEADLINE), *EXPERIMENT_KPIS])
            if k in replications
            and (k not in COST_PARTS or bool((replications[k] > 0).any()))]
    keys += [c for c in replications.columns
             if c.startswith("std__") and c.endswith("__compliance")]
    return keys


def variant_kpi_table(replications: pd.DataFrame, order: Sequence[str],
                      labels: dict[str, str], keys: Sequence[str]) -> str:
    """KPIs as rows, variants as columns: mean [95 % interval] over each variant's
    replications."""
    groups = {vid: part for vid, part in replications.groupby("variant_id", sort=False)}
    rows = []
    for k in keys:
        cells = [esc(label(k))]
        for vid in order:
            part = groups.get(vid)
            cells.append("–" if part is None else interval_cell(part[k].to_numpy(float), k))
        rows.append(cells)
    return table(["KPI", *[esc(labels[v]) for v in order]], rows,
                 numeric=[False, *[True] * len(order)])


def _diff(x: float, kpi: str) -> str:
    if is_missing(x):
        return "–"
    if x == 0:
        return "0"
    if is_share(kpi):
        return f"{100.0 * x:+.1f} pp"
    return ("+" if x > 0 else "") + num(x)


def judgement(kpi: str, diff: float, significant: bool) -> tuple[str, str]:
    """(css class, words) of a paired difference: better or worse by the KPI's direction of
    good (:mod:`simulator.measures.labels`), ``ns`` (grey) when not significant."""
    if not significant or is_missing(diff):
        return "ns", "not significant"
    good = kpi_info(kpi).good
    if good == NEUTRAL or diff == 0:
        return "", "changed"
    return ("better", "better") if (diff < 0) == (good == LOWER) else ("worse", "worse")


def comparison(manifest: dict[str, Any], comparison_table: pd.DataFrame | None,
               replications: pd.DataFrame | None, figs: dict[str, bytes],
               currency: str | None = None,
               standard_names: dict[str, str] | None = None, period: str = "day") -> str:
    """Variants, paired differences against the baseline and the headline KPIs by variant
    (``period``: what one replication is, e.g. ``week``)."""
    spec = manifest.get("spec", {})
    variants = spec.get("variants", [])
    labels = {v["id"]: v["label"] for v in variants}
    body = ["<h3>Variants</h3>\n", table(
        ["Id", "Variant", "What changes"],
        [[f"<code>{esc(v['id'])}</code>", esc(v["label"]), esc(_values_text(v["values"]))]
         for v in variants])]
    conf = float(spec.get("confidence", 0.95))
    m = max(1, len(variants) - 1)
    body.append(
        f"<p>Every variant ran the same {esc(spec.get('replications'))} replications with the "
        f"same seed, so replication r of each variant saw the same customers (common random "
        f"numbers). Each difference (variant − baseline) is the mean of the paired "
        f"differences with a Student-t interval; with {m} variant(s) each interval is at "
        f"{esc(f'{100 * (1 - (1 - conf) / m):.4g}')} % (Bonferroni), so all hold together with "
        f"at least {esc(f'{100 * conf:.4g}')} % confidence. A change is significant when its "
        "interval excludes 0; it is <span class=\"better\">better</span> or "
        "<span class=\"worse\">worse</span> by the KPI's direction of good (a lower wait is "
        "better, a higher cost is worse), <span class=\"ns\">grey</span> when not "
        "significant. “Independent ±” is the half-width independent runs of the same size "
        "would have given.</p>\n")
    if comparison_table is not None and not comparison_table.empty:
        for vid, part in comparison_table.groupby("variant_id", sort=False):
            rows_by_kpi = part.set_index("kpi")
            keys = [k for k in with_cost_parts(EXPERIMENT_KPIS, ("recovery_cost",))
                    if k in rows_by_kpi.index
                    and (k not in COST_PARTS or _either_positive(rows_by_kpi.loc[k]))]
            keys += [k for k in rows_by_kpi.index
                     if k.startswith("std__") and k.endswith("__compliance")]
            rows = []
            for k in keys:
                r = rows_by_kpi.loc[k]
                share = is_share(k)
                f = pct if share else num
                cls, word = judgement(k, float(r["diff_mean"]), bool(r["significant"]))
                ind = r.get("independent_half_width_run", r["independent_half_width_est"])
                diff = esc(f"{_diff(float(r['diff_mean']), k)} "
                           f"[{_diff(float(r['diff_ci_low']), k)}, "
                           f"{_diff(float(r['diff_ci_high']), k)}]")
                rows.append([
                    esc(label(k, currency, standard_names)), esc(f(float(r["baseline_mean"]))),
                    esc(f(float(r["variant_mean"]))),
                    f'<span class="{cls}">{diff}</span>' if cls else diff,
                    f'<span class="{cls}">{esc(word)}</span>' if cls else esc(word),
                    esc(_diff(float(r["diff_half_width"]), k).lstrip("+")),
                    esc(_diff(float(ind), k).lstrip("+")),
                ])
            body.append(f"<h3>{esc(labels.get(str(vid), str(vid)))} against the baseline</h3>\n")
            body.append(table(["KPI", "Baseline", "Variant", "Difference [interval]",
                               "Judgement", "CRN ±", "Independent ±"], rows,
                              numeric=[False, True, True, True, False, True, True],
                              cls="keep"))
            cpb = cost_per_benefit(part, currency, period)
            if cpb:
                body.append(f"<p><strong>Cost per unit of benefit:</strong> {esc(cpb)} "
                            "(ratios of the mean changes).</p>\n")
    fig = figs.get("figures/differences.png")
    if fig is not None:
        body.append(fg.figure_html(fig, "Paired differences against the baseline",
                                   "Change against the baseline with its interval, per KPI; "
                                   "green: significantly better, red: significantly worse, "
                                   "grey: not significant."))
    if replications is not None and not replications.empty:
        order = [v["id"] for v in variants if v["id"] in set(replications["variant_id"])]
        body.append("<h3>Headline KPIs by variant</h3>\n<p>Mean [95 % interval] over each "
                    "variant's replications.</p>\n")
        body.append(variant_kpi_table(replications, order, labels,
                                      headline_kpis(replications)))
    return "".join(body)


def sensitivity_html(sens: pd.DataFrame | None) -> str:
    """The sensitivity table of a Latin-hypercube sweep (``sensitivity.csv``)."""
    if sens is None or sens.empty:
        return ""
    rows = []
    for _, r in sens.iterrows():
        def cell(value: float, low: float, high: float) -> str:
            if is_missing(value):
                return "–"
            ci = "" if is_missing(low) or is_missing(high) else f" [{low:+.2f}, {high:+.2f}]"
            return esc(f"{value:+.2f}{ci}")
        rows.append([esc(label(str(r["kpi"]))), f"<code>{esc(r['parameter'])}</code>",
                     cell(r["src"], r["src_ci_low"], r["src_ci_high"]),
                     cell(r["prcc"], r["prcc_ci_low"], r["prcc_ci_high"]),
                     esc(num(float(r["r2"])) if not is_missing(r["r2"]) else "–")])
    n = int(sens["points"].iloc[0])
    return ("<h3>Sensitivity: which varied value moves each KPI</h3>\n"
            f"<p>From the {n} design points' means. <strong>SRC</strong>: standardised "
            "regression coefficient (the change in the KPI, in standard deviations, per "
            "standard deviation of the value, all values fitted together; R² says how much of "
            "the KPI a straight-line model explains). <strong>PRCC</strong>: partial rank "
            "correlation (any monotone effect, after removing the other values' effects). "
            "95 % intervals in brackets; an interval excluding 0 is a clear effect. Also in "
            "<code>sensitivity.csv</code>.</p>\n"
            + table(["KPI", "Varied value", "SRC [95 %]", "PRCC [95 %]", "R²"], rows,
                    numeric=[False, False, True, True, True], cls="keep"))


def sweep(manifest: dict[str, Any], tidy: pd.DataFrame | None,
          variants: pd.DataFrame | None, figs: dict[str, bytes],
          sensitivity: pd.DataFrame | None = None, currency: str | None = None) -> str:
    """The design and, per variant, the KPIs with their intervals; the figures (every
    variant drawn) and, for a Latin hypercube, the sensitivity table."""
    spec = manifest.get("spec", {})
    vary = spec.get("vary", [])
    n_var = 0 if variants is None else len(variants)
    lhs = spec.get("design") == "lhs"
    design = (f"a Latin hypercube sample of {spec.get('samples')} points" if lhs else
              "a full grid of every combination")
    body = [f"<p>Varied: {', '.join(f'<code>{esc(v)}</code>' for v in vary)}; design: "
            f"{esc(design)}; {n_var} variants × {esc(spec.get('replications'))} replications, "
            f"seed {esc(spec.get('seed'))}, common random numbers across variants. Each cell "
            "is the mean over the variant's replications with its 95 % interval (kept inside "
            "what the KPI can be).</p>\n"]
    if tidy is not None and not tidy.empty and variants is not None:
        params = [c for c in variants.columns if c != "variant_id"]
        wanted = list(dict.fromkeys([*spec.get("kpis", []), "wait_mean_min", "abandon_rate",
                                     "staff_cost", "sat__csat_mean"]))
        present = set(tidy["kpi"])
        keys = [k for k in wanted if k in present]
        cells = tidy.set_index(["variant_id", "kpi"])
        rows = []
        for _, v in variants.iterrows():
            row = [f"<code>{esc(v['variant_id'])}</code>", *[esc(v[p]) for p in params]]
            for k in keys:
                r = cells.loc[(v["variant_id"], k)]
                row.append(esc(with_interval(float(r["mean"]), float(r["ci_low"]),
                                             float(r["ci_high"]), percent=is_share(k))))
            rows.append(row)
        body.append('<div id="sweep-table">' + table(
            ["Variant", *[esc(p) for p in params], *[esc(label(k, currency)) for k in keys]],
            rows, numeric=[False, *[True] * (len(params) + len(keys))]) + "</div>")
    for name, data in figs.items():
        if name.startswith("figures/sweep_"):
            kpi = name[len("figures/sweep_"):-len(".png")]
            what = ("every design point with its 95 % interval" if lhs else
                    "mean and 95 % interval, one line per combination of the other values")
            body.append(fg.figure_html(data, f"{label(kpi)} against the varied values",
                                       f"{label(kpi)} against each varied value: {what}; "
                                       f"{n_var} variants drawn (the table above lists them)."))
    if lhs:
        body.append(sensitivity_html(sensitivity))
    return "".join(body)
