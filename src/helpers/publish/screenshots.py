"""PNG screenshots of a workspace's published reports, for review without a browser.

``stuurkit screenshots demo`` opens every HTML file in ``reports/<workspace>/`` in
headless Chromium (Debian packages ``chromium`` and ``chromium-driver``; Selenium from
the kit's test extras), offline, waits until the charts are drawn and writes a
full-page PNG per report to ``reports/<workspace>/screenshots/``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from helpers.errors import StuurkitError
from helpers.files import write_text_atomic
from helpers.paths import reports_dir

__all__ = ["screenshots", "chromium_options"]

WIDTH = 1200
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--no-first-run", "--disable-sync",
          "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium_options(profile: str):
    """Selenium options for an offline, headless Debian Chromium."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in (*_FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},1000"):
        options.add_argument(flag)
    return options


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
            driver.set_window_size(WIDTH, 800)  # a short page must not keep a tall window
            driver.get(page.as_uri())
            charts = driver.execute_script(
                "return document.querySelectorAll('.stuurkit-chart').length")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and driver.execute_script(
                    "return document.querySelectorAll('.stuurkit-chart svg').length"
            ) < charts:
                time.sleep(0.25)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(WIDTH, min(int(height) + 40, 16000))
            time.sleep(0.3)
            png = target / f"{page.stem}.png"
            driver.save_screenshot(str(png))
            written.append(png)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    listing = "\n".join(f"- [{p.stem}]({p.name})" for p in written)
    write_text_atomic(target / "README.md", f"Screenshots of reports/{workspace}:\n\n{listing}\n")
    return written
