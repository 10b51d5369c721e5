"""PNG screenshots of a workspace's published reports, for review without a browser.

``stuurkit screenshots demo`` opens every HTML file in ``reports/<workspace>/`` in
headless Chromium (Debian packages ``chromium`` and ``chromium-driver``; Selenium from
the kit's test extras), offline, waits until the charts are drawn and writes a PNG of
the whole page (``Page.captureScreenshot`` beyond the viewport, the height taken from
``Page.getLayoutMetrics``), not just the first screen, to
``reports/<workspace>/screenshots/``.
"""

from __future__ import annotations

import base64
import logging
import shutil
import tempfile
import time
from pathlib import Path

from helpers.errors import StuurkitError
from helpers.files import replacing, write_text_atomic
from helpers.paths import reports_dir

__all__ = ["screenshots", "full_page_png", "chromium_options", "CHROMIUM_FLAGS"]

WIDTH = 1200
MAX_HEIGHT = 30000  # px; Chromium cannot draw a taller image in one piece
log = logging.getLogger(__name__)
# headless and offline: no background requests, every host name unresolvable
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--no-first-run", "--disable-sync",
          "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium_options(profile: str):
    """Selenium options for an offline, headless Debian Chromium."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},1000"):
        options.add_argument(flag)
    return options


def full_page_png(driver, page: Path, timeout: float = 30.0) -> bytes:
    """The whole of ``page`` as PNG, as wide as the window: opened in ``driver`` (a
    Selenium Chromium), drawn when every chart is, captured beyond the viewport down to
    the bottom of the document (at most ``MAX_HEIGHT`` pixels)."""
    driver.get(page.as_uri())
    charts = driver.execute_script("return document.querySelectorAll('.stuurkit-chart').length")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and driver.execute_script(
            "return document.querySelectorAll('.stuurkit-chart svg').length") < charts:
        time.sleep(0.25)
    time.sleep(0.2)  # let the last chart finish its layout
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width, height = int(size["width"]), int(size["height"])
    if height > MAX_HEIGHT:
        log.warning("%s is %d px tall; the screenshot shows its first %d px.", page.name,
                    height, MAX_HEIGHT)
        height = MAX_HEIGHT
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    return base64.b64decode(shot["data"])


def screenshots(workspace: str, timeout: float = 30.0) -> list[Path]:
    """Write one PNG per report of ``workspace``; return their paths."""
    folder = reports_dir() / workspace
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise StuurkitError(f"No reports in {folder}; make them first (`stuurkit run "
                            f"{workspace}` or `make demo`).")
    driver_path = shutil.which("chromedriver")
    if not (driver_path and (shutil.which("chromium") or shutil.which("chromium-browser"))):
        raise StuurkitError("Screenshots need Chromium and its driver: apt-get install "
                            "chromium chromium-driver.")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise StuurkitError("Screenshots need Selenium: pip install -e '.[test]'.") from exc
    target = folder / "screenshots"
    target.mkdir(exist_ok=True)
    profile = tempfile.mkdtemp(prefix="stuurkit-shots-")
    driver = webdriver.Chrome(service=Service(driver_path), options=chromium_options(profile))
    written = []
    try:
        for page in pages:
            png = target / f"{page.stem}.png"
            data = full_page_png(driver, page, timeout)
            with replacing(png) as tmp:
                tmp.write_bytes(data)
            written.append(png)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    listing = "\n".join(f"- [{p.stem}]({p.name})" for p in written)
    write_text_atomic(target / "README.md", f"Screenshots of reports/{workspace}:\n\n{listing}\n")
    return written
