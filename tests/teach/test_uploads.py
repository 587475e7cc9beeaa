"""Scenarios uploaded to the classroom app (issue 14, rows 2, 6 and 14): they cannot name files
on the server, their bytes are decoded with the scenario file's limits, and the page shows
messages only, never a traceback or a file's contents. The Streamlit script runs headless
(``streamlit.testing``); tests/teach/test_browser.py uploads through a real browser."""

from __future__ import annotations

import pytest

from simulator.scenario.loader import ScenarioError
from simulator.teach import workshop
from tests.helpers import MINIMAL_SCENARIO, ROOT

APP = ROOT / "simulator" / "teach" / "app.py"
SECRET = "root:x:0:0:the first line of a server file"


def naming(tmp_path, field: str) -> str:
    """MINIMAL_SCENARIO naming a server file (holding :data:`SECRET`) in ``field``."""
    secret = tmp_path / "secret.csv"
    secret.write_text(f"time\n{SECRET}\n", encoding="utf-8")
    if field == "trace":
        return MINIMAL_SCENARIO.replace('rate_per_hour: {"09:00": 30, "11:00": 10}',
                                        f"trace: {secret}")
    if field == "empirical":
        return MINIMAL_SCENARIO.replace("{dist: exponential, mean: 4}",
                                        f"{{dist: empirical, file: {secret}, column: time}}")
    return MINIMAL_SCENARIO + f"satisfaction: {{profile: {secret}}}\n"


@pytest.mark.parametrize(("field", "line", "path"), [
    ("trace", 9, "arrivals.walk_in.trace"),
    ("empirical", 14, "stations.desk.service.file"),
    ("profile", 22, "satisfaction.profile"),
])
def test_row06_an_upload_cannot_name_files_on_the_server(tmp_path, field, line, path):
    with pytest.raises(ScenarioError) as err:
        workshop.with_staffing(naming(tmp_path, field), "upload.yaml", {})
    (issue,) = err.value.issues
    assert (issue.file, issue.line, issue.path) == ("upload.yaml", line, path)
    assert issue.message.startswith("an uploaded scenario cannot name files (got '")
    assert SECRET not in str(issue)
    # a bundled scenario (a folder of its own) may still name its files
    loaded = workshop.with_staffing(naming(tmp_path, field), "ok.yaml", {}, tmp_path)
    assert loaded.scenario.name == "Minimal hall"


def test_row14_upload_bytes_are_decoded_with_the_scenario_limits():
    with pytest.raises(ScenarioError) as err:
        workshop.decode_upload(b"name: x\n\xff\xfebad\n", "latin.yaml")
    assert str(err.value) == ("latin.yaml:2: not UTF-8 text (got byte 0xff; expected a "
                              "scenario file saved as UTF-8)")
    with pytest.raises(ScenarioError, match="scenario files are at most 5 MB"):
        workshop.decode_upload(b" " * (5 * 1024 * 1024 + 1), "big.yaml")
    assert workshop.decode_upload(MINIMAL_SCENARIO.encode(), "m.yaml") == MINIMAL_SCENARIO


def test_row02_an_uploaded_alias_bomb_is_refused():
    bomb = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefg", "bcdefgh",
                                                                        strict=True))
    with pytest.raises(ScenarioError, match=r"YAML aliases \(\*name\) would add"):
        workshop.with_staffing(MINIMAL_SCENARIO + bomb, "bomb.yaml", {})


@pytest.mark.parametrize(("content", "shown"), [
    (b"name: x\n\xff\xfe\n", "upload.yaml:2: not UTF-8 text"),
    (MINIMAL_SCENARIO.replace("Minimal", "Mini\x07mal").encode(),
     "upload.yaml:1: a control character is not allowed in a scenario file (got U+0007"),
    (b"name: [" * 3000, "upload.yaml"),
])
def test_row14_the_workshop_page_shows_a_message_for_a_broken_upload(content, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["page"] = "Open a scenario (your own or a bundled one)"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="ws_upload").set_value(("upload.yaml", content,
                                                 "application/x-yaml")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("This scenario has problems:")
    assert shown in errors[0]
    assert "Traceback" not in errors[0]


def test_row06_the_workshop_page_refuses_an_upload_naming_a_server_file(tmp_path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["page"] = "Open a scenario (your own or a bundled one)"
    at.run()
    at.file_uploader(key="ws_upload").set_value(
        ("upload.yaml", naming(tmp_path, "trace").encode(), "application/x-yaml")).run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "upload.yaml:9: arrivals.walk_in.trace: an uploaded scenario cannot name files" \
        in error
    assert SECRET not in error
