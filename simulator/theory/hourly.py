"""Hour-by-hour stationary Erlang C approximation of a scenario, beside its simulation.

Planners often size a service hall with Erlang C, one hour at a time, as if every hour were a
steady state of its own. This module puts that approximation next to the simulated result so
users see where it holds and where time-varying load, staff breaks, queues carried over from
the previous hour, abandonment and class priorities make it wrong.

For each station *s* and clock hour *h* that the doors are open (the statistics window clipped
to the hour, ``[max(60h, T0), min(60h + 60, close)]``, of length :math:`\\ell_h` minutes):

* arrival rate :math:`\\lambda_{s,h}` = mean over replications of the visits that joined the
  station's line in that hour (``by_hour`` ``arrivals``, balking and blocked visits included),
  divided by :math:`\\ell_h`;
* mean service time :math:`E[S_s]` = busy counter-minutes per served visit over the whole run,
  pooled over replications: :math:`\\sum_r \\text{busy\\_tw}_{s,r} W_r /
  \\sum_r \\text{served}_{s,r}` (so it includes staff skill, the class mix and rework after a
  failed service);
* offered load :math:`a = \\lambda_{s,h} E[S_s]` (Erlangs);
* servers :math:`c` = the time-weighted mean of staff on duty in the hour (counters for an
  unstaffed station), averaged over replications and rounded down, at most the counters. A
  shortfall of up to one server-minute in the hour is forgiven (``floor(mean + 1/60)``), so a
  break that ended a few seconds late in one replication does not remove a server;
* predicted mean wait :math:`W_q = C(c, a) E[S_s] / (c - a)` (Erlang C,
  :func:`simulator.theory.mmc`) when :math:`a < c`, otherwise the hour is *overloaded* and no
  stationary prediction exists;
* simulated mean wait: the mean over replications of the hour's mean wait at the station
  (visits that joined in the hour and started service), with its 95% Student-t interval
  (:func:`simulator.measures.stats.t_interval`; replications without such a visit are left out). The
  lower bound is clipped at 0: a wait cannot be negative, and clipping an interval to the
  possible values keeps its coverage.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley, ch. 2 (M/M/c).
Green, L. V., Kolesar, P. J. & Whitt, W. (2007). Coping with time-varying demand when setting
    staffing requirements for a service system. *Production and Operations Management* 16(1),
    13-39. (Why the stationary independent-period approximation fails.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from simulator.measures.stats import t_interval
from simulator.scenario.plan import Plan
from simulator.theory.markovian import mmc

__all__ = ["HOURLY_THEORY_COLUMNS", "ReplicationRows", "hourly_theory"]


class ReplicationRows(Protocol):
    """What :func:`hourly_theory` reads of a replication: its KPI row and its by-hour rows
    (a :class:`simulator.experiments.runner.ReplicationResult` has both)."""

    kpis: dict[str, float]
    by_hour: list[dict[str, Any]]

#: Columns of :func:`hourly_theory`, in order.
HOURLY_THEORY_COLUMNS: tuple[str, ...] = (
    "hour",
    "clock",
    "station",
    "minutes_open",
    "arrivals_per_hour",
    "mean_service_min",
    "offered_load",
    "servers",
    "utilisation",
    "status",
    "p_wait",
    "predicted_wait_min",
    "sim_wait_mean_min",
    "sim_wait_ci_low",
    "sim_wait_ci_high",
    "sim_n",
    "sim_utilisation",
)

# "Time-weighted mean servers, rounded down", forgiving a shortfall of up to one server-minute
# in the hour: a clerk back from a break a few seconds late (finishing a customer first) in one
# replication must not remove a whole server from the prediction.
_DUTY_GRACE = 1.0 / 60.0


def _station_mean_service(results: Sequence[ReplicationRows], station: str) -> float:
    """Busy counter-minutes per served visit, pooled over replications (NaN if none served)."""
    busy = 0.0
    served = 0.0
    for r in results:
        k = r.kpis
        b = k[f"{station}__busy_tw"] * k["stats_window_min"]
        if math.isfinite(b):
            busy += b
        served += k[f"{station}__served"]
    return busy / served if served > 0 else math.nan


def hourly_theory(plan: Plan, results: Sequence[ReplicationRows]) -> pd.DataFrame:
    """Stationary Erlang C prediction per station and open hour, beside the simulated waits.

    A pure function of the plan and the replications' KPI rows and ``by_hour`` rows (see the
    module docstring for every definition).

    Parameters
    ----------
    plan : Plan
        The compiled scenario the results come from.
    results : sequence of ReplicationRows
        Replications of ``plan`` (for example from
        :func:`simulator.experiments.runner.run_replications`), at least one, with their
        ``by_hour`` rows.

    Returns
    -------
    pandas.DataFrame
        One row per (open hour, station), hours ascending, stations in scenario order, with the
        columns :data:`HOURLY_THEORY_COLUMNS`:

        - ``hour`` (int, clock hour), ``clock`` ("HH:00"), ``station``;
        - ``minutes_open`` (:math:`\\ell_h`), ``arrivals_per_hour`` (60 λ),
          ``mean_service_min``, ``offered_load``, ``servers`` (int), ``utilisation`` (a / c,
          NaN without servers);
        - ``status``: ``"ok"`` (a < c), ``"overloaded"`` (a >= c > 0) or ``"no servers"``
          (c = 0);
        - ``p_wait`` (Erlang C) and ``predicted_wait_min`` (NaN unless ``status == "ok"``);
        - ``sim_wait_mean_min``, ``sim_wait_ci_low``, ``sim_wait_ci_high`` (95% t-interval
          over replications), ``sim_n`` (replications with a served visit in the hour);
        - ``sim_utilisation``: simulated busy / on-duty time in the hour, mean over
          replications.

    Raises
    ------
    ValueError
        If ``results`` is empty or has no ``by_hour`` rows.
    """
    if not results:
        raise ValueError("hourly_theory needs at least one replication (got none)")
    rows = [row for r in results for row in r.by_hour]
    if not rows:
        raise ValueError("hourly_theory needs by_hour rows (got replications without them)")
    frame = pd.DataFrame(rows)
    frame = frame[frame["station"] != "all"]
    t0, close = float(plan.stats_start_min), float(plan.close_min)
    out: list[dict[str, object]] = []
    for hour in sorted(frame["hour"].unique().tolist()):
        h = int(hour)
        lo, hi = max(60.0 * h, t0), min(60.0 * h + 60.0, close)
        if hi <= lo:
            continue  # the doors are not open in this hour (draining after close)
        minutes = hi - lo
        for sp in plan.stations:
            mine = frame[(frame["hour"] == h) & (frame["station"] == sp.name)]
            arrivals = float(mine["arrivals"].sum()) / len(results)
            lam = arrivals / minutes  # per minute
            es = _station_mean_service(results, sp.name)
            duty = mine["on_duty_tw"].to_numpy(dtype=float)
            on_duty = float(np.nanmean(duty)) if np.isfinite(duty).any() else 0.0
            servers = min(sp.counters, math.floor(on_duty + _DUTY_GRACE))
            load = lam * es if lam > 0 else 0.0
            p_wait = math.nan
            predicted = math.nan
            if servers == 0:
                status = "no servers"
            elif load >= servers:
                status = "overloaded"
            else:
                status = "ok"
                if lam > 0:
                    m = mmc(lam, es, servers)
                    p_wait, predicted = m.p_wait, m.mean_wait_min
                else:
                    p_wait, predicted = 0.0, 0.0
            waits = mine["wait_mean_min"].to_numpy(dtype=float)
            ti = t_interval(waits)
            ci_low = max(0.0, ti.ci_low) if math.isfinite(ti.ci_low) else ti.ci_low
            util = mine["utilisation_tw"].to_numpy(dtype=float)
            out.append({
                "hour": h,
                "clock": f"{h % 24:02d}:00",
                "station": sp.name,
                "minutes_open": minutes,
                "arrivals_per_hour": 60.0 * lam,
                "mean_service_min": es,
                "offered_load": load,
                "servers": int(servers),
                "utilisation": load / servers if servers > 0 else math.nan,
                "status": status,
                "p_wait": p_wait,
                "predicted_wait_min": predicted,
                "sim_wait_mean_min": ti.mean,
                "sim_wait_ci_low": ci_low,
                "sim_wait_ci_high": ti.ci_high,
                "sim_n": ti.n,
                "sim_utilisation": float(np.nanmean(util)) if np.isfinite(util).any()
                else math.nan,
            })
    return pd.DataFrame(out, columns=list(HOURLY_THEORY_COLUMNS))
