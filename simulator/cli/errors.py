"""How command-line commands report an invalid scenario (shared by every command module)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from simulator.scenario.loader import ScenarioError


def fail_scenario(exc: ScenarioError) -> NoReturn:
    """Print each problem as ``file:line: field.path: message`` on stderr and exit 1."""
    for issue in exc.issues:
        click.echo(str(issue), err=True)
    n = len(exc.issues)
    click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was run.", err=True)
    sys.exit(1)
