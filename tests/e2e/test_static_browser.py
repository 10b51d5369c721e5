"""A static page (``publish(..., static=True)``) in headless Chromium: it runs no script,
requests nothing, shows every chart as an image and meets WCAG 2.1 AA (axe-core)."""

from __future__ import annotations

import json

import pytest

from helpers.publish import html as publishing
from tests.e2e.test_browser import WCAG, _errors, _open, _requests, _wait_for, axe_script, browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]
__all__ = ["axe_script", "browser"]  # fixtures, used by name


def test_a_static_page_runs_nothing_and_meets_wcag_aa(browser, axe_script, executed,
                                                     tmp_path):
    page = publishing.publish_notebook(executed, tmp_path / "wijkprofiel_WK990103.html",
                                       static=True)[0]
    _open(browser, page)
    _wait_for(browser, "return document.readyState === 'complete'", True)
    assert browser.execute_script("return document.scripts.length") == 0
    drawn = browser.execute_script(
        "return [...document.querySelectorAll('.stuurkit-chart > svg[role=img]')]"
        ".filter(s => s.getBoundingClientRect().height > 50 && s.querySelector('title'))"
        ".length")
    assert drawn == 4
    assert _errors(browser) == []  # nothing blocked by the policy, nothing failed
    foreign = [u for u in _requests(browser) if not u.startswith(("file:", "data:"))]
    assert foreign == []
    browser.set_script_timeout(120)
    browser.execute_script(axe_script)
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG)}}}}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, "
        "help: v.help, nodes: v.nodes.length}))));")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
