"""The manifest's code commit: git's HEAD from a checkout, the build's record otherwise.

``setup.py`` writes ``simulator/_build.json`` into every built package (and into sdists, so a
wheel built from an sdist without git keeps the commit); ``platform_info`` reads git first,
then that file.
"""

from __future__ import annotations

import json
import runpy
import subprocess
from pathlib import Path

from simulator.experiments import storage
from tests.helpers import ROOT

SETUP = runpy.run_path(str(ROOT / "setup.py"), run_name="servsim_setup_hooks")


def _head() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_a_build_from_the_checkout_records_its_head(tmp_path: Path) -> None:
    path = SETUP["write_build_file"](tmp_path)
    assert path == tmp_path / "simulator" / "_build.json"
    assert json.loads(path.read_text())["git_commit"] == _head()


def test_a_build_from_an_sdist_keeps_the_sdists_commit(tmp_path: Path) -> None:
    sdist = tmp_path / "servsim-0.1.0"  # no .git here: what pip unpacks
    (sdist / "simulator").mkdir(parents=True)
    (sdist / "simulator" / "_build.json").write_text('{"git_commit": "abc123"}\n')
    assert SETUP["build_commit"](sdist) == "abc123"
    out = SETUP["write_build_file"](tmp_path / "build", sdist)
    assert json.loads(out.read_text())["git_commit"] == "abc123"
    assert SETUP["build_commit"](tmp_path / "empty") is None


def test_platform_info_prefers_the_checkout_then_the_build(tmp_path: Path, monkeypatch) -> None:
    info = storage.platform_info()
    assert (info["git_commit"], info["git_commit_source"]) == (_head(), "checkout")
    build = tmp_path / "_build.json"
    build.write_text('{"git_commit": "abc123"}\n')
    monkeypatch.setattr(storage, "_git_commit", lambda: None)  # an installed package
    monkeypatch.setattr(storage, "BUILD_FILE", build)
    assert storage.code_commit() == ("abc123", "build")
    build.unlink()
    assert storage.code_commit() == (None, None)
