"""Held resources: tables a party keeps through several stations, and hotel rooms.

A pathway step ``{seize: NAME}`` asks a pool for a unit and waits on a :class:`Waiter` event
(like a station's request: it succeeds with the units taken, or with ``None`` when the
customer reneged). The customer then goes on along its pathway while holding the unit, and
hands it back at ``{release: NAME}``, or, for tables, when its journey ends for any reason.

Tables (:class:`TablePool`). A party of ``size`` fits a table of ``seats >= size``. It takes
the smallest free table that fits (ties: lowest table index; tables are numbered by seats,
ascending); with ``join`` and no single free fit, the two free tables whose seats together fit
with the smallest total (ties: lowest indices). The waiting list is ordered by class priority
rank, then arrival at the list. When a table frees, the list is scanned in order at once:
with ``seat_smaller_first`` every party that fits the free tables is seated; strictly, only
the head, then the next head, until the head does not fit.

Quoted wait. A party that cannot be seated at once is quoted
``(k + 1) * h / c`` minutes, with ``k`` the parties ahead of it on the list whose table class
(smallest table size that fits) is at least its own, ``c`` the tables that fit it (1 if only
joined tables do) and ``h`` the mean hold: ``quote_mean_hold_min``, else the mean of the
holds ended so far that day, else the mean service of the party's held steps. It is the mean
wait in an M/M/c line with every fitting table busy and ``k`` ahead. A party whose patience
is below the quote leaves at once (balked); a party without a patience stays.

Rooms (:class:`RoomPool`). Units are counted, not numbered: ``ready`` (vacant, clean),
``occupied`` and dirty (queued at, or being cleaned by, the hidden housekeeping station). A
guest takes a ready room if there is one and nobody waits before it, else waits for the
next room housekeeping readies. A room stays occupied when the guest's journey ends; a
``release`` of rooms by a guest holding one vacates it, and by a guest holding none (a
check-out) vacates a room occupied at open. A vacated room is dirty: it joins the housekeeping
line (first dirty, first cleaned), whose staff follow the usual roster rules. A check-out when
no room occupied at open is left vacates nothing; its visit row says so
(:attr:`VisitOutcome.NOTHING_HELD`).

Records. One visit row per seize at the resource's station index: join = joined the list,
start = seated, end = released (rooms: end = start, handed the key), counter = table (or the
lower of two joined tables; -1 for rooms), staff_id = the second joined table (else -1),
service_min = minutes held (rooms: 0). Level rows: waiting list, units in use, units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import simpy

from simulator.engine.overtaking import OvertakeCounter
from simulator.engine.records import CustomerOutcome, Recorder, VisitOutcome
from simulator.scenario.plan import ResourcePlan

if TYPE_CHECKING:
    from simulator.engine.context import ReplicationContext
    from simulator.engine.customer import Customer
    from simulator.engine.journey import JourneyDriver
    from simulator.engine.station import Station

NAN = math.nan
_SERVED = int(VisitOutcome.SERVED)
_BALKED = int(VisitOutcome.BALKED)
_BLOCKED = int(VisitOutcome.BLOCKED)
_ABANDONED = int(VisitOutcome.ABANDONED)
_UNFINISHED = int(VisitOutcome.UNFINISHED)
_NOTHING = int(VisitOutcome.NOTHING_HELD)
_C_BALKED = int(CustomerOutcome.BALKED)
_C_ABANDONED = int(CustomerOutcome.ABANDONED)
_PENDING = simpy.events.PENDING


class Waiter(simpy.Event):
    """A customer's request for a unit; ``value`` is the units taken, or None on renege."""

    __slots__ = ("cancelled", "cust", "ot", "pool", "rank", "seq")

    def __init__(self, env: simpy.Environment, cust: Any, rank: int, pool: _Pool,
                 seq: int) -> None:
        super().__init__(env)
        self.cust = cust
        self.rank = rank
        self.pool = pool
        self.seq = seq
        self.cancelled = False
        self.ot = 0  # later joiners seated before this customer left the list

    def renege(self, _event: simpy.Event | None = None) -> None:
        """Callback of the patience timer: leave the waiting list unless already seated."""
        if self._value is _PENDING:
            self.pool.withdraw(self)


