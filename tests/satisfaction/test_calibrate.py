"""Calibration (satisfaction.md §2.13, §3.21, §3.22): round trips from known parameters,
held-out answers against the two baselines, tiers, the survey file and the profile file."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator import run_scenario
from simulator.cli.calibrate import calibrate as calibrate_command
from simulator.engine.model import simulate
from simulator.figures.satisfaction import dimension_figure
from simulator.satisfaction import (
    CustomerTable,
    ModelParameters,
    StageTable,
    predict,
    sample_responses,
)
from simulator.satisfaction.calibrate import CalibrationError, calibrate, exponential_patience
from simulator.satisfaction.compiled import satisfaction_model
from simulator.satisfaction.fit_space import ordered_logit_nll
from simulator.satisfaction.replication import replication_satisfaction, survey_frame
from simulator.satisfaction.survey import Survey, SurveyError, survey_from_frame
from simulator.scenario.loader import load_scenario, load_scenario_text
from simulator.scenario.plan import compile_plan
from simulator.scenario.profile import Profile, dump_profile, read_profile
from tests.helpers import ROOT

HALL = ROOT / "scenarios" / "government_hall.yaml"
EXAMPLE = ROOT / "scenarios" / "examples" / "government_hall_survey.csv"
TRUE = ModelParameters(lam=1.6, beta=4.0)


def synthetic(n: int, seed: int, params: ModelParameters, *, perceived: bool = False,
              promise: bool = False) -> Survey:
    """Answers drawn from ``params`` for n two-stage visits with waits spread over 0-3 A,
    varied staff skill and some failures (a design that identifies λ and β)."""
    rng = np.random.default_rng(seed)
    cust = np.repeat(np.arange(n), 2)
    a = np.tile([15.0, 5.0], n)
    wait = rng.uniform(0.0, 3.0, 2 * n) * a
    sev = np.where((np.arange(2 * n) % 2 == 1) & (rng.random(2 * n) < 0.1), 0.5, 0.0)
    fix = (rng.random(2 * n) < 0.5) & (sev > 0)
    st = StageTable.build(
        cust, wait, adequate_min=a, promise=promise, stage=np.tile(["desk", "pay"], n),
        severity=sev, fix=fix, resolution_min=np.where(fix, 5.0, np.inf),
        staff_skill=rng.integers(0, 5, 2 * n) / 4.0)
    cu = CustomerTable.build(np.zeros(n, dtype=np.int8))
    pred = predict(st, cu, params)
    csat = sample_responses(pred, rng).csat.astype(np.int64)
    p_min = np.full(2 * n, np.nan)
    if perceived:
        p_min = pred.perceived_wait_min * np.exp(rng.normal(0.0, 0.1, 2 * n))
    nan = np.full(n, np.nan)
    return Survey(st, cu, csat, nan, nan, np.full((n, 5), np.nan), p_min,
                  np.full(2 * n, np.nan), np.full(2 * n, np.nan),
                  np.bincount(cust, weights=wait, minlength=n))


# ------------------------------------------------------------------------------ §3.21
def test_21_round_trip_recovers_lambda_and_beta():
    """Answers drawn with λ = 1.6, β = 4.0 (defaults 1.0, 4.86) are fitted back: over ten
    independent samples of 1,000 answers the estimates centre on the truth (one sample's λ̂
    has a sampling sd of about 0.4), and the fit never raises the training loss."""
    lam, beta = [], []
    for seed in range(10, 20):
        cal = calibrate(synthetic(1000, seed, TRUE), folds=0, tier=2)
        lam.append(cal.params.lam)
        beta.append(cal.params.beta)
        tr = cal.fit["training"]
        assert tr["nll_fitted"] <= tr["nll_defaults"]
        assert cal.provenance["lam"] == "fitted" and cal.provenance["beta"] == "fitted"
        assert cal.provenance["promise_pen"] == "default"  # no published standard in the data
    assert 1.25 < np.mean(lam) < 1.95
    assert sum(v > 1.0 for v in lam) >= 7  # moved away from the default towards the truth
    assert abs(np.mean(beta) - 4.0) < 0.35
    assert np.std(beta) < 0.5


def test_21_fitted_profile_beats_both_baselines_on_held_out_answers():
    train, test = synthetic(600, 1, TRUE), synthetic(600, 2, TRUE)
    cal = calibrate(train, folds=5)
    y = test.csat.astype(float)
    fitted = predict(test.stages, test.customers, cal.params).expected_csat
    const = np.full(test.n, train.csat.mean())
    slope, icpt = np.polyfit(train.total_wait_min, train.csat.astype(float), 1)
    linear = icpt + slope * test.total_wait_min

    def rmse(x):
        return float(np.sqrt(np.mean((y - x) ** 2)))

    assert rmse(fitted) < rmse(linear) < rmse(const)
    cv = cal.fit["cross_validation"]
    assert cv["beats_baselines"] and not cal.fit["fell_back_to_tier_1"]
    assert cv["model"]["rmse"] < cv["baseline_linear_total_wait"]["rmse"]
    assert len(cv["top2_calibration_by_decile"]) == 10


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_21_fitting_never_raises_the_training_loss(seed):
    """Even on answers drawn from the defaults themselves (nothing to gain), at each tier."""
    survey = synthetic(320, seed, ModelParameters())
    for tier in (1, 2):
        cal = calibrate(survey, folds=0, tier=tier)
        fitted = ordered_logit_nll(survey.csat, predict(survey.stages, survey.customers,
                                                        cal.params).q,
                                   cal.params.beta, cal.params.cutpoints)
        default = ordered_logit_nll(survey.csat, predict(survey.stages, survey.customers).q,
                                    4.86, (-4.94, -3.75, -1.39, 1.21))
        assert fitted <= default + 1e-9
        assert cal.fit["training"]["nll_fitted"] == pytest.approx(fitted, abs=1e-5)


def test_perception_step_recovers_m0_and_b():
    truth = ModelParameters(m0=1.2, b=0.8)
    cal = calibrate(synthetic(150, 3, truth, perceived=True), folds=0)
    assert cal.params.m0 == pytest.approx(1.2, abs=0.05)
    assert cal.params.b == pytest.approx(0.8, abs=0.05)
    assert cal.provenance["m0"] == cal.provenance["b"] == "fitted"


def test_tiers_by_sample_size():
    small = calibrate(synthetic(150, 4, TRUE), folds=0)
    assert small.tier == 1
    fitted = {k for k, v in small.provenance.items() if v == "fitted"}
    assert fitted == {"beta", "cutpoints"}
    assert small.params.calibrated and small.params.label == "calibrated profile"
    assert calibrate(synthetic(400, 4, TRUE), folds=0).tier == 2
    with pytest.raises(CalibrationError, match="at least 100"):
        calibrate(synthetic(60, 4, TRUE), folds=0)


def test_scenario_overrides_are_not_fitted():
    from simulator.satisfaction import SatisfactionConfig

    cfg = SatisfactionConfig.model_validate({"aggregation": {"preset": "mean"}})
    cal = calibrate(synthetic(1000, 5, TRUE), cfg, folds=0, tier=3)
    assert cal.provenance["omega"] == "set by scenario"
    assert cal.provenance["phase_weights"] == "fitted"


def test_subset_with_repeated_respondents_copies_their_stages():
    """A bootstrap resample draws respondents with replacement: each copy is a respondent of
    its own with the original's stage rows (the old subset kept one copy and crashed)."""
    s = synthetic(5, 1, TRUE)
    sub = s.subset(np.array([3, 3, 0, 4, 3]))
    assert sub.n == 5
    assert sub.stages.customer.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    orig = s.stages
    for new, old in enumerate([3, 3, 0, 4, 3]):
        np.testing.assert_array_equal(sub.stages.wait_min[sub.stages.customer == new],
                                      orig.wait_min[orig.customer == old])
    np.testing.assert_array_equal(sub.csat, s.csat[[3, 3, 0, 4, 3]])
    same = s.subset(np.arange(5))  # no resampling: the same survey
    np.testing.assert_array_equal(same.stages.wait_min, orig.wait_min)


