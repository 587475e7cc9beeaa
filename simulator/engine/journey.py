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

A branch step (code -1) is resolved when the customer reaches it: ``if_failed`` /
``if_served`` by the outcome of the latest visit that was not a recovery step,
``shortest_of`` by the lines at that moment (a station with a free counter first, else the
fewest waiting in the line the customer would join, ties to the earlier station). The
chosen visit replaces the branch in the customer's steps (a skipped one is removed), so
``step_idx`` counts the visits made; the stations not chosen stop expecting the customer.
(A ``choose`` is drawn at arrival and needs nothing here.)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from simulator.engine.records import CustomerOutcome, VisitOutcome
from simulator.scenario.plan import BRANCH_KINDS

if TYPE_CHECKING:
    from simulator.engine.context import HeldSteps, ReplicationContext
    from simulator.engine.customer import Customer
    from simulator.engine.station import Request, Station

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
_IF_FAILED = BRANCH_KINDS.index("if_failed")
_IF_SERVED = BRANCH_KINDS.index("if_served")


class PartyVisit:
    """A party's visit to a station when its members queue one by one.

    Each member is a request of its own in the line and takes a service of its own (base
    minutes drawn per member at arrival). The visit's row is the party's: joined together,
    started when the last member started (so the party's wait is its last member's), ended
    when the last member was served, ``service_min`` the members' services added up,
    ``counter`` and ``staff_id`` the last member's. Patience is the party's: when it runs
    out before any member started, every member leaves the line and the party abandons;
    once one member is being served the party stays.
    """

    __slots__ = ("bases", "done", "left", "reqs", "service", "started")

    def __init__(self, bases: list[float]) -> None:
        self.bases = bases
        self.reqs: list[Request] = []
        self.started = 0
        self.done = 0
        self.left = 0
        self.service = 0.0


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
        self.slot_group = [s.group for s in rep.plan.slots]  # roster slot -> staff group

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
        if s_idx < 0:
            self.branch(cust)
            return
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
                      q, busy, duty, 0, is_rec, NAN, 0, cust.arrival, 0))
            self.leave(cust, _C_BALKED)
            return
        if st.waiting_room is not None and st.is_full():
            self.row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1,
                      _BLOCKED, q, busy, duty, 0, is_rec, NAN, 0, cust.arrival, 0))
            self.leave(cust, _C_BALKED)
            return
        cust.station = st
        cust.join = now
        cust.q_seen, cust.busy_seen, cust.duty_seen = q, busy, duty
        if cust.members > 1:
            self.join_members(cust, st, cp.rank, renege)
            return
        cust.req = req = st.request(cust, cp.rank)
        if cust.patience is not None and renege and not req.triggered:
            self.timeout(cust.patience).callbacks.append(req.renege)
        req.callbacks.append(self.on_counter)

    def branch(self, cust: Customer) -> None:
        """Resolve the branch step ``cust.k`` (see the module docstring) and go on."""
        steps, k = cust.steps, cust.k
        _code, kind, options, *_ = steps[k]
        if kind == _IF_FAILED:
            chosen = options[0] if cust.last_failed == 1 else None
        elif kind == _IF_SERVED:
            chosen = options[0] if cust.last_failed == 0 else None
        else:  # shortest_of
            chosen, best = None, (2, 0)
            for opt in options:
                rank = self.stations[opt[0]].line_rank()
                if rank < best:
                    chosen, best = opt, rank
        for opt in options:
            if opt is not chosen:
                self.stations[opt[0]].done()
        if chosen is None:
            del steps[k]
        else:
            steps[k] = chosen
        self.begin(cust)

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
                      req.jockeyed, cust.arrival, req.ot))
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
        p_fail = self.failure_p(s_idx, cust.slot)
        failing = p_fail > 0.0 and u_fail < p_fail
        self.timeout(service, cust).callbacks.append(
            self.on_failed_service if failing else self.on_service_end)

    def failure_p(self, s_idx: int, slot: int) -> float:
        """Failure probability of a service at station ``s_idx`` by roster slot ``slot`` (-1:
        nobody): the station's, scaled by the server's group (``failure_scale``)."""
        sp = self.plans[s_idx]
        by_group = sp.failure_by_group
        if not by_group or slot < 0:
            return sp.failure_probability
        return by_group[self.slot_group[slot]]

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
        fails_again = again < self.failure_p(s_idx, cust.slot)
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

    def end_visit(self, cust: Customer, result: int, release: bool = True) -> None:
        """Release the counter (unless a party's members released theirs), record the visit
        and go on to the next step."""
        s_idx, _base, _u, is_rec, *_ = cust.steps[cust.k]
        st = cust.station
        cust.n_fail += cust.visit_fail
        cust.service += cust.visit_service
        if not is_rec:
            cust.last_failed = 1 if cust.visit_fail else 0
        if release:
            st.release(cust.counter)  # type: ignore[union-attr]
        cust.station = None
        start = cust.start
        cust.start = NAN
        st.done()  # type: ignore[union-attr]
        self.row((cust.id, cust.cls, cust.group, s_idx, cust.k, cust.join, start, self.env._now,
                  cust.counter, cust.slot, result, cust.q_seen, cust.busy_seen, cust.duty_seen,
                  cust.visit_fail, is_rec, cust.visit_service, cust.req.jockeyed, cust.arrival,
                  cust.req.ot))
        cust.k += 1
        self.begin(cust)

    # ------------------------------------------------------------------ parties
    def join_members(self, cust: Customer, st: Station, rank: int, renege: bool) -> None:
        """A party queueing member by member joins ``st``: one request per member, in
        member order, at the same instant (see :class:`PartyVisit`)."""
        pv = cust.party = PartyVisit(cust.steps[cust.k][1])
        for _ in range(cust.members):
            req = st.request(cust, rank)
            pv.reqs.append(req)
            req.callbacks.append(self.on_member_counter)
        cust.req = pv.reqs[-1]
        if cust.patience is not None and renege and not all(r.triggered for r in pv.reqs):
            self.timeout(cust.patience, pv).callbacks.append(self.on_party_patience)

    def on_party_patience(self, ev: simpy.Event) -> None:
        """The party's patience ran out: it leaves if none of its members started yet."""
        pv: PartyVisit = ev._value
        if pv.started or any(r.triggered for r in pv.reqs):
            return
        st = pv.reqs[0].cust.station
        for req in pv.reqs:
            st.withdraw(req)

    def on_member_counter(self, req: Request) -> None:  # type: ignore[override]
        """A member's answer from the line: a counter (service starts), or -1 when the
        party gave up (recorded once, after the last member's answer)."""
        cust = req.cust
        pv: PartyVisit = cust.party
        now = self.env._now
        st = cust.station
        if req._value < 0:
            pv.left += 1
            if pv.left == len(pv.reqs):
                cust.req = req
                cust.party = None
                self.on_counter(req)  # the abandonment row and the leaving
            return
        counter = req._value
        i = pv.reqs.index(req)
        pv.started += 1
        if pv.started == len(pv.reqs):  # the last member to start: the party's wait
            cust.start = now
            cust.counter = counter
            cust.req = req
            cust.wait += now - cust.join
            cust.slot = st.slot_at[counter] if self.plans[st.idx].staffed else -1
        service = pv.bases[i] * st.counter_skill[counter]
        pv.service += service
        self.timeout(service, req).callbacks.append(self.on_member_end)

    def on_member_end(self, ev: simpy.Event) -> None:
        """A member's service ended: free the counter; the last one ends the party's visit."""
        req = ev._value
        cust = req.cust
        pv: PartyVisit = cust.party
        cust.station.release(req._value)
        pv.done += 1
        if pv.done == len(pv.reqs):
            cust.party = None
            cust.visit_service = pv.service
            cust.visit_fail = 0
            cust.req.jockeyed = sum(r.jockeyed for r in pv.reqs)
            self.end_visit(cust, _SERVED, release=False)

    def leave(self, cust: Customer, outcome: int) -> None:
        """Leave before the end of the pathway: later stations no longer expect the customer."""
        done_at = self.done_at
        for step in cust.steps[cust.k:]:
            if step[0] < 0:  # a branch not reached: none of its stations is needed
                for opt in step[2]:
                    self.stations[opt[0]].done()
                continue
            st = done_at[step[0]]
            if st is not None:
                st.done()
        self.rep.finish(cust, outcome)
