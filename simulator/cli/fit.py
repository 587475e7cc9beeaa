"""``servsim fit`` and ``servsim validate-log``: a ticket log to a scenario, and back-tests.

The commands only parse options, call :mod:`simulator.experiments.fitting` (through
:func:`simulator.api.fit_folder` for the folder) and show the verdicts; every problem with
the log is one line ``LOG: what is wrong (got X; expected Y)`` and exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simulator.cli.params import with_options

__all__ = ["fit_command", "validate_log_command"]

_log_options = [
    click.option("--map", "maps", multiple=True, metavar="ROLE=COLUMN[,ROLE=COLUMN]",
                 help="which column is what: issued, called, start, end, counter, staff, type, "
                 "outcome, id, date, day_type (repeatable; common names need no map)"),
    click.option("--settings", "settings_file", type=click.Path(path_type=Path), default=None,
                 help="a fit.yaml with columns: {ROLE: COLUMN} (and interval_min, day_type, "
                 "dayfirst, outcomes)"),
    click.option("--dayfirst", is_flag=True, help="read 03/02/2026 as 3 February"),
    click.option("--interval", "interval_min", type=click.FloatRange(1, 240), default=None,
                 help="interval length in minutes [default: 30]"),
]


def _settings(maps, settings_file, dayfirst, interval_min, day_type_col=None):
    from simulator.experiments.fitting.columns import parse_map, read_fit_yaml
    from simulator.experiments.fitting.log import LogSettings

    extra = read_fit_yaml(settings_file) if settings_file is not None else {}
    columns = dict(extra.get("columns", {}))
    if day_type_col or extra.get("day_type"):
        columns["day_type"] = day_type_col or str(extra["day_type"])
    columns.update(parse_map(maps))
    outcomes = tuple((str(k), str(v)) for k, v in (extra.get("outcomes") or {}).items())
    settings = LogSettings(columns=tuple(columns.items()),
                           dayfirst=dayfirst or bool(extra.get("dayfirst", False)),
                           outcomes=outcomes)
    interval = interval_min or float(extra.get("interval_min", 30.0))
    return settings, interval


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.command("fit")
@click.argument("log", type=click.Path(path_type=Path))
@with_options(_log_options)
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="folder to write (scenario.fitted.yaml, fits.csv, ...)")
@click.option("--day-type", "day_type_col", default=None, metavar="COLUMN",
              help="a column naming each day's type [default: the weekday name]")
@click.option("--days", "days", default="all", metavar="TYPE",
              help="fit the scenario to the days of this type (all: every day)")
@click.option("--open", "open_", default=None, metavar="HH:MM",
              help="doors open [default: the interval of the first arrival]")
@click.option("--close", default=None, metavar="HH:MM",
              help="doors close [default: the end of the interval of the last arrival]")
@click.option("--by-staff", is_flag=True, help="also fit service times per staff member")
@click.option("--seed", type=click.IntRange(min=0), default=1,
              help="seed of the bootstrap, un-rounding and back-test (run.seed)")
@click.option("--validate", is_flag=True, help="back-test the fitted scenario against the log")
@click.option("-n", "--replications", type=click.IntRange(min=2), default=40,
              help="simulated days of the back-test")
@click.option("-j", "--jobs", type=int, default=1,
              help="workers of the back-test (1: in-process, -1: all cores); results do not "
              "depend on it")
@click.option("--name", default=None, help="the scenario's name")
@click.option("--force", is_flag=True, help="replace a non-empty output folder")
@click.option("--no-figures", is_flag=True, help="skip the figures")
@click.option("--no-report", is_flag=True, help="do not write fit_report.html")
@click.option("-q", "--quiet", is_flag=True, help="print nothing but errors")
def fit_command(log: Path, maps, settings_file, dayfirst, interval_min, out: Path,
                day_type_col, days, open_, close, by_staff, seed, validate, replications,
                jobs, name, force, no_figures, no_report, quiet) -> None:
    """Fit a scenario to a queue system's ticket LOG (CSV, or .xlsx with servsim[excel]).

    Writes OUT/scenario.fitted.yaml (every fitted value commented with n, method and fit
    statistic), fits.csv, data_quality.csv, arrivals.csv, routing.csv, roster.csv, figures,
    fit_report.html and manifest.json; with --validate also backtest.csv.
    """
    from simulator.api import fit_folder
    from simulator.experiments.fitting.fit import FitOptions, fit_log
    from simulator.experiments.fitting.quality import LogError
    from simulator.scenario.fields import ClockTime  # noqa: F401 - documents the format
    from simulator.scenario.loader import ScenarioError

    for label, value in (("--open", open_), ("--close", close)):
        if value is not None and not _is_clock(value):
            raise click.BadParameter(f"{value!r} (expected HH:MM)", param_hint=label)
    try:
        settings, interval = _settings(maps, settings_file, dayfirst, interval_min,
                                       day_type_col)
        options = FitOptions(interval_min=interval, day_type=days, open=open_, close=close,
                             by_staff=by_staff, seed=seed, name=name, log=settings)
        result = fit_log(log, options)
        bar = None
        if validate and not quiet:
            bar = click.progressbar(length=replications, label="back-test", file=sys.stderr)
            bar.__enter__()
        try:
            bt = fit_folder(result, out, figures=not no_figures, html_report=not no_report,
                            validate=validate, replications=replications, jobs=jobs,
                            force=force, on_replication=(lambda: bar.update(1)) if bar else None)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    except LogError as exc:
        _fail(str(exc))
        return
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except ScenarioError as exc:  # the fitted values broke a scenario rule: a bug, say so
        _fail("the fitted scenario is not valid (please report this):\n" + str(exc))
        return
    if quiet:
        return
    click.echo(fit_summary(result, bt))
    click.echo(f"\nfit: {out}", err=True)


def _is_clock(text: str) -> bool:
    import re

    return re.match(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", text) is not None


def fit_summary(result, bt) -> str:
    """The verdicts of a fit in a few lines (stdout of ``servsim fit``)."""
    lines = [f"{len(result.log.days)} days, {result.arrivals.n_tickets:,} tickets, "
             f"{len(result.log.visits):,} visits used; {result.quality.rows_out():,} rows left "
             "out (data_quality.csv)",
             "arrivals: " + result.arrivals.check.verdict]
    for station in result.roster.people:
        lines.append(f"service at {station}: {result.services[station].note}")
    for station, why in result.dropped.items():
        lines.append(f"service type {station} left out: {why}")
    lines.append("patience: " + result.patience.note)
    lines.append("balking: " + result.balking.note)
    if bt is not None:
        lines.append("back-test: " + bt.verdict)
    return "\n".join(lines)


@click.command("validate-log")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("log", type=click.Path(path_type=Path))
@with_options(_log_options)
@click.option("-n", "--replications", type=click.IntRange(min=2), default=40,
              help="simulated days")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="seed [default: the scenario's run.seed]")
@click.option("-j", "--jobs", type=int, default=1,
              help="workers (1: in-process, -1: all cores); results do not depend on it")
@click.option("--standard-min", type=click.FloatRange(0, min_open=True), default=15.0,
              help="wait limit at stations without a station standard in the scenario")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="also write backtest.csv, data_quality.csv and figures/backtest.png here")
@click.option("--force", is_flag=True, help="replace a non-empty output folder")
@click.option("-q", "--quiet", is_flag=True)
def validate_log_command(scenario: Path, log: Path, maps, settings_file, dayfirst,
                         interval_min, replications, seed, jobs, standard_min, out, force,
                         quiet) -> None:
    """Back-test SCENARIO against a ticket LOG: per station and interval, arrivals, mean
    wait, share over the standard, abandonment and utilisation against the simulated 95 %
    band. Exit 0 when no more intervals fall outside than chance allows, 1 otherwise."""
    from simulator.cli.errors import fail_scenario
    from simulator.experiments.fitting.quality import LogError
    from simulator.experiments.fitting.validate import validate_log, write_validation
    from simulator.scenario.loader import ScenarioError, load_scenario

    try:
        loaded = load_scenario(scenario)
    except ScenarioError as exc:
        fail_scenario(exc)
        return
    try:
        settings, interval = _settings(maps, settings_file, dayfirst, interval_min)
        logged, bt = validate_log(loaded, log, settings=settings, interval_min=interval,
                                  replications=replications, seed=seed, jobs=jobs,
                                  default_limit_min=standard_min)
        if out is not None:
            from simulator.figures.fit import backtest_figure

            def draw(table, path):
                import matplotlib.pyplot as plt

                fig = backtest_figure(table)
                fig.savefig(path, dpi=100, metadata={"Software": None})
                plt.close(fig)

            write_validation(out, loaded, logged, bt, force=force, figure=draw)
    except LogError as exc:
        _fail(str(exc))
        return
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:  # a file the scenario names could not be read
        _fail(f"{scenario}: {exc}")
        return
    if not quiet:
        click.echo(bt.verdict)
    if not bt.credible:
        sys.exit(1)
