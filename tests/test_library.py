"""The bundled scenario library: every file validates, and every customer is accounted for.

Each bundled scenario is simulated for 30 replications (its own seed) and every replication
must conserve customers: arrived = served + balked + abandoned (+ inside, which is zero once
a terminating day has ended), with every visit accounted for (``check_conservation``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome
from simulator.measures.conservation import check_conservation
from simulator.measures.kpis import replication_kpis
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import SCENARIOS

LIBRARY = sorted(SCENARIOS.glob("*.yaml"))


def test_the_library_has_the_four_domains() -> None:
    assert {p.stem for p in LIBRARY} >= {
        "government_hall", "hotel_front_desk", "restaurant", "classroom_bank"}


def test_every_bundled_scenario_validates() -> None:
    result = CliRunner().invoke(main, ["validate", *map(str, LIBRARY)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_conservation_over_30_replications(path: Path) -> None:
    loaded = load_scenario(path)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    seed = loaded.scenario.run.seed
    served = 0
    for r in range(30):
        rec = simulate(plan, seed, r)
        check_conservation(rec)
        c = rec.customers
        counts = np.bincount(c["outcome"], minlength=4)
        assert len(c["customer_id"]) == counts.sum()
        assert counts[CustomerOutcome.INSIDE] == 0, f"replication {r}: customers left inside"
        assert len(c["customer_id"]) == (counts[CustomerOutcome.SERVED]
                                         + counts[CustomerOutcome.BALKED]
                                         + counts[CustomerOutcome.ABANDONED])
        assert np.all(c["arrival_min"] >= plan.open_min)
        assert np.all(c["arrival_min"] < plan.close_min)
        for s, kind in enumerate(rec.station_kinds):
            if kind == "tables":  # tables in use never exceed the tables there are
                m = rec.levels["station_idx"] == s
                assert np.all(rec.levels["busy"][m] <= rec.levels["on_duty"][m])
        served += int(counts[CustomerOutcome.SERVED])
        if r == 0:
            k = replication_kpis(rec, loaded.scenario.standards)
            assert k["served"] > 0 and np.isfinite(k["wait_mean_min"])
    assert served > 0


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_resolved_scenario_loads_back_equal(path: Path) -> None:
    """scenario.resolved.yaml (and JSON round trips such as --set) load back to the same model."""
    import json

    from simulator.experiments.storage import resolved_yaml
    from simulator.scenario.loader import load_scenario_text

    sc = load_scenario(path).scenario
    assert load_scenario_text(resolved_yaml(sc), "resolved.yaml").scenario == sc
    as_json = json.dumps(sc.model_dump(mode="json", by_alias=True))
    assert load_scenario_text(as_json, "resolved.json").scenario == sc
