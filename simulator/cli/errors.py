"""How command-line commands report problems (shared by every command module).

A scenario mistake prints ``file:line: field.path: message`` lines; a file the scenario names
that cannot be read, a results folder that cannot be written (a file, read-only, a full
disk, another run writing it), an engine invariant that failed and any other operating-system
error print one ``Error: ...`` line. Every one of them exits with status 1, without a
traceback (:func:`clean_message` decides which exceptions are such errors).
"""

from __future__ import annotations

import errno
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


def warn(lines: list[str]) -> None:
    """Print warnings (``FILE: warning: path: message``) on stderr; they stop nothing."""
    for line in lines:
        click.echo(line, err=True)


def clean_message(exc: BaseException) -> str | None:
    """The one-line message of an exception a user should see as an error, not a traceback;
    None for anything else (a bug, which keeps its traceback)."""
    from simulator.scenario.files import DataFileError

    if isinstance(exc, DataFileError):
        return str(exc)
    name = type(exc).__module__
    if name.startswith("simulator.experiments") or name.startswith("simulator.measures"):
        from simulator.experiments.storage import OutputFolderError
        from simulator.measures.conservation import InvariantError

        if isinstance(exc, OutputFolderError):
            return str(exc)
        if isinstance(exc, InvariantError):
            return (f"an internal check failed ({exc}); this is a bug in servsim: please "
                    "report it with the scenario and the command; no results were written")
    if isinstance(exc, FileExistsError) and exc.errno is None:  # a folder holding results
        return str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        from simulator.experiments.oserrors import errno_name, why_not_written

        why, fix = why_not_written(exc)
        if exc.errno not in (errno.EEXIST, errno.ENOTDIR):  # about folders (-o) otherwise
            fix = "a file or folder servsim can read and write"
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{why} (got {errno_name(exc.errno)}; expected {fix})"
    return None
