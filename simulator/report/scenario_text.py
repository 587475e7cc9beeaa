"""The scenario in plain words: opening hours, customers, arrivals, stations, staff, pathways
and standards, generated from the validated ``scenario.resolved.yaml``."""

from __future__ import annotations

import math
from typing import Any

from simulator.report.markup import duration, esc, plain, share, table
from simulator.scenario.arrivals import (
    Appointments,
    PoissonArrivals,
    TraceArrivals,
    Wave,
    WaveArrivals,
)
from simulator.scenario.fields import clock_to_min
from simulator.scenario.pathways import (
    Choose,
    IfFailed,
    IfServed,
    Release,
    Seize,
    ShortestOf,
    Step,
)
from simulator.scenario.resources import Rooms
from simulator.scenario.schema import Scenario
from simulator.scenario.staff import Shift


def distribution_text(d: Any) -> str:
    """``lognormal, mean 8 min, cv 0.6`` (plain text, not escaped)."""
    kind = getattr(d, "dist", type(d).__name__.lower())
    if kind == "constant":
        return f"always {plain(d.value)} min"
    if kind == "empirical":
        if d.values is None:
            return f"resampled from {d.file} (column {d.column})"
        return f"resampled from {len(d.values)} observed values, mean {d.mean:.3g} min"
    if kind == "exponential":
        return f"exponential, mean {plain(d.mean)} min"
    if kind == "triangular":
        return (f"triangular {plain(d.low)}–{plain(d.high)} min, most likely {plain(d.mode)}, "
                f"mean {plain(d.mean)} min")
    if kind == "uniform":
        return f"uniform, mean {plain(d.mean)} min, cv {d.cv:.3g}"
    return f"{kind}, mean {plain(d.mean)} min, cv {d.cv:.3g}"


def expected_walk_ins(src: PoissonArrivals, open_min: float, close_min: float) -> float:
    """Expected arrivals of a walk-in source over the day: ∫ rate dt from open to close
    (the rate of each key holds until the next; before the first key it is 0), plus the
    meal peaks' Gaussian bumps over the same interval."""
    keys = sorted((clock_to_min(k), v) for k, v in src.rate_per_hour.items())
    total = 0.0
    for i, (t, rate) in enumerate(keys):
        start = max(t, open_min)
        end = min(keys[i + 1][0] if i + 1 < len(keys) else close_min, close_min)
        if end > start:
            total += rate * (end - start) / 60.0
    for p in src.peaks:
        at, w = clock_to_min(p.at), p.width_min
        phi = [0.5 * (1.0 + math.erf((x - at) / (w * math.sqrt(2.0))))
               for x in (open_min, close_min)]
        total += p.extra_per_hour / 60.0 * w * math.sqrt(2.0 * math.pi) * (phi[1] - phi[0])
    return total


def _wave_text(wave: Wave, src: WaveArrivals) -> str:
    size = wave.size
    count = str(size) if isinstance(size, int) else \
        f"{size.dist} number, mean {plain(size.mean)}"
    shape = wave.spread or src.spread
    spread = ("all at once" if wave.spread_min == 0
              else f"{shape} spread {plain(wave.spread_min)} min")
    show = src.probability_show if wave.probability_show is None else wave.probability_show
    text = f"{wave.at}: {count} customers, {spread}"
    return text + (f", happens with probability {plain(show)}" if show < 1 else "")


def _hours(sc: Scenario) -> str:
    if sc.terminating:
        return (f"<p>A <strong>service day</strong>: doors open at {esc(sc.clock.open)} and close "
                f"at {esc(sc.clock.close)} ({esc(duration(sc.close_min - sc.open_min))}). No one "
                f"arrives after closing; customers already inside are still served, for at most "
                f"{esc(duration(sc.run.max_overtime_min))} after closing. Every replication "
                "starts empty and idle.</p>\n")
    return (f"<p>A <strong>steady-state study</strong>: the model runs for "
            f"{esc(duration(sc.run.length_min or 0.0))} from {esc(sc.clock.open)}, and the "
            f"first {esc(duration(sc.run.warm_up_min))} (warm-up) are left out of the "
            "statistics.</p>\n")


def _classes(sc: Scenario) -> str:
    rows = []
    for name, c in sc.customer_classes.items():
        patience = (distribution_text(c.patience) if c.patience is not None
                    else "waits as long as needed")
        balk = (f"leaves at once with probability {plain(c.balk.probability)} if "
                f"{c.balk.queue_at_least} or more are waiting" if c.balk is not None else "never")
        rows.append([esc(name), esc(share(c.share)), esc(c.pathway), esc(c.priority),
                     esc(patience), esc(balk)])
    return ("<h3>Customers</h3>\n" + table(
        ["Class", "Share of walk-ins", "Pathway", "Priority", "Patience in a line",
         "Balks (turns away)"], rows, numeric=[False, True, False, True]))


