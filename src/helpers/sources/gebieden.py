"""CBS's "Gebieden in Nederland": which provincie each gemeente of a year belongs to.

No KWB file or kaart layer names a gemeente's provincie; CBS publishes it, per year, in
the StatLine table *Gebieden in Nederland <jaar>* (one row per gemeente; topic groups
such as "Codes en namen van gemeenten" and "Lokaliseringen van gemeenten" → "Provincies"
→ "Code", "Naam"). Two forms are read:

* the table as ``stuurkit fetch`` downloads it from CBS's OData v3 API (a folder
  ``raw/cbs-gebieden-<jaar>/`` with ``TableInfos.json``, ``DataProperties.json`` and
  ``TypedDataSet.json``): the columns are found through ``DataProperties`` by their
  topic path (``…|Provincies|Code``), never by the position suffix (``Code_28``);
* a CSV or workbook export: the column whose values are gemeente codes (``GMdddd``) and
  the column whose values are provincie codes (``PVdd``); header names may differ per
  export ("Codes en namen van gemeenten|Code", "Gemeentecode", "Provinciecode", …). A
  StatLine CSV download with its title line above the header (``"Gebieden in Nederland
  2024"``, labels ``…/Provincies/Code (code)``, codes padded with spaces, ``"Bron: CBS"``
  below) is read as ``statline`` reads it: the year from the title, lines as in the file.

The result is tidy: per gemeente one row of ``model.PROVINCIE_VARIABLE`` whose value is
the provincie's number (PV26 → 26; ``model.provincie_code`` turns it back), unit
``code``, like the mate van stedelijkheid. A provincie code outside CBS's twelve, a
gemeente listed twice or a row without a provincie is refused with its row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources.kwb import TABLE_SUFFIXES
from helpers.sources.registry import (
    CBS_LICENCE,
    Probe,
    Reader,
    describe_statistics,
    year_entry,
    year_in_name,
)

__all__ = ["read_gebieden", "READER", "TABLE_READER", "TITLE", "SOURCE"]

TITLE = "Gebieden in Nederland"  # the StatLine table's title, followed by the year
SOURCE = "CBS Gebieden in Nederland {year}"
_SHARE = 0.9  # of a column's filled cells that must be codes for it to be the code column


def _json(path: Path, name: str) -> list[dict[str, Any]]:
    file = path / f"{name}.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{file}: missing; download the table again (stuurkit fetch)."
                        ) from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{file}: not valid JSON ({exc}); download the table again.") from exc
    data = data.get("value", data) if isinstance(data, dict) else data
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{file}: expected a list of records; download the table again "
                        "(stuurkit fetch).")
    return data


def _paths(properties: list[dict[str, Any]]) -> dict[str, str]:
    """Topic key → its path of titles (``Lokaliseringen van gemeenten|Provincies|Code``)."""
    by_id = {p.get("ID"): p for p in properties}

    def path(prop: dict[str, Any]) -> str:
        titles, seen = [], set()
        while prop is not None and prop.get("ID") not in seen:
            seen.add(prop.get("ID"))
            titles.append(str(prop.get("Title", "")).strip())
            prop = by_id.get(prop.get("ParentID"))
        return "|".join(reversed(titles))

    return {str(p["Key"]): path(p) for p in properties
            if p.get("Type") == "Topic" and p.get("Key")}


def _is_odata_folder(path: Path) -> bool:
    if not (path / "DataProperties.json").exists():
        return False
    try:
        titles = _paths(_json(path, "DataProperties")).values()
    except DataError:
        return False
    return any(t.lower().endswith("provincies|code") for t in titles)


def _odata_year(path: Path) -> int | None:
    try:
        infos = _json(path, "TableInfos")
    except DataError:
        return None
    for info in infos:
        match = re.search(rf"{TITLE}\s+((?:19|20)[0-9]{{2}})", str(info.get("Title", "")))
        if match:
            return int(match.group(1))
    return None


def _from_odata(path: Path) -> tuple[pd.DataFrame, str, str, str | None, int | None]:
    keys = _paths(_json(path, "DataProperties"))

    def key(ending: str) -> str | None:
        return next((k for k, t in keys.items() if t.lower().endswith(ending)), None)

    province, gemeente, name = key("provincies|code"), key("gemeenten|code"), key(
        "gemeenten|naam")
    rows = pd.DataFrame(_json(path, "TypedDataSet"))
    if gemeente is None and "RegioS" in rows:
        gemeente = "RegioS"
    if province is None or gemeente is None or rows.empty:
        raise DataError(f"{path}: not a '{TITLE}' table with gemeente and provincie codes; "
                        "download it again (stuurkit fetch).")
    lacking = [k for k in (gemeente, province) if k not in rows.columns]
    if lacking:
        raise DataError(f"{path}: DataProperties names {', '.join(lacking)}, but "
                        "TypedDataSet.json has no such column; download the table again "
                        "(stuurkit fetch).")
    found = _odata_year(path)
    named = year_in_name(path)
    if found and named and found != named:
        raise DataError(f"{path}: the folder's name says {named}, its TableInfos title "
                        f"'{TITLE} {found}'; download the table of the year you want again.")
    name = name if name in rows.columns else None
    return rows.fillna("").astype(str), gemeente, province, name, found


def _titled_year(path: Path, title: str | None) -> int | None:
    """The year a StatLine export's title line names (``Gebieden in Nederland 2024``);
    refused when the file's name names another year."""
    match = re.search(rf"{TITLE}\s+((?:19|20)[0-9]{{2}})", title or "", re.IGNORECASE)
    if match is None:
        return None
    found, named = int(match.group(1)), year_in_name(path)
    if named and named != found:
        raise DataError(f"{path}: the file's name says {named}, its title line "
                        f"'{title}'; export the table of the year you want again.")
    return found


