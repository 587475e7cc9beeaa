"""The results directory: record files, KPI tables, the manifest, written atomically.

Layout of ``results/<run>/``::

    manifest.json            what was run, with which software, seeds and stream scheme
    scenario.resolved.yaml   the scenario with every default filled in
    summary.csv              one row per KPI: mean, sd, n, 95% t-interval across replications
    replications.csv         one row per replication: every KPI
    by_hour.csv              per replication, hour of arrival (and clock hour for levels)
    customers.csv            customer records of every replication   (--records summary|full)
    visits.csv               visit records                            (--records full)
    levels.csv               station level series                    (--records full)
    staff.csv                staff going off duty, with lateness      (--records full)
    people.csv               per person (roster slot): on-duty and busy minutes, by station,
                             and utilisation across shift changes     (--records full)
                             (Parquet: folders customers/ ... holding rep=NNNNN.parquet files)
    figures/*.png

Everything is first written to a temporary sibling folder (``.<name>.incomplete-<pid>``), whose
files are flushed to disk before it is renamed to the final name, so an interrupted run never
leaves a folder that looks finished. While a run writes, it holds an exclusive lock
(:func:`folder_lock`, the file ``.<name>.lock`` next to the folder): a second run into the same
folder stops with a clear message instead of replacing the first one's results. Temporary
folders and files left by a run that was killed (SIGKILL, a power cut) are removed by the next
run into the same parent folder, which says so on stderr (:func:`remove_stale`). A folder that
cannot be written (a file, a read-only folder, a full disk) raises :class:`OutputFolderError`
naming the folder and the reason.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine.records import (
    CUSTOMER_COLUMNS,
    VISIT_COLUMNS,
    RecordChunk,
    Records,
    RecordsMeta,
)
from simulator.experiments.oserrors import WRITE_ERRNOS, errno_name, why_not_written
from simulator.measures.staff_use import staff_use_rows

TABLES_BY_MODE = {
    "none": (),
    "summary": ("customers",),
    "full": ("customers", "visits", "levels", "staff", "people"),
}


def parquet_available() -> bool:
    """True when pyarrow is installed (the ``parquet`` extra)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _people_columns(records: Records) -> dict[str, np.ndarray]:
    """Per-person staff use (:func:`simulator.measures.staff_use.staff_use_rows`) as columns."""
    rows = staff_use_rows(records)
    keys = ["slot_id", "staff_group", "on_duty_min", "busy_min", "utilisation",
            *(f"busy_min__{name}" for name in records.station_names)]
    dtypes: dict[str, Any] = {"slot_id": np.int64, "staff_group": object}
    return {k: np.asarray([r[k] for r in rows], dtype=dtypes.get(k, np.float64)) for k in keys}


def _part_name(replication: int, day: int | None, fmt: str) -> str:
    """A part file's name; the day of a calendar follows the replication, so parts sort in
    (replication, day) order."""
    return (f"rep={replication:05d}.{fmt}" if day is None
            else f"rep={replication:05d}-day={day:04d}.{fmt}")


def _table_frame(records: Records | RecordsMeta, table: str, replication: int,
                 cols: dict[str, np.ndarray] | None = None,
                 day: int | None = None) -> pd.DataFrame:
    if cols is None:
        cols = _people_columns(records) if table == "people" else getattr(records, table)
    if table == "visits":  # the engine's internal columns stay in memory
        cols = {k: v for k, v in cols.items() if k in VISIT_COLUMNS}
    n = len(next(iter(cols.values())))
    days = {} if day is None else {"day": np.full(n, day, dtype=np.int32)}
    frame = pd.DataFrame({"replication": np.full(n, replication, dtype=np.int32), **days,
                          **cols})
    names = {
        "station_idx": ("station", records.station_names),
        "class_idx": ("class", records.class_names),
        "group_idx": ("staff_group", records.group_names),
    }
    for col, (label, values) in names.items():
        if col in frame:
            lookup = np.asarray([*list(values), ""], dtype=object)
            frame.insert(frame.columns.get_loc(col), label, lookup[frame[col].to_numpy()])
    return frame


