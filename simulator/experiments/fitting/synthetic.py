"""A ticket log made by simulating a scenario: known truth for testing the fit.

:func:`simulated_log` runs one replication per day and writes what a queue-management
system would export: one row per visit with the ticket number, date, service type, issued,
called and finished times (to the second), desk, clerk and status (``served``, ``left``
with the time the customer left, or ``balked``). Fitting it must give back the scenario it
came from, within the fit's intervals; ``scenarios/examples/make_hall_ticket_log.py`` makes
the bundled example this way.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from simulator.engine.model import simulate
from simulator.engine.records import VisitOutcome
from simulator.measures.record_views import SERVICE_DONE
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.plan import compile_plan

__all__ = ["LOG_COLUMNS", "simulated_log", "weekdays"]

#: Columns of a simulated log (names ``servsim fit`` recognises without a map).
LOG_COLUMNS = ("ticket", "date", "service", "issued", "called", "finished", "desk", "clerk",
               "status")


def weekdays(first: date, n: int) -> list[date]:
    """The first ``n`` Monday-to-Friday dates from ``first`` on."""
    out, d = [], first
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _clock(minutes: np.ndarray) -> np.ndarray:
    s = np.round(np.asarray(minutes, dtype=float) * 60.0)
    ok = np.isfinite(s)
    s = np.where(ok, s, 0).astype(np.int64)
    text = np.char.add(np.char.add(np.char.zfill((s // 3600).astype(str), 2), ":"),
                       np.char.add(np.char.add(np.char.zfill((s // 60 % 60).astype(str), 2),
                                               ":"), np.char.zfill((s % 60).astype(str), 2)))
    return np.where(ok, text, "")


def simulated_log(loaded: LoadedScenario, days: list[date], seed: int) -> pd.DataFrame:
    """The ticket log of ``len(days)`` simulated days (replication k is day k).

    Parameters
    ----------
    loaded : LoadedScenario
        The ground truth.
    days : list of date
        The dates written in the log.
    seed : int
        The run seed of the replications.
    """
    plan = compile_plan(loaded.scenario, loaded.base_dir)
    frames = []
    for k, day in enumerate(days):
        rec = simulate(plan, seed, k)
        v, c = rec.visits, rec.customers
        out = v["outcome"].astype(np.int64)
        keep = out != VisitOutcome.UNFINISHED
        leave = dict(zip(c["customer_id"].tolist(), c["departure_min"].tolist(), strict=True))
        served = np.isin(out, SERVICE_DONE)
        abandoned = out == VisitOutcome.ABANDONED
        left_at = np.array([leave.get(int(i), np.nan) for i in v["customer_id"]])
        finished = np.where(served, v["end_min"], np.where(abandoned, left_at, np.nan))
        status = np.where(served, "served", np.where(abandoned, "left", "balked"))
        names = np.asarray(rec.station_names, dtype=object)[v["station_idx"]]
        desk = np.where(served, np.char.add(np.char.add(names.astype(str), "-"),
                                            (v["counter"] + 1).astype(str)), "")
        clerk = np.where(served & (v["staff_id"] >= 0),
                         np.char.add("clerk_", np.char.zfill(v["staff_id"].astype(str), 2)),
                         "")
        frames.append(pd.DataFrame({
            "ticket": np.char.add("T", np.char.zfill((v["customer_id"] + 1).astype(str), 4)),
            "date": day.isoformat(), "service": names, "issued": _clock(v["join_min"]),
            "called": _clock(np.where(served, v["start_min"], np.nan)),
            "finished": _clock(finished), "desk": desk, "clerk": clerk, "status": status,
            "_t": v["join_min"]})[keep])
    log = pd.concat(frames, ignore_index=True)
    log = log.sort_values(["date", "_t", "ticket"], kind="stable").drop(columns="_t")
    return log.reset_index(drop=True)
