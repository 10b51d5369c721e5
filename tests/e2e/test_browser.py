"""Headless Chromium opens a published report and the index offline.

Chromium runs with DNS blocked (``--host-resolver-rules=MAP * ~NOTFOUND``) and no
background networking, so anything the page tried to fetch from the internet would
fail; the test also reads the browser's network log to prove nothing was requested.
Skips with a reason when Debian's ``chromium``/``chromedriver`` are absent, unless
``STUURKIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where their absence fails.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        reason = "headless Chromium not installed (Debian packages chromium, chromium-driver)"
        if os.environ.get("STUURKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " but STUURKIT_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="stuurkit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
                 "--window-size=1200,2000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(driver, path: Path) -> None:
    driver.get_log("browser"), driver.get_log("performance")  # clear earlier entries
    driver.get(path.as_uri())


def _wait_for(driver, script: str, expected, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value == expected or (isinstance(expected, int) and isinstance(value, int)
                                 and value >= expected):
            return value
        time.sleep(0.25)
    return value


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_report_renders_its_charts_offline(browser, report_html):
    _open(browser, report_html)
    count = _wait_for(browser, "return document.querySelectorAll("
                               "'[id^=stuurkit-chart-] svg.marks').length", 4)
    assert count == 4, "all charts (maps, spine, trends) rendered as SVG"
    paths = browser.execute_script(
        "return document.querySelectorAll('[id^=stuurkit-chart-] svg.marks path').length")
    assert paths > 20, "the map draws its areas"
    assert "Wijkprofiel Rivierkwartier" in browser.title
    assert _errors(browser) == []
    foreign = [u for u in _requests(browser)
               if u.startswith(("http:", "https:", "ws:", "wss:", "ftp:", "//"))]
    assert foreign == [], f"requests left the machine: {foreign}"
    browser.save_screenshot(str(report_html.with_suffix(".png")))


REPORTS = ["00_verkenner", "10_wijkprofiel", "20_programmamonitor", "30_bestuursoverzicht",
           "90_datakwaliteit"]


def _renders_offline(browser, page) -> None:
    import re

    expected = len(re.findall(r'<div [^>]*id="stuurkit-chart-', page.read_text()))
    _open(browser, page)
    _wait_for(browser, f"return document.readyState === 'complete' && "
                       f"location.href === {json.dumps(page.as_uri())}", True)
    rendered = _wait_for(browser, "return document.querySelectorAll("
                                  "'[id^=stuurkit-chart-] svg.marks').length", expected)
    assert rendered == expected, f"{rendered} of {expected} charts rendered"
    assert _errors(browser) == []
    foreign = [u for u in _requests(browser)
               if u.startswith(("http:", "https:", "ws:", "wss:", "ftp:", "//"))]
    assert foreign == []


@pytest.mark.parametrize("name", REPORTS)
def test_every_demo_report_renders_offline(browser, demo_reports, name):
    _renders_offline(browser, demo_reports[name])


@pytest.mark.parametrize("name", REPORTS)
def test_every_utrecht_report_renders_offline(browser, utrecht_reports, name):
    _renders_offline(browser, utrecht_reports[name])


AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe" / "node_modules" / "axe-core" / \
    "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_script() -> str:
    path = Path(os.environ.get("STUURKIT_AXE", AXE))
    if not path.exists():
        reason = f"axe-core not installed ({path}); `make install` installs it with npm"
        if os.environ.get("STUURKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


def _axe(browser, page: Path, script: str) -> list[dict]:
    _renders_offline(browser, page)
    browser.set_script_timeout(120)
    browser.execute_script(script)
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG)}}}}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, "
        "help: v.help, nodes: v.nodes.length}))));")


@pytest.mark.parametrize("name", REPORTS)
def test_reports_meet_wcag_aa(browser, axe_script, demo_reports, name):
    violations = _axe(browser, demo_reports[name], axe_script)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_axe_finds_a_violation_when_there_is_one(browser, axe_script, tmp_path):
    page = tmp_path / "fout.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title></head><body><main>'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    _open(browser, page)
    browser.execute_script(axe_script)
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => v.id)));")
    assert "image-alt" in found and "html-has-lang" in found


def test_index_meets_wcag_aa(browser, axe_script, report_html):
    from helpers.publish.portal import write_index

    index = write_index(report_html.parent, "Rapporten Voorbeeldstad", [
        {"title": "Wijkprofiel Rivierkwartier", "file": report_html.name, "status": "ok",
         "section": "Wijken"}])
    _open(browser, index)
    browser.execute_script(axe_script)
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG)}}}}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact}))));")
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


def test_index_opens_offline_and_links_the_report(browser, report_html):
    from helpers.publish.portal import write_index

    index = write_index(report_html.parent, "Rapporten Voorbeeldstad", [
        {"title": "Wijkprofiel Rivierkwartier", "file": report_html.name, "status": "ok"}])
    _open(browser, index)
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    assert links == [report_html.name]
    assert _errors(browser) == []
    browser.find_element("link text", "Wijkprofiel Rivierkwartier").click()
    assert _wait_for(browser, "return document.querySelectorAll("
                              "'[id^=stuurkit-chart-] svg.marks').length", 4) == 4


def test_network_log_sees_an_external_request(browser, tmp_path):
    """The check above can fail: a page that loads from the internet is caught."""
    page = tmp_path / "lek.html"
    page.write_text('<html><body><img src="https://example.invalid/x.png"></body></html>')
    _open(browser, page)
    time.sleep(0.5)
    assert any(u.startswith("https://example.invalid") for u in _requests(browser))


@pytest.fixture(scope="module")
def injected_reports(tmp_path_factory) -> list[Path]:
    """Every report of a demo copy whose every text field holds the payloads
    (``tests.scenarios.reliability.PAYLOADS``), made by ``stuurkit run``."""
    from tests.scenarios import reliability

    folder = tmp_path_factory.mktemp("injected")
    ws = reliability.copy_demo(folder / "ws")
    changed = reliability._inject(ws)
    assert changed["area names"] > 100 and changed["begroting.yml"] > 50
    result = reliability.stuurkit(["run", str(ws), "--jobs", "2"],
                                  {"STUURKIT_REPORTS": str(folder / "reports")}, timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    pages = sorted((folder / "reports" / ws.name).glob("*.html"))
    assert len(pages) >= 15
    return pages


def test_markup_from_the_data_is_shown_and_never_runs(browser, injected_reports):
    """No script of the payloads runs, nothing navigates away, nothing is requested,
    and the payload is on the page as text."""
    for page in injected_reports:
        _renders_offline(browser, page)
        time.sleep(0.3)  # a meta refresh of 0 s would have fired by now
        assert browser.execute_script("return location.href") == page.as_uri(), page.name
        assert browser.execute_script("return window.__pwned === undefined"), page.name
        if page.name != "index.html":
            text = browser.execute_script("return document.body.innerText")
            assert "<script>window.__pwned=1</script>" in text, page.name
