"""The label table: every KPI a run writes has words, a unit and a range; patterns for
stations, classes, standards and satisfaction; directions of good; values formatted for
people."""

from __future__ import annotations

import math

import pytest

from simulator.engine.model import simulate
from simulator.measures.kpis import replication_kpis
from simulator.measures.labels import (
    HIGHER,
    LOWER,
    NEUTRAL,
    format_interval,
    format_value,
    is_share,
    kpi_info,
    label,
)
from simulator.satisfaction.replication import replication_satisfaction
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan
from tests.helpers import SCENARIOS


@pytest.mark.parametrize("name", ["government_hall", "hotel_front_desk", "restaurant"])
def test_every_kpi_of_a_bundled_scenario_has_a_label(name):
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    rec = simulate(plan, 1, 0)
    keys = list(replication_kpis(rec, loaded.scenario.standards, plan.group_cost_per_hour))
    keys += list(replication_satisfaction(plan, rec).kpis)
    unlabelled = [k for k in keys if kpi_info(k).label == k]
    assert unlabelled == []
    assert all("__" not in kpi_info(k).label for k in keys)  # words, not machine names


@pytest.mark.parametrize(("key", "words", "unit", "good", "share"), [
    ("wait_mean_min", "Mean total wait of served customers (min)", "min", LOWER, False),
    ("abandon_rate", "Left a line before service (abandoned)", "%", LOWER, True),
    ("general_window__utilisation_tw", "general window: utilisation (busy ÷ on duty)", "%",
     NEUTRAL, True),
    ("rooms.housekeeping__queue_len_tw", "rooms.housekeeping: mean line length "
     "(time-weighted)", "customers", LOWER, False),
    ("std__window_15__compliance", "Compliance: Window 15", "%", HIGHER, True),
    ("wait_mean_min__class__vip_guest", "vip guest: mean total wait of served customers (min)",
     "min", LOWER, False),
    ("staff_cost", "Staff cost (EUR)", "currency", LOWER, False),
    ("sat__dim__empathy", "SERVQUAL empathy: score (0 = as expected)", "points", HIGHER, False),
    ("desk__busy_min__clerks", "desk: time served by clerks (person-min)", "person-min",
     NEUTRAL, False),
])
def test_patterns(key, words, unit, good, share):
    info = kpi_info(key, {"window_15": "Window 15"})
    assert info.titled("EUR") == words
    assert (info.unit, info.good, info.share) == (unit, good, share)


def test_ranges_and_denominators():
    assert (kpi_info("abandon_rate").low, kpi_info("abandon_rate").high) == (0.0, 1.0)
    assert kpi_info("abandon_rate").denominator == "arrived"
    assert kpi_info("std__x__compliance").denominator == "std__x__n"
    assert kpi_info("std__x__met").denominator == "replications"
    assert kpi_info("wait_p90_min").low == 0.0 and math.isinf(kpi_info("wait_p90_min").high)
    assert (kpi_info("sat__csat_mean").low, kpi_info("sat__csat_mean").high) == (1.0, 5.0)
    unknown = kpi_info("something_new")
    assert unknown.label == "something_new" and math.isinf(unknown.low)


def test_values_for_people():
    assert format_value("abandon_rate", 0.0712) == "7.1 %"
    assert format_value("wait_mean_min", 10.94) == "10.9 min"
    assert format_value("staff_cost", 4379.2, "EUR") == "4,379 EUR"
    assert format_value("staff_cost", 4379.2) == "4,379"
    assert format_value("last_departure_min", 1085.0) == "18:05"
    assert format_value("wait_mean_min", float("nan")) == "–"
    assert format_interval("abandon_rate", 0.05, 0.0912) == "[5.0, 9.1]"
    assert format_interval("wait_mean_min", 0.0, 0.57) == "[0, 0.570]"
    assert format_interval("wait_mean_min", float("nan"), 1.0) == ""
    assert label("overtime_min") == "Staff overtime (person-min)"
    assert is_share("sat__top2_share__all") and not is_share("sat__csat_mean__all")
