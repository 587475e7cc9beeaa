"""Change scenario values by path: ``--set stations.window.counters=9``.

An override is applied to the parsed YAML tree *before* validation, so a bad value gets exactly
the same ``field.path`` error as a mistake in the file, and the error names the ``--set`` it
came from. Values are read as YAML 1.2 scalars or flow collections (``9``, ``0.5``,
``"08:30"``, ``{dist: constant, value: 3}``, ``[a, b]``).

Three operators:

- ``PATH=VALUE`` sets a value (or adds a key to a mapping);
- ``PATH+=VALUE`` appends VALUE to the list at PATH
  (``staff.clerks.shifts+={start: "11:00", end: "15:00", count: 1}``);
- ``PATH-=VALUE`` removes the items equal to VALUE from the list at PATH
  (``pathways.standard-=cashier``); ``PATH-=`` with nothing after it removes the list item
  or mapping key at PATH itself (``staff.clerks.shifts.1-=``).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from simulator.scenario.loader import (
    LoadedScenario,
    ScenarioError,
    ScenarioIssue,
    read_yaml,
    to_plain,
    validate_tree,
)

#: The operators of an override: set, append to a list, remove from a list or mapping.
OPERATORS = {"=": "set", "+=": "append", "-=": "remove"}


@dataclass(frozen=True)
class Override:
    """One ``path=value`` assignment (``op`` ``set``), list append (``append``) or removal
    (``remove``; ``value`` None removes the item at ``path`` itself)."""

    path: tuple[str | int, ...]
    value: Any
    text: str  # as the user typed it
    op: str = "set"

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def key(self) -> str:
        """The path with its operator (``a.b``, ``a.b+=``, ``a.b-=``): a variant's value key."""
        return self.dotted + {"set": "", "append": "+=", "remove": "-="}[self.op]


def parse_override(text: str) -> Override:
    """Parse ``a.b.0.c=value`` into an :class:`Override`.

    Raises
    ------
    ScenarioError
        If there is no ``=`` or no path, or the value is not valid YAML.
    """
    if "=" not in text:
        raise ScenarioError([ScenarioIssue(f"--set {text}", None, "",
                                           "expected PATH=VALUE (got no '=')")])
    path_text, value_text = text.split("=", 1)
    op = "set"
    if path_text.endswith(("+", "-")):
        op = OPERATORS[path_text[-1] + "="]
        path_text = path_text[:-1]
    path_text = path_text.strip()
    if not path_text:
        raise ScenarioError([ScenarioIssue(f"--set {text}", None, "",
                                           "expected PATH=VALUE (got an empty path)")])
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path_text.split(".")]
    if op == "remove" and not value_text.strip():
        return Override(tuple(parts), None, text, op)
    value = to_plain(read_yaml(value_text if value_text.strip() else '""', f"--set {text}"))
    return Override(tuple(parts), value, text, op)


def parse_overrides(texts: Sequence[str]) -> list[Override]:
    """Parse several ``--set`` texts."""
    return [parse_override(t) for t in texts]


def _fail(ov: Override, depth: int, message: str) -> ScenarioError:
    where = ".".join(str(p) for p in ov.path[: depth + 1])
    return ScenarioError([ScenarioIssue(f"--set {ov.text}", None, where, message)])


