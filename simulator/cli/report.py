"""``servsim report RESULTS_DIR``: write the self-contained HTML report of a results folder.

Registered on the ``servsim`` group by :mod:`simulator.cli`. ``run``, ``compare``, ``sweep``
and ``merge`` write the same report into their folder unless given ``--no-report``.
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.report.markup import REPORT_NAME

__all__ = ["report_command"]


@click.command("report",
               context_settings={"show_default": True, "help_option_names": ["-h", "--help"]})
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help=f"report file [default: RESULTS_DIR/{REPORT_NAME}]")
@click.option("--no-figures", is_flag=True,
              help="tables only: embed no figure and draw none")
def report_command(results_dir: Path, out: Path | None, no_figures: bool) -> None:
    """Write one self-contained HTML file (figures embedded) describing RESULTS_DIR, the
    folder of servsim run, compare or sweep."""
    from simulator.report.collect import ReportError
    from simulator.report.document import write_report

    try:
        path = write_report(results_dir, out, figures=not no_figures)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"report: {path}", err=True)
