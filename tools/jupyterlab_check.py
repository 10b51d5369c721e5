"""Check that charts and widgets render *interactively* in a real JupyterLab, offline.

    .venv/bin/python tools/jupyterlab_check.py [--notebook notebooks/00_verkenner.ipynb]

Starts JupyterLab on 127.0.0.1 (app exposed to the page so the check can run cells),
opens the notebook in headless Chromium with every host but loopback blocked, runs all
cells, waits for the charts (altair's ``jupyter`` renderer, offline) and the verkenner's
controls, changes the indicator with the dropdown, and checks that the map followed.
Writes a screenshot next to the notebook's name in /tmp. Exit code 0 when all is well.
Needs Debian's chromium and chromium-driver and the test extras (Selenium).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(driver, script: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.5)
    return driver.execute_script(script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="notebooks/00_verkenner.ipynb")
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    port, token = _free_port(), "stuurkit-check"
    lab = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={ROOT}", "--LabApp.expose_app_in_browser=True",
         "--allow-root"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp(prefix="stuurkit-lab-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 f"--user-data-dir={profile}", "--window-size=1400,2400",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    ok = False
    try:
        for _ in range(60):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        driver.get(f"http://127.0.0.1:{port}/lab/tree/{args.notebook}?token={token}")
        _wait(driver, "return window.jupyterapp && document.querySelector('.jp-Notebook')")
        _wait(driver, "const k = document.querySelector('.jp-Notebook-ExecutionIndicator');"
                      "return k && k.getAttribute('data-status') === 'idle';", 120)
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        charts = _wait(driver, "return document.querySelectorAll("
                               "'.jp-OutputArea .vega-embed svg, .jp-OutputArea .vega-embed "
                               "canvas').length >= 2 && document.querySelectorAll("
                               "'.jp-OutputArea .vega-embed svg, .jp-OutputArea .vega-embed "
                               "canvas').length", 180)
        controls = driver.execute_script(
            "return document.querySelectorAll('.jp-OutputArea .widget-dropdown select').length")
        print(f"charts rendered: {charts}; dropdowns: {controls}")
        before = driver.execute_script(
            "return document.querySelector('.jp-OutputArea .vega-embed').textContent")
        if controls:
            driver.execute_script(
                "const s = document.querySelector('.jp-OutputArea .widget-dropdown select');"
                "s.value = Array.from(s.options).find(o => o.textContent.includes("
                "'65-plussers')).value; s.dispatchEvent(new Event('change', {bubbles: true}));")
        after = _wait(driver, "const t = document.querySelector('.jp-OutputArea .vega-embed')"
                              ".textContent; return t.includes('65-plussers') && t", 60)
        shot = Path(tempfile.gettempdir()) / f"lab_{Path(args.notebook).stem}.png"
        driver.save_screenshot(str(shot))
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "favicon" not in e["message"]]
        print(f"map updated after changing the indicator: {bool(after) and after != before}")
        print(f"console errors: {errors or 'none'}; screenshot: {shot}")
        ok = bool(charts) and controls >= 2 and bool(after) and not errors
    finally:
        driver.quit()
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
