"""A report's tables as an Excel workbook beside its HTML.

Every table a report shows (``helpers.presentation.tables.Table``) also travels as output
metadata (``helpers.presentation.embed.METADATA_KEY``); ``report_tables`` collects them
from the executed notebook and ``write_workbook`` writes one sheet per table, atomically.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from helpers import __version__
from helpers.files import replacing
from helpers.presentation.embed import METADATA_KEY

__all__ = ["report_tables", "write_workbook", "as_cell_text", "CELL_LIMIT"]


def report_tables(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """The tables a report displayed (``caption, columns, rows``), in order."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            table = output.get("metadata", {}).get(METADATA_KEY, {}).get("table")
            if table:
                found.append(table)
    return found


# characters an .xlsx cannot hold (XML 1.0): control characters, non-characters, lone
# surrogates; Excel's limit on a cell's text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CELL_LIMIT = 32_767
_RESERVED = {"history"}


def _sheet_name(caption: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\``, no leading or
    trailing apostrophe, not ``History``) and not yet ``used`` (case-insensitive)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", _CONTROL.sub(" ", str(caption)))[:28]
    base = base.strip().strip("'").strip() or "Tabel"
    name, number = base, 1
    while name.lower() in used or name.lower() in _RESERVED:
        number += 1
        name = f"{base[:31 - len(str(number)) - 1]} {number}"
    return name


def as_cell_text(value: str) -> str:
    """A text as the workbook holds it (characters an .xlsx cannot hold replaced, cut
    at Excel's limit)."""
    text = _CONTROL.sub("\ufffd", value)
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT - 1] + "…"


def _append(sheet, values: list) -> None:
    """One row; text cells are text (``data_type`` ``s``), whatever they start with."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet["A1"].value is not None else 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = as_cell_text(value)
            cell.data_type = "s"
        else:
            cell.value = value


def write_workbook(tables: list[dict[str, Any]], path: Path, title: str) -> Path:
    """An Excel workbook with one sheet per table, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name = _sheet_name(table["caption"], used)
        used.add(name.lower())
        sheet = book.create_sheet(name)
        _append(sheet, [table["caption"]])
        sheet["A1"].font = Font(bold=True)
        _append(sheet, table["columns"])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            _append(sheet, row)
    book.properties.title = title
    book.properties.creator = f"Stuurkit {__version__}"
    with replacing(path) as tmp:
        book.save(tmp)
    return path
