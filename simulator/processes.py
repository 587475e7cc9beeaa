"""The SimPy processes of a replication: arrivals, customer journeys, staff slots.

Processes only yield events and record; all state changes of counters and lines happen in
:class:`~simulator.station.Station`, and all arithmetic on results happens afterwards in
:mod:`simulator.metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from simulator.records import CustomerOutcome, DutyChange, VisitOutcome

if TYPE_CHECKING:
    from simulator.model import Replication
    from simulator.plan import SlotPlan, SourcePlan

NAN = math.nan
_SERVED = int(VisitOutcome.SERVED)
_BALKED = int(VisitOutcome.BALKED)
_BLOCKED = int(VisitOutcome.BLOCKED)
_ABANDONED = int(VisitOutcome.ABANDONED)
_FAILED = int(VisitOutcome.FAILED)
_RECOVERED = int(VisitOutcome.RECOVERED)
_SHIFT_END = int(DutyChange.SHIFT_END)


class Customer:
    """A customer (or a party) inside the facility."""

    __slots__ = (
        "arrival", "cls", "counter", "group", "id", "join", "k", "n_fail", "n_visits",
        "patience", "service", "source", "start", "station", "steps", "wait",
    )

    def __init__(self, cid: int, cls: int, source: int, group: int, arrival: float) -> None:
        self.id = cid
        self.cls = cls
        self.source = source
        self.group = group
        self.arrival = arrival
        # [station, base service, failure uniform, is_recovery, balk uniform,
        #  first rework (redo) or recovery-step service, uniform of "fails again?"]
        self.steps: list[list] = []
        self.patience: float | None = None
        self.wait = 0.0
        self.service = 0.0
        self.n_visits = 0
        self.n_fail = 0
        self.k = 0
        self.join = NAN
        self.start = NAN
        self.counter = -1
        self.station = None  # the Station whose line the customer is in


def arrival_process(
    rep: Replication, src: SourcePlan, times: np.ndarray, classes: np.ndarray, groups: np.ndarray
) -> Generator[simpy.Event, None, None]:
    """Create customers at the given times (already generated for the whole day)."""
    env = rep.env
    new = rep.new_customer
    for t, c, g in zip(times.tolist(), classes.tolist(), groups.tolist(), strict=True):
        if t > env._now:
            yield env.timeout(t - env._now)
        new(src.idx, c, g)


def journey(rep: Replication, cust: Customer) -> Generator[simpy.Event, object, None]:
    """Walk a customer through the stations of its pathway."""
    env = rep.env
    row = rep.rec.visit_rows.append
    stations = rep.stations
    plans = rep.plan.stations
    cp = rep.plan.classes[cust.cls]
    steps = cust.steps
    outcome = int(CustomerOutcome.SERVED)
    k = 0
    while k < len(steps):
        s_idx, base, u_fail, is_rec, u_balk, extra1, u_refail = steps[k]
        st = stations[s_idx]
        sp = plans[s_idx]
        now = env._now
        cust.k = k
        q = st.waiting_seen()
        busy, duty = st.busy, st.on_duty
        cust.n_visits += 1
        if (not is_rec and cp.balk_at >= 0 and q >= cp.balk_at
                and (cp.balk_probability >= 1.0 or u_balk < cp.balk_probability)):
            row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1, _BALKED,
                 q, busy, duty, 0, is_rec, NAN))
            outcome = int(CustomerOutcome.BALKED)
            break
        if st.waiting_room is not None and st.is_full():
            row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1, _BLOCKED,
                 q, busy, duty, 0, is_rec, NAN))
            outcome = int(CustomerOutcome.BALKED)
            break
        cust.station = st
        cust.join = now
        req = st.request(cust, cp.rank)
        if cust.patience is not None and not req.triggered:
            env.timeout(cust.patience).callbacks.append(req.renege)
        counter = yield req
        if counter < 0:  # type: ignore[operator]
            cust.wait += env._now - now
            row((cust.id, cust.cls, cust.group, s_idx, k, now, NAN, NAN, -1, -1, _ABANDONED,
                 q, busy, duty, 0, is_rec, NAN))
            cust.station = None
            outcome = int(CustomerOutcome.ABANDONED)
            break
        start = env._now
        cust.start = start
        cust.counter = counter  # type: ignore[assignment]
        cust.wait += start - now
        slot = st.slot_at[counter] if sp.staffed else -1  # type: ignore[index]
        service = base * sp.skill
        yield env.timeout(service)
        n_fail = 0
        result = _RECOVERED if is_rec else _SERVED
        p = sp.failure_probability
        if p > 0.0 and u_fail < p:
            if sp.recovery_station < 0:  # redo at once, same server
                extra, again = extra1, u_refail
                while True:
                    n_fail += 1
                    yield env.timeout(extra * sp.skill)
                    service += extra * sp.skill
                    if again >= p:
                        break
                    extra = rep.rework_more[cust.cls][s_idx]()
                    again = rep.refail_more_u[s_idx]()
                result = _RECOVERED
            else:
                n_fail = 1
                result = _FAILED
                r = sp.recovery_station
                steps.insert(k + 1, [r, extra1, 1.0, True, 1.0, 0.0, 1.0])
                stations[r].expect()
        cust.n_fail += n_fail
        cust.service += service
        st.release(counter)  # type: ignore[arg-type]
        cust.station = None
        cust.start = NAN
        st.done()
        row((cust.id, cust.cls, cust.group, s_idx, k, now, start, env._now, counter, slot,
             result, q, busy, duty, n_fail, is_rec, service))
        k += 1
    else:
        k = len(steps)
        cust.k = k
    if outcome != int(CustomerOutcome.SERVED):
        for s_idx, *_ in steps[k:]:
            stations[s_idx].done()
    rep.finish(cust, outcome)


def slot_process(rep: Replication, slot: SlotPlan) -> Generator[simpy.Event, object, None]:
    """Bring one roster slot on and off duty; a late break is taken in full."""
    env = rep.env
    st = rep.stations[slot.station]
    back = -math.inf
    for on, off, kind, gap in slot.intervals:
        on = max(on, back)
        if on >= off:
            continue  # came back from a late break after this interval ended
        if on > env._now:
            yield env.timeout(on - env._now)
        st.staff_on(slot.slot_id)
        if math.isinf(off):
            return
        if off > env._now:
            yield env.timeout(off - env._now)
        closing = slot.closing and kind == _SHIFT_END
        left = yield st.staff_off(slot.slot_id, kind, off, closing)
        back = left + gap  # type: ignore[operator]