def test_bootstrap_gives_intervals_for_the_fitted_parameters():
    fit = calibrate(synthetic(300, 4, TRUE), bootstrap=3, folds=0, seed=2)
    boot = fit.fit["bootstrap"]
    assert boot and all(v["n"] == 3 and v["low"] <= v["high"] for v in boot.values())


# ------------------------------------------------------------------------------ §3.22
def test_22_patience_mle_on_erlang_a_data():
    """Erlang-A (M/M/3+M) days simulated by servsim: the censored MLE recovers θ = 0.1/min
    within three standard errors, and hourly P(abandon) ≈ θ̂·E[W] (slope through the origin
    within 15 %)."""
    text = """
name: Erlang A
clock: {open: "08:00", close: "20:00"}
customer_classes:
  c: {pathway: p, patience: {dist: exponential, mean: 10}}
arrivals:
  a: {rate_per_hour: {"08:00": 30, "10:00": 48, "12:00": 40, "14:00": 52, "17:00": 30}}
stations:
  s: {counters: 3, staff: st, service: {dist: exponential, mean: 4}}
staff:
  st: {count: 3}
pathways:
  p: [s]
"""
    plan = compile_plan(load_scenario_text(text).scenario)
    waits, aband, hours = [], [], []
    for rep in range(6):
        r = simulate(plan, 4, rep)
        v = r.visits
        dep = dict(zip(r.customers["customer_id"].tolist(), r.customers["departure_min"],
                       strict=True))
        ab = v["outcome"] == 3
        w = np.where(ab, [dep[c] for c in v["customer_id"].tolist()], v["start_min"]) \
            - v["join_min"]
        waits.append(w)
        aband.append(ab)
        hours.append(np.floor(v["join_min"] / 60) + 100 * rep)
    w, ab, h = np.concatenate(waits), np.concatenate(aband), np.concatenate(hours)
    theta, se = exponential_patience(w, ab)
    assert abs(theta - 0.1) < 3 * se
    keys = np.unique(h)
    p_ab = np.array([ab[h == k].mean() for k in keys])
    mean_w = np.array([w[h == k].mean() for k in keys])
    slope = float(np.sum(p_ab * mean_w) / np.sum(mean_w ** 2))
    assert slope == pytest.approx(theta, rel=0.15)
    assert ab.mean() == pytest.approx(theta * w.mean())  # the identity over all customers


