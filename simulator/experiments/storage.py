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

from simulator.engine.records import (
    CUSTOMER_COLUMNS,
    VISIT_COLUMNS,
    RecordChunk,
    Records,
    RecordsMeta,
)
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


def _table_frame(records: Records | RecordsMeta, table: str, replication: int,
                 cols: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    if cols is None:
        cols = _people_columns(records) if table == "people" else getattr(records, table)
    if table == "visits":  # the engine's internal columns stay in memory
        cols = {k: v for k, v in cols.items() if k in VISIT_COLUMNS}
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


class CustomerStream:
    """The customer table of one replication written as the run goes (``--records summary``):
    a record sink that appends the customers whose ids are settled, in id order, so the file
    is the same as one written from the finished records, and memory holds only customers
    who left before an earlier customer did."""

    def __init__(self, meta: RecordsMeta, replication: int, root: Path, fmt: str,
                 partition: str | None = None) -> None:
        self.meta = meta
        self.replication = replication
        self.fmt = fmt
        folder = root / "parts" / "customers" if partition is None else \
            root / "customers" / partition
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"rep={replication:05d}.{fmt}"
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
        frame = _table_frame(self.meta, "customers", self.replication, rows)
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
                    k: np.zeros(0, dtype=t) for k, t in CUSTOMER_COLUMNS.items()})
                empty.to_parquet(self.tmp, index=False)
            else:
                self.writer.close()
        elif self.header:  # no customer at all: the header alone
            _table_frame(self.meta, "customers", self.replication, {
                k: np.zeros(0, dtype=t) for k, t in CUSTOMER_COLUMNS.items()}).to_csv(
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
    """OS, machine and CPU count (STRESS-DES 5.4)."""
    return {
        "os": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "git_commit": _git_commit(),
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
