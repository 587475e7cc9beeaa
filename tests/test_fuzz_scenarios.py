"""Fuzzing the scenario language: hostile and broken versions of every bundled scenario.

Hypothesis mutates the bundled scenarios (``scenarios/*.yaml``): it deletes keys, swaps a
value's type, puts numeric edge values anywhere (NaN, ±inf, 0, negatives, 1e308, 10**30),
huge strings, deep nesting, and, in the YAML text itself, alias bombs, control characters and
5,000 nested brackets. Each mutated scenario must either be refused with the project's error
(:class:`~simulator.scenario.loader.ScenarioError`, or a
:class:`~simulator.scenario.files.DataFileError` for a file it names) or be accepted and then
simulate a day (one replication with every KPI, the doors closed at most an hour of overtime
later) without any exception. Anything else is a bug: Hypothesis shrinks it and the report
prints the minimal scenario as YAML.

The run is derandomized (the same examples every time) with a fixed number of examples and a
per-example deadline, so it stays well under a minute on CI. ``SERVSIM_FUZZ_EXAMPLES=3000``
runs a longer campaign; ``SERVSIM_FUZZ_REPORT=path.json`` writes its figures (examples tried,
accepted, rejected, uncaught), which docs/reliability.md quotes.
"""

from __future__ import annotations

import io
import json
import math
import os
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from simulator.engine.model import simulate
from simulator.experiments.runner import replication_outputs
from simulator.scenario.files import DataFileError
from simulator.scenario.loader import ScenarioError, read_yaml, to_plain, validate_tree
from simulator.scenario.plan import compile_plan
from tests.helpers import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in FILES}
TREES = {name: to_plain(read_yaml(text, name)) for name, text in TEXTS.items()}
EXAMPLES = int(os.environ.get("SERVSIM_FUZZ_EXAMPLES", "200"))
OUTCOMES: Counter[str] = Counter()

