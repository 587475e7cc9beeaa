"""Starter scenarios for ``servsim new TEMPLATE``, copied from the bundled scenarios.

The templates are the scenario files of the repository's ``scenarios/`` folder (the library of
documented scenarios: ``government_hall``, ``classroom_bank``, ...), read from
:data:`TEMPLATES_DIR`: the ``scenarios/`` folder next to the ``simulator`` package in a source
checkout (or an editable install), else the copy that ``pip install .`` places under
``<prefix>/share/servsim/scenarios`` (``[options.data_files]`` in setup.cfg). If neither
exists, the command says so.

A starter is the template's text, comments included (they say where each number comes from),
under a short header naming the template. Nothing else is changed, so it validates exactly as
the template does. File names inside a template (a ``trace:`` CSV, a satisfaction ``profile``)
are relative to the scenario file; the command warns when the template has any, since they
must be copied along. The command itself is :mod:`simulator.cli.new`.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from simulator.scenario.arrivals import TraceArrivals
from simulator.scenario.loader import LoadedScenario

__all__ = [
    "TEMPLATES_DIR",
    "list_templates",
    "relative_files",
    "starter_text",
    "template_path",
    "unknown_template_message",
]

#: Where the bundled scenarios live: the repository's ``scenarios/`` folder beside the package.
def _templates_dir() -> Path:
    """The bundled scenarios: the repository's ``scenarios/`` when running from a checkout
    (or an editable install), else the copy ``pip install`` puts under
    ``<prefix>/share/servsim/scenarios`` (``[options.data_files]`` in setup.cfg)."""
    checkout = Path(__file__).resolve().parents[2] / "scenarios"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "servsim" / "scenarios"


TEMPLATES_DIR = _templates_dir()

_MODELINE = "# yaml-language-server:"


def list_templates(directory: Path | None = None) -> list[str]:
    """Names (file stems) of the bundled scenarios, sorted; empty if the folder is missing.

    Parameters
    ----------
    directory : Path, optional
        Folder to look in; default :data:`TEMPLATES_DIR`. Only ``*.yaml`` files count (the
        JSON Schema and the ``examples/`` subfolder beside them are not templates).
    """
    folder = TEMPLATES_DIR if directory is None else directory
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def unknown_template_message(name: str, available: list[str]) -> str:
    """The error for a template that does not exist: a did-you-mean and the available ones."""
    if not available:
        return (f"unknown template {name!r}: no templates found (expected the bundled "
                f"scenarios in {TEMPLATES_DIR}; they come with a source checkout)")
    close = difflib.get_close_matches(name, available, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown template {name!r}{hint} (available: {', '.join(available)})"


def template_path(name: str, directory: Path | None = None) -> Path:
    """The file of template ``name``; :class:`KeyError` with the message of
    :func:`unknown_template_message` when there is no such template."""
    folder = TEMPLATES_DIR if directory is None else directory
    available = list_templates(folder)
    if name not in available:
        raise KeyError(unknown_template_message(name, available))
    return folder / f"{name}.yaml"


def starter_text(name: str, directory: Path | None = None) -> str:
    """The starter for template ``name``: a header, then the template's text unchanged.

    A ``yaml-language-server`` first line (editor completion from the JSON Schema) stays
    first, as editors require; the header says how to write that schema beside the new file.
    """
    text = template_path(name, directory).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    modeline = lines.pop(0) if lines and lines[0].startswith(_MODELINE) else ""
    header = [
        f"# Starter scenario written by `servsim new {name}` from the bundled template",
        f"# scenarios/{name}.yaml. Its numbers are the template's documented ASSUMPTIONS (see",
        "# the comments below): replace them with your own counts and timings, then check the",
        "# file with `servsim validate FILE` and run it with `servsim run FILE`.",
    ]
    if modeline:
        header += [
            "# Editor completion: the first line points to scenario.schema.json beside this",
            "# file; write it with `servsim schema > scenario.schema.json`.",
        ]
    body = "".join(lines)
    if body and not body.startswith("#\n") and body.startswith("#"):
        header.append("#")
    return modeline + "\n".join(header) + "\n" + body


def relative_files(loaded: LoadedScenario) -> list[str]:
    """Files the scenario names relative to itself (to be copied along with a starter)."""
    sc = loaded.scenario
    files = [src.trace for src in sc.arrivals.values() if isinstance(src, TraceArrivals)]
    sat = sc.satisfaction
    profile = getattr(sat, "profile", None) if sat is not None else None
    if isinstance(profile, str) and profile != "default":
        files.append(profile)
    return files
