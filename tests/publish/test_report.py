"""The wijkprofiel end to end: papermill → executed notebook → self-contained HTML."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from helpers.errors import PublishError
from helpers.presentation import embed
from helpers.presentation import render as rendering
from helpers.publish import audit
from helpers.publish import html as publish
from helpers.publish.page import Page

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "10_wijkprofiel.ipynb"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def test_papermill_runs_the_notebook_from_another_folder(executed):
    nb = nbformat.read(executed, as_version=4)
    assert nb.metadata["papermill"]["exception"] is None
    assert nb.metadata["papermill"]["parameters"]["area_code"] == "WK990103"


def test_html_has_no_code_no_prompts_and_dutch_title(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert '<html lang="nl">' in text
    assert "<title>Wijkprofiel Rivierkwartier – Voorbeeldstad (GM9901)</title>" in text
    body = text.split("<body", 1)[1]
    assert "jp-InputArea-editor" not in body and 'class="highlight' not in body
    assert "jp-OutputPrompt" not in body
    assert "start_wijkprofiel" not in body and "from helpers import" not in body
    assert "analyst-only" not in text and "papermill of" not in text


def test_html_loads_nothing_from_other_hosts(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert audit.external_references(text) == []
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text):
        assert "http" not in tag, tag


def test_chart_javascript_is_inlined_once_and_specs_are_present(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert text.count(f'id="{rendering.BUNDLE_ID}"') == 1
    # packed (gzip, base64), so its text is on the page once and only in that block
    assert text.count(f'type="{embed.PACKED_TYPE}"') == 1
    assert rendering.javascript_bundle()[:200] not in text
    charts = re.findall(r'<div [^>]*id="(stuurkit-chart-[^"]+)"', text)
    assert len(charts) == 4  # location map, spine, difference map, trends
    # specs are inert data blocks (packed: gzip, base64); one loader (the page's last
    # script) unpacks and draws them
    assert text.count(f'<script type="{embed.SPEC_PACKED_TYPE}" class="stuurkit-spec"') == 4
    assert text.count('<script id="stuurkit-loader">') == 1
    assert text.rindex('<script id="stuurkit-loader">') > text.rindex('class="stuurkit-spec"')
    specs = json.dumps(Page(text).specs, separators=(",", ":"))
    assert len(Page(text).specs) == 4
    assert '"mark":{"type":"geoshape"' in specs and '"facet":' in specs


def test_footer_has_parameters_sources_and_generation_time(report_html):
    text = report_html.read_text(encoding="utf-8")
    footer = text.split('class="stuurkit-footer"', 1)[1]
    assert "area_code = WK990103" in footer and "year = 2024" in footer
    assert "Stuurkit demo-generator" in footer and "opgehaald 2026-11-26" in footer
    assert re.search(r"Gemaakt</dt><dd>\d\d-\d\d-\d{4} \d\d:\d\d met Stuurkit", footer)


def test_numbers_are_dutch(report_html):
    text = report_html.read_text(encoding="utf-8")
    table = text.split("<caption>Kerncijfers", 1)[1].split("</table>", 1)[0]
    assert re.search(r"\d{1,3}\.\d{3}</td>", table), "thousands separator is a point"
    assert re.search(r"\d,\d</td>", table), "decimal separator is a comma"
    assert '"decimal":","' in json.dumps(Page(text).specs).replace(" ", "")  # chart locale


def test_map_embeds_only_the_columns_it_draws(executed):
    nb = nbformat.read(executed, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                   for o in c.get("outputs", []))
    spec = next(s for s in (json.loads(block) for block in re.findall(
        r'class="stuurkit-spec" data-chart="[^"]+">(.*?)</script>', html, re.S))
        if "geoshape" in json.dumps(s))
    datasets = spec["datasets"]
    keys = {k for rows in datasets.values() for row in rows for k in row}
    assert keys <= {"type", "geometry", "naam", "gekozen", "soort"}, keys


def test_unknown_area_code_stops_with_one_clear_message(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "fout.ipynb"),
                            parameters={"area_code": "WK990199"}, progress_bar=False,
                            cwd=str(ROOT))
    assert err.value.ename == "UnknownAreaError"
    assert "WK990199" in err.value.evalue and "WK990101 (Binnenstad)" in err.value.evalue
    nb = nbformat.read(tmp_path / "fout.ipynb", as_version=4)
    with pytest.raises(PublishError, match="failed report"):
        publish.notebook_to_html(nb)


def test_boundary_change_is_marked_not_hidden(tmp_path):
    out = tmp_path / "nieuwe_akkers.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), progress_bar=False, cwd=str(ROOT),
                        parameters={"area_code": "BU99010604", "year": 2024})
    text = publish.notebook_to_html(nbformat.read(out, as_version=4))
    assert "Buurtprofiel Nieuwe Akkers" in text
    assert "in 2022 gewijzigd" in text
