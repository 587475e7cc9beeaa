"""Start-up stays light: the command line, its help and scenario validation import neither
pandas nor SciPy's slow subpackages (issue 5). Checked in fresh processes by module names,
not by timing; ``benchmarks/bench_startup.py`` measures the times."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

HEAVY = ("pandas", "scipy.stats", "scipy.special", "scipy.optimize", "matplotlib", "pyarrow")

PROBE = """
import contextlib, io, sys
{body}
print("heavy:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def heavy_modules_after(body: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = PROBE.format(body=body, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("heavy:"), done.stdout
    return [m for m in last.removeprefix("heavy:").split(",") if m]


@pytest.mark.parametrize("body", [
    "import simulator",
    "import simulator.cli",
    "from simulator.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main(['--help'])",
    "from simulator.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main(['validate', 'scenarios/government_hall.yaml'])",
])
def test_help_and_validate_import_no_heavy_modules(body):
    assert heavy_modules_after(body) == []


def test_public_names_still_resolve_and_load_their_modules():
    found = heavy_modules_after("from simulator import run_scenario, simulate")
    assert "pandas" in found  # run_scenario writes tables: its module needs pandas
