"""``servsim validate-log``: back-test any scenario against a ticket log, and its folder."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from simulator.experiments.fitting.backtest import DEFAULT_LIMIT_MIN, BackTest, backtest
from simulator.experiments.fitting.log import LogSettings, TicketLog, read_log
from simulator.experiments.storage import (
    atomic_dir,
    platform_info,
    software_versions,
    write_csv,
)
from simulator.scenario.loader import LoadedScenario

__all__ = ["validate_log", "write_validation"]


def validate_log(loaded: LoadedScenario, log_path: str | Path, *,
                 settings: LogSettings | None = None, interval_min: float = 30.0,
                 replications: int = 40, seed: int | None = None, jobs: int = 1,
                 default_limit_min: float = DEFAULT_LIMIT_MIN,
                 on_replication=None) -> tuple[TicketLog, BackTest]:
    """Read ``log_path`` and back-test ``loaded`` against it (see
    :func:`simulator.experiments.fitting.backtest.backtest`)."""
    log = read_log(log_path, settings or LogSettings())
    return log, backtest(log, loaded, interval_min=interval_min, replications=replications,
                         seed=seed, jobs=jobs, default_limit_min=default_limit_min,
                         on_replication=on_replication)


def write_validation(out_dir: Path, loaded: LoadedScenario, log: TicketLog, bt: BackTest, *,
                     force: bool = False, figure=None) -> None:
    """A back-test folder: ``backtest.csv``, ``data_quality.csv``, ``figures/backtest.png``
    (drawn by ``figure(table, path)`` when given) and ``manifest.json``, atomically."""
    t0 = time.perf_counter()
    with atomic_dir(Path(out_dir), force=force) as tmp:
        write_csv(bt.table, tmp / "backtest.csv")
        write_csv(log.quality.frame(), tmp / "data_quality.csv")
        files = ["backtest.csv", "data_quality.csv", "manifest.json"]
        if figure is not None:
            (tmp / "figures").mkdir()
            figure(bt.table, tmp / "figures" / "backtest.png")
            files.append("figures/backtest.png")
        manifest = {
            "servsim_manifest": 1, "kind": "validate-log",
            "scenario": {"name": loaded.scenario.name,
                         "path": str(loaded.path) if loaded.path else None,
                         "sha256_file": loaded.raw_sha256},
            "log": {"path": str(log.path), "sha256": log.sha256, "rows": log.rows_read,
                    "days": list(log.days)},
            "backtest": {"replications": bt.replications, "seed": bt.seed, "cells": bt.cells,
                         "flagged": bt.flagged, "chance_bound_99": bt.chance_bound,
                         "credible": bt.credible, "verdict": bt.verdict,
                         "wait_limits_min": bt.limits},
            "outputs": {"files": sorted(files)},
            "software": software_versions(), "platform": platform_info(),
            "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 3),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")
