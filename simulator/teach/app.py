"""The ``servsim teach`` classroom app (a Streamlit script; start it with ``servsim teach``).

The app only reads sliders, calls :mod:`simulator.teach.lessons` and
:mod:`simulator.teach.workshop` (cached by slider values) and draws what they return: metric
tiles, Altair charts and the replay of one replication (:mod:`simulator.teach.animation`).
Nothing is fetched from the network.
"""

from __future__ import annotations

import math
import sys
import traceback
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from simulator.measures.labels import format_interval, format_value, humanise, kpi_info
from simulator.measures.verdict import Verdict
from simulator.scenario.fields import min_to_clock
from simulator.scenario.loader import ScenarioError
from simulator.teach import lessons, workshop
from simulator.teach.animation import Animated, render

WORKSHOP = "Open a scenario (your own or a bundled one)"


@st.cache_data(show_spinner="Simulating ...", max_entries=64)
def run_lesson(name: str, **values: Any) -> lessons.LessonResult:
    """Run lesson ``name`` with slider ``values`` (cached on them)."""
    return getattr(lessons, name)(**values)


@st.cache_data(show_spinner="Simulating ...", max_entries=16)
def run_scenario_text(text: str, file_name: str, base_dir: str | None,
                      values: dict[str, int], replications: int,
                      demand: dict[str, int] | None = None) -> workshop.WorkshopResult:
    """Validate a scenario with staffing ``values`` and ``demand`` and run it (cached)."""
    loaded = workshop.with_staffing(text, file_name, values,
                                    Path(base_dir) if base_dir else None, demand)
    return workshop.run_workshop(loaded, replications)


def fmt(x: float, digits: int = 2, suffix: str = "") -> str:
    """A number for a metric tile (an en dash for NaN)."""
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else (
        f"{x:.{digits}f}{suffix}")


def pct(x: float) -> str:
    """A share as a percentage for a metric tile."""
    return fmt(100.0 * x, 1, " %")


def est(mean: float, low: float, high: float, digits: int = 2, suffix: str = "",
        percent: bool = False) -> str:
    """A simulated estimate for a tile: ``8.84 ± 4.55 min`` when its 95 % interval is
    symmetric, ``1.7 (0.4–3.0)`` when it was kept inside what is possible (a share near 0,
    a wait near 0)."""
    k = 100.0 if percent else 1.0
    unit = " %" if percent else suffix
    digits = 1 if percent else digits
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (low, high)):
        return fmt(mean * k, digits, unit)
    lo, hi = (high - mean) * k, (mean - low) * k
    if abs(lo - hi) <= 0.5 * 10 ** -digits:
        return f"{mean * k:.{digits}f} ± {lo:.{digits}f}{unit}"
    return f"{mean * k:.{digits}f} ({low * k:.{digits}f}–{high * k:.{digits}f}){unit}"


def headline_est(h: dict[str, float], name: str, digits: int = 2, suffix: str = "",
                 percent: bool = False) -> str:
    """:func:`est` of a lesson's headline ``name`` with its ``_ci_low`` / ``_ci_high``."""
    return est(h[name], h.get(f"{name}_ci_low", math.nan), h.get(f"{name}_ci_high", math.nan),
               digits, suffix, percent)


#: The x axis of charts over the day: decimal hours shown as HH:MM.
CLOCK_AXIS = alt.Axis(labelExpr="utcFormat(datum.value * 3600000, '%H:%M')")


def panels() -> tuple[Any, Any]:
    """Where a lesson draws its charts and its replay: side by side, or (with the sidebar's
    "large replay" toggle) the replay under the charts across the whole width."""
    if st.session_state.get("large_replay", False):
        return st.container(), st.container()
    left, right = st.columns([3, 2])
    return left, right


