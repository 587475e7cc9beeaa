"""The canary mutations of ``benchmarks/mutation_canaries.toml`` stay applicable: each one's
text is in its module exactly once and the test that must catch it exists. (Running them,
which takes a fresh interpreter per canary, is ``python benchmarks/mutation.py --canaries``.)"""

from __future__ import annotations

import ast
import tomllib

from tests.helpers import ROOT


def test_every_canary_still_applies_and_names_a_real_test():
    with (ROOT / "benchmarks" / "mutation_canaries.toml").open("rb") as f:
        canaries = tomllib.load(f)
    assert len(canaries) >= 8
    for name, c in canaries.items():
        source = (ROOT / c["file"]).read_text()
        assert source.count(c["old"]) == 1, f"{name}: not found once in {c['file']}"
        mutated = source.replace(c["old"], c["new"])
        assert mutated != source
        ast.parse(mutated)  # the canary is a bug, not a syntax error
        test_file, test_name = c["test"].split("::")
        tree = ast.parse((ROOT / test_file).read_text())
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert test_name in names, f"{name}: no test {c['test']}"
        assert c["what"]
