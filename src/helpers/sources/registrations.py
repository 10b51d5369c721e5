"""The gemeente's own registrations in long form (CSV or Excel).

Required columns: ``area_code, year, variable, value``; optional ``numerator`` and
``denominator`` (validated and kept as columns of the same name). CSV files are read
strictly by ``csvtable`` (UTF-8, sniffed separator, rows as long as the header). Every
problem is reported at once, naming file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable
from helpers.sources.registry import Reader
from helpers.sources.tabular import WORKBOOK_SUFFIXES

__all__ = ["read_registrations", "REQUIRED", "READER"]

REQUIRED = ["area_code", "year", "variable", "value"]
_YEARS = (1900, 2100)  # a year outside is a typing error


def _number(text: pd.Series) -> pd.Series:
    """Numbers with a decimal point or comma; NaN for anything else (also 'inf', 'nan')."""
    value = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    return value.where(np.isfinite(value))



def read_registrations(path: str | Path, source: str | None = None) -> pd.DataFrame:
    """Read and validate a registrations file into tidy rows (``model.TIDY_COLUMNS``, plus
    ``numerator``/``denominator`` when the file has them)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found. Check 'registrations' in stuurkit.yml.")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            table = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl/xlrd raise many kinds
            raise DataError(f"{path}: cannot read the workbook ({exc}).") from exc
    else:
        table = csvtable.read_csv(path)
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}. A registrations file needs "
            f"the columns {', '.join(REQUIRED)} (one row per area, year and variable)."
        )
    problems: list[str] = []
    codes = table["area_code"].str.strip()
    for idx in table.index[~codes.str.match(model.CODE.pattern)][:5]:
        problems.append(f"row {idx + 2}, column area_code: {table.at[idx, 'area_code']!r} is "
                        "not a CBS area code (GMdddd, WKdddddd or BUdddddddd)")
    years = pd.to_numeric(table["year"], errors="coerce")
    for idx in table.index[~years.between(*_YEARS) | (years % 1 != 0)][:5]:
        problems.append(f"row {idx + 2}, column year: {table.at[idx, 'year']!r} is not a year "
                        f"({_YEARS[0]}–{_YEARS[1]})")
    values = _number(table["value"])
    blank = table["value"].str.strip().eq("")
    for idx in table.index[values.isna() & ~blank][:5]:
        problems.append(f"row {idx + 2}, column value: {table.at[idx, 'value']!r} is not a "
                        "number (leave the cell empty for an unknown value)")
    extra = {}
    for column in ("numerator", "denominator"):
        if column in table.columns:
            parsed = _number(table[column])
            empty = table[column].str.strip().eq("")
            for idx in table.index[parsed.isna() & ~empty][:5]:
                problems.append(f"row {idx + 2}, column {column}: {table.at[idx, column]!r} "
                                "is not a number")
            extra[column] = parsed
    if "numerator" in extra and "denominator" in extra:
        over = extra["numerator"] > extra["denominator"]
        for idx in table.index[over][:5]:
            problems.append(f"row {idx + 2}: numerator {table.at[idx, 'numerator']} is larger "
                            f"than denominator {table.at[idx, 'denominator']}")
    first: dict[tuple, int] = {}  # keys as read: ' 2020' and '2020.0' are both 2020
    twice = 0
    for idx, key in zip(table.index, zip(codes, years, table["variable"].str.strip(),
                                         strict=True), strict=True):
        if key in first and twice < 5:
            twice += 1
            problems.append(f"row {idx + 2}: a second value for {key[0]} / {key[1]:g} / "
                            f"{key[2]} (first in row {first[key] + 2})")
        first.setdefault(key, idx)
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems) + ". Correct these rows and retry.")
    tidy = pd.DataFrame({
        "area_code": codes,
        "level": model.level_of(codes),
        "year": years.astype(int),
        "variable": table["variable"].str.strip(),
        "value": values,
        "status": np.where(values.isna(), model.MISSING, model.OK),
        "source": source or f"Eigen registratie ({path.name})",
        **extra,
    })
    return tidy.reset_index(drop=True)


READER = Reader(
    kind="registrations", section="registrations", what="registrations (.csv/.xlsx)",
    looks_like="registrations (area_code, year, variable, value)",
    suffixes=frozenset({".csv", ".txt", *WORKBOOK_SUFFIXES}),
    detect=lambda probe: {"area_code", "variable"} <= probe.columns,
    read=lambda probe: read_registrations(probe.path),
    describe=lambda own, probe: {"rows": len(own)},
    entry=lambda relative, detail: relative,
    label=lambda probe, detail: f"Eigen registratie ({probe.path.name})",
    national=False, tabular=True)
