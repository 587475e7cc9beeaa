"""What every test folder shares: the checkout's paths and a minimal valid scenario."""

from __future__ import annotations

from pathlib import Path

#: The repository checkout the tests run from.
ROOT = Path(__file__).resolve().parents[1]
#: The bundled scenario library.
SCENARIOS = ROOT / "scenarios"
#: The bundled government service hall, the scenario most tests run.
HALL = SCENARIOS / "government_hall.yaml"

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
