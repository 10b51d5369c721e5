"""Where a run's time goes (helpers.run.phases): exclusive times per phase, handed over
per job; the breakdown switch times papermill and publishing without changing them."""

from __future__ import annotations

import time

from helpers.run import phases


def test_nested_phases_are_counted_once():
    phases.take()
    with phases.timed("outer"):
        time.sleep(0.03)  # of which 0.01 s were spent elsewhere (in the kernel, say)
        phases.add("kernel_side", 0.01)
        with phases.timed("inner"):
            time.sleep(0.1)
    got = phases.take()
    assert set(got) == {"outer", "inner", "kernel_side"}
    assert got["inner"] >= 0.1
    assert got["kernel_side"] == 0.01
    assert 0.015 <= got["outer"] < 0.1, "the inner phase and the added seconds are not outer's"
    assert phases.take() == {}, "take starts again"


def test_the_breakdown_is_off_unless_asked(monkeypatch):
    import papermill

    monkeypatch.delenv(phases.ENVIRONMENT, raising=False)
    before = papermill.execute_notebook
    assert phases.instrument() is False
    assert papermill.execute_notebook is before


def test_the_breakdown_wraps_once_and_keeps_behaviour(monkeypatch):
    import papermill

    from helpers.publish import html

    monkeypatch.setenv(phases.ENVIRONMENT, "1")
    for owner, name in ((papermill, "execute_notebook"), (html, "publish"),
                        (html.audit, "scan_html"), (html, "report_tables"),
                        (html, "write_workbook")):
        monkeypatch.setattr(owner, name, getattr(owner, name))  # put back afterwards
    exporter = html._html_exporter()
    monkeypatch.setattr(exporter, "from_notebook_node", exporter.from_notebook_node)
    assert phases.instrument() is True
    wrapped = html.audit.scan_html
    assert phases.instrument() is True
    assert html.audit.scan_html is wrapped, "instrumenting twice wraps once"
    phases.take()
    scanned = html.audit.scan_html("<!doctype html><html><head></head><body></body></html>")
    assert scanned.file == ""
    assert "scan" in phases.take()