def _name_column(table: pd.DataFrame, codes: str) -> str | None:
    """The column of the gemeenten's names: "…gemeenten|Naam", "Gemeentenaam" or "Naam"
    (never the code column)."""
    for name in table.columns:
        header = str(name).strip().lower().replace("/", "|").removesuffix(" (naam)")
        if name != codes and (header.endswith("gemeenten|naam") or header in (
                "gemeentenaam", "naam", "gemeente naam")):
            return name
    return None


def _sheet(path: Path) -> pd.DataFrame:
    """The one sheet of a workbook that holds gemeente and provincie codes."""
    try:
        from helpers.sources.tabular import read_workbook

        sheets = read_workbook(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds
        raise DataError(f"{path}: cannot read the workbook ({exc}).") from exc
    held = [n for n, t in sheets.items() if _column(t, model.PROVINCIE_CODE) is not None
            and _column(t, model.GEMEENTE_CODE) is not None]
    if len(held) != 1:
        what = "no sheet holds" if not held else f"{len(held)} sheets ({', '.join(held)}) hold"
        raise DataError(f"{path}: {what} gemeente codes (GMdddd) and provincie codes (PVdd) "
                        f"(sheets: {', '.join(map(str, sheets))}); keep the one '{TITLE}' "
                        "table in the workbook.")
    return sheets[held[0]]


def _column(table: pd.DataFrame, pattern: re.Pattern[str]) -> str | None:
    """The first column whose filled cells are (nearly) all codes of ``pattern``."""
    for name in table.columns:
        cells = table[name].astype(str).str.strip()
        filled = cells[cells.ne("")]
        if len(filled) and filled.str.match(pattern).mean() >= _SHARE:
            return name
    return None


def _is_table(probe: Probe) -> bool:
    table = probe.table.head(200)  # recognised by its first rows (a big table is no such)
    return (_column(table, model.PROVINCIE_CODE) is not None
            and _column(table, model.GEMEENTE_CODE) is not None)


def read_gebieden(path: str | Path, year: int | None = None, table: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Tidy rows of ``model.PROVINCIE_VARIABLE`` per gemeente (see the module docstring).

    ``table``: the export already read (``Probe.table``); else the file or folder is read.
    ``year``: the table's year when the file does not say it (title or name).
    """
    path = Path(path)
    if path.is_dir():
        rows, gemeente, province, name, found = _from_odata(path)
        where = "record"
    else:
        from helpers.sources.tabular import WORKBOOK_SUFFIXES, read_table

        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            table = _sheet(path)  # every sheet looked at: not the first that fits
        elif table is None:
            table = read_table(path, any_sheet=True)
        rows = table.astype(str)
        gemeente = _column(rows, model.GEMEENTE_CODE)
        province = _column(rows, model.PROVINCIE_CODE)
        name = None if gemeente is None else _name_column(rows, gemeente)
        if gemeente is None or province is None:
            raise DataError(f"{path}: no column of gemeente codes (GMdddd) and provincie "
                            f"codes (PVdd); is this CBS's '{TITLE}' table?")
        found, where = _titled_year(path, table.attrs.get("title")), "line"
    if year and found and int(year) != found:
        raise DataError(f"{path}: the year given is {year}, but the table says it is of "
                        f"{found} ('{TITLE} {found}'); give the year of the table, or leave "
                        "it out.")
    year = year or found or year_in_name(path)
    if year is None:
        raise DataError(f"{path}: cannot tell the year of this '{TITLE}' table; name it in "
                        "the file name or give it with --year.")
    codes = rows[gemeente].str.strip()
    provinces = rows[province].str.strip()
    # a record's number counts from 1; a table's row label is its line minus 2 (a CSV's
    # first data row is line 2, a titled export's lines start lower, as the reader says)
    number = (lambda at: at + 1) if where == "record" else (
        lambda at: int(rows.index[at]) + 2)
    for at in range(len(rows)):
        code, pv = codes.iloc[at], provinces.iloc[at]
        if not model.GEMEENTE_CODE.match(code):
            raise DataError(f"{path}: {where} {number(at)}: {code!r} is not a gemeente code "
                            "(GMdddd); correct the row or download the table again.")
        if pv not in model.PROVINCIES:
            raise DataError(f"{path}: {where} {number(at)}: gemeente {code} has provincie "
                            f"{pv!r}, not one of CBS's codes PV20–PV31; correct the row.")
    twice = codes.duplicated()
    if twice.any():
        at = int(twice.to_numpy().argmax())
        raise DataError(f"{path}: {where} {number(at)}: gemeente {codes.iloc[at]} is listed "
                        f"twice; a '{TITLE}' table has one row per gemeente.")
    out = pd.DataFrame({
        "area_code": codes.to_numpy(), "level": "gemeente", "year": int(year),
        "variable": model.PROVINCIE_VARIABLE,
        "value": provinces.str[2:].astype(int).astype(float).to_numpy(),
        "status": model.OK, "source": SOURCE.format(year=int(year)),
    })[model.TIDY_COLUMNS]
    if name is not None:  # each gemeente's name, as KWB files carry it
        out[model.AREA_NAME] = rows[name].str.strip().replace("", None).to_numpy()
    return out


def _detect(probe: Probe) -> bool:
    return _is_odata_folder(probe.path) if probe.path.is_dir() else _is_table(probe)


def _read(probe: Probe) -> pd.DataFrame:
    table = None if probe.path.is_dir() else probe.table
    return read_gebieden(probe.path, probe.request.year, table)


READER = Reader(
    kind="gebieden", section="kwb", what=f"CBS '{TITLE}' tables",
    looks_like=f"CBS's '{TITLE}' (gemeente and provincie codes)",
    suffixes=frozenset(), detect=_detect, read=_read,
    describe=describe_statistics, entry=year_entry,
    label=lambda probe, detail: SOURCE.format(year=detail["year"]), licence=CBS_LICENCE)
"""Folders (an OData download); ``TABLE_READER`` takes the CSV and workbook exports."""

TABLE_READER = Reader(
    kind="gebieden-export", section="kwb", what=f"CBS '{TITLE}' exports (.csv/.xlsx)",
    looks_like=f"CBS's '{TITLE}' (gemeente and provincie codes)",
    suffixes=TABLE_SUFFIXES, detect=_detect, read=_read,
    describe=describe_statistics, entry=year_entry,
    label=lambda probe, detail: SOURCE.format(year=detail["year"]), licence=CBS_LICENCE,
    tabular=True)
