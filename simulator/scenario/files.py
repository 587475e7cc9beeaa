"""Reading the files a scenario involves, safely: the scenario file itself and the data files
it names (arrival traces, empirical CSVs, satisfaction profiles).

Only regular files are read (a folder, ``/dev/zero``, a pipe or a socket is refused before
any byte is read), each up to a size cap (:data:`MAX_SCENARIO_BYTES` for scenario files,
:data:`MAX_DATA_BYTES` for data files), and text must be UTF-8. Every refusal is a
:class:`DataFileError` whose message names the file, what was found and what was expected.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = [
    "MAX_DATA_BYTES",
    "MAX_SCENARIO_BYTES",
    "DataFileError",
    "decode_utf8",
    "read_capped",
    "read_csv_rows",
    "read_text",
]

#: Scenario files are at most this many bytes (the bundled ones are under 10 KB).
MAX_SCENARIO_BYTES = 5 * 1024 * 1024
#: Data files a scenario names (traces, empirical CSVs, profiles) are at most this many bytes.
MAX_DATA_BYTES = 100 * 1024 * 1024


class DataFileError(ValueError):
    """A file could not be read, or is not what a scenario may read; the message says which
    file, what was found and what was expected."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):,.0f} MB" if n_bytes >= 1024 * 1024 else f"{n_bytes:,} bytes"


def read_capped(path: Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Parameters
    ----------
    path : Path
        The file (symbolic links are followed).
    max_bytes : int
        Size cap; a larger file (or one that grows past it while being read) is refused.
    what : str
        What the file is, for the message (``"scenario file"``, ``"trace"``).

    Raises
    ------
    DataFileError
        If the file is missing or unreadable, not a regular file, or too large.

    Examples
    --------
    >>> try:
    ...     read_capped(Path("/dev/zero"), 10)
    ... except DataFileError as exc:
    ...     print(exc)
    /dev/zero: cannot read it as a file (got a device; expected a regular file)
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read file (got {exc.strerror}; expected an "
                            f"existing {what})") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataFileError(f"{path}: cannot read it as a file (got {_kind(info.st_mode)}; "
                            "expected a regular file)")
    limit = f"{what}s are at most {_mb(max_bytes)}"
    if info.st_size > max_bytes:
        raise DataFileError(f"{path}: too large (got {_mb(info.st_size)}; {limit})")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read file (got {exc.strerror}; expected a "
                            f"readable {what})") from None
    if len(raw) > max_bytes:
        raise DataFileError(f"{path}: too large (got more than {_mb(max_bytes)}; {limit})")
    return raw


def decode_utf8(raw: bytes, name: str, what: str = "file") -> str:
    """``raw`` decoded as UTF-8 (a leading byte-order mark is dropped).

    Raises
    ------
    DataFileError
        Naming the line of the first byte that is not UTF-8.

    Examples
    --------
    >>> decode_utf8(b"time\\n09:00\\n", "a.csv")
    'time\\n09:00\\n'
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(f"{name}:{line}: not UTF-8 text (got byte 0x{raw[exc.start]:02x}; "
                            f"expected a {what} saved as UTF-8)") from None


def read_text(path: Path, max_bytes: int = MAX_DATA_BYTES, what: str = "data file") -> str:
    """The text of a regular UTF-8 file of at most ``max_bytes`` (see :func:`read_capped`)."""
    return decode_utf8(read_capped(path, max_bytes, what), str(path), what)


def read_csv_rows(path: Path, what: str = "CSV file") -> list[dict[str, str]]:
    """The rows of a CSV data file (header line first) as dicts, read with :func:`read_text`.

    Raises
    ------
    DataFileError
        If the file cannot be read (see :func:`read_capped`), is not UTF-8, or is not CSV
        (a NUL byte, an unterminated quote).
    """
    import csv
    import io

    text = read_text(path, MAX_DATA_BYTES, what)
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataFileError(f"{path}: not a CSV file (got {exc}; expected comma-separated "
                            "text with a header line)") from None
