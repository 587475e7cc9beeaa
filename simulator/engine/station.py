"""A station: counters served by staff on duty, one line or a line per counter.

The station is a passive SimPy resource. Customer processes call :meth:`Station.request` and
yield the returned event, which succeeds with the counter index when service can start (or with
-1 if the customer abandoned); they call :meth:`Station.release` when service ends. Staff-slot
processes call :meth:`Station.staff_on` and yield :meth:`Station.staff_off`.

Staffing rule (count semantics). Staff of one group are interchangeable. When someone is due off
duty (shift end or break), no service is interrupted: a person without a counter (spare) or an
idle person leaves at once; if everyone is serving, the next person to finish a customer leaves
instead, and nobody starts a new service meanwhile. The lateness is recorded against the slot
that was due (overtime at a shift end, a late break otherwise). A staff id in the records is a
roster slot: when an idle person leaves in place of a busy one, the two swap slots.

Closing rule (terminating days). A slot whose shift ends at or after the doors close stays until
no customer inside still needs the station (waiting, in service or expected later on their
pathway); then it leaves and the minutes past its shift end are overtime.

Jockeying (per-counter lines with ``jockey``). Koenigsberg's rule (Koenigsberg 1966,
"On jockeying in queues", *Management Science* 12(5): 412-436): whenever a line (customers
waiting at a counter plus the one in service there) is shorter than another open counter's
by at least ``when_shorter_by``, the last customer waiting in the longer line moves to the
end of the shorter one, starting at once if its counter is free; repeated until no pair of
lines differs that much. Lines are compared after every service end, abandonment and
counter opening; longest line first, lowest counter on ties. Each move counts in the
customer's ``jockeyed``.

Levels are recorded at every change: waiting customers, busy counters and staff on duty.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import simpy

from simulator.engine.overtaking import OvertakeCounter
from simulator.engine.records import Recorder


class Request(simpy.Event):
    """A customer's request for a counter; ``value`` is the counter index, or -1 on abandon."""

    __slots__ = ("cancelled", "cust", "jockeyed", "line", "ot", "rank", "seq")

    def __init__(self, env: simpy.Environment, cust: Any, rank: int) -> None:
        super().__init__(env)
        self.cust = cust
        self.rank = rank
        self.cancelled = False
        self.line = -1  # per-counter line index, or -1 for the station's own line
        self.seq = 0  # joining number where overtaking is counted (see engine.overtaking)
        self.ot = 0  # later joiners who started before this customer left the line
        self.jockeyed = 0  # moves to a shorter counter line (jockeying)

    def renege(self, _event: simpy.Event | None = None) -> None:
        """Callback of the patience timer: leave the line unless already served."""
        if self._value is simpy.events.PENDING:
            self.cust.station.withdraw(self)