def show_verdict(verdict: Verdict | None) -> None:
    """The verdict block (:mod:`simulator.measures.verdict`) in a coloured box."""
    if verdict is None:
        return
    marks = {"met": "✔", "good": "✔", "missed": "✘", "bad": "✘", "unclear": "?", "info": "·"}
    text = "  \n".join([f"**{verdict.headline.text}**",
                        *(f"{marks[line.status]} {line.text}" for line in verdict.lines)])
    box = {"met": st.success, "good": st.success, "missed": st.error, "bad": st.error,
           "unclear": st.warning}.get(verdict.headline.status, st.info)
    box(text)


def chart(c: alt.Chart) -> None:
    """Draw an Altair chart across its column."""
    st.altair_chart(c.properties(width="container"))


def show_animations(items: tuple[Animated, ...], speed: float = 10.0) -> None:
    """Replay each animation (self-contained HTML, no network): ``st.iframe`` where this
    Streamlit has it, else ``streamlit.components.v1.html``."""
    iframe = getattr(st, "iframe", None)
    for item in items:
        page, height = render(item, speed)
        if iframe is not None:  # measures the page's own height
            iframe(page, height="content")
        else:
            components.html(page, height=height, scrolling=False)


def show_notes(result: lessons.LessonResult) -> None:
    """The lesson's notes as captions."""
    for note in result.notes:
        st.caption(note)


def with_intervals(points: pd.DataFrame, x: str, y_title: str,
                   color: str = "#d62728") -> alt.LayerChart:
    """Simulated means with 95 % interval bars."""
    base = alt.Chart(points)
    bars = base.mark_rule(color=color).encode(x=f"{x}:Q", y="ci_low:Q", y2="ci_high:Q")
    dots = base.mark_point(filled=True, size=70, color=color).encode(
        x=f"{x}:Q", y=alt.Y("mean:Q", title=y_title),
        tooltip=[x, "mean", "ci_low", "ci_high", "n"])
    return bars + dots


