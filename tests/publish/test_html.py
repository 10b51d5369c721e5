"""Publishing rules that need no kernel: external references, index, atomic writes."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers import files
from helpers.errors import PublishError
from helpers.publish import audit
from helpers.publish import html as publish
from helpers.publish.portal import write_index


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>',
    '<link rel="stylesheet" href="//fonts.example.org/x.css">',
    '<img src="http://example.org/a.png">',
    '<style>@import url("https://x.org/a.css");</style>',
    '<div style="background: url(https://x.org/a.png)"></div>',
    '<script type="module">import x from "https://esm.sh/x";</script>',
    '<script>import("https://esm.sh/x")</script>',
    '<iframe src="https://example.org"></iframe>',
])
def test_external_references_are_found(snippet):
    found = audit.scan_html(f"<html><body>{snippet}</body></html>")
    # a foreign script is refused as a script, whatever it would load
    assert found.count("external") + found.count("script") + found.count("element") >= 1


@pytest.mark.parametrize("snippet", [
    '<a href="#kerncijfers">x</a>',
    '<a href="wijkprofiel_WK990101.html">x</a>',
    '<img src="data:image/png;base64,AAAA">',
    '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    '<p>see https://vega.github.io for docs</p>',
])
def test_inert_urls_are_allowed(snippet):
    assert audit.external_references(f"<html><body>{snippet}</body></html>") == []


def _notebook(outputs: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('geheime code')")
    cell.outputs = outputs
    nb.cells = [nbformat.v4.new_markdown_cell("# Titel"), cell]
    nb.metadata["papermill"] = {"parameters": {"area_code": "WK990101"}, "exception": None}
    return nb


def test_notebook_to_html_refuses_external_loads():
    out = nbformat.v4.new_output("display_data", data={
        "text/html": '<script src="https://cdn.example.org/x.js"></script>'})
    with pytest.raises(PublishError, match=r"privacy scan.*external: <script src=.https://cdn.example.org/x.js.>"):
        publish.notebook_to_html(_notebook([out]))


def test_notebook_to_html_hides_code_and_adds_footer():
    out = nbformat.v4.new_output(
        "display_data", data={"text/markdown": "# Wijkprofiel X"},
        metadata={"stuurkit": {"title": "Wijkprofiel X", "gemeente": "Voorbeeldstad (GM9901)",
                               "sources": [{"source": "CBS", "retrieved": "2026-01-01",
                                            "licence": "CC BY 4.0", "files": "a"}]}})
    text = publish.notebook_to_html(_notebook([out]))
    assert "geheime code" not in text
    assert "<title>Wijkprofiel X – Voorbeeldstad (GM9901)</title>" in text
    assert "area_code = WK990101" in text and "CBS, opgehaald 2026-01-01" in text
    assert audit.external_references(text) == []


def test_index_links_reports_and_marks_failures(tmp_path):
    path = write_index(tmp_path, "Rapporten Voorbeeldstad", [
        {"title": "Wijkprofiel A", "file": "a.html", "status": "ok"},
        {"title": "Wijkprofiel B", "file": "b.html", "status": "mislukt", "detail": "Fout"},
    ])
    text = path.read_text()
    assert '<a href="a.html">Wijkprofiel A</a>' in text
    assert 'Wijkprofiel B <span class="status-mislukt">mislukt</span>' in text
    assert audit.external_references(text) == [] and 'lang="nl"' in text
    assert audit.scan_html(text).passed


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "rapport.html"
    target.write_text("oude versie")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError):
        files.write_text_atomic(target, "nieuwe versie")
    assert target.read_text() == "oude versie"
    assert [p.name for p in Path(tmp_path).iterdir()] == ["rapport.html"]


def test_text_from_data_is_shown_never_executed(tmp_path):
    from helpers.presentation.markup import markdown
    from helpers.reports import programmamonitor

    evil = "<script>alert('x')</script>"
    assert "<script>" not in markdown(f"Duiding met {evil} erin")
    assert programmamonitor.goal_texts  # the duiding reaches the page through markdown()
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()
    from helpers.reports.common import header

    class FakeConfig:
        class gemeente:  # noqa: N801 (a stand-in)
            code, name = "GM9901", evil

        demo = False
        style = None

    class FakeWorkspace:
        config, name, provenance = FakeConfig, "x", []

    captured = []
    import helpers.reports.common as report

    original = report.display
    report.display = lambda obj, **kw: captured.append(obj)
    try:
        header(f"Wijkprofiel {evil}", FakeWorkspace)
    finally:
        report.display = original
    text = captured[-1].data
    assert "<script>" not in text and "&lt;script&gt;" in text
