"""A report's tables and chart data as an Excel workbook beside its HTML.

Every table a report shows (``helpers.presentation.tables.Table``) also travels as output
metadata (``helpers.presentation.embed.METADATA_KEY``), and every chart declares the
observations it draws (``helpers.presentation.declare``, in the chart's data block).
``report_tables`` collects both from the executed notebook and ``write_workbook`` writes,
atomically:

* ``Inhoud`` — the contents: every sheet's name beside its full caption (a sheet name
  holds 31 characters; it is cut at a word and made unique);
* one sheet per table: its caption, its header, its rows — numbers as numbers with the
  page's decimals as number format, dates as dates, texts as text cells (never a
  formula);
* ``Gegevens`` — the long table of every series the report draws: per chart
  (``grafiek``) each observation with ``indicator, label, gebied, gebied_naam, jaar,
  waarde, eenheid, status, bron``; a value the page does not show (suppressed, secret)
  has its status and an empty ``waarde``.

The privacy scan (``helpers.publish.audit.scan_workbook``) holds the workbook to its page:
each table sheet to the page's table of the same caption, the long table to the series
the page's charts declare.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from helpers import __version__
from helpers.files import replacing
from helpers.model import USABLE
from helpers.presentation.declare import (
    SERIES_COLUMNS,
    STATUS_WORDS,
    declared,
    declared_series,
)
from helpers.presentation.embed import METADATA_KEY, SPEC_CLASS, chart_spec
from helpers.workspace.budgetbook import FORMULA_STARTS

__all__ = ["report_tables", "write_workbook", "as_cell_text", "number_format", "chart_title",
           "long_table_problems", "read_sheets",
           "CELL_LIMIT", "CONTENTS_SHEET", "CONTENTS_CAPTION", "DATA_SHEET", "DATA_CAPTION",
           "DATA_COLUMNS", "DATE_FORMAT"]

CONTENTS_SHEET, DATA_SHEET = "Inhoud", "Gegevens"
CONTENTS_CAPTION = "Inhoud van deze werkmap"
DATA_CAPTION = ("Gegevens: elke reeks die de grafieken van dit rapport tonen, één rij per "
                "gebied, jaar en indicator (lege waarde: niet getoond, zie status)")
DATA_COLUMNS = ["grafiek", *SERIES_COLUMNS]
DATE_FORMAT = "DD-MM-YYYY"
_DATE = "date"  # tables.DATE: a cell's format in a table's metadata


def chart_title(spec: dict) -> str:
    """A chart's name in the workbook: its title, else its description."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title or spec.get("description") or "Grafiek")


def _chart_series(html_text: str) -> list[dict[str, Any]]:
    """The charts in one output's HTML that declare their series."""
    if SPEC_CLASS not in html_text:
        return []
    from helpers.publish.page import parse, text_of

    found = []
    for node in parse(html_text).css(f"script.{SPEC_CLASS}"):
        attrs = {str(k).lower(): v or "" for k, v in node.attributes.items()}
        spec = chart_spec(attrs, text_of(node))
        series = declared_series(spec) if spec is not None else None
        if series is not None:
            found.append({"chart": chart_title(spec), "series": series})
    return found


