"""The six classroom lessons of ``servsim teach``: scenario from sliders, run, chart data.

Each lesson is a pure function of its slider values (and a seed): it builds a small scenario,
runs a few replications through the public API (:func:`simulator.compile_plan`,
:func:`simulator.simulate`, :mod:`simulator.measures.kpis`, :mod:`simulator.measures.stats`,
:mod:`simulator.theory`, :mod:`simulator.satisfaction.replication`) and returns a
:class:`LessonResult`: headline numbers, chart tables and the records of one replication to
animate. The Streamlit app (:mod:`simulator.teach.app`) only draws what comes back.

Lessons
-------
1. :func:`hockey_stick` -- utilisation vs waiting: simulated points with 95 % intervals on
   the Erlang C curve.
2. :func:`pooling` -- one shared line vs a line per counter (customers staying in their
   line, or switching to a shorter one), same staff and customers.
3. :func:`variability` -- the same load with service cv 0, 0.5, 1 and 2.
4. :func:`lunch_dip` -- a lunch-time staffing dip and the queue that lingers after it.
5. :func:`impatience` -- abandonment vs staffing, against Erlang A.
6. :func:`satisfaction` -- waits beyond the service standard drive CSAT and complaints.

Every lesson uses common random numbers: the variants it compares share the seed, so
arrival and service streams are identical and only the compared setting differs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator import theory
from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome, Records
from simulator.measures import stats
from simulator.measures.conservation import check_conservation
from simulator.measures.costs import cost_rates
from simulator.measures.kpis import replication_kpis
from simulator.measures.levels import level_grid
from simulator.satisfaction.replication import replication_satisfaction
from simulator.scenario.fields import min_to_clock
from simulator.scenario.plan import Plan, compile_plan
from simulator.scenario.schema import Scenario
from simulator.teach.animation import Animated

__all__ = [
    "CVS",
    "JOCKEY_LAYOUT",
    "LESSONS",
    "SEED",
    "LessonResult",
    "allen_cunneen_wait_min",
    "hockey_stick",
    "impatience",
    "lunch_dip",
    "pooling",
    "satisfaction",
    "variability",
]

#: Seed of every lesson (any fixed seed reproduces the numbers shown in class).
SEED = 20260407

#: Service-time coefficients of variation compared in lesson 3.
CVS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)

#: Lesson keys and titles, in teaching order.
LESSONS: dict[str, str] = {
    "hockey_stick": "1. Utilisation vs waiting (the hockey stick)",
    "pooling": "2. One shared line vs separate lines",
    "variability": "3. Variability: same load, different service cv",
    "lunch_dip": "4. A lunch-time staffing dip",
    "impatience": "5. Impatience: abandonment vs staffing (Erlang A)",
    "satisfaction": "6. Satisfaction: waits beyond the standard",
}


@dataclass(frozen=True)
class LessonResult:
    """What a lesson shows: headline numbers, chart tables, replays and notes.

    Attributes
    ----------
    headline : dict[str, float]
        Named numbers for the metric tiles (units in the names).
    tables : dict[str, pandas.DataFrame]
        Chart and table data, one frame per chart.
    animations : tuple of Animated
        Replications to replay beside the charts.
    notes : tuple of str
        Sentences the app shows as they are (warnings, which theory applies).
    """

    headline: dict[str, float]
    tables: dict[str, pd.DataFrame]
    animations: tuple[Animated, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- building blocks
def _exp(mean_min: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": float(mean_min)}


def _gamma(mean_min: float, cv: float) -> dict[str, Any]:
    """Gamma service times (cv 0: constant, cv 1: exponential) from the same uniforms."""
    return {"dist": "gamma", "mean": float(mean_min), "cv": float(cv)}


def _steady_scenario(name: str, servers: int, arrivals_per_hour: float,
                     service: dict[str, Any], *, customers_per_run: int,
                     patience_min: float | None = None) -> Scenario:
    """A steady-state single-station study: Poisson arrivals, ``servers`` counters always
    open, a run long enough for about ``customers_per_run`` arrivals, a quarter as warm-up."""
    length = customers_per_run / arrivals_per_hour * 60.0
    cls: dict[str, Any] = {"pathway": "p"}
    if patience_min is not None:
        cls["patience"] = _exp(patience_min)
    return Scenario.model_validate({
        "name": name,
        "clock": {"open": "00:00"},
        "run": {"length_min": round(length * 1.25, 3), "warm_up_min": round(length * 0.25, 3)},
        "customer_classes": {"customer": cls},
        "arrivals": {"walk_in": {"rate_per_hour": {"00:00": float(arrivals_per_hour)}}},
        "stations": {"desk": {"counters": int(servers), "staffed": False, "service": service}},
        "pathways": {"p": ["desk"]},
        "satisfaction": {"model": "off"},
    })


def _bank_day(name: str, tellers: int, arrivals_per_hour: float, mean_service_min: float, *,
              line: str = "single", close: str = "13:00", standard_min: float | None = None,
              satisfaction_on: bool = False, jockey_by: int | None = None) -> Scenario:
    """The classroom bank: ``tellers`` always on duty from 09:00, exponential service
    (``jockey_by``: customers switch to a line that many shorter, per-counter lines)."""
    data: dict[str, Any] = {
        "name": name,
        "domain": "bank",
        "clock": {"open": "09:00", "close": close},
        "customer_classes": {"customer": {"share": 1.0, "pathway": "teller"}},
        "arrivals": {"walk_in": {"rate_per_hour": {"09:00": float(arrivals_per_hour)}}},
        "stations": {"tellers_desk": {"counters": int(tellers), "staff": "tellers",
                                      "line": line, "service": _exp(mean_service_min)}},
        "staff": {"tellers": {"count": int(tellers), "cost_per_hour": 30.0}},
        "pathways": {"teller": ["tellers_desk"]},
    }
    if jockey_by is not None:
        data["stations"]["tellers_desk"]["jockey"] = {"when_shorter_by": int(jockey_by)}
    if standard_min is not None:
        data["standards"] = [{"name": "served within standard", "station": "tellers_desk",
                              "wait_max_min": float(standard_min), "target_share": 0.8}]
    if not satisfaction_on:
        data["satisfaction"] = {"model": "off"}
    return Scenario.model_validate(data)


@dataclass(frozen=True)
class _Runs:
    plan: Plan
    kpis: list[dict[str, float]]
    first: Records  # replication 0, for the animation
    all_records: list[Records] | None = None


def _replicate(scenario: Scenario, replications: int, seed: int,
               keep_all: bool = False) -> _Runs:
    """Run ``replications`` replications (conservation checked) and keep their KPI rows."""
    plan = compile_plan(scenario)
    rows: list[dict[str, float]] = []
    kept: list[Records] = []
    first: Records | None = None
    for rep in range(replications):
        rec = simulate(plan, seed, rep)
        check_conservation(rec)
        rows.append(replication_kpis(rec, scenario.standards, cost_rates(plan)))
        if rep == 0:
            first = rec
        if keep_all:
            kept.append(rec)
    assert first is not None
    return _Runs(plan, rows, first, kept if keep_all else None)


def _column(rows: Sequence[dict[str, float]], key: str) -> np.ndarray:
    return np.array([r[key] for r in rows], dtype=float)


def _interval_row(x: np.ndarray, low: float = 0.0, high: float = math.inf) -> dict[str, float]:
    """Mean over replications with its 95 % interval kept inside ``[low, high]`` (waits are
    at least 0; shares are in [0, 1]: :func:`simulator.measures.stats.range_interval`)."""
    ti = stats.t_interval(x)
    ri = stats.range_interval(x, low, high)
    se = ti.sd / math.sqrt(ti.n) if ti.n >= 2 else math.nan
    return {"mean": ti.mean, "ci_low": ri.ci_low, "ci_high": ri.ci_high, "se": se, "n": ti.n}


def _with_interval(name: str, x: np.ndarray, low: float = 0.0,
                   high: float = math.inf) -> dict[str, float]:
    """``{name: mean, name_ci_low: ..., name_ci_high: ...}`` for headline tiles."""
    row = _interval_row(np.asarray(x, dtype=float), low, high)
    return {name: row["mean"], f"{name}_ci_low": row["ci_low"],
            f"{name}_ci_high": row["ci_high"]}


def _animated(title: str, runs: _Runs, start_min: float | None = None,
              length_min: float | None = None) -> Animated:
    rec = runs.first
    t0 = rec.stats_start_min if start_min is None else start_min
    t1 = rec.end_min if length_min is None else min(rec.end_min, t0 + length_min)
    plan = runs.plan
    return Animated(title, rec, tuple(s.counters for s in plan.stations),
                    tuple(s.per_counter for s in plan.stations),
                    tuple(c.rank for c in plan.classes), float(t0), float(t1))


# --------------------------------------------------------------------------- lesson 1
#: Utilisations simulated along the hockey stick (besides the chosen operating point).
HOCKEY_LOADS: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9)


def hockey_stick(servers: int, arrivals_per_hour: float, mean_service_min: float = 5.0, *,
                 replications: int = 6, customers_per_run: int = 2000,
                 seed: int = SEED) -> LessonResult:
    """Lesson 1: mean wait against utilisation in M/M/c, simulation on the Erlang C curve.

    Parameters
    ----------
    servers : int
        Counters c (always open).
    arrivals_per_hour : float
        The chosen operating point's Poisson arrival rate.
    mean_service_min : float
        Mean exponential service time, minutes.
    replications, customers_per_run : int
        Steady-state replications per point and arrivals per replication (a quarter more
        are simulated first as warm-up).
    seed : int
        Seed of every point (common random numbers along the curve).

    Returns
    -------
    LessonResult
        ``headline``: ``utilisation``, ``wait_sim_min`` (mean over replications of the mean
        wait), ``wait_sim_half_width_min`` (95 % t), ``wait_theory_min`` and ``p_wait_theory``
        (Erlang C; NaN at utilisation >= 1). ``tables``: ``curve`` (utilisation,
        wait_theory_min) and ``points`` (utilisation, mean, ci_low, ci_high, se, n,
        wait_theory_min, chosen).

    Examples
    --------
    >>> r = hockey_stick(3, 30.0, replications=2, customers_per_run=200)
    >>> round(r.headline["utilisation"], 3)
    0.833
    """
    mu_load = mean_service_min / servers  # utilisation per arrival per minute
    rho_now = arrivals_per_hour / 60.0 * mu_load
    grid = np.linspace(0.0, 0.97, 98)
    curve = pd.DataFrame({
        "utilisation": grid,
        "wait_theory_min": [theory.mmc(u / mu_load, mean_service_min, servers).mean_wait_min
                            for u in grid],
    })
    loads = sorted({*HOCKEY_LOADS, round(rho_now, 6)})
    rows = []
    featured: _Runs | None = None
    for u in loads:
        rate = u / mu_load * 60.0
        sc = _steady_scenario(f"M/M/{servers} at utilisation {u:.2f}", servers, rate,
                              _exp(mean_service_min), customers_per_run=customers_per_run)
        runs = _replicate(sc, replications, seed)
        th = (theory.mmc(rate / 60.0, mean_service_min, servers).mean_wait_min
              if u < 1 else math.nan)
        chosen = math.isclose(u, round(rho_now, 6))
        rows.append({"utilisation": u, **_interval_row(_column(runs.kpis, "desk__wait_mean_min")),
                     "wait_theory_min": th, "chosen": chosen})
        if chosen:
            featured = runs
    points = pd.DataFrame(rows)
    now = points[points["chosen"]].iloc[0]
    assert featured is not None
    notes = []
    p_wait = math.nan
    if rho_now >= 1:
        notes.append(f"Utilisation {rho_now:.2f} >= 1: no steady state, the line grows without "
                     "limit, so Erlang C has no answer and the simulated wait depends on how "
                     "long you look.")
    else:
        p_wait = theory.mmc(arrivals_per_hour / 60.0, mean_service_min, servers).p_wait
    return LessonResult(
        headline={"utilisation": rho_now, "wait_sim_min": float(now["mean"]),
                  "wait_sim_half_width_min": float(now["ci_high"] - now["mean"]),
                  "wait_theory_min": float(now["wait_theory_min"]), "p_wait_theory": p_wait},
        tables={"curve": curve, "points": points},
        animations=(_animated(f"M/M/{servers} at utilisation {rho_now:.2f} (replication 1, "
                              "after warm-up)", featured, length_min=240.0),),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- lesson 2
#: Lesson 2's third layout: a line per teller, customers switch to a line two shorter.
JOCKEY_LAYOUT = "a line per teller, switching lines"

def _visit_waits(rec: Records) -> np.ndarray:
    v = rec.visits
    started = np.isfinite(v["start_min"])
    return (v["start_min"] - v["join_min"])[started]


def pooling(tellers: int, arrivals_per_hour: float, mean_service_min: float = 5.0, *,
            replications: int = 20, seed: int = SEED) -> LessonResult:
    """Lesson 2: one shared line vs a line per teller (shortest line, no jockeying) vs a
    line per teller where customers switch lines (jockeying, Koenigsberg's rule: the last
    of a line moves when another line is two shorter).

    The layouts serve the same customers (common random numbers) on a 09:00-13:00 morning
    with ``tellers`` always on duty; differences are paired per replication.

    Returns
    -------
    LessonResult
        ``headline``: ``wait_shared_min``, ``wait_separate_min``, ``wait_jockey_min`` (means
        over replications), ``difference_min`` (separate − shared) with
        ``difference_ci_low`` / ``difference_ci_high`` (paired 95 % t), the same for
        switching lines (``jockey_difference_min``, ``jockey_difference_ci_low``,
        ``jockey_difference_ci_high``: switching − shared), ``sd_shared_min`` /
        ``sd_separate_min`` / ``sd_jockey_min`` (mean within-day sd of waits),
        ``moves_per_morning`` (line switches), ``utilisation``, ``erlang_c_wait_min``
        (M/M/c, steady state; NaN if unstable) and ``random_line_wait_min`` (M/M/1 at the
        same load: every customer picks a line at random). ``tables``: ``summary`` (one row
        per layout: layout, mean, ci_low, ci_high, sd_of_waits_min, p90_min) and ``waits``
        (layout, wait_min of every served customer of every replication).
    """
    layouts = {"one shared line": ("single", None), "a line per teller": ("per_counter", None),
               JOCKEY_LAYOUT: ("per_counter", 2)}
    rows, waits, per_rep, sds, anims = [], [], {}, {}, []
    moves = 0.0
    for label, (line, jockey_by) in layouts.items():
        sc = _bank_day(f"Bank, {label}", tellers, arrivals_per_hour, mean_service_min,
                       line=line, jockey_by=jockey_by)
        runs = _replicate(sc, replications, seed, keep_all=True)
        if jockey_by is not None:
            moves = float(np.mean([r.visits["jockeyed"].sum() for r in runs.all_records]))
        assert runs.all_records is not None
        w = _column(runs.kpis, "wait_mean_min")
        per_rep[label] = w
        day_sd = np.array([np.std(_visit_waits(r), ddof=1) for r in runs.all_records])
        sds[label] = float(np.mean(day_sd))
        pooled = np.concatenate([_visit_waits(r) for r in runs.all_records])
        waits.append(pd.DataFrame({"layout": label, "wait_min": pooled}))
        ti = _interval_row(w)
        rows.append({"layout": label, "mean": ti["mean"], "ci_low": ti["ci_low"],
                     "ci_high": ti["ci_high"], "sd_of_waits_min": sds[label],
                     "p90_min": float(np.mean(_column(runs.kpis, "wait_p90_min")))})
        anims.append(_animated(f"{label} (morning 1)", runs))
    shared, separate = per_rep["one shared line"], per_rep["a line per teller"]
    diff = stats.paired_difference(separate, shared)
    jdiff = stats.paired_difference(per_rep[JOCKEY_LAYOUT], shared)
    rho = arrivals_per_hour / 60.0 * mean_service_min / tellers
    stable = rho < 1
    return LessonResult(
        headline={
            "wait_shared_min": float(np.mean(shared)),
            "wait_separate_min": float(np.mean(separate)),
            "difference_min": diff.mean_diff, "difference_ci_low": diff.ci_low,
            "difference_ci_high": diff.ci_high,
            "sd_shared_min": sds["one shared line"], "sd_separate_min": sds["a line per teller"],
            "wait_jockey_min": float(np.mean(per_rep[JOCKEY_LAYOUT])),
            "jockey_difference_min": jdiff.mean_diff, "jockey_difference_ci_low": jdiff.ci_low,
            "jockey_difference_ci_high": jdiff.ci_high, "sd_jockey_min": sds[JOCKEY_LAYOUT],
            "moves_per_morning": moves,
            "utilisation": rho,
            "erlang_c_wait_min": (theory.mmc(arrivals_per_hour / 60.0, mean_service_min,
                                             tellers).mean_wait_min if stable else math.nan),
            "random_line_wait_min": (theory.mm1(arrivals_per_hour / 60.0 / tellers,
                                                mean_service_min).mean_wait_min
                                     if stable else math.nan),
        },
        tables={"summary": pd.DataFrame(rows), "waits": pd.concat(waits, ignore_index=True)},
        animations=tuple(anims),
        notes=(f"Paired over {replications} mornings with the same customers; the "
               "difference is significant" if diff.significant else
               f"Paired over {replications} mornings with the same customers; the difference "
               "is not significant at 95 %",),
    )


# --------------------------------------------------------------------------- lesson 3
def allen_cunneen_wait_min(arrivals_per_min: float, mean_service_min: float, servers: int,
                           service_cv: float) -> float:
    """Mean wait in M/G/c by the Allen-Cunneen approximation, minutes.

    ``Wq ≈ Wq(M/M/c) · (1 + cv²) / 2`` (arrivals Poisson, so their cv is 1). Exact for c = 1
    (Pollaczek-Khinchine) and for exponential service.

    References
    ----------
    Allen, *Probability, Statistics and Queueing Theory* (1990), sec. 6.4; Gross, Shortle,
    Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed. (2008), sec. 6.2.

    Examples
    --------
    >>> round(allen_cunneen_wait_min(0.16, 5.0, 1, 0.0), 3)  # M/D/1 at load 0.8: 10 min
    10.0
    """
    base = theory.mmc(arrivals_per_min, mean_service_min, servers).mean_wait_min
    return base * (1.0 + service_cv**2) / 2.0


def variability(servers: int, utilisation: float, mean_service_min: float = 5.0, *,
                replications: int = 8, customers_per_run: int = 2000,
                seed: int = SEED) -> LessonResult:
    """Lesson 3: the same load with service cv 0, 0.5, 1 and 2 (gamma service times).

    All four variants share arrivals and the uniforms behind service times (common random
    numbers), so only the spread of service times differs.

    Returns
    -------
    LessonResult
        ``headline``: ``wait_cv{cv}_min`` per cv in :data:`CVS` and ``ratio_cv2_to_cv0``.
        ``tables``: ``waits`` (cv, mean, ci_low, ci_high, se, n, wait_theory_min with
        ``theory`` = ``Pollaczek-Khinchine`` (c = 1, exact) or ``Allen-Cunneen``).
    """
    rate = utilisation * servers / mean_service_min * 60.0
    rows, anims = [], []
    for cv in CVS:
        sc = _steady_scenario(f"M/G/{servers}, service cv {cv:g}", servers, rate,
                              _gamma(mean_service_min, cv), customers_per_run=customers_per_run)
        runs = _replicate(sc, replications, seed)
        th = (allen_cunneen_wait_min(rate / 60.0, mean_service_min, servers, cv)
              if utilisation < 1 else math.nan)
        rows.append({"cv": cv, **_interval_row(_column(runs.kpis, "desk__wait_mean_min")),
                     "wait_theory_min": th,
                     "theory": "Pollaczek-Khinchine" if servers == 1 else "Allen-Cunneen"})
        anims.append(_animated(f"service cv {cv:g} (replication 1, after warm-up)", runs,
                               length_min=240.0))
    table = pd.DataFrame(rows)
    head = {f"wait_cv{cv:g}_min": float(m) for cv, m in zip(CVS, table["mean"], strict=True)}
    head["ratio_cv2_to_cv0"] = head["wait_cv2_min"] / head["wait_cv0_min"]
    return LessonResult(head, {"waits": table}, tuple(anims), (
        "Theory: Pollaczek-Khinchine, exact for one server." if servers == 1 else
        "Theory: the Allen-Cunneen approximation Wq(M/M/c)·(1 + cv²)/2 for several servers.",))


# --------------------------------------------------------------------------- lesson 4
def lunch_dip(clerks: int, clerks_at_lunch: int, lunch_min: float, arrivals_per_hour: float,
              mean_service_min: float = 6.0, *, lunch_start: str = "12:00",
              replications: int = 12, seed: int = SEED) -> LessonResult:
    """Lesson 4: ``clerks`` on duty 09:00-17:00, only ``clerks_at_lunch`` during lunch.

    The others take one lunch break of ``lunch_min`` from ``lunch_start`` together.
    Arrivals are Poisson at a constant rate; service exponential.

    Returns
    -------
    LessonResult
        ``headline``: ``queue_before_lunch`` (mean line length over the hour before lunch),
        ``queue_peak`` (largest mean line length), ``peak_at_min``, ``lunch_end_min``,
        ``recovered_at_min`` (first grid time after lunch when the mean line is back to
        ``queue_before_lunch`` + 0.5, NaN if never) and ``lingers_min`` (recovered − lunch
        end), ``wait_morning_min`` / ``wait_lunch_min`` / ``wait_afternoon_min`` (mean wait
        by when customers arrived; pooled over days, except ``wait_lunch_min``: the mean of
        the days' means); ``queue_before_lunch``, ``queue_peak`` and
        ``wait_lunch_min`` also with ``_ci_low`` / ``_ci_high``, their 95 % intervals across
        days. ``tables``: ``queue`` (time_min, clock, queue_mean,
        queue_p10, queue_p90, on_duty) on a 5-minute grid, ``by_hour`` (hour, clock,
        wait_mean_min).
    """
    if not 0 <= clerks_at_lunch <= clerks:
        raise ValueError(f"clerks_at_lunch must be between 0 and clerks (got "
                         f"{clerks_at_lunch}; expected 0..{clerks})")
    l0 = float(int(lunch_start[:2]) * 60 + int(lunch_start[3:]))
    l1 = l0 + lunch_min
    shifts: list[dict[str, Any]] = []
    if clerks_at_lunch > 0:
        shifts.append({"start": "09:00", "end": "17:00", "count": int(clerks_at_lunch)})
    if clerks > clerks_at_lunch:
        shifts.append({"start": "09:00", "end": "17:00", "count": int(clerks - clerks_at_lunch),
                       "breaks": [{"start": lunch_start, "minutes": float(lunch_min)}]})
    sc = Scenario.model_validate({
        "name": "Service hall with a lunch dip",
        "clock": {"open": "09:00", "close": "17:00"},
        "run": {"max_overtime_min": 600.0},
        "customer_classes": {"customer": {"share": 1.0, "pathway": "p"}},
        "arrivals": {"walk_in": {"rate_per_hour": {"09:00": float(arrivals_per_hour)}}},
        "stations": {"desk": {"counters": int(clerks), "staff": "clerks",
                              "service": _exp(mean_service_min)}},
        "staff": {"clerks": {"shifts": shifts}},
        "pathways": {"p": ["desk"]},
        "satisfaction": {"model": "off"},
    })
    plan = compile_plan(sc)
    step = 5.0
    queues, duties, hourly = [], [], []
    first: Records | None = None
    t_end = plan.close_min + 120.0
    for rep in range(replications):
        rec = simulate(plan, seed, rep)
        check_conservation(rec)
        first = rec if first is None else first
        grid = level_grid(rec, step, t_end)
        # after the day ends nobody is waiting and nobody is on duty
        queues.append(np.nan_to_num(grid.queue_len[0], nan=0.0))
        duties.append(np.nan_to_num(grid.on_duty[0], nan=0.0))
        c = rec.customers
        served = c["outcome"] == CustomerOutcome.SERVED
        hourly.append(pd.DataFrame({"replication": rep, "arrival_min": c["arrival_min"][served],
                                    "wait_min": c["wait_min"][served]}))
    assert first is not None
    times = grid.times_min
    q = np.stack(queues)
    q_mean = q.mean(axis=0)
    queue = pd.DataFrame({
        "time_min": times, "hour_of_day": times / 60.0,
        "clock": [min_to_clock(t) for t in times], "queue_mean": q_mean,
        "queue_p10": np.percentile(q, 10, axis=0),
        "queue_p90": np.percentile(q, 90, axis=0),
        "on_duty": np.stack(duties).mean(axis=0)})
    before = (times >= l0 - 60.0) & (times < l0)
    base = float(q_mean[before].mean())
    after = np.flatnonzero((times >= l1) & (q_mean <= base + 0.5))
    recovered = float(times[after[0]]) if after.size else math.nan
    peak = int(np.argmax(q_mean))
    allw = pd.concat(hourly, ignore_index=True)
    hour = np.floor(allw["arrival_min"] / 60.0).astype(int)
    by_hour = (allw.assign(hour=hour).groupby("hour", as_index=False)["wait_min"].mean()
               .rename(columns={"wait_min": "wait_mean_min"}))
    by_hour["clock"] = [min_to_clock(h * 60.0) for h in by_hour["hour"]]

    def mean_wait(lo: float, hi: float) -> float:
        sel = (allw["arrival_min"] >= lo) & (allw["arrival_min"] < hi)
        return float(allw.loc[sel, "wait_min"].mean()) if sel.any() else math.nan

    def day_waits(lo: float, hi: float) -> np.ndarray:
        """Each day's mean wait of customers arriving in [lo, hi) (NaN: nobody that day)."""
        sel = allw[(allw["arrival_min"] >= lo) & (allw["arrival_min"] < hi)]
        means = sel.groupby("replication")["wait_min"].mean()
        return means.reindex(range(replications)).to_numpy(float)

    runs = _Runs(plan, [], first)
    head = {"queue_before_lunch": base, "queue_peak": float(q_mean[peak]),
            "peak_at_min": float(times[peak]), "lunch_end_min": l1,
            "recovered_at_min": recovered, "lingers_min": recovered - l1,
            "wait_morning_min": mean_wait(plan.open_min, l0),
            "wait_lunch_min": mean_wait(l0, l1),
            "wait_afternoon_min": mean_wait(l1, plan.close_min)}
    # 95 % intervals across days (kept at or above 0) for the tiles
    for name, per_day in (("queue_before_lunch", q[:, before].mean(axis=1)),
                          ("queue_peak", q[:, peak]),
                          ("wait_lunch_min", day_waits(l0, l1))):
        head.update(_with_interval(name, per_day))  # the mean over days and its interval
    return LessonResult(
        headline=head,
        tables={"queue": queue, "by_hour": by_hour},
        animations=(_animated("the day around lunch (day 1)", runs,
                              start_min=max(plan.open_min, l0 - 60.0),
                              length_min=lunch_min + 180.0),),
    )


# --------------------------------------------------------------------------- lesson 5
def impatience(agents: int, arrivals_per_hour: float, mean_patience_min: float,
               mean_service_min: float = 5.0, *, replications: int = 6,
               customers_per_run: int = 2000, seed: int = SEED) -> LessonResult:
    """Lesson 5: abandonment against staffing, simulation on the Erlang A (M/M/c+M) curve.

    Simulates ``agents`` − 2 .. ``agents`` + 2 (at least 1) with exponential patience.

    Returns
    -------
    LessonResult
        ``headline`` at the chosen staffing: ``abandon_sim`` (with ``abandon_sim_ci_low`` /
        ``abandon_sim_ci_high``, a Wilson interval inside [0, 1]), ``abandon_half_width``,
        ``abandon_theory``, ``wait_served_sim_min``, ``wait_served_theory_min``,
        ``utilisation_theory``. ``tables``: ``curve`` (agents, abandon_theory,
        wait_served_theory_min) and ``points`` (agents, mean, ci_low, ci_high, se, n,
        abandon_theory, wait_served_mean_min, chosen).
    """
    lam = arrivals_per_hour / 60.0
    load = lam * mean_service_min
    top = max(agents + 3, math.ceil(load) + 4)
    curve_rows = []
    for c in range(1, top + 1):
        th = theory.erlang_a(lam, mean_service_min, c, mean_patience_min)
        curve_rows.append({"agents": c, "abandon_theory": th.p_abandon,
                           "wait_served_theory_min": th.mean_wait_served_min})
    curve = pd.DataFrame(curve_rows)
    rows = []
    featured: _Runs | None = None
    for c in range(max(1, agents - 2), agents + 3):
        sc = _steady_scenario(f"M/M/{c}+M", c, arrivals_per_hour, _exp(mean_service_min),
                              customers_per_run=customers_per_run,
                              patience_min=mean_patience_min)
        runs = _replicate(sc, replications, seed)
        th = theory.erlang_a(lam, mean_service_min, c, mean_patience_min)
        rows.append({"agents": c, **_interval_row(_column(runs.kpis, "abandon_rate"), 0.0, 1.0),
                     "abandon_theory": th.p_abandon,
                     "wait_served_mean_min": float(np.mean(
                         _column(runs.kpis, "desk__wait_mean_min"))),
                     "chosen": c == agents})
        if c == agents:
            featured = runs
    points = pd.DataFrame(rows)
    now = points[points["chosen"]].iloc[0]
    th = theory.erlang_a(lam, mean_service_min, agents, mean_patience_min)
    assert featured is not None
    return LessonResult(
        headline={"abandon_sim": float(now["mean"]),
                  "abandon_half_width": float(now["ci_high"] - now["mean"]),
                  "abandon_sim_ci_low": float(now["ci_low"]),
                  "abandon_sim_ci_high": float(now["ci_high"]),
                  "abandon_theory": th.p_abandon,
                  "wait_served_sim_min": float(now["wait_served_mean_min"]),
                  "wait_served_theory_min": float(th.mean_wait_served_min or 0.0),
                  "utilisation_theory": th.utilisation},
        tables={"curve": curve, "points": points},
        animations=(_animated(f"{agents} agents (replication 1, after warm-up)", featured,
                              length_min=240.0),),
    )


# --------------------------------------------------------------------------- lesson 6
#: Wait bins (minutes) of the satisfaction chart; the last bin is open-ended.
SAT_BINS_MIN: tuple[float, ...] = (0, 1, 2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 60)


def satisfaction(tellers: int, standard_min: float, arrivals_per_hour: float = 42.0,
                 mean_service_min: float = 5.0, *, replications: int = 10,
                 seed: int = SEED) -> LessonResult:
    """Lesson 6: predicted CSAT and complaints against each customer's wait.

    The classroom bank (one shared line) with a service standard "served within
    ``standard_min``"; the satisfaction model (uncalibrated bank defaults, see
    ``docs/satisfaction.md``) reads that standard as the adequate wait. Changing the standard
    leaves every wait unchanged (same seed) and moves only the predictions.

    Returns
    -------
    LessonResult
        ``headline``: ``share_beyond_standard`` (served customers waiting longer than the
        standard), ``csat_mean`` (E[CSAT] of served customers, 1-5), ``top2_share``,
        ``complaint_rate`` (all scored customers; it and ``csat_mean`` with ``_ci_low`` /
        ``_ci_high`` 95 % intervals across replications), ``csat_within`` / ``csat_beyond`` and
        ``complaint_within`` / ``complaint_beyond`` (served customers within / beyond the
        standard), ``wait_mean_min``. ``tables``: ``by_wait`` (wait_from_min, wait_to_min,
        label, customers, csat_mean, complaint_rate, beyond_standard) and ``customers``
        (wait_min, expected_csat, p_complaint of served customers of replication 1).
    """
    sc = _bank_day("Bank with a service standard", tellers, arrivals_per_hour,
                   mean_service_min, standard_min=standard_min, satisfaction_on=True)
    plan = compile_plan(sc)
    frames, kpis = [], []
    first: Records | None = None
    for rep in range(replications):
        rec = simulate(plan, seed, rep)
        check_conservation(rec)
        first = rec if first is None else first
        out = replication_satisfaction(plan, rec, keep=True)
        kpis.append(out.kpis)
        pred, tab = out.prediction, out.tables
        assert pred is not None and tab is not None
        c = rec.customers
        pos = np.searchsorted(c["customer_id"], tab.customer_id)
        frames.append(pd.DataFrame({
            "replication": rep, "wait_min": c["wait_min"][pos],
            "expected_csat": pred.expected_csat, "p_complaint": pred.p_complaint,
            "served": pred.served.astype(bool)}))
    assert first is not None
    allc = pd.concat(frames, ignore_index=True)
    served = allc[allc["served"]]
    edges = np.array([*SAT_BINS_MIN, math.inf])
    b = np.digitize(served["wait_min"].to_numpy(), edges[1:-1])
    rows = []
    for i in range(len(edges) - 1):
        sel = served[b == i]
        if sel.empty:
            continue
        lo, hi = edges[i], edges[i + 1]
        rows.append({"wait_from_min": lo, "wait_to_min": hi,
                     "label": f"{lo:g}-{hi:g}" if math.isfinite(hi) else f"{lo:g}+",
                     "customers": len(sel), "csat_mean": float(sel["expected_csat"].mean()),
                     "complaint_rate": float(sel["p_complaint"].mean()),
                     "beyond_standard": bool(lo >= standard_min)})
    beyond = served["wait_min"] > standard_min

    def mean_or_nan(s: pd.Series) -> float:
        return float(s.mean()) if len(s) else math.nan

    return LessonResult(
        headline={
            "share_beyond_standard": float(beyond.mean()),
            **_with_interval("csat_mean", _column(kpis, "sat__csat_mean"), 1.0, 5.0),
            "top2_share": float(np.mean(_column(kpis, "sat__top2_share"))),
            **_with_interval("complaint_rate", _column(kpis, "sat__complaint_rate"), 0.0, 1.0),
            "csat_within": mean_or_nan(served.loc[~beyond, "expected_csat"]),
            "csat_beyond": mean_or_nan(served.loc[beyond, "expected_csat"]),
            "complaint_within": mean_or_nan(served.loc[~beyond, "p_complaint"]),
            "complaint_beyond": mean_or_nan(served.loc[beyond, "p_complaint"]),
            "wait_mean_min": float(served["wait_min"].mean()),
        },
        tables={"by_wait": pd.DataFrame(rows),
                "customers": served.loc[served["replication"] == 0,
                                        ["wait_min", "expected_csat", "p_complaint"]]
                .reset_index(drop=True)},
        animations=(_animated("the morning (day 1)", _Runs(plan, [], first)),),
        notes=("Predicted satisfaction uses the model's uncalibrated bank defaults "
               "(docs/satisfaction.md); calibrate it with a survey for real decisions.",),
    )
