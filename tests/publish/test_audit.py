"""The privacy scan (helpers.publish.audit): it passes clean reports and finds every leak."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from helpers.cli import main
from helpers.indicators.catalogue import Indicator
from helpers.presentation import embed as bundle
from helpers.presentation import render as rendering
from helpers.presentation.declare import cell_attributes, declare
from helpers.publish import audit
from tests.scenarios import attacks

COUNT = Indicator(id="meldingen", label="Meldingen", description="d", unit="aantal",
                  kind="count", numerator="meldingen", min_count=10, levels=["wijk"],
                  theme="Veiligheid", source="eigen")
RATE = Indicator(id="per_1000", label="Per 1000", description="d", unit="per 1000",
                 kind="rate", numerator="a", denominator="b", scale=1000, min_count=10,
                 levels=["wijk"], theme="Veiligheid", source="eigen")
POLICY = ("default-src 'none'; script-src {hashes} 'unsafe-eval'; style-src 'unsafe-inline'; "
          "img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def _attrs(values: dict[str, str]) -> str:
    return "".join(f' {k}="{v}"' for k, v in values.items())


@pytest.fixture(scope="module", autouse=True)
def _library():
    rendering.javascript_bundle()  # the real chart library in the cache (once, ~3 s)


def _page(body: str, policy: str | None = POLICY, library: bool = True) -> str:
    """A published page around ``body``: the chart library (when ``library``), the
    loader last, and a policy (first in ``<head>``) with the hashes of Stuurkit's own
    scripts, as the publisher makes it."""
    if library:
        body = bundle.placeholder(rendering._bundle_path().name) + body
    body, hashes = bundle.fill(body + bundle.loader_script())
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{policy.format(hashes=" ".join(hashes))}">' if policy else "")
    return f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body>{body}</body></html>"


def _chart(chart) -> str:
    return rendering._html_renderer(chart.to_dict())["text/html"]


def _frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_a_declared_chart_and_marked_table_pass():
    chart = declare(alt.Chart(_frame(wijk=["A", "B"], waarde=[12, 40])).mark_bar().encode(
        x="waarde:Q", y="wijk:N"), {"waarde": [COUNT]})
    cell = f"<table><tr><td{_attrs(cell_attributes(COUNT))}>1.234</td></tr></table>"
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
    cells = "".join(f"<td{_attrs(cell_attributes(COUNT))}>{text}</td>"
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
    assert found.count("external") >= 1
    assert any("loads data from 'https://example.org/data.json'" in f.detail
               for f in found.findings)


@pytest.mark.parametrize("policy, expected", [
    (None, "no Content-Security-Policy"),
    (POLICY.replace("{hashes}", "'unsafe-inline'"), "'unsafe-inline'"),
    (POLICY.replace("connect-src 'none'", "connect-src https://api.example.org"),
     "connect-src allows https://api.example.org"),
    (POLICY.replace("default-src 'none'", "default-src 'self'"), "default-src is not 'none'"),
    (POLICY.replace("{hashes}", "'sha256-AAAA'"), "not listed in script-src"),
    (POLICY.replace("{hashes}", "{hashes} 'sha256-AAAA'"), "of no Stuurkit script"),
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
    assert "<" not in html.split('class="stuurkit-spec"')[1].split("</script>")[0][1:]
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


def test_the_bundle_placeholder_is_filled_whatever_the_attribute_order():
    name = rendering._bundle_path().name
    library = bundle.packed_script(name)
    loader = bundle.loader_script()
    for tag in (f'<script id="stuurkit-vega-bundle" data-file="{name}"></script>',
                f'<script data-file="{name}" id="stuurkit-vega-bundle"></script>'):
        filled, hashes = bundle.fill(f"<p>a</p>{tag}<p>b</p>{tag}{loader}")
        # packed, once, right before the loader (which unpacks it)
        assert filled == f"<p>a</p><p>b</p>{library}{loader}"
        assert hashes == [bundle.csp_hash(loader[loader.index(">") + 1:-len("</script>")])]
    with pytest.raises(Exception, match="is missing"):
        bundle.fill('<script id="stuurkit-vega-bundle" data-file="vega-bundle-9-v9.js"></script>')


def test_a_changed_chart_library_in_the_cache_is_refused(tmp_path, monkeypatch):
    name = rendering._bundle_path().name
    monkeypatch.setenv("STUURKIT_CACHE", str(tmp_path))
    (tmp_path / name).write_text(rendering.javascript_bundle() + "\nfetch('//x.org');")
    bundle.known_bundle.cache_clear()
    bundle._bundle_hash.cache_clear()
    try:
        with pytest.raises(Exception, match="was changed"):
            bundle.fill(bundle.placeholder(name))
    finally:
        bundle.known_bundle.cache_clear()
        bundle._bundle_hash.cache_clear()


_GOOD = [  # markup a report may hold
    '<a href="#kerncijfers">x</a>', '<a href="10_wijkprofiel_WK990101.html">x</a>',
    '<img src="data:image/png;base64,AAAA" alt="logo">',
    '<div style="background: url(data:image/png;base64,AAAA)"></div>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<rect width="9" height="9" fill="rgb(1,2,3)"/></svg>',
    "<style>p { color: red } /* url(https://in.a.comment) */</style>",
    # text that reads like CSS in a text attribute is text (a name from data, escaped)
    '<div title="Noord url(https://evil.example/b.png)" aria-label="x url(//e.x)">x</div>',
]
_BAD = attacks.PAGE_ATTACKS


@pytest.mark.parametrize("markup", _GOOD)
def test_what_a_report_holds_passes(markup):
    found = audit.scan_html(_page(markup, library=False))
    assert found.passed, found.findings


@pytest.mark.parametrize("markup, kind", _BAD)
def test_every_way_to_run_load_or_navigate_is_refused(markup, kind):
    found = audit.scan_html(_page(markup, library=False))
    assert found.count(kind) >= 1, found.findings


def test_a_policy_outside_head_or_after_another_element_counts_as_none():
    page = _page("<p>x</p>", library=False)
    moved = page.replace("<head><meta", "<head><title>t</title><meta", 1)
    assert any("first element of <head>" in f.detail for f in audit.scan_html(moved).findings)
    in_body = page.replace("</head><body>", "</head><body><p>a</p>", 1).replace(
        "<head><meta", "<head></head><body><meta", 1)
    assert not audit.scan_html(in_body).passed


def test_a_foreign_page_that_copies_the_policy_of_a_report_is_refused(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert audit.scan_html(text).passed
    tampered = text.replace("</main>", "<script>document.title='x'</script></main>", 1)
    found = audit.scan_html(tampered)
    assert found.count("script") == 1


def test_a_workbook_is_scanned_against_its_page(tmp_path):
    from helpers.publish.workbook import write_workbook

    page = _page("<table><caption>Tabel A</caption><tr><th>naam</th><th>waarde</th></tr>"
                 "<tr><td>Noord</td><td>12,3</td></tr><tr><td>=1+1</td><td>–</td></tr></table>",
                 library=False)
    (tmp_path / "r.html").write_text(page)
    good = [{"caption": "Tabel A", "columns": ["naam", "waarde"],
             "rows": [["Noord", 12.3], ["=1+1", None]]}]
    write_workbook(good, tmp_path / "r.xlsx", "r")
    found = audit.scan_workbook(tmp_path / "r.xlsx", page)
    assert found.passed, found.findings
    # full precision, a suppressed value or a formula: each is a finding
    for rows in ([["Noord", 12.3456], ["=1+1", None]], [["Noord", 12.3], ["=1+1", 4]]):
        write_workbook([{**good[0], "rows": rows}], tmp_path / "r.xlsx", "r")
        assert audit.scan_workbook(tmp_path / "r.xlsx", page).count("workbook") == 1
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    book.worksheets[0]["A4"] = "=HYPERLINK(\"https://evil.example\")"
    book.save(tmp_path / "r.xlsx")
    assert any("formula" in f.detail
               for f in audit.scan_workbook(tmp_path / "r.xlsx", page).findings)


def test_every_attack_is_refused_on_a_real_page_and_by_publish(tmp_path):
    rows = attacks.page_attacks(tmp_path)
    assert all(r.ok for r in rows), [(r.case, r.numbers, r.detail) for r in rows]
    assert not list(tmp_path.glob("r.*"))  # nothing was written


def test_stuurkits_own_scripts_cannot_change_how_the_page_parses():
    # neither the loader nor the chart library may hold what would let a script element
    # run on past its end tag (the scan sets the verified library aside on this ground)
    import re

    unsafe = re.compile(r"<!--|<script|</script", re.IGNORECASE)
    loader = bundle.loader_script()
    assert not unsafe.search(loader[len('<script id="stuurkit-loader">'):-len("</script>")])
    assert not unsafe.search(rendering.javascript_bundle())
    assert bundle.is_loader(loader[len('<script id="stuurkit-loader">'):-len("</script>")])
    assert bundle.is_known_bundle("(function(){\n" + rendering.javascript_bundle() + "\n})();")
    assert not bundle.is_known_bundle("(function(){\nalert(1)\n})();")


def test_workbook_names_and_texts_excel_cannot_hold_are_made_safe(tmp_path):
    from openpyxl import load_workbook

    from helpers.publish.workbook import CELL_LIMIT, write_workbook

    caption = "Aantal meldingen per wijk 2"  # its own "next name" once looped forever
    tables = [{"caption": c, "columns": ["naam"], "rows": [[t]]} for c, t in (
        (caption, "a\ufffeb\ud800c\x01"), (caption, "x" * 40_000), ("'History'", "y"),
        ("history", "z"))]
    write_workbook(tables, tmp_path / "r.xlsx", "r")
    book = load_workbook(tmp_path / "r.xlsx")  # readable: no character XML cannot hold
    assert book.sheetnames[0] == "Inhoud"  # the contents first
    names = book.sheetnames[1:]
    assert len({n.lower() for n in names}) == 4 and "history" not in [n.lower() for n in names]
    assert all(len(n) <= 31 and not n.startswith("'") for n in names)
    assert book.worksheets[1]["A3"].value == "a\ufffdb\ufffdc\ufffd"
    assert len(book.worksheets[2]["A3"].value) == CELL_LIMIT


OLD_LOADER = Path(__file__).with_name("data") / "loader-ea5c379.js"  # as ea5c379 wrote it


def test_every_loader_the_kit_writes_is_listed_for_later_scans():
    import hashlib

    text = bundle.loader_script()[len('<script id="stuurkit-loader">'):-len("</script>")]
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert digest in bundle._loaders(), (
        "assets/charts.js changed: add to src/helpers/presentation/assets/loaders.json "
        f'"{digest}": "<commit> (<date>): <what changed>"')


def test_a_page_made_before_a_kit_update_is_still_the_kits_own(monkeypatch):
    # the chart library unpacked and the loader of an earlier version, as it wrote them
    old = OLD_LOADER.read_text(encoding="utf-8")
    library = bundle.bundle_script(rendering._bundle_path().name)
    scripts = [library[library.index(">") + 1:-len("</script>")], old]
    meta = ('<meta http-equiv="Content-Security-Policy" content="'
            + POLICY.format(hashes=" ".join(map(bundle.csp_hash, scripts))) + '">')
    page = (f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>x</p>"
            f'{library}<script id="stuurkit-loader">{old}</script></body></html>')
    found = audit.scan_html(page)
    assert found.passed, found.findings
    # a loader changed by one character is nobody's: refused as before
    changed = page.replace(old, old.replace("function", "function ", 1))
    assert [f.kind for f in audit.scan_html(changed).findings][:1] == ["script"]
    # without the list, the page of the earlier version would be set aside
    monkeypatch.setattr(bundle, "_loaders", frozenset)
    assert "a script Stuurkit did not write" in str(audit.scan_html(page).findings)


@pytest.mark.parametrize("tag", ["a", "ol", "svg"])
def test_an_element_posing_as_the_packed_library_is_found(tag):
    """The loader runs the library it finds right before it: an element of another kind
    bearing the library's id and type (``<a>`` and ``<ol>`` reflect ``type``) is refused
    by the scan, and the loader itself passes such an element by."""
    import base64
    import gzip

    chart = declare(alt.Chart(_frame(waarde=[12, 40])).mark_bar().encode(x="waarde:Q"),
                    {"waarde": [COUNT]})
    evil = base64.b64encode(gzip.compress(b"alert(document.domain)")).decode()
    inner = f'<{tag} id="{bundle.BUNDLE_ID}" type="{bundle.PACKED_TYPE}">{evil}</{tag}>'
    decoy = f"<svg>{inner.replace('<svg', '<script').replace('</svg>', '</script>')}</svg>" \
        if tag == "svg" else inner
    found = audit.scan_html(_page(_chart(chart) + decoy))  # the real library first
    assert not found.passed
    assert any("the id of Stuurkit's own scripts" in f.detail for f in found.findings)
    assert 'packed.tagName !== "SCRIPT"' in bundle.loader_script()


def test_the_fast_reading_of_a_workbook_is_what_openpyxl_reads(tmp_path):
    """calamine reads a clean workbook (~30× faster); a sheet with any mark of a formula
    is read by openpyxl, which names the formula's cell exactly."""
    import datetime

    from openpyxl import load_workbook

    from helpers.publish import workbook as workbook_module
    from helpers.publish.workbook import write_workbook

    table = {"caption": "Tabel A", "columns": ["naam", "waarde", "datum", "leeg"],
             "rows": [["Noord", 12.3, datetime.date(2025, 12, 31), None],
                      ["=1+1", 4, None, "tekst"], ["'x", -0.5, None, None]]}
    path = tmp_path / "r.xlsx"
    write_workbook([table], path, "r")
    fast = workbook_module._fast_sheets(path)
    assert fast is not None
    book = load_workbook(path)
    for (title, rows), sheet in zip(fast, book.worksheets, strict=True):
        assert title == sheet.title
        slow = [list(r) for r in sheet.iter_rows()]
        def day(value):  # a date cell: a date or midnight of it, as the scan reads both
            return value.date() if isinstance(value, datetime.datetime) else value

        assert [[(day(c.value), c.coordinate) for c in r] for r in rows] == [
            [(day(c.value), c.coordinate) for c in r] for r in slow]
    for formula in ("=1+1", "=SUM(B3:B4)"):
        book.worksheets[1]["B5"] = formula
        book.save(path)
        assert workbook_module._fast_sheets(path) is None
        found = audit.scan_workbook(path, None)
        assert f"{book.worksheets[1].title}!B5 is a formula" in str(found.findings)
