"""Lean pages and static pages (issue 19).

A published page carries none of JupyterLab's CSS and its chart library packed once
before the loader; a static page (``publish(..., static=True)``) carries no script at
all: its charts are SVG images with a title, its data tables stay, and its policy lets
no script run. The scan refuses any script element on a static page.
"""

from __future__ import annotations

import base64
import gzip
import re

import nbformat
import pytest
from selectolax.lexbor import LexborHTMLParser

from helpers.presentation import embed
from helpers.publish import audit
from helpers.publish import html as publishing

INTERACTIVE_LIMIT_MB = 0.8
STATIC_LIMIT_MB = 0.3
# JupyterLab's own CSS: its command palette, file browser, scrollbars, editor
JUPYTERLAB_CSS = ("jp-CommandPalette", "jp-FileBrowser", "Mozilla scrollbar styling",
                  "lm-ScrollBar", "jp-DirListing", ".CodeMirror", "--md-grey-400")


@pytest.fixture(scope="module")
def static_html(executed, tmp_path_factory):
    target = tmp_path_factory.mktemp("statisch") / "wijkprofiel_WK990103.html"
    written = publishing.publish_notebook(executed, target, static=True)
    return target, written


def _tree(path):
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def _mb(path) -> float:
    return path.stat().st_size / 1e6


# ------------------------------------------------------------------ lean interactive pages


def test_a_page_carries_no_jupyterlab_css_and_stays_small(report_html):
    text = report_html.read_text(encoding="utf-8")
    styles = "".join(node.text() for node in _tree(report_html).css("style"))
    for rule in JUPYTERLAB_CSS:
        assert rule not in styles, rule
    assert len(styles) < 30_000  # the kit's base and report CSS only
    assert ".jp-RenderedHTMLCommon h1" in styles and "@page" in styles  # what pages use
    assert _mb(report_html) <= INTERACTIVE_LIMIT_MB, f"{_mb(report_html):.3f} MB"
    assert "@media print" in text


def test_the_chart_library_is_packed_once_right_before_the_loader(report_html):
    tree = _tree(report_html)
    scripts = tree.css("script")
    packed = [s for s in scripts if s.attributes.get("id") == embed.BUNDLE_ID]
    assert len(packed) == 1 and packed[0].attributes.get("type") == embed.PACKED_TYPE
    assert scripts[-1].attributes.get("id") == embed.LOADER_ID
    assert scripts[-2] is not None and scripts[-2].attributes.get("id") == embed.BUNDLE_ID
    # what it unpacks to is the library whose SHA-256 assets/bundles.json lists
    assert embed.is_known_packed(packed[0].text())
    unpacked = gzip.decompress(base64.b64decode(packed[0].text())).decode()
    assert embed.is_known_bundle(unpacked)
    # an inert block: the policy lists the loader's hash only
    policy = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert re.findall(r"'sha256-[^']+'", policy) == [embed.csp_hash(scripts[-1].text())]
    assert audit.scan_html(report_html.read_text(encoding="utf-8")).passed


def test_a_changed_packed_library_is_refused(report_html):
    text = report_html.read_text(encoding="utf-8")
    bad = base64.b64encode(gzip.compress(b"(function(){\nfetch('//x.org')\n})();")).decode()
    changed = re.sub(r'(<script id="stuurkit-vega-bundle" type="[^"]+">)[^<]*(</script>)',
                     lambda m: m.group(1) + bad + m.group(2), text, count=1)
    kinds = [f.kind for f in audit.scan_html(changed).findings]
    assert "script" in kinds  # not the library; and the charts have none
    twice = text.replace("<script id=\"stuurkit-loader\">",
                         embed.packed_script(_bundle_name()) + "<script id=\"stuurkit-loader\">")
    assert any("second chart library" in f.detail for f in audit.scan_html(twice).findings)


def _bundle_name() -> str:
    from helpers.presentation import render

    return render._bundle_path().name


# ------------------------------------------------------------------ static pages


