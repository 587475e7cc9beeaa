"""``servsim fit``: from a queue system's log to a validated scenario, and its folder.

:func:`fit_log` reads the log (:mod:`.log`), estimates arrivals (:mod:`.arrivals`), service
times (:mod:`.service`), patience and balking (:mod:`.patience`), staff on duty
(:mod:`.roster`) and routing (:mod:`.routing`), and writes the draft scenario
(:mod:`.scenario_writer`); nothing is written to disk. :func:`write_fit` writes the results
folder atomically (:func:`simulator.experiments.storage.atomic_dir`), optionally with the
back-test (:mod:`.backtest`) and, through :class:`.artifacts.FitArtifacts`, figures and
``fit_report.html``.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.experiments.fitting.arrivals import ALL_DAYS, ArrivalFit, fit_arrivals, make_grid
from simulator.experiments.fitting.artifacts import FitArtifacts
from simulator.experiments.fitting.backtest import BackTest, backtest
from simulator.experiments.fitting.log import LogSettings, TicketLog, read_log
from simulator.experiments.fitting.patience import (
    BalkFit,
    PatienceFit,
    fit_balking,
    fit_patience,
    patience_rows,
)
from simulator.experiments.fitting.quality import DataQuality, LogError
from simulator.experiments.fitting.roster import Roster, fit_roster, shift_text
from simulator.experiments.fitting.routing import Pathway, fit_routing, routing_frame
from simulator.experiments.fitting.scenario_writer import FittedParts, fitted_yaml
from simulator.experiments.fitting.service import ServiceFit, fit_rows, fit_services
from simulator.experiments.storage import (
    atomic_dir,
    platform_info,
    software_versions,
    write_csv,
)
from simulator.scenario.fields import clock_to_min
from simulator.scenario.loader import LoadedScenario

__all__ = ["FitOptions", "FitResult", "fit_log", "write_fit"]

#: The scenario file of a fit folder.
SCENARIO_FILE = "scenario.fitted.yaml"


@dataclass(frozen=True)
class FitOptions:
    """Options of ``servsim fit``.

    Attributes
    ----------
    interval_min : float
        Length of the arrival intervals, minutes.
    day_type : str
        The day type the scenario is fitted to (``all``: every day).
    open, close : str, optional
        Opening hours ("HH:MM") instead of the first and last arrival.
    by_staff : bool
        Also fit service times per staff member (``fits.csv``).
    seed : int
        Seed of the bootstrap, the un-rounding of times and the scenario's ``run.seed``.
    name : str, optional
        The scenario's name.
    """

    interval_min: float = 30.0
    day_type: str = ALL_DAYS
    open: str | None = None
    close: str | None = None
    by_staff: bool = False
    seed: int = 1
    name: str | None = None
    log: LogSettings = field(default_factory=LogSettings)


@dataclass(frozen=True)
class FitResult:
    """Everything :func:`fit_log` estimated, as DataFrames and the draft scenario.

    ``scenario_text`` is ``scenario.fitted.yaml`` (empirical service distributions refer to
    ``empirical/<station>.csv``); ``scenario`` is the same scenario with those values inline,
    ready to simulate.
    """

    log: TicketLog
    options: FitOptions
    arrivals: ArrivalFit
    services: dict[str, ServiceFit]
    patience: PatienceFit
    balking: BalkFit
    roster: Roster
    pathways: list[Pathway]
    scenario_text: str
    scenario: LoadedScenario
    empirical: dict[str, pd.DataFrame]
    dropped: dict[str, str]

    @property
    def quality(self) -> DataQuality:
        """The data-quality table."""
        return self.log.quality

    @property
    def fits(self) -> pd.DataFrame:
        """``fits.csv``: every fitted family with its statistics, per quantity and scope."""
        rows = []
        for fit in self.services.values():
            rows += fit_rows(fit, "service_min")
        rows += patience_rows(self.patience)
        b = self.balking
        rows.append({"quantity": "balk", "scope": "balk", "staff": "",
                     "family": "change_point", "n": b.n_arrivals, "n_exact": b.n_balked,
                     "chosen": b.queue_at_least >= 0, "mean_min": np.nan,
                     "mean_low": np.nan, "mean_high": np.nan, "cv": np.nan, "cv_low": np.nan,
                     "cv_high": np.nan, "loglik": np.nan, "aic": np.nan, "delta_aic": np.nan,
                     "ks_d": np.nan, "ks_p": np.nan, "ad_a2": np.nan,
                     "method": "Bernoulli change point of P(balk | line seen)",
                     "note": b.note + (f"; queue_at_least {b.queue_at_least}, probability "
                                       f"{b.probability:.3f} [{b.probability_low:.3f}, "
                                       f"{b.probability_high:.3f}]"
                                       if b.queue_at_least >= 0 else "")})
        return pd.DataFrame(rows)

    @property
    def routing(self) -> pd.DataFrame:
        """``routing.csv``."""
        return routing_frame(self.pathways)

    @property
    def arrivals_table(self) -> pd.DataFrame:
        """``arrivals.csv``: rates per day type and interval with 95 % intervals."""
        return self.arrivals.table

    @property
    def tests_table(self) -> pd.DataFrame:
        """``arrivals_tests.csv``: the Poisson tests."""
        return pd.DataFrame(self.arrivals.check.rows())


def _rate_comment(row: pd.Series, interval_min: float) -> str:
    return (f"{row['days']} days: mean {row['mean_count']:.1f} per {interval_min:g} min; "
            f"95% CI [{row['ci_low']:.1f}, {row['ci_high']:.1f}] ({row['method']})")


def _select_days(log: TicketLog, day_type: str) -> TicketLog:
    if day_type == ALL_DAYS:
        return log
    v = log.visits
    kinds = sorted(set(v["day_type"]))
    if day_type not in kinds:
        raise LogError(f"{log.path}: --day-type {day_type}: no such day type (got "
                       f"{', '.join(kinds)}; expected one of them or {ALL_DAYS})")
    keep = v[v["day_type"] == day_type]
    return TicketLog(log.path, log.sha256, keep.reset_index(drop=True), log.quality,
                     log.columns, log.rows_read, tuple(sorted(keep["day"].unique())),
                     log.time_resolution_min)


def fit_log(path: str | Path, options: FitOptions = FitOptions()) -> FitResult:
    """Fit a scenario to a ticket log.

    Parameters
    ----------
    path : str or Path
        The log (CSV, or ``.xlsx`` with the ``excel`` extra).
    options : FitOptions

    Returns
    -------
    FitResult
        The estimates (DataFrames through its properties) and the draft scenario.

    Raises
    ------
    LogError
        If the log cannot be used (the message says why and what was expected).

    Examples
    --------
    >>> res = fit_log("scenarios/examples/hall_ticket_log.csv")  # doctest: +SKIP
    >>> res.fits[res.fits["chosen"]]  # doctest: +SKIP
    """
    full = read_log(path, options.log)
    log = _select_days(full, options.day_type)
    first = log.visits.loc[log.visits["step"] == 0, "issued_min"].to_numpy(dtype=float)
    grid = make_grid(first, options.interval_min,
                     clock_to_min(options.open) if options.open else None,
                     clock_to_min(options.close) if options.close else None)
    outside = log.visits[(log.visits["step"] == 0)
                         & ((log.visits["issued_min"] < grid.open_min)
                            | (log.visits["issued_min"] >= grid.close_min))]
    log.quality.add("arrival outside the opening hours (--open/--close)",
                    outside["line"].tolist(), "left out of the arrival rates")
    arrivals = fit_arrivals(full, grid, options.seed)
    dq = log.quality
    services = fit_services(log, options.seed, options.by_staff)
    dropped: dict[str, str] = {}
    for station in log.stations:
        fit = services[station]
        if fit.chosen == "":
            lines = log.visits.loc[log.visits["station"] == station, "line"].tolist()
            dq.add("service type with too few completed services to fit", lines,
                   "left out of the scenario (its visits skipped)", detail=f"{station}: "
                   f"{fit.note}")
            dropped[station] = fit.note
    if dropped:
        v = log.visits[~log.visits["station"].isin(dropped)].copy()
        v["step"] = v.groupby("ticket", sort=False).cumcount()
        log = TicketLog(log.path, log.sha256, v.reset_index(drop=True), dq, log.columns,
                        log.rows_read, log.days, log.time_resolution_min)
        if v.empty:
            raise LogError(f"{log.path}: no service type has enough completed services to "
                           f"fit (got {'; '.join(dropped.values())})")
    patience = fit_patience(log, dq)
    balk = fit_balking(log)
    roster = fit_roster(log, grid)
    pathways = fit_routing(log)
    station_fits = {s: services[s] for s in log.stations}
    rates = [(float(r["start_min"]), float(r["rate_per_hour"]),
              _rate_comment(r, options.interval_min))
             for _, r in arrivals.rates(options.day_type).iterrows()]
    empirical = {s: pd.DataFrame({"minutes": np.round(np.sort(f.values), 4)})
                 for s, f in station_fits.items() if f.chosen == "empirical"}
    notes = []
    if dq.rows_out():
        notes.append(f"{dq.rows_out():,} of {full.rows_read:,} rows were left out: see "
                     "data_quality.csv")
    if not arrivals.check.poisson:
        notes.append("Arrival check: " + arrivals.check.verdict.split(". ")[0] + ".")
    parts = FittedParts(
        name=options.name or f"Fitted from {Path(path).name}", source=Path(path).name,
        sha256=full.sha256, days=log.days, day_type=options.day_type, grid=grid, rates=rates,
        services=station_fits,
        empirical_files={s: f"empirical/{s}.csv" for s in empirical}, patience=patience,
        balk=balk, roster=roster, pathways=pathways, seed=options.seed, notes=notes)
    text, _ = fitted_yaml(parts)
    _, inline = fitted_yaml(FittedParts(**{**parts.__dict__, "empirical_files": {}}))
    return FitResult(log, options, arrivals, services, patience, balk, roster, pathways, text,
                     inline, empirical, dropped)


def write_fit(result: FitResult, out_dir: Path, *, validate: bool = False,
              replications: int = 40, jobs: int = 1, force: bool = False,
              artifacts: FitArtifacts | None = None, on_replication=None,
              ) -> BackTest | None:
    """Write a fit's folder atomically; with ``validate`` also the back-test.

    Files: ``scenario.fitted.yaml`` (and ``empirical/*.csv``), ``fits.csv``,
    ``data_quality.csv``, ``arrivals.csv``, ``arrivals_tests.csv``, ``routing.csv``,
    ``roster.csv``, ``backtest.csv`` (with ``validate``), figures and ``fit_report.html``
    (through ``artifacts``), ``manifest.json`` last.

    Returns
    -------
    BackTest or None
    """
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    bt = None
    with atomic_dir(Path(out_dir), force=force) as tmp:
        (tmp / SCENARIO_FILE).write_text(result.scenario_text, encoding="utf-8")
        for station, frame in result.empirical.items():
            (tmp / "empirical").mkdir(exist_ok=True)
            write_csv(frame, tmp / "empirical" / f"{station}.csv")
        tables = {"fits.csv": result.fits, "data_quality.csv": result.quality.frame(),
                  "arrivals.csv": result.arrivals_table,
                  "arrivals_tests.csv": result.tests_table, "routing.csv": result.routing,
                  "roster.csv": result.roster.table}
        if validate:
            bt = backtest(result.log, result.scenario, interval_min=result.options.interval_min,
                          replications=replications, jobs=jobs, on_replication=on_replication)
            tables["backtest.csv"] = bt.table
        for name, frame in tables.items():
            write_csv(frame, tmp / name)
        figures = artifacts.fit_figures(tmp / "figures", result, bt) if artifacts and \
            artifacts.figures else []
        manifest = fit_manifest(result, bt, figures, sorted(tables), started,
                                time.perf_counter() - t0, replications, jobs,
                                report=bool(artifacts and artifacts.report))
        if artifacts is not None and artifacts.report:
            artifacts.write_fit_report(tmp, result, bt, manifest)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")
    return bt


def fit_manifest(result: FitResult, bt: BackTest | None, figures: list[str],
                 tables: list[str], started: datetime, wall_s: float, replications: int,
                 jobs: int, report: bool) -> dict:
    """``manifest.json`` of a fit folder: the log's SHA-256, options, software, files."""
    log = result.log
    opts = asdict(result.options)
    return {
        "servsim_manifest": 1,
        "kind": "fit",
        "log": {"path": str(log.path), "sha256": log.sha256, "rows": log.rows_read,
                "rows_used": len(log.visits), "rows_left_out": log.quality.rows_out(),
                "days": list(log.days), "columns": log.columns,
                "time_resolution_min": log.time_resolution_min},
        "options": opts,
        "scenario": {"file": SCENARIO_FILE, "name": result.scenario.scenario.name,
                     "stations": list(result.scenario.scenario.stations),
                     "dropped_service_types": result.dropped},
        "arrivals_check": {"verdict": result.arrivals.check.verdict,
                           "poisson": result.arrivals.check.poisson},
        "roster": {s: [shift_text(x) for x in sh] for s, sh in result.roster.shifts.items()},
        "backtest": None if bt is None else {
            "replications": bt.replications, "seed": bt.seed, "cells": bt.cells,
            "flagged": bt.flagged, "chance_bound_99": bt.chance_bound,
            "credible": bt.credible, "verdict": bt.verdict, "wait_limits_min": bt.limits},
        "outputs": {"files": sorted([SCENARIO_FILE, "manifest.json", *tables,
                                     *[f"empirical/{s}.csv" for s in result.empirical],
                                     *(["fit_report.html"] if report else []),
                                     *[f"figures/{f}" for f in figures]]),
                    "jobs": jobs, "replications": replications if bt else 0},
        "software": software_versions(),
        "platform": platform_info(),
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_time_s": round(wall_s, 3),
    }
