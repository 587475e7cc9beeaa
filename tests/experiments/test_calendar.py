"""A calendar's block of days: one-day identity, exact days, conservation, streams per day."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simulator import run_scenario
from simulator.experiments.runner import run_replications
from simulator.measures.days import combine_days
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.helpers import MINIMAL_SCENARIO

TABLES = ("summary.csv", "replications.csv", "by_hour.csv")

#: Two booked customers at 09:00 each open day, 10 minutes each: two clerks on ordinary
#: days, one on Saturdays (so the second waits 10 minutes), closed on Sundays.
EXACT = """\
name: Exact week
clock: {open: "09:00", close: "12:00"}
run: {replications: 2, seed: 3}
customer_classes:
  booked: {pathway: main}
arrivals:
  slots: {slots_every_min: 30, start: "09:00", end: "09:00", per_slot: 2, no_show: 0.0,
          punctuality_sd_min: 0.0}
stations:
  desk: {counters: 2, staff: clerks, service: {dist: constant, value: 10}}
staff:
  clerks:
    cost_per_hour: 30
    shifts: [{start: "09:00", end: "12:00", count: 2}]
pathways:
  main: [desk]
calendar:
  days: 8
  first_day: monday
  pattern: [default, default, default, default, default, saturday, closed]
  day_types:
    saturday:
      clock: {open: "09:00", close: "11:00"}
      shifts: {clerks: [{start: "09:00", end: "11:00", count: 1}]}
"""


def _week(text: str, days: int, pattern: str = "[busy, default, default, quiet]") -> str:
    return text + f"""calendar:
  days: {days}
  pattern: {pattern}
  day_types:
    busy: {{arrival_multiplier: 1.5}}
    quiet:
      rate_per_hour: {{walk_in: {{"09:00": 12}}}}
      shifts: {{clerks: [{{start: "09:00", end: "12:00", count: 1}}]}}
