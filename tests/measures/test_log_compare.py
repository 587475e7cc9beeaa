"""Per-interval measures of visits agree with the by-hour rows on hourly intervals."""

from __future__ import annotations

import numpy as np

from simulator.engine.model import simulate
from simulator.measures.by_hour import by_hour_rows
from simulator.measures.log_compare import interval_measures, records_visits
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.helpers import MINIMAL_SCENARIO


def test_hourly_intervals_match_by_hour_rows() -> None:
    loaded = load_scenario_text(MINIMAL_SCENARIO)
    rec = simulate(compile_plan(loaded.scenario, None), 3, 0)
    arrays = records_visits(rec)
    m = interval_measures(**arrays, n_stations=1, grid_start_min=540.0, interval_min=60.0,
                          n_intervals=5, wait_limit_min=np.array([15.0]))
    rows = [r for r in by_hour_rows(rec) if r["station"] == "desk"]
    for r in rows:
        i = r["hour"] - 9
        assert m["arrivals"][0, i] == r["arrivals"]
        if r["arrivals"]:
            assert np.isclose(m["wait_mean_min"][0, i], r["wait_mean_min"])
            assert np.isclose(m["abandon_rate"][0, i], r["abandon_rate"])
    assert m["arrivals"].sum() == len(rec.visits["customer_id"])
    assert np.all(m["utilisation"][np.isfinite(m["utilisation"])] <= 1 + 1e-12)
