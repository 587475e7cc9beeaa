"""Skill-based routing: exact timelines, invariants, a pooling theory check, reproducibility.

Timelines use constant service times and replayed arrivals (``trace.csv``), so every start,
end and staff id is known by hand; the comments give the reasoning.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from simulator import theory
from simulator.engine.model import simulate
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.measures.kpis import replication_kpis
from simulator.measures.staff_use import staff_use_rows
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text, staff_rows, t, visits
from tests.helpers import ROOT

REPO = ROOT

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
    k = replication_kpis(rec)
    assert k["overtime_min"] == 7.0


def test_break_while_helping(tmp_path):
    shifts = ('{start: "09:00", end: "10:00", count: 1, '
              'breaks: [{start: "09:05", minutes: 10}]}')
    rec = run_text(tmp_path, helping(clerk_shifts=shifts), "time,cls\n0,s\n1,s\n2,s\n6,g\n")
    # the clerk helps 09:02-09:12, takes the 10-minute break late (09:12-09:22) in full,
    # and back at 09:22 finds customer 3 waiting at home
    assert visits(rec)[3] == (3, "gen", t("09:06"), t("09:22"), t("09:32"), "SERVED")
    assert staff_rows(rec)[0] == (0, "BREAK", t("09:05"), t("09:12"), 7.0)
    assert replication_kpis(rec)["late_break_min"] == 7.0
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
    k = replication_kpis(rec)
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
    check_conservation(rec)


# ------------------------------------------------------------------------------ invariants
ROUTED_DAY = """
name: routed day
clock: {open: "09:00", close: "13:00"}
run: {replications: 30, seed: 7}
customer_classes:
  walk_in: {share: 0.7, pathway: general, patience: {dist: exponential, mean: 25},
            balk: {queue_at_least: 12, probability: 0.5}}
  business: {share: 0.3, pathway: special, priority: 1,
             patience: {dist: exponential, mean: 40}}
arrivals:
  door: {rate_per_hour: {"09:00": 40, "10:30": 70, "12:00": 45}}
stations:
  general: {counters: 5, staff: clerks, service: {dist: lognormal, mean: 6, cv: 0.6},
            failure: {probability: 0.05, recovery: redo}}
  special: {counters: 3, staff: specialists, service: {dist: lognormal, mean: 9, cv: 0.5},
            failure: {probability: 0.05, recovery: {station: desk}}}
  desk: {counters: 1, staff: seniors, service: {dist: exponential, mean: 5}}
  cashier: {counters: 1, staff: cashiers, service: {dist: gamma, mean: 1.5, cv: 0.5}}
staff:
  clerks:
    serves: [general, special, desk]
    help_when_line_at_least: {special: 3, desk: 2}
    skill_at: {special: 1.3}
    shifts:
      - {start: "09:00", end: "13:00", count: 3,
         breaks: [{start: "11:00", minutes: 20, stagger_groups: 2}]}
      - {start: "10:00", end: "12:30", count: 1}
  specialists:
    serves: [special, general]
    help_when_line_at_least: {general: 4}
    shifts: [{start: "09:00", end: "13:00", count: 2,
              breaks: [{start: "11:30", minutes: 15}]}]
  seniors: {shifts: [{start: "09:00", end: "13:00", count: 1}]}
  cashiers: {shifts: [{start: "09:00", end: "13:00", count: 1}]}
pathways:
  general: [general, {step: cashier, probability: 0.4}]
  special: [special, {step: cashier, probability: 0.5}]
