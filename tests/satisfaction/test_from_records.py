"""Records -> satisfaction tables and KPIs (simulator.satisfaction.from_records and
.replication): exact timelines on tiny scenarios with replayed arrivals and constant service
times."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.experiments.runner import ReplicationTask, run_replication
from simulator.satisfaction import PHASE_IN, PHASE_POST, PHASE_PRE
from simulator.satisfaction.compiled import describe
from simulator.satisfaction.replication import SatisfactionOutputs, replication_satisfaction
from simulator.scenario.loader import ScenarioError, load_scenario, load_scenario_text
from simulator.scenario.plan import compile_plan
from simulator.scenario.profile import resolve_profile
from tests.helpers import HALL

BASE = """\
name: bridge test
domain: {domain}
clock: {{open: "09:00", close: "10:00"}}
customer_classes:
{classes}
arrivals:
  replay: {{trace: trace.csv, class_column: class}}
stations:
{stations}
staff:
  clerks: {{count: {clerks}, training_level: {level}}}
{extra_staff}
pathways:
{pathways}
standards:
  - {{name: desk within 15, station: desk, wait_max_min: 15}}
{satisfaction}
"""


def scenario(tmp_path: Path, trace: str, *, domain: str = "government",
             classes: str = "  walk: {pathway: main}",
             stations: str = "  desk: {counters: 1, staff: clerks, "
                             "service: {dist: constant, value: 10}}",
             clerks: int = 1, level: int = 3, extra_staff: str = "",
             pathways: str = "  main: [desk]", satisfaction: str = ""):
    text = BASE.format(domain=domain, classes=classes, stations=stations, clerks=clerks,
                       level=level, extra_staff=extra_staff, pathways=pathways,
                       satisfaction=textwrap.dedent(satisfaction))
    (tmp_path / "trace.csv").write_text("time,class\n" + textwrap.dedent(trace).strip() + "\n")
    (tmp_path / "s.yaml").write_text(text)
    loaded = load_scenario(tmp_path / "s.yaml")
    sc = resolve_profile(loaded.scenario, loaded.base_dir)
    return compile_plan(sc, loaded.base_dir)


def outputs(plan, seed: int = 1, replication: int = 0) -> SatisfactionOutputs:
    records = simulate(plan, seed, replication)
    return replication_satisfaction(plan, records, seed, replication, keep=True)


THREE_AT_NINE = """\
09:01,walk
09:02,walk
09:03,walk
"""


def test_waits_standards_skill_and_phases_of_a_queue(tmp_path):
    plan = scenario(tmp_path, THREE_AT_NINE, level=5)
    out = outputs(plan)
    st, cu = out.tables.stages, out.tables.customers
    assert st.customer.tolist() == [0, 1, 2]
    assert st.wait_min.tolist() == [0.0, 9.0, 18.0]
    assert st.adequate_min.tolist() == [15.0] * 3  # the scenario standard is A
    assert st.promise.all()  # government: standards are published promises
    assert st.staff_skill.tolist() == [1.0] * 3  # training level 5 -> (5 - 1) / 4
    assert st.queue_on_arrival.tolist() == [0, 0, 1]  # waiting, not in service
    assert st.servers_on_arrival.tolist() == [1, 1, 1]
    assert st.phase.tolist() == [PHASE_PRE] * 3  # a single stage is the first stage
    assert np.isnan(st.area_capacity).all()
    assert cu.outcome.tolist() == [0, 0, 0]
    assert cu.time_in_system_min.tolist() == [10.0, 19.0, 28.0]
    k = out.kpis
    assert k["sat__n_served"] == 3 and k["sat__n_all"] == 3
    # the third customer waited 18 > 15 min: the promise is broken, reliability drops
    assert out.prediction.reliability.tolist() == pytest.approx([0.0, 0.0, -0.3])
    e = out.prediction.expected_csat
    assert e[0] > e[1] > e[2]
    assert k["sat__csat_mean"] == pytest.approx(float(e.mean()))
    assert k["sat__gap3__desk_within_15__share"] == pytest.approx(2 / 3)


def test_generic_domain_does_not_publish_standards(tmp_path):
    st = outputs(scenario(tmp_path, THREE_AT_NINE, domain="generic")).tables.stages
    assert not st.promise.any()


def test_section_standard_replaces_the_scenario_standard(tmp_path):
    sat = """\
    satisfaction:
      standards:
        - {id: desk_quick, stage: desk, adequate_min: 8, desired_min: 2, kano: must_be}
    """
    out = outputs(scenario(tmp_path, THREE_AT_NINE, satisfaction=sat))
    st = out.tables.stages
    assert st.adequate_min.tolist() == [8.0] * 3
    assert st.desired_min.tolist() == [2.0] * 3
    assert st.kano.tolist() == [0, 0, 0] and not st.promise.any()
    assert "sat__gap3__desk_quick__share" in out.kpis
    assert "sat__gap3__desk_within_15__share" not in out.kpis


def test_phases_follow_the_visit_and_the_section(tmp_path):
    stations = """\
      kiosk: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
      desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10}}
      pay: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
    """
    plan = scenario(tmp_path, "09:00,walk\n", stations=textwrap.indent(
        textwrap.dedent(stations), "  "), pathways="  main: [kiosk, desk, pay]")
    st = outputs(plan).tables.stages
    assert st.stage.tolist() == ["kiosk", "desk", "pay"]
    assert st.phase.tolist() == [PHASE_PRE, PHASE_IN, PHASE_POST]
    assert np.isnan(st.staff_skill[[0, 2]]).all() and st.staff_skill[1] == 0.5
    plan = scenario(tmp_path, "09:00,walk\n", stations=textwrap.indent(
        textwrap.dedent(stations), "  "), pathways="  main: [kiosk, desk, pay]",
        satisfaction="satisfaction: {phases: {kiosk: in}}\n")
    assert outputs(plan).tables.stages.phase.tolist() == [PHASE_IN, PHASE_IN, PHASE_POST]


def test_abandonment_wait_runs_to_leaving(tmp_path):
    classes = "  walk: {pathway: main, patience: {dist: constant, value: 5}}"
    out = outputs(scenario(tmp_path, THREE_AT_NINE, classes=classes))
    st, cu = out.tables.stages, out.tables.customers
    assert st.wait_min.tolist() == [0.0, 5.0, 5.0]
    assert st.abandoned_here.tolist() == [False, True, True]
    assert cu.outcome.tolist() == [0, 2, 2]
    assert out.kpis["sat__n_served"] == 1
    assert out.prediction.reliability[1] == pytest.approx(-0.5)  # service not delivered


def test_balking_uses_the_anticipated_wait(tmp_path):
    classes = "  walk: {pathway: main, balk: {queue_at_least: 1}}"
    out = outputs(scenario(tmp_path, THREE_AT_NINE, classes=classes))
    st, cu = out.tables.stages, out.tables.customers
    assert cu.outcome.tolist() == [0, 0, 1]
    assert st.balked_here.tolist() == [False, False, True]
    assert math.isnan(st.wait_min[2])
    assert out.kpis["sat__n_all"] == 3 and out.kpis["sat__n_served"] == 2


def test_overtaking_by_a_priority_class(tmp_path):
    classes = "  walk: {share: 0.5, pathway: main}\n  vip: {share: 0.5, pathway: main, priority: 1}"
    trace = "09:00,walk\n09:01,walk\n09:02,vip\n"
    out = outputs(scenario(tmp_path, trace, classes=classes))
    st = out.tables.stages
    # the VIP joined last and was served second: the second walk-in was overtaken once
    assert st.overtaken.tolist() == [0, 1, 0]
    assert "sat__csat_mean__class__vip" in out.kpis


def test_failure_recovered_at_another_station(tmp_path):
    stations = """\
      desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10},
             failure: {probability: 1.0, recovery: {station: boss}, severity: 0.9,
                       actions: {apology: true, follow_up: true}}}
      boss: {counters: 1, staff: bosses, service: {dist: constant, value: 6}}
    """
    plan = scenario(tmp_path, "09:00,walk\n09:00,walk\n", stations=textwrap.indent(
        textwrap.dedent(stations), "  "), extra_staff="  bosses: {count: 1}")
    out = outputs(plan)
    st = out.tables.stages
    assert st.stage.tolist() == ["desk", "boss", "desk", "boss"]
    assert st.severity.tolist() == [0.9, 0.0, 0.9, 0.0]
    # from the end of the failed desk visit to the end of the recovery visit
    assert st.resolution_min[[0, 2]].tolist() == [6.0, 6.0]
    assert st.fix[[0, 2]].all() and st.apology[[0, 2]].all() and st.follow_up[[0, 2]].all()
    assert st.recovery_standard_min[0] != st.recovery_standard_min[0]  # NaN: section default


def test_recovery_standard_from_the_actions_or_the_section(tmp_path):
    stations = """\
      desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10},
             failure: {probability: 1.0, recovery: {station: boss},
                       actions: {resolution_standard_min: 4}}}
      boss: {counters: 1, staff: bosses, service: {dist: constant, value: 6}}
    """
    plan = scenario(tmp_path, "09:00,walk\n", stations=textwrap.indent(
        textwrap.dedent(stations), "  "), extra_staff="  bosses: {count: 1}")
    assert outputs(plan).tables.stages.recovery_standard_min[0] == 4.0
    sat = """\
    satisfaction:
      standards: [{id: fix_fast, applies_to: recovery, adequate_min: 30}]
    """
    plan = scenario(tmp_path, "09:00,walk\n", stations=textwrap.indent(
        textwrap.dedent(stations.replace("actions: {resolution_standard_min: 4}",
                                         "severity: 0.5")), "  "),
        extra_staff="  bosses: {count: 1}", satisfaction=sat)
    assert outputs(plan).tables.stages.recovery_standard_min[0] == 30.0


def test_redo_resolution_time_is_the_rework(tmp_path):
    """With constant service (10) and rework (4), the redo estimate is exact: 4 per failure."""
    stations = ("  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10}, "
                "failure: {probability: 0.5, rework: {dist: constant, value: 4}}}")
    trace = "\n".join(f"09:{m:02d},walk" for m in range(0, 40, 2))
    plan = scenario(tmp_path, trace, stations=stations, clerks=8)
    records = simulate(plan, 3, 0)
    out = replication_satisfaction(plan, records, 3, 0, keep=True)
    st = out.tables.stages
    n_fail = records.visits["n_failures"]
    assert (n_fail > 0).any() and (n_fail == 0).any()
    failed = st.severity > 0
    assert failed.tolist() == (n_fail > 0).tolist()
    assert st.resolution_min[failed].tolist() == pytest.approx((4.0 * n_fail[n_fail > 0]).tolist())
    assert st.fix[failed].all()
    assert np.isinf(st.resolution_min[~failed]).all()


def test_fix_false_and_compensation_reach_the_table(tmp_path):
    stations = ("  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10}, "
                "failure: {probability: 1.0, recovery: {station: boss}, severity: 0.5, "
                "actions: {fix: false, compensation_value: 0.25}}}\n"
                "  boss: {counters: 1, staff: bosses, service: {dist: constant, value: 6}}")
    plan = scenario(tmp_path, "09:00,walk\n", stations=stations,
                    extra_staff="  bosses: {count: 1}")
    st = outputs(plan).tables.stages
    assert not st.fix[0] and st.compensation_value[0] == 0.25 and st.attempted[0]


def test_unresolved_failure_when_the_customer_leaves_the_recovery_line(tmp_path):
    stations = ("  desk: {counters: 2, staff: clerks, service: {dist: constant, value: 10}, "
                "failure: {probability: 1.0, recovery: {station: boss}}}\n"
                "  boss: {counters: 1, staff: bosses, service: {dist: constant, value: 30}}")
    classes = "  walk: {pathway: main, patience: {dist: constant, value: 5}}"
    plan = scenario(tmp_path, "09:00,walk\n09:00,walk\n", stations=stations, classes=classes,
                    clerks=2, extra_staff="  bosses: {count: 1}")
    st = outputs(plan).tables.stages
    # customer 1 reaches the boss while customer 0 is still there and gives up after 5 min
    assert st.abandoned_here.tolist() == [False, False, False, True]
    assert np.isinf(st.resolution_min[2]) and not st.fix[2]
    assert st.fix[0] and st.resolution_min[0] == 30.0


def test_amenity_flags_and_kano_attribute(tmp_path):
    sat = """\
    satisfaction:
      amenities:
        tea: {when: waited_over, stage: desk, minutes: 12}
        leaflet: {when: served_at, stage: desk}
      kano_attributes:
        - {id: tea_when_waiting, class: attractive, dimension: empathy,
           performance: {source: stage_flag, flag: tea}}
    """
    out = outputs(scenario(tmp_path, THREE_AT_NINE, satisfaction=sat))
    flags = out.tables.customers.flags
    assert flags["tea"].tolist() == [0.0, 0.0, 1.0]
    assert flags["leaflet"].tolist() == [1.0, 1.0, 1.0]
    assert out.prediction.empathy[2] == pytest.approx(0.7)  # attractive B = 0.7 at x = 1
    assert out.prediction.empathy[0] == 0.0


def test_amenity_not_applicable_when_never_waiting_there(tmp_path):
    sat = "satisfaction: {amenities: {tea: {when: waited_over, stage: desk, minutes: 1}}}\n"
    classes = "  walk: {pathway: main, balk: {queue_at_least: 1}}"
    out = outputs(scenario(tmp_path, THREE_AT_NINE, classes=classes, satisfaction=sat))
    flag = out.tables.customers.flags["tea"]
    assert flag[:2].tolist() == [0.0, 1.0] and math.isnan(flag[2])


def test_waiting_environment_and_waiting_room(tmp_path):
    stations = ("  desk: {counters: 1, staff: clerks, waiting_room: 4, "
                "service: {dist: constant, value: 10}}")
    sat = "satisfaction: {waiting_environment: {desk: {occupied: true, informed: true}}}\n"
    st = outputs(scenario(tmp_path, THREE_AT_NINE, stations=stations,
                          satisfaction=sat)).tables.stages
    assert st.occupied.all() and st.informed.all()
    assert st.area_capacity.tolist() == [4.0] * 3


def test_model_off_gives_no_kpis(tmp_path):
    out = outputs(scenario(tmp_path, THREE_AT_NINE, satisfaction="satisfaction: {model: off}\n"))
    assert out.kpis == {}


def test_satisfaction_never_changes_the_simulation():
    """§3.19: KPIs other than sat__* are identical with the model on, off or configured."""
    base = load_scenario(HALL)
    data = base.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    variants = {
        "absent": base.scenario,
        "off": load_scenario_text(_with(data, {"model": "off"})).scenario,
        "configured": load_scenario_text(_with(data, {
            "aggregation": {"preset": "peak_end"},
            "waiting_environment": {"general_window": {"occupied": True, "informed": True}},
            "standards": [{"id": "w", "stage": "general_window", "adequate_min": 10}],
        })).scenario,
    }
    rows = {}
    for name, sc in variants.items():
        plan = compile_plan(sc, HALL.parent)
        rows[name] = run_replication(plan, ReplicationTask(0, 11), detail=False).kpis
    plain = {k: v for k, v in rows["absent"].items() if not k.startswith("sat__")}
    for name in ("off", "configured"):
        other = {k: v for k, v in rows[name].items() if not k.startswith("sat__")}
        assert other == pytest.approx(plain, nan_ok=True, rel=0, abs=0), name
    assert not any(k.startswith("sat__") for k in rows["off"])
    assert rows["absent"]["sat__csat_mean"] != rows["configured"]["sat__csat_mean"]


def _with(data: dict, section: dict) -> str:
    import json

    return json.dumps({**data, "satisfaction": section})


def test_hall_kpis_are_complete_and_bounded():
    plan = compile_plan(load_scenario(HALL).scenario, HALL.parent)
    k = run_replication(plan, ReplicationTask(0, 5), detail=False).kpis
    sat = {key: v for key, v in k.items() if key.startswith("sat__")}
    for d in ("reliability", "responsiveness", "assurance", "empathy", "tangibles"):
        assert -1 <= sat[f"sat__dim__{d}"] <= 1
        assert sat[f"sat__gain__{d}"] >= 0
    for c in ("resident", "business", "appointment"):
        assert 1 <= sat[f"sat__csat_mean__class__{c}"] <= 5
    for key in ("sat__csat_mean", "sat__csat_mean__all", "sat__sampled__csat_mean"):
        assert 1 <= sat[key] <= 5
    for key in ("sat__top2_share", "sat__complaint_rate", "sat__return_rate",
                "sat__sampled__complaint_rate", "sat__sampled__return_rate"):
        assert 0 <= sat[key] <= 1
    assert sat["sat__calibrated"] == 0.0
    assert sat["sat__n_all"] == k["arrived"] - k["inside"]
    assert sat["sat__n_served"] == k["served"]


def test_by_hour_rows_carry_hourly_satisfaction():
    plan = compile_plan(load_scenario(HALL).scenario, HALL.parent)
    res = run_replication(plan, ReplicationTask(0, 5))
    all_rows = [r for r in res.by_hour if r["station"] == "all"]
    station_rows = [r for r in res.by_hour if r["station"] != "all"]
    assert sum(r["sat__n_all"] for r in all_rows if not math.isnan(r["sat__n_all"])) == \
        res.kpis["sat__n_all"]
    assert all(math.isnan(r["sat__csat_mean"]) for r in station_rows)
    morning = next(r for r in all_rows if r["hour"] == 9)
    assert 1 <= morning["sat__csat_mean"] <= 5


@pytest.mark.parametrize(
    ("section", "path", "fragment"),
    [
        ("{standards: [{id: a, stage: nowhere, adequate_min: 5}]}",
         "satisfaction.standards.0.stage", "no station named 'nowhere'"),
        ("{standards: [{id: a, stage: desk, adequate_min: 5, desired_min: 6}]}",
         "satisfaction.standards.0.desired_min", "must be < adequate_min (got 6; expected < 5)"),
        ("{weights: {reliability: 0.5, responsiveness: 0.5, assurance: 0.5, empathy: 0, "
         "tangibles: 0}}", "satisfaction.weights", "must sum to 1"),
        ("{waiting_environment: {desk: {seated: true}}}",
         "satisfaction.waiting_environment.desk.seated", "unknown key 'seated'"),
        ("{amenities: {tea: {when: waited_over}}}", "satisfaction.amenities.tea",
         "needs minutes"),
        ("{amenities: {tea: {when: poured}}}", "satisfaction.amenities.tea.when", "poured"),
        ("{kano_attributes: [{id: t, class: attractive, dimension: empathy, "
         "performance: {source: stage_flag, flag: tea}}]}",
         "satisfaction.kano_attributes.0.performance.flag", "no amenity (under amenities:)"),
        ("{phases: {desk: middle}}", "satisfaction.phases.desk", "middle"),
        ("{classes: {vip: {expectation_scale: 0.7}}}", "satisfaction.classes.vip",
         "no customer class named 'vip'"),
    ],
)
def test_section_errors_name_file_line_and_field(tmp_path, section, path, fragment):
    """§3.17 through the loader: ``file:line: field.path: message``."""
    (tmp_path / "trace.csv").write_text("time,class\n09:00,walk\n")
    text = BASE.format(domain="generic", classes="  walk: {pathway: main}",
                       stations="  desk: {counters: 1, staff: clerks, "
                                "service: {dist: constant, value: 10}}",
                       clerks=1, level=3, extra_staff="", pathways="  main: [desk]",
                       satisfaction=f"satisfaction: {section}\n")
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "s.yaml")
    issues = [str(i) for i in err.value.issues]
    line = text.splitlines().index(f"satisfaction: {section}") + 1
    assert any(i.startswith(f"{tmp_path / 's.yaml'}:{line}: {path}: ") and fragment in i
               for i in issues), issues


def test_failure_actions_are_validated(tmp_path):
    stations = ("  desk: {counters: 1, staff: clerks, service: {dist: constant, value: 10}, "
                "failure: {probability: 0.1, actions: {compensation_value: -1}}}")
    with pytest.raises(ScenarioError) as err:
        scenario(tmp_path, "09:00,walk\n", stations=stations)
    assert "stations.desk.failure.actions.compensation_value" in str(err.value)


def test_commented_example_in_the_hall_is_valid():
    """The commented ``satisfaction:`` block of the bundled hall stays a valid section."""
    lines = HALL.read_text().splitlines()
    start = lines.index("# satisfaction:")
    block = [line[2:] for line in lines[start:] if line.startswith("# ")]
    text = "\n".join(lines[:start] + block) + "\n"
    sc = load_scenario_text(text).scenario
    assert sc.satisfaction is not None and "water" in sc.satisfaction.amenities
    assert describe(compile_plan(sc, HALL.parent))["stage_standards"][0]["id"] == "window_15"
