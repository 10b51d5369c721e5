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
import unicodedata
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
    # the report, and its workbook when it has one beside it
    assert links == [report_html.name] + [w.name for w in [report_html.with_suffix(".xlsx")]
                                          if w.exists()]
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


# ---- print and small screens (issue 16) ----

MM = 96 / 25.4  # CSS px per mm
A4 = (210, 297)


def _page_margins_mm() -> tuple[float, float, float]:
    """Top, sides and bottom of the reports' ``@page`` margin (``REPORT_CSS``)."""
    import re

    from helpers.publish.html import REPORT_CSS

    found = re.search(r"@page \{ size: A4 portrait; margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm;",
                      REPORT_CSS)
    assert found, "REPORT_CSS sets an A4 portrait @page with margins in mm"
    top, sides, bottom = map(float, found.groups())
    return top, sides, bottom


def _printed(browser, page: Path) -> list[str]:
    """``page`` printed to PDF as a user's Chromium prints it (A4, the page's own CSS size);
    the text of each printed page."""
    import base64
    import io

    pypdf = pytest.importorskip("pypdf")
    _renders_offline(browser, page)
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": A4[0] / 25.4, "paperHeight": A4[1] / 25.4, "preferCSSPageSize": True,
        "printBackground": True})
    reader = pypdf.PdfReader(io.BytesIO(base64.b64decode(pdf["data"])))
    # NFKC: the PDF's ligatures ("ﬁ") as letters
    return [unicodedata.normalize("NFKC", p.extract_text() or "") for p in reader.pages]


@pytest.mark.parametrize("name", REPORTS)
def test_every_demo_report_prints_with_title_and_page_numbers(browser, demo_reports, name):
    texts = _printed(browser, demo_reports[name])
    title = browser.title
    for number, text in enumerate(texts, 1):
        flat = " ".join(text.split())
        assert f"Pagina {number} van {len(texts)}" in flat, (number, flat[-200:])
        assert title in flat, f"page {number} lacks the title {title!r} in its margin"
        body = flat.replace(title, "").replace(f"Pagina {number} van {len(texts)}", "")
        assert len(body.strip()) > 40, f"page {number} of {len(texts)} is (nearly) blank"


def test_bestuursoverzicht_prints_on_two_pages(browser, demo_reports):
    texts = _printed(browser, demo_reports["30_bestuursoverzicht"])
    assert len(texts) <= 2, f"the bestuursoverzicht prints on {len(texts)} A4 pages"


_OUTSIDE = """
const cw = document.documentElement.clientWidth, bad = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
const clipped = el => {  // inside a box that scrolls or clips and itself fits the page
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    const overflow = getComputedStyle(up).overflowX;
    if (overflow !== 'visible' && up.getBoundingClientRect().right <= cw + 1) return true;
  }
  return false;
};
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > cw + 1 && !(arguments[0] && clipped(el)))
    bad.push(name(el) + ' ends at ' + Math.round(r.right) + ' px');
}
const boxes = 'table, figure, .stuurkit-chart, .jp-OutputArea-output';
if (!arguments[0])
  for (const el of document.querySelectorAll(boxes))
    if (el.scrollWidth > el.clientWidth + 1)
      bad.push(name(el) + ' scrolls: ' + el.scrollWidth + ' > ' + el.clientWidth + ' px');
if (document.documentElement.scrollWidth > cw + 1)
  bad.push('the page is ' + document.documentElement.scrollWidth + ' px wide, not ' + cw);
return {width: cw, bad: bad.slice(0, 10), charts: Array.from(
  document.querySelectorAll('.stuurkit-chart svg')).map(s => s.getBoundingClientRect().height)};
"""


