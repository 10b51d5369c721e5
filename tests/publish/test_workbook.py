"""The Excel workbook beside a report (issue 16, finding 11): readable unique sheet names
with a contents sheet, numbers as numbers in the page's decimals, dates as dates, and the
long table of every series the charts draw — held to the page by the privacy scan."""

from __future__ import annotations

import datetime
import shutil

import pytest
from openpyxl import load_workbook

from helpers.presentation.declare import STATUS_WORDS, declared_series
from helpers.publish import audit
from helpers.publish.page import Page
from helpers.publish.workbook import (
    CONTENTS_SHEET,
    DATA_COLUMNS,
    DATA_SHEET,
    DATE_FORMAT,
    _sheet_name,
    chart_title,
    number_format,
    write_workbook,
)


@pytest.fixture(scope="module")
def published(report_html, tmp_path_factory):
    """The demo wijkprofiel's page and workbook, copied so that a test may change them."""
    folder = tmp_path_factory.mktemp("werkmap")
    shutil.copy(report_html, folder / "r.html")
    shutil.copy(report_html.with_suffix(".xlsx"), folder / "r.xlsx")
    return folder / "r.html", folder / "r.xlsx"


def test_sheet_names_are_unique_readable_and_listed_with_their_full_captions(published):
    _, path = published
    book = load_workbook(path)
    names = book.sheetnames
    assert names[0] == CONTENTS_SHEET and names[-1] == DATA_SHEET
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    contents = list(book[CONTENTS_SHEET].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in contents] == names[1:]
    for name, caption in contents:
        assert book[name]["A1"].value == caption  # the full caption, never cut
        assert caption.startswith(name.rstrip("…").split(" (")[0])  # readable: its start
    assert any(name.endswith("…") for name in names)  # a long caption was cut at a word


@pytest.mark.parametrize("caption, expected", [
    ("Kerncijfers Binnenstad en Voorbeeldstad: nieuwste jaar", "Kerncijfers Binnenstad en…"),
    ("Kort", "Kort"),
    ("a" * 40, "a" * 30 + "…"),
    ("Waarden [%] per: wijk/buurt?", "Waarden % per wijk buurt"),
])
def test_a_sheet_name_is_the_caption_cut_at_a_word(caption, expected):
    assert _sheet_name(caption, set()) == expected
    assert len(_sheet_name(caption, set())) <= 31


def test_repeated_captions_are_numbered_within_31_characters():
    used: set[str] = set()
    caption = "Aantal meldingen openbare ruimte per wijk en jaar"
    names = []
    for _ in range(12):
        names.append(_sheet_name(caption, used))
        used.add(names[-1].lower())
    assert len(set(names)) == 12 and all(len(n) <= 31 for n in names)
    assert names[1].endswith(" (2)") and names[11].endswith(" (12)")
    assert _sheet_name("Inhoud", {"inhoud"}) == "Inhoud (2)"  # the contents' own name


def test_numbers_are_numbers_in_the_decimals_the_page_shows(published, demo_facts):
    _, path = published
    book = load_workbook(path)
    sheet = next(book[n] for n in book.sheetnames if n.startswith("Kerncijfers"))
    header = [c.value for c in sheet[2]]
    area, gemeente = header[2], header[3]
    by_label = {i.label: i for i in demo_facts.catalogue.values()}
    checked = 0
    for row in sheet.iter_rows(min_row=3):
        indicator = by_label[row[1].value]
        values = [row[i] for i, name in enumerate(header) if i >= 2 and name not in (
            "Eenheid", "Jaar")]  # the area, the gemeente and (if any) Nederland
        for cell in values:
            if cell.value is None:
                continue
            assert cell.data_type == "n" and not isinstance(cell.value, str)
            assert cell.number_format == number_format(indicator.decimals), (
                indicator.id, area, gemeente)
            checked += 1
        year = row[header.index("Jaar")].value
        assert year is None or isinstance(year, int)  # the year, a number
    assert checked > 60
    # no cell anywhere is a number written as text
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.replace(".", "").replace(",", "").isdigit(), (
                        ws.title, cell.coordinate, cell.value)