# ------------------------------------------------------------------------------ survey files
@pytest.fixture(scope="module")
def hall_context():
    plan = compile_plan(load_scenario(HALL).scenario, HALL.parent)
    return plan, satisfaction_model(plan)


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_survey_written_from_records_reproduces_the_bridge(hall_context):
    plan, model = hall_context
    records = simulate(plan, 9, 0)
    frame = survey_frame(plan, records, np.random.default_rng(0), perceived_sd=None)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    survey = survey_from_frame(_frame(buf.getvalue()), model)
    out = replication_satisfaction(plan, records, keep=True)
    surveyed = out.prediction.outcome != 1  # balking customers are not surveyed
    again = predict(survey.stages, survey.customers, model.params, model.config)
    assert again.expected_csat == pytest.approx(out.prediction.expected_csat[surveyed],
                                                abs=1e-3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("csat,wait_min__general_windw\n4,3\n",
         "<t>:1: wait_min__general_windw: no station named 'general_windw'; did you mean "
         "'general_window'?"),
        ("csat,wait_min__general_window,colour\n4,3,red\n", "<t>:1: colour: unknown column"),
        ("csat,wait_min__general_window\n4,3\n6,2\n",
         "<t>:3: csat: must be an integer >= 1 and <= 5 (got '6')"),
        ("csat,wait_min__general_window\n4,ten\n",
         "<t>:2: wait_min__general_window: must be a number >= 0 (got 'ten')"),
        ("csat,wait_min__general_window,class\n4,3,tourist\n",
         "<t>:2: class: no customer class named 'tourist'"),
        ("csat,wait_min__general_window,outcome\n4,3,balked\n",
         "<t>:2: outcome: must be served or abandoned (got 'balked')"),
        ("csat,wait_min__general_window,wait_min__cashier\n4,,\n",
         "<t>:2: wait_min__<stage>: every respondent needs the wait of at least one stage"),
        ("wait_min__general_window\n3\n", "<t>:1: csat: required column is missing"),
        ("csat,skill__cashier,wait_min__general_window\n4,3,1\n",
         "<t>:1: skill__cashier: stage 'cashier' has no wait_min__cashier column"),
    ],
)
def test_survey_errors_name_line_and_column(hall_context, text, message):
    with pytest.raises(SurveyError) as err:
        survey_from_frame(_frame(text), hall_context[1], source="<t>")
    assert str(err.value).startswith(message), str(err.value)


def test_survey_defaults_and_phases(hall_context):
    text = ("csat,outcome,wait_min__ticket_kiosk,wait_min__general_window,failure__general_window,"
            "wait_min__cashier\n"
            "4,served,0,20,0.5,1\n3,abandoned,0,30,,\n")
    s = survey_from_frame(_frame(text), hall_context[1])
    st = s.stages
    assert st.customer.tolist() == [0, 0, 0, 1, 1]
    assert st.phase.tolist() == [0, 1, 2, 0, 1]  # an abandoning customer's last stage is "in"
    assert st.abandoned_here.tolist() == [False, False, False, False, True]
    assert st.staff_skill[1] == 0.5 and np.isnan(st.staff_skill[0])  # group level, kiosk
    assert st.servers_on_arrival[1] == 8  # the station's counters when not answered
    assert st.severity.tolist() == [0.0, 0.5, 0.0, 0.0, 0.0]
    assert st.fix[1] and st.resolution_min[1] == 10.0  # fixed on time by default
    assert st.adequate_min[1] == 15.0 and st.promise[1]
    assert s.total_wait_min.tolist() == [21.0, 30.0]