def test_a_static_page_has_no_script_at_all_and_the_tightest_policy(static_html):
    path, _ = static_html
    text = path.read_text(encoding="utf-8")
    tree = _tree(path)
    assert tree.css("script") == []
    assert not re.search(r"\son[a-z]+\s*=", text, re.I) and "javascript:" not in text.lower()
    policies = tree.css('meta[http-equiv="Content-Security-Policy"]')
    assert [p.attributes["content"] for p in policies] == [embed.STATIC_POLICY]
    assert embed.STATIC_POLICY.startswith(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    first = next(tree.head.iter(include_text=False))  # the first element of <head>
    assert first.attributes.get("http-equiv") == "Content-Security-Policy"
    assert audit.scan_html(text).passed


def test_every_chart_of_a_static_page_is_an_svg_with_a_title(static_html, report_html):
    tree = _tree(static_html[0])
    interactive = _tree(report_html)
    charts = tree.css("div.stuurkit-chart")
    assert len(charts) == len(interactive.css("div.stuurkit-chart")) == 4
    for chart, live in zip(charts, interactive.css("div.stuurkit-chart"), strict=True):
        svg = chart.css_first("svg")
        assert svg is not None and svg.attributes.get("role") == "img"
        label = live.attributes["aria-label"]
        assert svg.attributes.get("aria-label") == label
        title = svg.css_first("title")
        assert title is not None and title.text() == label
        assert next(svg.iter(include_text=False)).tag == "title"  # its first child


def test_a_static_page_keeps_the_tables_and_texts(static_html, report_html):
    def tables(tree):
        return [" ".join(t.text(separator=" ").split()) for t in tree.css("table")]

    static, live = _tree(static_html[0]), _tree(report_html)
    assert tables(static) == tables(live)  # the data tables of the charts included
    assert len(static.css("details.stuurkit-data")) == 4
    assert [h.text() for h in static.css("h2")] == [h.text() for h in live.css("h2")]
    assert static.css_first("html").attributes.get("lang") == "nl"


def test_a_static_page_is_small(static_html):
    path, written = static_html
    assert _mb(path) <= STATIC_LIMIT_MB, f"{_mb(path):.3f} MB"
    # its workbook: the tables; the charts' long table has no data on the page to match
    from openpyxl import load_workbook

    book = [p for p in written if p.suffix == ".xlsx"]
    assert book and "Gegevens" not in load_workbook(book[0]).sheetnames
    assert audit.scan_workbook(book[0], path.read_text(encoding="utf-8")).passed


@pytest.mark.parametrize("script", [
    '<script type="application/json" class="stuurkit-spec" '
    'data-chart="stuurkit-chart-1-0123abcd">{"$schema": "x"}</script>',
    "LOADER",
    '<script>alert(1)</script>',
])
def test_the_scan_refuses_any_script_on_a_static_page(static_html, script):
    text = static_html[0].read_text(encoding="utf-8")
    if script == "LOADER":  # even Stuurkit's own loader
        script = embed.loader_script()
    found = audit.scan_html(text.replace("</main>", script + "</main>", 1)).findings
    assert any("static page" in f.detail for f in found), found


def test_a_static_chart_scans_its_data_before_it_is_drawn(executed):
    # a column a chart embeds but does not draw is found although the static page shows
    # only the drawing
    import json

    from helpers.presentation.markup import json_script

    nb = nbformat.read(str(executed), as_version=4)
    block = re.compile(r'(class="stuurkit-spec" data-chart="[^"]+">)(.*?)(</script>)', re.S)

    def leak(match):
        spec = json.loads(match.group(2))
        rows = next(iter(spec["datasets"].values()))
        rows[0]["bsn"] = 123456782
        return match.group(1) + str(json_script(spec)) + match.group(3)

    changed = False
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if not changed and block.search(html):
                output["data"]["text/html"] = block.sub(leak, html, count=1)
                changed = True
    assert changed
    with pytest.raises(Exception, match="privacy scan.*bsn"):
        publishing.notebook_to_html(nb, static=True)


def test_stuurkit_publish_static_writes_a_page_without_scripts(executed, tmp_path):
    from helpers.cli import main

    target = tmp_path / "wijkprofiel.html"
    assert main(["publish", str(executed), str(target), "--static"]) == 0
    assert _tree(target).css("script") == [] and len(_tree(target).css("svg title")) >= 4
