"""One truth: the measures computed while the day runs equal those computed from the records.

Every bundled scenario and the self-check's textbook cases run once with the records kept
and the streaming measures attached, in chunks far smaller than a day (so customers, levels
and hours straddle many chunk boundaries). The KPI row, the by-hour rows, the level grid,
the wait histogram, the per-person table and predicted satisfaction from the stream must be
identical, value for value, to the same measures of the finished records. Counts, sums and
means are exact in both (exact summation), percentiles come from the same histograms, so
"identical" means bit for bit. The engine's overtaking counts are checked against the
post-run definition, and the customer table streamed to disk against the one written from
the records.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulator.engine.model import Replication, records_meta
from simulator.engine.records import VisitOutcome
from simulator.experiments.runner import ReplicationSink, replication_outputs
from simulator.experiments.selfcheck import default_cases
from simulator.experiments.storage import CustomerStream, write_replication_records
from simulator.measures.accumulate import ReplicationMeasures, measure_records
from simulator.satisfaction.overtaking import overtaken_counts
from simulator.scenario.loader import load_scenario, load_scenario_text
from simulator.scenario.overrides import parse_overrides, with_overrides
from simulator.scenario.plan import Plan, compile_plan
from tests.helpers import SCENARIOS

BUNDLED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def bundled_plan(name: str, sets: tuple[str, ...] = ()) -> Plan:
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    if sets:
        loaded = with_overrides(loaded, parse_overrides(list(sets)))
    return compile_plan(loaded.scenario, loaded.base_dir)


def case_plan(case_name: str) -> Plan:
    case = next(c for c in default_cases() if c.name == case_name)
    loaded = load_scenario_text(case.yaml, f"{case_name}.yaml")
    return compile_plan(loaded.scenario, loaded.base_dir)


def same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN, arrays element by element."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def stream_and_records(plan: Plan, seed: int, rep: int, chunk_rows: int):
    """Run once: records kept and the streaming sink fed in chunks of ``chunk_rows``."""
    sink = ReplicationSink(plan, rep, detail=True, seed=seed)
    people = ReplicationMeasures(records_meta(plan), staff_use=True, by_hour=False)
    replication = Replication(plan, seed, rep, sink=_Both(sink, people), keep=True)
    replication.rec.chunk_rows = chunk_rows
    records = replication.run()
    return sink.result(), people.result, records


class _Both:
    def __init__(self, *sinks):
        self.sinks = sinks

    def consume(self, chunk):
        for s in self.sinks:
            s.consume(chunk)

    def finish(self, end_min):
        for s in self.sinks:
            s.finish(end_min)


def assert_identical(streamed, from_records) -> None:
    assert list(streamed.kpis) == list(from_records.kpis)
    bad = [k for k in streamed.kpis if not same(streamed.kpis[k], from_records.kpis[k])]
    assert not bad, {k: (streamed.kpis[k], from_records.kpis[k]) for k in bad[:5]}
    assert len(streamed.by_hour) == len(from_records.by_hour)
    for a, b in zip(streamed.by_hour, from_records.by_hour, strict=True):
        assert list(a) == list(b)
        assert all(same(a[k], b[k]) for k in a), (a, b)
    for attr in ("grid_min", "queue_grid", "busy_grid", "on_duty_grid", "wait_hist"):
        assert same(getattr(streamed, attr), getattr(from_records, attr)), attr


@pytest.mark.parametrize("name", BUNDLED)
def test_streaming_equals_records_on_every_bundled_scenario(name):
    plan = bundled_plan(name)
    for rep in range(2):
        streamed, people, records = stream_and_records(plan, 11, rep, chunk_rows=37)
        assert_identical(streamed, replication_outputs(plan, records, rep, seed=11))
        assert people.staff_use == measure_records(records, staff_use=True).staff_use


@pytest.mark.parametrize("case", ["M/M/1", "M/M/c/K", "Priority", "Erlang A", "Tandem",
                                  "Choice split", "Jockeying", "M^X/M/1"])
def test_streaming_equals_records_on_selfcheck_cases(case):
    """Steady-state runs with a warm-up, priorities and abandonment."""
    plan = case_plan(case)
    streamed, _, records = stream_and_records(plan, 3, 0, chunk_rows=500)
    assert_identical(streamed, replication_outputs(plan, records, 0, seed=3))


def test_streaming_with_per_counter_lines_and_overtaking():
    plan = bundled_plan("classroom_bank", ("stations.tellers_desk.line=per_counter",))
    streamed, _, records = stream_and_records(plan, 5, 1, chunk_rows=25)
    assert_identical(streamed, replication_outputs(plan, records, 1, seed=5))
    assert records.visits["overtaken"].sum() > 0  # the case really overtakes


@pytest.mark.parametrize("name,sets", [
    ("government_hall", ()), ("restaurant", ()), ("hotel_front_desk", ()),
    ("classroom_bank", ("stations.tellers_desk.line=per_counter",)),
])
def test_engine_overtaking_counts_equal_the_post_run_definition(name, sets):
    plan = bundled_plan(name, sets)
    for rep in range(3):
        _, _, r = stream_and_records(plan, 11, rep, chunk_rows=1 << 20)
        v, c = r.visits, r.customers
        queued = ~np.isin(v["outcome"], [VisitOutcome.BALKED, VisitOutcome.BLOCKED,
                                         VisitOutcome.NOTHING_HELD])
        departure = dict(zip(c["customer_id"].tolist(), c["departure_min"].tolist(),
                             strict=True))
        leave = v["start_min"].copy()
        gone = v["outcome"] == VisitOutcome.ABANDONED
        leave[gone] = [departure[i] for i in v["customer_id"][gone].tolist()]
        for s in range(len(r.station_names)):
            idx = np.flatnonzero(queued & (v["station_idx"] == s))
            want = overtaken_counts(v["join_min"][idx], v["start_min"][idx], leave[idx])
            assert np.array_equal(v["overtaken"][idx], want), (name, rep, s)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_customer_table_streamed_equals_the_one_written_from_records(tmp_path, fmt):
    pytest.importorskip("pyarrow") if fmt == "parquet" else None
    plan = bundled_plan("government_hall")
    stream = CustomerStream(records_meta(plan), 0, tmp_path / "streamed", fmt)
    replication = Replication(plan, 11, 0, sink=stream, keep=True)
    replication.rec.chunk_rows = 40
    records = replication.run()
    [written] = write_replication_records(records, 0, tmp_path / "kept", "summary", fmt)
    if fmt == "csv":
        assert stream.path.read_bytes() == open(written, "rb").read()
    else:
        pd.testing.assert_frame_equal(pd.read_parquet(stream.path), pd.read_parquet(written))


def test_streaming_keeps_no_rows():
    """With the rows not kept, the returned records are empty: the measures came from the
    stream alone."""
    plan = bundled_plan("government_hall")
    sink = ReplicationSink(plan, 0, detail=True, seed=11)
    replication = Replication(plan, 11, 0, sink=sink, keep=False)
    replication.rec.chunk_rows = 64
    records = replication.run()
    assert records.visits["customer_id"].size == 0
    assert records.customers["customer_id"].size == 0
    assert sink.result().kpis["arrived"] > 400
