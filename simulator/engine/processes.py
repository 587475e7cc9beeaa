"""The SimPy processes of a replication: arrival sources and staff roster slots.

Processes only yield events and record; all state changes of counters and lines happen in
:class:`~simulator.engine.station.Station`, and all arithmetic on results happens afterwards in
:mod:`simulator.measures.kpis`. Customers' journeys are in :mod:`simulator.engine.journey`.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING

import simpy

from simulator.scenario.plan import DutyChange

if TYPE_CHECKING:
    from simulator.engine.arrivals import Arrivals
    from simulator.engine.context import ReplicationContext
    from simulator.scenario.plan import SlotPlan, SourcePlan

NAN = math.nan
_SHIFT_END = int(DutyChange.SHIFT_END)


def arrival_process(
    rep: ReplicationContext, src: SourcePlan, blocks: Iterable[Arrivals],
) -> Generator[simpy.Event, None, None]:
    """Create customers at their arrival times, taking the times block by block as the run
    reaches them (:func:`simulator.engine.arrivals.source_arrival_blocks`)."""
    env = rep.env
    new = rep.new_customer
    idx = src.idx
    for times, classes, groups in blocks:
        for t, c, g in zip(times.tolist(), classes.tolist(), groups.tolist(), strict=True):
            if t > env._now:
                yield env.timeout(t - env._now)
            new(idx, c, g)


def slot_process(rep: ReplicationContext, slot: SlotPlan) -> Generator[simpy.Event, object, None]:
    """Bring one roster slot on and off duty; a late break is taken in full."""
    env = rep.env
    # a routed person is placed by the router (skill-based routing), anyone else by the station
    st = rep.router if slot.routed else rep.stations[slot.station]
    rec = rep.rec
    back = -math.inf
    for on, off, kind, gap in slot.intervals:
        on = max(on, back)
        if on >= off:
            continue  # came back from a late break after this interval ended
        if on > env._now:
            yield env.timeout(on - env._now)
        rec.duty_on(slot.slot_id, env._now)
        st.staff_on(slot.slot_id)  # type: ignore[union-attr]
        if math.isinf(off):
            return
        if off > env._now:
            yield env.timeout(off - env._now)
        closing = slot.closing and kind == _SHIFT_END
        left = yield st.staff_off(slot.slot_id, kind, off, closing)  # type: ignore[union-attr]
        rec.duty_off(slot.slot_id, left)  # type: ignore[arg-type]
        back = left + gap  # type: ignore[operator]
