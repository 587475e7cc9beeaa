"""Training and errors: a staff group's ``failure_scale`` (and ``failure_scale_at``) scales the
failure probability of the services its people give (docs/scenario.md, "Training and errors").

The four kinds: exact timelines (the failure draw against the named streams), an invariant
(a scale of 1 changes nothing, whatever the seed), theory (a trained group's failure share is
its scaled probability within the replications' interval) and reproducibility (same seed,
same records; the failure streams are shared with unscaled variants).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.engine.model import simulate
from simulator.engine.rng import make_generator
from simulator.measures.conservation import check_conservation
from simulator.scenario.loader import ScenarioError, load_scenario_text
from simulator.scenario.plan import compile_plan
from tests.engine.timeline import run_text, visits

ONE_DESK = """
name: trained
clock: {{open: "09:00", close: "12:00"}}
customer_classes: {{c: {{pathway: p}}}}
arrivals: {{log: {{trace: trace.csv}}}}
stations:
  desk: {{counters: 1, staff: clerks, service: {{dist: constant, value: 10}},
         failure: {{probability: {p}, recovery: redo}}}}
staff:
  clerks: {{count: 1{group}}}
pathways: {{p: [desk]}}
"""


def _expected_failures(seed: int, p: float) -> int:
    """Failed services of the first customer's visit, from the named streams: the first
    draw on ``failure:desk``, then ``refail:desk`` and ``refail_more:desk``."""
    first = make_generator(seed, 0, "failure:desk").random()
    again = [make_generator(seed, 0, "refail:desk").random(),
             *make_generator(seed, 0, "refail_more:desk").random(64)]
    n = 0
    if first < p:
        n = 1
        while again[n - 1] < p:
            n += 1
    return n


@pytest.mark.parametrize("scale", [0.0, 0.5, 1.6])
def test_scaled_failure_draw_exact_timeline(tmp_path, scale):
    """The same uniforms decide, against probability × scale."""
    yaml = ONE_DESK.format(p=0.5, group=f", failure_scale: {scale}")
    seen = set()
    for seed in range(10):
        rec = run_text(tmp_path, yaml, "time\n0\n", seed=seed)
        n = _expected_failures(seed, 0.5 * scale)
        seen.add(n > 0)
        assert int(rec.visits["n_failures"][0]) == n
        assert float(rec.visits["end_min"][0]) == 540.0 + 10.0 * (1 + n)
        assert visits(rec)[0][-1] == ("RECOVERED" if n else "SERVED")
    if scale > 0:
        assert seen == {True, False}  # both branches were exercised
    else:
        assert seen == {False}


POOL = """
name: pool
clock: {open: "09:00", close: "11:00"}
customer_classes: {c: {pathway: p}}
arrivals: {log: {trace: trace.csv}}
stations:
  x: {counters: 1, staff: xs, service: {dist: constant, value: 5},
      failure: {probability: 0.5, recovery: {station: sup}}}
  y: {counters: 1, staff: ys, service: {dist: constant, value: 5},
      failure: {probability: 0.5, recovery: {station: sup}}}
  sup: {counters: 1, staffed: false, service: {dist: constant, value: 1}}
staff:
  xs: {count: 1, failure_scale: 2.0, failure_scale_at: {x: 2.0}}
  ys: {count: 1, failure_scale: 2.0, failure_scale_at: {y: 0.0}}
pathways: {p: [x, y]}
"""


def test_per_station_scale_overrides_the_group_scale(tmp_path):
    """At x the group's scale 2 makes p = 1 (every service fails, the supervisor recovers);
    at y the station's own scale 0 means no failure at all."""
    rec = run_text(tmp_path, POOL, "time\n0\n20\n")
    assert visits(rec) == [
        (0, "x", 540.0, 540.0, 545.0, "FAILED"),
        (0, "sup", 545.0, 545.0, 546.0, "RECOVERED"),
        (0, "y", 546.0, 546.0, 551.0, "SERVED"),
        (1, "x", 560.0, 560.0, 565.0, "FAILED"),
        (1, "sup", 565.0, 565.0, 566.0, "RECOVERED"),
        (1, "y", 566.0, 566.0, 571.0, "SERVED"),
    ]


def test_scale_above_one_probability_is_rejected():
    text = ONE_DESK.format(p=0.4, group=", failure_scale: 3").replace(
        "arrivals: {log: {trace: trace.csv}}", 'arrivals: {a: {rate_per_hour: {"09:00": 5}}}')
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text)
    msg = str(err.value)
    assert "staff.clerks.failure_scale" in msg and "to 1.2" in msg and "below 2.5" in msg
    exact = ONE_DESK.format(p=0.5, group=", failure_scale: 2").replace(
        "arrivals: {log: {trace: trace.csv}}", 'arrivals: {a: {rate_per_hour: {"09:00": 5}}}')
    with pytest.raises(ScenarioError, match="never ends"):
        load_scenario_text(exact)
    ok = exact.replace("recovery: redo", "recovery: {station: sup}").replace(
        "\nstaff:\n", "\n  sup: {counters: 1, staffed: false, service: {dist: constant, "
        "value: 1}}\nstaff:\n")
    load_scenario_text(ok)  # probability 1 is fine when a recovery station puts it right