def report_tables(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """What a report displayed for its workbook, in order: each table (``caption,
    columns, rows`` and ``formats``) and each chart that declares its series
    (``chart, series``)."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            table = output.get("metadata", {}).get(METADATA_KEY, {}).get("table")
            if table:
                found.append(table)
            html_text = output.get("data", {}).get("text/html")
            if isinstance(html_text, list):
                html_text = "".join(html_text)
            if isinstance(html_text, str):
                found.extend(_chart_series(html_text))
    return found


# characters an .xlsx cannot hold (XML 1.0): control characters, non-characters, lone
# surrogates; Excel's limit on a cell's text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CELL_LIMIT = 32_767
_RESERVED = {"history", CONTENTS_SHEET.lower(), DATA_SHEET.lower()}
_NAME_LIMIT = 31


def _sheet_name(caption: str, used: set[str]) -> str:
    """A readable sheet name Excel accepts (31 characters, none of ``[]:*?/\\``, no
    leading or trailing apostrophe, not ``History``) and not yet ``used``
    (case-insensitive): the caption cut at a word (``…`` where it was cut), numbered
    when another sheet has that name."""
    text = " ".join(re.sub(r"[\[\]:*?/\\]", " ", _CONTROL.sub(" ", str(caption))).split())
    text = text.strip("'").strip() or "Tabel"

    def cut(limit: int) -> str:
        if len(text) <= limit:
            return text
        head = text[:limit - 1]
        if " " in head[limit // 2:]:
            head = head[:head.rindex(" ")]
        return head.rstrip(" ,;.-–'") + "…"

    name, number = cut(_NAME_LIMIT), 1
    while name.lower() in used or name.lower() in _RESERVED:
        number += 1
        suffix = f" ({number})"
        name = cut(_NAME_LIMIT - len(suffix)) + suffix
    return name


def as_cell_text(value: str) -> str:
    """A text as the workbook holds it (characters an .xlsx cannot hold replaced, cut
    at Excel's limit)."""
    text = _CONTROL.sub("\ufffd", value)
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT - 1] + "…"


def number_format(decimals: int | None) -> str:
    """The Excel number format of a number shown with ``decimals`` (thousands grouped;
    Excel writes the separators of the reader's locale: 1.234,5 in Dutch)."""
    if decimals is None:
        return "General"
    return "#,##0" + ("." + "0" * int(decimals) if int(decimals) > 0 else "")


class _Sheet:
    """One worksheet being written (xlsxwriter writes cell by cell, row by row): text
    cells as text — shared strings, never a formula, with Excel's quote prefix when they
    start like one, so editing one in Excel keeps it text —, numbers as numbers in their
    format, a ``"date"`` cell a date; the widest text per column for its width."""

    def __init__(self, book, formats: dict, name: str) -> None:
        self.sheet, self.formats, self.row = book.add_worksheet(name), formats, 0
        self.widths: dict[int, int] = {}

    def _format(self, key):
        if key not in self.formats:
            bold, number = key
            spec = {"bold": True} if bold else {}
            if number == "quote":
                spec["quote_prefix"] = True
            elif number:
                spec["num_format"] = number
            self.formats[key] = self.formats["book"].add_format(spec) if spec else None
        return self.formats[key]

    def append(self, values: list, formats: list | None = None, bold: bool = False,
               counted: bool = True) -> None:
        formats = formats or [None] * len(values)
        for column, (value, kind) in enumerate(zip(values, formats, strict=False)):
            row, write = self.row, self.sheet
            if isinstance(value, float) and not math.isfinite(value):
                value = None  # no number: an empty cell, as the page shows "–"
            if value is None:
                if bold:
                    write.write_blank(row, column, None, self._format((bold, None)))
                continue
            if kind == _DATE and isinstance(value, str):
                write.write_datetime(row, column, datetime.date.fromisoformat(value),
                                     self._format((bold, DATE_FORMAT)))
            elif isinstance(value, str):
                text = as_cell_text(value)
                quoted = text[:1] in FORMULA_STARTS
                write.write_string(row, column, text,
                                   self._format((bold, "quote" if quoted else None)))
            elif isinstance(value, bool):
                write.write_boolean(row, column, value, self._format((bold, None)))
            elif isinstance(value, int | float):
                shown = (number_format(kind) if isinstance(kind, int)
                         and not isinstance(kind, bool) else None)
                write.write_number(row, column, value, self._format((bold, shown)))
            else:
                write.write(row, column, value, self._format((bold, None)))
            if counted:
                self.widths[column] = max(self.widths.get(column, 0), len(str(value)))
        self.row += 1

    def heading(self, caption: str, columns: list[str]) -> None:
        self.append([caption], bold=True, counted=False)  # the caption row: no width
        self.append(columns, bold=True)
        self.sheet.freeze_panes(2, 0)

    def finish(self, limit: int = 60) -> None:
        """Columns as wide as their contents (the caption row aside)."""
        for column, width in self.widths.items():
            self.sheet.set_column(column, column, min(limit, width + 2))


def _data_rows(charts: list[dict[str, Any]]) -> tuple[list[list], list[list]]:
    rows, formats = [], []
    for chart in charts:
        for record in chart["series"]:
            status = str(record.get("status", ""))
            rows.append([chart["chart"], record["indicator"], record["label"],
                         record["gebied"], record["gebied_naam"], record["jaar"],
                         record["waarde"], record["eenheid"], STATUS_WORDS.get(status, status),
                         record["bron"]])
            formats.append([None, None, None, None, None, None, record.get("decimals"),
                            None, None, None])
    return rows, formats


def write_workbook(tables: list[dict[str, Any]], path: Path, title: str) -> Path:
    """An Excel workbook of ``report_tables``: the contents, one sheet per table, and the
    long table of the charts' series (see the module docstring), written atomically
    (xlsxwriter: a fifth of openpyxl's time for a report's workbook)."""
    import xlsxwriter

    with replacing(path) as tmp:
        # nothing a text holds turns into a formula, number or link
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_numbers": False,
                                              "strings_to_urls": False})
        formats: dict = {"book": book}
        used: set[str] = {CONTENTS_SHEET.lower()}
        contents = _Sheet(book, formats, CONTENTS_SHEET)
        listed = []
        for table in (t for t in tables if "rows" in t):
            name = _sheet_name(table["caption"], used)
            used.add(name.lower())
            sheet = _Sheet(book, formats, name)
            sheet.heading(table["caption"], table["columns"])
            kinds = table.get("formats") or [None] * len(table["rows"])
            for row, row_kinds in zip(table["rows"], kinds, strict=False):
                sheet.append(row, row_kinds)
            sheet.finish()
            listed.append([name, table["caption"]])
        charts = [t for t in tables if "series" in t]
        if charts:
            sheet = _Sheet(book, formats, DATA_SHEET)
            sheet.heading(DATA_CAPTION, DATA_COLUMNS)
            for row, kinds in zip(*_data_rows(charts), strict=True):
                sheet.append(row, kinds)
            sheet.finish()
            listed.append([DATA_SHEET, DATA_CAPTION])
        contents.heading(f"{CONTENTS_CAPTION}: {title}", ["Blad", "Inhoud"])
        for row in listed:
            contents.append(row)
        contents.finish(limit=100)
        book.set_properties({"title": as_cell_text(str(title)),
                             "author": f"Stuurkit {__version__}"})
        book.close()
    return path


