"""Statistics tables as text: a KWB workbook's data sheet, or any CSV read strictly.

``read_table`` is the first step of every tabular reader (and of recognising a table,
``registry.Probe``): an ``.xlsx`` download gives the sheet that starts with
``gwb_code_10``; a CSV is read by ``csvtable`` — with ``gemeente``, the rows of other
gemeenten are skipped while it is read (the test is on the StatLine ``Codering`` column
or else ``gwb_code_10``); a StatLine export in an older or re-saved layout is read by
``statline`` into the current layout. Every cell stays text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable, statline

__all__ = ["read_table", "read_workbook", "is_statline", "STATLINE_CODE", "WORKBOOK_SUFFIXES"]

STATLINE_CODE = "Codering (code)"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_workbook(path: Path, **options) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """``pandas.read_excel`` with the engine named: openpyxl for .xlsx/.xlsm (how every
    workbook has been read; pandas would warn that its default changes now that
    python-calamine is installed for the privacy scan), xlrd's for .xls."""
    engine = "openpyxl" if Path(path).suffix.lower() in (".xlsx", ".xlsm") else None
    return pd.read_excel(path, engine=engine, **options)


def _own_filter(gemeente: str) -> csvtable.RowFilter:
    """The CSV rows to keep for one gemeente while reading: a test on the code column (the
    StatLine 'Codering' column or else ``gwb_code_10``) that skips only the valid codes of
    other gemeenten. A row whose code is no CBS code at all is kept, so that the reader
    refuses it with its line instead of dropping it unseen."""
    def for_header(header: list[str]):
        codes = [i for i, name in enumerate(header) if name.strip().endswith(STATLINE_CODE)]
        codes += [i for i, name in enumerate(header) if name == "gwb_code_10"]
        if not codes:
            return None
        return lambda row, at=codes[0]: not model.of_other_gemeente(row[at].strip(), gemeente)

    return for_header


def read_table(path: Path, gemeente: str | None = None, any_sheet: bool = False
               ) -> pd.DataFrame:
    """Any KWB-like table (xlsx, or CSV read strictly by ``csvtable``), every cell as text;
    with ``gemeente``, a CSV's rows of other gemeenten are skipped while it is read
    (``attrs["records"]`` counts all).

    Of a workbook, the sheet that has a ``gwb_code_10`` column (CBS's download); without
    one a ``DataError`` — or, with ``any_sheet``, the first sheet. ``attrs["sheets"]``
    names the workbook's sheets.
    """
    if not path.exists():
        raise DataError(f"{path}: file not found. Check the path in stuurkit.yml.")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty. Download it again.")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            sheets = read_workbook(path, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl/xlrd raise many kinds
            raise DataError(f"{path}: cannot read the workbook ({exc}).") from exc
        if not sheets:
            raise DataError(f"{path}: the workbook has no sheets.")
        found = next((frame for frame in sheets.values() if "gwb_code_10" in frame.columns),
                     None)
        if found is None and not any_sheet:
            raise DataError(
                f"{path}: no sheet has a 'gwb_code_10' column (sheets: {', '.join(sheets)}). "
                "Use CBS's kwb-YYYY.xlsx download, whose sheet starts with gwb_code_10.")
        table = found if found is not None else next(iter(sheets.values()))
        table.attrs["sheets"] = list(sheets)
        return table
    layout = statline.layout_of(path)
    if layout is not None:  # an older or re-saved StatLine export, as the current layout
        return statline.read_export(path, layout, gemeente)
    return csvtable.read_csv(path, _own_filter(gemeente) if gemeente else None)


def is_statline(table) -> bool:
    """True for a StatLine CSV export: a table (or its columns) with a 'Codering' column,
    or a table ``statline`` read from an older or re-saved layout (which may name its
    regions without codes); a titled export only with the KWB's header (another titled
    StatLine table, such as *Gebieden in Nederland*, is its own reader's)."""
    if isinstance(table, pd.DataFrame):
        layout = table.attrs.get("statline")
        if layout and layout != statline.TITLED:
            return True
        if layout and str(table.columns[0]).strip() == statline.REGIONS:
            return True  # titled: a KWB export's header, not another table's
        table = table.columns
    return any(str(c).strip().endswith(STATLINE_CODE) for c in table)
