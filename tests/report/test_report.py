"""``servsim report`` and the report.html that run, compare and sweep write: sections for each
kind of results folder, the STRESS-DES methods items, escaping, self-containment, byte-identical
output for identical results, ``--no-report`` and ``--no-figures``."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.report import ReportError, write_report
from simulator.report.figures import png_size
from simulator.report.markup import clock, num, pct, with_interval
from simulator.report.methods import constructed_command, reproduce_command
from simulator.report.scenario_text import expected_walk_ins
from simulator.report.sections_run import hour_table, staffed_stations, station_order
from simulator.scenario.loader import load_scenario_text
from tests.helpers import ROOT

REPO = ROOT
HALL = REPO / "scenarios" / "government_hall.yaml"

METHODS_ITEMS = ("1.1 Objectives", "2 Model logic", "3 Data and inputs",
                 "4.1–4.2 Experimentation", "4.3 Estimation and outputs", "5.1 Software",
                 "5.2 Random sampling", "5.3 Model execution", "5.4 System")


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def section(html: str, anchor: str) -> str:
    """The HTML of one ``<section id=anchor>``."""
    m = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert m, f"no section {anchor}"
    return m.group(1)


@pytest.fixture(scope="module")
def hall_run(tmp_path_factory) -> Path:
    """The bundled hall, 2 replications, seed 5 (report on)."""
    out = tmp_path_factory.mktemp("hall") / "run"
    cli("run", str(HALL), "-n", "2", "--seed", "5", "--records", "none", "-q", "-o", str(out))
    return out


@pytest.fixture(scope="module")
def minimal_file(tmp_path_factory) -> Path:
    from tests.helpers import MINIMAL_SCENARIO

    path = tmp_path_factory.mktemp("minimal") / "minimal.yaml"
    path.write_text(MINIMAL_SCENARIO, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- run reports
def test_identical_results_give_a_byte_identical_report(minimal_file, tmp_path):
    """Two runs with the same seed into two folders (figures on): identical report bytes."""
    for name in ("a", "b"):
        cli("run", str(minimal_file), "-n", "3", "--seed", "5", "--records", "none", "-q",
            "-o", str(tmp_path / name))
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "summary.csv").read_bytes() == (b / "summary.csv").read_bytes()
    report = (a / "report.html").read_bytes()
    assert report.count(b"<img") == 7  # the figures are part of what must not differ
    assert report == (b / "report.html").read_bytes()


def test_report_command_regenerates_the_run_report(hall_run, tmp_path):
    cli("report", str(hall_run), "-o", str(tmp_path / "again.html"))
    assert (tmp_path / "again.html").read_bytes() == (hall_run / "report.html").read_bytes()


def test_run_report_has_every_section(hall_run):
    html = (hall_run / "report.html").read_text(encoding="utf-8")
    for anchor in ("scenario", "headline", "by-hour", "staffing", "standards",
                   "satisfaction", "methods"):
        assert f'<section id="{anchor}">' in html
    scenario = section(html, "scenario")
    assert "City service hall, weekday" in scenario
    assert "doors open at 08:30 and close at 17:00" in scenario
    assert "peak 72 per hour from 10:30" in scenario  # the rate table's largest rate
    assert ("ticket_kiosk → triage_desk → (general_window 90 % or specialist_window 10 %) → "
            "cashier (40 %)") in scenario
    assert "5 × 08:15–17:00; break 45 min from 12:00 in 2 staggered groups" in scenario
    assert "general window within 15 min" in section(html, "standards")
    staffing = section(html, "staffing")
    assert "<h3>general window: demand and staff by hour</h3>" in staffing
    assert "ticket kiosk: demand" not in staffing  # a self-service kiosk has no staff
    assert "uncalibrated defaults" in section(html, "satisfaction")


def test_headline_numbers_are_the_summary_intervals(hall_run):
    out = hall_run
    html = section((out / "report.html").read_text(encoding="utf-8"), "headline")
    summary = pd.read_csv(out / "summary.csv").set_index("kpi")
    wait = summary.loc["wait_mean_min"]
    assert with_interval(wait["mean"], wait["ci_low"], wait["ci_high"]) in html
    abandon = summary.loc["abandon_rate"]
    assert with_interval(abandon["mean"], abandon["ci_low"], abandon["ci_high"],
                         percent=True) in html


def test_by_hour_tables_are_means_over_replications(hall_run):
    out = hall_run
    html = section((out / "report.html").read_text(encoding="utf-8"), "by-hour")
    by_hour = pd.read_csv(out / "by_hour.csv")
    noon = by_hour[(by_hour["hour"] == 12) & (by_hour["station"] == "general_window")]
    expected = num(float(noon["wait_mean_min"].mean()))
    row = re.search(r"<tr><td>12:00–13:00</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[3] == expected  # columns: all, ticket_kiosk, triage_desk, general_window, ...


def test_staffing_tables_are_means_over_replications(hall_run):
    out = hall_run
    html = section((out / "report.html").read_text(encoding="utf-8"), "staffing")
    by_hour = pd.read_csv(out / "by_hour.csv")
    noon = by_hour[(by_hour["hour"] == 12) & (by_hour["station"] == "general_window")]
    part = html[html.index("<h3>general window: demand"):]
    row = re.search(r"<tr><td>12:00–13:00</td>(.*?)</tr>", part).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells == [num(noon["arrivals"].mean()), num(noon["on_duty_tw"].mean()),
                     num(noon["busy_tw"].mean()), pct(noon["utilisation_tw"].mean())]


def test_methods_section_has_the_stress_des_items(hall_run):
    out = hall_run
    methods = section((out / "report.html").read_text(encoding="utf-8"), "methods")
    manifest = json.loads((out / "manifest.json").read_text())
    for item in METHODS_ITEMS:
        assert f"<dt>{item}" in methods
    assert "2 independent replications, seed 5" in methods
    assert "Terminating" in methods and "Student-t" in methods
    for package, version in manifest["software"].items():
        assert f"<td>{package}</td><td>{version}</td>" in methods
    assert manifest["scenario"]["sha256_file"] in methods
    assert "servsim run " in methods and " -n 2 --seed 5" in methods
    assert str(out) not in methods  # where the results went is not part of the results
    assert manifest["started_utc"] not in (out / "report.html").read_text()


def test_report_is_self_contained(hall_run):
    html = (hall_run / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert links and all(u.startswith(("data:", "#")) for u in links), links
    assert "<script" not in html
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" width="(\d+)" '
                        r'height="(\d+)"', html)
    # five figures of the run and the two drawn for the report
    assert len(images) == 7
    for data, width, height in images:
        assert png_size(base64.b64decode(data)) == (int(width), int(height))


def test_print_css_keeps_figures_whole(hall_run):
    html = (hall_run / "report.html").read_text(encoding="utf-8")
    css = html[html.index("@media print"):]
    assert re.search(r"figure, \.keep \{ break-inside: avoid;", css)
    assert "thead { display: table-header-group; }" in css


def test_no_report_and_no_figures(minimal_file, tmp_path):
    cli("run", str(minimal_file), "-n", "2", "--records", "none", "-q", "--no-report",
        "-o", str(tmp_path / "none"))
    assert not (tmp_path / "none" / "report.html").exists()
    files = json.loads((tmp_path / "none" / "manifest.json").read_text())["outputs"]["files"]
    assert "report.html" not in files

    cli("run", str(minimal_file), "-n", "2", "--records", "none", "-q", "--no-figures",
        "-o", str(tmp_path / "tables"))
    html = (tmp_path / "tables" / "report.html").read_text(encoding="utf-8")
    assert "<img" not in html and '<section id="by-hour">' in html
    files = json.loads((tmp_path / "tables" / "manifest.json").read_text())["outputs"]["files"]
    assert "report.html" in files


def test_scenario_text_is_escaped(minimal_file, tmp_path):
    from tests.helpers import MINIMAL_SCENARIO

    evil = tmp_path / "evil.yaml"
    evil.write_text(MINIMAL_SCENARIO.replace(
        "name: Minimal hall",
        "name: '<script>alert(1)</script> & \"hall\"'\ndescription: 'a <b>bold</b> claim'"),
        encoding="utf-8")
    out = tmp_path / "evil"
    cli("run", str(evil), "-n", "2", "--records", "none", "-q", "--no-figures", "-o",
        str(out))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;hall&quot;" in html
    assert "a &lt;b&gt;bold&lt;/b&gt; claim" in html


# ---------------------------------------------------------------------------- experiments
def test_compare_report(minimal_file, tmp_path):
    out = tmp_path / "cmp"
    cli("compare", str(minimal_file), "--set", "stations.desk.counters=3",
        "--set", "staff.clerks.shifts.0.count=3", "-n", "3", "-q", "-o", str(out))
    assert (out / "scenario.resolved.yaml").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    body = section(html, "comparison")
    assert "stations.desk.counters = 3; staff.clerks.shifts.0.count = 3" in body
    assert "Difference [interval]" in body and "Bonferroni" in body
    table = pd.read_csv(out / "comparison.csv").set_index("kpi")
    diff = table.loc["wait_mean_min", "diff_mean"]
    assert (("+" if diff > 0 else "") + num(diff)) in body
    assert body.count("<img") == 1  # figures/differences.png
    # judged by the direction of good: a shorter wait is better, a higher cost is worse
    wait_row = re.search(r"<tr><td>Mean total wait of served customers \(min\)</td>.*?</tr>",
                         body).group(0)
    cost_row = re.search(r"<tr><td>Staff cost</td>.*?</tr>", body).group(0)
    assert table.loc["staff_cost", "significant"] and table.loc["staff_cost", "diff_mean"] > 0
    assert 'class="worse">worse<' in cost_row
    if table.loc["wait_mean_min", "significant"]:
        assert 'class="better">better<' in wait_row
    else:
        assert 'class="ns">not significant<' in wait_row
    assert "Cost per unit of benefit:" in body
    assert re.search(r'<div class="verdict keep" id="verdict-block" data-status="\w+">'
                     r'<p class="headline \w+">(Best on|No variant is significantly better)',
                     html)
    assert "Minimal hall" in section(html, "scenario")
    methods = section(html, "methods")
    assert "paired by replication" in methods
    assert "3 independent replications" in methods
    assert json.loads((out / "manifest.json").read_text())["outputs"].count("report.html") == 1


def test_sweep_report(minimal_file, tmp_path):
    out = tmp_path / "sweep"
    cli("sweep", str(minimal_file), "--vary", "stations.desk.counters=1,2", "-n", "2", "-q",
        "-o", str(out))
    html = (out / "report.html").read_text(encoding="utf-8")
    body = section(html, "sweep")
    variants = pd.read_csv(out / "variants.csv")
    for vid in variants["variant_id"]:
        assert f"<code>{vid}</code>" in body
    tidy = pd.read_csv(out / "sweep.csv")
    row = tidy[(tidy["variant_id"] == variants["variant_id"][0]) &
               (tidy["kpi"] == "wait_mean_min")].iloc[0]
    assert with_interval(row["mean"], row["ci_low"], row["ci_high"]) in body
    assert body.count("<img") == 2  # figures/sweep_<kpi>.png for the two default KPIs
    methods = section(html, "methods")
    assert "Each variant has its own interval" in methods
    assert "--vary stations.desk.counters=1,2" in methods


@pytest.mark.parametrize("design", ["grid", "lhs"])
def test_sweep_figures_draw_every_variant(design):
    """Every design point is a marker in each panel: the old figure drew at most 8 lines."""
    from simulator.figures.experiments import points_drawn, sweep_figure

    rng = np.random.default_rng(5)
    if design == "grid":
        part = pd.DataFrame([(a, b) for a in (1, 2, 3) for b in range(4, 14)], columns=["a", "b"])
    else:
        part = pd.DataFrame({"a": rng.uniform(0, 1, 12), "b": rng.integers(3, 6, 12)})
    part["mean"] = rng.uniform(1, 3, len(part))
    part["ci_low"], part["ci_high"] = part["mean"] - 0.2, part["mean"] + 0.2
    fig = sweep_figure(part, ["a", "b"], "wait_mean_min", design)
    assert points_drawn(fig) == len(part)  # 30 grid points, 12 LHS points
    assert fig.axes[0].get_ylabel() == "Mean total wait of served customers (min)"


def test_report_of_an_unfinished_folder_fails(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert "no manifest.json" in result.output
    with pytest.raises(ReportError, match="no such results folder"):
        write_report(tmp_path / "missing")


# ---------------------------------------------------------------------------- units
def test_reproduce_command_drops_where_and_how_fast():
    cmd = "__main__.py run s.yaml -n 3 -o /tmp/x --jobs=4 -q --force --set a.b=1 --seed 7"
    assert reproduce_command(cmd) == "servsim run s.yaml -n 3 --set a.b=1 --seed 7"
    assert reproduce_command("servsim sweep s.yaml --vary 'a=1,2' -o out -j 2") == \
        "servsim sweep s.yaml --vary a=1,2"
    # results from the Python API: the recorded command is the calling program's
    assert reproduce_command("pytest -q tests") is None
    assert reproduce_command("__main__.py -q tests/test_report.py") is None
    manifest = {"scenario": {"path": "my hall.yaml"}, "run": {"replications": 4, "seed": 9}}
    assert constructed_command("run", manifest) == "servsim run 'my hall.yaml' -n 4 --seed 9"


def test_expected_walk_ins_integrates_the_rate_table(minimal_scenario_text):
    sc = load_scenario_text(minimal_scenario_text).scenario
    # 30/h from 09:00 to 11:00, then 10/h until the 12:00 close
    assert expected_walk_ins(sc.arrivals["walk_in"], sc.open_min, sc.close_min) == 70.0


def test_number_formats():
    assert [num(x) for x in (1234.5, 45.0, 12.34, 1.234, 0.01234, float("nan"))] == \
        ["1,234", "45", "12.3", "1.23", "0.012", "–"]
    assert pct(0.0712) == "7.1 %"
    # a narrow cell may wrap only between the mean and its interval (no-break spaces inside)
    assert with_interval(0.0712, 0.05, 0.09, percent=True) == "7.1\u00a0% [5.0,\u00a09.0]"
    assert with_interval(3.0, float("nan"), float("nan")) == "3"
    assert clock(510) == "08:30" and clock(24 * 60 + 60) == "d2 01:00"


def test_long_runs_are_shown_in_blocks_of_hours():
    hours = np.arange(8, 8 + 120)
    by_hour = pd.DataFrame({"replication": 0, "hour": hours, "station": "all",
                            "wait_mean_min": hours.astype(float)})
    html = hour_table(by_hour, [("all", "wait_mean_min", "all")])
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", html)
    assert len(rows) == 40  # 120 hours in blocks of 3
    assert rows[0] == ("08:00–11:00", "9")  # mean of hours 8, 9 and 10
    assert rows[1] == ("11:00–14:00", "12")
    assert rows[-1] == ("d6 05:00–d6 08:00", "126")  # hours 125-127: the sixth day


def test_scenario_text_describes_peaks_waves_and_measures(minimal_scenario_text):
    from simulator.report.scenario_text import scenario_html

    text = minimal_scenario_text.replace(
        '    rate_per_hour: {"09:00": 30, "11:00": 10}',
        '    rate_per_hour: {"09:00": 30, "11:00": 10}\n'
        '    peaks: [{at: "10:30", extra_per_hour: 60, width_min: 10}]\n'
        '  coach:\n'
        '    waves:\n'
        '      - {at: "10:00", size: 40, spread_min: 15}\n'
        '      - {at: "11:00", size: {dist: poisson, mean: 25}, probability_show: 0.5}\n'
    ).replace("  main: [desk]", "  main: [{seize: tables}, desk, {release: tables}]") + (
        'resources:\n  tables: {kind: tables, sizes: {2: 3, 4: 1}, join: true}\n'
        'standards:\n  - {name: done in 20, station: desk, wait_max_min: 20, '
        'measure: wait_and_service}\n')
    sc = load_scenario_text(text).scenario
    html = scenario_html(sc)
    assert "meal peaks +60/h at 10:30 (sd 10 min)" in html
    assert "10:00: 40 customers, normal spread 15 min" in html
    assert ("11:00: poisson number, mean 25 customers, all at once, happens with "
            "probability 0.5") in html
    assert "wait plus service at desk at most 20 min" in html
    assert "tables</strong>: 4 tables: 3 of 2 seats, 1 of 4 seats; smallest free table " \
        "that fits, two tables may be joined" in html
    assert "[take tables] → desk → [hand back tables]" in html
    # a held resource is reported with the stations but has no staff
    by_hour = pd.DataFrame({"hour": [9, 9, 9], "station": ["all", "tables", "desk"]})
    assert station_order(by_hour, sc) == ["tables", "desk"]
    assert staffed_stations(by_hour, sc) == ["desk"]
    # 30/h for 2 h + 10/h for 1 h, plus the whole bump: 60/h x 10 min x sqrt(2 pi) / 60 min
    peak = 10 * np.sqrt(2 * np.pi)
    assert expected_walk_ins(sc.arrivals["walk_in"], sc.open_min, sc.close_min) == \
        pytest.approx(70 + peak, rel=1e-6)
