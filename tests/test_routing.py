"""Skill-based routing: exact timelines, invariants, a pooling theory check, reproducibility.

Timelines use constant service times and replayed arrivals (``trace.csv``), so every start,
end and staff id is known by hand; the comments give the reasoning.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from timeline_helpers import run_text, staff_rows, t, visits

from simulator import metrics, theory
from simulator.loader import load_scenario_text
from simulator.model import simulate
from simulator.plan import compile_plan
from simulator.runner import run_replications
from simulator.staff_use import staff_use_rows

REPO = Path(__file__).resolve().parents[1]

# one clerk (slot 0, home gen) who helps spec from 2 waiting; one specialist (slot 1)
HELP = """
name: routing
clock: {{open: "09:00", close: "{close}"}}
customer_classes: {{g: {{pathway: pg}}, s: {{pathway: ps}}}}
arrivals: {{log: {{trace: trace.csv, class_column: cls}}}}
stations:
  gen: {{counters: 2, staff: clerks, service: {{dist: constant, value: 10}}}}
  spec: {{counters: {spec_counters}, staff: specialists,
         service: {{dist: constant, value: 10}}}}
staff:
  clerks:
    serves: [gen, spec]
    help_when_line_at_least: {{spec: 2}}{clerk_extra}
    shifts: [{clerk_shifts}]
  specialists: {{shifts: [{{start: "09:00", end: "{close}", count: 1}}]}}
pathways: {{pg: [gen], ps: [spec]}}
"""


def helping(close: str = "10:00", spec_counters: int = 2, clerk_extra: str = "",
            clerk_shifts: str = '{start: "09:00", end: "10:00", count: 1}') -> str:
    return HELP.format(close=close, spec_counters=spec_counters, clerk_extra=clerk_extra,
                       clerk_shifts=clerk_shifts)


def served_by(records) -> list[int]:
    return records.visits["staff_id"].tolist()


# ------------------------------------------------------------------------------ timelines
def test_clerk_helps_at_threshold_and_returns_home_for_work(tmp_path):
    rec = run_text(tmp_path, helping(), "time,cls\n0,s\n1,s\n2,s\n3,g\n")
    # 09:00 the specialist takes customer 0; 09:01 one waits at spec (< 2): the clerk stays
    # home; 09:02 two wait: the clerk comes and takes the first in line (customer 1);
    # 09:03 customer 3 waits at gen (nobody there); 09:10 the specialist takes customer 2;
    # 09:12 the clerk, free, goes home where customer 3 waits
    assert visits(rec) == [
        (0, "spec", t("09:00"), t("09:00"), t("09:10"), "SERVED"),
        (1, "spec", t("09:01"), t("09:02"), t("09:12"), "SERVED"),
        (2, "spec", t("09:02"), t("09:10"), t("09:20"), "SERVED"),
        (3, "gen", t("09:03"), t("09:12"), t("09:22"), "SERVED"),
    ]
    assert served_by(rec) == [1, 0, 1, 0]


def test_clerk_goes_home_when_the_line_is_below_threshold(tmp_path):
    rec = run_text(tmp_path, helping(), "time,cls\n0,s\n1,s\n2,s\n13,s\n")
    # the clerk helps with customer 1 (09:02-09:12); at 09:12 nobody waits at spec (the
    # specialist took customer 2 at 09:10), so the clerk goes home; customer 3 arrives at
    # 09:13 to a line of 1 (< 2): it waits for the specialist, free at 09:20
    assert visits(rec)[3] == (3, "spec", t("09:13"), t("09:20"), t("09:30"), "SERVED")
    assert served_by(rec) == [1, 0, 1, 1]
    lv = rec.levels
    gen, spec = rec.station_names.index("gen"), rec.station_names.index("spec")

    def on_duty(station: int, minute: float) -> int:
        m = (lv["station_idx"] == station) & (lv["time_min"] <= minute)
        return int(lv["on_duty"][m][-1])

    assert [on_duty(gen, t("09:01")), on_duty(spec, t("09:01"))] == [1, 1]
    assert [on_duty(gen, t("09:05")), on_duty(spec, t("09:05"))] == [0, 2]  # clerk at spec
    assert [on_duty(gen, t("09:15")), on_duty(spec, t("09:15"))] == [1, 1]  # back home


def test_counters_limit_helpers(tmp_path):
    # spec has one counter, held by the specialist: the clerk can never help there
    rec = run_text(tmp_path, helping(spec_counters=1), "time,cls\n0,s\n1,s\n2,s\n3,s\n")
    assert [v[3] for v in visits(rec)] == [t("09:00"), t("09:10"), t("09:20"), t("09:30")]
    assert served_by(rec) == [1, 1, 1, 1]


def test_two_clerks_one_free_counter_only_one_helps(tmp_path):
    yaml = helping(clerk_shifts='{start: "09:00", end: "10:00", count: 2}',
                   clerk_extra="\n    help_when_line_at_least: {spec: 1}").replace(
        "    help_when_line_at_least: {spec: 2}\n", "")
    rec = run_text(tmp_path, yaml, "time,cls\n0,s\n1,s\n2,s\n")
    # spec: 2 counters, the specialist (slot 2) holds one: only clerk 0 (lowest slot) helps
    assert [v[3] for v in visits(rec)] == [t("09:00"), t("09:01"), t("09:10")]
    assert served_by(rec) == [2, 0, 2]


def test_skill_at_changes_the_service_time(tmp_path):
    yaml = helping(clerk_extra="\n    skill: 0.8\n    skill_at: {spec: 1.5}")
    rec = run_text(tmp_path, yaml, "time,cls\n0,s\n1,s\n2,s\n30,g\n")
    v = visits(rec)
    assert v[1] == (1, "spec", t("09:01"), t("09:02"), t("09:17"), "SERVED")  # 10 × 1.5
    assert v[3] == (3, "gen", t("09:30"), t("09:30"), t("09:38"), "SERVED")  # 10 × 0.8
    assert rec.visits["service_min"].tolist() == [10.0, 15.0, 10.0, 8.0]


PREFERENCE = """
name: preference
clock: {open: "09:00", close: "10:00"}
customer_classes: {c: {pathway: p}}
arrivals: {log: {trace: trace.csv}}
stations:
  a: {counters: 1, service: {dist: constant, value: 10}}
  b: {counters: 1, service: {dist: constant, value: 10}}
  c: {counters: 3, staff: cs, service: {dist: constant, value: 10}}
