"""``servsim selfcheck``: simulate textbook queues and compare with their closed forms.

Each case is a steady-state scenario written as YAML text and run through exactly the
machinery users use (``load_scenario_text`` -> ``compile_plan`` -> ``run_replications``, or
``simulate`` + ``replication_kpis`` where per-class waits are needed), so a pass says the
loader, the planner, the engine, the random streams and the KPI definitions agree with queueing
theory on this installation.

Every line compares one quantity. Each replication gives one observation (customers within a
run are autocorrelated, so never pooled); over ``n`` replications the line reports the mean, the
95% Student-t interval (:func:`simulator.measures.stats.t_interval`) and the standard error
``se = sd / sqrt(n)``, and **passes when |mean - theory| <= 3 se + slack**. The slack is 0
except where a small bias of the estimator is known (see :func:`default_cases`). With a fixed
default seed the check is deterministic.

Run lengths assume roughly 30,000 simulated customers per second per core: the default set
simulates about 760,000 customers (20 replications per case), about 19 s on one core.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill (replication /
    deletion, ch. 9).
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley.
Jackson, J. R. (1957). Networks of waiting lines. *Operations Research* 5(4), 518-521.
"""

from __future__ import annotations

import math
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from simulator import theory as qt
from simulator.engine.model import simulate
from simulator.engine.records import CustomerOutcome
from simulator.experiments.runner import run_replications
from simulator.measures.conservation import check_conservation
from simulator.measures.costs import cost_rates
from simulator.measures.kpis import replication_kpis
from simulator.measures.stats import t_interval
from simulator.scenario.loader import load_scenario_text
from simulator.scenario.plan import Plan, compile_plan

__all__ = [
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SEED",
    "SE_MULTIPLIER",
    "Case",
    "CheckResult",
    "Quantity",
    "check",
    "default_cases",
    "format_table",
    "run_case",
    "run_selfcheck",
]

#: Seed of the default run (any fixed value; fixed so the check is deterministic).
DEFAULT_SEED = 20260515
#: Replications per case by default.
DEFAULT_REPLICATIONS = 20
#: A line passes when |simulated mean - theory| <= SE_MULTIPLIER standard errors + slack.
SE_MULTIPLIER = 3.0

Kpis = Mapping[str, float]


