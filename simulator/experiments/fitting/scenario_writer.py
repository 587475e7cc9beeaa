"""``scenario.fitted.yaml``: the fitted values as a valid scenario, each with its evidence.

:func:`fitted_tree` builds the scenario as a ruamel.yaml tree with a comment beside every
fitted value (how many observations, the method, the fit statistic); :func:`fitted_yaml`
validates it with the scenario loader, so what is written is known to be valid, and dumps
it keeping the comments. Service standards and costs are left to the planner.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from simulator.experiments.fitting.arrivals import Grid
from simulator.experiments.fitting.patience import BalkFit, PatienceFit
from simulator.experiments.fitting.roster import Roster
from simulator.experiments.fitting.routing import Pathway, class_names
from simulator.experiments.fitting.service import ServiceFit
from simulator.scenario.fields import min_to_clock
from simulator.scenario.loader import LoadedScenario, load_scenario_text, validate_tree

__all__ = ["FittedParts", "fitted_tree", "fitted_yaml", "staff_group_name"]


@dataclass(frozen=True)
class FittedParts:
    """What the scenario is made of."""

    name: str
    source: str
    sha256: str
    days: Sequence[str]
    day_type: str
    grid: Grid
    rates: Sequence[tuple[float, float, str]]  # (start_min, rate per hour, comment)
    services: Mapping[str, ServiceFit]
    empirical_files: Mapping[str, str]
    patience: PatienceFit
    balk: BalkFit
    roster: Roster
    pathways: Sequence[Pathway]
    seed: int
    notes: Sequence[str] = ()


def staff_group_name(station: str) -> str:
    """The staff group serving a fitted station."""
    return f"{station[:52]}_staff"


def _flow(**items: object) -> CommentedMap:
    m = CommentedMap(items)
    m.fa.set_flow_style()
    return m


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"


def _service_comment(fit: ServiceFit) -> str:
    best = fit.best
    n = f"n={fit.sample.n:,} services"
    if best is not None:
        return (f"{n}; MLE, {fit.note}; mean 95% CI [{_g(best.mean_low)}, "
                f"{_g(best.mean_high)}] min")
    return f"{n}; {fit.note}; sample mean {_g(fit.sample.mean)} min"


def fitted_tree(parts: FittedParts) -> CommentedMap:
    """The fitted scenario as a commented ruamel.yaml tree (not yet validated)."""
    p = parts
    tree = CommentedMap()
    tree["name"] = p.name
    tree["description"] = (f"Fitted by servsim fit from {p.source} ({len(p.days)} days, day "
                           f"type {p.day_type}). Check every value against what you know.")
    tree["domain"] = "generic"
    tree["clock"] = _flow(open=DoubleQuotedScalarString(min_to_clock(p.grid.open_min)),
                          close=DoubleQuotedScalarString(min_to_clock(p.grid.close_min)))
    tree.yaml_add_eol_comment(f"from the first and last arrival, in whole "
                              f"{p.grid.interval_min:g}-min intervals", "clock")
    tree["run"] = _flow(replications=30, seed=int(p.seed))
    names = class_names(list(p.pathways))
    classes = CommentedMap()
    shares = [round(pw.probability, 4) for pw in p.pathways]
    if shares:
        top = max(range(len(shares)), key=lambda i: shares[i])
        shares[top] = round(1.0 - sum(s for i, s in enumerate(shares) if i != top), 6)
    patience = p.patience.scenario_dist()
    balk = p.balk.scenario()
    pt = p.patience
    for name, pw, share in zip(names, p.pathways, shares, strict=True):
        c = CommentedMap()
        c["share"] = float(share)
        c.yaml_add_eol_comment(f"routing: {pw.tickets:,} tickets; 95% CI "
                               f"[{pw.low:.3f}, {pw.high:.3f}]" + (f"; {pw.note}" if pw.note
                                                                  else ""), "share")
        c["pathway"] = name
        if patience is not None:
            c["patience"] = _flow(**patience)
            best = pt.best
            assert best is not None
            c.yaml_add_eol_comment(
                f"n={pt.n_tickets:,} tickets, {pt.n_abandoned:,} abandoned; censored MLE "
                f"{best.family} (best AIC); mean 95% CI [{_g(best.mean_low)}, "
                f"{_g(best.mean_high)}] min; Kaplan-Meier median "
                + (f"{_g(pt.km_median)} min" if pt.km_median == pt.km_median else
                   "not reached"), "patience")
        if balk is not None:
            c["balk"] = _flow(**balk)
            c.yaml_add_eol_comment(f"{p.balk.note}; probability 95% CI "
                                   f"[{p.balk.probability_low:.3f}, "
                                   f"{p.balk.probability_high:.3f}]", "balk")
        classes[name] = c
    tree["customer_classes"] = classes
    if patience is None:
        tree.yaml_add_eol_comment(f"no patience: {pt.note}", "customer_classes")
    rates = CommentedMap()
    for start, rate, comment in p.rates:
        key = DoubleQuotedScalarString(min_to_clock(start))
        rates[key] = round(float(rate), 3)
        rates.yaml_add_eol_comment(comment, key)
    walk_in = CommentedMap()
    walk_in["rate_per_hour"] = rates
    tree["arrivals"] = CommentedMap(walk_in=walk_in)
    tree["arrivals"].yaml_add_eol_comment(
        f"customers per hour by interval, {p.day_type} days; 95% CI across days",
        "walk_in")
    stations = CommentedMap()
    staff = CommentedMap()
    for station, fit in p.services.items():
        st = CommentedMap()
        st["counters"] = p.roster.counters(station)
        st.yaml_add_eol_comment(f"the most people seen serving at once ({p.roster.counted})",
                                "counters")
        st["staff"] = staff_group_name(station)
        dist = fit.scenario_dist(p.empirical_files.get(station))
        assert dist is not None
        st["service"] = _flow(**dist)
        st.yaml_add_eol_comment(_service_comment(fit), "service")
        stations[station] = st
        shifts = CommentedSeq()
        for sh in p.roster.shifts[station]:
            shifts.append(_flow(start=DoubleQuotedScalarString(min_to_clock(sh.start_min)),
                                end=DoubleQuotedScalarString(min_to_clock(sh.end_min)),
                                count=int(sh.count)))
        group = CommentedMap()
        group["cost_per_hour"] = 0
        group.yaml_add_eol_comment("not in the log: your loaded hourly cost", "cost_per_hour")
        group["shifts"] = shifts
        days = p.roster.people[station].shape[0]
        group.yaml_add_eol_comment(f"draft: median over {days} days of people seen serving "
                                   f"per {p.grid.interval_min:g} min ({p.roster.counted}); "
                                   "a dip may be a break", "shifts")
        staff[staff_group_name(station)] = group
    tree["stations"] = stations
    tree["staff"] = staff
    pathways = CommentedMap()
    for name, pw in zip(names, p.pathways, strict=True):
        seq = CommentedSeq(list(pw.stations))
        seq.fa.set_flow_style()
        pathways[name] = seq
    tree["pathways"] = pathways
    tree["standards"] = CommentedSeq()
    tree.yaml_add_eol_comment("not in the log: add your service standards, e.g. "
                              "{name: within 15 min, station: NAME, wait_max_min: 15}",
                              "standards")
    header = [
        f"Fitted by servsim fit from {p.source}",
        f"log SHA-256 {p.sha256}",
        f"days: {p.days[0]} .. {p.days[-1]} ({len(p.days)} days); scenario for day type "
        f"{p.day_type}" if p.days else "no days",
        "Every fitted value has a comment: n, the method, the fit statistic. See fits.csv,",
        "data_quality.csv and fit_report.html beside this file before using it.",
        *p.notes,
    ]
    tree.yaml_set_start_comment("\n".join(header))
    return tree


def fitted_yaml(parts: FittedParts, file: str = "scenario.fitted.yaml"
                ) -> tuple[str, LoadedScenario]:
    """Validate the fitted scenario and return its YAML text (comments kept) and the
    scenario as loaded back from that text.

    Raises
    ------
    simulator.scenario.loader.ScenarioError
        If the fitted values do not make a valid scenario (a bug: say so).
    """
    tree = fitted_tree(parts)
    validate_tree(tree, file)
    yaml = YAML()
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(tree, buf)
    text = buf.getvalue()
    return text, load_scenario_text(text, file)
