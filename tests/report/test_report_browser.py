"""The report of the bundled government hall in headless Chromium: it opens from a file:// URL
with no console errors, every figure loads and is displayed, the screenshot shows the figures
(not blank), and the print layout keeps figures whole.

Needs Debian's Chromium and its driver (no browser download):
``scripts/install-browser``, and selenium (the ``dev`` extra). Without
them these tests fail, saying what to install.
"""

from __future__ import annotations

import base64
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.cli import main
from tests.helpers import ROOT

REPO = ROOT
HALL = REPO / "scenarios" / "government_hall.yaml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "scripts/install-browser"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1280,1000")


@pytest.fixture(scope="module")
def hall_report(tmp_path_factory) -> Path:
    """report.html of the bundled hall, 2 replications."""
    out = tmp_path_factory.mktemp("browser") / "hall"
    result = CliRunner().invoke(main, ["run", str(HALL), "-n", "2", "--seed", "11",
                                       "--records", "none", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return out / "report.html"


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """One headless Chromium session for the module, on a fresh profile."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"browser tests need Debian's Chromium and its driver (got no "
                    f"{', '.join(missing)}; expected them installed by: {INSTALL})")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("browser tests need selenium (got no selenium module; expected it "
                    "installed by: pip install '.[dev]')")
    profile = tempfile.mkdtemp(prefix="servsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def opened(driver, hall_report):
    """The driver with the hall report loaded, and the console messages of the load."""
    driver.get(hall_report.resolve().as_uri())
    driver.execute_script("return document.readyState")
    return driver, driver.get_log("browser")


def _decode_png(data: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(data), format="png")


def test_report_opens_without_console_errors(opened):
    drv, log = opened
    assert drv.title.startswith("City service hall, weekday")
    severe = [entry for entry in log if entry.get("level") == "SEVERE"]
    assert severe == []


def test_every_figure_is_loaded_and_displayed(opened):
    drv, _ = opened
    images = drv.find_elements("tag name", "img")
    assert len(images) == 7
    for img in images:
        loaded = drv.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", img)
        assert loaded, img.get_attribute("alt")
        assert img.is_displayed()
        assert img.size["width"] > 200 and img.size["height"] > 100


def test_screenshot_shows_the_figures(opened):
    """Scroll each figure into view, screenshot the window and look at the figure's pixels:
    they are not all white (the figure was painted)."""
    drv, _ = opened
    for img in drv.find_elements("tag name", "img"):
        drv.execute_script("arguments[0].scrollIntoView({block: 'start'})", img)
        rect = drv.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return [r.left, r.top, r.width, r.height, window.devicePixelRatio];", img)
        left, top, width, height, ratio = rect
        shot = _decode_png(drv.get_screenshot_as_png())
        y0, x0 = int(top * ratio), int(left * ratio)
        y1 = min(shot.shape[0], int((top + height) * ratio))
        x1 = min(shot.shape[1], int((left + width) * ratio))
        region = shot[y0:y1, x0:x1, :3]
        assert region.size > 0
        dark = np.mean(region.min(axis=2) < 0.6)  # pixels clearly not white: lines, text
        assert dark > 0.005, (img.get_attribute("alt"), dark)


def test_print_layout_keeps_figures_whole(opened):
    drv, _ = opened
    drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        figure = drv.find_element("tag name", "figure")
        assert drv.execute_script(
            "return getComputedStyle(arguments[0]).breakInside", figure) == "avoid"
        toc = drv.find_element("css selector", "nav.toc")
        assert not toc.is_displayed()
    finally:
        drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(drv.execute_cdp_cmd("Page.printToPDF", {})["data"])
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") > 5