class _Pool:
    """Waiting list (by rank, then arrival) and level recording shared by both kinds."""

    def __init__(self, env: simpy.Environment, rp: ResourcePlan, n_ranks: int,
                 recorder: Recorder) -> None:
        self.env = env
        self.plan = rp
        self.idx = rp.idx
        self.kind = rp.kind
        self.units = rp.units
        self.in_use = 0
        self.waiting: list[list[Waiter]] = [[] for _ in range(n_ranks)]
        # a list seated strictly in order (one class, no smaller party first) is never
        # overtaken; otherwise count overtaking as it happens (engine.overtaking)
        self.overtaking = (OvertakeCounter() if n_ranks > 1 or (
            rp.kind == "tables" and rp.seat_smaller_first) else None)
        self.n_waiting = 0
        self._seq = 0
        self._level_row = recorder.level_rows.append

    def level(self) -> None:
        """Record waiting list length, units in use and units."""
        self._level_row((self.idx, self.env._now, self.n_waiting, self.in_use, self.units))

    def waiter(self, cust: Any, rank: int) -> Waiter:
        """A new request of ``cust`` (not yet on the list)."""
        self._seq += 1
        if self.overtaking is not None:
            self.overtaking.join()  # numbers joiners exactly as ``_seq`` does
        return Waiter(self.env, cust, rank, self, self._seq)

    def seat(self, w: Waiter, units: tuple[int, int]) -> None:
        """``w`` gets its units now (counting who it was overtaken by)."""
        if self.overtaking is not None:
            w.ot = self.overtaking.started(w.seq, self.env._now)
        w.succeed(units)

    def waiting_overtaken(self, w: Waiter) -> int:
        """Overtaking count of ``w``, still on the list when the run stopped."""
        return 0 if self.overtaking is None else self.overtaking.waiting(w.seq)

    def enqueue(self, w: Waiter) -> None:
        """Put ``w`` on the waiting list after everyone of its rank or better."""
        self.waiting[w.rank].append(w)
        self.n_waiting += 1

    def _remove(self, w: Waiter) -> None:
        self.waiting[w.rank].remove(w)
        self.n_waiting -= 1

    def withdraw(self, w: Waiter) -> None:
        """The customer reneged: off the list; the request succeeds with None."""
        w.cancelled = True
        self._remove(w)
        if self.overtaking is not None:
            w.ot = self.overtaking.left(w.seq, self.env._now)
        w.succeed(None)
        self.level()

    def in_order(self) -> list[Waiter]:
        """The waiting list, first to be served first."""
        return [w for rank in self.waiting for w in rank]


