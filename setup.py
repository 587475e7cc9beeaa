"""Build hooks only (metadata, dependencies and extras live in setup.cfg).

Every results folder's manifest records the commit of the servsim that made it. Run from a git
checkout, servsim asks git; an installed package cannot, so the build writes the commit into
the package as ``simulator/_build.json``:

- building from a checkout (``pip install .``, a wheel): ``git rev-parse HEAD``;
- making an sdist: the same file goes into the sdist, so a wheel built later from the sdist
  (where there is no git) keeps the commit it was made from.

Without git and without that file the commit is recorded as unknown (null).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
BUILD_FILE = Path("simulator") / "_build.json"


def build_commit(source: Path = HERE) -> str | None:
    """The commit ``source`` is built from: git's HEAD, else the sdist's ``_build.json``."""
    try:
        out = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    existing = source / BUILD_FILE
    if existing.exists():
        return json.loads(existing.read_text(encoding="utf-8")).get("git_commit")
    return None


def write_build_file(root: Path, source: Path = HERE) -> Path:
    """Write ``root/simulator/_build.json`` with the commit of ``source``."""
    path = Path(root) / BUILD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"git_commit": build_commit(source)}) + "\n", encoding="utf-8")
    return path


class BuildPy(build_py):
    """``build_py`` that also writes the build commit into the built package."""

    def run(self) -> None:
        super().run()
        write_build_file(Path(self.build_lib))


class Sdist(sdist):
    """``sdist`` that puts the build commit into the source distribution."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        target = Path(base_dir) / BUILD_FILE
        if target.exists():  # a hard link to the checkout's copy: never write through it
            target.unlink()
        write_build_file(Path(base_dir))


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
