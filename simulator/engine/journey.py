"""A customer's journey through the stations of its pathway, driven by SimPy event callbacks.

Arrivals and staff rosters are SimPy processes (:mod:`simulator.engine.processes`). A customer's
journey is the hot path (one per customer), so instead of a generator process it is a small
state machine whose steps run as callbacks of the very SimPy events a process would have
yielded, in the same order: the request event of a station (succeeding with a counter, or -1
on abandonment) and the timeout of each service. This saves a process start-up event and a
generator resumption per event (measured: the customer process was the largest single cost
of a run), and keeps the same rule as processes: the journey only asks stations for counters,
waits on events and records rows; every change of counters and lines happens in
:class:`~simulator.engine.station.Station`.

Per station visit:

1. balk (class rule, measured on the line the customer would join; never on a recovery
   step) or be turned away by a full waiting room; otherwise join the line;
2. with a patience (unless the step says ``renege: false``), a timer withdraws the customer
   from the line if not served in time;
3. service of ``base × skill`` minutes, the skill of whoever serves at the counter; with a
   failure, either a redo by the same server at
   once (which may fail again) or a recovery step inserted next in the pathway;
4. release the counter and record the visit; go on to the next step or leave.

Seize and release steps of held resources (step codes past the stations) are run by
:class:`~simulator.engine.holdings.Holdings`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from simulator.engine.records import CustomerOutcome, VisitOutcome

if TYPE_CHECKING:
    from simulator.engine.context import HeldSteps, ReplicationContext
    from simulator.engine.customer import Customer
    from simulator.engine.station import Request

NAN = math.nan
_SERVED = int(VisitOutcome.SERVED)
_BALKED = int(VisitOutcome.BALKED)
_BLOCKED = int(VisitOutcome.BLOCKED)
_ABANDONED = int(VisitOutcome.ABANDONED)
_FAILED = int(VisitOutcome.FAILED)
_RECOVERED = int(VisitOutcome.RECOVERED)
_C_SERVED = int(CustomerOutcome.SERVED)
_C_BALKED = int(CustomerOutcome.BALKED)
_C_ABANDONED = int(CustomerOutcome.ABANDONED)


class JourneyDriver:
    """Runs every customer's journey of one replication through event callbacks."""

    def __init__(self, rep: ReplicationContext) -> None:
        self.rep = rep
        self.env = rep.env
        self.stations = rep.stations
        self.plans = rep.plan.stations
        self.classes = rep.plan.classes
        self.row = rep.rec.visit_rows.append
        self.timeout = rep.env.timeout
        self.n_st = len(self.stations)
        self.holdings: HeldSteps | None = None
        self.done_at: list = self.stations  # per step code: station to tell when passed

    def attach(self, holdings: HeldSteps) -> None:
        """Run seize and release steps (step codes past the stations) through ``holdings``."""
        self.holdings = holdings
        self.done_at = holdings.done_stations(self.stations)

    # ------------------------------------------------------------------ a step
    def begin(self, cust: Customer) -> None:
        """Start (or continue) the journey at step ``cust.k``."""
        steps = cust.steps
        k = cust.k
        if k >= len(steps):
            self.rep.finish(cust, _C_SERVED)
            return
        s_idx, _base, _u_fail, is_rec, u_balk, _extra1, _u_refail, renege = steps[k]
        if s_idx >= self.n_st:
            self.holdings.step(cust, s_idx)  # type: ignore[union-attr]
            return
        st = self.stations[s_idx]
        cp = self.classes[cust.cls]
        now = self.env._now
        q = st.waiting_seen()
        busy, duty = st.busy, st.on_duty
        cust.n_visits += 1
        if (not is_rec and cp.balk_at >= 0 and q >= cp.balk_at
                and (cp.balk_probability >= 1.0 or u_balk < cp.balk_probability)):
            self.row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1, _BALKED,
                      q, busy, duty, 0, is_rec, NAN, cust.arrival, 0))
            self.leave(cust, _C_BALKED)
            return
        if st.waiting_room is not None and st.is_full():
            self.row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1,
                      _BLOCKED, q, busy, duty, 0, is_rec, NAN, cust.arrival, 0))
            self.leave(cust, _C_BALKED)
            return
        cust.station = st
        cust.join = now
        cust.q_seen, cust.busy_seen, cust.duty_seen = q, busy, duty
        cust.req = req = st.request(cust, cp.rank)
        if cust.patience is not None and renege and not req.triggered:
            self.timeout(cust.patience).callbacks.append(req.renege)
        req.callbacks.append(self.on_counter)

    def on_counter(self, req: Request) -> None:  # type: ignore[override]
        """The line's answer: a counter (service starts) or -1 (the customer abandoned)."""
        cust = req.cust
        counter = req._value
        now = self.env._now
        s_idx, base, u_fail, is_rec, _u_balk, extra1, u_refail, _renege = cust.steps[cust.k]
        if counter < 0:
            cust.wait += now - cust.join
            self.row((cust.id, cust.cls, cust.group, s_idx, cust.k, cust.join, NAN, NAN, -1, -1,
                      _ABANDONED, cust.q_seen, cust.busy_seen, cust.duty_seen, 0, is_rec, NAN,
                      cust.arrival, req.ot))
            cust.station = None
            self.leave(cust, _C_ABANDONED)
            return
        sp = self.plans[s_idx]
        st = cust.station
        cust.start = now
        cust.counter = counter
        cust.wait += now - cust.join
        cust.slot = st.slot_at[counter] if sp.staffed else -1  # type: ignore[union-attr]
        service = base * st.counter_skill[counter]  # type: ignore[union-attr]
        cust.visit_service = service
        cust.visit_fail = 0
        cust.extra, cust.again = extra1, u_refail
        failing = sp.failure_probability > 0.0 and u_fail < sp.failure_probability
        self.timeout(service, cust).callbacks.append(
            self.on_failed_service if failing else self.on_service_end)

    def on_failed_service(self, ev: simpy.Event) -> None:
        """A service (or redo) failed: redo at once, or go to the recovery station."""
        cust = ev._value
        s_idx = cust.steps[cust.k][0]
        sp = self.plans[s_idx]
        cust.visit_fail += 1
        if sp.recovery_station >= 0:
            r = sp.recovery_station
            cust.steps.insert(cust.k + 1, [r, cust.extra, 1.0, True, 1.0, 0.0, 1.0, True])
            self.stations[r].expect()
            self.end_visit(cust, _FAILED)
            return
        st = cust.station
        extra = cust.extra * st.counter_skill[cust.counter]  # type: ignore[union-attr]
        cust.visit_service += extra
        again = cust.again
        fails_again = again < sp.failure_probability
        if fails_again:  # draws for a third attempt come in event order, on their own streams
            rep = self.rep
            cust.extra = rep.rework_more[cust.cls][s_idx]()
            cust.again = rep.refail_more_u[s_idx]()
        self.timeout(extra, cust).callbacks.append(
            self.on_failed_service if fails_again else self.on_redo_end)

    def on_redo_end(self, ev: simpy.Event) -> None:
        """The redo succeeded: the visit ends recovered."""
        self.end_visit(ev._value, _RECOVERED)

    def on_service_end(self, ev: simpy.Event) -> None:
        """A service ended right first time."""
        cust = ev._value
        self.end_visit(cust, _RECOVERED if cust.steps[cust.k][3] else _SERVED)

    def end_visit(self, cust: Customer, result: int) -> None:
        """Release the counter, record the visit and go on to the next step."""
        s_idx, _base, _u, is_rec, *_ = cust.steps[cust.k]
        st = cust.station
        cust.n_fail += cust.visit_fail
        cust.service += cust.visit_service
        st.release(cust.counter)  # type: ignore[union-attr]
        cust.station = None
        start = cust.start
        cust.start = NAN
        st.done()  # type: ignore[union-attr]
        self.row((cust.id, cust.cls, cust.group, s_idx, cust.k, cust.join, start, self.env._now,
                  cust.counter, cust.slot, result, cust.q_seen, cust.busy_seen, cust.duty_seen,
                  cust.visit_fail, is_rec, cust.visit_service, cust.arrival, cust.req.ot))
        cust.k += 1
        self.begin(cust)

    def leave(self, cust: Customer, outcome: int) -> None:
        """Leave before the end of the pathway: later stations no longer expect the customer."""
        done_at = self.done_at
        for step in cust.steps[cust.k:]:
            st = done_at[step[0]]
            if st is not None:
                st.done()
        self.rep.finish(cust, outcome)
