"""Invariants on every replication: conservation and Little's law as exact identities."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.measures.conservation import check_conservation
from simulator.measures.kpis import replication_kpis
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import HALL


@pytest.fixture(scope="module")
def hall_records() -> list[Records]:
    loaded = load_scenario(HALL)
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    return [simulate(plan, 11, r) for r in range(30)]


def integral(records: Records, station: int, column: str) -> float:
    lv = records.levels
    m = lv["station_idx"] == station
    t = np.append(lv["time_min"][m], records.end_min)
    return float(np.sum(np.diff(t) * lv[column][m]))


def test_conservation_every_replication(hall_records):
    for rec in hall_records:
        c = rec.customers
        counts = np.bincount(c["outcome"], minlength=4)
        arrived = len(c["customer_id"])
        assert arrived == counts.sum()
        assert counts[CustomerOutcome.INSIDE] == 0  # a terminating day ends empty
        assert arrived == (counts[CustomerOutcome.SERVED] + counts[CustomerOutcome.BALKED]
                           + counts[CustomerOutcome.ABANDONED])
        assert np.array_equal(np.unique(c["customer_id"]), np.arange(arrived))
        check_conservation(rec)


def test_day_ends_empty_with_nobody_left_on_duty_or_waiting(hall_records):
    for rec in hall_records:
        lv = rec.levels
        for s in range(len(rec.station_names)):
            m = lv["station_idx"] == s
            assert lv["queue_len"][m][-1] == 0 and lv["busy"][m][-1] == 0
            assert lv["on_duty"][m][-1] == (2 if rec.station_names[s] == "ticket_kiosk" else 0)
            assert lv["queue_len"][m].min() >= 0 and lv["busy"][m].min() >= 0
            assert np.all(lv["busy"][m] <= np.maximum(lv["on_duty"][m], 0) + 0)


def test_littles_law_is_an_identity_on_the_records(hall_records):
    """∫ N(t) dt over the day equals the sum of times in system (L = λW on the sample path)."""
    for rec in hall_records:
        c = rec.customers
        total_time = float(np.sum(c["departure_min"] - c["arrival_min"]))
        area = sum(integral(rec, s, "queue_len") + integral(rec, s, "busy")
                   for s in range(len(rec.station_names)))
        assert area == pytest.approx(total_time, rel=1e-9)
        k = replication_kpis(rec)
        assert k["in_system_tw"] == pytest.approx(
            k["arrival_rate_per_min"] * total_time / len(c["customer_id"]), rel=1e-9)


def test_station_areas_equal_waits_and_services(hall_records):
    for rec in hall_records[:5]:
        v = rec.visits
        for s in range(len(rec.station_names)):
            m = v["station_idx"] == s
            waited = np.where(np.isnan(v["start_min"][m]), v["join_min"][m], v["start_min"][m])
            abandoned = v["outcome"][m] == VisitOutcome.ABANDONED
            dep = rec.customers["departure_min"][v["customer_id"][m]]
            wait_end = np.where(abandoned, dep, waited)
            assert integral(rec, s, "queue_len") == pytest.approx(
                float(np.sum(wait_end - v["join_min"][m])), rel=1e-9, abs=1e-9)
            assert integral(rec, s, "busy") == pytest.approx(
                float(np.nansum(v["service_min"][m])), rel=1e-9, abs=1e-9)


def test_no_arrival_after_close_and_staff_never_exceed_counters(hall_records):
    for rec in hall_records:
        assert rec.customers["arrival_min"].max() < rec.close_min
        assert rec.customers["arrival_min"].min() >= rec.open_min
        assert np.all(rec.levels["busy"] <= 8)
