"""The classroom app without a browser: the scenario workshop, the ``teach`` command and the
Streamlit script run headless by ``streamlit.testing`` (AppTest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.cli import teach as teach_cli
from simulator.scenario.loader import ScenarioError, load_scenario
from simulator.teach import workshop
from tests.helpers import ROOT

APP = ROOT / "simulator" / "teach" / "app.py"


# --------------------------------------------------------------------------- workshop
def _bundled(name: str) -> Path:
    path = workshop.bundled_scenarios()[name]
    assert path.is_file()
    return path


def test_bundled_scenarios_are_the_templates():
    names = set(workshop.bundled_scenarios())
    assert {"classroom_bank", "government_hall"} <= names


def test_staffing_knobs_cover_counts_shifts_and_kiosks():
    sc = load_scenario(_bundled("government_hall")).scenario
    knobs = {k.key: k for k in workshop.staffing_knobs(sc)}
    assert set(knobs) == {
        "staff.clerks.shifts.0.count", "staff.clerks.shifts.1.count",
        "staff.specialists.shifts.0.count", "staff.supervisors.shifts.0.count",
        "staff.cashiers.shifts.0.count", "stations.ticket_kiosk.counters",
        "staff.triage_officers.shifts.0.count", "staff.triage_officers.shifts.1.count"}
    k = knobs["staff.clerks.shifts.0.count"]
    assert (k.value, k.low) == (5, 0) and k.high > k.value
    assert knobs["stations.ticket_kiosk.counters"].low == 1
    bank = load_scenario(_bundled("classroom_bank")).scenario
    assert [k.key for k in workshop.staffing_knobs(bank)] == ["staff.tellers.count"]


def test_with_staffing_applies_values_and_adds_counters_for_extra_staff():
    path = _bundled("government_hall")
    loaded = workshop.with_staffing(path.read_text(), path.name,
                                    {"staff.clerks.shifts.0.count": 10,
                                     "stations.ticket_kiosk.counters": 3}, path.parent)
    sc = loaded.scenario
    assert sc.staff["clerks"].shifts[0].count == 10
    assert sc.stations["ticket_kiosk"].counters == 3
    assert sc.stations["general_window"].counters == 12  # 10 + 2 on the second shift
    assert sc.stations["specialist_window"].counters == 5  # unchanged: enough seats
    assert loaded.base_dir == path.parent


def test_with_staffing_reports_bad_values_and_bad_files_like_the_cli():
    path = _bundled("classroom_bank")
    with pytest.raises(ScenarioError) as err:
        workshop.with_staffing(path.read_text(), path.name, {"staff.tellers.count": -1})
    assert "staff.tellers.count" in str(err.value) and "got -1" in str(err.value)
    broken = path.read_text().replace("count: 4", "cuont: 4")
    with pytest.raises(ScenarioError) as err:
        workshop.with_staffing(broken, "upload.yaml", {})
    assert any(i.file == "upload.yaml" and i.line is not None for i in err.value.issues)


def test_run_workshop_summarises_and_more_staff_wait_less():
    path = _bundled("classroom_bank")
    text = path.read_text()
    base = workshop.run_workshop(workshop.with_staffing(text, path.name, {}, path.parent), 4)
    more = workshop.run_workshop(workshop.with_staffing(
        text, path.name, {"staff.tellers.count": 5}, path.parent), 4)
    s = base.summary.set_index("kpi")
    assert {"wait_mean_min", "abandon_rate", "tellers_desk__utilisation_tw",
            "sat__csat_mean"} <= set(s.index)
    assert (s["n"] == 4).all()
    assert more.summary.set_index("kpi").loc["wait_mean_min", "mean"] < s.loc["wait_mean_min",
                                                                                "mean"]
    assert set(base.queue["station"]) == {"tellers_desk"}
    assert (base.queue["queue_mean"] >= 0).all()
    anim = base.animation
    assert anim.counters == (4,) and anim.start_min == 9 * 60
    assert anim.end_min == anim.records.end_min


def test_demand_knobs_scale_arrivals_and_service_times():
    path = _bundled("government_hall")
    sc = load_scenario(path).scenario
    knobs = {k.key: k for k in workshop.demand_knobs(sc)}
    assert "arrivals.walk_in.rate_per_hour" in knobs
    assert "stations.general_window.service" in knobs
    assert all((k.value, k.low, k.high) == (100, 50, 200) for k in knobs.values())
    changed = workshop.with_staffing(
        path.read_text(), path.name, {}, path.parent,
        {"arrivals.walk_in.rate_per_hour": 150, "stations.general_window.service": 50}).scenario
    walk = sc.arrivals["walk_in"].rate_per_hour
    assert changed.arrivals["walk_in"].rate_per_hour == {t: r * 1.5 for t, r in walk.items()}
    assert changed.stations["general_window"].service.mean == \
        sc.stations["general_window"].service.mean / 2
    assert changed.stations["general_window"].service.cv == \
        sc.stations["general_window"].service.cv
    assert changed.stations["cashier"].service == sc.stations["cashier"].service


def test_more_arrivals_mean_more_customers_and_a_verdict_with_labels():
    path = _bundled("classroom_bank")
    text = path.read_text()
    base = workshop.run_workshop(workshop.with_staffing(text, path.name, {}, path.parent), 3)
    busy = workshop.run_workshop(workshop.with_staffing(
        text, path.name, {}, path.parent, {"arrivals.walk_in.rate_per_hour": 200}), 3)
    arrived = {r.summary.set_index("kpi").loc["arrived", "mean"] for r in (base, busy)}
    assert max(arrived) == busy.summary.set_index("kpi").loc["arrived", "mean"] > min(arrived)
    assert base.verdict is not None and base.verdict.headline.text
    s = base.summary.set_index("kpi")
    assert s.loc["wait_mean_min", "label"] == "Mean total wait of served customers (min)"
    assert (s["ci_low"].dropna() >= 0).all()  # no interval below what is possible


# --------------------------------------------------------------------------- command
def test_teach_is_a_servsim_command():
    result = CliRunner().invoke(main, ["teach", "--help"])
    assert result.exit_code == 0, result.output
    assert "--port" in result.output and "--no-browser" in result.output
    assert "127.0.0.1" in result.output


def test_streamlit_command_is_headless_and_offline():
    cmd = teach_cli.streamlit_command("127.0.0.1", 8765)
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == APP
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags == {"--server.headless": "true", "--server.address": "127.0.0.1",
                     "--server.port": "8765", "--browser.gatherUsageStats": "false",
                     "--server.fileWatcherType": "none", "--global.developmentMode": "false",
                     "--client.toolbarMode": "viewer", "--client.showErrorDetails": "false",
                     "--server.maxUploadSize": "5"}
    port = teach_cli.free_port()
    assert 0 < port < 65536


def test_teach_without_streamlit_says_how_to_install_it(monkeypatch):
    real = teach_cli.importlib.util.find_spec
    monkeypatch.setattr(teach_cli.importlib.util, "find_spec",
                        lambda name, *a: None if name == "streamlit" else real(name, *a))
    result = CliRunner().invoke(teach_cli.teach_command, ["--no-browser"])
    assert result.exit_code == 1
    assert "pip install 'servsim[teach]'" in result.output


def test_python_m_simulator_teach_runs_the_command():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "simulator.teach", "--help"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "servsim teach" in out.stdout


# --------------------------------------------------------------------------- the script
def _metric(at, label: str) -> float:
    for m in at.metric:
        if m.label.startswith(label):
            return float(m.value.split()[0])
    raise AssertionError(f"no metric {label!r} (got {[m.label for m in at.metric]})")


def test_app_pages_render_and_a_slider_moves_the_result():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    before = _metric(at, "Mean wait, simulated")
    at.slider(key="l1_servers").set_value(at.slider(key="l1_servers").value + 1).run()
    assert _metric(at, "Mean wait, simulated") < before
    pages = list(at.radio(key="page").options)
    assert len(pages) == 7
    for page in pages[1:]:
        at.radio(key="page").set_value(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert len(at.metric) >= 4, page
