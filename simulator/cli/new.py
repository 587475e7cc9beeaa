"""``servsim new TEMPLATE``: write a commented starter scenario copied from a bundled scenario.

The templates and the starter text come from :mod:`simulator.scenario.templates`; this module
parses the options, checks the starter, writes it atomically and says what to do next.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from simulator.cli.errors import fail_scenario
from simulator.scenario.loader import ScenarioError, load_scenario, load_scenario_text
from simulator.scenario.templates import (
    TEMPLATES_DIR,
    list_templates,
    relative_files,
    starter_text,
)

__all__ = ["new"]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print_templates() -> None:
    names = list_templates()
    if not names:
        click.echo(f"no templates found in {TEMPLATES_DIR}", err=True)
    for name in names:
        try:
            title = load_scenario(TEMPLATES_DIR / f"{name}.yaml").scenario.name
        except ScenarioError:
            title = "(invalid scenario)"
        click.echo(f"{name:24s} {title}")


def _list_callback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    _print_templates()
    ctx.exit(0)


@click.command(context_settings={"show_default": True, "help_option_names": ["-h", "--help"]})
@click.argument("template", required=False)
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=True), default=None,
              help="write here (a folder gets TEMPLATE.yaml) [default: standard output]")
@click.option("--force", is_flag=True, help="replace an existing file")
@click.option("--list", "list_", is_flag=True, is_eager=True, expose_value=False,
              callback=_list_callback, help="list the templates and exit")
def new(template: str | None, out: Path | None, force: bool) -> None:
    """Write a commented starter scenario copied from the bundled scenario TEMPLATE.

    TEMPLATE is a file stem of the repository's scenarios/ folder, for example
    classroom_bank or government_hall; without it the templates are listed.
    """
    if template is None:
        click.echo("servsim new TEMPLATE [-o FILE]: pick one of these templates:", err=True)
        _print_templates()
        return
    try:
        text = starter_text(template)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="'TEMPLATE'") from None
    try:  # the starter must be as valid as its template
        loaded = load_scenario_text(text, f"{template}.yaml (starter)")
    except ScenarioError as exc:
        fail_scenario(exc)
    if out is None:
        click.echo(text, nl=False)
        return
    target = out / f"{template}.yaml" if out.is_dir() else out
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to replace it")
    _write_atomic(target, text)
    click.echo(f"wrote {target} from template {template!r}; check it with: "
               f"servsim validate {target}", err=True)
    extra = relative_files(loaded)
    if extra:
        click.echo(f"note: the scenario names files relative to itself ({', '.join(extra)}); "
                   f"copy them from {TEMPLATES_DIR} next to {target}", err=True)