class Station:
    """Counters, their lines and the staff currently on duty at them."""

    def __init__(
        self,
        env: simpy.Environment,
        idx: int,
        n_counters: int,
        *,
        staffed: bool,
        per_counter: bool,
        waiting_room: int | None,
        n_ranks: int,
        recorder: Recorder,
        group_idx: int = -1,
        skill: float = 1.0,
        jockey_by: int = 0,
    ) -> None:
        self.env = env
        # per-counter lines: move the last of a line this much longer (0: never jockey)
        self.jockey_by = jockey_by if per_counter else 0
        self.idx = idx
        self.n_counters = n_counters
        self.staffed = staffed
        self.per_counter = per_counter
        self.waiting_room = waiting_room
        self.group_idx = group_idx
        self._rec = recorder
        self._level_row = recorder.level_rows.append
        self._n_ranks = n_ranks
        # counters
        self.busy_at = [False] * n_counters
        self.open_at = [not staffed] * n_counters
        self.slot_at = [-1] * n_counters  # staff slot at each counter
        # service-time multiplier of whoever serves at each counter (the group's skill here;
        # per person under skill-based routing, see simulator.engine.routing)
        self.counter_skill = [skill] * n_counters
        self.idle: list[int] = list(range(n_counters)) if not staffed else []  # sorted
        self.busy = 0
        self.on_duty = 0 if staffed else n_counters
        # lines
        self.queue: list[deque[Request]] = [deque() for _ in range(n_ranks)]
        self.lines: list[list[deque[Request]]] = (
            [[deque() for _ in range(n_ranks)] for _ in range(n_counters)] if per_counter else []
        )
        self.line_len = [0] * n_counters  # waiting per counter line (per_counter)
        self.n_waiting = 0
        # staff
        self.pos: dict[int, int] = {}  # slot -> counter, or -1 for a spare
        self.spare: list[int] = []
        self.owed: deque[tuple[int, int, float, simpy.Event]] = deque()
        self.closing: list[tuple[int, int, float, simpy.Event]] = []
        # customers still needing this station (waiting, serving, or later on their path)
        self.expected = 0
        # stations whose failures are recovered here: while they have customers, a recovery
        # visit may still come, so closing staff stay
        self.feeders: list[Station] = []
        self.dependents: list[Station] = []
        # one first-come-first-served line with one priority class is never overtaken
        self.overtaking = OvertakeCounter() if per_counter or n_ranks > 1 else None
        self._level()

    # ------------------------------------------------------------------ recording
    def _level(self) -> None:
        self._level_row((self.idx, self.env._now, self.n_waiting, self.busy, self.on_duty))

    # ------------------------------------------------------------------ customers
    def choose_line(self) -> int:
        """Per-counter lines: the open counter with the fewest customers (waiting + in
        service), lowest index on ties; -1 if no counter is open."""
        best, best_n = -1, 1 << 60
        for c in range(self.n_counters):
            if self.open_at[c]:
                n = self.line_len[c] + self.busy_at[c]
                if n < best_n:
                    best, best_n = c, n
        return best

    def waiting_seen(self) -> int:
        """Length of the line an arriving customer would join (for balking)."""
        if not self.per_counter:
            return self.n_waiting
        c = self.choose_line()
        return self.line_len[c] if c >= 0 else self.n_waiting

    def line_rank(self) -> tuple[int, int]:
        """How an arriving customer ranks this station's line for ``shortest_of`` (lower is
        better): ``(0, 0)`` with a free counter to start at, else ``(1, waiting)`` with the
        customers waiting in the line the customer would join."""
        if self._free_counter_for_arrival():
            return (0, 0)
        return (1, self.waiting_seen())

    def is_full(self) -> bool:
        """True when the waiting room is full and no counter is free."""
        return (
            self.waiting_room is not None
            and self.n_waiting >= self.waiting_room
            and not self._free_counter_for_arrival()
        )

    def _free_counter_for_arrival(self) -> bool:
        if self.owed:
            return False
        if not self.per_counter:
            return bool(self.idle)
        c = self.choose_line()
        return c >= 0 and not self.busy_at[c] and self.line_len[c] == 0

    def request(self, cust: Any, rank: int) -> Request:
        """Join the station: returns an event that succeeds with the counter index."""
        req = Request(self.env, cust, rank)
        if self.overtaking is not None:
            req.seq = self.overtaking.join()
        if not self.per_counter:
            if self.idle and not self.owed:
                self._start(req, self.idle.pop(0))
            else:
                self.queue[rank].append(req)
                self.n_waiting += 1
        else:
            c = self.choose_line()
            if c >= 0 and not self.busy_at[c] and self.line_len[c] == 0 and not self.owed:
                self._start(req, c)
            else:
                self._enqueue(req, c)
        self._level()
        return req

    def _enqueue(self, req: Request, c: int) -> None:
        self.n_waiting += 1
        req.line = c
        if c >= 0:
            self.lines[c][req.rank].append(req)
            self.line_len[c] += 1
        else:
            self.queue[req.rank].append(req)

    def _start(self, req: Request, c: int) -> None:
        self.busy_at[c] = True
        self.busy += 1
        if self.overtaking is not None:
            req.ot = self.overtaking.started(req.seq, self.env._now)
        req.succeed(c)

    def withdraw(self, req: Request) -> None:
        """Remove a waiting customer (abandonment); its event succeeds with -1."""
        req.cancelled = True
        self.n_waiting -= 1
        if req.line >= 0:
            self.line_len[req.line] -= 1
        if self.overtaking is not None:
            req.ot = self.overtaking.left(req.seq, self.env._now)
        req.succeed(-1)
        if self.jockey_by:
            self._jockey()
        self._level()

    def release(self, counter: int) -> None:
        """A service at ``counter`` ended: someone due off leaves, or the next is served."""
        self.busy_at[counter] = False
        self.busy -= 1
        if self.owed:
            slot_due, kind, due, ev = self.owed.popleft()
            self._leave(self.slot_at[counter], slot_due, kind, due, ev)
        else:
            self._dispatch(counter)
        if self.jockey_by:
            self._jockey()
        self._level()

    def _jockey(self) -> None:
        """Koenigsberg's rule (see the module docstring): move the last customer of the
        longest line to the shortest while they differ by at least ``jockey_by``."""
        by, lines, line_len, busy_at, open_at = (
            self.jockey_by, self.lines, self.line_len, self.busy_at, self.open_at)
        while self.n_waiting:
            lo, lo_n, hi, hi_n = -1, 1 << 60, -1, -1
            for c in range(self.n_counters):
                if not open_at[c]:
                    continue
                n = line_len[c] + busy_at[c]
                if n < lo_n:
                    lo, lo_n = c, n
                if line_len[c] and n > hi_n:
                    hi, hi_n = c, n
            if hi < 0 or hi_n - lo_n < by:
                return
            req = None
            for dq in reversed(lines[hi]):  # the last in line: lowest priority, latest
                while dq and dq[-1].cancelled:
                    dq.pop()
                if dq:
                    req = dq.pop()
                    break
            line_len[hi] -= 1
            req.jockeyed += 1  # type: ignore[union-attr]
            req.line = lo  # type: ignore[union-attr]
            lines[lo][req.rank].append(req)  # type: ignore[union-attr]
            line_len[lo] += 1
            if not busy_at[lo] and not self.owed:
                self._dispatch(lo)

    def _pop(self, lines: list[deque[Request]]) -> Request | None:
        for dq in lines:
            while dq:
                req = dq.popleft()
                if not req.cancelled:
                    return req
        return None

    def _dispatch(self, c: int) -> None:
        """Counter ``c`` is open and free: start the next customer or mark it idle."""
        if self.per_counter:
            req = self._pop(self.lines[c])
            if req is not None:
                self.line_len[c] -= 1
        else:
            req = self._pop(self.queue)
        if req is None and self.per_counter:
            req = self._pop(self.queue)  # customers held while no counter was open
        if req is not None:
            self.n_waiting -= 1
            req.line = -1
            self._start(req, c)
        elif not self.per_counter:
            self._add_idle(c)

    def _add_idle(self, c: int) -> None:
        idle = self.idle
        i = len(idle)
        while i > 0 and idle[i - 1] > c:
            i -= 1
        idle.insert(i, c)

    # ------------------------------------------------------------------ staff
    def staff_on(self, slot: int) -> None:
        """A staff slot comes on duty: open the lowest closed counter, or wait as a spare.

        If someone is owed a departure (due off but still serving), the newcomer relieves
        them at once: the two swap slots, so the server carries on under the newcomer's
        schedule and the slot that was due goes off duty now.
        """
        self.on_duty += 1
        if self.owed:
            self.pos[slot] = -1
            self.spare.append(slot)
            slot_due, kind, due, ev = self.owed.popleft()
            self._leave(slot, slot_due, kind, due, ev)
            self._level()
            return
        for c in range(self.n_counters):
            if not self.open_at[c]:
                self._open(c, slot)
                break
        else:
            self.pos[slot] = -1
            self.spare.append(slot)
        if self.jockey_by:
            self._jockey()
        self._level()

    def _open(self, c: int, slot: int) -> None:
        self.open_at[c] = True
        self.slot_at[c] = slot
        self.pos[slot] = c
        if self.per_counter and self.n_waiting:
            self._rehome(self._drain_queue())
        self._dispatch(c)

    def _drain_queue(self) -> list[Request]:
        held: list[Request] = []
        for dq in self.queue:
            while dq:
                req = dq.popleft()
                if not req.cancelled:
                    held.append(req)
        return held

    def _rehome(self, reqs: list[Request]) -> None:
        """Per-counter lines: put customers (in order) into the shortest open lines."""
        for req in reqs:
            self.n_waiting -= 1
            self._enqueue(req, self.choose_line())

    def staff_off(self, slot: int, kind: int, due: float, closing: bool) -> simpy.Event:
        """Slot ``slot`` is due off duty; the event succeeds with the time someone left."""
        ev = simpy.Event(self.env)
        if closing and not self.drained():
            self.closing.append((slot, kind, due, ev))
            return ev
        self._request_departure(slot, kind, due, ev)
        return ev

    def _request_departure(self, slot: int, kind: int, due: float, ev: simpy.Event) -> None:
        p = self.pos[slot]
        if p < 0 or not self.busy_at[p]:
            self._leave(slot, slot, kind, due, ev)
        elif self.spare:
            self._leave(self.spare[-1], slot, kind, due, ev)
        else:
            idle = [c for c in range(self.n_counters) if self.open_at[c] and not self.busy_at[c]]
            if idle:
                self._leave(self.slot_at[idle[-1]], slot, kind, due, ev)
            else:
                self.owed.append((slot, kind, due, ev))
        self._level()

    def _leave(self, leaver: int, slot_due: int, kind: int, due: float, ev: simpy.Event) -> None:
        """The person holding ``leaver`` goes off duty under ``slot_due``'s schedule."""
        if leaver != slot_due:  # swap roster slots between the two people
            a, b = self.pos[leaver], self.pos[slot_due]
            self.pos[leaver], self.pos[slot_due] = b, a
            if a >= 0:
                self.slot_at[a] = slot_due
            else:
                self.spare[self.spare.index(leaver)] = slot_due
            if b >= 0:
                self.slot_at[b] = leaver
            else:
                self.spare[self.spare.index(slot_due)] = leaver
        c = self.pos.pop(slot_due)
        self.on_duty -= 1
        if c < 0:
            self.spare.remove(slot_due)
        elif self.spare:
            replacement = self.spare.pop()
            self.slot_at[c] = replacement
            self.pos[replacement] = c
            if not self.busy_at[c]:
                if c in self.idle:
                    self.idle.remove(c)
                self._dispatch(c)
        else:
            self.open_at[c] = False
            self.slot_at[c] = -1
            if c in self.idle:
                self.idle.remove(c)
            if self.per_counter and self.line_len[c]:
                moved: list[Request] = []
                for dq in self.lines[c]:
                    while dq:
                        req = dq.popleft()
                        if not req.cancelled:
                            moved.append(req)
                self.line_len[c] = 0
                self._rehome(moved)  # still waiting: n_waiting is unchanged
                # customers moved to a free counter start at once
                for c2 in range(self.n_counters):
                    if self.open_at[c2] and not self.busy_at[c2] and self.line_len[c2]:
                        self._dispatch(c2)
        now = self.env._now
        self._rec.staff_change(self.group_idx, slot_due, kind, due, now, max(0.0, now - due))
        ev.succeed(now)

    def overtaken_at_stop(self, req: Request | None) -> int:
        """Overtaking count of a customer still here when the run stopped: as counted at its
        service start, or (still waiting) every later joiner who started."""
        if req is None or self.overtaking is None:
            return 0
        if req.triggered:
            return req.ot
        return self.overtaking.waiting(req.seq)

    # ------------------------------------------------------------------ closing
    def expect(self, n: int = 1) -> None:
        """``n`` more customers will need this station."""
        self.expected += n

    def drained(self) -> bool:
        """No customer inside needs this station, now or through a recovery step."""
        return self.expected == 0 and all(f.drained() for f in self.feeders)

    def done(self) -> None:
        """A customer no longer needs this station; when drained, closing staff go home."""
        self.expected -= 1
        if self.expected == 0:
            self._release_closing()

    def _release_closing(self) -> None:
        if self.closing and self.drained():
            pending, self.closing = self.closing, []
            for slot, kind, due, ev in pending:
                self._request_departure(slot, kind, due, ev)
        for dep in self.dependents:
            dep._release_closing()
