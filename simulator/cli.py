"""The ``servsim`` command line: parses options, calls the public API, shows results.

Exit codes: 0 success, 1 a scenario or model error (the message names file, line and field),
2 a usage error.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click
import pandas as pd

from simulator import __version__
from simulator.loader import ScenarioError, load_scenario

CONTEXT = {"auto_envvar_prefix": "SERVSIM", "show_default": True,
           "help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="servsim")
def main() -> None:
    """servsim: simulate a service operation's day and predict waits and satisfaction."""


def _fail_scenario(exc: ScenarioError) -> None:
    for issue in exc.issues:
        click.echo(str(issue), err=True)
    n = len(exc.issues)
    click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was run.", err=True)
    sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES; print every problem and exit 1 if any file is invalid."""
    bad = 0
    for path in files:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            for issue in exc.issues:
                click.echo(str(issue), err=True)
        else:
            click.echo(f"{path}: ok")
    if bad:
        click.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        sys.exit(1)


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from simulator.scenario import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}" if ax < 1 else f"{x:.2f}"


def summary_table(summary: pd.DataFrame, max_rows: int = 40) -> str:
    """A one-screen table of the headline KPIs: mean and 95% interval across replications."""
    table = summary.set_index("kpi")
    wanted = ["arrived", "served", "balk_rate", "abandon_rate", "wait_mean_min", "wait_p90_min",
              "time_in_system_mean_min", "overtime_min", "staff_cost", "closing_overrun_min"]
    wanted += [k for k in table.index if k.endswith(("__wait_mean_min", "__utilisation_tw"))]
    wanted += [k for k in table.index if k.startswith("std__") and k.endswith("__compliance")]
    lines = [f"{'KPI':44s} {'mean':>10s}   {'95% interval':>22s}"]
    for k in wanted[:max_rows]:
        if k not in table.index:
            continue
        row = table.loc[k]
        ci = f"[{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"
        lines.append(f"{k:44s} {_fmt(row['mean']):>10s}   {ci:>22s}")
    return "\n".join(lines)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help="replications [default: the scenario's run.replications]")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="seed [default: the scenario's run.seed]")
@click.option("-j", "--jobs", type=int, default=1,
              help="worker processes (1: in-process, -1: all cores); results do not depend "
              "on it")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="results folder [default: results/<scenario>-<UTC time>]")
@click.option("--records", type=click.Choice(["none", "summary", "full"]), default="full",
              help="record tables to write: none, customers only, or all")
@click.option("--format", "records_format", type=click.Choice(["auto", "csv", "parquet"]),
              default="auto", help="record file format (auto: Parquet if pyarrow is installed)")
@click.option("--force", is_flag=True, help="replace a non-empty results folder")
@click.option("--no-figures", is_flag=True, help="skip drawing figures")
@click.option("-q", "--quiet", is_flag=True, help="no progress bar and no summary table")
def run(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    jobs: int,
    out: Path | None,
    records: str,
    records_format: str,
    force: bool,
    no_figures: bool,
    quiet: bool,
) -> None:
    """Simulate SCENARIO over replications and write a results folder."""
    from simulator.experiment import OutputFormatError, default_out_dir, run_scenario

    try:
        loaded = load_scenario(scenario)
    except ScenarioError as exc:
        _fail_scenario(exc)
        return
    out_dir = out if out is not None else default_out_dir(loaded)
    n = replications or loaded.scenario.run.replications
    used_seed = seed if seed is not None else loaded.scenario.run.seed
    if not quiet:
        click.echo(f"servsim {__version__}: {loaded.scenario.name}: {n} replications, "
                   f"seed={used_seed}, jobs={jobs}", err=True)
    try:
        if quiet:
            output = run_scenario(loaded, out_dir, replications=replications, seed=seed,
                                  jobs=jobs, records=records,  # type: ignore[arg-type]
                                  records_format=records_format, force=force,
                                  figures=not no_figures)
        else:
            with click.progressbar(length=n, label="replications", file=sys.stderr,
                                   show_eta=True, show_pos=True) as bar:
                output = run_scenario(loaded, out_dir, replications=replications, seed=seed,
                                      jobs=jobs, records=records,  # type: ignore[arg-type]
                                      records_format=records_format, force=force,
                                      figures=not no_figures,
                                      on_result=lambda _r: bar.update(1))
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except OutputFormatError as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:  # a file named by the scenario could not be read
        click.echo(f"{scenario}: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(summary_table(output.summary))
        click.echo(f"\nresults: {output.out_dir}  ({output.wall_time_s:.1f} s)", err=True)