def _arrivals(sc: Scenario) -> str:
    items = []
    for name, src in sc.arrivals.items():
        if isinstance(src, PoissonArrivals):
            keys = sorted(src.rate_per_hour.items(), key=lambda kv: clock_to_min(kv[0]))
            peak_t, peak = max(keys, key=lambda kv: kv[1])
            steps = ", ".join(f"{t} {plain(r)}/h" for t, r in keys)
            mix = ""
            if src.class_shares:
                mix = "; class mix " + ", ".join(f"{k} {share(v)}"
                                                 for k, v in src.class_shares.items())
            expected = expected_walk_ins(src, sc.open_min, sc.close_min)
            per = "per day" if sc.terminating else "over the run"
            if src.peaks:
                mix += "; meal peaks " + ", ".join(
                    f"+{plain(p.extra_per_hour)}/h at {p.at} (sd {plain(p.width_min)} min)"
                    for p in src.peaks)
            group = ("" if src.group_size is None
                     else f"; parties of {distribution_text(src.group_size).replace(' min', '')}")
            items.append(
                f"<li><strong>{esc(name)}</strong>: walk-ins, a Poisson process whose rate "
                f"changes through the day ({esc(steps)}); peak {esc(plain(peak))} per hour from "
                f"{esc(peak_t)}; about {esc(f'{expected:,.0f}')} expected {per}"
                f"{esc(mix)}{esc(group)}.</li>")
        elif isinstance(src, Appointments):
            slots = math.floor((clock_to_min(src.end) - clock_to_min(src.start))
                               / src.slots_every_min + 1e-9) + 1
            cls = src.class_ or next(iter(sc.customer_classes))
            items.append(
                f"<li><strong>{esc(name)}</strong>: appointments every "
                f"{esc(plain(src.slots_every_min))} min from {esc(src.start)} to {esc(src.end)} "
                f"({esc(slots)} slots of {esc(src.per_slot)}), class "
                f"{esc(cls)}; {esc(share(src.no_show))} do not "
                f"come; arrival relative to the slot: mean {esc(plain(src.punctuality_mean_min))} "
                f"min, sd {esc(plain(src.punctuality_sd_min))} min.</li>")
        elif isinstance(src, WaveArrivals):
            who = src.class_ or ("mix " + ", ".join(f"{k} {share(v)}" for k, v in
                                                     src.class_shares.items())
                                 if src.class_shares else "drawn from the class shares")
            items.append(f"<li><strong>{esc(name)}</strong>: arrival waves (class "
                         f"{esc(who)}): " + "; ".join(esc(_wave_text(w, src))
                                                      for w in src.waves) + ".</li>")
        elif isinstance(src, TraceArrivals):
            items.append(f"<li><strong>{esc(name)}</strong>: real arrival times replayed from "
                         f"<code>{esc(src.trace)}</code> (column {esc(src.time_column)}).</li>")
    return "<h3>Arrivals</h3>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"


def _stations(sc: Scenario) -> str:
    rows = []
    for name, st in sc.stations.items():
        who = esc(st.staff) if st.staffed and st.staff else "self-service"
        helpers = [g for g, grp in sc.staff.items()  # skill-based routing
                   if grp.serves and name in grp.serves and g != st.staff]
        if helpers:
            who = ", ".join(([who] if st.staff else []) + [esc(g) for g in helpers])
        line = "one shared line" if st.line == "single" else "a line per counter"
        if st.waiting_room is not None:
            line += f", room for {st.waiting_room} waiting"
        service = esc(distribution_text(st.service))
        for cls, d in st.service_by_class.items():
            service += f"<br>{esc(cls)}: {esc(distribution_text(d))}"
        failure = "–"
        if st.failure is not None and st.failure.probability > 0:
            fix = ("redone at once" if st.failure.recovery == "redo"
                   else f"sent to {st.failure.recovery.station}")  # type: ignore[union-attr]
            failure = esc(f"{share(st.failure.probability)} fail, {fix}")
        rows.append([esc(name), esc(st.counters), who, esc(line), service, failure])
    return ("<h3>Stations</h3>\n" + table(
        ["Station", "Counters", "Served by", "Queue", "Service time", "Service failures"],
        rows, numeric=[False, True]))


def _shift_text(sh: Shift) -> str:
    text = f"{sh.count} × {sh.start}–{sh.end}"
    for b in sh.breaks:
        groups = f" in {b.stagger_groups} staggered groups" if b.stagger_groups > 1 else ""
        text += f"; break {plain(b.minutes)} min from {b.start}{groups}"
    return text


def _staff(sc: Scenario) -> str:
    if not sc.staff:
        return ""
    rows = []
    for name, g in sc.staff.items():
        if g.shifts:
            duty = "<br>".join(esc(_shift_text(sh)) for sh in g.shifts)
        else:
            duty = esc(f"{g.count or 0} always on duty")
        serves = ", ".join(s for s, st in sc.stations.items() if st.staffed and st.staff == name)
        if g.serves is not None:  # skill-based routing: home first, then where they help
            serves = ", ".join(
                s if i == 0 else f"{s} (helps while {g.help_when_line_at_least.get(s, 1)}+ wait)"
                for i, s in enumerate(g.serves))
        rows.append([esc(name), esc(serves or "–"), duty, esc(plain(g.skill)),
                     esc(plain(g.cost_per_hour))])
    return ("<h3>Staff</h3>\n" + table(
        ["Group", "Works at", "Shifts and breaks", "Service-time multiplier", "Cost per hour"],
        rows, numeric=[False, False, False, True, True]))


