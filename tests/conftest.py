"""Shared fixtures: a small valid scenario (one class, one staffed desk, a three-hour day)."""

from __future__ import annotations

from pathlib import Path

import pytest

MINIMAL_SCENARIO = """\
name: Minimal hall
clock: {open: "09:00", close: "12:00"}
run: {replications: 2, seed: 1}
customer_classes:
  walk:
    pathway: main
arrivals:
  walk_in:
    rate_per_hour: {"09:00": 30, "11:00": 10}
stations:
  desk:
    counters: 2
    staff: clerks
    service: {dist: exponential, mean: 4}
staff:
  clerks:
    cost_per_hour: 30
    shifts:
      - {start: "09:00", end: "12:00", count: 2}
pathways:
  main: [desk]
"""
"""A valid scenario, small enough that a replication runs in milliseconds."""


@pytest.fixture
def minimal_scenario_text() -> str:
    """YAML text of :data:`MINIMAL_SCENARIO`."""
    return MINIMAL_SCENARIO


@pytest.fixture
def minimal_scenario_file(tmp_path: Path) -> Path:
    """:data:`MINIMAL_SCENARIO` written to ``tmp_path/minimal.yaml``."""
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL_SCENARIO, encoding="utf-8")
    return path
