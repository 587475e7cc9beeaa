"""The classroom bank reproduces the textbook result: one shared line beats separate lines.

Same four tellers, same customers (common random numbers: arrival times and service times are
drawn per customer on arrival, so both layouts see identical customers in each replication);
only ``stations.tellers_desk.line`` differs. For each replication we take every served visit's
wait, ``start_min - join_min`` from :func:`simulator.simulate`'s visit records, and compute its
mean and its within-replication standard deviation (the spread of customers' waits that day).
The paired difference ``per_counter - single`` across replications gets a 95 % Student-t
interval (:func:`simulator.measures.stats.paired_difference`); the lesson holds when both
intervals lie above 0. docs/classroom.md quotes the figures :func:`measure` returns (run
``python -m tests.teach.test_classroom`` to print them).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from simulator import LoadedScenario, VisitOutcome, compile_plan, load_scenario, simulate
from simulator.measures.stats import PairedDifference, TInterval, paired_difference, t_interval
from simulator.scenario.overrides import parse_overrides, with_overrides
from tests.helpers import SCENARIOS

SCENARIO = SCENARIOS / "classroom_bank.yaml"
SEPARATE_LINES = "stations.tellers_desk.line=per_counter"
REPLICATIONS = 30


def day_waits(loaded: LoadedScenario, seed: int, replication: int) -> np.ndarray:
    """Waits (minutes) of every served visit at the tellers' desk in one replication."""
    records = simulate(compile_plan(loaded.scenario, loaded.base_dir), seed, replication)
    visits = records.visits
    # no patience, no balking, no failures, every customer served before the day's end
    assert np.all(visits["outcome"] == VisitOutcome.SERVED)
    return visits["start_min"] - visits["join_min"]


def measure(replications: int = REPLICATIONS) -> dict[str, object]:
    """Per-replication mean and sd of waits for both layouts, and their paired differences."""
    single = load_scenario(SCENARIO)
    separate = with_overrides(single, parse_overrides([SEPARATE_LINES]))
    seed = single.scenario.run.seed
    per_layout: dict[str, dict[str, np.ndarray]] = {}
    for label, loaded in (("single", single), ("per_counter", separate)):
        means, sds, counts = [], [], []
        for r in range(replications):
            w = day_waits(loaded, seed, r)
            means.append(w.mean())
            sds.append(w.std(ddof=1))
            counts.append(w.size)
        per_layout[label] = {"mean": np.array(means), "sd": np.array(sds),
                             "n": np.array(counts)}
    out: dict[str, object] = {"seed": seed, "replications": replications}
    for label, cols in per_layout.items():
        out[f"{label}_mean"] = t_interval(cols["mean"])
        out[f"{label}_sd"] = t_interval(cols["sd"])
        out[f"{label}_n"] = cols["n"]
    out["diff_mean"] = paired_difference(per_layout["per_counter"]["mean"],
                                         per_layout["single"]["mean"])
    out["diff_sd"] = paired_difference(per_layout["per_counter"]["sd"],
                                       per_layout["single"]["sd"])
    return out


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    return measure()


def test_same_customers_in_both_layouts(figures: dict[str, object]) -> None:
    """Common random numbers: each replication serves the same customers in both layouts."""
    np.testing.assert_array_equal(figures["single_n"], figures["per_counter_n"])


def test_shared_line_has_shorter_mean_wait(figures: dict[str, object]) -> None:
    diff = figures["diff_mean"]
    assert isinstance(diff, PairedDifference)
    assert diff.n == REPLICATIONS
    assert diff.ci_low > 0, diff  # per_counter - single: separate lines wait longer


def test_shared_line_has_less_variable_waits(figures: dict[str, object]) -> None:
    diff = figures["diff_sd"]
    assert isinstance(diff, PairedDifference)
    assert diff.n == REPLICATIONS
    assert diff.ci_low > 0, diff  # separate lines: waits more spread out (luck of the line)


def test_shared_line_is_fifo_separate_lines_are_not() -> None:
    """Why: with one line nobody is overtaken; with separate lines later arrivals may be."""
    single = load_scenario(SCENARIO)
    separate = with_overrides(single, parse_overrides([SEPARATE_LINES]))
    seed = single.scenario.run.seed

    def overtaken(loaded: LoadedScenario) -> int:
        v = simulate(compile_plan(loaded.scenario, loaded.base_dir), seed, 0).visits
        order = np.argsort(v["join_min"], kind="stable")
        starts = v["start_min"][order]
        return int(np.sum(starts < np.maximum.accumulate(starts)))

    assert overtaken(single) == 0
    assert overtaken(separate) > 0


if __name__ == "__main__":  # print the figures quoted in docs/classroom.md
    t0 = time.perf_counter()
    f = measure()
    elapsed = time.perf_counter() - t0
    print(f"seed {f['seed']}, {f['replications']} replications, {elapsed:.2f} s")
    for key in ("single_mean", "per_counter_mean", "single_sd", "per_counter_sd"):
        ti = f[key]
        assert isinstance(ti, TInterval)
        print(f"{key:18s} {ti.mean:6.2f}  95% CI [{ti.ci_low:5.2f}, {ti.ci_high:5.2f}]")
    for key in ("diff_mean", "diff_sd"):
        d = f[key]
        assert isinstance(d, PairedDifference)
        print(f"{key:18s} {d.mean_diff:+6.2f}  95% CI [{d.ci_low:+5.2f}, {d.ci_high:+5.2f}]"
              f"  (sd of differences {d.sd:.2f})")
    print("customers per day:", f["single_n"].min(), "-", f["single_n"].max())