def test_the_long_table_holds_exactly_the_series_of_every_chart(published):
    page, path = published
    expected = []
    charts_with_values = 0
    for spec in Page(page.read_text(encoding="utf-8")).specs:
        series = declared_series(spec)
        if series is None:
            continue
        charts_with_values += 1
        for r in series:
            expected.append((chart_title(spec), r["indicator"], r["label"], r["gebied"],
                             r["gebied_naam"], r["jaar"], r["waarde"], r["eenheid"],
                             STATUS_WORDS[r["status"]], r["bron"]))
    assert charts_with_values == 3  # profile, difference map, trend panels
    sheet = load_workbook(path)[DATA_SHEET]
    assert [c.value for c in sheet[2]] == DATA_COLUMNS
    rows = list(sheet.iter_rows(min_row=3))
    assert [tuple(c.value for c in row) for row in rows] == expected
    for row in rows:
        value = row[DATA_COLUMNS.index("waarde")]
        status = row[DATA_COLUMNS.index("status")].value
        if status in ("ok", "voorlopig"):
            assert value.data_type == "n" and value.number_format.startswith("#,##0")
        else:  # a hidden cell: its status, no value
            assert value.value is None
    assert any(r[DATA_COLUMNS.index("status")].value != "ok" for r in rows)


def test_the_scan_passes_the_workbook_and_finds_every_change(published, tmp_path):
    page, path = published
    text = page.read_text(encoding="utf-8")
    assert audit.scan_workbook(path, text).passed
    column = {name: DATA_COLUMNS.index(name) + 1 for name in DATA_COLUMNS}

    def changed(edit) -> list[str]:
        target = tmp_path / "x.xlsx"
        book = load_workbook(path)
        edit(book[DATA_SHEET])
        book.save(target)
        return [f.detail for f in audit.scan_workbook(target, text).findings]

    def first(sheet, status):
        return next(r for r in range(3, sheet.max_row + 1)
                    if sheet.cell(r, column["status"]).value == status)

    def precise(sheet):
        cell = sheet.cell(first(sheet, "ok"), column["waarde"])
        cell.value = cell.value + 0.0123

    def unhide(sheet):
        sheet.cell(first(sheet, "geheim"), column["waarde"]).value = 12.5

    def drop(sheet):
        sheet.delete_rows(sheet.max_row)

    def as_text(sheet):
        sheet.cell(first(sheet, "ok"), column["waarde"]).value = "12,5"

    assert any("is not what a chart of the page shows" in d for d in changed(precise))
    assert any("a value behind status" in d for d in changed(unhide))
    assert any("misses 1 observation" in d for d in changed(drop))
    assert any("is not a number" in d for d in changed(as_text))


def test_dates_are_dates_and_formats_follow_the_metadata(tmp_path):
    page = ('<html><head></head><body><table><caption>Acties</caption>'
            '<tr><th>wat</th><th>gereed</th><th>aantal</th><th>jaar</th></tr>'
            '<tr><td>=1+1</td><td>31-12-2025</td><td>1.234,5</td><td>2024</td></tr>'
            '</table></body></html>')
    tables = [{"caption": "Acties", "columns": ["wat", "gereed", "aantal", "jaar"],
               "rows": [["=1+1", "2025-12-31", 1234.5, 2024]],
               "formats": [[None, "date", 1, None]]}]
    write_workbook(tables, tmp_path / "r.xlsx", "r")
    sheet = load_workbook(tmp_path / "r.xlsx")["Acties"]
    text, day, number, year = (sheet.cell(3, c) for c in range(1, 5))
    assert text.data_type == "s" and text.value == "=1+1"  # a text, never a formula …
    assert text.quotePrefix  # … also after a reader edits the cell in Excel
    assert isinstance(day.value, datetime.datetime) and day.number_format == DATE_FORMAT
    assert day.value.date() == datetime.date(2025, 12, 31)
    assert number.value == 1234.5 and number.number_format == "#,##0.0"
    assert year.value == 2024 and year.number_format == "General"  # 2024, not 2.024
    assert audit.scan_workbook(tmp_path / "r.xlsx", page).passed


def test_a_table_sends_its_dates_and_decimals_to_the_workbook():
    import pandas as pd

    from helpers.presentation import tables

    frame = pd.DataFrame({"wat": ["a", "b"], "gereed": [datetime.date(2025, 12, 31),
                                                        "30-06-2026"],
                          "waarde": [1.2345, None], "jaar": [2024.0, None]})
    table = tables.frame_table(frame, "Acties", numeric={"waarde": 1})
    _, meta = table._repr_mimebundle_()
    shown = meta["stuurkit"]["table"]
    assert shown["rows"] == [["a", "2025-12-31", 1.2, 2024], ["b", "2026-06-30", None, None]]
    assert shown["formats"] == [[None, "date", 1, None], [None, "date", None, None]]
    assert "31-12-2025" in table.data  # the page writes the Dutch date
