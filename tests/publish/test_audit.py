"""The privacy scan (helpers.publish.audit): it passes clean reports and finds every leak."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from helpers.cli import main
from helpers.indicators.catalogue import Indicator
from helpers.presentation import embed as bundle
from helpers.presentation import render as rendering
from helpers.presentation.declare import cell_attributes, declare
from helpers.publish import audit

COUNT = Indicator(id="meldingen", label="Meldingen", description="d", unit="aantal",
                  kind="count", numerator="meldingen", min_count=10, levels=["wijk"],
                  theme="Veiligheid", source="eigen")
RATE = Indicator(id="per_1000", label="Per 1000", description="d", unit="per 1000",
                 kind="rate", numerator="a", denominator="b", scale=1000, min_count=10,
                 levels=["wijk"], theme="Veiligheid", source="eigen")
POLICY = ("default-src 'none'; script-src {hashes} 'unsafe-eval'; style-src 'unsafe-inline'; "
          "img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def _page(body: str, policy: str | None = POLICY, library: bool = True) -> str:
    """A published page around ``body`` (after a stand-in chart library) with a policy
    listing its scripts' hashes."""
    if library:
        body = bundle.wrap("/* vega */") + body
    hashes = " ".join(audit.script_hashes(body)) or "'none'"
    meta = (f'<meta http-equiv="Content-Security-Policy" content="{policy.format(hashes=hashes)}">'
            if policy else "")
    return f"<!DOCTYPE html><html><head>{meta}</head><body>{body}</body></html>"


def _chart(chart) -> str:
    return rendering._html_renderer(chart.to_dict())["text/html"]


def _frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_a_declared_chart_and_marked_table_pass():
    chart = declare(alt.Chart(_frame(wijk=["A", "B"], waarde=[12, 40])).mark_bar().encode(
        x="waarde:Q", y="wijk:N"), {"waarde": [COUNT]})
    cell = f"<table><tr><td{cell_attributes(COUNT)}>1.234</td></tr></table>"
    found = audit.scan_html(_page(_chart(chart) + cell))
    assert found.passed, found.findings
    assert found.charts == 1 and found.values_checked == 3
    assert found.tables == 2  # the chart's own data table and ours


@pytest.mark.parametrize("values, small", [([12, 3], 1), ([0, 9, 10], 1), ([10, 11], 0)])
def test_small_counts_in_a_chart_are_found(values, small):
    chart = declare(alt.Chart(_frame(waarde=values)).mark_bar().encode(x="waarde:Q"),
                          {"waarde": [COUNT]})
    assert audit.scan_html(_page(_chart(chart))).count("small-count") == small


def test_a_rate_may_be_small_but_its_numerator_may_not():
    chart = declare(alt.Chart(_frame(waarde=[2.5], numerator=[3])).mark_bar().encode(
        x="waarde:Q", tooltip="numerator:Q"), {"waarde": [RATE]})
    found = audit.scan_html(_page(_chart(chart)))
    assert [f.kind for f in found.findings] == ["small-count"]
    assert "numerator = 3" in found.findings[0].detail


def test_small_counts_in_nl_formatted_table_cells_are_found():
    cells = "".join(f"<td{cell_attributes(COUNT)}>{text}</td>"
                    for text in ("1.234", "7", "onderdrukt", "–", "12,0"))
    found = audit.scan_html(_page(f"<table><tr>{cells}</tr></table>"))
    assert found.count("small-count") == 1 and "'7'" in found.findings[0].detail


def test_a_column_the_chart_does_not_draw_is_found():
    chart = declare(alt.Chart(_frame(waarde=[12], bsn=["123456782"])).mark_bar().encode(
        x="waarde:Q"), {"waarde": [COUNT]})
    found = audit.scan_html(_page(_chart(chart)))
    assert [str(f) for f in found.findings] == [
        "unused-column: grafiek 1: column 'bsn' is embedded but not drawn"]


def test_fields_used_in_expressions_transforms_and_layers_count_as_drawn():
    data = _frame(naam=["A"], waarde=[12], gekozen=[True], groep=["x"])
    base = alt.Chart(data)
    chart = declare(alt.layer(
        base.mark_bar().encode(x="waarde:Q", color=alt.condition("datum.gekozen",
                                                                 alt.value("red"),
                                                                 alt.value("grey"))),
        base.transform_aggregate(n="count()", groupby=["groep"]).mark_text().encode(
            text="n:Q"),
        base.mark_text().encode(text="naam:N")), {"waarde": [COUNT]})
    assert audit.scan_html(_page(_chart(chart))).passed


def test_an_undeclared_chart_is_found():
    chart = alt.Chart(_frame(waarde=[12])).mark_bar().encode(x="waarde:Q")
    assert audit.scan_html(_page(_chart(chart))).count("undeclared-chart") == 1


