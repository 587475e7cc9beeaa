"""The verdict: standards met, missed or not clear by their intervals; worst hours and
bottleneck; a comparison's best variant judged by the direction of good; the cost per unit of
benefit; a sweep's best and cheapest variants. Hand-made tables, exact sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.measures.verdict import (
    compare_verdict,
    cost_per_benefit,
    run_verdict,
    standard_checks,
    sweep_verdict,
)

STANDARDS = [{"name": "Window 15", "target_share": 0.8},
             {"name": "Cashier 5", "target_share": 0.8},
             {"name": "Visit 30", "target_share": 0.9}]


def _summary(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "mean", "ci_low", "ci_high"]).assign(n=5)


SUMMARY = _summary([
    ("wait_mean_min", 10.0, 8.0, 12.0), ("abandon_rate", 0.07, 0.05, 0.10),
    ("staff_cost", 4000.0, 3900.0, 4100.0),
    ("window__wait_mean_min", 11.0, 9.0, 13.0), ("window__utilisation_tw", 0.93, 0.9, 0.95),
    ("cashier__wait_mean_min", 12.0, 1.0, 30.0), ("cashier__utilisation_tw", 0.4, 0.3, 0.5),
    ("std__window_15__compliance", 0.85, 0.81, 0.89),
    ("std__cashier_5__compliance", 0.60, 0.50, 0.70),
    ("std__visit_30__compliance", 0.88, 0.80, 0.95),
])


def test_standards_are_met_missed_or_not_clear_by_their_intervals():
    checks = standard_checks(SUMMARY, STANDARDS)
    assert [(c.name, c.status) for c in checks] == [
        ("Window 15", "met"), ("Cashier 5", "missed"), ("Visit 30", "unclear")]


def test_run_verdict_sentences():
    by_hour = pd.DataFrame({
        "replication": [0, 0, 0, 1, 1, 1], "hour": [9, 10, 11, 9, 10, 11],
        "station": "all", "arrivals": [10, 10, 0, 10, 10, 0],
        "wait_mean_min": [2.0, 20.0, 99.0, 4.0, 10.0, 99.0]})
    v = run_verdict(SUMMARY, STANDARDS, by_hour, currency="EUR")
    assert v.headline.status == "missed"
    assert v.headline.text == ("1 of 3 service standards met, 1 missed, 1 not clear "
                               "(interval straddles the target).")
    lines = [line.text for line in v.lines]
    assert lines[0] == ("Window 15: met — 85.0 % [81.0, 89.0] within the limit, target "
                        "80.0 %")
    assert lines[1].startswith("Cashier 5: MISSED — 60.0 % [50.0, 70.0]")
    # hour 11 had no arrivals: its wait is not a worst hour
    assert lines[3] == ("Worst hours (mean total wait by hour of arrival): 10:00–11:00 "
                        "15.0 min; 09:00–10:00 3.0 min")
    assert lines[4] == ("Bottleneck: window (utilisation 93.0 % [90.0, 95.0], mean wait "
                        "11 min [9, 13]); longest wait at cashier (12 min [1, 30])")
    assert lines[5].endswith("staff cost 4,000 EUR [3,900, 4,100]")
    assert "VERDICT: 1 of 3" in v.text() and "✘ Cashier 5" in v.text()


def test_no_standards_says_so():
    v = run_verdict(_summary([("wait_mean_min", 3.0, 2.0, 4.0)]))
    assert v.headline.text == "No service standards are set; mean wait 3 min [2, 4]."


def _comparison(diffs: dict[str, tuple[float, bool]], variant: str = "v1") -> pd.DataFrame:
    return pd.DataFrame([{"variant_id": variant, "variant": f"{variant} label", "kpi": k,
                          "diff_mean": d, "significant": sig, "confidence": 0.95}
                         for k, (d, sig) in diffs.items()])


def test_compare_verdict_judges_by_the_direction_of_good():
    table = pd.concat([
        _comparison({"wait_mean_min": (-3.0, True), "staff_cost": (150.0, True),
                     "std__w__compliance": (0.10, True), "arrived": (5.0, True)}, "a"),
        _comparison({"wait_mean_min": (-1.0, True), "staff_cost": (10.0, False)}, "b")])
    v = compare_verdict(table, currency="EUR")
    assert v.headline.status == "good"
    assert v.headline.text == ("Best on mean total wait of served customers: a label "
                               "(-3 min against the baseline, significant; staff cost "
                               "+150 EUR per day).")
    a, b = v.lines
    assert a.status == "info"  # better on some, worse on cost
    assert "better on mean total wait of served customers (-3 min)" in a.text
    assert "compliance with w (+10.0 pp)" in a.text
    assert "worse on staff cost (+150 EUR)" in a.text
    assert "arrived" not in a.text  # neither better nor worse
    assert b.status == "good" and "worse on nothing" in b.text


def test_compare_verdict_when_nothing_is_better():
    worse = compare_verdict(_comparison({"wait_mean_min": (2.0, True)}))
    assert worse.headline.status == "bad"
    assert worse.headline.text.startswith("No variant beats the baseline on mean total wait")
    unclear = compare_verdict(_comparison({"wait_mean_min": (-0.1, False)}))
    assert unclear.headline.status == "unclear"


def test_cost_per_unit_of_benefit_counts_significant_gains_only():
    rows = _comparison({"staff_cost": (200.0, True), "wait_mean_min": (-4.0, True),
                        "std__a__compliance": (0.05, True),
                        "std__b__compliance": (0.20, False)})
    assert cost_per_benefit(rows, "EUR") == (
        "staff cost 200 EUR more per replication (day): 50 EUR more per minute of mean wait "
        "saved; 40 EUR more per point of compliance with a")
    cheaper = _comparison({"staff_cost": (-50.0, True), "wait_mean_min": (1.0, True)})
    assert cost_per_benefit(cheaper) == ("staff cost 50 less per replication (day); no "
                                         "significant gain in mean wait or compliance")
    assert cost_per_benefit(_comparison({"wait_mean_min": (1.0, True)})) is None


def test_sweep_verdict_best_overlapping_and_cheapest_meeting_the_standards():
    variants = pd.DataFrame({"variant_id": ["x", "y", "z"], "clerks": [4, 5, 6]})
    rows = []
    for vid, wait, lo, hi, cost, comp in (("x", 12.0, 10.0, 14.0, 300.0, 0.6),
                                          ("y", 6.0, 5.0, 7.0, 400.0, 0.85),
                                          ("z", 5.5, 5.2, 5.8, 500.0, 0.9)):
        rows += [{"variant_id": vid, "kpi": "wait_mean_min", "mean": wait, "ci_low": lo,
                  "ci_high": hi},
                 {"variant_id": vid, "kpi": "staff_cost", "mean": cost, "ci_low": cost - 1,
                  "ci_high": cost + 1},
                 {"variant_id": vid, "kpi": "std__s__compliance", "mean": comp,
                  "ci_low": comp - 0.05, "ci_high": comp + 0.05}]
    v = sweep_verdict(pd.DataFrame(rows), variants, "wait_mean_min",
                      [{"name": "s", "target_share": 0.8}])
    assert v.headline.text.startswith("Best on mean total wait of served customers: "
                                      "clerks = 6 — 5.50 min [5.20, 5.80], staff cost 500")
    assert v.lines[0].text.startswith("1 other variant(s) have overlapping intervals")
    assert v.lines[1].text == ("Cheapest variant meeting every standard on average: "
                               "clerks = 5 (staff cost 400).")


@pytest.mark.parametrize("kpi", ["arrived", "sat__n_all"])
def test_a_kpi_without_a_better_direction_ranks_nothing(kpi):
    tidy = pd.DataFrame({"variant_id": ["x"], "kpi": [kpi], "mean": [1.0], "ci_low": [0.5],
                         "ci_high": [1.5]})
    v = sweep_verdict(tidy, pd.DataFrame({"variant_id": ["x"], "p": [1]}), kpi)
    assert "no better direction" in v.headline.text
