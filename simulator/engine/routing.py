"""Skill-based routing: cross-trained people who move between the stations they serve.

Used only when a scenario has a routed staff group (one serving several stations, or sharing a
station with another group; :func:`simulator.scenario.schema.routed_groups`). Every other
station and group keeps the count semantics of :class:`~simulator.engine.station.Station`
untouched.

Each routed person is tracked one by one (:class:`Person`): on duty or not, at which station and
counter (or as a spare without a counter at their home station), and whether a departure is
owed. The rules (docs/scenario.md, "Skill-based routing"):

* **A free person looks for work** (after a service, on coming on duty or back from a break):
  through the stations they serve in preference order, the first where at least
  ``help_at`` customers wait (1 at home) and where they hold a counter or one is free. With no
  work anywhere they go back to (or stay at) their home station, idle at a free counter, or as a
  spare if none is free.
* **A line calls for help**: when a customer joins a line (nobody idle at that station), or a
  counter frees up at a station with a line, one person idle at their home station comes if the
  line is at least their threshold and a counter is free: the lowest position of the station in
  the person's ``serves`` first, then the lowest slot.
* **Departures are per person** (no slot swaps): someone due off who is idle leaves at once;
  someone serving finishes that customer and then leaves, the lateness recorded on their own
  slot (overtime at a shift end, a late break otherwise). A person whose shift ends at or after
  the doors close stays until no customer inside needs any station they serve.
* When a person leaves a counter, a spare at that station takes it; otherwise the counter closes
  and, if customers wait there, help is called.
* Service time is ``base × skill`` of the person serving (``skill_at`` of the station, else the
  group's ``skill``), read by the journey from :attr:`Station.counter_skill`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import simpy

from simulator.engine.station import Request, Station

if TYPE_CHECKING:
    from simulator.engine.records import Recorder
    from simulator.scenario.plan import Plan


class Person:
    """One person of a routed staff group, identified by their roster slot all day."""

    __slots__ = ("counter", "due", "group", "help_at", "on_duty", "serves", "skill_at", "slot",
                 "where")

    def __init__(self, slot: int, group: int, serves: list[RoutedStation],
                 help_at: tuple[int, ...], skill_at: tuple[float, ...]) -> None:
        self.slot = slot
        self.group = group
        self.serves = serves  # preference order; serves[0] is home
        self.help_at = help_at
        self.skill_at = skill_at
        self.on_duty = False
        self.where: RoutedStation | None = None
        self.counter = -1  # counter held at ``where``; -1 for a spare
        self.due: tuple[int, float, simpy.Event] | None = None  # owed departure


class RoutedStation(Station):
    """A station served by routed people: one shared line; people come and go one by one."""

    def __init__(self, *args: Any, router: Router, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.router = router
        self.spare_people: list[Person] = []  # at home here without a counter, idle

    def free_counter(self) -> int:
        """Lowest counter nobody holds, or -1."""
        open_at = self.open_at
        for c in range(self.n_counters):
            if not open_at[c]:
                return c
        return -1

    def request(self, cust: Any, rank: int) -> Request:
        """Join the station: start at an idle counter, else join the line and call for help."""
        req = Request(self.env, cust, rank)
        if self.overtaking is not None:
            req.seq = self.overtaking.join()
        if self.idle:
            self._start(req, self.idle.pop(0))
            self._level()
        else:
            self.queue[rank].append(req)
            self.n_waiting += 1
            self.router.help(self)
        return req

    def release(self, counter: int) -> None:
        """A service ended: its server leaves if due off, else looks for the next customer."""
        self.busy_at[counter] = False
        self.busy -= 1
        self.router.freed(self, counter)

    def _release_closing(self) -> None:
        self.router.release_closing()
        for dep in self.dependents:
            dep._release_closing()


class Router:
    """Places the routed people of one replication (see the module docstring)."""

    def __init__(self, env: simpy.Environment, stations: list[Station],
                 recorder: Recorder) -> None:
        self.env = env
        self._rec = recorder
        self._stations = stations  # filled by the caller before :meth:`place`
        self.persons: dict[int, Person] = {}
        self.closing: list[tuple[Person, int, float, simpy.Event]] = []
        # per station: (position in serves, person) of those who may come to help, in order
        self.helpers: dict[int, list[tuple[int, Person]]] = {}

    def place(self, plan: Plan) -> None:
        """Create the routed people of ``plan`` once every station exists (all off duty)."""
        stations = self._stations
        for slot in plan.slots:
            if not slot.routed:
                continue
            g = plan.groups[slot.group]
            serves = [stations[s] for s in g.serves]
            if not all(isinstance(st, RoutedStation) for st in serves):
                raise ValueError(f"group {g.name!r} is routed but serves a station that is not")
            p = Person(slot.slot_id, slot.group, serves, g.help_at,  # type: ignore[arg-type]
                       g.skill_at)
            self.persons[slot.slot_id] = p
            for i, s in enumerate(g.serves[1:], start=1):
                self.helpers.setdefault(s, []).append((i, p))
        for lst in self.helpers.values():
            lst.sort(key=lambda ip: (ip[0], ip[1].slot))

    # ------------------------------------------------------------------ staff
    def staff_on(self, slot: int) -> None:
        """A person comes on duty (or back from a break) and looks for work."""
        p = self.persons[slot]
        p.on_duty = True
        touched: list[RoutedStation] = []
        self._seek(p, touched)
        self._levels(touched)

    def staff_off(self, slot: int, kind: int, due: float, closing: bool) -> simpy.Event:
        """Person ``slot`` is due off duty; the event succeeds with the time they left."""
        p = self.persons[slot]
        ev = simpy.Event(self.env)
        if closing and not all(st.drained() for st in p.serves):
            self.closing.append((p, kind, due, ev))
        else:
            self._request_departure(p, kind, due, ev)
        return ev

    def release_closing(self) -> None:
        """Some station drained: closing people whose stations are all drained go home."""
        if not self.closing:
            return
        going = [item for item in self.closing if all(st.drained() for st in item[0].serves)]
        if going:
            self.closing = [item for item in self.closing if item not in going]
            for p, kind, due, ev in going:
                self._request_departure(p, kind, due, ev)

    def pending(self) -> list[tuple[int, int, int, float]]:
        """(group, slot, kind, due) of people due off but still on duty: closing or owed."""
        rows = [(p.group, p.slot, kind, due) for p, kind, due, _ev in self.closing]
        rows += [(p.group, p.slot, p.due[0], p.due[1]) for p in self.persons.values()
                 if p.due is not None]
        return rows

    def _request_departure(self, p: Person, kind: int, due: float, ev: simpy.Event) -> None:
        st = p.where
        if st is not None and p.counter >= 0 and st.busy_at[p.counter]:
            p.due = (kind, due, ev)  # finishes this customer first
            return
        touched: list[RoutedStation] = []
        self._leave(p, kind, due, ev, touched)
        self._levels(touched)

    def _leave(self, p: Person, kind: int, due: float, ev: simpy.Event,
               touched: list[RoutedStation]) -> None:
        self._vacate(p, touched)
        p.on_duty = False
        now = self.env._now
        self._rec.staff_change(p.group, p.slot, kind, due, now, max(0.0, now - due))
        ev.succeed(now)

    # ------------------------------------------------------------------ customers
    def freed(self, st: RoutedStation, counter: int) -> None:
        """The person at ``counter`` of ``st`` finished a service."""
        p = self.persons[st.slot_at[counter]]
        touched: list[RoutedStation] = [st]
        if p.due is not None:
            kind, due, ev = p.due
            p.due = None
            self._leave(p, kind, due, ev, touched)
        else:
            self._seek(p, touched)
        self._levels(touched)

    def help(self, st: RoutedStation) -> None:
        """A customer joined the line at ``st``: someone idle elsewhere may come."""
        touched: list[RoutedStation] = [st]
        self._call_help(st, touched)
        self._levels(touched)

    def _call_help(self, st: RoutedStation, touched: list[RoutedStation]) -> None:
        waiting = st.n_waiting
        if not waiting:
            return
        c = st.free_counter()
        if c < 0:
            return
        for i, p in self.helpers.get(st.idx, ()):
            if waiting >= p.help_at[i] and self._idle_at_home(p):
                self._vacate(p, touched)
                self._take(p, st, c, i)
                st._dispatch(c)
                touched.append(st)
                return

    @staticmethod
    def _idle_at_home(p: Person) -> bool:
        home = p.serves[0]
        return (p.on_duty and p.due is None and p.where is home
                and (p.counter < 0 or not home.busy_at[p.counter]))

    # ------------------------------------------------------------------ placing people
    def _seek(self, p: Person, touched: list[RoutedStation]) -> None:
        """A free person takes the next customer by preference, or goes home idle."""
        for i, st in enumerate(p.serves):
            if st.n_waiting >= p.help_at[i]:
                if p.where is st and p.counter >= 0:
                    st._dispatch(p.counter)
                    touched.append(st)
                    return
                c = st.free_counter()
                if c >= 0:
                    self._vacate(p, touched)
                    self._take(p, st, c, i)
                    st._dispatch(c)
                    touched.append(st)
                    return
        home = p.serves[0]
        if p.where is home:
            if p.counter >= 0:
                home._add_idle(p.counter)
            touched.append(home)
            return
        self._vacate(p, touched)
        c = home.free_counter()
        if c >= 0:
            self._take(p, home, c, 0)
            home._add_idle(c)
        else:
            p.where = home
            home.spare_people.append(p)
            home.on_duty += 1
        touched.append(home)

    @staticmethod
    def _take(p: Person, st: RoutedStation, c: int, i: int) -> None:
        st.open_at[c] = True
        st.slot_at[c] = p.slot
        st.counter_skill[c] = p.skill_at[i]
        st.on_duty += 1
        p.where = st
        p.counter = c

    def _vacate(self, p: Person, touched: list[RoutedStation]) -> None:
        """``p`` leaves where they are; a spare takes the counter, or the line calls for help."""
        st = p.where
        if st is None:
            return
        c = p.counter
        p.where = None
        p.counter = -1
        st.on_duty -= 1
        touched.append(st)
        if c < 0:
            st.spare_people.remove(p)
            return
        if c in st.idle:
            st.idle.remove(c)
        st.open_at[c] = False
        st.slot_at[c] = -1
        if st.spare_people:
            q = st.spare_people.pop(0)
            st.on_duty -= 1  # counted again by _take
            self._take(q, st, c, 0)
            st._dispatch(c)
        elif st.n_waiting:
            self._call_help(st, touched)

    @staticmethod
    def _levels(touched: list[RoutedStation]) -> None:
        seen: list[RoutedStation] = []
        for st in touched:
            if not any(st is s for s in seen):
                seen.append(st)
                st._level()
