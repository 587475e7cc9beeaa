"""The back office of one replication: its cases, collected day by day, then worked.

While each day runs, :class:`DayCases` collects the candidates for cases: every scored
customer with their complaint probability (from the satisfaction model) and every failed
visit at a station whose failure actions include a follow-up. After the days, the cases are
drawn and worked (:func:`run_back_office`).

Random numbers (named streams of the day, :mod:`simulator.engine.rng`): ``complaint`` (one
uniform per customer id: the customer complains when it is below their complaint
probability), ``complaint_work``, ``complaint_escalation`` and ``complaint_escalation_work``
(one per customer id), ``follow_up_work`` (one per follow-up, in customer-id order). Indexing
by customer id keeps common random numbers between variants: a customer who complains in
both gets the same work.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.engine.backoffice import simulate_back_office
from simulator.engine.records import RecordChunk
from simulator.engine.rng import make_generator
from simulator.measures.back_office import (
    COMPLAINT,
    FOLLOW_UP,
    back_office_kpis,
    backlog_at_closes,
)
from simulator.scenario.back_office import BackOfficePlan, due_min
from simulator.scenario.fields import MINUTES_IN_DAY

__all__ = ["DayCases", "run_back_office"]


class DayCases:
    """A record sink collecting one day's follow-ups, and the satisfaction model's listener
    collecting its complaint probabilities."""

    def __init__(self, bo: BackOfficePlan, day: int) -> None:
        self.bo, self.day = bo, day
        self.offset = (day - 1) * MINUTES_IN_DAY
        self.scored: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.follow: list[tuple[np.ndarray, np.ndarray]] = []
        self.max_id = -1

    def consume(self, chunk: RecordChunk) -> None:
        """Take the failed visits at follow-up stations."""
        v = chunk.visits
        if v["customer_id"].size:
            self.max_id = max(self.max_id, int(v["customer_id"].max()))
        if not self.bo.follow_up_stations or self.bo.follow_up is None:
            return
        hit = np.isin(v["station_idx"], self.bo.follow_up_stations) & (v["n_failures"] > 0)
        if hit.any():
            at = np.where(np.isnan(v["end_min"][hit]), v["join_min"][hit], v["end_min"][hit])
            self.follow.append((v["customer_id"][hit].astype(np.int64), at + self.offset))

    def finish(self, end_min: float) -> None:
        """Nothing to close (the cases are drawn by :func:`run_back_office`)."""

    def on_scored(self, customers: dict[str, np.ndarray], customer_id: np.ndarray,
                  p_complaint: np.ndarray) -> None:
        """Take a scored batch: ids, when each customer left, complaint probabilities."""
        pos = np.searchsorted(customers["customer_id"], customer_id)
        left = customers["departure_min"][pos]
        left = np.where(np.isnan(left), customers["arrival_min"][pos], left)
        self.scored.append((customer_id.astype(np.int64), left + self.offset,
                            np.asarray(p_complaint, dtype=float)))
        if customer_id.size:
            self.max_id = max(self.max_id, int(customer_id.max()))


def _by_id(seed: int, replication: int, name: str, day: int, size: int) -> np.ndarray:
    return make_generator(seed, replication, name, day - 1).random(size)


def _cases(bo: BackOfficePlan, days: list[DayCases], seed: int, replication: int
           ) -> tuple[np.ndarray, ...]:
    kinds, opened, work, escalated = [], [], [], []
    for dc in days:
        size = dc.max_id + 1
        if bo.complaints is not None and dc.scored:
            ids = np.concatenate([s[0] for s in dc.scored])
            at = np.concatenate([s[1] for s in dc.scored])
            p = np.concatenate([s[2] for s in dc.scored])
            order = np.argsort(ids, kind="stable")
            ids, at, p = ids[order], at[order], p[order]
            yes = _by_id(seed, replication, "complaint", dc.day, size)[ids] < p
            ids, at = ids[yes], at[yes]
            c = bo.complaints
            w = c.service.ppf(_by_id(seed, replication, "complaint_work", dc.day, size)[ids])
            esc = (_by_id(seed, replication, "complaint_escalation", dc.day, size)[ids]
                   < c.escalation_share)
            extra = (c.escalation or c.service).ppf(
                _by_id(seed, replication, "complaint_escalation_work", dc.day, size)[ids])
            kinds.append(np.full(ids.size, COMPLAINT))
            opened.append(at)
            work.append(np.where(esc, w + extra, w))
            escalated.append(esc)
        if bo.follow_up is not None and dc.follow:
            ids = np.concatenate([f[0] for f in dc.follow])
            at = np.concatenate([f[1] for f in dc.follow])
            order = np.lexsort((at, ids))
            n = ids.size
            u = make_generator(seed, replication, "follow_up_work", dc.day - 1).random(n)
            kinds.append(np.full(n, FOLLOW_UP))
            opened.append(at[order])
            work.append(bo.follow_up.service.ppf(u))
            escalated.append(np.zeros(n, dtype=bool))
    if not kinds:
        empty = np.zeros(0)
        return empty.astype(int), empty, empty, empty.astype(bool)
    return (np.concatenate(kinds), np.concatenate(opened), np.concatenate(work),
            np.concatenate(escalated))


def run_back_office(bo: BackOfficePlan, days: list[DayCases], seed: int, replication: int
                    ) -> tuple[dict[str, float], dict[int, dict[str, float]]]:
    """Draw the block's cases, work them and measure: the ``bo__*`` KPIs of the block, and
    per open day its complaints and follow-ups opened, backlog at the close and back-office
    staff cost (``by_day`` columns)."""
    kind, opened, work, escalated = _cases(bo, days, seed, replication)
    order = np.lexsort((kind, opened))  # the queue: by opening time, complaints first
    kind, opened, work, escalated = kind[order], opened[order], work[order], escalated[order]
    run = simulate_back_office(bo.officers, opened, work, bo.horizon_min)
    c = bo.complaints
    working = None if c is None or c.hours == "calendar" else set(bo.working_days)
    hours = c.answer_within_h if c is not None and c.answer_within_h is not None else math.inf
    due = np.array([due_min(t, hours, working) if k == COMPLAINT else math.inf
                    for t, k in zip(opened.tolist(), kind.tolist(), strict=True)])
    on_duty = sum(b - a for ivs in bo.officers for a, b in ivs)
    kpis = back_office_kpis(kind, opened, due, run.done_min, escalated, bo.closes_min,
                            bo.horizon_min, float(run.busy_min.sum()), on_duty,
                            bo.cost_per_hour)
    per_day: dict[int, dict[str, float]] = {}
    for day, n_open, _age in backlog_at_closes(opened, run.done_min, bo.closes_min):
        start = (day - 1) * MINUTES_IN_DAY
        today = (opened >= start) & (opened < start + MINUTES_IN_DAY)
        duty = sum(min(b, start + MINUTES_IN_DAY) - max(a, start) for ivs in bo.officers
                   for a, b in ivs if a < start + MINUTES_IN_DAY and b > start)
        per_day[day] = {"bo__complaints_opened": float((today & (kind == COMPLAINT)).sum()),
                        "bo__follow_ups_opened": float((today & (kind == FOLLOW_UP)).sum()),
                        "bo__backlog_at_close": float(n_open),
                        "bo__staff_cost": duty / 60.0 * bo.cost_per_hour}
    return kpis, per_day
