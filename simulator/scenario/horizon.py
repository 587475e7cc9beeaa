"""How big a run is before it starts: simulated days and expected customers, with warnings
for horizons that would not finish in reasonable time or memory.

``servsim validate`` and every command that runs a scenario print these warnings (they do not
stop anything): a steady-state run longer than a year, more than
:data:`MAX_CUSTOMERS_PER_REPLICATION` expected customers in one replication (records are
kept in memory), more than :data:`MAX_CUSTOMERS_PER_RUN` over all replications, and, in a
steady-state run that goes past the first day, arrivals that follow the first day's clock
only (shifts repeat daily, see :func:`simulator.scenario.plan.shift_days`; rate tables,
peaks, appointments and waves do not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.scenario.arrivals import Appointments, PoissonArrivals, WaveArrivals
from simulator.scenario.calendar import CLOSED, apply_day_type
from simulator.scenario.fields import MINUTES_IN_DAY, MINUTES_IN_YEAR, clock_to_min
from simulator.scenario.schema import Scenario

__all__ = [
    "MAX_CUSTOMERS_PER_REPLICATION",
    "MAX_CUSTOMERS_PER_RUN",
    "HorizonWarning",
    "expected_customers",
    "horizon_warnings",
]

#: More expected customers than this in one replication is warned about: a replication keeps
#: its records in memory (about 1 KB per customer) and simulates roughly 15,000 customers a
#: second on one core (benchmarks/README.md).
MAX_CUSTOMERS_PER_REPLICATION = 1_000_000
#: More expected customers than this over all replications is warned about (hours of work).
MAX_CUSTOMERS_PER_RUN = 20_000_000
#: Customers simulated per second on one core, with every KPI (the hall day, README "Speed").
_CUSTOMERS_PER_S = 15_000


@dataclass(frozen=True)
class HorizonWarning:
    """A warning about the size of a run: the field it concerns and what to know."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _poisson_customers(src: PoissonArrivals, open_min: float, end_min: float) -> float:
    """Expected arrivals of a piecewise-constant rate table over [open, end), plus peaks."""
    keys = sorted((clock_to_min(k), v) for k, v in src.rate_per_hour.items())
    rate, since, total = 0.0, open_min, 0.0
    for t, r in keys:
        t = max(t, open_min)
        if t >= end_min:
            break
        total += rate * (t - since) / 60.0
        rate, since = r, t
    total += rate * (end_min - since) / 60.0
    total += sum(p.extra_per_hour / 60.0 * p.width_min * math.sqrt(2 * math.pi)
                 for p in src.peaks)
    return total


def _mean_size(size: object) -> float:
    if isinstance(size, int):
        return float(size)
    try:
        return float(size.mean)  # type: ignore[attr-defined]
    except ValueError:  # an empirical file not read yet
        return 0.0


def expected_customers(sc: Scenario) -> float:
    """Expected arrivals (parties) in one replication, from the scenario alone.

    Walk-ins integrate the rate table over the opening hours (or the steady-state run) and
    add each peak's Gaussian mass; appointments count slots times ``per_slot`` less no-shows;
    waves add their mean sizes times their show probability. Traces are not read here and
    count 0. With a calendar, every open day of the horizon as its day type runs it.
    """
    if sc.calendar is not None:
        cal = sc.calendar
        per_type = {name: expected_customers(apply_day_type(sc, name))
                    for name in {cal.day_type(d) for d in range(1, cal.days + 1)}
                    if name != CLOSED}
        return sum(per_type.get(cal.day_type(d), 0.0) for d in range(1, cal.days + 1))
    total = 0.0
    open_min, end_min = sc.open_min, sc.close_min
    for src in sc.arrivals.values():
        if isinstance(src, PoissonArrivals):
            total += _poisson_customers(src, open_min, end_min)
        elif isinstance(src, Appointments):
            t0, t1 = clock_to_min(src.start), clock_to_min(src.end)
            slots = math.floor((t1 - t0) / src.slots_every_min + 1e-9) + 1
            total += slots * src.per_slot * (1.0 - src.no_show)
        elif isinstance(src, WaveArrivals):
            for w in src.waves:
                show = src.probability_show if w.probability_show is None else w.probability_show
                total += _mean_size(w.size) * show
    return total


def horizon_warnings(sc: Scenario, replications: int | None = None) -> list[HorizonWarning]:
    """What is worth knowing about the size of a run before starting it (empty if nothing).

    Parameters
    ----------
    sc : Scenario
        A validated scenario.
    replications : int, optional
        Replications to be run (default: the scenario's ``run.replications``).
    """
    out: list[HorizonWarning] = []
    n_reps = replications if replications is not None else sc.run.replications
    length = sc.run.length_min
    if length is not None and length > MINUTES_IN_YEAR:
        out.append(HorizonWarning("run.length_min", (
            f"the run simulates {length / MINUTES_IN_DAY:,.0f} days (got {length:,.0f} min; "
            f"expected at most a year, {MINUTES_IN_YEAR:,.0f} min, for a run that ends in "
            "reasonable time and memory)")))
    per_rep = expected_customers(sc)
    if per_rep > MAX_CUSTOMERS_PER_REPLICATION:
        out.append(HorizonWarning("arrivals", (
            f"about {per_rep:,.0f} customers per replication (expected at most "
            f"{MAX_CUSTOMERS_PER_REPLICATION:,}: a replication keeps its records in memory, "
            f"about {per_rep / 1e6:,.0f} GB here, and simulates roughly "
            f"{_CUSTOMERS_PER_S:,} customers a second)")))
    if per_rep * n_reps > MAX_CUSTOMERS_PER_RUN:
        hours = per_rep * n_reps / _CUSTOMERS_PER_S / 3600
        out.append(HorizonWarning("run.replications", (
            f"about {per_rep * n_reps:,.0f} customers over {n_reps:,} replications, roughly "
            f"{hours:,.1f} hours on one core (expected at most {MAX_CUSTOMERS_PER_RUN:,})")))
    if length is not None and sc.close_min > MINUTES_IN_DAY:
        days = length / MINUTES_IN_DAY
        run = f"this {days:,.0f}-day" if days >= 10 else f"this {days:,.1f}-day"
        for name, src in sc.arrivals.items():
            what = _first_day_only(src)
            if what:
                out.append(HorizonWarning(f"arrivals.{name}", (
                    f"{what} on the first day only, while staff shifts repeat every day of "
                    f"{run} steady-state run (expected one constant walk-in rate for a "
                    "steady-state study)")))
    return out


def _first_day_only(src: object) -> str:
    """What of an arrival source follows the first day's clock only ('' if nothing)."""
    if isinstance(src, PoissonArrivals):
        if len(set(src.rate_per_hour.values())) > 1 or src.peaks:
            last = src.rate_per_hour[max(src.rate_per_hour, key=clock_to_min)]
            extra = " and peaks" if src.peaks else ""
            return (f"its rate table{extra} (after it the last rate, {last:g} per hour, "
                    "holds) applies")
        return ""
    if isinstance(src, Appointments):
        return "its appointments are booked"
    if isinstance(src, WaveArrivals):
        return "its waves come"
    return ""  # a trace's times may be minutes after open: it covers what it covers
