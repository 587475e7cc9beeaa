"""Per-interval counts by joining time (measures/intervals.py): an exact timeline, and sums
that agree with the KPI row on the bundled hall."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.measures.intervals import bin_sums, interval_counts, interval_edges
from simulator.measures.kpis import replication_kpis
from simulator.measures.standards import standard_slugs
from simulator.scenario.loader import load_scenario
from simulator.scenario.pathways import Standard
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text
from tests.helpers import HALL

TINY = """
name: tiny
clock: {open: "09:00", close: "10:00"}
customer_classes:
  c: {pathway: p, patience: {dist: constant, value: 8}}
arrivals:
  log: {trace: trace.csv}
stations:
  s: {counters: 1, staffed: false, service: {dist: constant, value: 10}}
pathways: {p: [s]}
"""


def test_exact_counts_on_a_timeline(tmp_path):
    # joins 0, 5, 13 | 35, 36, 50 (minutes after 09:00); one counter, 10-min services,
    # patience 8: waits 0, 5, 7 | 0, abandons at 44 after 8, 0
    rec = run_text(tmp_path, TINY, "time\n0\n5\n13\n35\n36\n50\n")
    std = Standard(name="within 6", station="s", wait_max_min=6)
    c = interval_counts(rec, interval_edges(540.0, 600.0, 30), [0], [std])
    assert c.visits.tolist() == [3, 3]
    assert c.served.tolist() == [3, 2]
    assert c.abandoned.tolist() == [0, 1]
    assert c.balked.tolist() == [0, 0]
    assert c.wait_sum_min.tolist() == [12.0, 0.0]
    assert c.wait_n.tolist() == [3, 2]
    assert c.delayed.tolist() == [2, 1]
    assert c.delay_n.tolist() == [3, 3]
    assert c.std_passed.tolist() == [[2, 2]]
    assert c.std_units.tolist() == [[3, 3]]
    assert c.busy_min.tolist() == [30.0, 20.0]
    assert c.on_duty_min.tolist() == [30.0, 30.0]


def test_edges_must_divide_the_day():
    assert interval_edges(510.0, 1020.0, 30).size == 18
    with pytest.raises(ValueError, match="not a whole number of 60-min intervals"):
        interval_edges(510.0, 1020.0, 60)


def test_bin_sums_ignores_times_outside():
    edges = np.array([0.0, 10.0, 20.0])
    assert bin_sums(np.array([-1.0, 0.0, 9.99, 10.0, 20.0]), edges).tolist() == [2.0, 1.0]
    w = np.array([1.0, 2.0, 3.0])
    assert bin_sums(np.array([1.0, 11.0, 12.0]), edges, w).tolist() == [1.0, 5.0]


def test_sums_match_the_kpi_row_on_the_hall():
    """Over intervals spanning the whole run, the counts add up to the KPI row's totals, and
    every visit ends served, balked, abandoned or unfinished (conservation per interval)."""
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    rec = simulate(plan, 5, 0)
    station = rec.station_names.index("general_window")
    stds = list(loaded.scenario.standards)
    end = 60.0 * np.ceil(rec.end_min / 60.0)
    edges = np.arange(rec.open_min, end + 60.0, 60.0)
    c = interval_counts(rec, edges, [station], stds)
    k = replication_kpis(rec, stds, plan.group_cost_per_hour)
    v = rec.visits
    at = v["station_idx"] == station
    assert c.visits.sum() == at.sum()
    unfinished = bin_sums(v["join_min"][at & (v["outcome"] == 6)], edges)
    np.testing.assert_array_equal(c.served + c.balked + c.abandoned + unfinished, c.visits)
    for i, slug in enumerate(standard_slugs(stds)):
        assert c.std_passed[i].sum() / c.std_units[i].sum() == pytest.approx(
            k[f"std__{slug}__compliance"], rel=1e-12)
    assert c.wait_sum_min.sum() / c.wait_n.sum() == pytest.approx(
        k["general_window__wait_mean_min"], rel=1e-12)