"""


def test_one_day_calendar_gives_todays_files_byte_for_byte(tmp_path):
    plain = load_scenario_text(MINIMAL_SCENARIO)
    one = load_scenario_text(MINIMAL_SCENARIO + "calendar: {days: 1, pattern: [weekday], "
                             "day_types: {weekday: {}}}\n")
    a = run_scenario(plain, tmp_path / "a", replications=3, seed=5, records="none",
                     figures=False)
    b = run_scenario(one, tmp_path / "b", replications=3, seed=5, records="none",
                     figures=False)
    for name in TABLES:
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name
    assert (b.out_dir / "by_day.csv").exists()


def test_exact_week_days_clock_staff_and_closed_sunday(tmp_path):
    out = run_scenario(load_scenario_text(EXACT), tmp_path / "w", replications=2, seed=3,
                       records="full", records_format="csv", figures=False)
    days = pd.read_csv(out.out_dir / "by_day.csv")
    rep0 = days[days.replication == 0]
    # eight days from Monday: Mon-Fri, Sat, (Sun closed), Mon again
    assert rep0["day"].tolist() == [1, 2, 3, 4, 5, 6, 8]
    assert rep0["day_label"].tolist() == ["Mon 1", "Tue 2", "Wed 3", "Thu 4", "Fri 5", "Sat 6",
                                      "Mon 8"]
    assert rep0["day_type"].tolist() == ["default"] * 5 + ["saturday", "default"]
    assert rep0["arrived"].tolist() == [2.0] * 7
    assert rep0["wait_mean_min"].tolist() == [0.0] * 5 + [5.0, 0.0]
    # Saturday: one clerk 09:00-11:00, last customer leaves at 09:20
    sat = rep0[rep0.day == 6].iloc[0]
    assert sat["last_departure_min"] == 9 * 60 + 20
    assert sat["staff_cost"] == pytest.approx(2 * 30)
    assert rep0[rep0.day == 1].iloc[0]["staff_cost"] == pytest.approx(2 * 3 * 30)
    week = out.replications.iloc[0]
    assert week["arrived"] == 14.0 and week["served"] == 14.0
    assert week["wait_mean_min"] == pytest.approx(10.0 / 14.0)
    assert week["wait_max_min"] == 10.0
    assert week["staff_cost"] == pytest.approx(6 * 180 + 60)
    customers = pd.read_csv(out.out_dir / "customers.csv")
    assert sorted(customers[customers.replication == 0]["day"].unique()) == [1, 2, 3, 4, 5,
                                                                           6, 8]
    sat_rows = customers[(customers.replication == 0) & (customers.day == 6)]
    assert sorted(sat_rows["departure_min"]) == [550.0, 560.0]
    by_type = pd.read_csv(out.out_dir / "by_day_type.csv")
    assert by_type[by_type.replication == 0]["days"].tolist() == [6, 1]


def test_conservation_across_days():
    plan = compile_plan(load_scenario_text(_week(MINIMAL_SCENARIO, 6)).scenario)
    for res in run_replications(plan, 3, 11):
        k = res.kpis
        assert k["arrived"] == k["served"] + k["balked"] + k["abandoned"] + k["inside"]
        assert k["arrived"] == sum(row["arrived"] for row in res.by_day)
        assert len(res.by_day) == 6
        for row in res.by_day:
            assert row["arrived"] == (row["served"] + row["balked"] + row["abandoned"]
                                      + row["inside"])


def test_day_d_uses_the_same_streams_whatever_the_horizon():
    short = compile_plan(load_scenario_text(_week(MINIMAL_SCENARIO, 3)).scenario)
    long = compile_plan(load_scenario_text(_week(MINIMAL_SCENARIO, 9)).scenario)
    a = run_replications(short, 2, 17)
    b = run_replications(long, 2, 17)
    for ra, rb in zip(a, b, strict=True):
        assert ra.by_day == rb.by_day[:3]
    # and the days differ from each other (each day has streams of its own)
    d2, d3 = b[0].by_day[1], b[0].by_day[2]  # both 'default' days
    assert d2["wait_mean_min"] != d3["wait_mean_min"]


def test_day_one_of_a_week_is_the_plain_day():
    plain = compile_plan(load_scenario_text(MINIMAL_SCENARIO).scenario)
    week = compile_plan(load_scenario_text(
        _week(MINIMAL_SCENARIO, 4, "[default, quiet]")).scenario)
    for p, w in zip(run_replications(plain, 2, 9), run_replications(week, 2, 9), strict=True):
        assert w.by_day[0] == {"day": 1, "day_label": "day 1", "day_type": "default", **p.kpis}


def test_jobs_do_not_change_a_week(tmp_path):
    loaded = load_scenario_text(_week(MINIMAL_SCENARIO, 5))
    files = ("summary.csv", "replications.csv", "by_hour.csv", "by_day.csv",
             "by_day_type.csv", "customers.csv")
    a = run_scenario(loaded, tmp_path / "a", replications=4, seed=2, jobs=1,
                     records="summary", records_format="csv", figures=False)
    b = run_scenario(loaded, tmp_path / "b", replications=4, seed=2, jobs=2,
                     records="summary", records_format="csv", figures=False)
    for name in files:
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name


def test_combine_days_rules():
    rows = [
        {"arrived": 10.0, "served": 8.0, "wait_mean_min": 2.0, "wait_max_min": 5.0,
         "balk_rate": 0.1, "stats_window_min": 100.0, "desk__queue_len_tw": 1.0,
         "desk__visits": 10.0, "desk__wait_mean_min": 1.0, "desk__on_duty_tw": 2.0,
         "desk__utilisation_tw": 0.5, "std__a__compliance": 0.5, "std__a__met": 0.0,
         "std__a__n": 10.0, "sat__n_all": 10.0, "sat__n_served": 8.0, "sat__csat_mean": 4.0,
         "sat__complaint_rate": 0.1},
        {"arrived": 30.0, "served": 24.0, "wait_mean_min": 4.0, "wait_max_min": 9.0,
         "balk_rate": 0.2, "stats_window_min": 300.0, "desk__queue_len_tw": 3.0,
         "desk__visits": 30.0, "desk__wait_mean_min": 3.0, "desk__on_duty_tw": 1.0,
         "desk__utilisation_tw": 0.9, "std__a__compliance": 1.0, "std__a__met": 1.0,
         "std__a__n": 30.0, "sat__n_all": 30.0, "sat__n_served": 24.0, "sat__csat_mean": 3.0,
         "sat__complaint_rate": 0.2},
    ]
    w = combine_days(rows, {"a": 0.8})
    assert w["arrived"] == 40.0 and w["served"] == 32.0
    assert w["wait_mean_min"] == pytest.approx((2 * 8 + 4 * 24) / 32)
    assert w["wait_max_min"] == 9.0
    assert w["balk_rate"] == pytest.approx((1 + 6) / 40)
    assert w["desk__queue_len_tw"] == pytest.approx((100 + 900) / 400)
    assert w["desk__wait_mean_min"] == pytest.approx((10 + 90) / 40)
    # busy time / on-duty time: (0.5*2*100 + 0.9*1*300) / (2*100 + 1*300)
    assert w["desk__utilisation_tw"] == pytest.approx((100 + 270) / 500)
    assert w["std__a__compliance"] == pytest.approx(35 / 40)
    assert w["std__a__met"] == 1.0
    assert w["sat__csat_mean"] == pytest.approx((32 + 72) / 32)
    assert w["sat__complaint_rate"] == pytest.approx((1 + 6) / 40)
    assert combine_days(rows[:1]) == rows[0]
    assert math.isnan(combine_days(rows)["std__a__met"])


def test_compare_and_sweep_run_blocks_of_days(tmp_path):
    """compare and sweep take a calendar scenario unchanged: every task is a block of days,
    and a variant's row is the block's row of the changed scenario."""
    from click.testing import CliRunner

    from simulator.cli import main

    path = tmp_path / "week.yaml"
    path.write_text(_week(MINIMAL_SCENARIO, 4))
    res = CliRunner().invoke(main, ["compare", str(path), "--set",
                                    "staff.clerks.shifts.0.count=3", "-n", "3", "-o",
                                    str(tmp_path / "cmp"), "--no-figures", "-q"])
    assert res.exit_code == 0, res.output
    reps = pd.read_csv(tmp_path / "cmp" / "replications.csv")
    changed = compile_plan(load_scenario_text(
        _week(MINIMAL_SCENARIO, 4).replace("count: 2}", "count: 3}", 1)).scenario)
    seed = int(reps["seed"].iloc[0])
    direct = run_replications(changed, 3, seed)
    variant = reps[reps.variant_id != "base"].sort_values("replication")
    assert variant["arrived"].tolist() == [r.kpis["arrived"] for r in direct]
    assert variant["wait_mean_min"].tolist() == pytest.approx(
        [r.kpis["wait_mean_min"] for r in direct], rel=1e-12)
    res = CliRunner().invoke(main, ["sweep", str(path), "--vary",
                                    "staff.clerks.shifts.0.count=1..3", "-n", "2", "-o",
                                    str(tmp_path / "sw"), "--no-figures", "-q"])
    assert res.exit_code == 0, res.output


def test_the_report_shows_the_days_and_the_gaps(tmp_path):
    text = EXACT + "promises:\n  - {name: desk within 5, station: desk, wait_max_min: 5}\n"
    out = run_scenario(load_scenario_text(text), tmp_path / "r", replications=2, seed=3,
                       records="none", figures=True, html_report=True)
    html = (out.out_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="by-day"' in html and "Sat 6" in html and "saturday" in html
    assert (out.out_dir / "figures" / "by_day.png").stat().st_size > 10_000
    assert "Day by day: per open day of the calendar" in html
    assert "Gap 4: promises vs delivery" in html and "Promise broken: desk within 5" in html
    manifest = (out.out_dir / "manifest.json").read_text(encoding="utf-8")
    assert '"days": 8' in manifest and "by_day.csv" in manifest


def test_the_blocks_wait_statistics_pool_its_days(tmp_path):
    """The week's mean, percentiles and maximum of waits are those of every served
    customer of the week (one tally), as a one-day run computes them; a station's too."""
    from simulator.measures.quantiles import tally_stats

    out = run_scenario(load_scenario_text(_week(MINIMAL_SCENARIO, 5)), tmp_path / "w",
                       replications=2, seed=4, records="full", records_format="csv",
                       figures=False)
    customers = pd.read_csv(out.out_dir / "customers.csv")
    visits = pd.read_csv(out.out_dir / "visits.csv")
    for rep, row in out.replications.set_index("replication").iterrows():
        served = customers[(customers.replication == rep) & (customers.outcome == 0)]  # SERVED
        w = tally_stats(served["wait_min"].to_numpy())
        assert (row["wait_mean_min"], row["wait_p50_min"], row["wait_p90_min"],
                row["wait_p95_min"], row["wait_max_min"]) == pytest.approx(
                    (w.mean, w.p50, w.p90, w.p95, w.max), rel=1e-12)
        desk = visits[(visits.replication == rep) & (visits.station == "desk")
                      & visits.start_min.notna()]
        d = tally_stats((desk.start_min - desk.join_min).to_numpy())
        assert (row["desk__wait_mean_min"], row["desk__wait_p90_min"]) == pytest.approx(
            (d.mean, d.p90), rel=1e-12)