def _with_viewport(browser, width: int, media: str, allow_scroll_boxes: bool) -> dict:
    """Lay the open page out ``width`` CSS px wide for ``media`` and find what sticks out."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    browser.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        time.sleep(0.3)
        return browser.execute_script(_OUTSIDE, allow_scroll_boxes)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.parametrize("name", REPORTS)
def test_nothing_is_wider_than_the_printed_page(browser, demo_reports, name):
    """In print every table wraps (no scrollbar) and every chart scales to the printable
    width; no chart is taller than a page, so none has to be split."""
    top, sides, bottom = _page_margins_mm()
    width = round((A4[0] - 2 * sides) * MM)
    _renders_offline(browser, demo_reports[name])
    found = _with_viewport(browser, width, "print", allow_scroll_boxes=False)
    assert found["width"] == width
    assert found["bad"] == [], found["bad"]
    tallest = (A4[1] - top - bottom) * MM
    assert all(h <= tallest for h in found["charts"]), (found["charts"], tallest)


@pytest.mark.parametrize("name", REPORTS)
def test_tables_never_widen_a_phone_screen(browser, demo_reports, name):
    """390 px wide: a wide table scrolls inside its own box, nothing widens the page."""
    _renders_offline(browser, demo_reports[name])
    found = _with_viewport(browser, 390, "screen", allow_scroll_boxes=True)
    assert found["bad"] == [], found["bad"]


def test_the_print_width_check_finds_a_table_that_is_too_wide(browser, tmp_path):
    """The width checks above can fail: a table of unbreakable words is caught in print."""
    page = tmp_path / "breed.html"
    words = "".join(f"<td>Onafbreekbaarwoord{i}xxxxxxxxxxxxxxxx</td>" for i in range(8))
    page.write_text(f'<html><body><table class="stuurkit-table"><tr>{words}</tr></table>'
                    '</body></html>')
    _open(browser, page)
    found = _with_viewport(browser, 700, "print", allow_scroll_boxes=False)
    assert any(b.startswith("table") for b in found["bad"]), found


def test_screenshots_show_the_whole_page(browser, demo_reports, tmp_path, monkeypatch):
    """``stuurkit screenshots``: one PNG per report, as tall as the page, not one screen."""
    import struct

    from helpers.publish import screenshots

    folder = tmp_path / "demo"
    folder.mkdir()
    page = folder / demo_reports["10_wijkprofiel"].name
    shutil.copy(demo_reports["10_wijkprofiel"], page)
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    (png,) = screenshots.screenshots("demo")
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    browser.set_window_size(screenshots.WIDTH, 1000)
    try:
        _renders_offline(browser, page)
        time.sleep(0.3)
        expected = browser.execute_script("return document.documentElement.scrollHeight")
    finally:
        browser.set_window_size(1200, 2000)
    assert height > 2 * 1000, "more than the first screen"
    assert abs(height - expected) <= 4, (height, expected)
    assert abs(width - screenshots.WIDTH) <= 20


def test_a_title_with_markup_prints_as_text_in_the_margin(browser, tmp_path):
    """The template writes the title into an ``@page`` rule (``html._css_string``): a
    title that tries to end the string, the rule or the style element prints as text."""
    from helpers.publish.html import REPORT_CSS, _css_string

    title = 'Wijk "Oost" \\ } </style><script>window.__pwned=1</script> – 2024'
    page = tmp_path / "titel.html"
    page.write_text(f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>"
                    f"<title>t</title><style>{REPORT_CSS}\n@page {{ @top-left {{ content: "
                    f"{_css_string(title)}; }} }}</style></head><body class='jp-Notebook'>"
                    "<p>Inhoud van de pagina, lang genoeg om te tellen als tekst.</p></body>"
                    "</html>", encoding="utf-8")
    (text,) = _printed(browser, page)
    assert title in " ".join(text.split())
    assert browser.execute_script("return window.__pwned === undefined")


def test_run_pdf_prints_each_report_beside_it(browser, tmp_path):
    """``stuurkit run --pdf``: an A4 PDF beside each report made, with the title and page
    numbers in the margin; a PDF beside a report that fails the privacy scan is set aside
    with it."""
    from tests.scenarios import reliability

    pypdf = pytest.importorskip("pypdf")
    folder = tmp_path / "demo"
    folder.mkdir()
    leak = folder / "95_oud.html"
    leak.write_text(reliability.previous_report('<img src="https://example.invalid/x.png">'),
                    encoding="utf-8")
    leak.with_suffix(".pdf").write_bytes(b"%PDF-1.4 old")
    result = reliability.stuurkit(["run", "demo", "--only", "datakwaliteit", "--jobs", "1",
                                   "--pdf"], {"STUURKIT_REPORTS": str(tmp_path)}, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    made = folder / "90_datakwaliteit.pdf"
    reader = pypdf.PdfReader(made)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == A4
    first = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
    assert "Datakwaliteit" in first and f"Pagina 1 van {len(reader.pages)}" in first
    assert not leak.with_suffix(".pdf").exists()
    assert (folder / "95_oud.pdf.rejected").exists()


@pytest.mark.parametrize("name", ["30_bestuursoverzicht", "20_programmamonitor"])
def test_the_comparison_with_peers_is_shown(browser, demo_reports, name):
    """The demo's fictional peer gemeenten: the gemeente beside the country total and its
    peer group, as a reader sees the page."""
    _open(browser, demo_reports[name])
    _wait_for(browser, "return document.readyState", "complete")
    found = browser.execute_script("""
        const h = [...document.querySelectorAll('h2')].find(
            e => e.textContent.startsWith('Vergelijking met Nederland'));
        if (!h) return null;
        const out = {groups: [], members: [], headers: [], rows: 0};
        for (let el = h.parentElement.closest('.jp-Cell').nextElementSibling;
             el && !el.querySelector('h2'); el = el.nextElementSibling) {
          for (const s of el.querySelectorAll('.stuurkit-peers strong'))
            out.groups.push(s.textContent);
          for (const s of el.querySelectorAll('.stuurkit-peers-members'))
            out.members.push(s.textContent);
          for (const t of el.querySelectorAll('table')) {
            out.headers.push([...t.querySelectorAll('thead th')].map(x => x.textContent));
            out.rows += t.querySelectorAll('tbody tr').length;
          }
        }
        return out;""")
    assert found is not None, "no section on Nederland and similar gemeenten"
    assert "De 10 meest vergelijkbare gemeenten (2024)" in found["groups"]
    assert len(found["members"]) == len(found["groups"])  # who is in each group
    neighbours = found["groups"].index("De 10 meest vergelijkbare gemeenten (2024)")
    assert found["members"][neighbours].count(", ") == 9, found["members"]
    assert found["rows"] >= 3
    header = found["headers"][0]
    assert header[:3] == ["Indicator", "Jaar", "Voorbeeldstad"]
    assert "Alle 33 gemeenten" in header and "Mediaan groep" in header and "Plaats" in header
    if name == "20_programmamonitor":  # every group, each with its reading
        assert len(found["groups"]) == 4 and "Lezing" in header  # with the provincie
