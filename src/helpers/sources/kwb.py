"""CBS Kerncijfers wijken en buurten (KWB) in the download layout (``kwb-YYYY``).

Reads CBS's ``kwb-YYYY.xlsx`` download (and CSV conversions of it) and StatLine CSV
exports — in every layout ``statline`` reads: title lines, the ``Onderwerp`` layout,
transposed, re-saved by R, regions by name only — (``read_kwb`` detects which) into the
tidy long form used throughout the kit:

``area_code, level, year, variable, value, status, source``

CBS markers become missing values with a status, never zeros: ``.`` (unknown, not
reliable enough or secret) and ``x`` → ``secret``; blank, ``-`` and ``–`` →
``missing``; a trailing ``*``/``**`` marks a provisional value. The notation of each
column's numbers (decimal point, or decimal comma with points grouping thousands as Dutch
Excel writes them) is decided from all its values by ``numbertext``: a column whose
values contradict each other or leave it open (only ``153.211``-like values) is refused
with its line, never guessed per cell; ``inf`` and ``nan`` are not numbers. A region
kind (``recs``) must agree with the code's prefix. Codes stay text.
Special buurten (codes ending in 9997, 9998, 9999) are left out. Column names become
stable variable ids through ``helpers.sources.variables`` (the mapping data file).

CBS publishes one table for the whole country. Given a ``gemeente``, only its rows are
kept (codes whose digits ``code[2:6]`` are the gemeente's), right after the table is
read: every check and the parsing of values then concern that gemeente's rows alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import numbertext, statline
from helpers.sources import variables as varmap
from helpers.sources.registry import (
    CBS_LICENCE,
    Probe,
    Reader,
    Request,
    country_apart,
    describe_statistics,
    year_entry,
)
from helpers.sources.tabular import STATLINE_CODE, WORKBOOK_SUFFIXES, is_statline

__all__ = ["read_kwb", "read_download", "read_statline", "own_rows", "DOWNLOAD", "STATLINE",
           "LEVELS", "TABLE_SUFFIXES", "statistics_label", "statline_year"]

log = logging.getLogger(__name__)

LEVELS = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}  # recs → level
_ID_COLUMNS = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code"]
_TEXT_VARIABLES = {"pst_mvp"}  # codes, not numbers
_INVALID = "invalid"  # a cell that is neither a number nor a CBS marker: refused
_SECRET = {".", "x", "X"}
_MISSING = {"", "-", "–"}
_YEAR = re.compile(r"kwb-([0-9]{4})", re.IGNORECASE)  # CBS's download: kwb-2023.xlsx


def _year_from_name(path: Path) -> int:
    match = _YEAR.search(path.name)
    if not match:
        raise DataError(
            f"{path}: cannot tell the statistics year from the file name. Name the file "
            "'kwb-YYYY.csv' (as CBS does) or give the year explicitly (--year)."
        )
    return int(match.group(1))


def _parse_values(path: Path, values: pd.DataFrame, notation: str | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """Values and statuses of a frame of cells (one column per variable), and the
    notation: each column's numbers decided from all its values (``numbertext``), or
    read in the ``notation`` given."""
    text = values.apply(lambda column: column.astype(str).str.strip())
    marked = text.isin(_SECRET) | text.isin(_MISSING)
    provisional = text.apply(lambda column: column.str.endswith("*"))
    number = text.apply(lambda column: column.str.rstrip("*").str.strip()).mask(marked)
    value, found = numbertext.parse_notation(number, str(path), notation)
    status = np.select(
        [text.isin(_SECRET), text.isin(_MISSING), value.isna(), provisional],
        [model.SECRET, model.MISSING, _INVALID, model.PROVISIONAL],
        default=model.OK,
    )
    return value, pd.DataFrame(status, index=values.index, columns=values.columns), found


_row = statline.where(None)  # "row N": the file's line of a frame read row by row


def _tidy(path: Path, codes: pd.Series, levels: pd.Series, values: pd.DataFrame,
          year: int, source: str, names: pd.Series | None = None,
          at: Callable[[object], str] = _row, country: bool = False) -> pd.DataFrame:
    """Shared tail of every reader: check codes, melt, parse values, report problems;
    ``names`` (the area's name per row, as the file writes it) become the optional
    ``model.AREA_NAME`` column; ``at`` names a record in messages (``row 5``). With
    ``country`` the row of Nederland is read too, into ``attrs`` (``Request.country``)."""
    if values.columns.duplicated().any():
        twice = values.columns[values.columns.duplicated()][0]
        raise DataError(f"{path}: two columns map to variable {twice!r}; keep one of them.")
    codes = codes.astype(str).str.strip()
    duplicated = codes[codes.duplicated()]
    if len(duplicated):
        raise DataError(f"{path}, {at(duplicated.index[0])}: area code "
                        f"{duplicated.iloc[0]} occurs twice. Remove the duplicate row.")
    national = codes.str.match(model.NATIONAL_CODE.pattern)
    bad = codes[~codes.str.match(model.CODE.pattern) & ~national]
    if len(bad):
        row = at(bad.index[0])
        hint = (" It looks like a code without its leading zeros; read codes as text."
                if bad.iloc[0].isdigit() else "")
        raise DataError(
            f"{path}, {row}: area code {bad.iloc[0]!r} is not a CBS code "
            f"(GMdddd, WKdddddd, BUdddddddd).{hint}"
        )
    keep = codes.str.match(model.CODE.pattern) & ~codes.str.match(model.SPECIAL_BUURT.pattern)
    if not keep.any():
        raise DataError(f"{path}: no rows of a gemeente, wijk or buurt (codes GMdddd, "
                        f"WKdddddd, BUdddddddd; found {', '.join(codes.unique()[:3])}). "
                        "Export or download the table again with the regions selected.")
    land = codes.eq(model.COUNTRY_CODE) & country
    named = None if names is None else dict(zip(codes, names.astype(str).str.strip(),
                                                strict=True))
    # the areas' figures are read as without Nederland's row; that row is read in the
    # notation they decided (alone it may decide otherwise, or not at all)
    long, notation = _long(path, codes[keep], levels[keep], values[keep])
    if land.any():
        try:
            nl, _ = _long(path, codes[land], codes[land].map(lambda _: model.COUNTRY_LEVEL),
                          values[land], notation)
        except DataError as exc:
            log.warning("%s: the row of Nederland (%s) is not read: %s", path,
                        model.COUNTRY_CODE, exc)
        else:
            long = pd.concat([long, nl], ignore_index=True)
    long["year"] = int(year)
    long["source"] = source
    long.loc[long["status"].isin([model.SECRET, model.MISSING]), "value"] = np.nan
    columns = model.TIDY_COLUMNS if named is None else [*model.TIDY_COLUMNS, model.AREA_NAME]
    if named is not None:
        long[model.AREA_NAME] = long["area_code"].map(named).replace("", None)
    long = long[columns].reset_index(drop=True)
    return country_apart(long) if country else long


def _long(path: Path, codes: pd.Series, levels: pd.Series, values: pd.DataFrame,
          notation: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """Rows of cells as long rows (``area_code, level, variable, raw, value, status``)
    and the notation of their numbers; a cell that is neither a number nor a CBS marker
    is refused."""
    value, status, found = _parse_values(path, values, notation)
    long = values.assign(area_code=codes.values, level=levels.values).melt(
        id_vars=["area_code", "level"], var_name="variable", value_name="raw")
    long["value"] = value.to_numpy(float).ravel(order="F")  # melt goes column by column
    long["status"] = status.to_numpy().ravel(order="F")
    invalid = long[long["status"] == _INVALID]
    if len(invalid):
        first = invalid.iloc[0]
        raise DataError(
            f"{path}: {len(invalid)} cells are neither numbers nor CBS markers, e.g. "
            f"{first['area_code']} / {first['variable']} = {first['raw']!r}. Fix the file or "
            "download it again from CBS."
        )
    return long, found


def _levels(path: Path, recs: pd.Series | None, codes: pd.Series,
            at: Callable[[object], str] = _row) -> pd.Series:
    """Level per row from the code's prefix; a region kind (recs) must agree with it."""
    prefix = model.level_of(codes.astype(str).str.strip())
    if recs is None:
        return prefix
    level = recs.astype(str).str.strip().map(LEVELS)
    clash = level.notna() & prefix.notna() & (level != prefix)
    if clash.any():
        row = clash.idxmax()
        raise DataError(
            f"{path}, {at(row)}: area code {str(codes[row]).strip()} is a "
            f"{prefix[row]}, but its region kind says {str(recs[row]).strip()!r}. Correct the "
            "code or the kind (recs / Soort regio)."
        )
    return level.fillna(prefix)


def own_rows(table: pd.DataFrame, code_column: str, gemeente: str | None) -> pd.DataFrame:
    """The rows of ``table`` without those of other gemeenten (all when ``None``); a row
    whose code is no CBS code stays, for the reader to refuse with its line.

    >>> own_rows(pd.DataFrame({"c": ["GM0344", "WK036301", "BU03440101", "3440101"]}), "c",
    ...          "GM0344")
                c
    0      GM0344
    2  BU03440101
    3     3440101
    """
    if gemeente is None:
        return table
    codes = table[code_column].astype(str).str.strip()
    return table[~model.of_other_gemeente(codes, gemeente)]


def read_download(path: Path, table: pd.DataFrame, year: int, source: str | None,
                  mapping: varmap.Mapping, gemeente: str | None = None,
                  country: bool = False) -> pd.DataFrame:
    """The ``kwb-YYYY`` download layout (short names); see ``own_rows`` for ``gemeente``,
    ``Request.country`` for ``country``."""
    missing = [c for c in ("gwb_code_10", "recs") if c not in table.columns]
    if missing:
        raise DataError(
            f"{path}: columns {missing} not found; this is not a CBS 'Kerncijfers wijken en "
            "buurten' download (kwb-YYYY). Expected the columns gwb_code_10, recs, a_inw, …"
        )
    if table.empty and not table.attrs.get("records"):
        raise DataError(f"{path}: the table has a header but no rows. Download it again.")
    table = own_rows(table, "gwb_code_10", gemeente)
    if table.empty:
        raise DataError(f"{path}: no rows for {gemeente}; is this the right file for this "
                        "gemeente?")
    names = [c for c in table.columns if c not in _ID_COLUMNS and c not in _TEXT_VARIABLES]
    values = table[names].rename(columns=varmap.rename(names, "kwb", mapping))
    return _tidy(path, table["gwb_code_10"], _levels(path, table["recs"], table["gwb_code_10"]),
                 values, year, source or f"CBS Kerncijfers wijken en buurten {year}",
                 table["regio"] if "regio" in table.columns else None, country=country)


def read_statline(path: Path, table: pd.DataFrame, year: int, source: str | None,
                  mapping: varmap.Mapping, gemeente: str | None = None,
                  areas: tuple[tuple[str, str, str], ...] | None = None,
                  country: bool = False) -> pd.DataFrame:
    """A StatLine CSV export: labelled columns, padded values, a 'Codering' column — in
    any layout ``statline`` reads (an R re-saved export's topics are matched to the
    mapping's labels in R's form). An export that names its regions only is matched to
    ``areas`` (``(code, level, name)`` of the file's year; ``statline.codes_from_names``;
    its row of Nederland has no code and is not read). ``country``: ``Request.country``."""
    columns = [statline.clean_label(c) for c in table.columns]
    layout = table.attrs.get("statline")
    at = statline.where(layout)
    if layout == statline.R:
        columns = statline.restore_r_names(columns, mapping.ids["statline"])
    table = table.set_axis(columns, axis=1)
    code = next((c for c in columns if c.endswith(STATLINE_CODE)), None)
    if code is None:
        found, named_levels = statline.codes_from_names(path, table[columns[0]], areas, year,
                                                        gemeente, layout)
        table = table.assign(**{statline.REGIONS + " (code)": found})[found.notna()]
        code = statline.REGIONS + " (code)"
        named_levels = named_levels[found.notna()]
    else:
        named_levels = None
        table = own_rows(table, code, gemeente)
    if table.empty:
        raise DataError(f"{path}: no rows for {gemeente}; is this the right file for this "
                        "gemeente?")
    kind = next((c for c in columns if c.endswith("Soort regio (omschrijving)")), None)
    wbi = next((c for c in columns if "Indelingswijziging" in c), None)
    ids = {code, kind, columns[0]} | ({c for c in columns if c.startswith("Regioaanduiding/")})
    names = [c for c in columns if c not in ids]
    values = table[names].rename(columns=varmap.rename(names, "statline", mapping))
    values = values.drop(columns=[c for c in values.columns if c in _TEXT_VARIABLES]
                         ).copy()  # one block: the columns are added to below
    if wbi:
        values["ind_wbi"] = table[wbi]
    levels = (named_levels if named_levels is not None and kind is None
              else _levels(path, table[kind] if kind else None, table[code], at))
    return _tidy(path, table[code], levels,
                 values, year, source or f"CBS StatLine-export {path.name}",
                 table[columns[0]] if columns[0] not in {code, kind} else None, at,
                 country=country)


def read_kwb(path: str | Path, year: int | None = None, mapping: varmap.Mapping | None = None,
             gemeente: str | None = None,
             areas: tuple[tuple[str, str, str], ...] | None = None) -> pd.DataFrame:
    """Read one file of statistics as the workspace reads an entry of ``sources.kwb``: by
    the reader the registry picks (a ``kwb-YYYY`` download, a StatLine export, an OData
    table folder, a kaart attribute table), checked against the tidy schema and — with
    ``gemeente`` (``GM0344``) — cut to that gemeente's rows. A table none of them
    recognises is read as a download, whose checks say what is missing.

    Parameters
    ----------
    path : the file (or, for OData, the folder).
    year : the statistics year; taken from the file name when omitted.
    mapping : the variable mapping to use and to record use in (default: the kit's).
    gemeente : keep only this gemeente's rows; a file without any is refused.
    areas : the gemeente's areas of the file's year as ``(code, level, name)``, for a
        StatLine export that names its regions without codes (``Request.areas``).

    Examples
    --------
    >>> tidy = read_kwb("data/demo/raw/kwb-2023.csv")  # doctest: +SKIP
    >>> tidy.query("variable == 'a_inw' and level == 'gemeente'")  # doctest: +SKIP
    """
    from helpers.sources import READERS  # the registry lists this module's readers

    probe = Probe(Request(Path(path), gemeente=gemeente, year=year, mapping=mapping,
                          areas=None if areas is None else lambda _year: areas))
    try:
        reader = READERS.detect(probe, "kwb")
    except DataError:
        if probe.path.is_dir() or probe.suffix not in TABLE_SUFFIXES:
            raise
        reader = DOWNLOAD
    return reader.load(probe)


# ------------------------------------------------------------------ the readers

TABLE_SUFFIXES = frozenset({".csv", ".txt", *WORKBOOK_SUFFIXES})


def _mapping(probe: Probe) -> varmap.Mapping:
    return probe.request.mapping or varmap.load_mapping()


def _download(probe: Probe) -> pd.DataFrame:
    request = probe.request
    return read_download(probe.path, probe.table, request.year or _year_from_name(probe.path),
                         None, _mapping(probe), request.gemeente, request.country)


def statline_year(probe: Probe) -> int:
    """The year of a StatLine export: its title's (``Kerncijfers wijken en buurten 2015``),
    else the request's, else the table's year in the file name (not the export date)."""
    request, title = probe.request, probe.table.attrs.get("title")
    titled = statline.year_of(probe.path, title) if title else None
    if titled and request.year and titled != request.year:
        raise DataError(f"{probe.path}: the export's title says {title!r}, but the year given "
                        f"is {request.year}. Give the year of the title, or check the file.")
    year = titled or request.year or statline.year_of(probe.path, None)
    if year is None:
        raise DataError(f"{probe.path}: cannot tell the statistics year from the file name. "
                        "Give it explicitly (--year).")
    return year


def _statline(probe: Probe) -> pd.DataFrame:
    request, year = probe.request, statline_year(probe)
    return read_statline(probe.path, probe.table, year, None, _mapping(probe),
                         request.gemeente, request.areas(year) if request.areas else None,
                         request.country)


def _download_entry(relative: str, detail: dict) -> str | dict:
    """The file alone when its name gives the year as the reader reads it
    (``kwb-2023.csv``), else with the year."""
    match = _YEAR.search(Path(relative).name)
    named = int(match.group(1)) if match else None
    return relative if named == detail["year"] else year_entry(relative, detail)


def statistics_label(probe: Probe, detail: dict) -> str:
    """The source of a KWB table in provenance: ``CBS Kerncijfers wijken en buurten 2023``."""
    return f"CBS Kerncijfers wijken en buurten {detail['year']}"


DOWNLOAD = Reader(
    kind="kwb", section="kwb", what="CBS KWB tables (.xlsx/.csv)",
    looks_like="a CBS KWB download (gwb_code_10, …)", suffixes=TABLE_SUFFIXES,
    detect=lambda probe: "gwb_code_10" in probe.columns, read=_download,
    describe=describe_statistics, entry=_download_entry,
    label=statistics_label, licence=CBS_LICENCE, tabular=True)

STATLINE = Reader(
    kind="statline", section="kwb", what="StatLine CSV exports",
    looks_like="a StatLine export (…Codering (code)…)", suffixes=TABLE_SUFFIXES,
    detect=lambda probe: is_statline(probe.table), read=_statline,
    describe=describe_statistics, entry=year_entry,
    label=lambda probe, detail: f"CBS StatLine ({probe.path.name})",
    licence=CBS_LICENCE, tabular=True)
