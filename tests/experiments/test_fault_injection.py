"""Fault injection on results folders: real ``servsim`` processes are run concurrently into one
folder, killed with SIGTERM and SIGKILL mid-run, pointed at a read-only folder and at a full
disk (a tiny tmpfs). Each case ends with the complete old folder, the complete new one, or a
clean error (exit 1, one ``Error:`` line), and no temporary folder or lock left behind
(issue 14, rows 1, 7 and 8; the truncated task file of row 9 is in tests/cli).

Mounting a tmpfs needs a user and mount namespace (``unshare -rm``); where the machine does
not allow one, those two cases skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments.tasks import Task, TaskResult, TaskStore
from tests.helpers import HALL, MINIMAL_SCENARIO, ROOT

#: A run that takes a while: each replication is a 6,000-minute steady state (~6,000 customers).
SLOW = textwrap.dedent("""\
    name: slow
    clock: {open: "00:00"}
    run: {length_min: 6000, replications: 2, seed: 3}
    customer_classes: {c: {pathway: p}}
    arrivals: {w: {rate_per_hour: {"00:00": 60}}}
    stations: {desk: {counters: 2, staffed: false, service: {dist: exponential, mean: 1.5}}}
    pathways: {p: [desk]}
""")
QUIET = ["-q", "--no-figures", "--no-report", "--records", "none"]
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))


def servsim(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simulator", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen, timeout_s: float = 120):
    deadline = time.monotonic() + timeout_s
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"servsim ended before the fault was injected: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run did not start writing its results folder")
        time.sleep(0.05)


def leftovers(parent: Path, name: str) -> list[str]:
    """Temporary folders and lock files of ``name`` in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


@pytest.fixture
def scenarios(tmp_path: Path) -> dict[str, Path]:
    out = {"slow": tmp_path / "slow.yaml", "quick": tmp_path / "quick.yaml"}
    out["slow"].write_text(SLOW, encoding="utf-8")
    out["quick"].write_text(MINIMAL_SCENARIO, encoding="utf-8")
    return out


def test_row01_row08_a_second_run_is_refused_and_sigterm_keeps_the_old_folder(tmp_path,
                                                                              scenarios):
    out = tmp_path / "results" / "run"
    first = CliRunner().invoke(main, ["run", str(scenarios["quick"]), "-n", "1", "-o",
                                      str(out), *QUIET])
    assert first.exit_code == 0, first.output
    old = (out / "manifest.json").read_bytes()

    writer = servsim("run", str(scenarios["slow"]), "-n", "500", "-o", str(out), "--force",
                     *QUIET)
    temp = out.parent / f".run.incomplete-{writer.pid}"
    wait_for(temp.exists, writer)
    # a second run (this process) into the same folder, even with --force, stops at once
    second = CliRunner().invoke(main, ["run", str(scenarios["quick"]), "-n", "1", "-o",
                                       str(out), "--force", *QUIET])
    assert second.exit_code == 1, second.output
    assert (f"Error: {out} is being written by process {writer.pid} right now"
            in second.stderr), second.stderr
    assert writer.poll() is None  # the first run was not disturbed

    writer.send_signal(signal.SIGTERM)
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert (out / "manifest.json").read_bytes() == old  # the complete old folder
    assert manifest(out)["run"]["replications"] == 1
    assert leftovers(out.parent, "run") == []


