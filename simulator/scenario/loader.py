"""Read scenario files (YAML 1.2) into a :class:`~simulator.scenario.schema.Scenario`, with
clear errors.

Every problem is reported as ``file:line: field.path: message (got X; expected Y)``; a
mistyped key gets a "did you mean" suggestion. YAML is read with ruamel.yaml's round-trip
loader (YAML 1.2: ``8:30`` stays a string, ``no`` stays a string) so each key keeps its line.
"""

from __future__ import annotations

import difflib
import hashlib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from simulator.scenario.fields import CLOCK_PATTERN, NAME_PATTERN
from simulator.scenario.schema import CrossFieldError, Scenario


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
    return yaml


def read_yaml(text: str, file: str = "<string>") -> Any:
    """Parse YAML 1.2 text keeping line numbers; raise :class:`ScenarioError` on bad YAML."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        raise ScenarioError([ScenarioIssue(file, line, "", msg)]) from None


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
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([ScenarioIssue(str(path), None, "", f"cannot read file: "
                                           f"{exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([ScenarioIssue(str(path), None, "", "not UTF-8 text")]) from None
    tree = read_yaml(text, str(path))
    scenario = validate_tree(tree, str(path))
    return LoadedScenario(scenario, p, hashlib.sha256(raw).hexdigest())


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
        elif node is not None and isinstance(key, str) and (
            "[" in key or key in _TAGS or key.startswith("function-")
        ):
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


def _issues_from_validation(exc: ValidationError, tree: Any, file: str) -> list[ScenarioIssue]:
    issues: list[ScenarioIssue] = []
    seen: set[tuple[int | None, str, str]] = set()
    for err in exc.errors(include_url=False):
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
