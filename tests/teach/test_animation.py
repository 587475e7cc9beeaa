"""The replay (simulator.teach.animation): exact frames on a tiny day, conservation on a busy
one, and a page that needs no network."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from simulator import compile_plan, load_scenario_text, simulate
from simulator.engine.records import CustomerOutcome
from simulator.teach import animation
from simulator.teach.lessons import pooling

TINY = """
name: tiny
clock: {open: "09:00", close: "10:00"}
customer_classes:
  walk: {pathway: p}
  vip: {pathway: p, priority: 1}
arrivals:
  booked: {slots_every_min: 10, start: "09:00", end: "09:20", per_slot: 2, class: walk}
  vip: {slots_every_min: 10, start: "09:12", end: "09:12", class: vip}
stations:
  desk: {counters: 1, staffed: false, service: {dist: constant, value: 7}}
pathways: {p: [desk]}
satisfaction: {model: off}
"""

BUSY = """
name: busy hall
clock: {open: "09:00", close: "12:00"}
customer_classes:
  resident: {share: 0.7, pathway: two, patience: {dist: exponential, mean: 6},
             balk: {queue_at_least: 4, probability: 0.5}}
  business: {share: 0.3, pathway: one, priority: 1}
arrivals:
  walk_in: {rate_per_hour: {"09:00": 70, "10:30": 40}}
stations:
  kiosk: {counters: 2, staffed: false, service: {dist: exponential, mean: 1.0}}
  window: {counters: 3, staff: clerks, line: per_counter,
           service: {dist: lognormal, mean: 5, cv: 0.8}}
  cashier: {counters: 2, staff: cashiers, service: {dist: gamma, mean: 2, cv: 0.5},
            waiting_room: 3}
staff:
  clerks:
    shifts:
      - {start: "09:00", end: "12:00", count: 3,
         breaks: [{start: "10:00", minutes: 20, stagger_groups: 3}]}
  cashiers: {count: 1}
pathways:
  two: [kiosk, window, {step: cashier, probability: 0.6}]
  one: [window, cashier]