def write_replication_records(
    records: Records, replication: int, root: Path, mode: str, fmt: str,
    partition: str | None = None, day: int | None = None,
) -> list[str]:
    """Write one replication's record tables; return their paths.

    Without ``partition`` the files go to ``root/parts/<table>/`` (joined later by
    :func:`merge_record_parts`); with one, to ``root/<table>/<partition>/`` (Hive style, e.g.
    ``records/visits/variant=v-1a2b/rep=00003.csv``), which is how sweep workers keep theirs.
    With ``day`` (a calendar's day, from 1) the tables get a ``day`` column after
    ``replication``.
    """
    out = []
    for table in TABLES_BY_MODE[mode]:
        folder = root / "parts" / table if partition is None else root / table / partition
        folder.mkdir(parents=True, exist_ok=True)
        frame = _table_frame(records, table, replication, day=day)
        path = folder / _part_name(replication, day, fmt)
        tmp = path.with_suffix(path.suffix + ".tmp")
        if fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
        out.append(str(path))
    return out


class CustomerStream:
    """The customer table of one replication written as the run goes (``--records summary``):
    a record sink that appends the customers whose ids are settled, in id order, so the file
    is the same as one written from the finished records, and memory holds only customers
    who left before an earlier customer did."""

    def __init__(self, meta: RecordsMeta, replication: int, root: Path, fmt: str,
                 partition: str | None = None, day: int | None = None) -> None:
        self.meta = meta
        self.replication = replication
        self.day = day
        self.fmt = fmt
        folder = root / "parts" / "customers" if partition is None else \
            root / "customers" / partition
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / _part_name(replication, day, fmt)
        self.tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        self.pending: list[dict[str, np.ndarray]] = []
        self.header = True
        self.writer: Any = None
        self.tmp.unlink(missing_ok=True)

    def consume(self, chunk: RecordChunk) -> None:
        """Append the customers settled by ``chunk``."""
        self.pending.append(chunk.customers)
        self._write_below(chunk.settled_id)

    def _write_below(self, settled_id: int) -> None:
        parts = [p for p in self.pending if p["customer_id"].size] or self.pending[:1]
        c = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        ready = c["customer_id"] < settled_id
        self.pending = [{k: v[~ready] for k, v in c.items()}]
        if not np.any(ready):
            return
        order = np.argsort(c["customer_id"][ready], kind="stable")
        rows = {k: v[ready][order] for k, v in c.items()}
        frame = _table_frame(self.meta, "customers", self.replication, rows, self.day)
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.tmp, table.schema)
            self.writer.write_table(table)
        else:
            with self.tmp.open("a", encoding="utf-8", newline="") as out:
                frame.to_csv(out, index=False, header=self.header)
            self.header = False

    def finish(self, end_min: float) -> None:
        """Write the rest and move the file into place."""
        self._write_below(1 << 62)
        if self.fmt == "parquet":
            if self.writer is None:
                empty = _table_frame(self.meta, "customers", self.replication, {
                    k: np.zeros(0, dtype=t) for k, t in CUSTOMER_COLUMNS.items()}, self.day)
                empty.to_parquet(self.tmp, index=False)
            else:
                self.writer.close()
        elif self.header:  # no customer at all: the header alone
            _table_frame(self.meta, "customers", self.replication, {
                k: np.zeros(0, dtype=t) for k, t in CUSTOMER_COLUMNS.items()}, self.day).to_csv(
                self.tmp, index=False)
        os.replace(self.tmp, self.path)


def merge_record_parts(root: Path, mode: str, fmt: str) -> list[str]:
    """Join the per-replication parts into one file per table (replication order)."""
    written = []
    for table in TABLES_BY_MODE[mode]:
        folder = root / "parts" / table
        parts = sorted(folder.glob(f"rep=*.{fmt}"))
        if fmt == "parquet":
            target = root / table
            target.mkdir(exist_ok=True)
            for p in parts:
                os.replace(p, target / p.name)
            written.append(table + "/")
        else:
            target = root / f"{table}.csv"
            with target.open("wb") as out:
                for i, p in enumerate(parts):
                    with p.open("rb") as src:
                        header = src.readline()
                        if i == 0:
                            out.write(header)
                        shutil.copyfileobj(src, out)
            written.append(target.name)
    shutil.rmtree(root / "parts", ignore_errors=True)
    return written


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV deterministically (same frame, same bytes)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    path.write_text(buf.getvalue(), encoding="utf-8")


