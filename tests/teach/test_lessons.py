"""The classroom lessons (simulator.teach.lessons): theory-consistent numbers, right directions.

Theory checks allow 3 standard errors of the across-replication mean plus a small allowance
for the initial transient left after the warm-up (as tests/test_queueing_theory.py); the
comparisons use the lessons' own common random numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator import theory
from simulator.teach import lessons


def _within(mean: float, se: float, expected: float, slack: float) -> bool:
    return abs(mean - expected) <= 3 * se + slack


def test_lesson1_points_on_the_erlang_c_curve_and_more_clerks_wait_less():
    r = lessons.hockey_stick(2, 18.0, 5.0, replications=8, customers_per_run=2000)
    pts = r.tables["points"]
    assert list(pts["utilisation"]) == sorted(pts["utilisation"])
    for row in pts.itertuples():
        assert row.n == 8
        assert row.ci_low <= row.mean <= row.ci_high
        assert _within(row.mean, row.se, row.wait_theory_min, 0.05 * row.wait_theory_min), (
            f"utilisation {row.utilisation}: simulated {row.mean:.3f} ± {row.se:.3f} vs "
            f"Erlang C {row.wait_theory_min:.3f}")
    # the theory curve is Erlang C itself, rising (the hockey stick)
    curve = r.tables["curve"]
    assert np.all(np.diff(curve["wait_theory_min"]) >= 0)
    th = theory.mmc(18.0 / 60.0, 5.0, 2)
    assert r.headline["utilisation"] == pytest.approx(0.75)
    assert r.headline["wait_theory_min"] == pytest.approx(th.mean_wait_min)
    assert r.headline["p_wait_theory"] == pytest.approx(th.p_wait)
    more = lessons.hockey_stick(3, 18.0, 5.0, replications=8, customers_per_run=2000)
    assert more.headline["wait_sim_min"] < r.headline["wait_sim_min"]
    assert more.headline["utilisation"] == pytest.approx(0.5)


def test_lesson1_overload_has_no_theory_but_still_simulates():
    r = lessons.hockey_stick(1, 15.0, 5.0, replications=2, customers_per_run=300)
    assert r.headline["utilisation"] == pytest.approx(1.25)
    assert math.isnan(r.headline["wait_theory_min"])
    assert r.headline["wait_sim_min"] > 0
    assert any("no steady state" in n for n in r.notes)


def test_lesson2_shared_line_beats_separate_lines():
    r = lessons.pooling(4, 42.0, 5.0, replications=20)
    h = r.headline
    assert h["wait_shared_min"] < h["wait_separate_min"]
    assert h["difference_ci_low"] > 0, "separate - shared should be significantly positive"
    assert h["sd_shared_min"] < h["sd_separate_min"]
    # random line choice (M/M/1 per teller) is far worse than either, Erlang C the reference
    assert h["random_line_wait_min"] == pytest.approx(theory.mm1(42 / 60 / 4, 5.0).mean_wait_min)
    assert h["random_line_wait_min"] > h["wait_separate_min"]
    s = r.tables["summary"].set_index("layout")
    assert s.loc["one shared line", "mean"] == pytest.approx(h["wait_shared_min"])
    w = r.tables["waits"]
    assert set(w["layout"]) == {"one shared line", "a line per teller", lessons.JOCKEY_LAYOUT}
    # the same customers in both layouts: as many served waits on each side
    counts = w.groupby("layout").size()
    assert counts["one shared line"] == counts["a line per teller"]
    assert [a.per_counter for a in r.animations] == [(False,), (True,), (True,)]


def test_lesson2_switching_lines_lies_between_separate_and_shared():
    """Jockeying when a line is two shorter never leaves a teller idle while someone waits:
    its mean wait is back near the shared line's, well below separate lines'."""
    r = lessons.pooling(4, 42.0, 5.0, replications=20)
    h = r.headline
    assert h["moves_per_morning"] > 0
    assert h["wait_jockey_min"] < h["wait_separate_min"]
    assert h["jockey_difference_ci_low"] <= 0.05 * h["wait_shared_min"]
    assert h["jockey_difference_ci_high"] >= -0.05 * h["wait_shared_min"]
    s = r.tables["summary"].set_index("layout")
    assert s.loc[lessons.JOCKEY_LAYOUT, "mean"] == pytest.approx(h["wait_jockey_min"])


def test_lesson3_wait_rises_with_service_cv_and_matches_pollaczek_khinchine():
    r = lessons.variability(1, 0.7, 5.0, replications=10, customers_per_run=2000)
    w = r.tables["waits"]
    assert list(w["cv"]) == list(lessons.CVS)
    assert np.all(np.diff(w["mean"]) > 0), f"mean waits by cv: {list(w['mean'])}"
    for row in w.itertuples():
        pk = theory.mg1(0.7 / 5.0, 5.0, row.cv).mean_wait_min
        assert row.wait_theory_min == pytest.approx(pk)
        assert _within(row.mean, row.se, pk, 0.05 * pk), (
            f"cv {row.cv}: simulated {row.mean:.3f} ± {row.se:.3f} vs P-K {pk:.3f}")
    assert r.headline["ratio_cv2_to_cv0"] > 2
    several = lessons.variability(2, 0.7, 5.0, replications=2, customers_per_run=300)
    assert set(several.tables["waits"]["theory"]) == {"Allen-Cunneen"}


def test_allen_cunneen_is_erlang_c_for_exponential_service():
    assert lessons.allen_cunneen_wait_min(0.5, 5.0, 3, 1.0) == pytest.approx(
        theory.mmc(0.5, 5.0, 3).mean_wait_min)
    assert lessons.allen_cunneen_wait_min(0.16, 5.0, 1, 0.5) == pytest.approx(
        theory.mg1(0.16, 5.0, 0.5).mean_wait_min)


def test_lesson4_the_queue_builds_at_lunch_and_lingers_after_it():
    dip = lessons.lunch_dip(6, 3, 60.0, 50.0, replications=12)
    h = dip.headline
    assert h["lunch_end_min"] == 13 * 60
    assert h["queue_peak"] > 3 * h["queue_before_lunch"]
    assert 12 * 60 < h["peak_at_min"] <= 13 * 60 + 30
    assert h["lingers_min"] > 30, "the line should still be long half an hour after lunch"
    assert h["wait_lunch_min"] > h["wait_morning_min"]
    assert h["wait_afternoon_min"] > h["wait_morning_min"]
    q = dip.tables["queue"]
    at_lunch = q[(q["time_min"] > 12 * 60 + 5) & (q["time_min"] < 13 * 60)]
    assert (at_lunch["on_duty"] == 3).all()
    assert (q["queue_p10"] <= q["queue_p90"]).all()
    # no dip: nobody leaves for lunch, the same customers wait far less at lunch
    flat = lessons.lunch_dip(6, 6, 60.0, 50.0, replications=12)
    assert flat.headline["queue_peak"] < h["queue_peak"]
    assert flat.headline["wait_lunch_min"] < h["wait_lunch_min"]


def test_lesson4_rejects_more_lunch_clerks_than_clerks():
    with pytest.raises(ValueError, match=r"clerks_at_lunch .*got 5; expected 0..4"):
        lessons.lunch_dip(4, 5, 60.0, 40.0, replications=1)


def test_lesson5_abandonment_falls_with_staff_and_matches_erlang_a():
    r = lessons.impatience(3, 40.0, 8.0, 5.0, replications=8, customers_per_run=2000)
    pts = r.tables["points"]
    assert list(pts["agents"]) == [1, 2, 3, 4, 5]
    assert np.all(np.diff(pts["mean"]) < 0), f"abandonment by agents: {list(pts['mean'])}"
    for row in pts.itertuples():
        th = theory.erlang_a(40 / 60, 5.0, row.agents, 8.0).p_abandon
        assert row.abandon_theory == pytest.approx(th)
        assert _within(row.mean, row.se, th, 0.005), (
            f"{row.agents} agents: simulated {row.mean:.4f} ± {row.se:.4f} vs Erlang A {th:.4f}")
    assert np.all(np.diff(r.tables["curve"]["abandon_theory"]) < 0)
    assert r.headline["abandon_theory"] == pytest.approx(
        theory.erlang_a(40 / 60, 5.0, 3, 8.0).p_abandon)


def test_lesson6_waits_beyond_the_standard_cost_satisfaction():
    r = lessons.satisfaction(4, 8.0, 42.0, replications=10)
    h = r.headline
    assert 0 < h["share_beyond_standard"] < 1
    assert h["csat_beyond"] < h["csat_within"]
    assert h["complaint_beyond"] > h["complaint_within"]
    by = r.tables["by_wait"]
    assert by["customers"].sum() > 0
    # CSAT falls as the wait grows past the standard
    beyond = by[by["beyond_standard"]]
    assert beyond["csat_mean"].iloc[-1] < by["csat_mean"].iloc[0]
    # a stricter standard: identical waits (same customers), judged more harshly
    strict = lessons.satisfaction(4, 4.0, 42.0, replications=10)
    assert strict.headline["wait_mean_min"] == h["wait_mean_min"]
    assert strict.headline["csat_mean"] < h["csat_mean"]
    assert strict.headline["share_beyond_standard"] > h["share_beyond_standard"]
    # one more teller: shorter waits, happier customers
    more = lessons.satisfaction(5, 8.0, 42.0, replications=10)
    assert more.headline["wait_mean_min"] < h["wait_mean_min"]
    assert more.headline["csat_mean"] > h["csat_mean"]


def test_lessons_are_reproducible():
    a = lessons.pooling(3, 30.0, 5.0, replications=3)
    b = lessons.pooling(3, 30.0, 5.0, replications=3)
    assert a.headline == b.headline
    for key in a.tables:
        assert a.tables[key].equals(b.tables[key])
    other = lessons.pooling(3, 30.0, 5.0, replications=3, seed=lessons.SEED + 1)
    assert other.headline != a.headline


def test_every_lesson_has_a_title_and_a_function():
    assert len(lessons.LESSONS) == 6
    for key in lessons.LESSONS:
        assert callable(getattr(lessons, key))
