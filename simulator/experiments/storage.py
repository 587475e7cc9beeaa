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

Everything is first written to a temporary sibling folder, which is renamed to the final name
only when complete, so an interrupted run never leaves a folder that looks finished.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine.records import Records
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


def _table_frame(records: Records, table: str, replication: int) -> pd.DataFrame:
    cols = _people_columns(records) if table == "people" else getattr(records, table)
    frame = pd.DataFrame({"replication": np.full(len(next(iter(cols.values()))), replication,
                                                 dtype=np.int32), **cols})
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
    partition: str | None = None,
) -> list[str]:
    """Write one replication's record tables; return their paths.

    Without ``partition`` the files go to ``root/parts/<table>/`` (joined later by
    :func:`merge_record_parts`); with one, to ``root/<table>/<partition>/`` (Hive style, e.g.
    ``records/visits/variant=v-1a2b/rep=00003.csv``), which is how sweep workers keep theirs.
    """
    out = []
    for table in TABLES_BY_MODE[mode]:
        folder = root / "parts" / table if partition is None else root / table / partition
        folder.mkdir(parents=True, exist_ok=True)
        frame = _table_frame(records, table, replication)
        path = folder / f"rep={replication:05d}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        if fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
        out.append(str(path))
    return out


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


@contextmanager
def atomic_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``target`` only if the block completes.

    Raises
    ------
    FileExistsError
        If ``target`` exists and is not empty, unless ``force``.
    """
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not force:
        raise FileExistsError(f"{target} exists and is not empty (use --force to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.incomplete-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)