def resolved_yaml(scenario: Any) -> str:
    """The scenario with all defaults, as YAML text."""
    from ruamel.yaml import YAML

    data = scenario.model_dump(mode="json", by_alias=True)
    yaml = YAML()
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def canonical_hash(scenario: Any) -> str:
    """SHA-256 of the scenario's canonical JSON (independent of comments and layout)."""
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


#: Written by the build (``setup.py``): the commit an installed package was built from.
BUILD_FILE = Path(__file__).resolve().parents[1] / "_build.json"


def _build_commit(path: Path | None = None) -> str | None:
    """The commit recorded at build time in ``simulator/_build.json`` (None if absent)."""
    path = BUILD_FILE if path is None else path
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("git_commit") or None
    except (OSError, ValueError, AttributeError):
        return None


def code_commit() -> tuple[str | None, str | None]:
    """``(commit, source)``: the checkout's HEAD (``"checkout"``) when servsim runs from a git
    checkout, else the build commit of the installed package (``"build"``), else
    ``(None, None)``."""
    commit = _git_commit()
    if commit is not None:
        return commit, "checkout"
    commit = _build_commit()
    return (commit, "build") if commit is not None else (None, None)


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parents[2]
    if not (here / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def software_versions() -> dict[str, str]:
    """Versions of servsim, Python and the libraries results depend on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("servsim", "simpy", "numpy", "scipy", "pandas", "pydantic", "joblib",
                "matplotlib", "ruamel.yaml"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def platform_info() -> dict[str, Any]:
    """OS, machine and CPU count (STRESS-DES 5.4), the command line, and the code's commit
    (:func:`code_commit`: ``git_commit`` and ``git_commit_source``, checkout or build)."""
    commit, source = code_commit()
    return {
        "os": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "git_commit": commit,
        "git_commit_source": source,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


class OutputFolderError(Exception):
    """A results folder cannot be written: the message names the folder, what went wrong and
    what to do; nothing half-written is left behind."""


class FolderBusyError(OutputFolderError, FileExistsError):
    """Another process is writing the same results folder right now."""


def notice(message: str) -> None:
    """Tell the user something on stderr (what the library cleaned up, a task recomputed)."""
    sys.stderr.write(f"servsim: {message}\n")
    sys.stderr.flush()


def describe_os_error(exc: OSError, target: Path, after: str) -> str:
    """One line saying why ``target`` could not be written, e.g. ``cannot write results to
    out: no space left on the device (got ENOSPC on out/summary.csv; expected free space on
    the device: free some, or choose another -o); nothing was written``.

    Examples
    --------
    >>> import errno
    >>> describe_os_error(OSError(errno.EROFS, "Read-only file system", "r/x"), Path("r"),
    ...                   "nothing was written")[:60]
    'cannot write results to r: the file system is read-only (got'
    """
    why, fix = why_not_written(exc)
    where = f" on {exc.filename}" if exc.filename else ""
    return (f"cannot write results to {target}: {why} (got {errno_name(exc.errno)}{where}; "
            f"expected {fix}); {after}")


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: lock the first byte instead
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _acquire(target: Path) -> int | None:
    """The fd of ``target``'s lock file, locked exclusively, or None if another process holds
    it. The lock file is checked to still be the one at its path after locking (a process
    releasing it unlinks it), so two processes never both believe they hold it."""
    path = _lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # unlinked by its holder meanwhile: take the new one


def _release(target: Path, fd: int) -> None:
    try:
        os.unlink(_lock_path(target))
    except OSError:
        pass
    os.close(fd)


def _holder(target: Path) -> str:
    try:
        pid = _lock_path(target).read_text(encoding="utf-8").strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


@contextmanager
def folder_lock(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of results folder ``target`` (``.<name>.lock`` beside it).

    Raises
    ------
    FolderBusyError
        If another process holds it (a run writing the same folder right now).
    OutputFolderError
        If the lock file cannot be created (the parent is read-only, or a file).
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = _acquire(target)
    except OSError as exc:
        raise OutputFolderError(describe_os_error(exc, target, "nothing was written")) from None
    if fd is None:
        raise FolderBusyError(f"{target} is being written by {_holder(target)} right now "
                              "(got its lock; expected no other run into the same folder): "
                              "wait for it to finish, or choose another -o")
    try:
        yield
    finally:
        _release(target, fd)


_SIBLING = re.compile(r"^\.(?P<name>.+)\.(?:incomplete|old)-(?P<pid>\d+)$")
_TEMP_FILE = re.compile(r"\.tmp\d*$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours
        return True
    return True


def remove_stale(parent: Path, own: str | None = None) -> list[Path]:
    """Remove temporary folders that runs killed before finishing left in ``parent``.

    A ``.<name>.incomplete-<pid>`` (or ``.<name>.old-<pid>``) folder is stale when process
    ``pid`` is gone and nobody holds the lock of ``<name>``; ``own`` names the folder whose
    lock the caller holds. Each removal is said on stderr. A run killed in the instant
    between moving the previous results aside (``.<name>.old-<pid>``) and moving its own into
    place leaves no ``<name>``: the previous results are then put back, not removed.

    Returns
    -------
    list of Path
        What was removed.
    """
    removed: list[Path] = []
    try:
        entries = sorted(Path(parent).iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _SIBLING.match(entry.name)
        if m is None or _alive(int(m.group("pid"))):
            continue
        name = m.group("name")
        fd = None
        if name != own:
            fd = _acquire(Path(parent) / name)
            if fd is None:
                continue  # a run is writing that folder right now
        final = Path(parent) / name
        try:
            if ".old-" in entry.name and not final.exists():
                os.replace(entry, final)
                notice(f"restored {final} from {entry.name}, which an interrupted run had "
                       "moved aside to replace it")
                continue
            shutil.rmtree(entry, ignore_errors=True)
        finally:
            if fd is not None:
                _release(final, fd)
        if not entry.exists():
            removed.append(entry)
            notice(f"removed {entry}, left by an interrupted run (process {m.group('pid')} "
                   "is gone)")
    return removed


def remove_temp_files(folder: Path) -> list[Path]:
    """Remove temporary files (``*.tmp``, ``*.tmp<pid>``) an interrupted run left inside an
    experiment folder whose lock the caller holds; said on stderr."""
    stale = [p for p in Path(folder).rglob("*") if _TEMP_FILE.search(p.name) and p.is_file()]
    for p in stale:
        p.unlink(missing_ok=True)
    if stale:
        notice(f"removed {len(stale)} temporary file(s) an interrupted run left in {folder}")
    return stale


def fsync_file(path: Path) -> None:
    """Flush a written file to the disk (before it is renamed into place)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fsync_file(Path(folder) / name)


def _is_output_error(exc: OSError, *paths: Path) -> bool:
    """True if ``exc`` is about writing under one of ``paths`` (or names no file)."""
    if exc.filename is None:
        return exc.errno in WRITE_ERRNOS
    name = os.path.abspath(str(exc.filename))
    return any(name.startswith(os.path.abspath(str(p))) for p in paths)


@contextmanager
def atomic_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``target`` only if the block completes.

    The lock of ``target`` is held throughout (:func:`folder_lock`); stale temporary folders
    of killed runs in the same parent are removed first (:func:`remove_stale`). On any error
    or interruption (including SIGTERM, which the command line turns into ``SystemExit``) the
    temporary folder is removed and ``target`` is left as it was.

    Raises
    ------
    FileExistsError
        If ``target`` exists and is not empty, unless ``force``.
    FolderBusyError
        If another process is writing ``target``.
    OutputFolderError
        If ``target`` is a file, or the folder cannot be written (read-only, full, ...).
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"cannot write results to {target}: it is a file (got a file; "
                                "expected a folder name for the results, -o)")
    with folder_lock(target):
        remove_stale(target.parent, own=target.name)
        if target.exists() and any(target.iterdir()) and not force:
            raise FileExistsError(f"{target} exists and is not empty (use --force to replace "
                                  "it)")
        tmp = target.parent / f".{target.name}.incomplete-{os.getpid()}"
        try:
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir()
        except OSError as exc:
            raise OutputFolderError(describe_os_error(exc, target, "nothing was written")
                                    ) from None
        try:
            yield tmp
            _fsync_tree(tmp)
            if target.exists():
                old = target.parent / f".{target.name}.old-{os.getpid()}"
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and exc.filename == str(tmp):
                raise FileExistsError(f"{target} appeared while the results were computed (got "
                                      "a non-empty folder; expected none): nothing was replaced; "
                                      "use --force to replace it") from None
            if not _is_output_error(exc, target.parent):
                raise
            raise OutputFolderError(describe_os_error(exc, target, "nothing was written")
                                    ) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
