"""Every module, function or file of servsim that the docs name exists.

The docs (``docs/*.md``, the READMEs) name code by dotted path (``simulator.measures.kpis``,
``simulator.theory.mmc``) and by file (``simulator/engine/station.py``, a test file); a
move or rename that forgets them fails here, naming the document and line.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from tests.helpers import ROOT

DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md",
        ROOT / "benchmarks" / "README.md"]
DOTTED = re.compile(r"(?<![\w/.])simulator(?:\.[A-Za-z_]\w*)+")
FILES = re.compile(r"(?<![\w/.])(?:simulator|tests|benchmarks)/[\w/.-]+\.py")
#: Modules that are scripts (importing them starts an app or a command), checked as files.
SCRIPTS = ("simulator.teach.app", "simulator.__main__", "simulator.teach.__main__")


def resolves(ref: str) -> bool:
    """Whether ``a.b.c`` is a module, or an attribute chain of the longest module prefix."""
    for script in SCRIPTS:
        if ref == script or ref.startswith(script + "."):
            return (ROOT / (script.replace(".", "/") + ".py")).exists()
    parts = ref.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def references(pattern: re.Pattern[str]) -> list[tuple[Path, int, str]]:
    """(document, line, reference) for every match of ``pattern`` in the docs."""
    return [(doc, n, m.rstrip("."))
            for doc in DOCS
            for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1)
            for m in pattern.findall(line)]


def test_dotted_names_in_the_docs_resolve() -> None:
    bad = [f"{doc.relative_to(ROOT)}:{n}: {ref}" for doc, n, ref in references(DOTTED)
           if not resolves(ref)]
    assert not bad, "names the docs use that do not exist:\n" + "\n".join(bad)


def test_files_named_in_the_docs_exist() -> None:
    bad = [f"{doc.relative_to(ROOT)}:{n}: {ref}" for doc, n, ref in references(FILES)
           if not (ROOT / ref).exists()]
    assert not bad, "files the docs name that do not exist:\n" + "\n".join(bad)


def test_the_checks_see_a_wrong_name() -> None:
    assert resolves("simulator.measures.kpis.replication_kpis")
    assert not resolves("simulator.measures.metrics.replication_kpis")
    assert not resolves("simulator.theory.no_such_formula")
