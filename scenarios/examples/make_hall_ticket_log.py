"""Make scenarios/examples/hall_ticket_log.csv: ten weekdays of a SIMULATED ticket log.

The log is not real data. It is what a ticket system would export if the hall described by
scenarios/examples/hall_ticket_truth.yaml (the ground truth) ran for ten weekdays, made with
simulator.experiments.fitting.synthetic.simulated_log. Five deliberately bad rows are added
at the end (an unparseable time, a service ending before it starts, a zero-length service,
an unknown status and a duplicated row) so that data_quality.csv has something to show.

    python scenarios/examples/make_hall_ticket_log.py
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from simulator.experiments.fitting.synthetic import simulated_log, weekdays
from simulator.scenario.loader import load_scenario

HERE = Path(__file__).resolve().parent
SEED = 2026
HEADER = """\
# SIMULATED ticket log of a service hall: NOT real data.
# Made by scenarios/examples/make_hall_ticket_log.py, which simulates the ground truth
# scenarios/examples/hall_ticket_truth.yaml for ten weekdays (seed 2026) and writes what a
# ticket system would export: one row per visit (a ticket with a cashier visit has two rows).
# status: served, left (abandoned; finished = when the customer left) or balked.
# The last five rows are deliberately bad (see docs/fit.md). servsim fit reads this file.
"""


def main() -> Path:
    """Write the log and return its path."""
    loaded = load_scenario(HERE / "hall_ticket_truth.yaml")
    log = simulated_log(loaded, weekdays(date(2026, 3, 2), 10), SEED)
    bad = [
        ["X0001", "2026-03-02", "general", "9:7O", "", "", "", "", "left"],
        ["X0002", "2026-03-03", "general", "10:00:00", "10:05:00", "10:01:00", "general-1",
         "clerk_00", "served"],
        ["X0003", "2026-03-04", "passports", "11:00:00", "11:02:00", "11:02:00",
         "passports-1", "clerk_07", "served"],
        ["X0004", "2026-03-05", "cashier", "12:00:00", "", "", "", "", "escalated"],
        log.iloc[100].tolist(),
    ]
    out = HERE / "hall_ticket_log.csv"
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER)
        log.to_csv(handle, index=False, lineterminator="\n")
        for row in bad:
            handle.write(",".join(str(x) for x in row) + "\n")
    return out


if __name__ == "__main__":
    print(main())