# --------------------------------------------------------------------------- lessons
def lesson_hockey_stick() -> None:
    st.markdown(
        "As a desk gets busier, waiting does not grow in a straight line: it creeps up, then "
        "shoots up as utilisation nears 100 %. The line is the Erlang C formula (M/M/c, "
        "steady state); the red points are the simulation, with 95 % intervals over "
        "replications. Add a clerk and watch the operating point slide down the curve.")
    a, b, c = st.columns(3)
    servers = a.slider("Clerks (servers)", 1, 10, 3, key="l1_servers")
    rate = b.slider("Arrivals per hour", 5, 150, 30, key="l1_rate")
    service = c.slider("Mean service (min)", 1.0, 15.0, 5.0, 0.5, key="l1_service")
    r = run_lesson("hockey_stick", servers=servers, arrivals_per_hour=float(rate),
                   mean_service_min=service)
    h = r.headline
    m = st.columns(4)
    m[0].metric("Utilisation", pct(h["utilisation"]))
    now = r.tables["points"][r.tables["points"]["chosen"]].iloc[0]
    m[1].metric("Mean wait, simulated (min)",
                est(h["wait_sim_min"], float(now["ci_low"]), float(now["ci_high"])),
                help="mean over replications with its 95 % interval")
    m[2].metric("Mean wait, Erlang C (min)", fmt(h["wait_theory_min"]))
    m[3].metric("Chance of waiting, Erlang C", pct(h["p_wait_theory"]))
    show_notes(r)
    left, right = panels()
    with left:
        pts = r.tables["points"]
        top = max(float(pts["ci_high"].max()), 1.0) * 1.3
        curve = alt.Chart(r.tables["curve"]).mark_line().encode(
            x=alt.X("utilisation:Q", title="utilisation", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("wait_theory_min:Q", title="mean wait (min)",
                    scale=alt.Scale(domain=[0, top], clamp=True)))
        now = alt.Chart(pts[pts["chosen"]]).mark_point(size=260, shape="diamond",
                                                       color="black", filled=False).encode(
            x="utilisation:Q", y="mean:Q")
        chart(curve + with_intervals(pts, "utilisation", "mean wait (min)") + now)
    with right:
        show_animations(r.animations)


def lesson_pooling() -> None:
    st.markdown(
        "Same tellers, same customers (common random numbers): only the lines differ. With "
        "a line per teller each customer joins the shortest line and stays there, so some "
        "wait behind a long transaction while a teller next door is idle. One shared line "
        "gives a lower mean wait and much more equal waits. When customers may switch to a "
        "line two shorter (jockeying), nobody waits while a teller is idle: the mean wait "
        "comes back to the shared line's, though the order of service is less fair.")
    a, b, c = st.columns(3)
    tellers = a.slider("Tellers", 2, 8, 4, key="l2_tellers")
    rate = b.slider("Arrivals per hour", 10, 90, 42, key="l2_rate")
    service = c.slider("Mean service (min)", 2.0, 10.0, 5.0, 0.5, key="l2_service")
    r = run_lesson("pooling", tellers=tellers, arrivals_per_hour=float(rate),
                   mean_service_min=service)
    h = r.headline
    m = st.columns(5)
    by = r.tables["summary"].set_index("layout")
    m[0].metric("Mean wait, one shared line (min)",
                est(h["wait_shared_min"], by.loc["one shared line", "ci_low"],
                    by.loc["one shared line", "ci_high"]))
    m[1].metric("Mean wait, a line per teller (min)",
                est(h["wait_separate_min"], by.loc["a line per teller", "ci_low"],
                    by.loc["a line per teller", "ci_high"]),
                delta=f"{h['difference_min']:+.2f} min", delta_color="inverse")
    m[2].metric("Mean wait, switching lines (min)",
                est(h["wait_jockey_min"], by.loc[lessons.JOCKEY_LAYOUT, "ci_low"],
                    by.loc[lessons.JOCKEY_LAYOUT, "ci_high"]),
                delta=f"{h['jockey_difference_min']:+.2f} min", delta_color="inverse")
    m[3].metric("Spread (sd) of waits, shared / separate / switching (min)",
                f"{fmt(h['sd_shared_min'])} / {fmt(h['sd_separate_min'])} / "
                f"{fmt(h['sd_jockey_min'])}")
    m[4].metric("Utilisation", pct(h["utilisation"]))
    st.caption(f"Paired difference (separate − shared): {fmt(h['difference_min'])} min, 95 % "
               f"interval [{fmt(h['difference_ci_low'])}, {fmt(h['difference_ci_high'])}]. "
               f"Steady-state references: Erlang C {fmt(h['erlang_c_wait_min'])} min for the "
               f"shared line; {fmt(h['random_line_wait_min'])} min if customers picked a line "
               "at random (M/M/1 per teller). Switching lines: "
               f"{fmt(h['moves_per_morning'])} moves per morning; paired difference "
               f"(switching − shared) {fmt(h['jockey_difference_min'])} min, 95 % interval "
               f"[{fmt(h['jockey_difference_ci_low'])}, {fmt(h['jockey_difference_ci_high'])}].")
    show_notes(r)
    left, right = panels()
    with left:
        chart(alt.Chart(r.tables["summary"]).mark_bar().encode(
            x=alt.X("layout:N", title=None), y=alt.Y("mean:Q", title="mean wait (min)"),
            color=alt.Color("layout:N", legend=None))
            + alt.Chart(r.tables["summary"]).mark_rule().encode(
                x="layout:N", y="ci_low:Q", y2="ci_high:Q"))
        chart(alt.Chart(r.tables["waits"]).transform_filter("datum.wait_min > 0")
              .mark_bar(opacity=0.55).encode(
                  x=alt.X("wait_min:Q", bin=alt.Bin(step=2), title="wait (min), waiting "
                          "customers only"),
                  y=alt.Y("count():Q", stack=None, title="customers"),
                  color=alt.Color("layout:N", legend=alt.Legend(orient="top"))))
    with right:
        show_animations(r.animations)


def lesson_variability() -> None:
    st.markdown(
        "The same number of customers and the same average service time — only the spread "
        "of service times changes (coefficient of variation cv = sd / mean: 0 every service "
        "takes exactly the mean, 1 exponential, 2 a few very long services). Waiting grows "
        "with (1 + cv²): variability alone can multiply the wait.")
    a, b = st.columns(2)
    servers = a.slider("Servers", 1, 4, 1, key="l3_servers")
    load = b.slider("Utilisation", 0.5, 0.95, 0.8, 0.05, key="l3_load")
    r = run_lesson("variability", servers=servers, utilisation=load)
    h = r.headline
    m = st.columns(len(lessons.CVS))
    waits = r.tables["waits"].set_index("cv")
    for col, cv in zip(m, lessons.CVS, strict=True):
        col.metric(f"Mean wait, cv {cv:g} (min)",
                   est(h[f"wait_cv{cv:g}_min"], waits.loc[cv, "ci_low"], waits.loc[cv, "ci_high"],
                       1))
    show_notes(r)
    left, right = panels()
    with left:
        w = r.tables["waits"]
        theory_pts = alt.Chart(w).mark_line(point=True, color="#1f77b4").encode(
            x=alt.X("cv:Q", title="service cv"), y="wait_theory_min:Q",
            tooltip=["cv", "wait_theory_min", "theory"])
        chart(theory_pts + with_intervals(w, "cv", "mean wait (min)"))
        st.caption("Blue: theory; red: simulation with 95 % intervals.")
    with right:
        labels = [a.title for a in r.animations]
        pick = st.selectbox("Replay", labels, index=len(labels) - 1, key="l3_pick")
        show_animations(tuple(a for a in r.animations if a.title == pick))


def lesson_lunch_dip() -> None:
    st.markdown(
        "Half the clerks go to lunch together while customers keep coming. The line builds "
        "during lunch — and it does not vanish when everybody is back: the extra work has to "
        "be served on top of the afternoon's arrivals, so the queue lingers long after the "
        "dip.")
    a, b, c, d = st.columns(4)
    clerks = a.slider("Clerks", 2, 12, 6, key="l4_clerks")
    at_lunch = b.slider("Clerks on duty at lunch", 0, clerks, min(3, clerks), key="l4_lunch")
    minutes = c.slider("Lunch length (min)", 15, 120, 60, 15, key="l4_minutes")
    rate = d.slider("Arrivals per hour", 10, 120, 50, key="l4_rate")
    r = run_lesson("lunch_dip", clerks=clerks, clerks_at_lunch=at_lunch,
                   lunch_min=float(minutes), arrivals_per_hour=float(rate))
    h = r.headline
    m = st.columns(4)
    m[0].metric("Line before lunch", headline_est(h, "queue_before_lunch", 1),
                help="customers in line: mean over the hour before lunch and the days, with "
                "its 95 % interval")
    m[1].metric(f"Peak line, {min_to_clock(h['peak_at_min'])}", headline_est(h, "queue_peak", 1),
                help="customers in line: mean over the days, with its 95 % interval")
    m[2].metric("Wait at lunch (min)", headline_est(h, "wait_lunch_min", 1),
                help="the days' mean waits of customers arriving during lunch, with the "
                "95 % interval")
    lingers = h["lingers_min"]
    m[3].metric("Back to normal at", "never" if math.isnan(lingers) else
                f"{min_to_clock(h['recovered_at_min'])}",
                help="first time after lunch the mean line is within 0.5 of the level before")
    st.caption(("The line never gets back to its level before lunch. " if math.isnan(lingers)
                else f"The line lingers {lingers:.0f} min after lunch. ")
               + f"Mean wait by arrival: morning {fmt(h['wait_morning_min'], 1)} min, during "
               f"lunch {fmt(h['wait_lunch_min'], 1)} min, afternoon "
               f"{fmt(h['wait_afternoon_min'], 1)} min.")
    left, right = panels()
    with left:
        q = r.tables["queue"]
        base = alt.Chart(q).encode(x=alt.X("hour_of_day:Q", title="time of day",
                                           scale=alt.Scale(zero=False), axis=CLOCK_AXIS))
        band = base.mark_area(opacity=0.25).encode(y=alt.Y("queue_p10:Q", title="customers "
                                                           "in line"), y2="queue_p90:Q")
        line = base.mark_line().encode(y="queue_mean:Q", tooltip=[
            alt.Tooltip("clock:N", title="time"),
            alt.Tooltip("queue_mean:Q", title="customers in line", format=".1f"),
            alt.Tooltip("on_duty:Q", title="clerks on duty", format=".1f")])
        duty = base.mark_line(color="#2ca02c", strokeDash=[4, 3]).encode(y="on_duty:Q")
        lunch = alt.Chart(pd.DataFrame({"a": [(h["lunch_end_min"] - minutes) / 60.0],
                                        "b": [h["lunch_end_min"] / 60.0]})).mark_rect(
            opacity=0.12, color="orange").encode(x="a:Q", x2="b:Q")
        chart(lunch + band + line + duty)
        st.caption("Blue: mean line over the days (band: 10th-90th percentile); green "
                   "dashed: clerks on duty; orange: lunch.")
        chart(alt.Chart(r.tables["by_hour"]).mark_bar().encode(
            x=alt.X("clock:O", title="hour of arrival"),
            y=alt.Y("wait_mean_min:Q", title="mean wait (min)"),
            tooltip=[alt.Tooltip("clock:N", title="hour"),
                     alt.Tooltip("wait_mean_min:Q", title="mean wait (min)", format=".1f")]))
    with right:
        show_animations(r.animations)


def lesson_impatience() -> None:
    st.markdown(
        "Customers who wait too long give up. With impatience the queue never explodes — "
        "the line sheds customers instead. The curve is Erlang A (M/M/c+M, exponential "
        "patience); the points are the simulation with 95 % intervals. Each extra agent "
        "buys less than the one before.")
    a, b, c = st.columns(3)
    agents = a.slider("Agents", 1, 12, 4, key="l5_agents")
    rate = b.slider("Arrivals per hour", 10, 120, 50, key="l5_rate")
    patience = c.slider("Mean patience (min)", 1.0, 30.0, 10.0, 1.0, key="l5_patience")
    r = run_lesson("impatience", agents=agents, arrivals_per_hour=float(rate),
                   mean_patience_min=patience)
    h = r.headline
    m = st.columns(4)
    m[0].metric("Abandonment, simulated", headline_est(h, "abandon_sim", percent=True),
                help="mean over replications with its 95 % interval")
    m[1].metric("Abandonment, Erlang A", pct(h["abandon_theory"]))
    m[2].metric("Mean wait of served, simulated (min)", fmt(h["wait_served_sim_min"]))
    m[3].metric("Agent utilisation, Erlang A", pct(h["utilisation_theory"]))
    left, right = panels()
    with left:
        curve = alt.Chart(r.tables["curve"]).mark_line(point=True).encode(
            x=alt.X("agents:Q", title="agents"),
            y=alt.Y("abandon_theory:Q", title="share abandoning", axis=alt.Axis(format="%")))
        chart(curve + with_intervals(r.tables["points"], "agents", "share abandoning"))
    with right:
        show_animations(r.animations)


def lesson_satisfaction() -> None:
    st.markdown(
        "Customers judge a wait against what they expect. Up to the service standard, "
        "predicted satisfaction (CSAT, 1-5) barely moves; beyond it, every extra minute "
        "costs satisfaction and complaints rise. Move the standard: the waits stay the same "
        "(same customers), only how they are judged changes. Add a teller to move customers "
        "back inside the standard.")
    a, b, c = st.columns(3)
    tellers = a.slider("Tellers", 2, 8, 4, key="l6_tellers")
    standard = b.slider("Service standard (min)", 2.0, 30.0, 10.0, 1.0, key="l6_standard")
    rate = c.slider("Arrivals per hour", 10, 90, 42, key="l6_rate")
    r = run_lesson("satisfaction", tellers=tellers, standard_min=standard,
                   arrivals_per_hour=float(rate))
    h = r.headline
    m = st.columns(4)
    m[0].metric("Served beyond the standard", pct(h["share_beyond_standard"]))
    m[1].metric("Predicted CSAT (1–5)", headline_est(h, "csat_mean"))
    m[2].metric("Predicted complaint rate", headline_est(h, "complaint_rate", percent=True))
    m[3].metric("CSAT within / beyond standard",
                f"{fmt(h['csat_within'])} / {fmt(h['csat_beyond'])}")
    show_notes(r)
    left, right = panels()
    with left:
        by = r.tables["by_wait"]
        bars = alt.Chart(by).mark_bar().encode(
            x=alt.X("label:N", sort=None, title="wait (min)"),
            y=alt.Y("csat_mean:Q", title="mean predicted CSAT", scale=alt.Scale(domain=[1, 5])),
            y2=alt.datum(1),
            color=alt.Color("beyond_standard:N", title="beyond standard",
                            scale=alt.Scale(domain=[False, True],
                                            range=["#1f77b4", "#d62728"])),
            tooltip=["label", "customers", "csat_mean", "complaint_rate"])
        chart(bars)
        chart(alt.Chart(by).mark_line(point=True, color="#d62728").encode(
            x=alt.X("label:N", sort=None, title="wait (min)"),
            y=alt.Y("complaint_rate:Q", title="predicted complaint rate",
                    axis=alt.Axis(format="%"))))
    with right:
        show_animations(r.animations)


# --------------------------------------------------------------------------- workshop
def show_problems(title: str, exc: ScenarioError, most: int = 20) -> None:
    """A scenario's problems as a list of messages (no traceback, no file contents)."""
    lines = [f"- `{issue}`" for issue in exc.issues[:most]]
    if len(exc.issues) > most:
        lines.append(f"- ... and {len(exc.issues) - most} more")
    st.error(title + "\n\n" + "\n".join(lines))
def kpi_tile(col: Any, row: pd.Series, currency: str | None) -> None:
    """A metric tile of a KPI row (kpi, label, mean, ci_low, ci_high): the mean with its
    95 % interval, both in the KPI's unit."""
    k = str(row["kpi"])
    share = kpi_info(k).share
    mean = format_value(k, row["mean"], currency, unit=False) + (" %" if share else "")
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    if not (math.isnan(lo) or math.isnan(hi)):
        half_hi = float(row["ci_high"]) - float(row["mean"])
        half_lo = float(row["mean"]) - float(row["ci_low"])
        scale = 100.0 if share else 1.0
        number = mean.removesuffix(" %")
        decimals = len(number.split(".")[1]) if "." in number else 0
        if abs(half_hi - half_lo) * scale < 0.05:
            mean += f" ± {half_hi * scale:,.{decimals}f}"
        else:  # kept inside the range: the bounds, compactly
            def bound(x: float) -> str:
                return f"{x * scale:,.{decimals}f}".removesuffix(".0")
            mean += f" ({bound(lo)}–{bound(hi)})"
    col.metric(kpi_info(k).titled(currency, short=True), mean,
               help=f"{row['label']}: mean over the days with its 95 % interval")


def summary_table(summary: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """The workshop's KPI table for people: label with unit, mean and 95 % interval as
    rounded text (shares in percent)."""
    rows = []
    for _, r in summary.iterrows():
        k = str(r["kpi"])
        share = kpi_info(k).share
        rows.append({"KPI": r["label"],
                     "Mean": format_value(k, r["mean"], currency, unit=False)
                     + (" %" if share else ""),
                     "95 % interval": format_interval(k, r["ci_low"], r["ci_high"])
                     + (" %" if share and not math.isnan(float(r["ci_low"])) else ""),
                     "Days": int(r["n"])})
    return pd.DataFrame(rows)


def page_workshop() -> None:
    st.markdown(
        "Open a bundled scenario or upload your own YAML file, change the staffing, the "
        "arrivals per hour and the service times with the sliders and see the day play out. "
        "Staffed stations get extra counters when the new staff need somewhere to sit.")
    bundled = workshop.bundled_scenarios()
    choice = st.selectbox("Bundled scenario", list(bundled), key="ws_bundled")
    upload = st.file_uploader("... or upload a scenario (.yaml)", type=["yaml", "yml", "json"],
                              key="ws_upload")
    try:
        if upload is not None:  # no folder of its own: it may not name files (workshop docs)
            text = workshop.decode_upload(upload.getvalue(), upload.name)
            name, base = upload.name, None
        elif choice is not None:
            path = bundled[choice]
            text, name, base = path.read_text(encoding="utf-8"), path.name, str(path.parent)
        else:
            st.info("No bundled scenarios found; upload one.")
            return
        plain = workshop.with_staffing(text, name, {}, Path(base) if base else None)
    except ScenarioError as exc:
        show_problems("This scenario has problems:", exc)
        return
    st.subheader(plain.scenario.name)
    values: dict[str, int] = {}
    demand: dict[str, int] = {}
    st.markdown("**Staffing**")
    cols = st.columns(3)
    for i, knob in enumerate(workshop.staffing_knobs(plain.scenario)):
        values[knob.key] = cols[i % 3].slider(knob.label, knob.low, knob.high, knob.value,
                                              key=f"ws_{name}_{knob.key}")
    st.markdown("**Demand and service times**")
    cols = st.columns(3)
    for i, knob in enumerate(workshop.demand_knobs(plain.scenario)):
        demand[knob.key] = cols[i % 3].slider(knob.label, knob.low, knob.high, knob.value,
                                              step=workshop.PERCENT_STEP, format="%d %%",
                                              key=f"ws_{name}_{knob.key}")
    reps = st.slider("Replications (days)", 2, 20, 5, key="ws_reps")
    try:
        res = run_scenario_text(text, name, base, values, reps, demand)
    except ScenarioError as exc:
        show_problems("With these values the scenario has problems:", exc)
        return
    except Exception:  # the message only: details stay in the server's log
        traceback.print_exc(file=sys.stderr)
        st.error("This scenario could not be simulated (an internal error; the details are in "
                 "the log of the computer running servsim teach).")
        return
    show_verdict(res.verdict)
    s = res.summary.set_index("kpi", drop=False)
    head = [k for k in ("wait_mean_min", "abandon_rate", "sat__csat_mean", "staff_cost")
            if k in s.index]
    m = st.columns(max(1, len(head)))
    for col, k in zip(m, head, strict=False):
        kpi_tile(col, s.loc[k], res.currency)
    left, right = panels()
    with left:
        queue = res.queue.assign(station=res.queue["station"].map(humanise))
        chart(alt.Chart(queue).mark_line().encode(
            x=alt.X("hour_of_day:Q", title="time of day", scale=alt.Scale(zero=False),
                    axis=CLOCK_AXIS),
            y=alt.Y("queue_mean:Q", title="customers in line (mean over days)"),
            color=alt.Color("station:N", title="station"),
            tooltip=[alt.Tooltip("clock:N", title="time"), alt.Tooltip("station:N"),
                     alt.Tooltip("queue_mean:Q", title="customers in line", format=".1f")]))
        st.dataframe(summary_table(res.summary, res.currency), hide_index=True)
    with right:
        show_animations((res.animation,), speed=20.0)


PAGES = {
    lessons.LESSONS["hockey_stick"]: lesson_hockey_stick,
    lessons.LESSONS["pooling"]: lesson_pooling,
    lessons.LESSONS["variability"]: lesson_variability,
    lessons.LESSONS["lunch_dip"]: lesson_lunch_dip,
    lessons.LESSONS["impatience"]: lesson_impatience,
    lessons.LESSONS["satisfaction"]: lesson_satisfaction,
    WORKSHOP: page_workshop,
}


def main() -> None:
    st.set_page_config(page_title="servsim teach", layout="wide")
    with st.sidebar:
        st.title("servsim teach")
        page = st.radio("Lesson", list(PAGES), key="page")
        st.toggle("Large replay", key="large_replay",
                  help="draw the replay under the charts across the whole width (projectors)")
        st.caption("Every number comes from the servsim simulator (fixed seed, so the class "
                   "sees the same results). The replay shows one simulated day from its "
                   "own records: dots are customers, boxes are counters (grey: closed).")
    st.header(page)
    PAGES[page]()


main()
