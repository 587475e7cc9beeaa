"""Build and run one replication: a SimPy environment, its stations, streams and processes."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable

import simpy

from simulator.engine.arrivals import source_arrival_blocks
from simulator.engine.customer import Customer
from simulator.engine.holdings import Holdings
from simulator.engine.journey import JourneyDriver
from simulator.engine.processes import arrival_process, slot_process
from simulator.engine.records import (
    CustomerOutcome,
    Recorder,
    Records,
    RecordSink,
    RecordsMeta,
    VisitOutcome,
)
from simulator.engine.rng import Streams
from simulator.engine.routing import RoutedStation, Router
from simulator.engine.station import Station
from simulator.scenario.plan import BRANCH_KINDS, OP_BRANCH, OP_SEIZE, OP_VISIT, Plan

_CHOOSE = BRANCH_KINDS.index("choose")


class Replication:
    """One replication of a plan: owns the environment, the recorder and the streams.

    Streams (all named, see :mod:`simulator.engine.rng`): arrivals and classes per source;
    ``patience:<class>``, ``pathway:<class>``, ``balk:<class>``; service times
    ``service:<station>:<class>``; ``failure:<station>``, ``rework:<station>:<class>``,
    ``refail:<station>`` and ``recovery:<station>:<class>``. All of these are drawn for every
    planned step when the customer arrives, in arrival order, so variants of a scenario share
    them (common random numbers) however their queues evolve. Only draws after a second
    failure in one visit come in event order, from ``refail_more:<station>`` and
    ``rework_more:<station>:<class>``. Held resources add ``hold_balk:<class>`` (the balk
    uniform of each seize step, drawn at arrival) and ``clean:<rooms>`` (cleaning minutes of
    each dirty room, drawn in the order rooms start being cleaned). A branch step draws
    every option's service and failure numbers at arrival (so the streams stay aligned
    whichever option is taken) and a choice its uniform from ``choose:<class>:<step>``.
    """

    def __init__(self, plan: Plan, seed: int, replication: int,
                 sink: RecordSink | None = None, keep: bool = True, day: int = 0) -> None:
        self.plan = plan
        self.env = env = simpy.Environment(initial_time=plan.start_min)
        self.streams = streams = Streams(seed, replication, day)
        self.rec = Recorder(sink, keep)
        self._flush_due = self.rec.due
        self._customer_row = self.rec.customer_rows.append
        self.router: Router | None = None
        self.stations: list[Station] = []
        for sp in plan.stations:
            if sp.routed:
                if self.router is None:
                    self.router = Router(env, self.stations, self.rec)
                st: Station = RoutedStation(
                    env, sp.idx, sp.counters, staffed=True, per_counter=False,
                    waiting_room=sp.waiting_room, n_ranks=plan.n_ranks, recorder=self.rec,
                    group_idx=sp.group, skill=sp.skill, router=self.router)
            else:
                st = Station(env, sp.idx, sp.counters, staffed=sp.staffed,
                             per_counter=sp.per_counter, waiting_room=sp.waiting_room,
                             n_ranks=plan.n_ranks, recorder=self.rec, group_idx=sp.group,
                             skill=sp.skill, jockey_by=sp.jockey_by)
            self.stations.append(st)
        if self.router is not None:
            self.router.place(plan)
        for sp in plan.stations:
            if sp.recovery_station >= 0:
                self.stations[sp.recovery_station].feeders.append(self.stations[sp.idx])
                self.stations[sp.idx].dependents.append(self.stations[sp.recovery_station])
        names = [sp.name for sp in plan.stations]
        self.service: list[list] = [
            [step.service.sampler(streams.uniform(step.stream)) if step.op == OP_VISIT else
             [o.service.sampler(streams.uniform(o.stream)) for o in step.options]
             if step.op == OP_BRANCH else None
             for step in cp.steps]
            for cp in plan.classes
        ]
        # one uniform stream per choice step (common random numbers between variants)
        self.choose_u = [
            [streams.uniform(step.stream) if step.op == OP_BRANCH else None
             for step in cp.steps]
            for cp in plan.classes
        ]
        self.patience: list[Callable[[], float] | None] = [
            cp.patience.sampler(streams.uniform(f"patience:{cp.name}")) if cp.patience else None
            for cp in plan.classes
        ]
        self.pathway_u = [streams.uniform(f"pathway:{cp.name}") for cp in plan.classes]
        self.balk_u = [streams.uniform(f"balk:{cp.name}") for cp in plan.classes]
        self.hold_balk_u = [streams.uniform(f"hold_balk:{cp.name}") for cp in plan.classes]
        self.fail_u = [streams.uniform(f"failure:{n}") for n in names]
        self.refail_u = [streams.uniform(f"refail:{n}") for n in names]
        # draws after a second failure happen in event order, on streams of their own
        self.refail_more_u = [streams.uniform(f"refail_more:{n}") for n in names]
        self.rework_more = [
            [
                (plan.stations[s].rework or plan.class_station_service[c][s]).sampler(
                    streams.uniform(f"rework_more:{names[s]}:{cp.name}"))
                for s in range(len(names))
            ]
            for c, cp in enumerate(plan.classes)
        ]
        self.rework = [
            [
                (plan.stations[s].rework or plan.class_station_service[c][s]).sampler(
                    streams.uniform(f"rework:{names[s]}:{cp.name}"))
                for s in range(len(names))
            ]
            for c, cp in enumerate(plan.classes)
        ]
        self.recovery = [
            [
                plan.class_station_service[c][s].sampler(
                    streams.uniform(f"recovery:{names[s]}:{cp.name}"))
                for s in range(len(names))
            ]
            for c, cp in enumerate(plan.classes)
        ]
        self.active: dict[int, Customer] = {}
        self.journeys = JourneyDriver(self)
        self.holdings: Holdings | None = None
        if plan.resources:
            self.holdings = Holdings(self, self.journeys)
            self.journeys.attach(self.holdings)
        n_st, n_res = len(plan.stations), len(plan.resources)
        # seize / release step codes (see Holdings), and who expects a seizing customer
        self._op_code = (0, n_st, n_st + n_res)
        self._seize_expect = [
            self.stations[rp.housekeeping] if rp.kind == "rooms" else None
            for rp in plan.resources
        ]
        self._next_id = 0
        self._last_departure = -math.inf
        self._individually = [src.members_individually for src in plan.sources]

    # ------------------------------------------------------------------ customers
    def new_customer(self, source: int, cls: int, group: int) -> None:
        """Create a customer now: draw its attributes and start its journey."""
        cust = Customer(self._next_id, cls, source, group, self.env._now)
        self._next_id += 1
        if group > 1 and self._individually[source]:
            cust.members = group
        cp = self.plan.classes[cls]
        sampler = self.patience[cls]
        if sampler is not None:
            cust.patience = sampler()
        pathway_u = self.pathway_u[cls]
        services = self.service[cls]
        balk_u = self.balk_u[cls] if 0.0 < cp.balk_probability < 1.0 else None
        steps = cust.steps
        for k, step in enumerate(cp.steps):
            if step.op == OP_BRANCH:
                u_balk = balk_u() if balk_u is not None else 0.0
                entries = [self._visit_entry(cls, o.station, _base(sample, cust.members),
                                             u_balk, step.renege)
                           for o, sample in zip(step.options, services[k], strict=True)]
                if step.branch == _CHOOSE:
                    u = self.choose_u[cls][k]()  # type: ignore[misc]
                    pick = next((i for i, w in enumerate(step.weights) if u < w),
                                len(entries) - 1)
                    entries = [entries[pick]]
                    steps.append(entries[0])
                else:  # resolved when the customer gets there (engine.journey)
                    steps.append([-1, step.branch, entries, False, u_balk, 0.0, 1.0,
                                  step.renege])
                for e in entries:
                    self.stations[e[0]].expect()
                continue
            if step.op != OP_VISIT:
                u_balk = (self.hold_balk_u[cls]()
                          if balk_u is not None and step.op == OP_SEIZE else 0.0)
                steps.append([self._op_code[step.op] + step.station, 0.0, 1.0, False, u_balk,
                              0.0, 1.0, True])
                if step.op == OP_SEIZE and self._seize_expect[step.station] is not None:
                    self._seize_expect[step.station].expect()  # type: ignore[union-attr]
                continue
            base = services[k]() if cust.members == 1 else _base(services[k], cust.members)
            if step.probability < 1.0 and pathway_u() >= step.probability:
                continue
            s = step.station
            u_balk = balk_u() if balk_u is not None else 0.0
            steps.append(self._visit_entry(cls, s, base, u_balk, step.renege))
            self.stations[s].expect()
        self.active[cust.id] = cust
        self.journeys.begin(cust)

    def _visit_entry(self, cls: int, s: int, base: float, u_balk: float,
                     renege: bool) -> list:
        """A planned visit of station ``s`` (see :class:`Customer` ``steps``), with its
        failure numbers drawn now."""
        sp = self.plan.stations[s]
        if sp.failure_probability > 0:
            u_fail = self.fail_u[s]()
            if sp.recovery_station < 0:
                extra = self.rework[cls][s]()
                u_refail = self.refail_u[s]()
            else:
                extra = self.recovery[cls][sp.recovery_station]()
                u_refail = 1.0
        else:
            u_fail, extra, u_refail = 1.0, 0.0, 1.0
        return [s, base, u_fail, False, u_balk, extra, u_refail, renege]

    def finish(self, cust: Customer, outcome: int) -> None:
        """Record a customer leaving the facility."""
        now = self.env._now
        if cust.held:
            self.holdings.release_all(cust)  # type: ignore[union-attr]
        del self.active[cust.id]
        self._last_departure = now
        self._customer_row((cust.id, cust.cls, cust.source, cust.group, cust.arrival, now,
                            cust.wait, cust.service, outcome, cust.n_visits, cust.n_fail))
        if self._flush_due():
            self._flush(now)

    def _flush(self, now: float) -> None:
        """Hand the rows recorded so far to the sink (streaming measures)."""
        active = self.active
        if active:
            oldest = next(iter(active.values()))  # customers enter in arrival (and id) order
            self.rec.flush(now, oldest.arrival, oldest.id)
        else:
            self.rec.flush(now, now, self._next_id)

    # ------------------------------------------------------------------ run
    def run(self) -> Records:
        """Run the replication to its end and return the frozen records."""
        plan = self.plan
        env = self.env
        # rosters first: staff due on duty at an instant are there for customers arriving then
        for slot in plan.slots:
            env.process(slot_process(self, slot))
        for src in plan.sources:
            blocks = source_arrival_blocks(src, self.streams, plan.open_min, plan.close_min)
            env.process(arrival_process(self, src, blocks))
        if self.holdings is not None:
            self.holdings.open()
        env.run(until=plan.stop_min)
        return self._close()

    def _close(self) -> Records:
        plan = self.plan
        rec = self.rec
        stop = self.env._now
        inside = bool(self.active)
        for cust in sorted(self.active.values(), key=lambda c: c.id):
            st = cust.station
            if st is not None:
                started = not math.isnan(cust.start)
                wait_end = cust.start if started else stop
                cust.wait += wait_end - cust.join
                s_idx = cust.steps[cust.k][0]
                rec.visit(cust.id, cust.cls, cust.group, s_idx, cust.k, cust.join, cust.start,
                          math.nan, cust.counter if started else -1, -1,
                          int(VisitOutcome.UNFINISHED), -1, -1, -1, 0,
                          bool(cust.steps[cust.k][3]), math.nan,
                          cust.req.jockeyed if cust.req is not None else 0, cust.arrival,
                          st.overtaken_at_stop(cust.req))
            if self.holdings is not None:
                self.holdings.close_rows(cust, stop)
            rec.customer(cust.id, cust.cls, cust.source, cust.group, cust.arrival, math.nan,
                         cust.wait, cust.service, int(CustomerOutcome.INSIDE), cust.n_visits,
                         cust.n_fail)
        for st in self.stations:
            for slot, kind, due, _ev in list(st.closing) + list(st.owed):
                rec.staff_change(st.group_idx, slot, kind, due, math.nan, math.nan)
        if self.router is not None:
            for group, slot, kind, due in self.router.pending():
                rec.staff_change(group, slot, kind, due, math.nan, math.nan)
        rec.duty_open()
        if plan.terminating and not inside:
            last_change = max((row[1] for row in rec.level_rows), default=plan.close_min)
            last_change = max(last_change, rec.last_level_min)
            end = max(plan.close_min, self._last_departure, last_change)
        else:
            end = stop
        if rec.sink is not None:
            rec.flush(stop, math.inf, self._next_id, final=True)
            rec.sink.finish(float(end))
        meta = records_meta(plan)
        return Records.from_recorder(
            rec, end_min=float(end),
            **{f: getattr(meta, f) for f in RecordsMeta.__dataclass_fields__})


def _base(sample: Callable[[], float], members: int) -> float | list[float]:
    """A visit's base service: one draw, or one per member of a party queueing member by
    member (in member order, from the same stream)."""
    if members == 1:
        return sample()
    return [sample() for _ in range(members)]


def records_meta(plan: Plan) -> RecordsMeta:
    """What the records of a replication of ``plan`` refer to (names, clock, roster)."""
    return RecordsMeta(
        station_names=plan.station_names,
        class_names=plan.class_names,
        group_names=plan.group_names,
        open_min=plan.open_min,
        close_min=plan.close_min,
        stats_start_min=plan.stats_start_min,
        terminating=plan.terminating,
        staff_paid_min={s.slot_id: s.paid_min for s in plan.slots},
        slot_group={s.slot_id: s.group for s in plan.slots},
        station_kinds=plan.station_kinds if plan.resources else (),
        unit_seats={r.idx: r.seats for r in plan.resources if r.kind == "tables"},
        housekeeping_of={r.idx: r.housekeeping for r in plan.resources if r.kind == "rooms"},
        routed_serves={g.idx: g.serves for g in plan.groups if g.routed},
    )


def simulate(plan: Plan, seed: int, replication: int, sink: RecordSink | None = None,
             keep: bool = True, day: int = 0) -> Records:
    """Run replication ``replication`` of ``plan`` with ``seed`` and return its records.

    A pure function of its arguments: the same inputs give identical records in any process.
    With a ``sink`` the rows also go to it in chunks while the run goes (streaming measures,
    :mod:`simulator.measures.accumulate`); with ``keep=False`` they are not kept, so memory
    stays flat in the length of the run and the returned records hold no rows.
    ``day`` (from 0) is the day of a calendar: its streams are that day's
    (:func:`simulator.engine.rng.spawn_key`); 0 is a scenario without a calendar.
    While it runs, the cyclic garbage collector's first threshold is raised: the recorder
    keeps one tuple per row alive, and scanning them on every default-sized collection cost
    about a tenth of the run time (measured); memory stays bounded because collections still
    happen, just less often.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _GC_GEN0), *thresholds[1:])
    try:
        return Replication(plan, seed, replication, sink, keep, day).run()
    finally:
        gc.set_threshold(*thresholds)


_GC_GEN0 = 50_000
