"""CBS Kerncijfers wijken en buurten (KWB) in the download layout (``kwb-YYYY``).

Reads the CSV form of CBS's ``kwb-YYYY.xlsx`` download (and the xlsx itself) into the
tidy long form used throughout the kit:

``area_code, level, year, variable, value, status, source``

CBS markers become missing values with a status, never zeros: ``.`` (unknown, not
reliable enough or secret) and ``x`` → ``secret``; blank, ``-`` and ``–`` →
``missing``; a trailing ``*``/``**`` marks a provisional value. Codes stay text.
Special buurten (codes ending in 9997, 9998, 9999) are left out.
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import DataError

__all__ = ["read_kwb", "TIDY_COLUMNS", "LEVELS"]

log = logging.getLogger(__name__)

TIDY_COLUMNS = ["area_code", "level", "year", "variable", "value", "status", "source"]
LEVELS = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
_ID_COLUMNS = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code"]
_TEXT_VARIABLES = {"pst_mvp"}  # codes, not numbers
_SECRET = {".", "x", "X"}
_MISSING = {"", "-", "–"}
_CODE = re.compile(r"^(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
_YEAR = re.compile(r"kwb-(\d{4})", re.IGNORECASE)


def _year_from_name(path: Path) -> int:
    match = _YEAR.search(path.name)
    if not match:
        raise DataError(
            f"{path}: cannot tell the KWB year from the file name. Name the file "
            "'kwb-YYYY.csv' (as CBS does) or pass year=."
        )
    return int(match.group(1))


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: file not found. Check the path in stuurkit.yml.")
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t")
        sep = dialect.delimiter
    except (csv.Error, IndexError):
        sep = ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _parse_values(raw: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip()
    provisional = text.str.endswith("*")
    number = text.str.rstrip("*").str.strip()
    if decimal == ",":
        number = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    value = pd.to_numeric(number, errors="coerce")
    status = np.select(
        [text.isin(_SECRET), text.isin(_MISSING), value.isna(), provisional],
        ["secret", "missing", "invalid", "provisional"],
        default="ok",
    )
    return value, pd.Series(status, index=raw.index)


def read_kwb(path: str | Path, year: int | None = None, source: str | None = None
             ) -> pd.DataFrame:
    """Read one KWB download file into tidy rows.

    Parameters
    ----------
    path : the ``kwb-YYYY.csv`` / ``.xlsx`` file.
    year : the statistics year; taken from the file name when omitted.
    source : label stored with every row (default: ``"CBS KWB <year>"``).

    Examples
    --------
    >>> tidy = read_kwb("data/demo/raw/kwb-2023.csv")  # doctest: +SKIP
    >>> tidy.query("variable == 'a_inw' and level == 'gemeente'")  # doctest: +SKIP
    """
    path = Path(path)
    year = year or _year_from_name(path)
    table = _read_table(path)
    missing = [c for c in ("gwb_code_10", "recs") if c not in table.columns]
    if missing:
        raise DataError(
            f"{path}: columns {missing} not found; this is not a CBS 'Kerncijfers wijken en "
            "buurten' download (kwb-YYYY). Expected the columns gwb_code_10, recs, a_inw, …"
        )
    table["gwb_code_10"] = table["gwb_code_10"].str.strip()
    bad = table.loc[~table["gwb_code_10"].str.match(_CODE), "gwb_code_10"]
    bad = bad[~bad.str.match(r"^(NL\d{2}|PV\d{2})$")]
    if len(bad):
        row = int(bad.index[0]) + 2
        raise DataError(
            f"{path}, row {row}: area code {bad.iloc[0]!r} is not a CBS code "
            "(GMdddd, WKdddddd, BUdddddddd). Check that codes were read as text."
        )
    table = table[table["gwb_code_10"].str.match(_CODE)]
    special = table["gwb_code_10"].str.match(r"^BU\d{4}\w{0,2}99(97|98|99)$")
    table = table[~special]
    level = table["recs"].str.strip().map(LEVELS)
    unknown = level.isna()
    if unknown.any():
        level[unknown] = table.loc[unknown, "gwb_code_10"].str[:2].map(
            {"GM": "gemeente", "WK": "wijk", "BU": "buurt"})
    variables = [c for c in table.columns if c not in _ID_COLUMNS and c not in _TEXT_VARIABLES]
    sample = table[variables].stack()
    decimal = "," if sample.str.contains(r"^\s*-?\d+,\d+\s*$", regex=True).any() else "."
    long = (
        table.assign(level=level)[["gwb_code_10", "level", *variables]]
        .melt(id_vars=["gwb_code_10", "level"], var_name="variable", value_name="raw")
        .rename(columns={"gwb_code_10": "area_code"})
    )
    long["value"], long["status"] = _parse_values(long["raw"], decimal)
    invalid = long[long["status"] == "invalid"]
    if len(invalid):
        first = invalid.iloc[0]
        raise DataError(
            f"{path}: {len(invalid)} cells are neither numbers nor CBS markers, e.g. "
            f"{first['area_code']} / {first['variable']} = {first['raw']!r}. Fix the file or "
            "re-download it from CBS."
        )
    long["year"] = year
    long["source"] = source or f"CBS Kerncijfers wijken en buurten {year}"
    long.loc[long["status"].isin(["secret", "missing"]), "value"] = np.nan
    return long[TIDY_COLUMNS].reset_index(drop=True)
