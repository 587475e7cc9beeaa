"""Reading a ticket log: exact visits on a tiny log, and every bad-data case with its message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments.fitting.arrivals import fit_arrivals, make_grid
from simulator.experiments.fitting.fit import FitOptions, fit_log
from simulator.experiments.fitting.log import LogSettings, read_log
from simulator.experiments.fitting.patience import queue_seen
from simulator.experiments.fitting.quality import LogError

HEADER = "ticket,date,service,issued,called,finished,clerk,status\n"


def write(tmp_path: Path, rows: str, header: str = HEADER, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + rows, encoding="utf-8")
    return path


TINY = """\
A1,2026-03-02,general,09:00:00,09:00:00,09:10:00,ann,served
A2,2026-03-02,general,09:01:00,09:02:00,09:12:00,bob,served
A3,2026-03-02,general,09:03:00,,09:08:00,,left
A4,2026-03-02,general,09:04:00,09:10:00,09:14:00,ann,served
A4,2026-03-02,cashier,09:14:00,09:15:30,09:17:00,cat,served
A5,2026-03-02,general,09:05:00,,,,balked
"""


def test_tiny_log_gives_exact_visits(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, TINY))
    v = log.visits.set_index(["ticket", "step"])
    assert log.days == ("2026-03-02",)
    assert len(log.visits) == 6 and len(log.quality) == 0
    a4 = v.loc[("2026-03-02/A4", 1)]
    assert (a4["station"], a4["join_min"], a4["start_min"], a4["end_min"]) == (
        "cashier", 554.0, 555.5, 557.0)
    a3 = v.loc[("2026-03-02/A3", 0)]
    assert a3["outcome"] == "abandoned" and a3["end_min"] == 548.0
    assert np.isnan(a3["start_min"])
    # line seen on arriving: A2 finds nobody waiting (A1 in service), A3 finds A2? no:
    # A2 started 09:02, so at 09:03 the line is empty; A4 at 09:04 finds A3; A5 at 09:05 A3, A4
    q = dict(zip(log.visits["line"], queue_seen(log), strict=True))
    assert [q[n] for n in (2, 3, 4, 5, 7)] == [0, 0, 0, 1, 2]
    grid = make_grid(np.array([540.0, 545.0]), 30.0)
    arr = fit_arrivals(log, grid)
    assert (grid.open_min, grid.close_min) == (540.0, 570.0)
    assert arr.counts["all"].tolist() == [[5]]
    assert arr.rates()["rate_per_hour"].tolist() == [10.0]


BAD = """\
B1,2026-03-02,general,09:00:00,09:01:00,09:09:00,ann,served
B2,2026-03-02,general,9:O5,09:06:00,09:10:00,ann,served
B3,2026-03-02,general,09:10:00,09:12:00,09:11:00,ann,served
B4,2026-03-02,general,09:15:00,09:14:00,09:20:00,ann,served
B5,2026-03-02,general,09:20:00,09:21:00,14:30:00,ann,served
B6,2026-03-02,general,09:25:00,09:26:00,09:26:00,ann,served
B1,2026-03-02,general,09:00:00,09:01:00,09:09:00,ann,served
B7,2026-03-02,general,09:30:00,,,,escalated
B8,2026-03-02,general,,09:31:00,09:35:00,ann,served
B9,2026-03-02,general,09:40:00,09:41:00,,ann,served
B10,2026-03-02,general,09:45:00,,,,left
"""


def test_bad_rows_are_counted_by_reason_with_line_numbers(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, BAD))
    got = {r.reason: (r.rows, r.first_lines, r.effect) for r in log.quality}
    assert got == {
        "no issued time": (1, [10], "row left out"),
        "unparseable issued time (column 'issued')": (1, [3], "row left out"),
        "unknown outcome value": (1, [9], "row left out"),
        "served but no service start or end time": (1, [11], "row left out"),
        "service ends before it starts": (1, [4], "row left out"),
        "service of zero length (a mis-click?)": (1, [7], "row left out"),
        "called before the ticket was issued (negative wait)": (1, [5], "row left out"),
        "service longer than 240 min (absurd duration)": (1, [6], "row left out"),
        "duplicate row (same ticket, service type and issued time as an earlier row)":
            (1, [8], "row left out"),
    }
    assert next(r for r in log.quality if r.reason == "unknown outcome value").detail == (
        "got 'escalated'; expected served, abandoned or balked (or outcomes: in fit.yaml)")
    assert sorted(log.visits["line"]) == [2, 12]
    assert log.quality.rows_out() == 9


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2026-03-02\n", header="ticket,date\n")
    with pytest.raises(LogError) as exc:
        read_log(path)
    assert str(exc.value) == (
        f"{path}: no column for issued, when the ticket was issued (the customer's arrival "
        "at the line) (got columns ticket, date; expected one named issued, issued_at, "
        "issue_time, time_issued, ... or --map issued=COLUMN)")


def test_map_to_a_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, TINY)
    with pytest.raises(LogError) as exc:
        read_log(path, LogSettings(columns=(("issued", "Ticket time"),)))
    assert str(exc.value) == (f"{path}: --map issued=Ticket time: no column 'Ticket time' "
                              "(got columns ticket, date, service, issued, called, finished, "
                              "clerk, status)")


def test_map_and_ambiguous_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "1,09:00,09:01,09:05\n", header="no,Printed at,Called,Closed\n")
    with pytest.raises(LogError) as exc:
        read_log(path)
    assert "no column for issued" in str(exc.value)
    log = read_log(path, LogSettings(columns=(("issued", "Printed at"), ("id", "no"))))
    assert log.visits["issued_min"].tolist() == [540.0]
    assert [r.reason for r in log.quality] == ["times without dates: the log is read as one "
                                               "day"]
    both = write(tmp_path, "x\n", header="issued,arrival\n", name="both.csv")
    with pytest.raises(LogError, match="could both be issued"):
        read_log(both)


def test_days_with_no_data_and_partial_days(tmp_path: Path) -> None:
    rows = []
    for day, n in (("2026-03-02", 20), ("2026-03-03", 20), ("2026-03-05", 20),
                   ("2026-03-06", 2)):
        for k in range(n):
            rows.append(f"{day[-2:]}{k},{day},general,09:{k:02d}:00,09:{k:02d}:30,"
                        f"09:{k:02d}:50,ann,served\n")
    log = read_log(write(tmp_path, "".join(rows)))
    got = {r.reason: r for r in log.quality}
    gap = got["day with no tickets (closed, or missing from the export)"]
    assert (gap.rows, gap.effect, gap.detail) == (1, "note", "2026-03-04 (Wednesday)")
    few = got["day with under a fifth of the median day's tickets (a partial export?)"]
    assert (few.rows, few.first_lines, few.detail) == (2, [62, 63],
                                                       "2026-03-06: 2 tickets (median 20)")
    assert log.days == ("2026-03-02", "2026-03-03", "2026-03-05")


def test_too_few_observations_fall_back_or_refuse(tmp_path: Path) -> None:
    rows = []
    for k in range(40):
        rows.append(f"G{k},2026-03-02,general,{9 + k // 10:02d}:{(k % 10) * 5:02d}:00,"
                    f"{9 + k // 10:02d}:{(k % 10) * 5:02d}:10,{9 + k // 10:02d}:"
                    f"{(k % 10) * 5 + 1 + k % 3:02d}:00,ann,served\n")
    for k in range(12):
        rows.append(f"P{k},2026-03-02,passports,10:{k * 4:02d}:00,10:{k * 4:02d}:30,"
                    f"10:{k * 4 + 2:02d}:{(k * 7) % 60:02d},bob,served\n")
    for k in range(3):
        rows.append(f"C{k},2026-03-02,cashier,11:{k * 10:02d}:00,11:{k * 10:02d}:20,"
                    f"11:{k * 10 + 1:02d}:00,cat,served\n")
    res = fit_log(write(tmp_path, "".join(rows)), FitOptions(interval_min=60))
    assert res.services["passports"].chosen == "empirical"
    assert res.services["passports"].note == (
        "too few observations (n=12) for a parametric fit (expected at least 30): the "
        "empirical distribution of the observed times")
    assert res.dropped == {"cashier": "too few observations (n=3) to fit (expected at least 5)"}
    row = next(r for r in res.quality if r.reason.startswith("service type with too few"))
    assert (row.rows, row.effect) == (3, "left out of the scenario (its visits skipped)")
    sc = res.scenario.scenario
    assert set(sc.stations) == {"general", "passports"}
    assert sc.stations["passports"].service.dist == "empirical"
    assert "empirical/passports.csv" in res.scenario_text
    assert res.patience.note == ("too few abandonments (n=0) to estimate patience (expected "
                                 "at least 10): customers in the scenario never abandon")


def test_cli_reports_a_bad_log_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2026-03-02\n", header="ticket,date\n")
    result = CliRunner().invoke(main, ["fit", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith(f"{path}: no column for issued")
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(main, ["fit", str(path), "-o", str(tmp_path / "out"),
                                       "--map", "issued"])
    assert result.exit_code == 1
    assert result.output == "--map 'issued': expected ROLE=COLUMN (got no '=')\n"
