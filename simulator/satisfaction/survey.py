"""Customer survey files for calibration (satisfaction.md §2.13): read, check, tabulate.

One CSV row per respondent, linked to what happened in their visit. Columns (names are
case-sensitive; ``<stage>`` is a station name of the scenario; list the stage columns in
the order customers visit the stations -- that order gives the phases and the "end"):

=============================  =================================================================
column                         meaning
=============================  =================================================================
``csat``                       overall satisfaction 1-5 (required)
``respondent``                 an id (optional, reported only)
``class``                      customer class (optional; expectation scales, per-class KANO)
``outcome``                    ``served`` (default) or ``abandoned`` (left the last stage's line)
``time_in_system_min``         time in the facility (for a whole-visit standard)
``complaint``, ``returned``    0/1: complained; came back / would recommend (fit the two heads)
``servqual__<dimension>``      SERVQUAL item 1-5 (3 = as expected) for reliability,
                               responsiveness, assurance, empathy, tangibles
``wait_min__<stage>``          actual wait at the stage, minutes; empty = stage not visited
``perceived_min__<stage>``     "how long did you wait?" (fits m0 and b)
``acceptable_min__<stage>``,   the wait the respondent calls acceptable / ideal (gap 1/2 report)
``ideal_min__<stage>``
``queue__<stage>``             people waiting when they arrived (default 0)
``servers__<stage>``           servers on duty then (default: the station's counters)
``overtaken__<stage>``         later arrivals served first (default 0)
``skill__<stage>``             training level 1-5 of the server (default: the staff group's)
``failure__<stage>``           severity of a service failure in (0, 1]; empty or 0 = none
``fixed__<stage>``, ``apology__<stage>``, ``follow_up__<stage>``   0/1 recovery actions
                               (default: the station's ``failure.actions``)
``compensation__<stage>``      compensation relative to the price of the failed item
``resolution_min__<stage>``    minutes from the failure to its fix (default: on time if fixed)
=============================  =================================================================

Errors name the file, the line and the column:
``survey.csv:14: wait_min__window: must be a number >= 0 (got 'ten')``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from simulator.scenario.satisfaction_params import DIMENSIONS, SatisfactionConfig

from .tables import (
    OUTCOME_ABANDONED,
    OUTCOME_SERVED,
    PHASE_IN,
    PHASE_POST,
    PHASE_PRE,
    CustomerTable,
    StageTable,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "STAGE_FIELDS",
    "StageContext",
    "Survey",
    "SurveyError",
    "read_survey",
    "survey_from_frame",
]

#: Per-respondent columns.
CUSTOMER_FIELDS: tuple[str, ...] = (
    "csat", "respondent", "class", "outcome", "time_in_system_min", "complaint", "returned",
)
#: Per-stage column prefixes (``<field>__<stage>``).
STAGE_FIELDS: tuple[str, ...] = (
    "wait_min", "perceived_min", "acceptable_min", "ideal_min", "queue", "servers",
    "overtaken", "skill", "failure", "fixed", "apology", "follow_up", "compensation",
    "resolution_min",
)


class SurveyError(ValueError):
    """A survey file cannot be used; the message names file, line and column."""


class StageContext(Protocol):
    """What a survey needs to know about the scenario's stations (per-station arrays, as in
    :class:`simulator.satisfaction.compiled.SatisfactionModel`)."""

    @property
    def config(self) -> SatisfactionConfig: ...

    @property
    def station_names(self) -> tuple[str, ...]: ...

    @property
    def class_names(self) -> tuple[str, ...]: ...

    @property
    def adequate(self) -> np.ndarray: ...

    @property
    def desired(self) -> np.ndarray: ...

    @property
    def kano(self) -> np.ndarray: ...

    @property
    def promise(self) -> np.ndarray: ...

    @property
    def occupied(self) -> np.ndarray: ...

    @property
    def informed(self) -> np.ndarray: ...

    @property
    def phase(self) -> np.ndarray: ...

    @property
    def area_capacity(self) -> np.ndarray: ...

    @property
    def station_skill(self) -> np.ndarray: ...

    @property
    def counters(self) -> np.ndarray: ...

    @property
    def nominal(self) -> np.ndarray: ...

    @property
    def severity(self) -> np.ndarray: ...

    @property
    def fix(self) -> np.ndarray: ...

    @property
    def apology(self) -> np.ndarray: ...

    @property
    def follow_up(self) -> np.ndarray: ...

    @property
    def compensation(self) -> np.ndarray: ...

    @property
    def recovery_standard(self) -> np.ndarray: ...

    @property
    def visit_adequate(self) -> float: ...

    @property
    def visit_desired(self) -> float: ...

    @property
    def visit_kano(self) -> int: ...


@dataclass(frozen=True)
class Survey:
    """A survey as model inputs plus the answers to fit.

    ``stages``/``customers`` are the model's tables (one customer per respondent);
    ``csat`` (int 1..5), ``complaint``/``returned`` (float 0/1, NaN = not asked) and
    ``items`` (n × 5 SERVQUAL scores mapped to [−1, 1], NaN = not asked) are per respondent;
    ``perceived_min``, ``acceptable_min``, ``ideal_min`` per stage row (NaN = not asked).
    """

    stages: StageTable
    customers: CustomerTable
    csat: np.ndarray
    complaint: np.ndarray
    returned: np.ndarray
    items: np.ndarray
    perceived_min: np.ndarray
    acceptable_min: np.ndarray
    ideal_min: np.ndarray
    total_wait_min: np.ndarray
    source: str = "<frame>"
    sha256: str = ""

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.csat.shape[0])

    @property
    def has_items(self) -> bool:
        """Every respondent answered all five SERVQUAL items."""
        return bool(self.items.size) and not np.isnan(self.items).any()

    @property
    def multi_stage(self) -> bool:
        """Most respondents visited more than one stage (ω and phase weights identifiable)."""
        counts = np.bincount(self.stages.customer, minlength=self.n)
        return bool(np.mean(counts > 1) >= 0.5) if self.n else False

    @property
    def n_failures(self) -> int:
        """Stage rows with a service failure."""
        return int(np.count_nonzero(self.stages.severity > 0))

    def subset(self, index: Sequence[int] | np.ndarray) -> Survey:
        """The respondents ``index`` (in that order), renumbered from 0.

        A respondent may appear several times (a bootstrap resample): each appearance is a
        new respondent with copies of the original's stage rows, in their original order.
        """
        idx = np.asarray(index, dtype=np.int64)
        st = self.stages
        order = np.argsort(st.customer, kind="stable")  # stage rows grouped by respondent
        counts = np.bincount(st.customer, minlength=self.n)
        first = np.cumsum(counts) - counts  # where each respondent's rows start in ``order``
        per = counts[idx]  # stage rows of each new respondent
        new_customer = np.repeat(np.arange(idx.size), per)
        offset = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
        rows = order[np.repeat(first[idx], per) + offset]
        scols = {name: getattr(st, name)[rows] for name in StageTable.__dataclass_fields__}
        scols["customer"] = new_customer
        cu = self.customers
        ccols = {name: getattr(cu, name)[idx] for name in CustomerTable._DTYPES}
        flags = {k: v[idx] for k, v in cu.flags.items()}
        return Survey(
            stages=StageTable(**scols),
            customers=CustomerTable(**ccols, flags=flags),
            csat=self.csat[idx], complaint=self.complaint[idx], returned=self.returned[idx],
            items=self.items[idx], perceived_min=self.perceived_min[rows],
            acceptable_min=self.acceptable_min[rows], ideal_min=self.ideal_min[rows],
            total_wait_min=self.total_wait_min[idx], source=self.source, sha256=self.sha256,
        )


def _num(frame: Any, col: str, source: str, *, lo: float | None = None,
         hi: float | None = None, integer: bool = False, what: str = "a number") -> np.ndarray:
    """Column as floats (NaN = empty), checked; errors name the line."""
    raw = frame[col]
    out = np.full(len(raw), np.nan)
    for i, v in enumerate(raw.tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
            continue
        try:
            x = float(str(v).strip())
        except ValueError:
            x = math.nan
        bad = (not math.isfinite(x) or (lo is not None and x < lo)
               or (hi is not None and x > hi) or (integer and x != round(x)))
        if bad:
            rng = []
            if lo is not None:
                rng.append(f">= {lo:g}")
            if hi is not None:
                rng.append(f"<= {hi:g}")
            exp = what + (" " + " and ".join(rng) if rng else "")
            raise SurveyError(f"{source}:{i + 2}: {col}: must be {exp} (got {v!r})")
        out[i] = x
    return out


def survey_from_frame(frame: Any, context: StageContext, source: str = "<frame>",
                      sha256: str = "") -> Survey:
    """Check a survey table (pandas DataFrame of strings/numbers) and build the model inputs.

    Raises
    ------
    SurveyError
        For an unknown column, station, class or outcome, or a bad value.
    """
    cols = [str(c) for c in frame.columns]
    stations = list(context.station_names)
    by_field: dict[str, list[str]] = {f: [] for f in STAGE_FIELDS}
    items: dict[str, str] = {}
    for col in cols:
        if col in CUSTOMER_FIELDS:
            continue
        head, sep, tail = col.partition("__")
        if sep and head == "servqual" and tail in DIMENSIONS:
            items[tail] = col
            continue
        if sep and head in STAGE_FIELDS:
            if tail not in stations:
                close = difflib.get_close_matches(tail, stations, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise SurveyError(f"{source}:1: {col}: no station named {tail!r}{hint} "
                                  f"(got {tail!r}; expected one of {', '.join(stations)})")
            by_field[head].append(tail)
            continue
        known = [*CUSTOMER_FIELDS, *(f"{f}__<stage>" for f in STAGE_FIELDS),
                 "servqual__<dimension>"]
        close = difflib.get_close_matches(col, [*CUSTOMER_FIELDS,
                                                 *(f"{f}__{s}" for f in STAGE_FIELDS
                                                   for s in stations)], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SurveyError(f"{source}:1: {col}: unknown column{hint} (got {col!r}; expected "
                          f"one of {', '.join(known)})")
    if "csat" not in cols:
        raise SurveyError(f"{source}:1: csat: required column is missing (got columns "
                          f"{', '.join(cols)})")
    stage_order = by_field["wait_min"]
    if not stage_order:
        raise SurveyError(f"{source}:1: wait_min__<stage>: no stage wait columns (got "
                          f"{', '.join(cols)}; expected e.g. wait_min__{stations[0]})")
    for f in STAGE_FIELDS[1:]:
        for s in by_field[f]:
            if s not in stage_order:
                raise SurveyError(f"{source}:1: {f}__{s}: stage {s!r} has no wait_min__{s} "
                                  "column (expected a wait for every stage described)")
    n = len(frame)
    csat = _num(frame, "csat", source, lo=1, hi=5, integer=True, what="an integer")
    missing = np.flatnonzero(np.isnan(csat))
    if missing.size:
        raise SurveyError(f"{source}:{missing[0] + 2}: csat: required (got an empty cell)")

    class_names = list(context.class_names)
    if "class" in cols:
        cls = [str(v).strip() if str(v).strip() not in ("", "nan") else "" for v in frame["class"]]
        for i, c in enumerate(cls):
            if c and c not in class_names:
                raise SurveyError(f"{source}:{i + 2}: class: no customer class named {c!r} "
                                  f"(expected one of {', '.join(class_names)})")
    else:
        cls = [""] * n
    outcome = np.full(n, OUTCOME_SERVED, dtype=np.int8)
    if "outcome" in cols:
        for i, v in enumerate(frame["outcome"].tolist()):
            text = str(v).strip()
            if text in ("", "nan", "served"):
                continue
            if text != "abandoned":
                raise SurveyError(f"{source}:{i + 2}: outcome: must be served or abandoned "
                                  f"(got {text!r})")
            outcome[i] = OUTCOME_ABANDONED

    def stage_col(field: str, s: str, **kw: Any) -> np.ndarray:
        col = f"{field}__{s}"
        return _num(frame, col, source, **kw) if col in cols else np.full(n, np.nan)

    wait = np.stack([stage_col("wait_min", s, lo=0) for s in stage_order], axis=1)
    visited = ~np.isnan(wait)
    none = np.flatnonzero(~visited.any(axis=1))
    if none.size:
        raise SurveyError(f"{source}:{none[0] + 2}: wait_min__<stage>: every respondent "
                          "needs the wait of at least one stage (got none)")
    cust, pos = np.nonzero(visited)  # row-major: respondents in order, stages in column order
    st_idx = np.array([stations.index(s) for s in stage_order], dtype=np.int64)[pos]
    n_rows = cust.size

    def per_row(field: str, **kw: Any) -> np.ndarray:
        m = np.stack([stage_col(field, s, **kw) for s in stage_order], axis=1)
        return m[cust, pos]

    first = np.ones(n_rows, dtype=bool)
    last = np.ones(n_rows, dtype=bool)
    if n_rows > 1:
        same = cust[1:] == cust[:-1]
        first[1:] = ~same
        last[:-1] = ~same
    phase = np.full(n_rows, PHASE_IN, dtype=np.int8)
    phase[last & (outcome[cust] == OUTCOME_SERVED)] = PHASE_POST
    phase[first] = PHASE_PRE
    phase = np.where(context.phase[st_idx] >= 0, context.phase[st_idx], phase).astype(np.int8)
    abandoned = last & (outcome[cust] == OUTCOME_ABANDONED)

    queue = per_row("queue", lo=0, integer=True, what="a whole number")
    servers = per_row("servers", lo=0, integer=True, what="a whole number")
    overtaken = per_row("overtaken", lo=0, integer=True, what="a whole number")
    level = per_row("skill", lo=1, hi=5, integer=True, what="a training level")
    skill = np.where(np.isnan(level), context.station_skill[st_idx], (level - 1.0) / 4.0)
    skill = np.where(abandoned, np.nan, skill)
    sev = np.nan_to_num(per_row("failure", lo=0, hi=1, what="a severity"), nan=0.0)
    failed = sev > 0

    def flag(field: str, default: np.ndarray) -> np.ndarray:
        v = per_row(field, lo=0, hi=1, integer=True, what="0 or 1")
        return np.where(np.isnan(v), default[st_idx], v).astype(bool) & failed

    fixed = flag("fixed", context.fix)
    apology = flag("apology", context.apology)
    follow = flag("follow_up", context.follow_up)
    comp = per_row("compensation", lo=0, what="a number")
    comp = np.where(failed, np.where(np.isnan(comp), context.compensation[st_idx], comp), 0.0)
    t_rec = context.recovery_standard[st_idx]
    t_rec_eff = np.where(np.isnan(t_rec), context.config.recovery.urgent_fix_standard_min, t_rec)
    res = per_row("resolution_min", lo=0, what="a number")
    res = np.where(np.isnan(res), np.where(fixed, t_rec_eff, np.inf), res)
    res = np.where(failed, res, np.inf)

    cls_arr = np.asarray(cls, dtype=str)
    stages = StageTable.build(
        customer=cust, wait_min=wait[cust, pos],
        stage=np.asarray(stage_order, dtype=str)[pos], phase=phase,
        adequate_min=context.adequate[st_idx], desired_min=context.desired[st_idx],
        kano=context.kano[st_idx], promise=context.promise[st_idx],
        occupied=context.occupied[st_idx], informed=context.informed[st_idx],
        overtaken=np.nan_to_num(overtaken, nan=0.0).astype(np.int64),
        queue_on_arrival=np.nan_to_num(queue, nan=0.0).astype(np.int64),
        servers_on_arrival=np.where(np.isnan(servers), context.counters[st_idx],
                                    servers).astype(np.int64),
        area_capacity=context.area_capacity[st_idx], staff_skill=skill,
        abandoned_here=abandoned, severity=sev, fix=fixed, apology=apology,
        follow_up=follow, compensation_value=comp, resolution_min=res,
        recovery_standard_min=t_rec,
    )
    visit_a = context.visit_adequate
    customers = CustomerTable.build(
        outcome, class_name=cls_arr,
        time_in_system_min=_num(frame, "time_in_system_min", source, lo=0)
        if "time_in_system_min" in cols else np.nan,
        visit_adequate_min=visit_a,
        visit_desired_min=context.visit_desired if not math.isnan(visit_a) else np.nan,
        visit_kano=context.visit_kano,
    )
    item_arr = np.full((n, 5), np.nan)
    for j, dim in enumerate(DIMENSIONS):
        item_col = items.get(dim)
        if item_col is not None:
            item_arr[:, j] = (_num(frame, item_col, source, lo=1, hi=5) - 3.0) / 2.0

    def zero_one(col: str) -> np.ndarray:
        if col not in cols:
            return np.full(n, np.nan)
        return _num(frame, col, source, lo=0, hi=1, integer=True, what="0 or 1")

    return Survey(
        stages=stages, customers=customers, csat=csat.astype(np.int64),
        complaint=zero_one("complaint"), returned=zero_one("returned"), items=item_arr,
        perceived_min=per_row("perceived_min", lo=0),
        acceptable_min=per_row("acceptable_min", lo=0),
        ideal_min=per_row("ideal_min", lo=0),
        total_wait_min=np.nansum(wait, axis=1), source=source, sha256=sha256,
    )


def read_survey(path: str | Path, context: StageContext) -> Survey:
    """Read a survey CSV (see the module docstring for its columns).

    Raises
    ------
    SurveyError
        ``file:line: column: message`` for anything the model cannot use.
    """
    import pandas as pd

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SurveyError(f"{p}: cannot read survey ({exc.strerror})") from None
    import io

    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas raises several parser errors
        raise SurveyError(f"{p}: not a CSV file ({exc})") from None
    if frame.empty:
        raise SurveyError(f"{p}:2: no answers (got a header only)")
    return survey_from_frame(frame, context, str(p), hashlib.sha256(raw).hexdigest())
