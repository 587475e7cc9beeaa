"""predict(): vectorised grouping, outcomes (balked/abandoned), optional items, summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.satisfaction import (
    CustomerTable,
    ModelParameters,
    SatisfactionConfig,
    StageTable,
    predict,
    summarise,
)

from ._build import government, run, tables, visit, visits_strategy

FIELDS = ("dimensions", "q", "q_loyalty", "p_csat", "expected_csat", "p_complaint", "p_return")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(visits_strategy(), min_size=2, max_size=6))
def test_vectorised_equals_one_customer_at_a_time(visits):
    together = run(visits)
    for i, v in enumerate(visits):
        alone = run([v])
        for name in FIELDS:
            np.testing.assert_allclose(
                getattr(together, name)[i], getattr(alone, name)[0], rtol=1e-12, atol=1e-12
            )


def test_balked_customer_uses_anticipated_wait():
    # 9 waiting, E[S] = 6 min, 4 servers: Ŵ = 15 min, perceived with m0 only → 20.4
    balk = visit(
        1,
        wait_min=math.nan,
        adequate_min=15.0,
        promise=True,
        occupied=True,  # does not apply to an anticipated wait
        queue_on_arrival=9,
        servers_on_arrival=4,
        nominal_service_min=6.0,
        staff_skill=1.0,
        balked_here=True,
    )
    p = run([balk, government(15.0)])
    assert p.perceived_wait_min[0] == pytest.approx(20.4)
    assert p.responsiveness[0] == pytest.approx(p.responsiveness[1])
    assert np.isnan(p.stage_scores[0, [0, 2, 3]]).all()  # no reliability/assurance/empathy
    assert p.outcome.tolist() == [1, 0]
    assert p.served.tolist() == [False, True]


def test_balked_with_no_server_on_duty():
    balk = visit(
        1,
        wait_min=math.nan,
        adequate_min=15.0,
        queue_on_arrival=3,
        servers_on_arrival=0,
        nominal_service_min=5.0,
        balked_here=True,
    )
    p = run([balk])
    assert p.responsiveness[0] == -1.0


def test_summary_served_and_all_arrivals():
    balk = visit(
        1,
        wait_min=math.nan,
        adequate_min=15.0,
        queue_on_arrival=40,
        nominal_service_min=6.0,
        balked_here=True,
    )
    p = run([government(5.0), government(30.0), balk])
    s = summarise(p)
    assert s["n_served"] == 2 and s["n_all"] == 3
    assert s["csat_mean_served"] == pytest.approx(p.expected_csat[:2].mean())
    assert s["csat_mean_all"] == pytest.approx(p.expected_csat.mean())
    assert s["csat_mean_all"] < s["csat_mean_served"]
    assert s["index_all"] == pytest.approx(25 * (s["csat_mean_all"] - 1))
    assert 0 < s["complaint_rate"] < 1 and 0 < s["return_rate"] < 1


def test_visit_standard_is_a_post_observation():
    on_time = government(5.0)
    on_time.update(visit_adequate_min=60.0, time_in_system_min=10.0)
    long_visit = government(5.0)
    long_visit.update(visit_adequate_min=60.0, time_in_system_min=120.0)
    p = run([government(5.0), on_time, long_visit])
    assert p.responsiveness[2] < p.responsiveness[0]
    # 10 min perceived 13.6 ≤ D = 30: credit, and it is the last (end) observation
    assert p.responsiveness[1] > p.responsiveness[0]


def test_recovery_timeliness_in_responsiveness_option():
    slow = visit(
        1, wait_min=1.0, severity=0.5, fix=True, resolution_min=40.0, recovery_standard_min=10.0
    )
    off = run([slow])
    on = run([slow], config=SatisfactionConfig(recovery={"timeliness_in_responsiveness": True}))
    assert off.responsiveness[0] == 0.0
    assert on.responsiveness[0] < -0.5
    assert on.expected_csat[0] < off.expected_csat[0]


def test_class_expectation_scale():
    cfg = SatisfactionConfig(classes={"vip": {"expectation_scale": 0.7}})
    vip = government(12.0)
    vip["class_name"] = "vip"
    p = run([government(12.0), vip], config=cfg)
    assert p.responsiveness[1] < p.responsiveness[0]
    assert p.perceived_wait_min[0] == pytest.approx(p.perceived_wait_min[1])
    # the promise is the published 15 min: kept for both
    assert p.reliability.tolist() == [0.0, 0.0]


def test_crowding_and_rush_and_facility():
    crowded = visit(2, wait_min=[1.0, 1.0], queue_on_arrival=[20, 0], area_capacity=[20.0, 20.0])
    no_cap = visit(1, wait_min=1.0, queue_on_arrival=10, servers_on_arrival=2)  # 10/(2·5)
    rushed = visit(
        1,
        wait_min=1.0,
        staff_skill=0.5,
        service_min=3.0,
        nominal_service_min=6.0,
        others_waiting=True,
    )
    calm = visit(1, wait_min=1.0, staff_skill=0.5, service_min=3.0, nominal_service_min=6.0)
    nice = visit(1, wait_min=1.0)
    nice["facility_level"] = 1.0
    p = run([crowded, no_cap, rushed, calm, nice])
    assert p.stage_scores[0, 4] == pytest.approx(-0.5) and p.stage_scores[1, 4] == 0.0
    assert p.stage_scores[2, 4] == pytest.approx(-0.5)
    assert p.stage_scores[3, 3] == pytest.approx(-0.4 * 0.5)
    assert p.stage_scores[4, 3] == 0.0
    assert p.tangibles[4] == pytest.approx(0.5)
    cfg = SatisfactionConfig(facility_level=0.0)
    assert run([visit(1, wait_min=1.0)], config=cfg).tangibles[0] == pytest.approx(-0.5)


def test_outcome_must_match_stage_flags():
    s, _ = tables([government(20.0, abandoned_here=True)])
    with pytest.raises(ValueError, match=r"CustomerTable.outcome\[0\]: must be abandoned"):
        predict(s, CustomerTable.build(["served"]))
    s2, _ = tables([government(1.0), government(2.0)])
    with pytest.raises(ValueError, match="expected 1"):
        predict(s2, CustomerTable.build(["served"]))


def test_prediction_is_read_only_and_labelled():
    p = run([government(5.0)])
    with pytest.raises(ValueError):
        p.q[0] = 1.0
    assert p.dimension("responsiveness")[0] == p.responsiveness[0]
    assert p.n_customers == 1
    fitted = run([government(5.0)], params=ModelParameters(calibrated=True))
    assert fitted.label == "calibrated profile"


def test_no_customers():
    stages = StageTable.build(customer=np.zeros(0, dtype=int), wait_min=np.zeros(0))
    p = predict(stages, CustomerTable.build(np.zeros(0, dtype=int)))
    assert p.q.shape == (0,) and p.p_csat.shape == (0, 5)


def test_stage_columns_from_the_section():
    from simulator.satisfaction import stage_columns

    from .test_params import SECTION_2_12

    cfg = SatisfactionConfig.model_validate(SECTION_2_12)
    names = ["reception", "window", "menu", "window", "cashier"]
    cols = stage_columns(cfg, names)
    np.testing.assert_array_equal(cols["adequate_min"], [np.nan, 15.0, 3.0, 15.0, np.nan])
    np.testing.assert_array_equal(cols["desired_min"], [np.nan, np.nan, 1.5, np.nan, np.nan])
    assert cols["kano"].tolist() == [1, 0, 1, 0, 1]
    assert cols["promise"].tolist() == [False, True, True, True, False]
    assert cols["occupied"].tolist() == [True, False, False, False, False]
    assert cols["informed"].tolist() == [True, False, False, False, False]
    stages = StageTable.build([0, 0, 0, 1, 1], [3.0, 10.0, 1.0, 20.0, 1.0], stage=names, **cols)
    customers = CustomerTable.build(["served", "served"], flags={"tea_served": [1.0, 0.0]})
    p = predict(stages, customers, config=cfg)
    assert p.expected_csat[0] > p.expected_csat[1]
