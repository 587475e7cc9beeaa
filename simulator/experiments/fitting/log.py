"""Read a queue system's ticket log into clean visits, counting every row left out.

:func:`read_log` reads a CSV (or, with the ``excel`` extra, an ``.xlsx`` sheet), maps its
columns (:mod:`.columns`), parses the times and checks each row. The result,
:class:`TicketLog`, holds one row per usable visit with times in minutes after midnight of
the ticket's day, and the :class:`~.quality.DataQuality` table of everything left out.

Rules (each with its reason in ``data_quality.csv``):

* a row needs an issued time that parses; a served row needs a service start (``start``,
  else ``called``) and an ``end`` after it; a wait or service may not be negative, zero-length
  services (a mis-click) and absurd ones (over ``max_service_min``, or waits over
  ``max_wait_min``) are left out;
* the outcome is read from the ``outcome`` column (:data:`OUTCOME_WORDS`); without one, a
  row with a service start is served and one without is abandoned at its ``end`` time;
* rows with the same ticket, service type and issued time as an earlier row are duplicates;
  visits of one ticket (same ``id`` on the same day) are its pathway, in issued order, and a
  visit may not start before the previous one ended;
* days between the first and last day with no tickets, and days with fewer than a fifth of
  the median day's tickets (a partial export), are reported; the latter are left out.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.experiments.fitting.columns import normalise, resolve_columns
from simulator.experiments.fitting.quality import DataQuality, LogError

__all__ = ["OUTCOME_WORDS", "LogSettings", "TicketLog", "read_log", "station_name"]

#: Normalised outcome values -> served | abandoned | balked.
OUTCOME_WORDS: dict[str, str] = {
    **dict.fromkeys(("served", "completed", "complete", "done", "finished", "ok", "closed",
                     "transferred"), "served"),
    **dict.fromkeys(("abandoned", "no_show", "noshow", "left", "walked_out", "walkout",
                     "cancelled", "canceled", "reneged", "missed", "lost"), "abandoned"),
    **dict.fromkeys(("balked", "balk", "not_joined", "turned_away", "refused"), "balked"),
}

_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass(frozen=True)
class LogSettings:
    """How to read a log (the options of ``servsim fit``)."""

    columns: tuple[tuple[str, str], ...] = ()
    dayfirst: bool = False
    max_service_min: float = 240.0
    max_wait_min: float = 480.0
    outcomes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TicketLog:
    """The usable visits of a log.

    ``visits`` columns: ``line`` (file line or sheet row), ``day`` (``YYYY-MM-DD``),
    ``day_type``, ``ticket`` (unique per day), ``step`` (visit number from 0), ``station``
    (service type as a scenario name), ``type`` (as written), ``join_min`` (joined the line,
    minutes after midnight), ``start_min``, ``end_min`` (NaN when not served; for an
    abandonment ``end_min`` is when the customer left, NaN if not recorded), ``outcome``
    (served, abandoned, balked), ``staff``, ``counter`` (strings, empty if unknown).
    """

    path: Path
    sha256: str
    visits: pd.DataFrame
    quality: DataQuality
    columns: dict[str, str]
    rows_read: int
    days: tuple[str, ...]
    time_resolution_min: float

    @property
    def stations(self) -> list[str]:
        """Service types, the most visited first (ties by name)."""
        counts = self.visits["station"].value_counts()
        return sorted(counts.index, key=lambda s: (-int(counts[s]), s))


def station_name(label: str) -> str:
    """A scenario name for a service type as the log writes it.

    Examples
    --------
    >>> station_name("Driving licence"), station_name("2nd floor")
    ('driving_licence', 's_2nd_floor')
    """
    s = normalise(label) or "service"
    return (s if re.match(r"^[A-Za-z_]", s) else f"s_{s}")[:64]


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows (strings) and the file line (or sheet row) of each row."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise LogError(f"{path}: reading .xlsx needs openpyxl (got no openpyxl; expected "
                           "pip install 'servsim[excel]', or export the sheet as CSV)") from None
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        header = [str(c) for c in frame.columns]
        rows = frame.astype(str).to_numpy().tolist()
        return header, rows, list(range(2, len(rows) + 2))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LogError(f"{path}: cannot read the log ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LogError(f"{path}: not UTF-8 text (expected a CSV export in UTF-8)") from None
    lines = text.splitlines()
    first = 0
    while first < len(lines) and (not lines[first].strip() or lines[first].startswith("#")):
        first += 1
    if first >= len(lines):
        raise LogError(f"{path}: no header row (got an empty file; expected a CSV with one "
                       "row per ticket)")
    sample = "\n".join(lines[first:first + 20])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines[first:], dialect)
    header = [h.strip() for h in next(reader)]
    rows, numbers = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        rows.append(row + [""] * (len(header) - len(row)))
        numbers.append(first + reader.line_num)
    return header, rows, numbers


def _clock_only(values: pd.Series) -> bool:
    """Whether a column's first non-empty values are clock times without a date."""
    text = values.str.strip()
    nonempty = text[text != ""]
    return bool(len(nonempty)) and bool(nonempty.head(200).str.match(_CLOCK).mean() >= 0.5)