# ------------------------------------------------------------------ reading it back


@dataclass(frozen=True)
class _Cell:
    """A cell as the scan looks at it (openpyxl's attributes of the same names)."""

    value: Any
    coordinate: str
    data_type: str


# in a worksheet's XML, what only a formula writes: an <f> element, or a cell typed as a
# formula's text result
_FORMULA_MARK = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]|\bt\s*=\s*[\"']str[\"']")


def _fast_sheets(path: Path) -> list[tuple[str, list[list[_Cell]]]] | None:
    """Every sheet's rows of cells, read by calamine (Rust; ~30× openpyxl's time on a
    report's workbook); ``None`` when a worksheet's XML holds a formula's mark — then
    openpyxl reads it, as Excel would, for the formula's exact cell."""
    import zipfile

    from openpyxl.utils import get_column_letter
    from python_calamine import CalamineWorkbook

    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml") and (
                    _FORMULA_MARK.search(archive.read(member))):
                return None
    book = CalamineWorkbook.from_path(str(path))
    out = []
    for title in book.sheet_names:
        grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        out.append((title, [[_Cell(None if value == "" else value,
                                   f"{get_column_letter(j + 1)}{i + 1}",
                                   "s" if isinstance(value, str) else "n")
                             for j, value in enumerate(row)] for i, row in enumerate(grid)]))
    return out


