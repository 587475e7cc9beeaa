"""The back office's KPIs over a block of days, from its cases (docs/week.md).

Counts are over the whole block. A complaint is *decided* when it was answered, or when it
is still open at the end of the horizon after its due time; the standard's share is answered
by the due time over decided complaints (a complaint still open but not yet due is left
out). The backlog at a close is the cases opened by the doors' closing time of an open day
and not answered by then (complaints and follow-ups).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from simulator.measures.conservation import InvariantError

__all__ = ["COMPLAINT", "FOLLOW_UP", "back_office_kpis", "backlog_at_closes"]

#: Case kinds.
COMPLAINT, FOLLOW_UP = 0, 1


def _mean(x: np.ndarray) -> float:
    return float(math.fsum(x.tolist()) / x.size) if x.size else math.nan


def backlog_at_closes(opened_min: np.ndarray, done_min: np.ndarray,
                      closes: Sequence[tuple[int, float]]) -> list[tuple[int, int, float]]:
    """``(day, cases open, mean age in hours)`` at each open day's close."""
    out = []
    for day, close in closes:
        open_ = (opened_min <= close) & ~(done_min <= close)
        ages = (close - opened_min[open_]) / 60.0
        out.append((day, int(open_.sum()), _mean(ages)))
    return out


def back_office_kpis(
    kind: np.ndarray, opened_min: np.ndarray, due_min: np.ndarray, done_min: np.ndarray,
    escalated: np.ndarray, closes: Sequence[tuple[int, float]], horizon_min: float,
    busy_min: float, on_duty_min: float, cost_per_hour: float,
) -> dict[str, float]:
    r"""The ``bo__*`` KPIs of one block.

    Returns
    -------
    dict[str, float]
        - ``bo__complaints_opened``, ``bo__complaints_answered``,
          ``bo__complaints_open_at_end`` (opened = answered + open at the end, checked),
          ``bo__complaints_escalated``;
        - ``bo__complaints_within_standard_share`` — answered by the due time ÷ decided;
        - ``bo__complaint_answer_mean_h`` — mean hours (calendar) from opening to answer;
        - ``bo__complaint_timeliness_mean`` — the recovery timeliness τ of satisfaction.md
          §2.5 per answered complaint, with :math:`T_{rec}` the case's allowed span
          (due − opened): 1 when answered in time, else :math:`e^{-(t/T_{rec} - 1)}`;
        - ``bo__follow_ups_opened``, ``bo__follow_ups_done``, ``bo__follow_ups_open_at_end``,
          ``bo__follow_up_delay_mean_h``;
        - ``bo__backlog_at_close_mean`` — cases open at the close, mean over open days;
          ``bo__backlog_age_mean_h`` — mean age of those cases (hours);
        - ``bo__busy_min``, ``bo__on_duty_min``, ``bo__utilisation`` (busy ÷ on duty),
          ``bo__staff_cost`` (on-duty hours × cost per hour).
    """
    answered = ~np.isnan(done_min)
    comp = kind == COMPLAINT
    fol = kind == FOLLOW_UP
    out: dict[str, float] = {}
    n_c, n_ca = int(comp.sum()), int((comp & answered).sum())
    n_open = int((comp & ~answered).sum())
    if n_c != n_ca + n_open:
        raise InvariantError(f"back office: {n_c} complaints opened != {n_ca} answered + "
                             f"{n_open} open")
    out["bo__complaints_opened"] = float(n_c)
    out["bo__complaints_answered"] = float(n_ca)
    out["bo__complaints_open_at_end"] = float(n_open)
    out["bo__complaints_escalated"] = float((comp & escalated).sum())
    in_time = comp & answered & (done_min <= due_min)
    late_open = comp & ~answered & (due_min < horizon_min)
    decided = int((comp & answered).sum() + late_open.sum())
    out["bo__complaints_within_standard_share"] = (
        float(in_time.sum()) / decided if decided else math.nan)
    age = (done_min - opened_min)[comp & answered]
    span = (due_min - opened_min)[comp & answered]
    out["bo__complaint_answer_mean_h"] = _mean(age / 60.0)
    tau = np.where(age <= span, 1.0, np.exp(-(age / np.where(span > 0, span, 1.0) - 1.0)))
    out["bo__complaint_timeliness_mean"] = _mean(tau)
    out["bo__follow_ups_opened"] = float(fol.sum())
    out["bo__follow_ups_done"] = float((fol & answered).sum())
    out["bo__follow_ups_open_at_end"] = float((fol & ~answered).sum())
    out["bo__follow_up_delay_mean_h"] = _mean((done_min - opened_min)[fol & answered] / 60.0)
    backlog = backlog_at_closes(opened_min, done_min, closes)
    out["bo__backlog_at_close_mean"] = _mean(np.array([b for _, b, _ in backlog], float))
    counts = np.array([b for _, b, _ in backlog], float)
    ages = np.array([a for _, _, a in backlog], float)
    keep = counts > 0
    out["bo__backlog_age_mean_h"] = (float(np.dot(counts[keep], ages[keep]) / counts[keep].sum())
                                     if keep.any() else math.nan)
    out["bo__busy_min"] = float(busy_min)
    out["bo__on_duty_min"] = float(on_duty_min)
    out["bo__utilisation"] = busy_min / on_duty_min if on_duty_min > 0 else math.nan
    out["bo__staff_cost"] = on_duty_min / 60.0 * cost_per_hour
    return out
