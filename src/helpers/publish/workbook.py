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

__all__ = ["report_tables", "write_workbook"]


def report_tables(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """The tables a report displayed (``caption, columns, rows``), in order."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            table = output.get("metadata", {}).get(METADATA_KEY, {}).get("table")
            if table:
                found.append(table)
    return found


def write_workbook(tables: list[dict[str, Any]], path: Path, title: str) -> Path:
    """An Excel workbook with one sheet per table, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for number, table in enumerate(tables, start=1):
        name = re.sub(r"[\[\]:*?/\\]", " ", table["caption"])[:28].strip() or "Tabel"
        while name in used:
            name = f"{name[:25]} {number}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([table["caption"]])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table["columns"])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            sheet.append(row)
    book.properties.title = title
    book.properties.creator = f"Stuurkit {__version__}"
    with replacing(path) as tmp:
        book.save(tmp)
    return path
