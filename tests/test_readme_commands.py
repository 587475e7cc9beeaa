"""The README's first screen: two commands that work pasted on a fresh Debian machine, as root
and as a user, and that ``.ci/run`` runs step for step.

The first ``bash`` block of README.md is parsed into its commands (comment lines left out),
each command into its ``&&`` steps. No step may call ``sudo`` directly (a root shell has no
sudo; a user's needs it): installing the browser goes through ``scripts/install-browser``,
which uses ``apt-get`` as root and ``$(command -v sudo) apt-get`` otherwise, with
``apt-get update`` first. ``.ci/run``'s commands, with its virtual environment ``.venv-ci``
read as ``.venv``, must be the README's steps in the same order (the virtual environment is
created once).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from tests.helpers import ROOT

README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"
INSTALL_BROWSER = ROOT / "scripts" / "install-browser"


def readme_commands(text: str) -> list[str]:
    """The commands of the first ```bash block (one per non-comment line)."""
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None, "README.md has no ```bash block"
    return [line.strip() for line in block.group(1).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def steps(command: str) -> list[str]:
    """A command split at ``&&`` into whitespace-normalised steps."""
    return [" ".join(shlex.split(part, posix=False)) for part in command.split("&&")]


def bare_sudo(step: str) -> bool:
    """The step runs ``sudo`` itself (not through ``$(command -v sudo)``)."""
    words = shlex.split(step, posix=False)
    return any(w == "sudo" for w in words)


def ci_steps(text: str) -> list[str]:
    """The commands ``.ci/run`` runs, comments, ``set``, ``cd`` and ``rm`` left out."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith(("set ", "cd ", "rm ")):
            continue
        out.append(" ".join(shlex.split(line.replace(".venv-ci", ".venv"), posix=False)))
    return out


def test_the_first_screen_has_two_commands_without_bare_sudo() -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert len(commands) == 2, commands
    for command in commands:
        for step in steps(command):
            assert not bare_sudo(step), f"README step runs sudo directly: {step!r}"
    assert steps(commands[1])[0] == "scripts/install-browser"


def test_ci_runs_the_same_steps_in_the_same_order() -> None:
    readme: list[str] = []
    for command in readme_commands(README.read_text(encoding="utf-8")):
        for step in steps(command):
            if step not in readme or not step.startswith(("python3 -m venv", ". .venv")):
                readme.append(step)
    assert ci_steps(CI.read_text(encoding="utf-8")) == readme


def test_install_browser_needs_no_bare_sudo_and_updates_first() -> None:
    text = INSTALL_BROWSER.read_text(encoding="utf-8")
    assert INSTALL_BROWSER.stat().st_mode & 0o111, "scripts/install-browser is not executable"
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    calls = [re.sub(r'"[^"]*"', '""', line) for line in code]  # messages and the look-up
    assert not any(re.search(r"(^|[\s;&|(])sudo\s", line) for line in calls)
    assert 'SUDO="$(command -v sudo || true)"' in text
    update = next(i for i, line in enumerate(calls) if "apt-get update" in line)
    install = next(i for i, line in enumerate(calls) if "apt-get install" in line)
    assert update < install
    assert subprocess.run(["bash", "-n", str(INSTALL_BROWSER)], check=False).returncode == 0


def test_install_browser_is_a_no_op_when_the_browser_is_there() -> None:
    """On this machine (and CI's, after the first run) the browser is installed: the script
    says so and changes nothing."""
    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        return  # the browser tests fail with the install hint instead
    out = subprocess.run([str(INSTALL_BROWSER)], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "already installed" in out.stdout