def test_scale_at_unknown_station_is_rejected():
    text = ONE_DESK.format(p=0.4, group=", failure_scale_at: {window: 0.5}").replace(
        "arrivals: {log: {trace: trace.csv}}", 'arrivals: {a: {rate_per_hour: {"09:00": 5}}}')
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text)
    assert "staff.clerks.failure_scale_at.window" in str(err.value)
    assert "does not serve" in str(err.value)


# ------------------------------------------------------------------ many customers

MIXED = """
name: mixed
clock: {{open: "08:00", close: "16:00"}}
customer_classes: {{c: {{pathway: p}}}}
arrivals: {{walk_in: {{rate_per_hour: {{"08:00": 40}}}}}}
stations:
  desk: {{counters: 4, service: {{dist: exponential, mean: 4}},
         failure: {{probability: 0.2, recovery: redo}}}}
staff:
  trained: {{serves: [desk], count: 2, failure_scale: {trained}}}
  trainees: {{serves: [desk], count: 2, failure_scale: {trainees}}}
pathways: {{p: [desk]}}
"""


def _plan(trained: float, trainees: float):
    loaded = load_scenario_text(MIXED.format(trained=trained, trainees=trainees))
    return compile_plan(loaded.scenario)


def _first_try_failures(rec) -> dict[str, tuple[int, int]]:
    """(first services, failed first services) by the staff group of the server."""
    v = rec.visits
    served = v["staff_id"] >= 0
    out: dict[str, tuple[int, int]] = {}
    for g, name in enumerate(rec.group_names):
        slots = [s for s, grp in rec.slot_group.items() if grp == g]
        m = served & np.isin(v["staff_id"], slots)
        out[name] = (int(m.sum()), int((v["n_failures"][m] > 0).sum()))
    return out


def test_trained_groups_failure_share_is_the_scaled_probability():
    """Over 12 replications, each group's share of failed first services lies within 3
    standard errors (of the replication shares) of 0.2 × its scale."""
    plan = _plan(0.25, 1.5)
    shares: dict[str, list[float]] = {"trained": [], "trainees": []}
    for rep in range(12):
        for name, (n, f) in _first_try_failures(simulate(plan, 5, rep)).items():
            shares[name].append(f / n)
    for name, want in (("trained", 0.05), ("trainees", 0.3)):
        x = np.asarray(shares[name])
        se = x.std(ddof=1) / math.sqrt(x.size)
        assert abs(x.mean() - want) <= 3 * se, (name, x.mean(), se)
    assert np.mean(shares["trained"]) < np.mean(shares["trainees"])


def test_scale_one_changes_nothing_and_runs_repeat():
    """failure_scale 1 is the default (identical records); the same seed repeats exactly."""
    base, ones = _plan(1.0, 1.0), _plan(1, 1)
    assert all(sp.failure_by_group == () for sp in ones.stations)
    plain = load_scenario_text(MIXED.format(trained=1, trainees=1).replace(
        ", failure_scale: 1", ""))
    a = simulate(base, 3, 0)
    b = simulate(compile_plan(plain.scenario), 3, 0)
    for k in a.visits:
        np.testing.assert_array_equal(a.visits[k], b.visits[k])
    scaled = _plan(0.5, 1.2)
    c, d = simulate(scaled, 3, 0), simulate(scaled, 3, 0)
    check_conservation(c)  # customers in = served + balked + abandoned + inside
    for k in c.visits:
        np.testing.assert_array_equal(c.visits[k], d.visits[k])
    # common random numbers: arrivals are the same with and without the scale
    np.testing.assert_array_equal(a.customers["arrival_min"][:50],
                                  c.customers["arrival_min"][:50])


def test_assurance_input_is_the_training_level_not_the_failure_scale():
    """The satisfaction model's staff skill is (training_level − 1)/4 of the server's group,
    whatever its failure_scale (assurance and empathy keep using training level)."""
    from simulator.satisfaction.replication import replication_satisfaction

    text = MIXED.format(trained=0.25, trainees=1.5).replace(
        "count: 2, failure_scale: 0.25", "count: 2, failure_scale: 0.25, training_level: 5"
    ).replace("count: 2, failure_scale: 1.5", "count: 2, failure_scale: 1.5, training_level: 1")
    plan = compile_plan(load_scenario_text(text).scenario)
    rec = simulate(plan, 2, 0)
    out = replication_satisfaction(plan, rec, keep=True)
    skill = out.tables.stages.staff_skill
    v = rec.visits
    served = v["staff_id"] >= 0
    group = np.array([rec.slot_group[int(s)] for s in v["staff_id"][served]])
    want = np.where(group == 0, 1.0, 0.0)  # trained: level 5 -> 1.0; trainees: level 1 -> 0.0
    assert skill.size == served.sum()
    np.testing.assert_array_equal(np.sort(skill), np.sort(want))
    assert set(np.unique(skill).tolist()) == {0.0, 1.0}
