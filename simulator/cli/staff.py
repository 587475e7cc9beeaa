"""``servsim staff``: people per interval, shifts and their verification (parse, call, show)."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from simulator.cli.errors import fail_scenario
from simulator.cli.params import BACKEND_OPTIONS, with_options
from simulator.scenario.calendar import DEFAULT, apply_day_type
from simulator.scenario.loader import LoadedScenario, ScenarioError, load_scenario

__all__ = ["staff"]


def _fail(message: str) -> None:
    click.echo(f"servsim staff: {message}", err=True)
    click.echo("nothing was written.", err=True)
    sys.exit(1)


def _table(staffing, labels: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """Per interval: requirement, stationary answer, planned, first target with interval."""
    lines = []
    keys = [c[: -len("__target")] for c in staffing.columns if c.endswith("__target")]
    key = keys[0]
    percent = key not in ("mean_wait", "csat")

    def f(x: float) -> str:
        if x != x:
            return "-"
        return f"{100 * x:5.1f}%" if percent else f"{x:6.2f}"

    for group, part in staffing.groupby("group", sort=False):
        lines.append(f"\n{group} at {part['station'].iloc[0]}: {labels.get(key, key)}")
        lines.append("  (value with the shift plan [95% interval] and with the stationary "
                     "answer, both simulated; * = target missed)")
        lines.append(f"  {'interval':13s} {'arr/h':>6s} {'load':>5s} {'need':>5s} "
                     f"{'Erlang':>6s} {'plan':>5s}   {'plan value':>24s}   {'stationary':>10s}")
        for _, r in part.iterrows():
            st = r["stationary_requirement"]
            st_txt = f"{int(st):6d}" if st == st else "   cap"
            need = f"{int(r['requirement']):4d}{'!' if r['infeasible'] else ' '}"
            ci = f"[{f(r[f'{key}__ci_low'])}, {f(r[f'{key}__ci_high'])}]"
            lines.append(
                f"  {r['start']}-{r['end']:5s} {r['arrivals_per_hour']:6.1f} "
                f"{r['offered_load']:5.2f} {need} {st_txt} {int(r['planned_at_counters']):5d}   "
                f"{f(r[f'{key}__mean'])}{'*' if not r[f'{key}__met'] else ' '} {ci:>16s}   "
                f"{f(r[f'{key}__stationary_value'])}"
                f"{'*' if not r[f'{key}__stationary_met'] else ' '}")
    lines.append("  need = requirement by simulation (! = not attainable with every counter "
                 "staffed); Erlang = stationary answer; plan = fewest people at counters")
    return "\n".join(lines)


def _day_type(loaded: LoadedScenario, name: str | None) -> LoadedScenario:
    """The scenario as it runs on day type ``name`` (a calendar needs one; docs/week.md)."""
    cal = loaded.scenario.calendar
    if cal is None:
        if name is not None:
            _fail(f"--day-type {name}: the scenario has no calendar (got --day-type; "
                  "expected no --day-type)")
        return loaded
    known = sorted({*cal.day_types, DEFAULT})
    if name is None or name not in known:
        _fail(f"a scenario with a calendar is planned one day type at a time (got "
              f"{'no --day-type' if name is None else repr(name)}; expected --day-type one "
              f"of {', '.join(known)})")
    return replace(loaded, scenario=apply_day_type(loaded.scenario, name))


@click.command("staff")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--group", "groups", multiple=True, required=True, metavar="GROUP",
              help="staff group to staff (repeatable); the others keep their shifts")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="output folder [default: results/<scenario>-staff-<UTC time>]")
@click.option("--interval", "interval_min", type=click.Choice(["15", "30", "60"]),
              default="30", help="interval length, minutes")
@click.option("--standard", "standards", multiple=True, metavar="NAME",
              help="service standard(s) to meet [default: those at the group's station]")
@click.option("--max-abandon", type=float, default=None, help="at most this share abandoning")
@click.option("--max-mean-wait", type=float, default=None, help="mean wait at most MIN minutes")
@click.option("--max-delay-prob", type=float, default=None,
              help="probability of waiting at all at most this")
@click.option("--min-csat", type=float, default=None,
              help="predicted satisfaction (1-5) of the interval's arrivals at least this")
@click.option("--over", type=click.Choice(["interval", "day"]), default="interval",
              help="meet the targets in every interval (time-stable) or over the whole day")
@click.option("-n", "--replications", type=click.IntRange(min=2), default=30,
              help="replications of the verification")
@click.option("--iteration-replications", type=click.IntRange(min=2), default=None,
              help="replications per iteration of the requirement search [default: -n]")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="seed [default: the scenario's run.seed]")
@click.option("--frontier", default=None, metavar="START:STOP:STEP",
              help="also plan each service level, e.g. 0.6:0.95:0.05 (cost-service frontier)")
@click.option("--max-iterations", type=click.IntRange(min=1), default=30)
@with_options(BACKEND_OPTIONS)
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="change a scenario value first (repeatable)")
@click.option("--day-type", default=None, metavar="NAME",
              help="a scenario with calendar: plan this day type (docs/week.md)")
@click.option("--force", is_flag=True, help="replace a non-empty output folder")
@click.option("--no-figures", is_flag=True, help="skip drawing figures")
@click.option("--no-report", is_flag=True, help="do not write report.html")
@click.option("-q", "--quiet", is_flag=True, help="no progress lines")
def staff(scenario: Path, groups: tuple[str, ...], out: Path | None, interval_min: str,
          standards: tuple[str, ...], max_abandon: float | None, max_mean_wait: float | None,
          max_delay_prob: float | None, min_csat: float | None, over: str,
          replications: int, iteration_replications: int | None, seed: int | None,
          frontier: str | None, max_iterations: int, jobs: int, backend: str | None,
          scheduler: str | None, sets: tuple[str, ...], day_type: str | None, force: bool,
          no_figures: bool, no_report: bool, quiet: bool) -> None:
    """Fewest people per interval that meet the targets, least-cost shifts, verified.

    Per staff GROUP and interval, the requirement is found by simulation (iterative staffing
    algorithm, common random numbers) beside the stationary Erlang C / A answer; a shift
    plan covering it at least cost is solved from the scenario's shift_rules (or rules
    derived from the group's shifts), then simulated against the original scenario. A
    scenario with a calendar is planned one day type at a time (--day-type): the day as that
    type runs it (its clock, rates and the other groups' shifts).
    """
    from datetime import UTC, datetime

    from simulator.api import staff_scenario
    from simulator.experiments.staffing import StaffingError, TargetOptions
    from simulator.experiments.staffing.frontier import parse_levels
    from simulator.scenario.overrides import parse_overrides, with_overrides

    t0 = time.perf_counter()
    try:
        loaded = load_scenario(scenario)
        if sets:
            loaded = with_overrides(loaded, parse_overrides(sets))
    except ScenarioError as exc:
        fail_scenario(exc)
    loaded = _day_type(loaded, day_type)
    stem = scenario.stem if day_type is None else f"{scenario.stem}-{day_type}"
    out_dir = out if out is not None else Path("results") / (
        f"{stem}-staff-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}")
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        _fail(f"{out_dir} exists and is not empty (use --force to replace it)")
    targets = TargetOptions(standards, max_abandon, max_mean_wait, max_delay_prob, min_csat)
    try:
        levels = parse_levels(frontier) if frontier is not None else None
        output = staff_scenario(
            loaded, list(groups), out_dir, targets=targets, interval_min=int(interval_min),
            replications=replications, iteration_replications=iteration_replications,
            seed=seed, over=over, frontier=levels,
            backend=backend or ("inprocess" if jobs == 1 else "joblib"), jobs=jobs,
            scheduler=scheduler, max_iterations=max_iterations, force=force,
            figures=not no_figures, html_report=not no_report,
            on_progress=None if quiet else (lambda m: click.echo(m, err=True)))
    except StaffingError as exc:
        _fail(str(exc))
    except ValueError as exc:  # a file named by the scenario could not be read
        _fail(f"{scenario}: {exc}")
    click.echo("\n".join(output.headline))
    labels = {t.key: t.label for g in output.study.groups for t in g.targets}
    click.echo(_table(output.staffing, labels))
    if output.frontier is not None:
        click.echo("\ncost-service frontier (per-interval level: people, cost, day service "
                   "level)")
        for _, r in output.frontier.iterrows():
            click.echo(f"  {r['level']:5.0%}  {int(r['people']):4d} people  cost "
                       f"{r['cost']:10,.2f}  day {100 * r['service_level']:5.1f}%")
    click.echo(f"\nstaffing plan: {out_dir}  ({time.perf_counter() - t0:.1f} s, "
               f"{len(output.requirement.iterations)} iterations, "
               f"{output.simulated_replications} replications simulated)", err=True)