class TablePool(_Pool):
    """Tables of several sizes, seated smallest fit first (optionally two joined)."""

    def __init__(self, env: simpy.Environment, rp: ResourcePlan, n_ranks: int,
                 recorder: Recorder) -> None:
        super().__init__(env, rp, n_ranks, recorder)
        self.seats = rp.seats
        self.free = [True] * len(rp.seats)
        self.sizes = sorted(set(rp.seats))
        # tables of each size class occupy a contiguous index range (seats ascending)
        self.first = [rp.seats.index(s) for s in self.sizes]
        self.last = [len(rp.seats) - rp.seats[::-1].index(s) for s in self.sizes]
        self.n_free = [b - a for a, b in zip(self.first, self.last, strict=True)]
        top = sorted(rp.seats, reverse=True)
        self.max_party = top[0] + top[1] if rp.join and len(top) > 1 else top[0]
        self.hold_sum = 0.0
        self.hold_n = 0

    def _lowest_free(self, c: int, skip: int = -1) -> int:
        for i in range(self.first[c], self.last[c]):
            if self.free[i] and i != skip:
                return i
        return -1

    def fit(self, size: int) -> tuple[int, int] | None:
        """The tables a party of ``size`` would take now: (table, second table or -1)."""
        sizes, n_free = self.sizes, self.n_free
        for c, seats in enumerate(sizes):
            if seats >= size and n_free[c] > 0:
                return self._lowest_free(c), -1
        if not self.plan.join:
            return None
        best: tuple[int, int, int] | None = None
        for c, s1 in enumerate(sizes):
            if not n_free[c]:
                continue
            for d in range(c, len(sizes)):
                if s1 + sizes[d] < size or n_free[d] < (2 if d == c else 1):
                    continue
                a = self._lowest_free(c)
                b = self._lowest_free(d, skip=a)
                cand = (s1 + sizes[d], min(a, b), max(a, b))
                if best is None or cand < best:
                    best = cand
                break  # larger partners for this size only add seats
        return None if best is None else (best[1], best[2])

    def _take(self, units: tuple[int, int]) -> None:
        for i in units:
            if i >= 0:
                self.free[i] = False
                self.n_free[self.sizes.index(self.seats[i])] -= 1
                self.in_use += 1

    def try_take(self, cust: Any) -> tuple[int, int] | None:
        """Seat ``cust`` now if the rules allow it; the tables taken, or None."""
        if self.n_waiting and not self.plan.seat_smaller_first:
            return None
        units = self.fit(cust.group)
        if units is not None:
            self._take(units)
        return units

    def give_back(self, units: tuple[int, int], held_min: float) -> None:
        """Tables freed after ``held_min`` minutes; seat from the waiting list at once."""
        for i in units:
            if i >= 0:
                self.free[i] = True
                self.n_free[self.sizes.index(self.seats[i])] += 1
                self.in_use -= 1
        self.hold_sum += held_min
        self.hold_n += 1
        for w in self.in_order():
            units = self.fit(w.cust.group)
            if units is None:
                if self.plan.seat_smaller_first:
                    continue
                break
            self._take(units)
            self._remove(w)
            self.seat(w, units)

    def _table_class(self, size: int) -> int:
        for seats in self.sizes:
            if seats >= size:
                return seats
        return 1 << 30  # only joined tables fit

    def quote(self, cust: Any, rank: int) -> float:
        """Minutes the host quotes a party that cannot be seated now (see module doc)."""
        size = cust.group
        mine = self._table_class(size)
        ahead = sum(1 for r in self.waiting[: rank + 1] for w in r
                    if self._table_class(w.cust.group) >= mine)
        fitting = sum(1 for s in self.seats if s >= size) or 1
        rp = self.plan
        if rp.quote_mean_hold_min is not None:
            hold = rp.quote_mean_hold_min
        elif self.hold_n:
            hold = self.hold_sum / self.hold_n
        else:
            hold = rp.nominal_hold_min[cust.cls]
        return (ahead + 1) * hold / fitting


class _RoomJob:
    """A dirty room in the housekeeping line (not a customer)."""

    __slots__ = ("counter", "station")

    def __init__(self, station: Station) -> None:
        self.station = station
        self.counter = -1


class RoomPool(_Pool):
    """Rooms: ready, occupied or dirty; dirty rooms are cleaned by housekeeping staff."""

    def __init__(self, env: simpy.Environment, rp: ResourcePlan, n_ranks: int,
                 recorder: Recorder, housekeeping: Station, clean: Callable[[], float],
                 skill: float) -> None:
        super().__init__(env, rp, n_ranks, recorder)
        self.ready = rp.ready_at_open
        self.in_use = rp.occupied_at_open
        self.occupied_before = rp.occupied_at_open  # guests of earlier days
        self.housekeeping = housekeeping
        self._clean = clean
        self._skill = skill

    def open(self) -> None:
        """Send the rooms dirty at the start of the day to housekeeping."""
        for _ in range(self.units - self.in_use - self.ready):
            self._dirty()

    def try_take(self, cust: Any) -> tuple[int, int] | None:
        """Give ``cust`` a ready room if there is one and nobody waits before it."""
        if self.ready and not self.n_waiting:
            self.ready -= 1
            self.in_use += 1
            return (-1, -1)
        return None

    def vacate(self, own: bool) -> bool:
        """A guest leaves a room (``own``: one it took today); False if there was none."""
        if not own:
            if not self.occupied_before:
                return False
            self.occupied_before -= 1
        self.in_use -= 1
        self._dirty()
        return True

    def _dirty(self) -> None:
        hk = self.housekeeping
        job = _RoomJob(hk)
        hk.request(job, 0).callbacks.append(self._clean_start)

    def _clean_start(self, req: simpy.Event) -> None:
        job = req.cust  # type: ignore[attr-defined]
        job.counter = req._value
        self.env.timeout(self._clean() * self._skill, job).callbacks.append(self._clean_end)

    def _clean_end(self, ev: simpy.Event) -> None:
        job = ev._value
        hk = self.housekeeping
        hk.release(job.counter)
        if self.n_waiting:
            w = self.in_order()[0]
            self._remove(w)
            self.in_use += 1
            self.seat(w, (-1, -1))
        else:
            self.ready += 1
        self.level()


