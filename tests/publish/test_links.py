"""One linked set of reports (issue 16): the portal shows each report's status and links
to every report, every report links back to the portal and to its workbook, programme
rows link to their monitor and areas to their profile — and no link is dead."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from selectolax.lexbor import LexborHTMLParser

from helpers.publish.portal import write_index
from helpers.workspace import reportfiles

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(demo_ws, tmp_path_factory) -> Path:
    """The demo's whole schedule, run into a reports folder of its own."""
    from helpers import run as runner

    reports = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUURKIT_REPORTS", str(reports))
        jobs = runner.expand(demo_ws)
        results = runner.run(demo_ws, jobs, options=runner.RunOptions(workers=2,
                                                                      progress=False))
    assert [r.job.name for r in results if r.status != "ok"] == []
    return reports / "demo"


def _links(path: Path) -> tuple[list[str], set[str]]:
    """Every ``href`` of a page and every ``id`` on it."""
    page = LexborHTMLParser(path.read_text(encoding="utf-8"))
    hrefs = [node.attributes["href"] for node in page.css("[href]")]
    ids = {unquote(node.attributes["id"]) for node in page.css("[id]")}
    return hrefs, ids


def dead_links(folder: Path) -> list[str]:
    """``page: href`` for every link of every page in ``folder`` to a file that is not
    there or to an id its target page does not have."""
    pages = {p.name: _links(p) for p in sorted(folder.glob("*.html"))}
    dead = []
    for name, (hrefs, _) in pages.items():
        for href in hrefs:
            target, _, fragment = href.partition("#")
            target = target or name
            if not (folder / target).is_file():
                dead.append(f"{name}: {href} (no file {target})")
            elif fragment and target in pages and unquote(fragment) not in pages[target][1]:
                dead.append(f"{name}: {href} (no id {fragment!r} in {target})")
    return dead


def test_no_link_in_the_demo_reports_or_the_index_is_dead(demo_run):
    assert (demo_run / reportfiles.INDEX).is_file()
    assert dead_links(demo_run) == []


def test_the_index_shows_each_reports_status_by_section(demo_run):
    page = LexborHTMLParser((demo_run / reportfiles.INDEX).read_text(encoding="utf-8"))
    sections = [h2.text() for h2 in page.css("main h2")]
    assert sections == ["Bestuur", "Programma's", "Wijken", "Buurten", "Verantwoording"]
    reports = sorted(p.name for p in demo_run.glob("*.html") if p.name != reportfiles.INDEX)
    items = page.css("ul.stuurkit-portal li")
    assert sorted(li.css_first("a").attributes["href"] for li in items) == reports
    for li in items:
        status = li.css_first(".stuurkit-portal-status").text()
        own = LexborHTMLParser((demo_run / li.css_first("a").attributes["href"]).read_text(
            encoding="utf-8")).css_first("section.stuurkit-key").text()
        sentence = status.split(" · ")[0]
        assert sentence in own, f"{li.text()}: the index shows another status"
        assert "gegevens 2024" in status and "gemaakt " in status
    assert any("Excel" in li.text() for li in items)


def test_every_report_links_to_the_index_and_its_workbook(demo_run):
    for page in sorted(demo_run.glob("*.html")):
        if page.name == reportfiles.INDEX:
            continue
        hrefs, _ = _links(page)
        assert reportfiles.INDEX in hrefs, f"{page.name}: no way back to the index"
        workbook = reportfiles.workbook_name(page.name)
        if (demo_run / workbook).is_file():
            assert workbook in hrefs, f"{page.name}: no link to {workbook}"


def test_programmes_link_to_their_monitor_and_areas_to_their_profile(demo_run):
    hrefs, _ = _links(demo_run / "30_bestuursoverzicht.html")
    monitors = sorted(p.name for p in demo_run.glob("20_programmamonitor_*.html"))
    assert monitors and set(monitors) <= set(hrefs)
    assert any(h.startswith("10_wijkprofiel_WK") for h in hrefs)  # a signal's wijk
    wijk, _ = _links(demo_run / "10_wijkprofiel_WK990103.html")  # its buurten are scheduled
    buurten = sorted(p.name for p in demo_run.glob("10_wijkprofiel_BU990103*.html"))
    assert len(buurten) == 7 and set(buurten) <= set(wijk)
    buurt, _ = _links(demo_run / buurten[0])
    assert "10_wijkprofiel_WK990103.html" in buurt  # back to its wijk
    other, _ = _links(demo_run / "10_wijkprofiel_WK990101.html")  # buurten not scheduled
    assert not [h for h in other if h.startswith("10_wijkprofiel_BU")]


def test_dead_links_are_found(tmp_path):
    (tmp_path / "a.html").write_text('<p id="x"><a href="b.html">b</a> <a href="#x">x</a> '
                                     '<a href="a.html#y">y</a> <a href="c.xlsx">c</a></p>')
    (tmp_path / "b.html").write_text("<p>b</p>")
    assert dead_links(tmp_path) == ["a.html: a.html#y (no id 'y' in a.html)",
                                    "a.html: c.xlsx (no file c.xlsx)"]


def test_the_portal_reads_the_status_of_a_previous_version(tmp_path):
    (tmp_path / "a.html").write_text('<html><head><meta name="description" content="3 van 4 '
                                     'doelen op koers &lt;b&gt;."></head><body></body></html>')
    (tmp_path / "a.xlsx").write_bytes(b"")
    text = write_index(tmp_path, "Rapporten", [
        {"title": "A", "file": "a.html", "status": "mislukt", "year": 2023, "section": "Bestuur"},
        {"title": "B", "file": "b.html", "status": "mislukt", "section": "Bestuur"},
    ]).read_text()
    assert "Vorige versie: 3 van 4 doelen op koers &lt;b&gt;. · gegevens 2023 · gemaakt" in text
    assert '<a href="a.xlsx">Excel</a>' in text and "b.xlsx" not in text