# ---------------------------------------------------------------------------------------------
# Data types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """One compared quantity of a case.

    Attributes
    ----------
    label : str
        What is compared, with its unit, e.g. ``"mean wait (min)"``.
    extract : callable
        Maps one replication's KPI row to the observed value.
    theory : float
        The closed-form value.
    slack : float
        Absolute allowance added to 3 standard errors (0 unless a bias is documented).
    """

    label: str
    extract: Callable[[Kpis], float]
    theory: float
    slack: float = 0.0


@dataclass(frozen=True)
class Case:
    """A built-in check: a steady-state scenario and the quantities compared.

    ``per_class`` asks for ``class__{name}__wait_mean_min`` in each replication's KPI row: the
    mean wait of that class's served customers arriving after the warm-up.
    """

    name: str
    model: str  # what the theory side is, with its parameters
    yaml: str
    quantities: tuple[Quantity, ...]
    per_class: bool = False


@dataclass(frozen=True)
class CheckResult:
    """One line of the self-check: simulated mean versus theory."""

    case: str
    quantity: str
    theory: float
    mean: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    slack: float
    passed: bool

    @property
    def deviation_se(self) -> float:
        """(mean - theory) / se; NaN when se is 0 or undefined."""
        if not self.se > 0:
            return math.nan
        return (self.mean - self.theory) / self.se

    def to_dict(self) -> dict[str, Any]:
        """Fields as a plain ``dict``, with ``deviation_se``."""
        out = asdict(self)
        out["deviation_se"] = self.deviation_se
        return out


def check(case: str, quantity: str, samples: Sequence[float], theory: float,
          slack: float = 0.0) -> CheckResult:
    """Compare per-replication observations with a theory value.

    Parameters
    ----------
    case, quantity : str
        Labels of the line.
    samples : sequence of float
        One observation per replication (NaN entries are dropped).
    theory : float
        The value the simulation should reproduce.
    slack : float, default 0.0
        Absolute allowance added to the tolerance.

    Returns
    -------
    CheckResult
        ``passed`` is ``|mean - theory| <= 3 se + slack`` with ``se = sd / sqrt(n)``; a line
        with fewer than 2 observations fails.

    Examples
    --------
    >>> check("c", "q", [1.0, 1.2, 0.9, 1.1], 1.05).passed
    True
    >>> check("c", "q", [1.0, 1.2, 0.9, 1.1], 2.0).passed
    False
    """
    ti = t_interval(np.asarray(samples, dtype=float))
    se = ti.sd / math.sqrt(ti.n) if ti.n >= 2 else math.nan
    passed = bool(ti.n >= 2 and abs(ti.mean - theory) <= SE_MULTIPLIER * se + slack)
    return CheckResult(case, quantity, float(theory), ti.mean, ti.ci_low, ti.ci_high, se,
                       ti.n, float(slack), passed)


# ---------------------------------------------------------------------------------------------
# The built-in cases
# ---------------------------------------------------------------------------------------------


def _kpi(name: str) -> Callable[[Kpis], float]:
    def extract(k: Kpis) -> float:
        return float(k[name])

    extract.__name__ = f"kpi[{name}]"
    return extract


def _ratio(num: str, den: str) -> Callable[[Kpis], float]:
    def extract(k: Kpis) -> float:
        return float(k[num]) / float(k[den]) if k[den] > 0 else math.nan

    return extract


def _complement(name: str) -> Callable[[Kpis], float]:
    def extract(k: Kpis) -> float:
        return 1.0 - float(k[name])

    return extract


def _single_station(*, counters: int, rate_per_hour: float, service: str, length: float,
                    warm_up: float, station_extra: str = "", class_extra: str = "",
                    standards: str = "") -> str:
    text = f"""\
        name: selfcheck
        clock: {{open: "00:00"}}
        run: {{length_min: {length}, warm_up_min: {warm_up}}}
        customer_classes: {{c: {{pathway: p{class_extra}}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
        stations:
          s: {{counters: {counters}, staffed: false, service: {service}{station_extra}}}
        pathways: {{p: [s]}}
    """
    out = textwrap.dedent(text)
    if standards:
        out += f"standards:\n{standards}"
    return out


def _two_stations(name: str, pathway: str, *, rate_per_hour: float, a: tuple[int, float],
                  b: tuple[int, float], length: float, warm_up: float) -> str:
    """Two unstaffed stations ``a`` and ``b`` ((counters, mean exponential service)) and
    one Poisson source, walked by ``pathway`` (YAML text)."""
    return textwrap.dedent(f"""\
        name: selfcheck {name}
        clock: {{open: "00:00"}}
        run: {{length_min: {length}, warm_up_min: {warm_up}}}
        customer_classes: {{c: {{pathway: p}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour:.6g}}}}}}}
        stations:
          a: {{counters: {a[0]}, staffed: false, service: {_exp(a[1])}}}
          b: {{counters: {b[0]}, staffed: false, service: {_exp(b[1])}}}
        pathways: {{p: {pathway}}}
    """)


def _exp(mean: float) -> str:
    return f"{{dist: exponential, mean: {mean}}}"


def default_cases() -> list[Case]:
    """The built-in cases (all times in minutes; rates per minute in the theory calls).

    Run lengths and warm-ups (deleting customers who arrive during the warm-up) are several
    relaxation times of each queue, so the initial-transient bias left is well under one
    standard error; run-end censoring (customers still waiting when the run stops are not
    in the wait averages) concerns a handful of customers out of thousands per replication.
    No line needs a slack.

    1. M/M/1, rho = 0.7: mean wait, time-average queue length, utilisation.
    2. M/M/4 light load (rho = 0.5): mean wait; P(wait) as 1 - compliance of a
       "wait <= 1e-6 min" standard (theory: P(Wq > 1e-6), within 1e-6 of Erlang C's
       P(wait)); utilisation.
    3. M/M/3 heavy load (rho = 0.9): mean wait, queue length, service level P(Wq <= 1 min)
       as the compliance of a 1-minute standard, utilisation.
    4. M/M/2/5 (three waiting places, offered load 2): blocking probability
       (blocked / arrived), mean wait of admitted customers.
    5. Erlang A (M/M/2+M, load 2.2, mean patience 3): abandonment probability, mean wait of
       served customers, time-average queue length.
    6. M/D/1, rho = 0.75 and 7. M/G/1 with gamma service cv 1.5, rho = 0.6
       (Pollaczek-Khinchine): mean wait.
    8. Two-class non-preemptive priority M/M/2, rho = 0.8, 40% high priority: each class's
       mean wait (Cobham) and the overall mean wait (conservation: equals FCFS M/M/2).
    9. Tandem of two M/M/1 stations (rho = 0.7 and 0.56): each station's mean wait and the
       mean time in system (Jackson network: independent M/M/1 queues).
    10. A ``choose`` step splitting a Poisson stream 60/40 between two M/M/2 stations:
        each station's mean wait is Erlang C's at its share of the rate (Poisson
        splitting).
    11. Jockeying (``jockey: {when_shorter_by: 2}``) between three per-counter lines,
        rho = 0.8: nobody waits while a counter is idle, so the mean wait and queue length
        are one shared line's (M/M/3).
    12. Parties of 1-3 (equally likely) queueing member by member at one server
        (``members_queue: individually``), rho = 0.7: the party's mean wait (its last
        member's), the time-average number of members waiting and the utilisation
        (M^X/M/1, Gross et al. §3.2.1).
    """
    cases: list[Case] = []

    lam, es = 0.7, 1.0
    m = qt.mm1(lam, es)
    cases.append(Case(
        "M/M/1", "lambda=0.7/min, E[S]=1 min, rho=0.7",
        _single_station(counters=1, rate_per_hour=lam * 60, service=_exp(es), length=3000,
                        warm_up=200),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"), m.mean_wait_min),
         Quantity("mean queue length", _kpi("s__queue_len_tw"), m.mean_queue_len),
         Quantity("utilisation", _kpi("s__utilisation_tw"), m.utilisation)),
    ))

    lam, es, c = 2.0, 1.0, 4
    m = qt.mmc(lam, es, c)
    cases.append(Case(
        "M/M/c light", "c=4, lambda=2/min, E[S]=1 min, rho=0.5",
        _single_station(counters=c, rate_per_hour=lam * 60, service=_exp(es), length=1200,
                        warm_up=60,
                        standards="  - {name: no wait, station: s, wait_max_min: 1.0e-6}\n"),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"), m.mean_wait_min),
         Quantity("P(wait)", _complement("std__no_wait__compliance"),
                  qt.mmc_wait_exceeds(lam, es, c, 1e-6)),
         Quantity("utilisation", _kpi("s__utilisation_tw"), m.utilisation)),
    ))

    lam, es, c = 2.7, 1.0, 3
    m = qt.mmc(lam, es, c)
    cases.append(Case(
        "M/M/c heavy", "c=3, lambda=2.7/min, E[S]=1 min, rho=0.9",
        _single_station(counters=c, rate_per_hour=lam * 60, service=_exp(es), length=2800,
                        warm_up=300,
                        standards="  - {name: within 1, station: s, wait_max_min: 1}\n"),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"), m.mean_wait_min),
         Quantity("mean queue length", _kpi("s__queue_len_tw"), m.mean_queue_len),
         Quantity("P(wait <= 1 min)", _kpi("std__within_1__compliance"),
                  qt.mmc_service_level(lam, es, c, 1.0)),
         Quantity("utilisation", _kpi("s__utilisation_tw"), m.utilisation)),
    ))

    lam, es, c, cap = 2.0, 1.0, 2, 5
    m = qt.mmck(lam, es, c, cap)
    cases.append(Case(
        "M/M/c/K", "c=2, K=5, lambda=2/min, E[S]=1 min",
        _single_station(counters=c, rate_per_hour=lam * 60, service=_exp(es), length=1000,
                        warm_up=50, station_extra=f", waiting_room: {cap - c}"),
        (Quantity("P(blocked)", _ratio("blocked", "arrived"), m.p_block),
         Quantity("mean wait, admitted (min)", _kpi("s__wait_mean_min"), m.mean_wait_min)),
    ))

    lam, es, c, patience = 2.2, 1.0, 2, 3.0
    m = qt.erlang_a(lam, es, c, patience)
    cases.append(Case(
        "Erlang A", "M/M/2+M, lambda=2.2/min, E[S]=1 min, mean patience 3 min",
        _single_station(counters=c, rate_per_hour=lam * 60, service=_exp(es), length=1000,
                        warm_up=50, class_extra=f", patience: {_exp(patience)}"),
        (Quantity("P(abandon)", _kpi("abandon_rate"), m.p_abandon),
         Quantity("mean wait, served (min)", _kpi("s__wait_mean_min"),
                  float(m.mean_wait_served_min or 0.0)),
         Quantity("mean queue length", _kpi("s__queue_len_tw"), m.mean_queue_len)),
    ))

    lam = 0.75
    cases.append(Case(
        "M/D/1", "lambda=0.75/min, constant service 1 min, rho=0.75",
        _single_station(counters=1, rate_per_hour=lam * 60,
                        service="{dist: constant, value: 1.0}", length=2500, warm_up=200),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"),
                  qt.mg1(lam, 1.0, 0.0).mean_wait_min),),
    ))

    lam = 0.6
    cases.append(Case(
        "M/G/1", "lambda=0.6/min, gamma service mean 1 min cv 1.5, rho=0.6",
        _single_station(counters=1, rate_per_hour=lam * 60,
                        service="{dist: gamma, mean: 1.0, cv: 1.5}", length=3500,
                        warm_up=200),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"),
                  qt.mg1(lam, 1.0, 1.5).mean_wait_min),),
    ))

    lam, es, c, hi_share = 1.6, 1.0, 2, 0.4
    pm = qt.priority_mmc([lam * hi_share, lam * (1 - hi_share)], es, c)
    cases.append(Case(
        "Priority", "M/M/2, 2 classes, lambda=1.6/min (40% high), E[S]=1 min, rho=0.8",
        textwrap.dedent(f"""\
            name: selfcheck priority
            clock: {{open: "00:00"}}
            run: {{length_min: 2800, warm_up_min: 200}}
            customer_classes:
              lo: {{pathway: p, share: {1 - hi_share:.6g}}}
              hi: {{pathway: p, share: {hi_share:.6g}, priority: 1}}
            arrivals: {{poisson: {{rate_per_hour: {{"00:00": {lam * 60:.6g}}}}}}}
            stations:
              s: {{counters: {c}, staffed: false, service: {_exp(es)}}}
            pathways: {{p: [s]}}
        """),
        (Quantity("high priority mean wait (min)", _kpi("class__hi__wait_mean_min"),
                  pm.mean_wait_min_by_class[0]),
         Quantity("low priority mean wait (min)", _kpi("class__lo__wait_mean_min"),
                  pm.mean_wait_min_by_class[1]),
         Quantity("mean wait, all (min)", _kpi("s__wait_mean_min"), pm.mean_wait_min)),
        per_class=True,
    ))

    lam, es_a, es_b = 0.7, 1.0, 0.8
    ma, mb = qt.mm1(lam, es_a), qt.mm1(lam, es_b)
    cases.append(Case(
        "Tandem", "M/M/1 -> M/M/1, lambda=0.7/min, E[S]=1 and 0.8 min",
        _two_stations("tandem", "[a, b]", rate_per_hour=lam * 60, a=(1, es_a), b=(1, es_b),
                      length=3000, warm_up=200),
        (Quantity("station 1 mean wait (min)", _kpi("a__wait_mean_min"), ma.mean_wait_min),
         Quantity("station 2 mean wait (min)", _kpi("b__wait_mean_min"), mb.mean_wait_min),
         Quantity("mean time in system (min)", _kpi("time_in_system_mean_min"),
                  ma.mean_time_in_system_min + mb.mean_time_in_system_min)),
    ))

    lam, share, es_a, es_b = 2.4, 0.6, 1.0, 1.5
    ma, mb = qt.mmc(lam * share, es_a, 2), qt.mmc(lam * (1 - share), es_b, 2)
    cases.append(Case(
        "Choice split", "choose 60/40, lambda=2.4/min, M/M/2 E[S]=1 and M/M/2 E[S]=1.5 min",
        _two_stations("choice", f"[{{choose: {{a: {share}, b: {1 - share:.6g}}}}}]",
                      rate_per_hour=lam * 60, a=(2, es_a), b=(2, es_b), length=1500,
                      warm_up=100),
        (Quantity("station a mean wait (min)", _kpi("a__wait_mean_min"), ma.mean_wait_min),
         Quantity("station b mean wait (min)", _kpi("b__wait_mean_min"), mb.mean_wait_min)),
    ))

    lam, es, c = 2.4, 1.0, 3
    m = qt.mmc(lam, es, c)
    cases.append(Case(
        "Jockeying", "3 counter lines, jockey when 2 shorter, lambda=2.4/min, E[S]=1 min",
        _single_station(counters=c, rate_per_hour=lam * 60, service=_exp(es), length=1500,
                        warm_up=100,
                        station_extra=", line: per_counter, jockey: {when_shorter_by: 2}"),
        (Quantity("mean wait (min)", _kpi("s__wait_mean_min"), m.mean_wait_min),
         Quantity("mean queue length", _kpi("s__queue_len_tw"), m.mean_queue_len)),
    ))

    lam, es, sizes = 0.35, 1.0, (1, 2, 3)
    ex = sum(sizes) / len(sizes)
    bm = qt.mxm1(lam, es, ex, sum(x * x for x in sizes) / len(sizes))
    cases.append(Case(
        "M^X/M/1", "parties of 1-3 members queueing one by one, 0.35 parties/min, E[S]=1 min",
        textwrap.dedent(f"""\
            name: selfcheck parties
            clock: {{open: "00:00"}}
            run: {{length_min: 3000, warm_up_min: 200}}
            customer_classes: {{c: {{pathway: p}}}}
            arrivals:
              parties:
                rate_per_hour: {{"00:00": {lam * 60:.6g}}}
                group_size: {{dist: empirical, values: {list(sizes)}}}
                members_queue: individually
            stations:
              s: {{counters: 1, staffed: false, service: {_exp(es)}}}
            pathways: {{p: [s]}}
        """),
        (Quantity("party mean wait (min)", _kpi("s__wait_mean_min"), bm.mean_party_wait_min),
         Quantity("mean members waiting", _kpi("s__queue_len_tw"), bm.members.mean_queue_len),
         Quantity("utilisation", _kpi("s__utilisation_tw"), bm.members.utilisation)),
    ))
    return cases


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def _class_waits(records: Any) -> dict[str, float]:
    """Mean wait per class of served customers arriving at or after the warm-up."""
    c = records.customers
    keep = (c["arrival_min"] >= records.stats_start_min) & (
        c["outcome"] == CustomerOutcome.SERVED)
    out: dict[str, float] = {}
    for idx, name in enumerate(records.class_names):
        w = c["wait_min"][keep & (c["class_idx"] == idx)]
        out[f"class__{name}__wait_mean_min"] = float(np.mean(w)) if w.size else math.nan
    return out


def _kpis_with_classes(plan: Plan, seed: int, replication: int) -> dict[str, float]:
    """KPI row of one replication plus per-class mean waits (a pure function)."""
    records = simulate(plan, seed, replication)
    check_conservation(records)
    kpis = replication_kpis(records, plan.scenario.standards,
                            cost_rates(plan))
    kpis.update(_class_waits(records))
    return kpis


def _kpi_rows(case: Case, replications: int, seed: int, jobs: int) -> list[dict[str, float]]:
    plan = compile_plan(load_scenario_text(case.yaml).scenario)
    if not case.per_class:
        return [r.kpis for r in run_replications(plan, replications, seed, jobs=jobs)]
    if jobs == 1 or replications <= 1:
        return [_kpis_with_classes(plan, seed, r) for r in range(replications)]
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=jobs)(
        delayed(_kpis_with_classes)(plan, seed, r) for r in range(replications)))


def run_case(case: Case, replications: int = DEFAULT_REPLICATIONS, seed: int = DEFAULT_SEED,
             jobs: int = 1) -> list[CheckResult]:
    """Simulate one case and return one :class:`CheckResult` per quantity."""
    rows = _kpi_rows(case, replications, seed, jobs)
    return [check(case.name, q.label, [q.extract(k) for k in rows], q.theory, q.slack)
            for q in case.quantities]


def run_selfcheck(
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    jobs: int = 1,
    cases: Sequence[Case] | None = None,
    on_case: Callable[[Case, list[CheckResult], float], None] | None = None,
) -> list[CheckResult]:
    """Run the self-check: every case, every quantity.

    Parameters
    ----------
    replications : int, default 20
        Replications per case (at least 2).
    seed : int, default DEFAULT_SEED
        Seed of every case's replications; the result is a pure function of the arguments.
    jobs : int, default 1
        Worker processes per case (joblib semantics: -1 uses every core). Results do not
        depend on it.
    cases : sequence of Case, optional
        The cases to run (default :func:`default_cases`).
    on_case : callable, optional
        Called after each case with the case, its results and its wall time in seconds.

    Returns
    -------
    list of CheckResult
        In case order, then quantity order.
    """
    if replications < 2:
        raise ValueError(f"replications must be >= 2 for an interval (got {replications})")
    out: list[CheckResult] = []
    for case in default_cases() if cases is None else cases:
        t0 = time.perf_counter()
        res = run_case(case, replications, seed, jobs)
        if on_case is not None:
            on_case(case, res, time.perf_counter() - t0)
        out.extend(res)
    return out


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _g(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.4f}" if abs(x) < 100 else f"{x:.1f}"


def format_table(results: Sequence[CheckResult]) -> str:
    """The self-check as a text table, one line per quantity."""
    head = (f"{'case':12s} {'quantity':30s} {'theory':>8s} {'simulated':>9s} "
            f"{'95% interval':>19s} {'dev/SE':>6s}  result")
    lines = [head, "-" * len(head)]
    for r in results:
        ci = f"[{_g(r.ci_low)}, {_g(r.ci_high)}]"
        dev = r.deviation_se
        dev_s = f"{dev:+.2f}" if math.isfinite(dev) else "-"
        lines.append(f"{r.case:12s} {r.quantity:30s} {_g(r.theory):>8s} {_g(r.mean):>9s} "
                     f"{ci:>19s} {dev_s:>6s}  {'pass' if r.passed else 'FAIL'}")
    return "\n".join(lines)
