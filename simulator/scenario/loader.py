"""Read scenario files (YAML 1.2) into a :class:`~simulator.scenario.schema.Scenario`, with
clear errors.

Every problem is reported as ``file:line: field.path: message (got X; expected Y)``; a
mistyped key gets a "did you mean" suggestion. YAML is read with ruamel.yaml's round-trip
loader (YAML 1.2: ``8:30`` stays a string, ``no`` stays a string) so each key keeps its line.

Hostile or broken input gets the same kind of message and nothing more: a scenario file is a
regular file of at most :data:`~simulator.scenario.files.MAX_SCENARIO_BYTES`, nested at most
:data:`MAX_DEPTH` levels, whose aliases (``*name``) add at most :data:`MAX_ALIAS_EXPANSION`
values and characters to what the file holds (a "billion laughs" file is refused before
anything is expanded); control characters and every ruamel error type become a
:class:`ScenarioIssue` with the line.
"""

from __future__ import annotations

import difflib
import hashlib
import types
import typing
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLStreamError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from simulator.scenario.fields import CLOCK_PATTERN, NAME_PATTERN
from simulator.scenario.files import MAX_SCENARIO_BYTES, DataFileError, read_capped
from simulator.scenario.schema import CrossFieldError, Scenario

#: Deepest nesting of mappings and lists a scenario may have (the bundled ones use 8).
MAX_DEPTH = 50
#: How many values and characters aliases (``*name``) may add to what the file holds.
MAX_ALIAS_EXPANSION = 100_000


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem found in a scenario file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file could not be read or is invalid; ``issues`` lists every problem."""

    def __init__(self, issues: list[ScenarioIssue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    scenario: Scenario
    path: Path | None
    raw_sha256: str

    @property
    def base_dir(self) -> Path:
        """Folder that relative file names in the scenario are resolved against."""
        return self.path.parent if self.path is not None else Path.cwd()


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    yaml.max_depth = MAX_DEPTH
    return yaml


def read_yaml(text: str, file: str = "<string>") -> Any:
    """Parse YAML 1.2 text keeping line numbers.

    The document is composed into nodes first and checked (nesting depth, alias expansion)
    before any value is built, so an alias bomb costs no more than its own size.

    Raises
    ------
    ScenarioError
        On bad YAML, a control character, nesting deeper than :data:`MAX_DEPTH`, aliases that
        would add more than :data:`MAX_ALIAS_EXPANSION` values and characters, a recursive
        alias, or a value that cannot be built (``!!int abc``); each with the line.
    """
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError([ScenarioIssue(file, None, "", _too_large(len(text.encode())))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a reused anchor name is fine: the last one counts
        try:
            constructor, parser = _yaml().get_constructor_parser(text)
            node = constructor.composer.get_single_node()
        except (YAMLError, YAMLStreamError, RecursionError) as exc:
            raise ScenarioError([_yaml_issue(exc, text, file)]) from None
        try:
            if node is None:
                return None
            _check_expansion(node, file)
            try:
                return constructor.construct_document(node)
            except (YAMLError, YAMLStreamError) as exc:
                raise ScenarioError([_yaml_issue(exc, text, file)]) from None
            except (ValueError, TypeError, KeyError, OverflowError) as exc:
                raise ScenarioError([_value_issue(node, exc, file)]) from None
        finally:
            parser.dispose()


def _too_large(n_bytes: int) -> str:
    limit = MAX_SCENARIO_BYTES // (1024 * 1024)
    return (f"scenario files are at most {limit} MB (got {n_bytes / (1024 * 1024):,.1f} MB; "
            "expected a scenario, with long data in a CSV file it names)")


def _yaml_issue(exc: BaseException, text: str, file: str) -> ScenarioIssue:
    """A ruamel error (or a recursion too deep for the parser) as one issue with its line."""
    if isinstance(exc, ReaderError):
        pos = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, pos) + 1
        char = exc.character if isinstance(exc.character, int) else 0
        return ScenarioIssue(file, line, "", f"a control character is not allowed in a "
                             f"scenario file (got U+{char:04X}; expected printable text)")
    if isinstance(exc, RecursionError):
        return ScenarioIssue(file, None, "", f"nested too deeply (got more levels than Python "
                             f"can read; expected at most {MAX_DEPTH})")
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        parts = [str(x).strip() for x in (exc.context, exc.problem) if x]
        problem = ", ".join(parts) or "unreadable YAML"
        if "maximum depth" in problem:
            return ScenarioIssue(file, line, "", f"nested too deeply (got more than {MAX_DEPTH} "
                                 f"levels of mappings and lists; expected at most {MAX_DEPTH})")
        return ScenarioIssue(file, line, "", f"YAML syntax error: {problem}")
    return ScenarioIssue(file, None, "", f"YAML syntax error: {str(exc).strip()}")


def _children(node: Any) -> list[Any]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: Any, file: str) -> None:
    """Refuse recursive aliases and aliases that expand past :data:`MAX_ALIAS_EXPANSION`.

    An alias is the same node object as its anchor, so the document is a graph: each node's
    size once expanded (1 per value plus the characters of a scalar) is computed once, from
    its children's (iteratively, no recursion). The expansion is the expanded size of the
    root minus the size of the distinct nodes, i.e. what aliases add.
    """
    size: dict[int, int] = {}
    refs: dict[int, int] = {}
    nodes: dict[int, Any] = {}
    on_path: set[int] = set()
    unique = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        kids = _children(node)
        if finished:
            on_path.discard(key)
            size[key] = _own_size(node) + sum(size[id(k)] for k in kids)
            continue
        if key in size:
            continue
        nodes[key] = node
        on_path.add(key)
        unique += _own_size(node)
        stack.append((node, True))
        for kid in kids:
            refs[id(kid)] = refs.get(id(kid), 0) + 1
            if id(kid) in on_path:
                line = kid.start_mark.line + 1 if kid.start_mark is not None else None
                raise ScenarioError([ScenarioIssue(file, line, "", "an alias refers to a "
                                    "value that contains it (got a recursive anchor; expected "
                                    "aliases of finished values)")])
            if id(kid) not in size:
                stack.append((kid, False))
    added = size[id(root)] - unique
    if added > MAX_ALIAS_EXPANSION:
        shared = [k for k, n in refs.items() if n > 1]
        culprit = nodes[max(shared, key=lambda k: size[k])] if shared else root
        mark = culprit.start_mark
        raise ScenarioError([ScenarioIssue(
            file, mark.line + 1 if mark is not None else None, "",
            f"YAML aliases (*name) would add {added:,} values and characters to the "
            f"{unique:,} the file holds (expected at most {MAX_ALIAS_EXPANSION:,}: an alias "
            "repeats its anchor's whole value, so aliases of aliases grow exponentially)")])


def _own_size(node: Any) -> int:
    return 1 + len(node.value) if isinstance(node, ScalarNode) else 1


def _value_issue(root: Any, exc: Exception, file: str) -> ScenarioIssue:
    """A scalar that cannot be built (``!!int abc``, ``2024-13-45``), with its line: each
    scalar is built again by a fresh constructor until one fails."""
    constructor = _yaml().constructor
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                constructor.construct_object(node, deep=True)
            except (ValueError, TypeError, KeyError, OverflowError, YAMLError) as err:
                tag = str(node.tag).rsplit(":", 1)[-1]
                return ScenarioIssue(file, node.start_mark.line + 1, "", f"cannot read "
                                     f"{node.value[:40]!r} as a YAML {tag} (got {err!s}; "
                                     "expected a plain number, text or quoted text)")
        stack.extend(reversed(_children(node)))
    return ScenarioIssue(file, None, "", f"cannot read a YAML value (got {exc!s})")


def to_plain(node: Any) -> Any:
    """Convert ruamel containers and scalars to plain dict/list/str/int/float/bool/None."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (int, float)) else k: to_plain(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A ``.yaml`` (or ``.json``) scenario file.

    Returns
    -------
    LoadedScenario
        The validated scenario, its path and the SHA-256 of the file's bytes.

    Raises
    ------
    ScenarioError
        With one :class:`ScenarioIssue` per problem, each naming file, line and field.
    """
    p = Path(path)
    try:
        raw = read_capped(p, MAX_SCENARIO_BYTES, "scenario file")
    except DataFileError as exc:
        message = str(exc).removeprefix(f"{p}: ")
        if "too large" in message:
            message = _too_large(p.stat().st_size)
        raise ScenarioError([ScenarioIssue(str(path), None, "", message)]) from None
    text = scenario_text(raw, str(path))
    tree = read_yaml(text, str(path))
    scenario = validate_tree(tree, str(path))
    return LoadedScenario(scenario, p, hashlib.sha256(raw).hexdigest())


def scenario_text(raw: bytes, name: str) -> str:
    """The text of a scenario file's bytes (read from disk, or uploaded).

    Raises
    ------
    ScenarioError
        If there are more than :data:`~simulator.scenario.files.MAX_SCENARIO_BYTES`, or they
        are not UTF-8 (naming the line of the first bad byte).

    Examples
    --------
    >>> scenario_text(b"name: x\\n", "x.yaml")
    'name: x\\n'
    """
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError([ScenarioIssue(name, None, "", _too_large(len(raw)))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError([ScenarioIssue(name, line, "", f"not UTF-8 text (got byte "
                                           f"0x{raw[exc.start]:02x}; expected a scenario file "
                                           "saved as UTF-8)")]) from None


def load_scenario_text(text: str, name: str = "<string>") -> LoadedScenario:
    """Validate a scenario given as YAML text (for tests and the API)."""
    tree = read_yaml(text, name)
    scenario = validate_tree(tree, name)
    return LoadedScenario(scenario, None, hashlib.sha256(text.encode()).hexdigest())


def validate_tree(tree: Any, file: str) -> Scenario:
    """Validate a parsed YAML tree into a :class:`Scenario`, mapping errors to lines."""
    if not isinstance(tree, dict):
        got = type(tree).__name__ if tree is not None else "an empty file"
        raise ScenarioError([ScenarioIssue(file, 1, "", f"a scenario is a mapping of sections "
                                           f"(got {got}; expected name:, stations:, ...)")])
    try:
        return Scenario.model_validate(to_plain(tree))
    except ValidationError as exc:
        raise ScenarioError(_issues_from_validation(exc, tree, file)) from None
    except CrossFieldError as exc:
        issues = []
        for prob in exc.problems:
            line, path = locate(tree, prob.loc)
            msg = prob.message
            detail = []
            detail.append(f"got {_show(prob.got)}")
            if prob.expected:
                detail.append(f"expected {prob.expected}")
            msg += " (" + "; ".join(detail) + ")"
            issues.append(ScenarioIssue(file, line, path, msg))
        raise ScenarioError(issues) from None


def _show(value: Any, limit: int = 60) -> str:
    if isinstance(value, (dict, list)):
        value = to_plain(value)
    text = repr(value) if isinstance(value, str) else str(value)
    if value is None:
        text = "nothing"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def locate(tree: Any, loc: tuple[Any, ...]) -> tuple[int | None, str]:
    """Return (line, dotted path) for a pydantic-style ``loc`` within a ruamel tree.

    Elements of ``loc`` that are not in the data (union tags such as ``lognormal`` or
    ``function-after[...]``) are skipped; the line is that of the deepest key found.
    """
    node = tree
    line: int | None = 1
    parts: list[str] = []
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            parts.append(str(key))
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            try:
                line = node.lc.item(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                pass
            parts.append(str(key))
            node = node[key]
        elif isinstance(node, dict) and isinstance(key, str) and key in node:
            parts.append(key)
            node = node[key]
        elif node is not None and _is_tag(key):
            continue  # a union tag or validator name, not part of the data
        elif isinstance(key, str) and key == "[key]":
            continue
        else:
            parts.append(str(key))
            node = None
    return line, ".".join(parts)


#: Patterns of the scenario's field types, said in words: (what is wrong, what is expected).
_PATTERN_WORDS: dict[str, tuple[str, str]] = {
    CLOCK_PATTERN: ("not a clock time", 'HH:MM (24 h), quoted, e.g. "08:30" or "17:00"'),
    NAME_PATTERN: ("not a valid name", "letters, digits, _ or -, starting with a letter or _ "
                   "(no spaces)"),
}

_TAGS = {
    "exponential", "lognormal", "gamma", "weibull", "triangular", "uniform", "constant",
    "empirical", "poisson", "appointments", "trace", "str", "Step", "RecoveryStep",
    "literal['redo']",
    "constrained-str", "per_class", "stage_flag", "wait_based",
    "arrival_waves", "whole_number", "size_distribution",
}
_DISCRIMINATORS = ("dist", "source")


def _model_names() -> dict[str, type[BaseModel]]:
    """Every model a scenario may contain, by name (pydantic puts names in a union's ``loc``)."""
    global _MODEL_NAMES
    if _MODEL_NAMES is None:
        names: dict[str, type[BaseModel]] = {}
        todo: list[Any] = [Scenario]
        while todo:
            tp = todo.pop()
            for cand in _models_in(tp):
                for model in (cand.inner if isinstance(cand, _Skip) else [cand]):
                    if isinstance(model, _Skip):
                        todo.extend(model.inner)
                        continue
                    if model.__name__ not in names:
                        names[model.__name__] = model
                        todo.extend(f.annotation for f in model.model_fields.values())
        _MODEL_NAMES = names
    return _MODEL_NAMES


_MODEL_NAMES: dict[str, type[BaseModel]] | None = None


#: pydantic error types that say the input has the wrong shape for a union member (rather
#: than a bad value of the right shape).
_SHAPE_ERRORS = frozenset({
    "missing", "extra_forbidden", "model_type", "model_attributes_type", "dict_type",
    "string_type", "int_type", "float_type", "bool_type", "list_type", "tuple_type",
    "none_required", "is_instance_of", "union_tag_invalid", "union_tag_not_found",
})


def _first_tag(tree: Any, loc: tuple[Any, ...]) -> int | None:
    """Index in ``loc`` of the first union tag (a member name that is not in the data)."""
    node = tree
    for i, key in enumerate(loc):
        if isinstance(node, dict) and not isinstance(key, int) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        elif _is_tag(key):
            return i
        else:
            return None
    return None


def _is_tag(key: Any) -> bool:
    return isinstance(key, str) and (
        "[" in key or key in _TAGS or key in _model_names() or key.startswith("function-"))


def _describe_member(tag: str) -> str:
    if tag in ("str", "constrained-str"):
        return "a name (text)"
    if tag.startswith("literal["):
        return tag[len("literal["):-1].replace("'", "")
    if tag in ("int", "constrained-int", "whole_number"):
        return "a whole number"
    if tag in ("float", "constrained-float"):
        return "a number"
    if tag == "none":
        return "nothing"
    model = _model_names().get(tag)
    if model is not None:
        keys = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
        if keys:
            return "a mapping with key " + ", ".join(keys)
    return "a mapping"


def _collapse_unions(errors: list[dict[str, Any]], tree: Any) -> list[dict[str, Any]]:
    """Keep only the errors of the union member the input was meant for.

    pydantic reports every member of a plain union (``Name | Step | Seize | Release``): a
    step ``{step: desk, probability: 1.5}`` fails as text, as a ``seize`` and as a
    ``release`` too. For each union, the member with the fewest shape errors (wrong type,
    missing or unknown keys), then the fewest errors, is the one meant; when no member fits
    the shape, one message lists what the value may be.
    """
    groups: dict[tuple[Any, ...], dict[str, list[dict[str, Any]]]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        i = _first_tag(tree, loc)
        if i is not None:
            groups.setdefault(loc[:i], {}).setdefault(str(loc[i]), []).append(err)
    drop: set[int] = set()
    extra: list[dict[str, Any]] = []
    for prefix, members in groups.items():
        if len(members) < 2:
            continue

        def score(errs: list[dict[str, Any]], depth: int = len(prefix) + 1
                  ) -> tuple[int, int, int]:
            shape = [e for e in errs if e["type"] in _SHAPE_ERRORS]
            whole = sum(len(e["loc"]) == depth for e in shape)  # the value's type is wrong
            return whole, len(shape), len(errs)

        best = min(score(e) for e in members.values())
        keep = [t for t, e in members.items() if score(e) == best]
        for tag, errs in members.items():
            if tag not in keep:
                drop.update(id(e) for e in errs)
        kept = [e for t in keep for e in members[t]]
        if len(keep) > 1 and best[1] > 0:  # no member fits: say what the value may be
            drop.update(id(e) for e in kept)
            what = list(dict.fromkeys(_describe_member(t) for t in keep))
            listed = ", ".join(what[:-1]) + " or " + what[-1] if len(what) > 1 else what[0]
            extra.append({"loc": prefix, "type": "union", "input": kept[0].get("input"),
                          "msg": "Input should be " + listed})
    out = [e for e in errors if id(e) not in drop]
    return out + extra


def _issues_from_validation(exc: ValidationError, tree: Any, file: str) -> list[ScenarioIssue]:
    issues: list[ScenarioIssue] = []
    seen: set[tuple[int | None, str, str]] = set()
    for err in _collapse_unions(exc.errors(include_url=False), tree):
        loc = tuple(err["loc"])
        line, path = locate(tree, loc)
        etype = err["type"]
        if etype == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            allowed = allowed_keys(loc[:-1])
            msg = f"unknown key {key!r}"
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                msg += f"; did you mean {close[0]!r}?"
            expected = f"one of {', '.join(sorted(allowed))}" if allowed else "a known key"
            msg += f" (got {key!r}; expected {expected})"
        elif etype == "missing":
            msg = "required field is missing (got nothing)"
        elif etype == "string_pattern_mismatch" and str(
                (err.get("ctx") or {}).get("pattern")) in _PATTERN_WORDS:
            words = _PATTERN_WORDS[str(err["ctx"]["pattern"])]
            msg = f"{words[0]} (got {_show(err.get('input'))}; expected {words[1]})"
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            if err["type"] == "model_type":
                msg = "Input should be a mapping"
            if "(got " not in msg:
                msg += f" (got {_show(err.get('input'))})"
        key3 = (line, path, msg)
        if key3 in seen:
            continue
        seen.add(key3)
        issues.append(ScenarioIssue(file, line, path, msg))
    return issues


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Return the field names (aliases) valid at ``loc`` in the scenario model, if known."""
    model = _model_at(Scenario, loc)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


_TAG_OF = {"PoissonArrivals": "poisson", "Appointments": "appointments", "TraceArrivals": "trace",
           "WaveArrivals": "arrival_waves"}


def _models_in(tp: Any) -> list[Any]:
    """Flatten an annotation to the models/containers it may hold (one container level)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_models_in(arg))
        return out
    if origin in (dict,):
        return [_Skip(_models_in(typing.get_args(tp)[1]))]
    if origin in (list, tuple):
        return [_Skip(_models_in(typing.get_args(tp)[0]))]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return []


class _Skip:
    """A container level: the next loc element is a key or index, not a field."""

    def __init__(self, inner: list[Any]) -> None:
        self.inner = inner

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Skip) and other.inner == self.inner

    __hash__ = None  # type: ignore[assignment]


def _model_at(tp: Any, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    candidates: list[Any] = _models_in(tp)
    for key in loc:
        nxt: list[Any] = []
        for cand in candidates:
            if isinstance(cand, _Skip):
                if isinstance(key, (int, str)):
                    nxt.extend(cand.inner)
                continue
            fields = {f.alias or n: f for n, f in cand.model_fields.items()}
            if key in fields:
                nxt.extend(_models_in(fields[key].annotation))
            elif isinstance(key, str):
                tags = [cand.model_fields[d].default for d in _DISCRIMINATORS
                        if d in cand.model_fields]
                if key in tags or key == _TAG_OF.get(cand.__name__) or key == cand.__name__:
                    nxt.append(cand)
        candidates = []
        for c in nxt:
            if all(c is not d for d in candidates):
                candidates.append(c)
        if not candidates:
            return None
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    uniq = list(dict.fromkeys(models))
    return uniq[0] if len(uniq) == 1 else None
