"""Invariants raise :class:`InvariantError`, a project exception, never ``assert`` (issue 14,
row 10): they hold under ``python -O`` too, and no check in the engine or the measures is an
``assert`` statement."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from tests.helpers import ROOT

PROBE = """
from simulator.measures.conservation import InvariantError, check_conservation
from tests.measures.test_metrics import make_records
assert False, "this line only runs without -O"
records = make_records(customers=[{"customer_id": 0, "arrival_min": 540.0}])
try:
    check_conservation(records)
except InvariantError as exc:
    print("InvariantError:", exc)
"""


def test_row10_a_broken_invariant_raises_under_python_dash_O():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-O", "-c", PROBE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("InvariantError: 1 customers who left lack a departure >= "
                                   "arrival (customers [0])")


def test_row10_no_assert_statements_check_the_engine_or_the_measures():
    found = []
    for package in ("engine", "measures"):
        for path in sorted((ROOT / "simulator" / package).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                      if isinstance(n, ast.Assert)]
    assert found == []