staff:
  late_helpers: {serves: [b, a, c], shifts: [{start: "09:00", end: "10:00", count: 1}]}
  first_helpers: {serves: [a, c], shifts: [{start: "09:00", end: "10:00", count: 2}]}
  cs: {shifts: [{start: "09:00", end: "10:00", count: 1}]}
pathways: {p: [c]}
"""


def test_preference_order_among_helper_groups(tmp_path):
    rec = run_text(tmp_path, PREFERENCE, "time\n0\n1\n2\n3\n")
    # slots: late_helpers 0 (c third in its list), first_helpers 1 and 2 (c second), cs 3.
    # 09:00 cs serves; 09:01 and 09:02 the first helpers come, lowest slot first, though
    # slot 0 is lower (c comes later in its preferences); 09:03 no counter is free at c
    assert served_by(rec) == [3, 1, 2, 3]
    assert [v[3] for v in visits(rec)] == [t("09:00"), t("09:01"), t("09:02"), t("09:10")]


def test_preference_order_when_first_choice_is_busy(tmp_path):
    yaml = PREFERENCE.replace("count: 2}]}\n  cs", "count: 1}]}\n  cs")
    rec = run_text(tmp_path, yaml, "time\n0\n1\n2\n")
    # first_helpers has one person (slot 1): busy from 09:01, so late_helpers (slot 0) comes
    assert served_by(rec) == [2, 1, 0]


def test_shift_end_while_helping_is_overtime_on_the_helper(tmp_path):
    shifts = '{start: "09:00", end: "09:05", count: 1}, {start: "09:05", end: "10:00", count: 1}'
    rec = run_text(tmp_path, helping(clerk_shifts=shifts), "time,cls\n0,s\n1,s\n2,s\n6,g\n")
    # clerk slot 0 helps at spec 09:02-09:12 and is due off at 09:05: finishes, then leaves
    # (7 min overtime on slot 0, not swapped to the newcomer). Clerk slot 1 comes on at 09:05
    # at gen (home) and serves customer 3 at 09:06.
    assert served_by(rec) == [2, 0, 2, 1]
    assert visits(rec)[3] == (3, "gen", t("09:06"), t("09:06"), t("09:16"), "SERVED")
    assert staff_rows(rec) == [
        (0, "SHIFT_END", t("09:05"), t("09:12"), 7.0),
        (1, "SHIFT_END", t("10:00"), t("10:00"), 0.0),
        (2, "SHIFT_END", t("10:00"), t("10:00"), 0.0),
    ]
    use = {r["slot_id"]: r for r in staff_use_rows(rec)}
    assert use[0]["on_duty_min"] == 12.0 and use[0]["busy_min__spec"] == 10.0
    k = metrics.replication_kpis(rec)
    assert k["overtime_min"] == 7.0


def test_break_while_helping(tmp_path):
    shifts = ('{start: "09:00", end: "10:00", count: 1, '
              'breaks: [{start: "09:05", minutes: 10}]}')
    rec = run_text(tmp_path, helping(clerk_shifts=shifts), "time,cls\n0,s\n1,s\n2,s\n6,g\n")
    # the clerk helps 09:02-09:12, takes the 10-minute break late (09:12-09:22) in full,
    # and back at 09:22 finds customer 3 waiting at home
    assert visits(rec)[3] == (3, "gen", t("09:06"), t("09:22"), t("09:32"), "SERVED")
    assert staff_rows(rec)[0] == (0, "BREAK", t("09:05"), t("09:12"), 7.0)
    assert metrics.replication_kpis(rec)["late_break_min"] == 7.0
    d = rec.duty
    assert d["slot_id"].tolist()[:2] == [0, 0]
    assert d["on_min"].tolist()[:2] == [t("09:00"), t("09:22")]
    assert d["off_min"].tolist()[:2] == [t("09:12"), t("10:00")]


def test_per_person_utilisation_across_a_shift_change(tmp_path):
    # one clerk per shift; the early one is serving at the change and finishes first
    yaml = """
    name: change
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {g: {pathway: pg}, s: {pathway: ps}}
    arrivals: {log: {trace: trace.csv, class_column: cls}}
    stations:
      gen: {counters: 2, staff: clerks, service: {dist: constant, value: 10}}
      spec: {counters: 2, staff: specialists, service: {dist: constant, value: 10}}
    staff:
      clerks:
        serves: [gen, spec]
        shifts:
          - {start: "09:00", end: "09:30", count: 1, breaks: [{start: "09:10", minutes: 5}]}
          - {start: "09:30", end: "10:00", count: 1}
      specialists: {shifts: [{start: "09:00", end: "10:00", count: 1}]}
    pathways: {pg: [gen], ps: [spec]}
    """
    rec = run_text(tmp_path, yaml, "time,cls\n0,g\n20,g\n25,s\n26,s\n31,g\n")
    # slot 0 serves at gen 09:00-09:10, is off on its break 09:10-09:15, serves at gen
    # 09:20-09:30 and leaves at its shift end 09:30 as that service ends. Customer 3 waits
    # at spec from 09:26 (the specialist is busy until 09:35). At 09:30 slot 1 comes on duty:
    # nobody waits at home, so it helps at spec (09:30-09:40), then goes home where customer
    # 4 has waited since 09:31 (09:40-09:50).
    assert served_by(rec) == [0, 0, 2, 1, 1]
    assert [v[3] for v in visits(rec)] == [t("09:00"), t("09:20"), t("09:25"), t("09:30"),
                                          t("09:40")]
    use = {r["slot_id"]: r for r in staff_use_rows(rec)}
    assert (use[0]["on_duty_min"], use[0]["busy_min"]) == (25.0, 20.0)
    assert use[0]["utilisation"] == pytest.approx(0.8)
    assert (use[1]["on_duty_min"], use[1]["busy_min"]) == (30.0, 20.0)
    assert (use[1]["busy_min__gen"], use[1]["busy_min__spec"]) == (10.0, 10.0)
    k = metrics.replication_kpis(rec)
    assert k["staff__clerks__busy_min"] == 40.0 and k["staff__clerks__on_duty_min"] == 55.0
    assert k["spec__busy_min__clerks"] == 10.0 and k["spec__busy_min__specialists"] == 10.0
    assert k["gen__busy_min__clerks"] == 30.0


def test_closing_helper_stays_while_a_station_it_serves_has_customers(tmp_path):
    rec = run_text(tmp_path, helping(close="09:05", clerk_shifts='{start: "09:00", end: '
                                     '"09:05", count: 1}'), "time,cls\n0,s\n1,s\n2,s\n3,s\n")
    # doors close 09:05 with 2 at spec; the clerk (home gen, empty) stays: it helps until
    # spec drains. Clerk: c1 09:02-09:12; specialist: c2 09:10-09:20; at 09:12 one waits
    # (< 2), so the clerk goes home idle and waits; specialist takes c3 at 09:20-09:30
    assert served_by(rec) == [1, 0, 1, 1]
    assert staff_rows(rec) == [
        (0, "SHIFT_END", t("09:05"), t("09:30"), 25.0),
        (1, "SHIFT_END", t("09:05"), t("09:30"), 25.0),
    ]
    metrics.check_conservation(rec)
