"""A step with ``renege: false``: the class patience does not apply there (exact timelines)."""

from __future__ import annotations

from simulator.engine.records import CustomerOutcome
from tests.engine.timeline import run_text, visits

TWO_STEPS = """
name: seated
clock: {{open: "09:00", close: "12:00"}}
customer_classes:
  party: {{pathway: p, patience: {{dist: constant, value: 3}}}}
arrivals:
  log: {{trace: trace.csv}}
stations:
  host: {{counters: 1, staffed: false, service: {{dist: constant, value: 4}}}}
  kitchen: {{counters: 1, staffed: false, service: {{dist: constant, value: 10}}}}
pathways: {{p: [host, {kitchen}]}}
"""


def test_patience_applies_at_every_step_by_default(tmp_path):
    rec = run_text(tmp_path, TWO_STEPS.format(kitchen="kitchen"), "time\n0\n2\n")
    assert visits(rec) == [
        (0, "host", 540.0, 540.0, 544.0, "SERVED"),
        (0, "kitchen", 544.0, 544.0, 554.0, "SERVED"),
        (1, "host", 542.0, 544.0, 548.0, "SERVED"),     # waited 2 < 3 at the host
        (1, "kitchen", 548.0, None, None, "ABANDONED"),  # gives up at 551, 3 min in line
    ]
    assert rec.customers["departure_min"].tolist() == [554.0, 551.0]
    assert rec.customers["wait_min"].tolist() == [0.0, 5.0]


def test_no_renege_step_keeps_the_customer_in_line(tmp_path):
    rec = run_text(tmp_path, TWO_STEPS.format(kitchen="{step: kitchen, renege: false}"),
                   "time\n0\n2\n4.5\n")
    assert visits(rec) == [
        (0, "host", 540.0, 540.0, 544.0, "SERVED"),
        (0, "kitchen", 544.0, 544.0, 554.0, "SERVED"),
        (1, "host", 542.0, 544.0, 548.0, "SERVED"),
        (1, "kitchen", 548.0, 554.0, 564.0, "SERVED"),  # waits 6 > 3 and stays
        (2, "host", 544.5, None, None, "ABANDONED"),    # patience still holds at the host
    ]
    c = rec.customers
    assert c["outcome"].tolist() == [int(CustomerOutcome.SERVED), int(CustomerOutcome.SERVED),
                                     int(CustomerOutcome.ABANDONED)]
    assert c["wait_min"].tolist() == [0.0, 8.0, 3.0]
