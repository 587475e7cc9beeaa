"""``servsim selfcheck``: simulate textbook queues and compare them with queueing theory.

The cases, the simulation and the pass rule are :mod:`simulator.experiments.selfcheck`; this
module parses the options, reports progress and prints the table or JSON.
"""

from __future__ import annotations

import json
import sys
import time

import click

from simulator.experiments.selfcheck import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    SE_MULTIPLIER,
    Case,
    CheckResult,
    default_cases,
    format_table,
    run_selfcheck,
)

__all__ = ["selfcheck"]


@click.command("selfcheck")
@click.option("-n", "--replications", type=click.IntRange(min=2), default=DEFAULT_REPLICATIONS,
              help="replications per case")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, help="seed")
@click.option("-j", "--jobs", type=int, default=1,
              help="worker processes (1: in-process, -1: all cores); results do not depend "
              "on it")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr")
def selfcheck(replications: int, seed: int, jobs: int, as_json: bool, quiet: bool) -> None:
    """Simulate textbook queues and compare with queueing theory; exit 1 on any failure.

    A line passes when |simulated mean - theory| <= 3 standard errors over replications.
    """
    cases = default_cases()

    def progress(case: Case, _res: list[CheckResult], seconds: float) -> None:
        if not quiet:
            click.echo(f"  {case.name}: {case.model} ({seconds:.1f} s)", err=True)

    if not quiet:
        click.echo(f"servsim selfcheck: {len(cases)} cases, {replications} replications each, "
                   f"seed={seed}, jobs={jobs}", err=True)
    t0 = time.perf_counter()
    results = run_selfcheck(replications, seed, jobs, cases, on_case=progress)
    wall = time.perf_counter() - t0
    failed = [r for r in results if not r.passed]
    if as_json:
        click.echo(json.dumps({
            "replications": replications,
            "seed": seed,
            "criterion": f"|mean - theory| <= {SE_MULTIPLIER:g} se + slack",
            "wall_time_s": wall,
            "passed": not failed,
            "cases": [{"case": c.name, "model": c.model} for c in cases],
            "results": [r.to_dict() for r in results],
        }, indent=2))
    else:
        click.echo(format_table(results))
        verdict = ("all passed" if not failed
                   else f"{len(failed)} FAILED")
        click.echo(f"\n{len(results)} checks, {verdict} (pass: |simulated - theory| <= "
                   f"{SE_MULTIPLIER:g} standard errors over {replications} replications); "
                   f"{wall:.1f} s")
    if failed:
        sys.exit(1)