"""


@pytest.fixture(scope="module")
def routed_records():
    plan = compile_plan(load_scenario_text(ROUTED_DAY).scenario)
    return [simulate(plan, 7, r) for r in range(30)]


def test_routed_day_conserves_customers_and_littles_law_holds(routed_records):
    for rec in routed_records:
        check_conservation(rec)
        c = rec.customers
        assert np.count_nonzero(c["outcome"] == 3) == 0  # the day ends empty
        k = replication_kpis(rec)
        assert k["arrived"] == k["served"] + k["balked"] + k["abandoned"]
        # L = λ W on the sample path: ∫ N dt = Σ time in system (every customer left)
        in_system = float(np.sum(c["departure_min"] - c["arrival_min"]))
        assert k["in_system_tw"] * k["stats_window_min"] == pytest.approx(in_system, rel=1e-9)
        assert k["in_system_tw"] == pytest.approx(
            k["arrival_rate_per_min"] * k["time_in_system_all_mean_min"], rel=1e-9)


def test_busy_never_exceeds_counters_nor_staff_present(routed_records):
    plan = compile_plan(load_scenario_text(ROUTED_DAY).scenario)
    for rec in routed_records:
        lv = rec.levels
        for s, sp in enumerate(plan.stations):
            m = lv["station_idx"] == s
            assert np.all(lv["busy"][m] <= sp.counters)
            assert np.all(lv["busy"][m] <= lv["on_duty"][m])
            assert np.all(lv["queue_len"][m] >= 0) and lv["busy"][m][-1] == 0


def test_each_person_serves_one_customer_at_a_time_while_on_duty(routed_records):
    for rec in routed_records:
        v, d = rec.visits, rec.duty
        served = v["staff_id"] >= 0
        for slot in np.unique(v["staff_id"][served]).tolist():
            m = v["staff_id"] == slot
            order = np.argsort(v["start_min"][m])
            start, end = v["start_min"][m][order], v["end_min"][m][order]
            assert np.all(start[1:] >= end[:-1] - 1e-9), f"slot {slot} serves two at once"
            on, off = d["on_min"][d["slot_id"] == slot], d["off_min"][d["slot_id"] == slot]
            inside = ((start[:, None] >= on[None, :] - 1e-9)
                      & (end[:, None] <= off[None, :] + 1e-9))
            assert np.all(inside.any(axis=1)), f"slot {slot} serves while off duty"
        for row in staff_use_rows(rec):
            assert row["busy_min"] <= row["on_duty_min"] + 1e-9


def test_helpers_help_and_routing_kpis_add_up(routed_records):
    helped = 0.0
    for rec in routed_records:
        k = replication_kpis(rec)
        helped += k["special__busy_min__clerks"] + k["general__busy_min__specialists"]
        busy_by_slot = sum(r["busy_min"] for r in staff_use_rows(rec))
        by_station = sum(v for key, v in k.items() if "__busy_min__" in key)
        others = [r["busy_min"] for r in staff_use_rows(rec)
                  if r["staff_group"] == "cashiers"]  # the only group not routed
        assert by_station + sum(others) == pytest.approx(busy_by_slot)
        assert k["staff__clerks__busy_min"] == pytest.approx(
            k["general__busy_min__clerks"] + k["special__busy_min__clerks"]
            + k["desk__busy_min__clerks"])
    assert helped > 0  # cross-training is used at all on this day


# ------------------------------------------------------------------------------ theory
def pooled_pair(pooled: bool) -> str:
    serves_a = "serves: [sa, sb], " if pooled else ""
    serves_b = "serves: [sb, sa], " if pooled else ""
    return textwrap.dedent(f"""
        name: two stations
        clock: {{open: "00:00"}}
        run: {{length_min: 1200, warm_up_min: 120}}
        customer_classes: {{a: {{share: 0.5, pathway: pa}}, b: {{share: 0.5, pathway: pb}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": 192}}}}}}
        stations:
          sa: {{counters: 4, staff: ga, service: {{dist: exponential, mean: 1}}}}
          sb: {{counters: 4, staff: gb, service: {{dist: exponential, mean: 1}}}}
        staff:
          ga: {{{serves_a}count: 2}}
          gb: {{{serves_b}count: 2}}
        pathways: {{pa: [sa], pb: [sb]}}
    """)


def test_full_pooling_matches_erlang_c_and_beats_separate_stations():
    """Two stations, 2 people each, λ = 3.2/min split evenly, exponential service of 1 min.

    With both groups serving both stations at threshold 1 (and counters to spare) nobody idles
    while a customer waits: the number in system is that of one M/M/4 with λ = 3.2, so the mean
    wait is Erlang C's (0.745 min). Separately each is an M/M/2 with λ = 1.6 (1.78 min).
    """
    reps, lam = 30, 3.2
    results = {}
    for pooled in (True, False):
        plan = compile_plan(load_scenario_text(pooled_pair(pooled)).scenario)
        assert plan.routed is pooled
        res = run_replications(plan, reps, 2026)
        results[pooled] = {k: np.array([r.kpis[k] for r in res]) for k in res[0].kpis}
    w_pool, w_sep = results[True]["wait_mean_min"], results[False]["wait_mean_min"]
    for sample, expected in ((w_pool, theory.mmc(lam, 1.0, 4).mean_wait_min),
                             (w_sep, theory.mmc(lam / 2, 1.0, 2).mean_wait_min)):
        se = sample.std(ddof=1) / np.sqrt(reps)
        assert abs(sample.mean() - expected) <= 3 * se + 0.02 * expected, (
            f"simulated {sample.mean():.4f} ± {se:.4f} vs theory {expected:.4f}")
    diff = w_sep - w_pool  # common random numbers: same arrivals and service times
    assert diff.mean() - 3 * diff.std(ddof=1) / np.sqrt(reps) > 0
    busy = results[True]["sa__busy_tw"] + results[True]["sb__busy_tw"]
    duty = results[True]["sa__on_duty_tw"] + results[True]["sb__on_duty_tw"]
    np.testing.assert_allclose(duty, 4.0)  # everyone is always at one station or the other
    util = busy / duty
    assert abs(util.mean() - 0.8) <= 3 * util.std(ddof=1) / np.sqrt(reps) + 0.005


# ------------------------------------------------------------------------------ reproducibility
def test_same_seed_gives_identical_routed_records(routed_records):
    plan = compile_plan(load_scenario_text(ROUTED_DAY).scenario)
    again = simulate(plan, 7, 3)
    for table in ("visits", "customers", "levels", "staff", "duty"):
        a, b = getattr(routed_records[3], table), getattr(again, table)
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=f"{table}.{col}")


def test_jobs_1_equals_jobs_2_on_a_routed_scenario(tmp_path):
    scenario = tmp_path / "routed.yaml"
    scenario.write_text(ROUTED_DAY)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        subprocess.run([sys.executable, "-m", "simulator", "run", str(scenario), "-n", "3",
                        "-j", jobs, "-o", str(out), "-q", "--no-figures", "--records",
                        "full", "--format", "csv"], check=True, env=env, cwd=tmp_path)
        outs.append(out)
    for name in ("summary.csv", "replications.csv", "by_hour.csv", "visits.csv",
                 "staff.csv", "levels.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    header = (outs[0] / "summary.csv").read_text()
    assert "special__busy_min__clerks" in header and "staff__clerks__utilisation" in header
