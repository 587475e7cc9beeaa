"""people.csv (--records full): per-person staff use, as staff_use_rows computes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine.model import simulate
from simulator.measures.staff_use import staff_use_rows
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import HALL


def test_people_csv_is_per_person_staff_use_of_every_replication(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["run", str(HALL), "-n", "2", "--seed", "5", "-o", str(out),
                                    "--records", "full", "--format", "csv", "--no-figures",
                                    "--no-report", "-q"])
    assert res.exit_code == 0, res.output
    people = pd.read_csv(out / "people.csv")
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    for r in range(2):
        expected = pd.DataFrame(staff_use_rows(simulate(plan, 5, r)))
        got = people[people["replication"] == r].drop(columns="replication")
        got = got.reset_index(drop=True)
        assert list(got.columns) == list(expected.columns)
        assert got["slot_id"].tolist() == expected["slot_id"].tolist()
        assert got["staff_group"].tolist() == expected["staff_group"].tolist()
        num = [c for c in expected.columns if c not in ("slot_id", "staff_group")]
        np.testing.assert_allclose(got[num].to_numpy(float), expected[num].to_numpy(float),
                                   rtol=1e-12)
    by_station = people.filter(like="busy_min__").sum(axis=1)
    np.testing.assert_allclose(by_station, people["busy_min"], rtol=1e-12)
    on = people["on_duty_min"] > 0
    np.testing.assert_allclose(people["utilisation"][on],
                               people["busy_min"][on] / people["on_duty_min"][on], rtol=1e-12)
    assert (people["utilisation"][on] <= 1.0 + 1e-9).all()
    # one row per roster slot: 7 clerks, 4 triage officers, 4 specialists, 1 supervisor, 2 cashiers
    assert people.groupby("replication").size().tolist() == [18, 18]
