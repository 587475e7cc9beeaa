"""The layers of ``simulator/`` import one way only, and no module imports itself round a loop.

Every module's imports are read with :mod:`ast` (module level, inside functions and inside
``if TYPE_CHECKING:`` blocks alike). The allowed order is :data:`LAYERS`, top first: a module
may import modules of its own package and of any package in a *lower* layer, never one in its
own layer's other packages or above. The import graph between modules must also be acyclic,
type-only imports included (a protocol or a passed-in value breaks a loop instead).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"

#: The layers, top first. Each entry names the sub-packages (or top-level modules) of one
#: layer; a new layer is one more line. ``simulator`` alone is the package's ``__init__``
#: (the public names, loaded on first use); :mod:`simulator.api` joins the experiments with
#: figures and the report for it and for the commands.
LAYERS: list[tuple[str, ...]] = [
    ("simulator.__main__",),
    ("simulator.teach",),
    ("simulator.cli",),
    ("simulator",),
    ("simulator.api",),
    ("simulator.report",),
    ("simulator.figures",),
    ("simulator.experiments",),
    ("simulator.satisfaction",),
    ("simulator.theory",),
    ("simulator.measures",),
    ("simulator.engine",),
    ("simulator.scenario",),
    ("simulator.lazy",),
]


def module_name(path: Path) -> str:
    """``simulator/engine/model.py`` -> ``simulator.engine.model`` (packages by their name)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def inside(module: str, entry: str) -> bool:
    """Whether ``module`` is the layer entry ``entry`` or a module of that package (the
    root package ``simulator`` holds only its ``__init__``)."""
    return module == entry or (entry != "simulator" and module.startswith(entry + "."))


def unit(module: str) -> str:
    """The layer entry a module belongs to."""
    best = ""
    for layer in LAYERS:
        for entry in layer:
            if inside(module, entry) and len(entry) > len(best):
                best = entry
    if not best:
        raise AssertionError(f"{module} is in no layer of LAYERS; add it")
    return best


def rank(entry: str) -> int:
    """Position of a layer entry, 0 = top."""
    return next(i for i, layer in enumerate(LAYERS) if entry in layer)


def imports(path: Path, name: str) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every ``simulator`` import in module ``name`` at ``path``.

    ``from a.b import c`` counts as importing ``a.b.c`` when that is a module, else ``a.b``;
    relative imports are resolved against the module's package.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "simulator":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "simulator":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield node.lineno, sub if sub in MODULES else target


def edges(modules: dict[str, Path] = MODULES) -> list[tuple[str, int, str]]:
    """(importer, line, imported) for every import between two different modules."""
    out = []
    for name, path in modules.items():
        for line, target in imports(path, name):
            if target != name:
                out.append((name, line, target))
    return out


def where(path: Path) -> str:
    """A module's file, relative to the checkout when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def upward(edge_list: list[tuple[str, int, str]],
           modules: dict[str, Path] = MODULES) -> list[str]:
    """``file:line: a imports b`` for each import that does not point down."""
    bad = []
    for src, line, dst in edge_list:
        us, them = unit(src), unit(dst)
        if us == them or rank(them) > rank(us):
            continue
        side = "above it" if rank(them) < rank(us) else "beside it in the same layer"
        bad.append(f"{where(modules[src])}:{line}: {src} imports {dst}, "
                   f"which is {side} ({them} vs {us})")
    return bad


def cycles(edge_list: list[tuple[str, int, str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for src, _line, dst in edge_list:
        graph.setdefault(src, set()).add(dst)
        graph.setdefault(dst, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                found.append(sorted(scc))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_is_in_a_layer() -> None:
    missing = [m for m in MODULES if not any(inside(m, e) for layer in LAYERS for e in layer)]
    assert not missing, f"modules in no layer of LAYERS: {missing}"


def test_imports_point_down() -> None:
    bad = upward(edges())
    assert not bad, "imports that do not point down:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    loops = cycles(edges())
    lines = []
    for loop in loops:
        members = set(loop)
        lines.append(" <-> ".join(loop))
        lines += [f"  {where(MODULES[s])}:{n}: {s} imports {d}"
                  for s, n, d in edges() if s in members and d in members]
    assert not loops, "import cycles:\n" + "\n".join(lines)


def test_top_level_modules_are_few() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 4, f"simulator/ has {len(top)} top-level modules: {top}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from simulator.experiments.runner import run_replications\n", "above it"),
        ("def f():\n    from simulator.report import write_report\n", "above it"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
         "    from simulator.satisfaction import predict\n", "above it"),
    ],
)
def test_a_deliberate_upward_import_is_caught(tmp_path: Path, source: str,
                                              expected: str) -> None:
    """The checker itself: an upward import in a measures module, at module level, inside a
    function or under TYPE_CHECKING, is reported with its file and line."""
    text = "import math\n" + source
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "simulator" in t)
    probe = tmp_path / "probe.py"
    probe.write_text(text, encoding="utf-8")
    modules = {**MODULES, "simulator.measures.probe": probe}
    found = [b for b in upward(edges(modules), modules) if b.startswith(str(probe))]
    assert len(found) == 1 and expected in found[0], found
    assert found[0].startswith(f"{probe}:{line}: simulator.measures.probe imports ")


def test_a_deliberate_cycle_is_caught() -> None:
    fake = [("simulator.engine.a", 1, "simulator.engine.b"),
            ("simulator.engine.b", 3, "simulator.engine.a")]
    assert ["simulator.engine.a", "simulator.engine.b"] in cycles(edges() + fake)


def test_packages_of_one_layer_may_not_import_each_other(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two packages placed in one layer are peers: neither may import the other."""
    merged = [layer for layer in LAYERS if layer not in (("simulator.theory",),
                                                          ("simulator.measures",))]
    merged.insert(merged.index(("simulator.engine",)), ("simulator.theory", "simulator.measures"))
    monkeypatch.setitem(globals(), "LAYERS", merged)
    probe = tmp_path / "probe.py"
    probe.write_text("from simulator.theory import mmc\n", encoding="utf-8")
    modules = {**MODULES, "simulator.measures.probe": probe}
    found = [b for b in upward(edges(modules), modules) if "probe" in b]
    assert len(found) == 1 and "beside it in the same layer" in found[0], found