def test_row08_sigkill_leaves_a_temporary_the_next_run_removes(tmp_path, scenarios):
    parent = tmp_path / "results"
    out = parent / "killed"
    victim = servsim("run", str(scenarios["slow"]), "-n", "500", "-o", str(out), *QUIET)
    temp = parent / f".killed.incomplete-{victim.pid}"
    wait_for(temp.exists, victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    assert temp.exists() and not out.exists()  # nothing looks complete
    assert leftovers(parent, "killed") == sorted([temp.name, ".killed.lock"])

    # the next run into the same parent folder (another name) removes it and says so
    other = CliRunner().invoke(main, ["run", str(scenarios["quick"]), "-n", "1", "-o",
                                      str(parent / "other"), *QUIET])
    assert other.exit_code == 0, other.output
    assert (f"servsim: removed {temp}, left by an interrupted run (process {victim.pid} is "
            "gone)") in other.stderr
    assert sorted(p.name for p in parent.iterdir()) == ["other"]
    assert manifest(parent / "other")["run"]["replications"] == 1


def test_row08_a_killed_sweep_resumes_without_stale_temporaries(tmp_path, scenarios):
    out = tmp_path / "sweep"
    args = ["sweep", str(scenarios["slow"]), "--vary", "stations.desk.counters=2,3", "-n", "4",
            "--seed", "4", "-o", str(out), "-q", "--no-figures", "--no-report"]
    victim = servsim(*args)
    wait_for(lambda: len(list(out.glob("tasks/*/rep=*.json"))) >= 2, victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    done = len(list(out.glob("tasks/*/rep=*.json")))
    stale = out / "tasks" / "x" / f"rep=00000.tmp{victim.pid}"  # as a kill mid-write leaves
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text('{"variant": "x", "repl', encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "simulator", *args], cwd=ROOT, env=ENV,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"removed 1 temporary file(s) an interrupted run left in {out}" in again.stderr
    assert not stale.exists()
    assert manifest(out)["execution"]["reused_tasks"] == done
    assert leftovers(tmp_path, "sweep") == []


def test_task_files_are_flushed_to_disk_before_the_rename(tmp_path, monkeypatch):
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    store = TaskStore(tmp_path)
    store.save(TaskResult("v", 0, 1, {"wait_mean_min": 2.5}))
    assert len(synced) == 1
    assert store.load(Task("v", 0, 1)).kpis == {"wait_mean_min": 2.5}
    assert [p.name for p in (tmp_path / "tasks" / "v").iterdir()] == ["rep=00000.json"]


# ------------------------------------------------------------------ read-only and full disks
def _namespaces_work() -> str | None:
    """None if ``unshare -rm`` can mount a tmpfs here; else why not."""
    if shutil.which("unshare") is None:
        return "no unshare command (util-linux) on this machine"
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True,
                           text=True, timeout=30)
    if probe.returncode != 0:
        return f"this machine does not allow mounting a tmpfs in a user namespace " \
               f"({probe.stderr.strip()[:120]})"
    return None


NAMESPACES = _namespaces_work()


def in_tmpfs(folder: Path, size: str, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) in a mount namespace with a tmpfs of ``size`` on ``folder``;
    ``$SERVSIM`` runs the command line."""
    folder.mkdir(parents=True, exist_ok=True)
    body = (f"mount -t tmpfs -o size={size} tmpfs '{folder}'\n"
            f"SERVSIM='{sys.executable} -m simulator'\n{script}")
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", body],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(NAMESPACES is not None, reason=str(NAMESPACES))
def test_row07_a_full_disk_is_one_error_and_the_old_folder_stays(tmp_path, scenarios):
    disk = tmp_path / "disk"
    done = in_tmpfs(disk, "400k", f"""
        $SERVSIM run '{scenarios["quick"]}' -n 1 -o '{disk}/out' {" ".join(QUIET)}
        old=$(sha256sum '{disk}/out/manifest.json')
        set +e
        $SERVSIM run '{HALL}' -n 8 -o '{disk}/out' --force -q --no-report
        echo "rc=$?"
        test "$old" = "$(sha256sum '{disk}/out/manifest.json')" && echo "old folder intact"
        ls -A '{disk}'
    """)
    lines = done.stdout.splitlines()
    assert "rc=1" in lines and "old folder intact" in lines, done.stdout + done.stderr
    assert lines[-1] == "out"  # no temporary folder, no lock file
    assert "Traceback" not in done.stderr
    assert (f"Error: cannot write results to {disk}/out: no space left on the device (got "
            "ENOSPC") in done.stderr
    assert "nothing was written" in done.stderr


@pytest.mark.skipif(os.geteuid() == 0 and NAMESPACES is not None,
                    reason=f"root ignores folder permissions and {NAMESPACES}")
def test_row07_a_read_only_folder_is_one_error(tmp_path, scenarios):
    folder = tmp_path / "locked"
    if os.geteuid() != 0:  # an ordinary user: take the write permission away
        folder.mkdir()
        folder.chmod(0o555)
        try:
            result = CliRunner().invoke(main, ["run", str(scenarios["quick"]), "-n", "1", "-o",
                                               str(folder / "out"), *QUIET])
        finally:
            folder.chmod(0o755)
        assert result.exit_code == 1
        assert "permission denied (got EACCES" in result.stderr
        assert list(folder.iterdir()) == []
        return
    done = in_tmpfs(folder, "1m", f"""
        mount -o remount,ro '{folder}'
        set +e
        $SERVSIM run '{scenarios["quick"]}' -n 1 -o '{folder}/out' {" ".join(QUIET)}
        echo "rc=$?"
        ls -A '{folder}'
    """)
    assert done.stdout.splitlines() == ["rc=1"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert (f"Error: cannot write results to {folder}/out: the file system is read-only (got "
            "EROFS") in done.stderr