def apply_overrides(tree: Any, overrides: Sequence[Override]) -> Any:
    """Return a deep copy of a parsed scenario tree with the overrides applied.

    A path may end in a new key of an existing mapping (validation then decides whether that
    key is allowed); every earlier step must exist.
    """
    out = copy.deepcopy(tree)
    for ov in overrides:
        node = out
        for depth, key in enumerate(ov.path):
            last = depth == len(ov.path) - 1
            if last and ov.op != "set":
                _edit_list(node, key, ov, depth)
                break
            if isinstance(node, dict):
                key_s = str(key)
                if last:
                    node[key_s] = _to_tree(ov.value)
                    break
                if key_s not in node:
                    near = difflib.get_close_matches(key_s, [str(k) for k in node], n=1)
                    hint = f"; did you mean {near[0]!r}?" if near else ""
                    raise _fail(ov, depth, f"no key {key_s!r}{hint} (got {key_s!r}; expected "
                                f"one of {', '.join(sorted(map(str, node)))})")
                node = node[key_s]
            elif isinstance(node, list):
                if not isinstance(key, int) or not 0 <= key < len(node):
                    raise _fail(ov, depth, f"no item {key!r} in this list (got {key!r}; "
                                f"expected an index 0..{len(node) - 1})")
                if last:
                    node[key] = _to_tree(ov.value)
                    break
                node = node[key]
            else:
                raise _fail(ov, depth - 1, f"cannot go inside a value (got {node!r}; "
                            "expected a mapping or a list)")
    return out


def _edit_list(parent: Any, key: str | int, ov: Override, depth: int) -> None:
    """Append to, or remove from, the container ``parent[key]`` (or remove ``parent[key]``
    itself when a removal has no value)."""
    if ov.op == "remove" and ov.value is None:
        if isinstance(parent, dict) and str(key) in parent:
            del parent[str(key)]
        elif isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
            del parent[key]
        else:
            raise _fail(ov, depth, f"nothing to remove at {ov.dotted} (got no such key or "
                        "item; expected an existing key or list index)")
        return
    if isinstance(parent, dict):
        target = parent.get(str(key))
    elif isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
        target = parent[key]
    else:
        target = None
    if not isinstance(target, list):
        got = ("nothing" if target is None else "a mapping" if isinstance(target, dict)
               else f"the value {to_plain(target)!r}")
        raise _fail(ov, depth, f"{'+=' if ov.op == 'append' else '-='} needs a list "
                    f"(got {got}; expected a list such as shifts, breaks or a pathway)")
    if ov.op == "append":
        target.append(_to_tree(ov.value))
        return
    keep = [item for item in target if to_plain(item) != ov.value]
    if len(keep) == len(target):
        shown = ", ".join(repr(to_plain(i)) for i in target[:6])
        raise _fail(ov, depth, f"no item equal to {ov.value!r} (got {shown}; expected one "
                    f"of them, or {ov.dotted}.N-= to remove item N)")
    target[:] = keep


def _to_tree(value: Any) -> Any:
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _to_tree(v)
        return m
    if isinstance(value, list):
        return CommentedSeq([_to_tree(v) for v in value])
    return value


def with_overrides(loaded: LoadedScenario, overrides: Sequence[Override]) -> LoadedScenario:
    """Validate ``loaded``'s file with the overrides applied.

    ``loaded`` is valid, so every problem comes from the overrides: it names the ``--set``
    whose path is the field's (or inside it, or contains it: a share that makes the class
    shares add up wrong is reported at ``customer_classes``), else every ``--set`` given,
    instead of a line of the file.
    """
    if not overrides:
        return loaded
    if loaded.path is None:
        raise ValueError("overrides need a scenario loaded from a file")
    text = loaded.path.read_text(encoding="utf-8")
    name = str(loaded.path)
    tree = apply_overrides(read_yaml(text, name), overrides)
    try:
        scenario = validate_tree(tree, name)
    except ScenarioError as exc:
        raise ScenarioError([ScenarioIssue(_sources(overrides, issue.path), None, issue.path,
                                           issue.message) for issue in exc.issues]) from None
    return LoadedScenario(scenario, loaded.path, loaded.raw_sha256)


def _sources(overrides: Sequence[Override], path: str) -> str:
    """The ``--set`` texts an error at ``path`` is attributed to."""
    related = [ov for ov in overrides if _covers(ov, path)
               or ov.dotted.startswith(path + ".") or not path]
    return ", ".join(f"--set {ov.text}" for ov in (related or overrides))


def _covers(ov: Override, path: str) -> bool:
    return path == ov.dotted or path.startswith(ov.dotted + ".")


def values_id(values: dict[str, Any], prefix: str = "v") -> str:
    """A stable id of a variant from its resolved override values (order-independent)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