# ------------------------------------------------------------------------------ profiles
@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """``servsim calibrate`` on the bundled example survey (600 answers, 2 folds, 2 bootstrap
    resamples)."""
    out = tmp_path_factory.mktemp("profile") / "hall_2026.yaml"
    result = CliRunner().invoke(calibrate_command, [
        str(EXAMPLE), "--scenario", str(HALL), "-o", str(out), "--folds", "2",
        "--bootstrap", "2"])
    return out, result


def test_calibrate_command_writes_a_profile_with_provenance(calibrated):
    out, result = calibrated
    assert result.exit_code == 0, result.output + repr(result.exception)
    prof = read_profile(out)
    assert prof.name == "hall_2026" and prof.parameters.calibrated
    assert prof.label == "calibrated profile hall_2026"
    assert prof.tier == 2
    assert prof.data["n"] == 600
    import hashlib

    assert prof.data["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert prof.provenance["beta"] == "fitted" and prof.provenance["k_a"] == "default"
    assert set(prof.provenance) == set(ModelParameters.model_fields) - {"calibrated"}
    cv = prof.fit["cross_validation"]
    assert cv["beats_baselines"]
    boot = prof.fit["bootstrap"]  # --bootstrap 2 resamples respondents with replacement
    assert boot["beta"]["n"] == 2 and boot["beta"]["low"] <= boot["beta"]["high"]
    assert "beats both baselines: yes" in result.output
    again = CliRunner().invoke(calibrate_command, [
        str(EXAMPLE), "--scenario", str(HALL), "-o", str(out)])
    assert again.exit_code != 0 and "--force" in again.output


def test_scenario_with_a_profile_is_labelled_calibrated(calibrated, tmp_path):
    out, _ = calibrated
    shutil.copy(out, tmp_path / "hall_2026.yaml")
    text = HALL.read_text() + "\nsatisfaction: {profile: hall_2026.yaml}\n"
    (tmp_path / "hall.yaml").write_text(text)
    run = run_scenario(load_scenario(tmp_path / "hall.yaml"), tmp_path / "run", replications=2,
                       seed=3, records="none", figures=False)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["satisfaction"]["label"] == "calibrated profile hall_2026"
    assert manifest["satisfaction"]["profile_sha256"] == read_profile(out).sha256
    summary = run.summary.set_index("kpi")
    assert summary.loc["sat__calibrated", "mean"] == 1.0
    assert summary.loc["sat__csat_mean", "note"] == "calibrated profile hall_2026"
    resolved = (tmp_path / "run" / "scenario.resolved.yaml").read_text()
    assert "profile_inline" in resolved  # the parameters used travel with the results
    fig = dimension_figure(run.summary, manifest["satisfaction"]["label"])
    assert "calibrated profile hall_2026" in fig._suptitle.get_text()


def test_uncalibrated_label_everywhere(tmp_path):
    run = run_scenario(load_scenario(HALL), tmp_path / "run", replications=2, seed=3,
                       records="none", figures=False)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["satisfaction"]["label"] == "uncalibrated defaults"
    summary = pd.read_csv(tmp_path / "run" / "summary.csv").set_index("kpi")
    assert (summary.loc[summary.index.str.startswith("sat__"), "note"]
            == "uncalibrated defaults").all()
    assert summary.loc["wait_mean_min", "note"] != "uncalibrated defaults"
    assert "uncalibrated defaults" in dimension_figure(run.summary, "uncalibrated defaults") \
        ._suptitle.get_text()


def test_missing_or_bad_profile_is_a_clear_error(tmp_path):
    (tmp_path / "hall.yaml").write_text(HALL.read_text() + "\nsatisfaction: {profile: nope.yaml}\n")
    with pytest.raises(ValueError, match=r"satisfaction.profile: .*nope.yaml: cannot read"):
        run_scenario(load_scenario(tmp_path / "hall.yaml"), tmp_path / "run", replications=1,
                     records="none", figures=False)
    bad = dump_profile(Profile("x", ModelParameters(calibrated=True))).replace(
        "beta: 4.86", "beta: -1")
    (tmp_path / "x.yaml").write_text(bad)
    with pytest.raises(ValueError, match=r"x.yaml: parameters.beta: Input should be greater"):
        read_profile(tmp_path / "x.yaml")
