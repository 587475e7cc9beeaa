"""Helpers for exact-timeline tests: tiny scenarios with replayed arrivals."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from simulator.engine.model import simulate
from simulator.engine.records import Records
from simulator.scenario.loader import load_scenario
from simulator.scenario.plan import compile_plan


def run_text(tmp_path: Path, yaml_text: str, trace: str | None = None, seed: int = 1,
             replication: int = 0) -> Records:
    """Write a scenario (and its ``trace.csv``) into ``tmp_path`` and simulate one replication."""
    if trace is not None:
        (tmp_path / "trace.csv").write_text(textwrap.dedent(trace).strip() + "\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(yaml_text))
    loaded = load_scenario(path)
    return simulate(compile_plan(loaded.scenario, loaded.base_dir), seed, replication)


def visits(records: Records) -> list[tuple]:
    """Visits as (customer, station name, join, start, end, outcome name), minutes rounded."""
    from simulator.engine.records import VisitOutcome

    v = records.visits

    def r(x: float) -> float | None:
        return None if np.isnan(x) else round(float(x), 6)

    return [
        (int(v["customer_id"][i]), records.station_names[v["station_idx"][i]],
         r(v["join_min"][i]), r(v["start_min"][i]), r(v["end_min"][i]),
         VisitOutcome(int(v["outcome"][i])).name)
        for i in range(len(v["customer_id"]))
    ]


def staff_rows(records: Records) -> list[tuple]:
    """Staff rows as (slot, kind name, due, left, late)."""
    from simulator.scenario.plan import DutyChange

    s = records.staff
    return sorted(
        (int(s["slot_id"][i]), DutyChange(int(s["kind"][i])).name, round(float(s["due_min"][i]), 6),
         round(float(s["left_min"][i]), 6), round(float(s["late_min"][i]), 6))
        for i in range(len(s["slot_id"]))
    )


def t(clock: str) -> float:
    """Minutes after midnight of "HH:MM"."""
    h, m = clock.split(":")
    return float(int(h) * 60 + int(m))


def levels(records: Records, station: str) -> list[tuple[float, int, int, int]]:
    """A station's level series as (time, waiting, busy, on duty) steps: the last row at each
    instant, and only rows that change something."""
    lv = records.levels
    s = records.station_names.index(station)
    m = lv["station_idx"] == s
    rows = list(zip(lv["time_min"][m].tolist(), lv["queue_len"][m].tolist(),
                    lv["busy"][m].tolist(), lv["on_duty"][m].tolist(), strict=True))
    last: dict[float, tuple] = {}
    for row in rows:
        last[row[0]] = row
    out: list[tuple[float, int, int, int]] = []
    for tm in sorted(last):
        row = last[tm]
        if not out or out[-1][1:] != row[1:]:
            out.append((round(float(tm), 6), int(row[1]), int(row[2]), int(row[3])))
    return out
