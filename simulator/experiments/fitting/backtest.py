"""The back-test: simulate a scenario and compare it with the log, interval by interval.

For every station of the scenario that the log names, interval of joining and measure of
:data:`simulator.measures.log_compare.MEASURES`, the observed value is the mean over the
log's days of that day's value; the simulated replications give the model's mean and sd of
a day's value. Under the model, the mean of D observed days falls in the 95 % prediction
band ``mean ± t(R-1) · sd · sqrt(1/D + 1/R)`` (R replications), clipped to what is possible
(0 or more; at most 1 for shares). A cell outside its band is flagged; if the model is
right about 5 % of cells are flagged by chance, and the verdict compares the count with the
binomial 99 % bound of that.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulator.engine.records import Records
from simulator.experiments.fitting.arrivals import Grid
from simulator.experiments.fitting.log import TicketLog
from simulator.experiments.fitting.quality import LogError
from simulator.experiments.runner import map_replications
from simulator.measures.log_compare import (
    ABANDONED,
    BALKED,
    MEASURES,
    SERVED,
    interval_measures,
    records_visits,
)
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.plan import compile_plan
from simulator.scenario.schema import Scenario

__all__ = ["BackTest", "backtest", "log_visits", "wait_limits"]

_SHARES = {"over_standard_share", "abandon_rate", "utilisation"}
_OUTCOME = {"served": SERVED, "abandoned": ABANDONED, "balked": BALKED}

#: Default wait limit (minutes) of ``over_standard_share`` for stations without a standard.
DEFAULT_LIMIT_MIN = 15.0


@dataclass(frozen=True)
class BackTest:
    """The comparison table and its verdict.

    ``table`` columns: ``station``, ``interval_start``, ``start_min``, ``measure``,
    ``observed``, ``days``, ``simulated_mean``, ``band_low``, ``band_high``, ``flag``.
    """

    table: pd.DataFrame
    replications: int
    seed: int
    cells: int
    flagged: int
    chance_bound: int
    verdict: str
    limits: dict[str, float]

    @property
    def credible(self) -> bool:
        """Whether no more cells are flagged than chance allows."""
        return self.flagged <= self.chance_bound


def wait_limits(scenario: Scenario, stations: Sequence[str],
                default_min: float = DEFAULT_LIMIT_MIN) -> dict[str, float]:
    """Wait limit per station: its first station standard, else ``default_min``."""
    out = {}
    for s in stations:
        std = next((x for x in scenario.standards if x.station == s), None)
        out[s] = float(std.wait_max_min) if std is not None else float(default_min)
    return out


def log_visits(log: TicketLog, stations: Sequence[str]) -> dict[str, np.ndarray]:
    """The log's visits as arrays of :func:`interval_measures` (stations by index in
    ``stations``; -1 for others); ``day`` gives each visit's day index."""
    v = log.visits
    index = {s: i for i, s in enumerate(stations)}
    who = v["staff"].where(v["staff"] != "", v["counter"])
    codes, _ = pd.factorize(v["station"].astype(str) + "\0" + who.astype(str))
    server = np.where(who.to_numpy() != "", codes, -1)
    days = {d: k for k, d in enumerate(log.days)}
    return {"station": v["station"].map(index).fillna(-1).to_numpy(dtype=np.int64),
            "join_min": v["join_min"].to_numpy(dtype=float),
            "start_min": v["start_min"].to_numpy(dtype=float),
            "end_min": v["end_min"].to_numpy(dtype=float),
            "outcome": v["outcome"].map(_OUTCOME).fillna(3).to_numpy(dtype=np.int64),
            "server": server.astype(np.int64),
            "day": v["day"].map(days).to_numpy(dtype=np.int64)}


def _measure(records: Records, *, stations: tuple[str, ...], grid: Grid,
             limits: np.ndarray) -> dict[str, np.ndarray]:
    """One replication's measures (runs in the worker)."""
    arrays = records_visits(records)
    names = list(records.station_names)
    remap = np.array([stations.index(n) if n in stations else -1 for n in names] + [-1])
    st = arrays.pop("station")
    return interval_measures(remap[np.where(st >= 0, st, len(names))], **arrays,
                             n_stations=len(stations), grid_start_min=grid.open_min,
                             interval_min=grid.interval_min, n_intervals=grid.starts.size,
                             wait_limit_min=limits)


def _p_bound(n: int) -> int:
    return int(stats.binom.ppf(0.99, n, 0.05)) if n else 0