def read_sheets(path: Path) -> list[tuple[str, list]]:
    """Every sheet's title and rows of cells (``value``, ``coordinate``, ``data_type``), as
    the privacy scan reads a published workbook."""
    fast = _fast_sheets(path)
    if fast is not None:
        return fast
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False)
    return [(sheet.title, [list(r) for r in sheet.iter_rows()]) for sheet in book.worksheets]


def _shown_series(specs: list[dict | None]) -> tuple[dict[tuple, int], dict[str, dict]]:
    """What a page's charts declare they draw: each observation as shown (``(grafiek,
    indicator, gebied, jaar, status, waarde)`` → how often) and each declared
    indicator's kind and ``min_count``."""
    shown: dict[tuple, int] = {}
    indicators: dict[str, dict] = {}
    for spec in specs:
        if spec is None:
            continue
        for entries in (declared(spec) or {}).values():
            for entry in entries:
                indicators.setdefault(str(entry.get("id")), entry)
        title = " ".join(as_cell_text(chart_title(spec)).split())
        for row in declared_series(spec) or []:
            value = row.get("waarde")
            key = (title, str(row.get("indicator")), str(row.get("gebied")), row.get("jaar"),
                   str(row.get("status")), None if value is None else float(value))
            shown[key] = shown.get(key, 0) + 1
    return shown, indicators


def long_table_problems(name: str, rows: list, specs: list[dict | None]
                        ) -> tuple[int, list[tuple[str, str]]]:
    """The long table (sheet ``name``: its rows of cells, caption and header first)
    against the chart specs of its page: how many values were checked and every problem
    as ``(kind, detail)`` — a row that is no observation a chart of the page draws with
    the value it shows, a value behind a status the page does not show, a count below
    its threshold (``small-count``), a value that is not a number, or an observation of
    the page missing from the sheet."""
    shown, indicators = _shown_series(specs)
    words = {word: status for status, word in STATUS_WORDS.items()}
    header = [str(c.value or "") for c in rows[1]] if len(rows) > 1 else []
    missing = [c for c in DATA_COLUMNS if c not in header]
    if missing:
        return 0, [("workbook", f"sheet {name!r} lacks the columns {missing}")]
    at = {column: header.index(column) for column in DATA_COLUMNS}
    problems: list[tuple[str, str]] = []
    left, checked = dict(shown), 0
    for row in rows[2:]:
        def get(column, row=row):
            return row[at[column]].value if at[column] < len(row) else None

        value, word = get("waarde"), str(get("status"))
        status = words.get(word, word)
        where = f"{name}!{row[0].coordinate}"
        checked += 1
        if isinstance(value, str | bool):
            problems.append(("workbook", f"{where}: waarde {value!r} is not a number"))
            continue
        if value is not None and status not in USABLE:
            problems.append(("workbook", f"{where}: a value behind status {word!r}"))
        entry = indicators.get(str(get("indicator")), {})
        limit = int(entry.get("min_count") or 0)
        if entry.get("kind") == "count" and value is not None and 0 < value < limit:
            problems.append(("small-count", f"{where}: {value!r} of {get('indicator')} is "
                                            f"below the threshold {limit}"))
        key = (" ".join(str(get("grafiek") or "").split()), str(get("indicator")),
               str(get("gebied")), get("jaar"), status, None if value is None else float(value))
        if left.get(key, 0) > 0:
            left[key] -= 1
        else:
            problems.append(("workbook", f"{where}: {get('indicator')} {get('gebied')} "
                                         f"{get('jaar')} = {value!r} is not what a chart of "
                                         "the page shows"))
    if sum(left.values()):
        problems.append(("workbook", f"sheet {name!r} misses {sum(left.values())} "
                                     "observation(s) the page's charts draw"))
    return checked, problems