class Holdings:
    """Seize and release steps of every customer of one replication."""

    def __init__(self, rep: ReplicationContext, journeys: JourneyDriver) -> None:
        plan = rep.plan
        self.rep = rep
        self.env = rep.env
        self.journeys = journeys
        self.classes = plan.classes
        self.n_st = len(plan.stations)
        self.n_res = len(plan.resources)
        self.row = rep.rec.visit_rows.append
        self.pools: list[TablePool | RoomPool] = []
        for rp in plan.resources:
            if rp.kind == "tables":
                pool: TablePool | RoomPool = TablePool(rep.env, rp, plan.n_ranks, rep.rec)
            else:
                hk = rep.stations[rp.housekeeping]
                clean = rp.clean.sampler(  # type: ignore[union-attr]
                    rep.streams.uniform(f"clean:{rp.name}"))
                pool = RoomPool(rep.env, rp, plan.n_ranks, rep.rec, hk, clean,
                                plan.stations[rp.housekeeping].skill)
            pool.level()
            self.pools.append(pool)

    def open(self) -> None:
        """Start of the day: dirty rooms go to housekeeping."""
        for pool in self.pools:
            if isinstance(pool, RoomPool):
                pool.open()

    def done_stations(self, stations: list[Station]) -> list[Station | None]:
        """Per step code: the station that stops expecting a customer who passes or leaves
        the step (a seize of rooms keeps housekeeping's closing staff while guests wait)."""
        seize = [self.pools[r].housekeeping if isinstance(self.pools[r], RoomPool) else None
                 for r in range(self.n_res)]
        return [*stations, *seize, *([None] * self.n_res)]

    # ------------------------------------------------------------------ steps
    def step(self, cust: Customer, code: int) -> None:
        """Run the seize or release step ``code`` (a station index past the stations)."""
        r = code - self.n_st
        if r < self.n_res:
            self._seize(cust, r)
        else:
            self._release_step(cust, r - self.n_res)

    def _seize(self, cust: Customer, r: int) -> None:
        pool = self.pools[r]
        now = self.env._now
        cp = self.classes[cust.cls]
        q, busy, units = pool.n_waiting, pool.in_use, pool.units
        cust.n_visits += 1
        u_balk = cust.steps[cust.k][4]
        turned = -1
        if pool.kind == "tables" and cust.group > pool.max_party:  # type: ignore[union-attr]
            turned = _BLOCKED
        elif (cp.balk_at >= 0 and q >= cp.balk_at
              and (cp.balk_probability >= 1.0 or u_balk < cp.balk_probability)):
            turned = _BALKED
        taken = pool.try_take(cust) if turned < 0 else None
        if (taken is None and turned < 0 and pool.kind == "tables"
                and pool.plan.quote_wait and cust.patience is not None
                and cust.patience < pool.quote(cust, cp.rank)):  # type: ignore[union-attr]
            turned = _BALKED
        if turned >= 0:
            self.row((cust.id, cust.cls, cust.group, pool.idx, cust.k, now, NAN, NAN, -1, -1,
                      turned, q, busy, units, 0, False, NAN, 0, cust.arrival, 0))
            self.journeys.leave(cust, _C_BALKED)
            return
        cust.join = now
        cust.q_seen, cust.busy_seen, cust.duty_seen = q, busy, units
        w = pool.waiter(cust, cp.rank)
        cust.pending = w
        if taken is not None:
            pool.seat(w, taken)
        else:
            pool.enqueue(w)
            if cust.patience is not None:
                self.env.timeout(cust.patience).callbacks.append(w.renege)
        pool.level()
        w.callbacks.append(self._on_seized)

    def _on_seized(self, w: Waiter) -> None:  # type: ignore[override]
        cust = w.cust
        pool = w.pool
        now = self.env._now
        cust.pending = None
        cust.wait += now - cust.join
        units = w._value
        if units is None:
            self.row((cust.id, cust.cls, cust.group, pool.idx, cust.k, cust.join, NAN, NAN, -1,
                      -1, _ABANDONED, cust.q_seen, cust.busy_seen, cust.duty_seen, 0, False,
                      NAN, 0, cust.arrival, w.ot))
            self.journeys.leave(cust, _C_ABANDONED)
            return
        r = pool.idx - self.n_st
        if cust.held is None:
            cust.held = {}
        if pool.kind == "tables":
            cust.held[r] = (cust.k, cust.join, now, units[0], units[1], cust.q_seen,
                            cust.busy_seen, cust.duty_seen, w.ot)
        else:
            cust.held[r] = None
            self.row((cust.id, cust.cls, cust.group, pool.idx, cust.k, cust.join, now, now, -1,
                      -1, _SERVED, cust.q_seen, cust.busy_seen, cust.duty_seen, 0, False, 0.0,
                      0, cust.arrival, w.ot))
            pool.housekeeping.done()  # type: ignore[union-attr]
        cust.k += 1
        self.journeys.begin(cust)

    def _release_step(self, cust: Customer, r: int) -> None:
        if cust.held is not None and r in cust.held:
            self.release(cust, r)
        else:  # rooms only (checked in the scenario): a check-out of an earlier guest
            pool = self.pools[r]
            if not pool.vacate(own=False):  # type: ignore[union-attr]
                now = self.env._now
                self.row((cust.id, cust.cls, cust.group, pool.idx, cust.k, now, NAN, NAN, -1,
                          -1, _NOTHING, pool.n_waiting, pool.in_use, pool.units, 0, False, NAN,
                          0, cust.arrival, 0))
            pool.level()
        cust.k += 1
        self.journeys.begin(cust)

    def release(self, cust: Customer, r: int) -> None:
        """Hand back what ``cust`` holds of resource ``r`` (recording a table's visit row)."""
        pool = self.pools[r]
        info = cust.held.pop(r)  # type: ignore[union-attr]
        if info is None:
            pool.vacate(own=True)  # type: ignore[union-attr]
        else:
            k, join, start, a, b, q, busy, units, ot = info
            now = self.env._now
            self.row((cust.id, cust.cls, cust.group, pool.idx, k, join, start, now, a, b,
                      _SERVED, q, busy, units, 0, False, now - start, 0, cust.arrival, ot))
            pool.give_back((a, b), now - start)  # type: ignore[union-attr]
        pool.level()

    def release_all(self, cust: Customer) -> None:
        """End of a journey: tables still held are handed back; rooms stay occupied."""
        for r in list(cust.held or ()):
            if cust.held[r] is not None:  # type: ignore[index]
                self.release(cust, r)

    def close_rows(self, cust: Customer, stop: float) -> None:
        """The run stopped with ``cust`` inside: UNFINISHED rows for a wait or a hold."""
        w = cust.pending
        if w is not None:
            cust.wait += stop - cust.join
            self.row((cust.id, cust.cls, cust.group, w.pool.idx, cust.k, cust.join, NAN, NAN,
                      -1, -1, _UNFINISHED, -1, -1, -1, 0, False, NAN, 0, cust.arrival,
                      w.pool.waiting_overtaken(w)))
        for r, info in sorted((cust.held or {}).items()):
            if info is not None:
                k, join, start, a, b, *_, ot = info
                self.row((cust.id, cust.cls, cust.group, self.pools[r].idx, k, join, start,
                          NAN, a, b, _UNFINISHED, -1, -1, -1, 0, False, NAN, 0, cust.arrival, ot))