HUGE = "x" * 100_000
EDGE_VALUES: list[Any] = [
    math.nan, math.inf, -math.inf, 0, 0.0, -1, -1.5, 1e308, -1e308, 10**30, 1e-300,
    HUGE, "", None, True, [], {}, "09:00", "24:00", "25:61",
]
#: A "billion laughs": each anchor is nine aliases of the previous one (9**6 values).
BOMB = ['&a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"&{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcde", "bcdef", strict=True))]


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a plain tree (mappings and lists), the root excluded."""
    out: list[tuple[Any, ...]] = []
    items = (tree.items() if isinstance(tree, dict) else enumerate(tree)
             if isinstance(tree, list) else ())
    for key, value in items:
        out.append((*prefix, key))
        out.extend(paths(value, (*prefix, key)))
    return out


def _parent(tree: Any, path: tuple[Any, ...]) -> Any:
    node = tree
    for key in path[:-1]:
        node = node[key]
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def mutate(tree: Any, pick: int, op: str, value: Any) -> Any:
    """A copy of ``tree`` with one mutation at the ``pick``-th path (modulo their number);
    ``edge_number`` puts ``value`` in place of a number (the paths to numbers only)."""
    tree = json.loads(json.dumps(tree))  # a deep copy of plain data
    where = paths(tree)
    if op == "edge_number":
        where = [p for p in where if _is_number(_parent(tree, p)[p[-1]])] or where
        op = "edge"
    path = where[pick % len(where)]
    parent, key = _parent(tree, path), path[-1]
    old = parent[key]
    if op == "delete":
        del parent[key]
    elif op == "edge":
        parent[key] = value
    elif op == "stringify":
        parent[key] = str(old)
    elif op == "listify":
        parent[key] = [old]
    elif op == "mappify":
        parent[key] = {"value": old}
    elif op == "nest":
        parent[key] = _nested(60)
    elif op == "negate" and _is_number(old):
        parent[key] = -old if old else -1
    elif op == "scale" and _is_number(old):
        parent[key] = old * 1e6
    return tree


def dump(tree: Any) -> str:
    """YAML text of a tree (NaN and infinities as .nan / .inf); long strings shortened for
    the report only."""
    def short(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: short(x) for k, x in v.items()}
        if isinstance(v, list):
            return [short(x) for x in v]
        if isinstance(v, str) and len(v) > 200:
            return f"{v[:20]}... ({len(v):,} characters)"
        return v

    yaml = YAML(typ="safe", pure=True)
    buf = io.StringIO()
    yaml.dump(short(tree), buf)
    return buf.getvalue()


TEXT_MUTATIONS = ("alias_bomb", "control_character", "deep_brackets", "tab_indent", "truncate")


def mutate_text(text: str, op: str, at: int) -> str:
    """One mutation of the YAML text itself."""
    lines = text.splitlines()
    i = at % len(lines)
    if op == "alias_bomb":
        bomb = "\n".join(f"x{k}: {v}" for k, v in enumerate(BOMB))
        return text + "\n" + bomb + "\n"
    if op == "control_character":
        lines[i] = lines[i][: len(lines[i]) // 2] + "\x00\x07" + lines[i][len(lines[i]) // 2:]
    elif op == "deep_brackets":
        lines[i] = lines[i] + " " + "[" * 5000 + "]" * 5000
    elif op == "tab_indent":
        lines[i] = "\t" + lines[i]
    elif op == "truncate":
        return text[: at % max(1, len(text))]
    return "\n".join(lines) + "\n"


def simulate_a_day(scenario: Any, base: Path) -> None:
    """Compile and run one replication with every KPI (at most an hour of overtime)."""
    if scenario.terminating:
        scenario = scenario.model_copy(update={"run": scenario.run.model_copy(
            update={"max_overtime_min": min(60.0, scenario.run.max_overtime_min)})})
    plan = compile_plan(scenario, base)
    records = simulate(plan, 1, 0)
    replication_outputs(plan, records, 0, detail=True, seed=1)


def check(name: str, text: str | None, tree: Any) -> None:
    """Validate; an accepted scenario must simulate. The project's errors are fine."""
    try:
        source = read_yaml(text, name) if text is not None else tree
        scenario = validate_tree(source, name)
    except ScenarioError as exc:
        assert exc.issues and all(str(i) for i in exc.issues)
        OUTCOMES["rejected"] += 1
        return
    try:
        simulate_a_day(scenario, SCENARIOS)
    except DataFileError:
        OUTCOMES["rejected"] += 1  # a file name mutated into one that cannot be read
        return
    OUTCOMES["accepted"] += 1


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str | None, Any]:
    name = draw(st.sampled_from(sorted(TREES)))
    if draw(st.integers(0, 9)) == 0:  # one in ten: the YAML text itself
        op = draw(st.sampled_from(TEXT_MUTATIONS))
        return name, mutate_text(TEXTS[name], op, draw(st.integers(0, 10**6))), None
    tree = TREES[name]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "edge", "edge", "edge_number", "edge_number",
                                   "stringify", "listify", "mappify", "nest", "negate",
                                   "scale"]))
        tree = mutate(tree, draw(st.integers(0, 10**6)), op, draw(st.sampled_from(EDGE_VALUES)))
    return name, None, tree


@settings(max_examples=EXAMPLES, deadline=timedelta(seconds=20), derandomize=True,
          database=None, suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
@given(case=mutated())
@example(case=("government_hall.yaml", mutate_text(TEXTS["government_hall.yaml"], "alias_bomb",
                                                    0), None))
@example(case=("restaurant.yaml", mutate_text(TEXTS["restaurant.yaml"], "deep_brackets", 3),
               None))
@example(case=("hotel_front_desk.yaml", mutate_text(TEXTS["hotel_front_desk.yaml"],
                                                    "control_character", 5), None))
@example(case=("government_hall.yaml", None, mutate(TREES["government_hall.yaml"], 40, "edge",
                                                     math.nan)))
@example(case=("classroom_bank.yaml", None, mutate(TREES["classroom_bank.yaml"], 7, "edge",
                                                    1e308)))
def fuzz(case: tuple[str, str | None, Any]) -> None:
    name, text, tree = case
    note("scenario (minimal failing case):\n" + (text if text is not None else dump(tree))[
        :20_000])
    OUTCOMES["tried"] += 1
    try:
        check(name, text, tree)
    except Exception:
        OUTCOMES["uncaught"] += 1
        raise


def test_mutated_bundled_scenarios_are_refused_cleanly_or_simulate():
    OUTCOMES.clear()
    started = time.perf_counter()
    fuzz()
    figures = {**{k: OUTCOMES[k] for k in ("tried", "accepted", "rejected", "uncaught")},
               "examples_setting": EXAMPLES, "seconds": round(time.perf_counter() - started, 1),
               "scenarios": sorted(TREES)}
    report = os.environ.get("SERVSIM_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    assert figures["uncaught"] == 0
    assert figures["accepted"] > 0 and figures["rejected"] > 0, figures
    assert figures["tried"] == figures["accepted"] + figures["rejected"]