satisfaction: {model: off}
"""


def _frames(yaml: str, step: float | None = None, seed: int = 3):
    plan = compile_plan(load_scenario_text(yaml).scenario)
    rec = simulate(plan, seed, 0)
    fr = animation.build_frames(
        rec, [s.counters for s in plan.stations], [s.per_counter for s in plan.stations],
        rec.open_min, rec.end_min, step, class_rank=[c.rank for c in plan.classes])
    return rec, fr


def _at(fr: animation.Frames, clock_min: float) -> animation.Frame:
    (i,) = np.flatnonzero(np.isclose(fr.times_min, clock_min))
    return fr.frames[i]


def test_exact_frames_on_a_tiny_day():
    # 2 booked walk-ins every 10 min from 09:00 to 09:20, a VIP at 09:12, one counter, 7 min
    # service: 0 09:00-07, 1 07-14, VIP 4 14-21 (ahead of 2 and 3), 2 21-28, 3 28-35, ...
    rec, fr = _frames(TINY, step=1.0)
    assert fr.station_names == ("desk",)
    f = _at(fr, 545)  # 09:05
    assert f.lines == [[(1, 0)]] and f.counters == [[0]] and f.on_duty == [1]
    f = _at(fr, 547)  # 09:07: the first leaves, the second moves to the counter
    assert f.lines == [[]] and f.counters == [[1]]
    assert f.left == [(0, int(CustomerOutcome.SERVED))] and f.totals == (1, 0, 0)
    f = _at(fr, 553)  # 09:13: the VIP waits ahead of the two who came earlier
    assert f.lines == [[(4, 0), (2, 0), (3, 0)]] and f.counters == [[1]]
    f = _at(fr, 554)  # 09:14
    assert f.lines == [[(2, 0), (3, 0)]] and f.counters == [[4]]
    f = _at(fr, 561)  # 09:21
    assert f.lines == [[(3, 0), (5, 0), (6, 0)]] and f.counters == [[2]]
    last = fr.frames[-1]
    assert last.time_min == rec.end_min == 600.0  # the doors close at 10:00
    assert last.lines == [[]] and last.counters == [[-1]] and last.totals == (7, 0, 0)
    assert fr.customer_class[4] == 1 and fr.class_names == ("walk", "vip")


def test_frames_conserve_customers_and_match_the_level_series():
    rec, fr = _frames(BUSY, step=0.5)
    c, lv = rec.customers, rec.levels
    arr, dep = c["arrival_min"], np.where(np.isnan(c["departure_min"]), np.inf,
                                           c["departure_min"])
    outcome = c["outcome"]
    assert {int(o) for o in outcome} >= {int(CustomerOutcome.BALKED),
                                         int(CustomerOutcome.ABANDONED)}, \
        "the busy day should have balking and abandonment to test"
    seen_state: dict[int, tuple[int, int]] = {}  # id -> (station, 0 waiting / 1 served)
    gone: set[int] = set()
    left_ids: list[int] = []
    for f in fr.frames:
        t = f.time_min
        where = {}
        for s, line in enumerate(f.lines):
            for cid, lane in line:
                assert cid not in where, f"customer {cid} twice at {t}"
                where[cid] = (s, 0)
                assert 0 <= lane < fr.n_counters[s]
                if not fr.per_counter[s]:
                    assert lane == 0
        for s, row in enumerate(f.counters):
            assert len(row) == fr.n_counters[s]
            for cid in row:
                if cid >= 0:
                    assert cid not in where, f"customer {cid} twice at {t}"
                    where[cid] = (s, 1)
        # everyone inside is drawn exactly once; nobody else is
        inside = set(c["customer_id"][(arr <= t) & (t < dep)].tolist())
        assert set(where) == inside, f"at {t}: drawn {sorted(set(where) ^ inside)} differ"
        # lines and counters agree with the recorded level series
        for s in range(len(fr.station_names)):
            rows = np.flatnonzero(lv["station_idx"] == s)
            k = np.searchsorted(lv["time_min"][rows], t, side="right") - 1
            assert len(f.lines[s]) == lv["queue_len"][rows][k]
            assert sum(x >= 0 for x in f.counters[s]) == lv["busy"][rows][k]
            assert f.on_duty[s] == lv["on_duty"][rows][k]
        # time order: within a station a customer waits, then is served; never comes back
        for cid, state in where.items():
            assert cid not in gone, f"customer {cid} reappears at {t}"
            before = seen_state.get(cid)
            if before is not None and before[0] == state[0]:
                assert state[1] >= before[1], f"customer {cid} went back to the line at {t}"
            seen_state[cid] = state
        for cid in set(seen_state) - set(where):
            gone.add(cid)
        left_ids.extend(cid for cid, _ in f.left)
        assert f.totals == tuple(int(np.count_nonzero((dep <= t) & (outcome == o)))
                                 for o in (0, 1, 2))
    # every customer leaves exactly once, with their outcome
    assert sorted(left_ids) == sorted(c["customer_id"].tolist())


def test_each_customer_appears_queues_is_served_and_leaves_in_order():
    _rec, fr = _frames(TINY, step=0.5)
    history: dict[int, list[str]] = {}
    for f in fr.frames:
        for line in f.lines:
            for cid, _ in line:
                history.setdefault(cid, []).append("queue")
        for row in f.counters:
            for cid in row:
                if cid >= 0:
                    history.setdefault(cid, []).append("service")
        for cid, _ in f.left:
            history.setdefault(cid, []).append("left")
    for cid, states in history.items():
        compact = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
        assert compact in (["queue", "service", "left"], ["service", "left"]), (cid, compact)
    assert sorted(history) == list(range(7))


def test_frame_step_and_window():
    rec, fr = _frames(TINY)
    assert len(fr.frames) <= 720
    assert fr.times_min[0] == rec.open_min
    short = animation.build_frames(rec, [1], [False], 550.0, 560.0, 2.0)
    assert list(short.times_min) == [550.0, 552.0, 554.0, 556.0, 558.0, 560.0]
    # the first frame lists only who left in the step before it
    assert short.frames[0].left == [] and short.frames[2].left == [(1, 0)]
    with pytest.raises(ValueError, match="step_min must be > 0"):
        animation.build_frames(rec, [1], [False], 550.0, 560.0, 0.0)


def test_page_is_self_contained_and_carries_the_frames():
    r = pooling(3, 30.0, 5.0, replications=2)
    page, height = animation.render(r.animations[1])
    assert height > 100
    assert "<script src" not in page and not re.search(r"https?://", page)
    assert "<canvas" in page and 'id="speed"' in page and 'id="play"' in page
    data = json.loads(re.search(r"const D = (\{.*?\});\n", page).group(1))
    assert data["stations"] == ["tellers_desk"] and data["perCounter"] == [True]
    assert len(data["t"]) == len(data["q"]) == len(data["s"]) == len(data["x"])
    # titles are escaped, and a script-closing tag inside the data cannot end the script
    evil = animation.Animated("<b>x</b>", r.animations[0].records, (3,), (False,), (0,),
                              r.animations[0].start_min, r.animations[0].start_min + 30)
    page2, _ = animation.render(evil)
    assert "&lt;b&gt;x&lt;/b&gt;" in page2
