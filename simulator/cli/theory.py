"""``servsim theory``: a queueing-theory calculator in planner units, and the hour-by-hour
Erlang C view of a scenario beside its simulation.

The command only parses options, calls :mod:`simulator.theory` (or
:mod:`simulator.theory.hourly`) and formats the answer. Inputs are in planner units: arrival
rates per hour, times in minutes. Tables show the same units; ``--json`` prints the library's
result (``QueueMetrics.to_dict()`` and friends: rates per minute, times in minutes) plus the
inputs as given.

Exit codes: 0 success; 1 an unstable system (the message gives the utilisation) or a scenario
error; 2 a usage error (a missing, inapplicable or invalid option, named in the message).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from simulator import theory as qt
from simulator.theory import PriorityMetrics, QueueMetrics

__all__ = ["MODELS", "qed_beta_for_mean_wait", "qed_beta_for_service_level", "theory"]

#: Models of ``servsim theory MODEL``: required options, optional options, description.
MODELS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "mm1": (("rate_per_hour", "mean_service_min"), ("within_min",),
            "M/M/1: one server, Poisson arrivals, exponential service"),
    "mmc": (("rate_per_hour", "mean_service_min", "servers"), ("within_min",),
            "M/M/c (Erlang C): c servers, one line"),
    "mmck": (("rate_per_hour", "mean_service_min", "servers", "capacity"), (),
             "M/M/c/K: at most K customers inside (K - c waiting places); the rest are refused"),
    "erlang-b": (("rate_per_hour", "mean_service_min", "servers"), (),
                 "M/M/c/c (Erlang B): no waiting room, blocked customers are lost"),
    "erlang-a": (("rate_per_hour", "mean_service_min", "servers", "patience_min"), (),
                 "M/M/c+M (Erlang A): customers abandon after an exponential patience"),
    "mg1": (("rate_per_hour", "mean_service_min", "cv"), (),
            "M/G/1 (Pollaczek-Khinchine): one server, any service-time cv (0 = M/D/1)"),
    "priority": (("rates_per_hour", "mean_service_min"), ("servers",),
                 "non-preemptive priority M/M/c: --rates-per-hour highest priority first"),
    "staffing": (("rate_per_hour", "mean_service_min"),
                 ("service_level", "within_min", "max_mean_wait_min"),
                 "smallest M/M/c servers meeting a service level or a mean-wait target, beside "
                 "square-root staffing"),
}

_OPTION_NAMES = {
    "rate_per_hour": "--rate-per-hour",
    "mean_service_min": "--mean-service-min",
    "servers": "--servers",
    "capacity": "--capacity",
    "patience_min": "--patience-min",
    "cv": "--cv",
    "rates_per_hour": "--rates-per-hour",
    "within_min": "--within-min",
    "service_level": "--service-level",
    "max_mean_wait_min": "--max-mean-wait-min",
}

Row = tuple[str, Any, str]  # (metric, value, unit)


# ---------------------------------------------------------------------------------------------
# Square-root (QED) staffing for a target
# ---------------------------------------------------------------------------------------------


def _solve_beta(excess: Callable[[float], float]) -> float:
    """Root of a decreasing function of beta >= 0 (0 if it is already <= 0 at beta = 0)."""
    from scipy import optimize  # imported on first use: keeps `servsim --help` light

    if excess(0.0) <= 0.0:
        return 0.0
    upper = 1.0
    while excess(upper) > 0.0:
        upper *= 2.0
        if upper > 1e6:  # pragma: no cover - targets are validated to be reachable
            raise ValueError("no square-root staffing parameter meets the target")
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-12, rtol=1e-12))


def qed_beta_for_service_level(
    offered_load: float, mean_service_min: float, target_share: float, within_min: float
) -> float:
    r"""Halfin-Whitt staffing parameter for a service level ``P(Wq <= t) >= target``.

    In the quality-and-efficiency-driven regime :math:`c = a + \beta\sqrt a`, the M/M/c delay
    probability tends to :math:`\alpha(\beta) = [1 + \beta\Phi(\beta)/\varphi(\beta)]^{-1}`
    and :math:`c\mu - \lambda = \beta\sqrt a\,\mu`, so
    :math:`P(W_q > t) \approx \alpha(\beta)\,e^{-\beta\sqrt a\, t/E[S]}`. Returns the smallest
    :math:`\beta \ge 0` with that at most ``1 - target`` (use with
    :func:`simulator.theory.square_root_staffing`).

    References
    ----------
    Halfin & Whitt, *Operations Research* 29(3) (1981), 567-588; Borst, Mandelbaum & Reiman,
    "Dimensioning large call centers", *Operations Research* 52(1) (2004), 17-34.
    """
    root_a = math.sqrt(offered_load)
    tail = 1.0 - target_share

    def excess(beta: float) -> float:
        decay = math.exp(-beta * root_a * within_min / mean_service_min)
        return qt.halfin_whitt_p_wait(beta) * decay - tail

    return _solve_beta(excess)


def qed_beta_for_mean_wait(
    offered_load: float, mean_service_min: float, max_mean_wait_min: float
) -> float:
    r"""Halfin-Whitt staffing parameter for a mean-wait bound ``Wq <= w``.

    With :math:`c = a + \beta\sqrt a`, :math:`W_q = C(c, a)\,E[S]/(c - a) \approx
    \alpha(\beta)\,E[S]/(\beta\sqrt a)`; returns the smallest :math:`\beta > 0` meeting the
    bound (see :func:`qed_beta_for_service_level` for :math:`\alpha` and references).
    """
    root_a = math.sqrt(offered_load)

    def excess(beta: float) -> float:
        if beta == 0.0:
            return math.inf
        wait = qt.halfin_whitt_p_wait(beta) * mean_service_min / (beta * root_a)
        return wait - max_mean_wait_min

    return _solve_beta(excess)


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.6g}"
    return str(value)


def format_rows(title: str, rows: Sequence[Row]) -> str:
    """A three-column text table (metric, value, unit) under a title line."""
    width = max([len("metric"), *(len(m) for m, _, _ in rows)])
    values = [_num(v) for _, v, _ in rows]
    vwidth = max([len("value"), *(len(v) for v in values)])
    lines = [title, f"{'metric':{width}s}  {'value':>{vwidth}s}  unit"]
    lines.append(f"{'-' * width}  {'-' * vwidth}  {'-' * 12}")
    for (metric, _, unit), v in zip(rows, values, strict=True):
        lines.append(f"{metric:{width}s}  {v:>{vwidth}s}  {unit}".rstrip())
    return "\n".join(lines)


def _queue_rows(m: QueueMetrics, lam_h: float, es: float) -> list[Row]:
    rows: list[Row] = [
        ("servers", m.servers, "servers"),
        ("arrival rate", lam_h, "per hour"),
        ("mean service time", es, "min"),
        ("offered load", lam_h / 60.0 * es, "Erlangs"),
        ("utilisation", m.utilisation, "share of server time"),
        ("P(wait)", m.p_wait, "share of arrivals" if m.p_block == 0 else "share admitted"),
        ("mean wait", m.mean_wait_min, "min"),
        ("mean time in system", m.mean_time_in_system_min, "min"),
        ("mean queue length", m.mean_queue_len, "customers"),
        ("mean number in system", m.mean_in_system, "customers"),
        ("throughput", m.throughput_per_min * 60.0, "per hour"),
    ]
    if m.model.startswith("M/M/c/K"):
        rows.append(("P(blocked)", m.p_block, "share of arrivals"))
    if m.model == "M/M/c+M":
        rows.append(("P(abandon)", m.p_abandon, "share of arrivals"))
        rows.append(("mean wait of served", m.mean_wait_served_min, "min"))
        rows.append(("mean wait of abandoning", m.mean_wait_abandoned_min, "min"))
    return rows


def _priority_rows(m: PriorityMetrics, rates_h: Sequence[float], es: float) -> list[Row]:
    rows: list[Row] = [
        ("servers", m.servers, "servers"),
        ("mean service time", es, "min"),
        ("offered load", sum(rates_h) / 60.0 * es, "Erlangs"),
        ("utilisation", m.utilisation, "share of server time"),
        ("P(wait)", m.p_wait, "share of arrivals"),
    ]
    n = len(rates_h)
    for k, (rate, w, t, q) in enumerate(zip(rates_h, m.mean_wait_min_by_class,
                                            m.mean_time_in_system_min_by_class,
                                            m.mean_queue_len_by_class, strict=True), start=1):
        label = f"class {k}" + (" (highest)" if k == 1 else " (lowest)" if k == n else "")
        rows.append((f"{label} arrival rate", rate, "per hour"))
        rows.append((f"{label} mean wait", w, "min"))
        rows.append((f"{label} mean time in system", t, "min"))
        rows.append((f"{label} mean queue length", q, "customers"))
    rows += [
        ("mean wait (all classes)", m.mean_wait_min, "min"),
        ("mean time in system (all)", m.mean_time_in_system_min, "min"),
        ("mean queue length (all)", m.mean_queue_len, "customers"),
        ("mean number in system", m.mean_in_system, "customers"),
        ("throughput", m.throughput_per_min * 60.0, "per hour"),
    ]
    return rows


# ---------------------------------------------------------------------------------------------
# Option checks
# ---------------------------------------------------------------------------------------------


def _parse_rates(text: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(p == "" for p in parts):
        raise click.BadParameter(
            f"expected comma-separated rates per hour, e.g. 30,20 (got {text!r})",
            param_hint="'--rates-per-hour'",
        )
    rates: list[float] = []
    for p in parts:
        try:
            x = float(p)
        except ValueError:
            raise click.BadParameter(
                f"{p!r} is not a number (got {text!r}; expected e.g. 30,20)",
                param_hint="'--rates-per-hour'",
            ) from None
        if not math.isfinite(x) or x < 0:
            raise click.BadParameter(
                f"rates must be finite and >= 0 (got {p!r} in {text!r})",
                param_hint="'--rates-per-hour'",
            )
        rates.append(x)
    return rates


def _check_options(model: str, given: dict[str, Any]) -> None:
    required, optional, _ = MODELS[model]
    missing = [_OPTION_NAMES[k] for k in required if given.get(k) is None]
    if missing:
        raise click.UsageError(f"model {model} needs {', '.join(missing)}")
    allowed = set(required) | set(optional)
    extra = [_OPTION_NAMES[k] for k, v in given.items() if v is not None and k not in allowed]
    if extra:
        raise click.UsageError(
            f"{', '.join(extra)} does not apply to model {model} "
            f"(it takes {', '.join(_OPTION_NAMES[k] for k in (*required, *optional))})"
        )


def _unstable(exc: ValueError) -> click.ClickException:
    found = re.search(r"utilisation (\S+) >= 1", str(exc))
    util = found.group(1) if found else "?"
    return click.ClickException(
        f"unstable system: utilisation {util} >= 1, so the line grows without bound and "
        "there is no steady state; add servers or lower the arrival rate"
    )


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def _calculate(model: str, o: dict[str, Any]) -> tuple[str, list[Row], dict[str, Any]]:
    """Run one model; return (title, table rows, JSON payload)."""
    es: float = o["mean_service_min"]
    given_rate = o.get("rate_per_hour")
    lam_h = float(given_rate) if given_rate is not None else math.nan  # per hour
    lam = lam_h / 60.0  # per minute
    inputs = {k: v for k, v in o.items() if v is not None}
    title = MODELS[model][2]
    if model in ("mm1", "mmc", "mmck", "erlang-a", "mg1"):
        if model == "mm1":
            m = qt.mm1(lam, es)
        elif model == "mmc":
            m = qt.mmc(lam, es, o["servers"])
        elif model == "mmck":
            if o["capacity"] < o["servers"]:
                raise click.BadParameter(
                    f"must be >= --servers (got --capacity {o['capacity']} < --servers "
                    f"{o['servers']}); K counts the customers in service too",
                    param_hint="'--capacity'",
                )
            m = qt.mmck(lam, es, o["servers"], o["capacity"])
        elif model == "erlang-a":
            m = qt.erlang_a(lam, es, o["servers"], o["patience_min"])
        else:
            m = qt.mg1(lam, es, o["cv"])
        rows = _queue_rows(m, lam_h, es)
        payload: dict[str, Any] = {**m.to_dict(), "inputs": inputs}
        if model == "mg1":
            rows.insert(3, ("service time cv", o["cv"], "sd / mean"))
        t = o.get("within_min")
        if t is not None:
            exceeds = qt.mmc_wait_exceeds(lam, es, m.servers, t)
            level = qt.mmc_service_level(lam, es, m.servers, t)
            rows.insert(7, (f"P(wait > {_num(t)} min)", exceeds, "share of arrivals"))
            rows.insert(8, (f"service level P(wait <= {_num(t)} min)", level,
                            "share of arrivals"))
            payload["within_min"] = t
            payload["p_wait_exceeds"] = exceeds
            payload["service_level"] = level
        return title, rows, payload
    if model == "erlang-b":
        title = "M/M/c/c: Erlang B, no waiting room, blocked customers are lost"
        a = lam * es
        b = qt.erlang_b(a, o["servers"])
        carried = a * (1.0 - b)
        payload = {
            "model": "M/M/c/c",
            "servers": o["servers"],
            "offered_load": a,
            "p_block": b,
            "carried_load": carried,
            "utilisation": carried / o["servers"],
            "throughput_per_min": lam * (1.0 - b),
            "inputs": inputs,
        }
        rows = [
            ("servers", o["servers"], "servers"),
            ("arrival rate", lam_h, "per hour"),
            ("mean service time", es, "min"),
            ("offered load", a, "Erlangs"),
            ("P(blocked) (Erlang B)", b, "share of arrivals"),
            ("carried load", carried, "Erlangs"),
            ("utilisation", carried / o["servers"], "share of server time"),
            ("throughput", lam_h * (1.0 - b), "per hour"),
            ("lost customers", lam_h * b, "per hour"),
        ]
        return title, rows, payload
    if model == "priority":
        rates_h = _parse_rates(o["rates_per_hour"])
        servers = o.get("servers") or 1
        rates = [r / 60.0 for r in rates_h]
        pm = (qt.priority_mm1(rates, es) if servers == 1
              else qt.priority_mmc(rates, es, servers))
        inputs["rates_per_hour"] = rates_h
        title = f"{pm.model}: classes highest priority first"
        return title, _priority_rows(pm, rates_h, es), {**pm.to_dict(), "inputs": inputs}
    return _staffing(o, lam, lam_h, es, inputs)


def _staffing(
    o: dict[str, Any], lam: float, lam_h: float, es: float, inputs: dict[str, Any]
) -> tuple[str, list[Row], dict[str, Any]]:
    level, t, wmax = o.get("service_level"), o.get("within_min"), o.get("max_mean_wait_min")
    if level is None and wmax is None:
        raise click.UsageError(
            "model staffing needs a target: --service-level with --within-min, "
            "or --max-mean-wait-min"
        )
    if (level is None) != (t is None):
        raise click.UsageError("--service-level and --within-min go together "
                               "(e.g. --service-level 0.8 --within-min 0.33)")
    a = lam * es
    exact = 1
    targets: list[str] = []
    if level is not None and t is not None:
        exact = max(exact, qt.servers_for_service_level(lam, es, level, t))
        targets.append(f"{level:g} of customers wait at most {t:g} min")
    if wmax is not None:
        exact = max(exact, qt.servers_for_mean_wait(lam, es, wmax))
        targets.append(f"mean wait at most {wmax:g} min")
    beta = 0.0
    if a > 0:
        if level is not None and t is not None:
            beta = qed_beta_for_service_level(a, es, level, t)
        if wmax is not None:
            beta = max(beta, qed_beta_for_mean_wait(a, es, wmax))
    sqrt_c = qt.square_root_staffing(a, beta)
    at_exact = qt.mmc(lam, es, exact)
    at_sqrt = qt.mmc(lam, es, sqrt_c) if sqrt_c > a else None

    def level_at(c: int) -> float:
        return qt.mmc_service_level(lam, es, c, t) if t is not None else math.nan

    rows: list[Row] = [
        ("arrival rate", lam_h, "per hour"),
        ("mean service time", es, "min"),
        ("offered load", a, "Erlangs"),
        ("servers needed (exact Erlang C)", exact, "servers"),
        ("  utilisation", at_exact.utilisation, "share of server time"),
        ("  P(wait)", at_exact.p_wait, "share of arrivals"),
        ("  mean wait", at_exact.mean_wait_min, "min"),
    ]
    if t is not None:
        rows.append((f"  service level P(wait <= {_num(t)} min)", level_at(exact),
                     "share of arrivals"))
    rows += [
        ("square-root staffing beta", beta, "sqrt(Erlangs)"),
        ("servers, ceil(a + beta sqrt(a))", sqrt_c, "servers"),
    ]
    if at_sqrt is not None:
        rows += [("  utilisation", at_sqrt.utilisation, "share of server time"),
                 ("  P(wait)", at_sqrt.p_wait, "share of arrivals"),
                 ("  mean wait", at_sqrt.mean_wait_min, "min")]
        if t is not None:
            rows.append((f"  service level P(wait <= {_num(t)} min)", level_at(sqrt_c),
                         "share of arrivals"))
    payload = {
        "model": "M/M/c staffing",
        "offered_load": a,
        "servers": exact,
        "metrics": at_exact.to_dict(),
        "service_level": level_at(exact) if t is not None else None,
        "square_root": {
            "beta": beta,
            "servers": sqrt_c,
            "metrics": at_sqrt.to_dict() if at_sqrt is not None else None,
            "service_level": level_at(sqrt_c) if t is not None and at_sqrt else None,
        },
        "inputs": inputs,
    }
    title = f"M/M/c staffing for: {' and '.join(targets)}"
    return title, rows, payload


# ---------------------------------------------------------------------------------------------
# The --scenario view
# ---------------------------------------------------------------------------------------------


def format_hourly(table: Any) -> str:
    """Text table of :func:`simulator.theory.hourly.hourly_theory`."""
    head = (f"{'hour':5s} {'station':20s} {'arr/h':>7s} {'E[S]':>6s} {'load':>6s} {'c':>3s} "
            f"{'rho':>5s} {'Erlang C Wq':>12s}   simulated Wq [95% interval]")
    lines = [head, "-" * len(head)]
    for r in table.itertuples(index=False):
        if r.status == "ok":
            pred = _fmt_min(r.predicted_wait_min)
        else:
            pred = r.status
        if r.sim_n == 0:
            sim = "no served visits"
        elif r.sim_n < 2:
            sim = f"{_fmt_min(r.sim_wait_mean_min)}"
        else:
            sim = (f"{_fmt_min(r.sim_wait_mean_min)} "
                   f"[{_fmt_min(r.sim_wait_ci_low)}, {_fmt_min(r.sim_wait_ci_high)}]")
        rho = "-" if math.isnan(r.utilisation) else f"{r.utilisation:.2f}"
        es = "-" if math.isnan(r.mean_service_min) else f"{r.mean_service_min:.2f}"
        lines.append(
            f"{r.clock:5s} {r.station[:20]:20s} {r.arrivals_per_hour:7.1f} {es:>6s} "
            f"{r.offered_load:6.2f} {r.servers:3d} {rho:>5s} {pred:>12s}   {sim}"
        )
    return "\n".join(lines)


def _fmt_min(x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x:.2f}"


def _scenario_view(path: Path, replications: int | None, seed: int | None, jobs: int,
                   as_json: bool) -> None:
    from simulator.experiments.runner import run_replications
    from simulator.scenario.loader import ScenarioError, load_scenario
    from simulator.scenario.plan import compile_plan
    from simulator.theory.hourly import hourly_theory

    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"{path}: invalid scenario; nothing was run") from None
    try:
        plan = compile_plan(loaded.scenario, loaded.base_dir)
    except ValueError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    n = replications or loaded.scenario.run.replications
    used_seed = seed if seed is not None else loaded.scenario.run.seed
    click.echo(f"{loaded.scenario.name}: {n} replications, seed={used_seed}", err=True)
    table = hourly_theory(plan, run_replications(plan, n, used_seed, jobs=jobs))
    if as_json:
        click.echo(json.dumps({
            "scenario": str(path),
            "replications": n,
            "seed": used_seed,
            "rows": json.loads(table.to_json(orient="records")),
        }, indent=2))
        return
    click.echo(f"Stationary Erlang C per station and hour vs simulation: {loaded.scenario.name}"
               f" ({n} replications, seed {used_seed})")
    click.echo(format_hourly(table))
    click.echo(
        "\narr/h: arrivals to the station per hour; E[S]: mean service minutes per served "
        "visit (simulated);\nload = arr/h / 60 x E[S] (Erlangs); c: staff on duty (time-"
        "weighted, rounded down) or counters;\nErlang C Wq: stationary mean wait in minutes, "
        "'overloaded' when load >= c. Differences show\nwhere queues carried between hours, "
        "breaks, priorities and non-exponential service matter."
    )


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


_MODEL_HELP = "\n".join(f"  {name:9s} {desc}" for name, (_, _, desc) in MODELS.items())


@click.command(
    "theory",
    epilog="\b\nModels:\n" + _MODEL_HELP + "\n\n\b\nExamples:\n"
    "  servsim theory mmc --rate-per-hour 100 --mean-service-min 5 --servers 10\n"
    "  servsim theory staffing --rate-per-hour 100 --mean-service-min 5 "
    "--service-level 0.8 --within-min 0.33\n"
    "  servsim theory priority --rates-per-hour 30,20 --mean-service-min 1 --json\n"
    "  servsim theory --scenario scenarios/government_hall.yaml -n 10",
)
@click.argument("model", required=False, metavar="[MODEL]", type=click.Choice(list(MODELS)))
@click.option("--rate-per-hour", type=click.FloatRange(min=0), default=None,
              help="Poisson arrival rate, customers per hour")
@click.option("--mean-service-min", type=click.FloatRange(min=0, min_open=True), default=None,
              help="mean service time, minutes")
@click.option("--servers", type=click.IntRange(min=1), default=None, help="servers c")
@click.option("--capacity", type=click.IntRange(min=1), default=None,
              help="mmck: K, most customers inside (in service plus waiting)")
@click.option("--patience-min", type=click.FloatRange(min=0, min_open=True), default=None,
              help="erlang-a: mean (exponential) patience, minutes")
@click.option("--cv", type=click.FloatRange(min=0), default=None,
              help="mg1: service-time coefficient of variation (0 = constant)")
@click.option("--rates-per-hour", type=str, default=None,
              help="priority: rate per hour of each class, highest priority first (30,20)")
@click.option("--within-min", "--within", "within_min", type=click.FloatRange(min=0),
              default=None, help="service-level threshold t, minutes (P(wait > t))")
@click.option("--service-level", type=click.FloatRange(min=0, max=1, max_open=True),
              default=None, help="staffing: required share waiting at most --within-min")
@click.option("--max-mean-wait-min", "--max-mean-wait", "max_mean_wait_min",
              type=click.FloatRange(min=0, min_open=True), default=None,
              help="staffing: bound on the mean wait, minutes")
@click.option("--scenario", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="hour-by-hour Erlang C view of a scenario beside its "
              "simulation (instead of MODEL)")
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help="--scenario: replications [default: the scenario's run.replications]")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="--scenario: seed [default: the scenario's run.seed]")
@click.option("-j", "--jobs", type=int, default=1,
              help="--scenario: worker processes (1: in-process, -1: all cores)")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
def theory(model: str | None, scenario: Path | None, replications: int | None,
                   seed: int | None, jobs: int, as_json: bool, **options: Any) -> None:
    """Queueing-theory calculator: steady-state measures of MODEL in planner units.

    Rates are per hour and times in minutes. With --scenario S.yaml (and no MODEL), show for
    each station and open hour the stationary Erlang C prediction beside the simulated wait.
    """
    if scenario is not None:
        if model is not None:
            raise click.UsageError("give MODEL or --scenario, not both")
        given = [_OPTION_NAMES[k] for k, v in options.items() if v is not None]
        if given:
            raise click.UsageError(f"{', '.join(given)} does not apply to --scenario")
        _scenario_view(scenario, replications, seed, jobs, as_json)
        return
    if model is None:
        raise click.UsageError(
            f"give a MODEL ({', '.join(MODELS)}) or --scenario S.yaml; see --help")
    for name, value in (("-n/--replications", replications), ("--seed", seed)):
        if value is not None:
            raise click.UsageError(f"{name} applies only with --scenario")
    _check_options(model, options)
    try:
        title, rows, payload = _calculate(model, options)
    except ValueError as exc:
        if str(exc).startswith("unstable"):
            raise _unstable(exc) from None
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(payload, indent=2, allow_nan=True))
    else:
        click.echo(format_rows(title, rows))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(theory())