def resource_text(res: Any) -> str:
    """``12 tables: 6 of 2 seats, 6 of 4 seats; may join two`` (plain text)."""
    if isinstance(res, Rooms):
        ready = "every vacant room" if res.ready_at_open is None else str(res.ready_at_open)
        return (f"{res.count} rooms, {res.occupied_at_open} occupied at opening, ready at "
                f"opening: {ready}; cleaned by {res.housekeeping.staff} "
                f"({distribution_text(res.housekeeping.clean)})")
    sizes = ", ".join(f"{n} of {seats} seats" for seats, n in sorted(res.sizes.items()))
    rules = ["smallest free table that fits"]
    if res.join:
        rules.append("two tables may be joined")
    if not res.seat_smaller_first:
        rules.append("strictly first come, first seated")
    if res.quote_wait:
        rules.append("a wait is quoted at the door")
    return f"{res.n_tables} tables: {sizes}; " + ", ".join(rules)


def _resources(sc: Scenario) -> str:
    resources = getattr(sc, "resources", {}) or {}
    if not resources:
        return ""
    items = [f"<li><strong>{esc(name)}</strong>: {esc(resource_text(r))}</li>"
             for name, r in resources.items()]
    return ("<h3>Held resources</h3>\n<p class=\"note\">A customer takes one on a "
            "pathway and keeps it through the following steps.</p>\n<ul>\n"
            + "\n".join(items) + "\n</ul>\n")


def pathway_text(steps: list[Any]) -> str:
    """``kiosk → window → cashier (40 %)``; held resources as ``[take tables]`` and
    ``[hand back tables]`` (plain text)."""
    parts = []
    for s in steps:
        if isinstance(s, Step):
            extra = [] if s.probability >= 1 else [share(s.probability)]
            if s.service is not None:
                extra.append(distribution_text(s.service))
            parts.append(s.step + (f" ({'; '.join(extra)})" if extra else ""))
        elif isinstance(s, Seize):
            parts.append(f"[take {s.seize}]")
        elif isinstance(s, Release):
            parts.append(f"[hand back {s.release}]")
        elif isinstance(s, Choose):
            parts.append("(" + " or ".join(f"{n} {share(p)}" for n, p in s.choose.items())
                         + ")")
        elif isinstance(s, IfFailed):
            parts.append(f"{s.if_failed} (if the previous visit failed)")
        elif isinstance(s, IfServed):
            parts.append(f"{s.if_served} (if the previous visit went right)")
        elif isinstance(s, ShortestOf):
            parts.append("(the shorter line of " + " / ".join(s.shortest_of) + ")")
        else:
            parts.append(str(s))
    return " → ".join(parts)


def _pathways(sc: Scenario) -> str:
    items = [f"<li><strong>{esc(name)}</strong>: {esc(pathway_text(steps))}</li>"
             for name, steps in sc.pathways.items()]
    return ("<h3>Pathways</h3>\n<p class=\"note\">Stations in the order visited; a percentage "
            "is the chance the step is taken.</p>\n<ul>\n" + "\n".join(items) + "\n</ul>\n")


def standard_text(std: Any) -> str:
    """``wait at general_window at most 15 min for 80 % of customers`` (plain text)."""
    where = f"at {std.station}" if std.station else "over the whole visit"
    if std.station and getattr(std, "measure", "wait") == "wait_and_service":
        where = f"plus service at {std.station}"
    who = f" ({', '.join(std.classes)})" if std.classes else ""
    return (f"wait {where} at most {plain(std.wait_max_min)} min for at least "
            f"{share(std.target_share)} of customers{who}")


def _standards(sc: Scenario) -> str:
    if not sc.standards:
        return ""
    items = [f"<li><strong>{esc(s.name)}</strong>: {esc(standard_text(s))}</li>"
             for s in sc.standards]
    return "<h3>Service standards</h3>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"


def scenario_html(sc: Scenario) -> str:
    """The whole "scenario in plain words" section body."""
    desc = f"<p>{esc(sc.description.strip())}</p>\n" if sc.description.strip() else ""
    sat = ""
    if sc.satisfaction is None or sc.satisfaction.model != "off":
        sat = (f"<p>Satisfaction is predicted with the SERVQUAL-based model for the "
               f"<em>{esc(sc.domain)}</em> domain (see the satisfaction section).</p>\n")
    return (f"<p><strong>{esc(sc.name)}</strong></p>\n{desc}{_hours(sc)}{_classes(sc)}"
            f"{_arrivals(sc)}{_stations(sc)}{_staff(sc)}{_resources(sc)}{_pathways(sc)}"
            f"{_standards(sc)}{sat}")