def _parse_times(values: pd.Series, dates: pd.Series | None, dayfirst: bool) -> pd.Series:
    """Datetimes of a column (NaT where empty or unparseable); clock times join ``dates``
    (or one nominal day when there is no date column)."""
    text = values.str.strip()
    if _clock_only(values):
        day = dates.str.strip() if dates is not None else "2000-01-03"
        text = (day + " " + text).where(text != "", "")
    parsed = pd.to_datetime(text.where(text != ""), errors="coerce", format="ISO8601")
    bad = parsed.isna() & (text != "")
    if bad.mean() > 0.5:
        parsed = pd.to_datetime(text.where(text != ""), errors="coerce", format="mixed",
                                dayfirst=dayfirst)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _resolution_min(times: np.ndarray) -> float:
    """The clock's resolution in minutes: 1 if every time is a whole minute, 1/60 if whole
    seconds, else 0 (finer)."""
    t = times[np.isfinite(times)] * 60.0
    if t.size == 0:
        return 0.0
    if np.all(np.abs(t / 60.0 - np.round(t / 60.0)) < 1e-6):
        return 1.0
    if np.all(np.abs(t - np.round(t)) < 1e-6):
        return 1.0 / 60.0
    return 0.0


def read_log(path: str | Path, settings: LogSettings = LogSettings()) -> TicketLog:
    """Read and check a ticket log.

    Parameters
    ----------
    path : str or Path
        A CSV file (comment lines starting with ``#`` before the header are skipped) or an
        ``.xlsx`` workbook (first sheet; needs ``pip install 'servsim[excel]'``).
    settings : LogSettings
        Column map, date order, limits of plausible durations, extra outcome words.

    Returns
    -------
    TicketLog
        The usable visits and the data-quality table.

    Raises
    ------
    LogError
        If the file cannot be read, a needed column is missing or nothing usable is left.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LogError(f"{p}: cannot read the log ({exc.strerror})") from None
    header, rows, lines = _read_rows(p)
    cols = resolve_columns(header, dict(settings.columns), str(p))
    if not rows:
        raise LogError(f"{p}: no rows after the header (expected one row per ticket)")
    frame = pd.DataFrame(rows, columns=header, dtype=str) if len(set(header)) == len(header) \
        else None
    if frame is None:
        raise LogError(f"{p}: two columns share one name (got columns {', '.join(header)})")
    dq = DataQuality()
    line = pd.Series(lines, dtype=np.int64)

    def col(role: str) -> pd.Series | None:
        return frame[cols[role]].fillna("") if role in cols else None

    dates = col("date")
    issued = _parse_times(col("issued"), dates, settings.dayfirst)  # type: ignore[arg-type]
    has_date = dates is not None or not _clock_only(col("issued"))  # type: ignore[arg-type]
    empty_series = pd.Series([""] * len(frame), dtype=str)
    called_t = _parse_times(col("called"), dates, settings.dayfirst) if "called" in cols \
        else pd.Series(pd.NaT, index=frame.index)
    start_t = _parse_times(col("start"), dates, settings.dayfirst) if "start" in cols \
        else called_t
    end_t = _parse_times(col("end"), dates, settings.dayfirst) if "end" in cols \
        else pd.Series(pd.NaT, index=frame.index)
    keep = pd.Series(True, index=frame.index)

    def drop(mask: pd.Series, reason: str, effect: str = "row left out") -> None:
        m = mask & keep
        dq.add(reason, line[m].tolist(), effect)
        if effect == "row left out":
            keep[m] = False

    issued_text = col("issued").str.strip()  # type: ignore[union-attr]
    drop(issued_text == "", "no issued time")
    drop(issued.isna(), f"unparseable issued time (column {cols['issued']!r})")
    for role, series in (("called", called_t), ("start", start_t), ("end", end_t)):
        if role in cols:
            text = col(role).str.strip()  # type: ignore[union-attr]
            drop(series.isna() & (text != ""), f"unparseable {role} time (column {cols[role]!r})")
    # outcome
    if "outcome" in cols:
        words = dict(OUTCOME_WORDS)
        words.update({normalise(k): v for k, v in settings.outcomes})
        norm = col("outcome").map(normalise)  # type: ignore[union-attr]
        outcome = norm.map(words)
        unknown = outcome.isna()
        if (unknown & keep).any():
            seen = sorted(set(col("outcome")[unknown & keep]))[:5]  # type: ignore[index]
            dq.add("unknown outcome value", line[unknown & keep].tolist(),
                   detail="got " + ", ".join(repr(s) for s in seen) + "; expected served, "
                   "abandoned or balked (or outcomes: in fit.yaml)")
            keep[unknown] = False
        outcome = outcome.fillna("")
    else:
        outcome = pd.Series(np.where(start_t.notna(), "served", "abandoned"), index=frame.index)
    served = outcome == "served"
    drop(served & (start_t.isna() | end_t.isna()), "served but no service start or end time")
    drop(served & (end_t < start_t), "service ends before it starts")
    drop(served & (end_t == start_t), "service of zero length (a mis-click?)")
    drop(start_t.notna() & (start_t < issued), "called before the ticket was issued "
         "(negative wait)")
    aband = outcome == "abandoned"
    drop(aband & end_t.notna() & (end_t < issued), "left before the ticket was issued")
    service_min = (end_t - start_t).dt.total_seconds() / 60.0
    wait_min = (start_t.where(served, end_t) - issued).dt.total_seconds() / 60.0
    drop(served & (service_min > settings.max_service_min),
         f"service longer than {settings.max_service_min:g} min (absurd duration)")
    drop(wait_min > settings.max_wait_min,
         f"wait longer than {settings.max_wait_min:g} min (absurd duration)")
    # service type
    types = col("type") if "type" in cols else pd.Series(["service"] * len(frame))
    types = types.str.strip()  # type: ignore[union-attr]
    drop(types == "", "no service type")
    # days and minutes after midnight
    day_ts = issued.dt.normalize()
    if has_date:
        day = day_ts.dt.strftime("%Y-%m-%d")
    else:
        day = pd.Series(["day 1"] * len(frame))
        dq.add("times without dates: the log is read as one day", [], "note",
               count=int(keep.sum()))

    def minutes(t: pd.Series) -> np.ndarray:
        return ((t - day_ts).dt.total_seconds() / 60.0).to_numpy(dtype=float)

    ids = col("id") if "id" in cols else pd.Series(
        [f"row{n}" for n in lines], dtype=str)
    ticket = day.astype(str) + "/" + ids.str.strip()  # type: ignore[union-attr]
    drop(ids.str.strip() == "", "no ticket number")  # type: ignore[union-attr]
    out = pd.DataFrame({
        "line": line, "day": day, "ticket": ticket, "type": types,
        "station": types.map(station_name), "issued_min": minutes(issued),
        "start_min": np.where(served, minutes(start_t), np.nan),
        "end_min": np.where(served | aband, minutes(end_t), np.nan),
        "outcome": outcome,
        "staff": (col("staff") if "staff" in cols else empty_series).str.strip().to_numpy(),
        "counter": (col("counter") if "counter" in cols else empty_series).str.strip()
        .to_numpy(),
        "day_type": (col("day_type").str.strip() if "day_type" in cols  # type: ignore[union-attr]
                     else issued.dt.day_name().fillna("day")).to_numpy(),
    })
    # name clashes after turning types into scenario names
    pairs = out.loc[keep, ["type", "station"]].drop_duplicates()
    clash = pairs[pairs["station"].duplicated(keep=False)]
    if not clash.empty:
        raise LogError(f"{p}: service types {', '.join(map(repr, clash['type']))} give the same "
                       f"scenario name {clash['station'].iloc[0]!r} (expected types that differ "
                       "in letters or digits)")
    out = out[keep.to_numpy()].copy()
    dup = out.duplicated(["ticket", "type", "issued_min"], keep="first")
    dq.add("duplicate row (same ticket, service type and issued time as an earlier row)",
           out.loc[dup, "line"].tolist())
    out = out[~dup]
    out = _order_visits(out, dq)
    out = _check_days(out, dq, has_date)
    if out.empty:
        raise LogError(f"{p}: no usable rows ({dq.rows_out()} of {len(rows)} left out; see "
                       "the reasons above)")
    res = _resolution_min(np.concatenate([out["issued_min"].to_numpy(),
                                          out["start_min"].to_numpy()]))
    return TicketLog(p, hashlib.sha256(raw).hexdigest(), out.reset_index(drop=True), dq, cols,
                     len(rows), tuple(sorted(out["day"].unique())), res)


def _order_visits(out: pd.DataFrame, dq: DataQuality) -> pd.DataFrame:
    """Number each ticket's visits in issued order; a visit joins the line when issued, or
    when the previous visit ended if that is later; drop visits overlapping the previous."""
    out = out.sort_values(["ticket", "issued_min", "start_min", "line"], kind="stable")
    prev_end = out.groupby("ticket", sort=False)["end_min"].shift(1)
    prev_out = out.groupby("ticket", sort=False)["outcome"].shift(1)
    bad = (prev_end.notna() & out["start_min"].notna() & (out["start_min"] < prev_end - 1e-9)) \
        | prev_out.isin(["abandoned", "balked"])
    dq.add("visit starts before the ticket's previous visit ended, or follows one that was "
           "not served", out.loc[bad, "line"].tolist())
    out = out[~bad.to_numpy()].copy()
    prev_end = out.groupby("ticket", sort=False)["end_min"].shift(1)
    out["join_min"] = np.fmax(out["issued_min"].to_numpy(), prev_end.to_numpy())
    out["step"] = out.groupby("ticket", sort=False).cumcount()
    return out


def _check_days(out: pd.DataFrame, dq: DataQuality, has_date: bool) -> pd.DataFrame:
    """Report days with no tickets and leave out days with very few (partial exports)."""
    if not has_date or out.empty:
        return out
    tickets = out.groupby("day")["ticket"].nunique()
    median = float(tickets.median())
    few = tickets[tickets < 0.2 * median]
    for d, n in few.items():
        rows = out.loc[out["day"] == d, "line"]
        dq.add("day with under a fifth of the median day's tickets (a partial export?)",
               rows.tolist(), detail=f"{d}: {n} tickets (median {median:g})")
    out = out[~out["day"].isin(few.index)]
    days = pd.to_datetime(pd.Series(sorted(tickets.index)))
    seen_weekdays = {d.weekday() for d in days} | {0, 1, 2, 3, 4}  # and Monday to Friday
    if len(days) >= 2:
        span = pd.date_range(days.iloc[0], days.iloc[-1], freq="D")
        have = {f"{d:%Y-%m-%d}" for d in days}
        missing = [d for d in span if d.weekday() in seen_weekdays
                   and f"{d:%Y-%m-%d}" not in have]
        if missing:
            dq.add("day with no tickets (closed, or missing from the export)", [], "note",
                   detail=", ".join(f"{d:%Y-%m-%d} ({d:%A})" for d in missing),
                   count=len(missing))
    return out