@pytest.mark.parametrize("body, kind", [
    ("<img src='https://example.org/t.png'>", "external"),
    ("<link rel='stylesheet' href='//cdn.example.org/x.css'>", "external"),
    ("<style>@import url(https://fonts.example.org/f.css);</style>", "external"),
    ("<script>fetch('https://example.org')</script>", "script"),
    ("<img src=x onerror=\"alert(1)\">", "handler"),
    ("<a href='javascript:alert(1)'>x</a>", "handler"),
])
def test_external_loads_foreign_scripts_and_handlers_are_found(body, kind):
    assert audit.scan_html(_page(body)).count(kind) >= 1


def test_chart_data_from_a_url_is_external():
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "data": {"url": "https://example.org/data.json"}, "mark": "bar",
            "usermeta": {"stuurkit": {"values": {}}}}
    found = audit.scan_html(_page(rendering._html_renderer(spec)["text/html"]))
    assert found.count("external") == 1


@pytest.mark.parametrize("policy, expected", [
    (None, "no Content-Security-Policy"),
    (POLICY.replace("{hashes}", "'unsafe-inline'"), "'unsafe-inline'"),
    (POLICY.replace("connect-src 'none'", "connect-src https://api.example.org"),
     "connect-src allows https://api.example.org"),
    (POLICY.replace("default-src 'none'", "default-src 'self'"), "default-src is not 'none'"),
    (POLICY.replace("{hashes}", "'sha256-AAAA'"), "not listed in script-src"),
])
def test_the_policy_is_checked(policy, expected):
    chart = declare(alt.Chart(_frame(waarde=[12])).mark_bar().encode(x="waarde:Q"),
                          {"waarde": [COUNT]})
    found = audit.scan_html(_page(_chart(chart), policy))
    assert any(expected in str(f) for f in found.findings if f.kind == "csp"), found.findings


def test_text_with_markup_in_a_chart_cannot_end_its_script():
    chart = declare(alt.Chart(_frame(naam=["</script><script>alert(1)</script><!--"],
                                           waarde=[12])).mark_bar().encode(
        x="waarde:Q", y="naam:N"), {"waarde": [COUNT]})
    html = _chart(chart)
    assert "</script><script>" not in html.split("</script>")[0]
    found = audit.scan_html(_page(html))
    assert found.passed and found.charts == 1


@pytest.mark.slow
def test_every_demo_report_passes_and_the_cli_says_so(demo_reports, capsys):
    folder = next(iter(demo_reports.values())).parent
    assert main(["audit", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "file(s) pass the privacy scan" in out and "FAIL" not in out


def test_the_cli_fails_on_a_leaking_report(tmp_path, capsys):
    (tmp_path / "lek.html").write_text(_page("<img src='https://example.org/p.gif'>"))
    assert main(["audit", str(tmp_path)]) == 1
    assert "lek.html: external" in capsys.readouterr().out


def test_publish_refuses_a_report_that_fails_the_scan(tmp_path):
    import nbformat

    from helpers.errors import PublishError
    from helpers.publish.html import publish_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": "<script>document.title='x'</script>"})]
    nb.cells = [cell]
    target = tmp_path / "r.html"
    target.write_text("vorige versie")
    with pytest.raises(PublishError, match="a script Stuurkit did not write"):
        publish_notebook(nb, target)
    assert target.read_text() == "vorige versie"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]



def test_charts_without_their_library_are_found():
    chart = declare(alt.Chart(_frame(waarde=[12])).mark_bar().encode(x="waarde:Q"),
                          {"waarde": [COUNT]})
    found = audit.scan_html(_page(_chart(chart), library=False))
    assert [f.kind for f in found.findings] == ["script"]
    assert "no chart library" in found.findings[0].detail


def test_the_bundle_placeholder_is_filled_whatever_the_attribute_order(tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_CACHE", str(tmp_path))
    (tmp_path / "vega-bundle-1.0-v6.js").write_text("var vega = 1;")
    bundle._read.cache_clear()
    for tag in ('<script id="stuurkit-vega-bundle" data-file="vega-bundle-1.0-v6.js"></script>',
                '<script data-file="vega-bundle-1.0-v6.js" id="stuurkit-vega-bundle"></script>'):
        filled = bundle.fill(f"<p>a</p>{tag}<p>b</p>{tag}")
        assert filled == f"<p>a</p>{bundle.wrap('var vega = 1;')}<p>b</p>"
    with pytest.raises(Exception, match="is missing"):
        bundle.fill('<script id="stuurkit-vega-bundle" data-file="vega-bundle-9-v9.js"></script>')
