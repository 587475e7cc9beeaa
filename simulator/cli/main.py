"""The ``servsim`` command line: parses options, calls the public API, shows results.

Exit codes: 0 success, 1 a scenario or model error (the message names file, line and field),
or a file or folder that cannot be read or written (one ``Error:`` line, no traceback,
:func:`simulator.cli.errors.clean_message`), 2 a usage error. SIGTERM stops a command the way
Ctrl-C does: temporary results are removed and nothing half-written is left (exit 143).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from simulator import __version__
from simulator.cli.errors import clean_message, fail_scenario, warn
from simulator.cli.params import BACKEND_OPTIONS, FiniteFloatRange, with_options
from simulator.scenario.loader import ScenarioError, load_scenario

CONTEXT = {"auto_envvar_prefix": "SERVSIM", "show_default": True,
           "help_option_names": ["-h", "--help"]}


class _Servsim(click.Group):
    """The command group: errors a user can act on become one ``Error:`` line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = clean_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


def _on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: temporary results are removed


@click.group(context_settings=CONTEXT, cls=_Servsim)
@click.version_option(__version__, prog_name="servsim")
@click.pass_context
def main(ctx: click.Context) -> None:
    """servsim: simulate a service operation's day and predict waits and satisfaction."""
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


def horizon_lines(loaded: Any, replications: int | None = None) -> list[str]:
    """``FILE: warning: path: message`` lines about the size of a run (none if reasonable)."""
    from simulator.scenario.horizon import horizon_warnings

    name = loaded.path if loaded.path is not None else "scenario"
    return [f"{name}: warning: {w}" for w in horizon_warnings(loaded.scenario, replications)]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES; print every problem and exit 1 if any file is invalid.

    Every file is checked, whatever happens with the others. Warnings (staff on duty with
    no free counter; a run's size: a steady-state run longer than a year, millions of
    customers) are printed but do not fail a file.
    """
    from simulator.scenario.staffing_check import warning_issues

    bad = 0
    for path in files:
        try:
            loaded = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            for issue in exc.issues:
                click.echo(str(issue), err=True)
        else:
            for issue in warning_issues(loaded):
                click.echo(str(issue), err=True)
            click.echo(f"{path}: ok")
            warn(horizon_lines(loaded))
    if bad:
        click.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        sys.exit(1)


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from simulator.scenario.schema import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help="replications [default: the scenario's run.replications]")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="seed [default: the scenario's run.seed]")
@click.option("-j", "--jobs", type=int, default=1,
              help="worker processes (1: in-process, -1: all cores); results do not depend "
              "on it")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="results folder [default: results/<scenario>-<UTC time>]")
@click.option("--records", type=click.Choice(["none", "summary", "full"]), default="full",
              help="record tables to write: none, customers only, or all")
@click.option("--format", "records_format", type=click.Choice(["auto", "csv", "parquet"]),
              default="auto", help="record file format (auto: CSV, or Parquet when --records "
              "full would exceed 200 MB of CSV and pyarrow is installed; it says so)")
@click.option("--force", is_flag=True, help="replace a non-empty results folder")
@click.option("--no-figures", is_flag=True, help="skip drawing figures")
@click.option("--no-report", is_flag=True, help="do not write report.html")
@click.option("--xlsx", is_flag=True,
              help="also write results.xlsx (needs pip install 'servsim[excel]')")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="change a scenario value, e.g. stations.window.counters=9; PATH+=VALUE "
              "appends to a list, PATH-=VALUE removes from one (repeatable)")
@click.option("--precision", type=FiniteFloatRange(0.001, 0.999, min_open=True), default=None,
              help="add replications until the relative 95 % half-width of --precision-kpi "
              "is at most this (e.g. 0.05); -n is then the first batch")
@click.option("--precision-kpi", "precision_kpis", multiple=True,
              default=("wait_mean_min",), help="KPI(s) the precision target applies to")
@click.option("--max-replications", type=click.IntRange(min=2), default=1000)
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
    no_report: bool,
    xlsx: bool,
    sets: tuple[str, ...],
    precision: float | None,
    precision_kpis: tuple[str, ...],
    max_replications: int,
    quiet: bool,
) -> None:
    """Simulate SCENARIO over replications and write a results folder."""
    from simulator.api import run_scenario
    from simulator.experiments.run import OutputFormatError, default_out_dir
    from simulator.experiments.workbook import WorkbookError
    from simulator.scenario.files import DataFileError

    loaded = _load_or_exit(scenario, sets)
    out_dir = out if out is not None else default_out_dir(loaded)
    n = replications or loaded.scenario.run.replications
    used_seed = seed if seed is not None else loaded.scenario.run.seed
    warn(horizon_lines(loaded, n))
    if not quiet:
        what = (f"replications until ±{precision:.1%} on {', '.join(precision_kpis)}"
                if precision else f"{n} replications")
        click.echo(f"servsim {__version__}: {loaded.scenario.name}: {what}, "
                   f"seed={used_seed}, jobs={jobs}", err=True)
    kwargs = dict(replications=replications, seed=seed, jobs=jobs, records=records,
                  records_format=records_format, force=force, figures=not no_figures,
                  html_report=not no_report, precision=precision, precision_kpis=precision_kpis,
                  max_replications=max_replications,
                  notify=lambda text: click.echo(text, err=True), xlsx=xlsx)
    try:
        if quiet or precision:
            output = run_scenario(loaded, out_dir, **kwargs)  # type: ignore[arg-type]
        else:
            with click.progressbar(length=n, label="replications", file=sys.stderr,
                                   show_eta=True, show_pos=True) as bar:
                output = run_scenario(loaded, out_dir, **kwargs,  # type: ignore[arg-type]
                                      on_result=lambda _r: bar.update(1))
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except (OutputFormatError, WorkbookError) as exc:
        raise click.ClickException(str(exc)) from None
    except DataFileError as exc:  # a file named by the scenario could not be read
        click.echo(f"{scenario}: {exc}", err=True)
        sys.exit(1)
    if output.precision is not None:
        p = output.precision
        state = "reached" if p.reached else "NOT reached (hit --max-replications)"
        click.echo(f"precision ±{p.target:.1%} {state} after {p.replications} replications: "
                   + ", ".join(f"{k} ±{v:.2%}" for k, v in p.rel_half_width.items()), err=True)
    if not quiet:
        from simulator.cli.show import summary_table, verdict_text
        from simulator.measures.verdict import run_verdict, standard_names

        sc = loaded.scenario
        click.echo(verdict_text(run_verdict(output.summary, sc.standards, output.by_hour,
                                            sc.currency)))
        click.echo()
        click.echo(summary_table(output.summary, sc.currency, standard_names(sc.standards)))
        click.echo(f"\nresults: {output.out_dir}  ({output.wall_time_s:.1f} s)", err=True)


# ---------------------------------------------------------------------------- experiments
def _backend(backend: str | None, jobs: int) -> str:
    if backend is not None:
        return backend
    return "inprocess" if jobs == 1 else "joblib"


def _load_or_exit(path: Path, sets: tuple[str, ...] = ()):
    from simulator.scenario.overrides import parse_overrides, with_overrides
    from simulator.scenario.staffing_check import warning_issues

    try:
        loaded = load_scenario(path)
        changed = with_overrides(loaded, parse_overrides(sets)) if sets else loaded
    except ScenarioError as exc:
        fail_scenario(exc)
        raise  # unreachable: fail_scenario exits
    label = f"{path} with --set {' '.join(sets)}" if sets else None
    for issue in warning_issues(changed, label):
        click.echo(str(issue), err=True)
    return changed


def _interrupted(out: Path, command: str) -> None:
    """Say what an interrupted compare or sweep kept and how to resume it; exit 130."""
    tasks = out / "tasks"
    done = sum(1 for _ in tasks.rglob("rep=*.json")) if tasks.is_dir() else 0
    click.echo(f"\n{command} interrupted: {done} finished replication(s) are kept in {tasks}. "
               f"To resume, run the same command again with -o {out}: finished replications "
               "are reused, not recomputed.", err=True)
    sys.exit(130)


def _experiment_errors(report) -> None:
    for err in report.errors:
        click.echo(f"task failed: variant {err.variant_id}, replication {err.replication}, "
                   f"seed {err.seed}:\n{err.error}", err=True)
    click.echo(f"{len(report.errors)} task(s) failed; the other results are kept. "
               "Fix the cause and run the same command again.", err=True)
    sys.exit(1)


@main.command()
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("changed", nargs=-1, type=click.Path(path_type=Path))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="one variant: the baseline with these values changed (repeatable)")
@click.option("--variant", "variant_specs", multiple=True, metavar="'LABEL: P=V; P=V'",
              help="a named variant of the baseline (repeatable, for several variants)")
@click.option("-n", "--replications", type=click.IntRange(min=2), default=None)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None)
@with_options(BACKEND_OPTIONS)
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="results folder [default: results/<base>-compare-<UTC time>]")
@click.option("--confidence", type=FiniteFloatRange(0.5, 0.999), default=0.95,
              help="family-wise confidence (Bonferroni over the variants)")
@click.option("--independent-check", is_flag=True,
              help="also run the variants on independent seeds and report those intervals")
@click.option("--kpi", default="wait_mean_min", metavar="KPI",
              help="the KPI the verdict ranks the variants by")
@click.option("--force", is_flag=True, help="replace a folder holding other results")
@click.option("--no-figures", is_flag=True)
@click.option("--no-report", is_flag=True, help="do not write report.html")
@click.option("--xlsx", is_flag=True,
              help="also write results.xlsx (needs pip install 'servsim[excel]')")
@click.option("-q", "--quiet", is_flag=True)
def compare(base: Path, changed: tuple[Path, ...], sets: tuple[str, ...],
            variant_specs: tuple[str, ...], replications: int | None, seed: int | None,
            jobs: int, backend: str | None, scheduler: str | None, out: Path | None,
            confidence: float, independent_check: bool, kpi: str, force: bool,
            no_figures: bool, no_report: bool, xlsx: bool, quiet: bool) -> None:
    """Compare BASE with CHANGED scenario files and/or --set variants (common random numbers)."""
    from datetime import UTC, datetime

    from simulator.api import compare as run_compare
    from simulator.experiments.variants import (
        ExperimentError,
        Progress,
        make_variant,
        variant_from_file,
    )
    from simulator.experiments.workbook import WorkbookError
    from simulator.scenario.files import DataFileError
    from simulator.scenario.overrides import parse_overrides

    base_loaded = _load_or_exit(base)
    warn(horizon_lines(base_loaded, replications))
    try:
        base_v = variant_from_file(base_loaded, "baseline")
        base_v = type(base_v)("base", "baseline", {}, base_v.plan, base_v.scenario_sha256)
        variants = [variant_from_file(_load_or_exit(p)) for p in changed]
        if sets:
            variants.append(make_variant(base_loaded, parse_overrides(sets), "; ".join(sets)))
        for spec in variant_specs:
            label, _, body = spec.partition(":")
            if not body:
                raise click.UsageError(f"--variant {spec!r}: expected 'LABEL: PATH=V; PATH=V'")
            texts = [t.strip() for t in body.split(";") if t.strip()]
            variants.append(make_variant(base_loaded, parse_overrides(texts), label.strip()))
    except ScenarioError as exc:
        fail_scenario(exc)
        return
    except DataFileError as exc:  # a file named by the scenario could not be read
        raise click.ClickException(f"{base}: {exc}") from None
    if not variants:
        raise click.UsageError("nothing to compare: give CHANGED.yaml, --set or --variant")
    n = replications or base_loaded.scenario.run.replications
    s = seed if seed is not None else base_loaded.scenario.run.seed
    stem = base.stem
    out_dir = out or Path("results") / f"{stem}-compare-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    try:
        res = run_compare(base_v, variants, n, s, out_dir, confidence=confidence,
                          backend=_backend(backend, jobs), jobs=jobs,  # type: ignore[arg-type]
                          scheduler=scheduler, independent_check=independent_check,
                          force=force, figures=not no_figures, html_report=not no_report,
                          on_progress=None if quiet else Progress("compare"), verdict_kpi=kpi,
                          xlsx=xlsx)
    except (ExperimentError, WorkbookError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        _interrupted(out_dir, "compare")
        return
    if res.run.report.errors:
        _experiment_errors(res.run.report)
    if not quiet:
        from simulator.cli.show import comparison_text, verdict_text
        from simulator.measures.verdict import compare_verdict, standard_names
        from simulator.scenario.calendar import replication_period

        sc = base_loaded.scenario
        period = replication_period(sc.calendar)
        click.echo(verdict_text(compare_verdict(res.comparison, kpi, sc.currency, period)))
        click.echo(comparison_text(res.comparison, sc.currency, standard_names(sc.standards),
                                   period))
        click.echo(f"\nresults: {out_dir}", err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--vary", "varies", multiple=True, required=True, metavar="PATH=VALUES",
              help="values of one field: 3,4,5 | 3..8 | 0.8:1.2:0.1 | 0.8~1.2 (lhs)")
@click.option("--design", type=click.Choice(["grid", "lhs"]), default="grid")
@click.option("--samples", type=click.IntRange(min=1), default=None,
              help="design points for --design lhs")
@click.option("-n", "--replications", type=click.IntRange(min=2), default=None)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None)
@with_options(BACKEND_OPTIONS)
@click.option("--shard", default=None, metavar="I/N",
              help="run only the I-th of N deterministic slices (join them with merge)")
@click.option("--kpi", "kpis", multiple=True, default=("wait_mean_min", "abandon_rate"),
              help="KPIs to plot against each varied field; the verdict ranks by the first")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="results folder (run the same command again to resume)")
@click.option("--records", type=click.Choice(["none", "summary", "full"]), default="none",
              help="record tables each worker writes under OUT/records/<table>/variant=<id>/")
@click.option("--force", is_flag=True, help="replace a folder holding other results")
@click.option("--no-figures", is_flag=True)
@click.option("--no-report", is_flag=True, help="do not write report.html")
@click.option("--xlsx", is_flag=True,
              help="also write results.xlsx (needs pip install 'servsim[excel]')")
@click.option("-q", "--quiet", is_flag=True)
def sweep(scenario: Path, varies: tuple[str, ...], design: str, samples: int | None,
          replications: int | None, seed: int | None, jobs: int, backend: str | None,
          scheduler: str | None, shard: str | None, kpis: tuple[str, ...], out: Path,
          records: str, force: bool, no_figures: bool, no_report: bool, xlsx: bool,
          quiet: bool) -> None:
    """Sweep SCENARIO over a grid or a Latin hypercube of values (resumable)."""
    from simulator.api import run_sweep
    from simulator.experiments.sweep import parse_shard, parse_vary
    from simulator.experiments.variants import ExperimentError, Progress
    from simulator.experiments.workbook import WorkbookError
    from simulator.scenario.files import DataFileError

    loaded = _load_or_exit(scenario)
    warn(horizon_lines(loaded, replications))
    try:
        res = run_sweep(loaded, [parse_vary(v) for v in varies], out,
                        design=design,  # type: ignore[arg-type]
                        samples=samples, replications=replications, seed=seed, kpis=kpis,
                        backend=_backend(backend, jobs),  # type: ignore[arg-type]
                        jobs=jobs, scheduler=scheduler,
                        shard=parse_shard(shard) if shard else None, force=force,
                        figures=not no_figures, html_report=not no_report, records=records,
                        on_progress=None if quiet else Progress("sweep"), xlsx=xlsx)
    except ScenarioError as exc:
        fail_scenario(exc)
        return
    except DataFileError as exc:  # a file named by the scenario could not be read
        raise click.ClickException(f"{scenario}: {exc}") from None
    except (ExperimentError, WorkbookError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        _interrupted(out, "sweep")
        return
    if res.run is not None and res.run.report.errors:
        _experiment_errors(res.run.report)
    if not quiet and res.run is not None:
        from simulator.cli.show import verdict_text
        from simulator.measures.verdict import sweep_verdict

        sc = loaded.scenario
        click.echo(verdict_text(sweep_verdict(res.tables["sweep.csv"], res.tables["variants.csv"],
                                              kpis[0], sc.standards, sc.currency)))
        click.echo(f"{len(res.variants)} variants; computed {res.run.report.computed} tasks, "
                   f"reused {res.run.report.reused}; results: {out}", err=True)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path,
                                                                    exists=True))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True)
@click.option("--force", is_flag=True)
@click.option("--no-figures", is_flag=True)
@click.option("--no-report", is_flag=True, help="do not write report.html")
def merge(shards: tuple[Path, ...], out: Path, force: bool, no_figures: bool,
          no_report: bool) -> None:
    """Join the shard folders of one sweep (run with --shard I/N) into OUT."""
    from simulator.api import merge_sweeps
    from simulator.experiments.sweep import parse_vary
    from simulator.experiments.variants import ExperimentError

    spec_file = shards[0] / "spec.json"
    if not spec_file.exists():
        raise click.ClickException(f"{shards[0]}: no spec.json (expected a sweep shard folder)")
    spec = json.loads(spec_file.read_text())["spec"]
    loaded = _load_or_exit(Path(spec["scenario"]))
    try:
        res = merge_sweeps(list(shards), out, loaded, [parse_vary(v) for v in spec["vary"]],
                           design=spec["design"], samples=spec["samples"],
                           replications=spec["replications"], seed=spec["seed"],
                           kpis=spec["kpis"], force=force, figures=not no_figures,
                           html_report=not no_report)
    except ExperimentError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"merged {len(shards)} shard(s): {len(res.variants)} variants -> {out}", err=True)


# ---------------------------------------------------------------------------- other commands
def _register() -> None:
    """Commands that live in their own modules (each module is one concept)."""
    from simulator.cli.calibrate import calibrate
    from simulator.cli.fit import fit_command, validate_log_command
    from simulator.cli.new import new
    from simulator.cli.report import report_command
    from simulator.cli.selfcheck import selfcheck
    from simulator.cli.staff import staff
    from simulator.cli.teach import teach_command
    from simulator.cli.theory import theory
    from simulator.cli.warmup import warmup

    for command in (calibrate, fit_command, new, report_command, selfcheck, staff, theory,
                    validate_log_command, warmup):
        main.add_command(command)
    main.add_command(teach_command)


_register()
