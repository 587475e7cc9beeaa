"""``servsim teach``: start the classroom app (Streamlit) and print its address.

The command runs ``python -m streamlit run simulator/teach/app.py`` as a child process with a
headless server on ``--host``/``--port`` (no usage statistics, no file watcher, no
development mode: nothing is fetched from the network; the toolbar in viewer mode, so no
Deploy button or developer menu on the projector; error details are not shown in the browser
and uploads are capped at 5 MB, the most a scenario file may be), waits until the server
answers its health check, prints ``servsim teach: open http://HOST:PORT``, opens a browser
unless ``--no-browser``, and waits until interrupted (Ctrl-C or SIGTERM stop the server too).
Streamlit comes with the ``teach`` extra: ``pip install 'servsim[teach]'``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path
from types import FrameType

import click

__all__ = ["APP_PATH", "free_port", "streamlit_command", "teach_command"]

#: The Streamlit script.
APP_PATH = Path(__file__).resolve().parents[1] / "teach" / "app.py"

#: How long to wait for the server's health check, seconds.
START_TIMEOUT_S = 90.0


def streamlit_command(host: str, port: int, app: Path = APP_PATH) -> list[str]:
    """The command line that serves ``app`` headless on ``host:port``.

    Examples
    --------
    >>> streamlit_command("127.0.0.1", 8501)[1:4]
    ['-m', 'streamlit', 'run']
    """
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.address", host,
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
        # a projector shows the lesson, not Streamlit: no Deploy button or developer menu
        "--client.toolbarMode", "viewer",
        # errors in the browser are messages only: no tracebacks, no file contents
        "--client.showErrorDetails", "false",
        "--server.maxUploadSize", "5",  # MB, the most a scenario file may be
    ]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _child_env() -> dict[str, str]:
    """The environment of the server: this ``simulator`` package first on the path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _wait_ready(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(
                f"the Streamlit server stopped while starting (got exit code {proc.returncode}; "
                "expected it to keep running: see its messages above)")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise click.ClickException(f"the Streamlit server did not answer at {url} within "
                               f"{timeout_s:.0f} s (expected its health check to succeed)")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command("teach", context_settings={"show_default": True,
                                          "help_option_names": ["-h", "--help"]})
@click.option("--port", type=click.IntRange(0, 65535), default=8501,
              help="port to serve on; 0 picks a free one")
@click.option("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole "
              "classroom network)")
@click.option("--no-browser", is_flag=True, help="do not open a browser")
def teach_command(port: int, host: str, no_browser: bool) -> None:
    """Start the classroom app: six lessons with sliders, live results and replays.

    Prints the address to open and serves until interrupted (Ctrl-C).
    """
    if importlib.util.find_spec("streamlit") is None:
        raise click.ClickException("the classroom app needs Streamlit (got no streamlit "
                                   "module; expected pip install 'servsim[teach]')")
    if port == 0:
        port = free_port(host)
    url = f"http://{host}:{port}"
    click.echo(f"servsim teach: starting the Streamlit server on {url} ...", err=True)
    proc = subprocess.Popen(streamlit_command(host, port), env=_child_env(),
                            stdout=sys.stderr.fileno(), stdin=subprocess.DEVNULL)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _wait_ready(url, proc, START_TIMEOUT_S)
        click.echo(f"servsim teach: open {url}")
        sys.stdout.flush()
        if not no_browser:
            webbrowser.open(url)
        proc.wait()
        if proc.returncode:
            raise click.ClickException(f"the Streamlit server stopped (got exit code "
                                       f"{proc.returncode}; expected it to keep running)")
    except KeyboardInterrupt:
        click.echo("servsim teach: stopping", err=True)
    finally:
        _stop(proc)
        signal.signal(signal.SIGTERM, previous)
