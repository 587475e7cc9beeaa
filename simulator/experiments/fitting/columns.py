"""Which column of a ticket log holds what: ``--map``, a ``fit.yaml`` file, or common names.

A queue-management export has one row per ticket or per visit. servsim needs to know which
column is the ticket's arrival (``issued``), when it was called and served (``called``,
``start``, ``end``), where and by whom (``counter``, ``staff``), for which service
(``type``), how it ended (``outcome``), which ticket a visit belongs to (``id``), and the
day (``date``, when times carry no date). Columns are found in this order: ``--map
ROLE=COLUMN``; a ``fit.yaml`` file (``columns: {issued: Ticket time, ...}``); a column whose
normalised name is a common name for the role (:data:`COMMON_NAMES`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from simulator.experiments.fitting.quality import LogError

__all__ = ["COMMON_NAMES", "ROLES", "normalise", "parse_map", "read_fit_yaml", "resolve_columns"]

#: Role -> what it means (shown in errors and docs).
ROLES: dict[str, str] = {
    "issued": "when the ticket was issued (the customer's arrival at the line)",
    "called": "when the ticket was called to a counter",
    "start": "when service started (default: the called time)",
    "end": "when service ended, or when an abandoning customer left",
    "counter": "the counter or desk",
    "staff": "the staff member serving",
    "type": "the service type (one line per type)",
    "outcome": "how the visit ended: served, abandoned (no-show, left) or balked",
    "id": "the ticket number (several rows with one number are one customer's visits)",
    "date": "the day, when the time columns hold clock times only",
    "day_type": "a day type (weekday, Saturday, market day, ...) instead of the weekday name",
}

#: Role -> normalised column names recognised without a map.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "issued": ("issued", "issued_at", "issue_time", "time_issued", "ticket_time", "printed",
               "arrival", "arrived", "arrival_time", "created", "created_at", "check_in",
               "checkin", "queued", "queued_at", "joined", "join_time"),
    "called": ("called", "called_at", "call_time", "time_called"),
    "start": ("start", "started", "started_at", "service_start", "start_time", "begin"),
    "end": ("end", "ended", "ended_at", "finished", "finish", "completed", "closed",
            "service_end", "end_time", "done", "left_at"),
    "counter": ("counter", "desk", "window", "workstation", "booth", "position"),
    "staff": ("staff", "clerk", "agent", "employee", "operator", "served_by", "staff_id",
              "user"),
    "type": ("service", "service_type", "type", "queue", "category", "transaction",
             "service_name"),
    "outcome": ("outcome", "status", "result", "state"),
    "id": ("id", "ticket", "ticket_id", "ticket_no", "ticket_number", "number", "visit_id"),
    "date": ("date", "day", "service_date"),
    "day_type": ("day_type",),
}


def normalise(name: str) -> str:
    """Lower-case a column name and join its words with underscores.

    Examples
    --------
    >>> normalise("  Ticket No. ")
    'ticket_no'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def parse_map(specs: Sequence[str]) -> dict[str, str]:
    """``["issued=Ticket time,end=Closed"]`` -> ``{"issued": "Ticket time", "end": "Closed"}``.

    Each spec may hold several ``ROLE=COLUMN`` pairs separated by commas.

    Raises
    ------
    LogError
        For a pair without ``=`` or an unknown role.
    """
    out: dict[str, str] = {}
    for spec in specs:
        for pair in (p for p in spec.split(",") if p.strip()):
            role, eq, column = pair.partition("=")
            role = role.strip()
            if not eq or not column.strip():
                raise LogError(f"--map {pair.strip()!r}: expected ROLE=COLUMN (got no '=')")
            if role not in ROLES:
                raise LogError(f"--map {pair.strip()!r}: unknown role {role!r} (expected one "
                               f"of {', '.join(ROLES)})")
            out[role] = column.strip()
    return out


def read_fit_yaml(path: Path) -> dict[str, Any]:
    """Read a ``fit.yaml``: ``columns:`` (role -> column) and optional settings.

    Recognised keys: ``columns``, ``interval_min``, ``day_type`` (a column), ``dayfirst``,
    ``outcomes`` (value -> served | abandoned | balked). Unknown keys are errors.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = Path(path).read_text(encoding="utf-8")
        data = YAML(typ="safe").load(text) or {}
    except OSError as exc:
        raise LogError(f"{path}: cannot read the fit settings ({exc.strerror})") from None
    except YAMLError as exc:
        raise LogError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise LogError(f"{path}: expected a mapping such as columns: {{issued: COLUMN}} "
                       f"(got {type(data).__name__})")
    allowed = {"columns", "interval_min", "day_type", "dayfirst", "outcomes"}
    extra = sorted(set(data) - allowed)
    if extra:
        raise LogError(f"{path}: unknown key {extra[0]!r} (expected one of "
                       f"{', '.join(sorted(allowed))})")
    cols = data.get("columns") or {}
    if not isinstance(cols, dict) or any(k not in ROLES for k in cols):
        bad = next((k for k in cols if k not in ROLES), cols) if isinstance(cols, dict) else cols
        raise LogError(f"{path}: columns: unknown role {bad!r} (expected one of "
                       f"{', '.join(ROLES)})")
    return {**data, "columns": {k: str(v) for k, v in cols.items()}}


def resolve_columns(header: Sequence[str], explicit: Mapping[str, str], file: str
                    ) -> dict[str, str]:
    """Role -> column of ``header``: explicit names first, then common names.

    Raises
    ------
    LogError
        If an explicit column is not in the header, if two columns claim one role, or if
        there is no column for ``issued``.
    """
    out: dict[str, str] = {}
    got = ", ".join(map(str, header))
    for role, column in explicit.items():
        if column not in header:
            raise LogError(f"{file}: --map {role}={column}: no column {column!r} "
                           f"(got columns {got})")
        out[role] = column
    taken = set(out.values())
    by_norm: dict[str, list[str]] = {}
    for col in header:
        by_norm.setdefault(normalise(col), []).append(col)
    for role, names in COMMON_NAMES.items():
        if role in out or (role == "day_type" and "day_type" not in by_norm):
            continue
        found = [c for n in names for c in by_norm.get(n, []) if c not in taken]
        if len(found) > 1:
            raise LogError(f"{file}: columns {found[0]!r} and {found[1]!r} could both be "
                           f"{role} ({ROLES[role]}) (expected one; say which with "
                           f"--map {role}=COLUMN)")
        if found:
            out[role] = found[0]
            taken.add(found[0])
    if "issued" not in out:
        raise LogError(f"{file}: no column for issued, {ROLES['issued']} (got columns {got}; "
                       f"expected one named {', '.join(COMMON_NAMES['issued'][:4])}, ... or "
                       f"--map issued=COLUMN)")
    return out