def backtest(log: TicketLog, loaded: LoadedScenario, *, interval_min: float = 30.0,
             replications: int = 40, seed: int | None = None, jobs: int = 1,
             default_limit_min: float = DEFAULT_LIMIT_MIN,
             on_replication: Callable[[], None] | None = None) -> BackTest:
    """Simulate ``loaded`` and compare it with ``log`` per station, interval and measure.

    Parameters
    ----------
    log : TicketLog
        The days to compare with (all of the log's days are used).
    loaded : LoadedScenario
        A scenario whose station names are the log's service types (as
        :func:`~simulator.experiments.fitting.log.station_name` writes them).
    interval_min : float
        Interval length, minutes; intervals start at the scenario's opening time.
    replications, seed, jobs
        Simulated days, their seed (default the scenario's ``run.seed``) and joblib workers
        (results do not depend on ``jobs``).
    default_limit_min : float
        Wait limit of ``over_standard_share`` at stations without a station standard.

    Raises
    ------
    LogError
        If no service type of the log is a station of the scenario.
    """
    sc = loaded.scenario
    stations = tuple(s for s in sc.stations if s in set(log.stations))
    if not stations:
        raise LogError(f"{log.path}: no service type of the log is a station of the scenario "
                       f"(got log types {', '.join(log.stations)}; expected some of "
                       f"{', '.join(sc.stations)})")
    obs = log_visits(log, stations)
    last = float(np.nanmax(obs["join_min"]))
    n_int = max(1, math.ceil((max(last, sc.close_min) - sc.open_min) / interval_min + 1e-9))
    if (last - sc.open_min) / interval_min >= n_int:
        n_int += 1
    grid = Grid(sc.open_min, sc.open_min + n_int * interval_min, interval_min)
    limits_map = wait_limits(sc, stations, default_limit_min)
    limits = np.array([limits_map[s] for s in stations])
    day = obs.pop("day")
    kw = {"n_stations": len(stations), "grid_start_min": grid.open_min,
          "interval_min": interval_min, "n_intervals": n_int, "wait_limit_min": limits}
    per_day = [interval_measures(**{k: a[day == d] for k, a in obs.items()}, **kw)
               for d in range(len(log.days))]
    plan = compile_plan(sc, loaded.base_dir)
    run_seed = sc.run.seed if seed is None else seed
    measure = functools.partial(_measure, stations=stations, grid=grid, limits=limits)
    sims = map_replications(plan, measure, replications, run_seed, jobs, on_replication)
    rows = []
    t_q = float(stats.t.ppf(0.975, max(replications - 1, 1)))
    for m in MEASURES:
        o = np.stack([d[m] for d in per_day])  # [day, station, interval]
        s = np.stack([r[m] for r in sims])  # type: ignore[index]
        with warnings.catch_warnings():  # all-NaN cells: no value, not compared
            warnings.simplefilter("ignore", RuntimeWarning)
            o_mean = np.nanmean(o, axis=0)
            s_mean = np.nanmean(s, axis=0)
            s_sd = np.nanstd(s, axis=0, ddof=1)
        n_o = np.sum(np.isfinite(o), axis=0)
        n_s = np.sum(np.isfinite(s), axis=0)
        half = t_q * np.nan_to_num(s_sd) * np.sqrt(1.0 / np.maximum(n_o, 1)
                                                   + 1.0 / np.maximum(n_s, 1))
        lo = np.maximum(s_mean - half, 0.0)
        hi = s_mean + half
        if m in _SHARES:
            hi = np.minimum(hi, 1.0)
        for si, name in enumerate(stations):
            for i in range(n_int):
                ok = n_o[si, i] > 0 and n_s[si, i] >= 2
                value = float(o_mean[si, i]) if n_o[si, i] else math.nan
                flag = bool(ok and not (lo[si, i] - 1e-9 <= value <= hi[si, i] + 1e-9))
                rows.append({"station": name, "interval_start": _clock(grid.open_min
                                                                       + i * interval_min),
                             "start_min": grid.open_min + i * interval_min, "measure": m,
                             "observed": value, "days": int(n_o[si, i]),
                             "simulated_mean": float(s_mean[si, i]) if n_s[si, i] else
                             math.nan,
                             "band_low": float(lo[si, i]) if ok else math.nan,
                             "band_high": float(hi[si, i]) if ok else math.nan,
                             "flag": flag, "compared": ok})
    table = pd.DataFrame(rows)
    cells = int(table["compared"].sum())
    flagged = int(table["flag"].sum())
    bound = _p_bound(cells)
    return BackTest(table, replications, run_seed, cells, flagged, bound,
                    _verdict(table, cells, flagged, bound, len(log.days), replications),
                    limits_map)


def _clock(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _verdict(table: pd.DataFrame, cells: int, flagged: int, bound: int, days: int,
             reps: int) -> str:
    head = (f"{flagged} of {cells} interval cells (station × interval × measure) fall outside "
            f"the simulated 95 % band; by chance alone about {0.05 * cells:.0f} would, and "
            f"up to {bound} is still consistent with a correct model (binomial 99 % bound). "
            f"Observed: the mean of {days} logged days; simulated: {reps} replications.")
    if cells == 0:
        return "Nothing could be compared: the log and the simulation share no interval."
    if flagged <= bound:
        return ("The scenario reproduces the log: " + head[0].lower() + head[1:])
    worst = (table[table["flag"]].groupby(["station", "measure"]).size()
             .sort_values(ascending=False).head(3))
    where = ", ".join(f"{m.replace('_', ' ')} at {s} ({n} intervals)"
                      for (s, m), n in worst.items())
    return (f"The scenario departs from the log more than chance allows: {head} Most flags: "
            f"{where}. Look at those before trusting the scenario's answers there.")
