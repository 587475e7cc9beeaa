"""P(wait > 0) against Erlang C: in a steady-state M/M/2 the share of arrivals that wait at
all is Erlang C's P(W > 0); the simulated mean over replications must fall within three
standard errors of it. Also the overall and station values agree for a one-station pathway
(up to the customers still inside at the end), and the same seed gives the same value."""

from __future__ import annotations

import math

import numpy as np

from simulator import theory
from simulator.engine.model import simulate
from simulator.measures.kpis import replication_kpis
from simulator.scenario.plan import compile_plan
from simulator.scenario.schema import Scenario

RATE_PER_HOUR, MEAN_SERVICE_MIN, SERVERS = 90.0, 1.0, 2  # utilisation 0.75


def _scenario() -> Scenario:
    return Scenario.model_validate({
        "name": "M/M/2",
        "clock": {"open": "00:00"},
        "run": {"length_min": 3000.0, "warm_up_min": 300.0},
        "customer_classes": {"c": {"pathway": "p"}},
        "arrivals": {"walk_in": {"rate_per_hour": {"00:00": RATE_PER_HOUR}}},
        "stations": {"desk": {"counters": SERVERS, "staffed": False,
                              "service": {"dist": "exponential", "mean": MEAN_SERVICE_MIN}}},
        "pathways": {"p": ["desk"]},
        "satisfaction": {"model": "off"},
    })


def test_waited_share_matches_erlang_c() -> None:
    plan = compile_plan(_scenario())
    rows = [replication_kpis(simulate(plan, 7, r)) for r in range(8)]
    station = np.array([k["desk__waited_share"] for k in rows])
    overall = np.array([k["waited_share"] for k in rows])
    # one station: the same customers, except those still inside when the run ends
    np.testing.assert_allclose(station, overall, atol=0.01)
    want = theory.mmc(RATE_PER_HOUR / 60.0, MEAN_SERVICE_MIN, SERVERS).p_wait
    se = station.std(ddof=1) / math.sqrt(station.size)
    assert abs(station.mean() - want) < 3 * se + 1e-3, (station.mean(), want, se)
    again = replication_kpis(simulate(plan, 7, 0))["desk__waited_share"]
    assert again == station[0]
