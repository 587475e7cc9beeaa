"""The back office in a run: complaints from the satisfaction model, follow-ups from failed
services, conservation of cases, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import run_scenario
from simulator.experiments.runner import run_replications
from simulator.measures.stats import t_interval
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.helpers import MINIMAL_SCENARIO

HALL = MINIMAL_SCENARIO.replace(
    "    service: {dist: exponential, mean: 4}\n",
    "    service: {dist: exponential, mean: 4}\n"
    "    failure: {probability: 0.2, actions: {follow_up: true}}\n")

OFFICE = """\
calendar:
  days: 5
  pattern: [default, default, quiet]
  day_types:
    quiet: {arrival_multiplier: 0.5, back_office_shifts: []}
back_office:
  shifts: [{start: "09:00", end: "13:00", count: 1}]
  cost_per_hour: 40
  complaints: {service: {dist: exponential, mean: 20}, escalation_share: 0.5,
               escalation: {dist: constant, value: 10}, answer_within_h: 24}
  follow_up: {service: {dist: constant, value: 5}}
"""


def _plan(text: str = HALL + OFFICE):
    return compile_plan(load_scenario_text(text).scenario)


def test_cases_are_conserved_and_follow_ups_match_failed_visits(tmp_path):
    out = run_scenario(load_scenario_text(HALL + OFFICE), tmp_path / "r", replications=3,
                       seed=4, records="full", records_format="csv", figures=False)
    reps = out.replications
    visits = pd.read_csv(tmp_path / "r" / "visits.csv")
    for _, k in reps.iterrows():
        assert k["bo__complaints_opened"] == (k["bo__complaints_answered"]
                                              + k["bo__complaints_open_at_end"])
        assert k["bo__follow_ups_opened"] == (k["bo__follow_ups_done"]
                                              + k["bo__follow_ups_open_at_end"])
        failed = visits[(visits.replication == k["replication"]) & (visits.n_failures > 0)]
        assert k["bo__follow_ups_opened"] == len(failed) > 0
        # one officer 4 h on 4 working days (day 3 is quiet: no back office)
        assert k["bo__on_duty_min"] == 4 * 240 and k["bo__staff_cost"] == 4 * 4 * 40
        assert 0 < k["bo__utilisation"] <= 1
    days = pd.read_csv(tmp_path / "r" / "by_day.csv")
    per_rep = days.groupby("replication")["bo__complaints_opened"].sum()
    assert per_rep.tolist() == reps["bo__complaints_opened"].tolist()
    # the operation's staff cost includes the back office's, day by day and over the block
    assert days.groupby("replication")["bo__staff_cost"].sum().tolist() == [640.0] * 3
    assert np.allclose(days.groupby("replication")["staff_cost"].sum(), reps["staff_cost"])
    # ... and its regular part (the back office has no overtime); the parts add up, and the
    # week's cost parts are the sums of its days'
    assert np.allclose(reps["staff_cost"],
                       reps["staff_cost_regular"] + reps["staff_cost_overtime"])
    assert np.allclose(days["staff_cost"],
                       days["staff_cost_regular"] + days["staff_cost_overtime"])
    for key in ("staff_cost_regular", "staff_cost_overtime", "recovery_cost"):
        assert np.allclose(days.groupby("replication")[key].sum(), reps[key]), key
    assert (days["bo__backlog_at_close"] >= 0).all()


def test_complaints_follow_the_predicted_complaint_probability():
    """Opened complaints per block = Σ P(complaint) of its customers, in expectation."""
    res = run_replications(_plan(), 40, 8)
    opened = np.array([r.kpis["bo__complaints_opened"] for r in res])
    expected = np.array([r.kpis["sat__complaint_rate"] * r.kpis["sat__n_all"] for r in res])
    ci = t_interval(opened - expected, confidence=0.99)
    assert ci.ci_low <= 0 <= ci.ci_high
    assert expected.mean() > 3  # enough complaints for the check to mean something


def test_back_office_with_one_day_and_no_calendar():
    text = HALL + "back_office:" + OFFICE.split("back_office:")[1]
    res = run_replications(_plan(text), 2, 3)
    for r in res:
        assert len(r.by_day) == 1 and r.by_day[0]["day"] == 1
        assert r.kpis["bo__on_duty_min"] == 240


def test_jobs_do_not_change_the_back_office(tmp_path):
    loaded = load_scenario_text(HALL + OFFICE)
    a = run_scenario(loaded, tmp_path / "a", replications=4, seed=2, jobs=1, records="none",
                     figures=False)
    b = run_scenario(loaded, tmp_path / "b", replications=4, seed=2, jobs=2, records="none",
                     figures=False)
    for name in ("summary.csv", "replications.csv", "by_day.csv", "by_day_type.csv"):
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name


def test_a_second_officer_answers_more_within_the_standard():
    one = run_replications(_plan(), 10, 5)
    two = run_replications(_plan(HALL + OFFICE.replace("count: 1}]", "count: 2}]")), 10, 5)
    for a, b in zip(one, two, strict=True):
        # common random numbers: the same complaints, answered sooner
        assert a.kpis["bo__complaints_opened"] == b.kpis["bo__complaints_opened"]
        assert b.kpis["bo__complaints_open_at_end"] <= a.kpis["bo__complaints_open_at_end"]
