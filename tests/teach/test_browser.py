"""End to end: ``servsim teach`` in headless Chromium, a slider moved, the result follows.

Starts ``python -m simulator teach --port 0 --no-browser`` (this checkout first on
PYTHONPATH), reads the address it prints, opens it in Debian's Chromium through selenium and
chromedriver, moves the "Clerks (servers)" slider of lesson 1 one step right with the
keyboard, waits for the new result and checks that the simulated mean wait shown in the
metric tile went down (more clerks at the same arrivals: lower utilisation, shorter waits).
On a 1280 × 800 window it checks, as a projector would show it: no Deploy button or
developer menu, no horizontal overflow, every tile's interval inside what is possible (no
negative wait, no share above 100 %). It opens lesson 4 (times as HH:MM) and the scenario
workshop, whose verdict block names the standards met or missed, and takes screenshots.

Without /usr/bin/chromium and /usr/bin/chromedriver this test FAILS (it does not skip):
install them with ``scripts/install-browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import MINIMAL_SCENARIO, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = "scripts/install-browser"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run")


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(f"the browser test needs Chromium and chromedriver (missing "
                    f"{', '.join(missing)}): install them with `{INSTALL_HINT}`")


@pytest.fixture
def teach_url() -> Iterator[str]:
    """Start ``servsim teach`` on a free port; yield its printed address; stop it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "teach", "--port", "0", "--no-browser"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the server answers (or the command fails)
        match = re.search(r"servsim teach: open (http://\S+)", line)
        if match is None:
            log.seek(0)
            pytest.fail(f"servsim teach printed {line!r} (expected 'servsim teach: open URL'); "
                        f"stderr:\n{log.read().decode(errors='replace')[-3000:]}")
        yield match.group(1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium with a fresh profile."""
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="servsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,800")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _metric(driver: object, label: str) -> str | None:
    """The value shown in the metric tile whose label starts with ``label``."""
    from selenium.webdriver.common.by import By

    for tile in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]'):  # type: ignore[attr-defined]
        try:
            name = tile.find_element(By.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text
            if name.strip().startswith(label):
                return tile.find_element(By.CSS_SELECTOR,
                                         '[data-testid="stMetricValue"]').text.strip()
        except Exception:
            continue
    return None


def _slider_thumb(driver: object, label: str) -> object:
    """The slider's thumb: ``[role=slider]`` (older Streamlit) or its range input."""
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSlider"]'):  # type: ignore[attr-defined]
        if box.text.strip().startswith(label):
            return box.find_element(By.CSS_SELECTOR, '[role="slider"], input[type="range"]')
    raise AssertionError(f"no slider labelled {label!r} on the page")


def _slider_value(driver: object, label: str) -> str | None:
    try:
        thumb = _slider_thumb(driver, label)
        return thumb.get_attribute("aria-valuenow") or thumb.get_attribute("value")  # type: ignore[attr-defined]
    except Exception:
        return None


def _projector_checks(driver: object) -> None:
    """What a class sees on a 1280 × 800 projector: no Deploy button or developer menu, no
    horizontal scrolling, and every tile's interval inside what is possible."""
    from selenium.webdriver.common.by import By

    assert driver.execute_script("return window.innerWidth") == 1280  # type: ignore[attr-defined]
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stAppDeployButton"]')  # type: ignore[attr-defined]
    assert not driver.find_elements(By.XPATH, "//button[normalize-space()='Deploy']")  # type: ignore[attr-defined]
    assert driver.execute_script(  # type: ignore[attr-defined]
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for tile in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetricValue"]'):  # type: ignore[attr-defined]
        text = tile.text.replace(",", "")
        if m := re.match(r"(-?\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)", text):
            mean, half = float(m.group(1)), float(m.group(2))
            assert mean - half >= -0.05, text  # a symmetric interval is only shown inside
            assert "%" not in text or mean + half <= 100.05, text
        if m := re.search(r"\((-?\d+(?:\.\d+)?)–(-?\d+(?:\.\d+)?)\)", text):
            low, high = float(m.group(1)), float(m.group(2))
            assert low >= 0, text
            assert "%" not in text or high <= 100, text
        assert not re.search(r"(^|[\s(\[])-\d", text), text  # nothing negative is shown


def _open_page(driver: object, title: str) -> None:
    from selenium.webdriver.common.by import By

    option = _wait(lambda: [e for e in driver.find_elements(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, '[data-testid="stSidebar"] label') if e.text.startswith(title)],
        30, f"the page {title!r} in the sidebar")
    option[0].click()


def _wait(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _page_showing(driver: object, text: str) -> str | None:
    """The page's text once it shows ``text``."""
    from selenium.webdriver.common.by import By

    body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    return body if text in body else None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(m.group()) if m else None


def test_teach_slider_moves_the_result(teach_url: str, browser: object,
                                       tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.get(teach_url)  # type: ignore[attr-defined]
    label = "Mean wait, simulated"
    before = _wait(lambda: _number(_metric(driver, label)), 120, "lesson 1's mean wait")
    start_clerks = int(_wait(lambda: _slider_value(driver, "Clerks (servers)"), 30,
                             "the clerks slider"))
    # focus the thumb and press the right arrow key, as a keyboard user would
    driver.execute_script("arguments[0].focus();",  # type: ignore[attr-defined]
                          _slider_thumb(driver, "Clerks (servers)"))
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    _wait(lambda: _slider_value(driver, "Clerks (servers)") == str(start_clerks + 1), 30,
          "the slider to move one step")
    after = _wait(lambda: (v := _number(_metric(driver, label))) is not None and v != before
                  and v, 120, "the mean wait to change")
    assert after < before, (f"one more clerk ({start_clerks} -> {start_clerks + 1}) should "
                            f"lower the simulated mean wait (got {before} -> {after})")
    # the replay of the simulated day is on the page beside the chart
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "iframe"), 60,  # type: ignore[attr-defined]
          "the replay (an iframe) beside the chart")
    driver.save_screenshot(str(tmp_path / "teach_lesson1.png"))  # type: ignore[attr-defined]
    assert (tmp_path / "teach_lesson1.png").stat().st_size > 10_000
    assert "±" in (_metric(driver, label) or "")  # a simulated value comes with its interval
    _projector_checks(driver)

    # lesson 4: the lunch dip, with clock times on the tiles and the chart's axis
    _open_page(driver, "4.")
    _wait(lambda: _metric(driver, "Back to normal at"), 120, "lesson 4's tiles")
    assert re.fullmatch(r"\d\d:\d\d|never", _metric(driver, "Back to normal at") or "")
    _wait(lambda: "13:00" in driver.find_element(By.TAG_NAME, "body").text, 60,  # type: ignore[attr-defined]
          "HH:MM on lesson 4")
    _projector_checks(driver)
    driver.save_screenshot(str(tmp_path / "teach_lesson4.png"))  # type: ignore[attr-defined]

    # the workshop: a bundled scenario with its sliders, verdict and results
    _open_page(driver, "Open a scenario")
    _wait(lambda: _number(_metric(driver, "Mean wait (min)")) is not None, 120,
          "the workshop's mean wait")
    verdict = _wait(lambda: [e.text for e in driver.find_elements(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, '[data-testid="stAlert"]') if "service standard" in e.text
        or "No service standards" in e.text], 60, "the workshop's verdict")
    assert re.search(r"\d of \d service standards met|No service standards", verdict[0])
    assert "Bottleneck:" in verdict[0]
    for line in verdict[0].splitlines():
        for low, _high in re.findall(r"\[(-?[\d.,]+), (-?[\d.,]+)\]", line):
            assert float(low.replace(",", "")) >= 0, line
    assert driver.find_elements(By.XPATH,  # type: ignore[attr-defined]
                                "//*[contains(text(), 'arrivals per hour, % of the file')]")
    _projector_checks(driver)
    driver.save_screenshot(str(tmp_path / "teach_workshop.png"))  # type: ignore[attr-defined]

    # uploads (issue 14): a file that is not UTF-8 and one naming a file on the server give
    # a message on the page, never a traceback or the file's contents
    secret = tmp_path / "secret.csv"
    secret.write_text("time\nroot:x:0:0:server secret\n", encoding="utf-8")
    naming = MINIMAL_SCENARIO.replace('rate_per_hour: {"09:00": 30, "11:00": 10}',
                                      f"trace: {secret}")
    uploads = {"latin.yaml": (b"name: caf\xe9\n", "latin.yaml:1: not UTF-8 text"),
               "naming.yaml": (naming.encode(), "an uploaded scenario cannot name files")}
    for name, (content, shown) in uploads.items():
        (tmp_path / name).write_bytes(content)
        field = _wait(lambda: driver.find_elements(  # type: ignore[attr-defined]
            By.CSS_SELECTOR, 'input[type="file"]'), 60, "the upload field")[0]
        field.send_keys(str(tmp_path / name))
        page = _wait(lambda shown=shown: _page_showing(driver, shown), 60,
                     f"the message for {name}")
        assert "Traceback" not in page and "server secret" not in page, page
