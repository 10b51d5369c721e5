"""KWB tables from the CBS OData v3 API, as saved by ``cbsodata.download_data``.

A downloaded table is a folder (``raw/cbs-85618NED/``) with one JSON file per entity
set: ``TableInfos.json``, ``DataProperties.json``, ``TypedDataSet.json``, …. Columns
are mapped through the table's own ``DataProperties`` (``Key`` → variable id through
the mapping's ``odata`` scheme, else the ``Title``), never through the ``_N`` position
suffix, which shifts every year. Codes come from the padded ``Codering_…`` column,
stripped; the level from ``SoortRegio_…``. A null in the typed data set is CBS's ``.``
(unknown or secret) and becomes a missing value with status ``secret``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import kwb, numbertext
from helpers.sources import variables as varmap
from helpers.sources.registry import (
    CBS_LICENCE,
    Probe,
    Reader,
    country_apart,
    describe_statistics,
    year_entry,
)

__all__ = ["read_odata", "table_year", "READER"]

_NUMERIC = {"Long", "Double", "Float", "Integer", "Decimal", "Int32", "Int64", "Short"}


def _load(path: Path, name: str) -> list[dict[str, Any]]:
    file = path / f"{name}.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{file}: missing; download the table again (stuurkit fetch).") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{file}: not valid JSON ({exc}); download the table again.") from exc
    if isinstance(data, dict) and "value" in data:
        data = data["value"]
    if not isinstance(data, list):
        raise DataError(f"{file}: expected a list of records.")
    return data


def table_year(path: Path) -> int | None:
    """The statistics year from ``TableInfos`` (its title ends in the year)."""
    try:
        infos = _load(path, "TableInfos")
    except DataError:
        return None
    for info in infos:
        match = re.search(r"((?:19|20)\d\d)\s*$", str(info.get("Title", "")))
        if match:
            return int(match.group(1))
    return None


def _find(properties: list[dict], prefix: str) -> str | None:
    for prop in properties:
        key = str(prop.get("Key", ""))
        if re.sub(r"_\d+$", "", key) == prefix:
            return key
    return None


def read_odata(path: str | Path, year: int | None = None, source: str | None = None,
               mapping: varmap.Mapping | None = None, gemeente: str | None = None,
               country: bool = False) -> pd.DataFrame:
    """Read a downloaded OData KWB table folder into tidy rows (with ``gemeente``, that
    gemeente's rows only: codes whose digits ``code[2:6]`` are its own; with
    ``country``, the row of Nederland too: ``Request.country``)."""
    path = Path(path)
    mapping = mapping or varmap.load_mapping()
    properties = _load(path, "DataProperties")
    typed = path / "TypedDataSet.json"
    rows = _load(path, "TypedDataSet" if typed.exists() else "UntypedDataSet")
    year = year or table_year(path)
    if year is None:
        raise DataError(f"{path}: cannot tell the year of this table (no TableInfos title "
                        "ending in a year); give it with --year.")
    code_key = _find(properties, "Codering")
    kind_key = _find(properties, "SoortRegio")
    if code_key is None:
        raise DataError(f"{path}: DataProperties has no 'Codering' topic; is this a "
                        "'Kerncijfers wijken en buurten' table?")
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise DataError(f"{path}: the data set has no rows.")
    codes = frame[code_key].astype(str).str.strip()
    levels = (frame[kind_key].astype(str).str.strip().str.lower().where(
        lambda kind: kind.isin(model.LEVELS)) if kind_key else model.level_of(codes))
    topics = {}
    for prop in properties:
        key = str(prop.get("Key", ""))
        if prop.get("Type") != "Topic" or key not in frame.columns:
            continue
        base = re.sub(r"_\d+$", "", key)
        if base == "IndelingswijzigingWijkenEnBuurten":
            topics[key] = "ind_wbi"
        elif prop.get("Datatype") in _NUMERIC:
            topics[key] = base
    names = varmap.rename(list(topics.values()), "odata", mapping)
    valid = codes.str.match(model.CODE.pattern)
    unknown = ~valid & ~codes.str.match(model.NATIONAL_CODE.pattern)
    if unknown.any():
        at = unknown.idxmax()
        raise DataError(f"{path}: record {int(at) + 1}: area code {codes[at]!r} is not a CBS "
                        "code (GMdddd, WKdddddd, BUdddddddd); download the table again.")
    keep = valid & ~codes.str.match(model.SPECIAL_BUURT.pattern)
    if gemeente is not None:
        keep &= model.in_gemeente(codes, gemeente)
        if not keep.any():
            raise DataError(f"{path}: no rows for {gemeente}; is this the right table for "
                            "this gemeente?")
    land = codes.eq(model.COUNTRY_CODE) & country
    clash = keep & levels.notna() & (levels != model.level_of(codes))
    levels = levels.astype(object).mask(land, model.COUNTRY_LEVEL)
    keep |= land
    twice = codes[keep][codes[keep].duplicated()]
    if len(twice):
        raise DataError(f"{path}: area code {twice.iloc[0]} occurs twice; download the table "
                        "again.")
    if clash.any():
        at = clash.idxmax()
        raise DataError(f"{path}: record {int(at) + 1}: area code {codes[at]} is a "
                        f"{model.level_of(codes[at])}, but its region kind says "
                        f"{frame.loc[at, kind_key]!r}; download the table again.")
    values = frame.loc[keep, list(topics)].rename(
        columns={k: names[v] for k, v in topics.items()})
    values = values.apply(lambda c: c if pd.api.types.is_numeric_dtype(c)
                          else c.astype("string").str.strip())
    long = values.assign(area_code=codes[keep].values, level=levels[keep].values).melt(
        id_vars=["area_code", "level"], var_name="variable", value_name="value")
    given = long["value"].notna() & long["value"].astype(str).str.strip().ne("")
    text = long["value"].map(lambda v: isinstance(v, str)).astype(bool)
    numbers = pd.to_numeric(long["value"].where(~text), errors="coerce")
    written = numbertext.parse(long["value"].where(text), str(path), "value",
                               numbertext.POINT)  # OData writes a decimal point
    long["value"] = numbers.where(~text, written).astype(float)
    wrong = given & ~np.isfinite(long["value"].astype(float).fillna(np.inf))
    if wrong.any():
        first = long[wrong].iloc[0]
        raise DataError(f"{path}: {int(wrong.sum())} values are not numbers, e.g. "
                        f"{first['area_code']} / {first['variable']}; download the table "
                        "again.")
    long["status"] = np.where(long["value"].isna(), model.SECRET, model.OK)
    long["year"] = int(year)
    table_id = path.name.removeprefix("cbs-")
    long["source"] = source or f"CBS Kerncijfers wijken en buurten {year} (OData {table_id})"
    long = long[model.TIDY_COLUMNS].reset_index(drop=True)
    return country_apart(long) if country else long


def _is_table_folder(probe: Probe) -> bool:
    """A folder holding a downloaded OData table."""
    path = probe.path
    return (path / "DataProperties.json").exists() and (
        (path / "TypedDataSet.json").exists() or (path / "UntypedDataSet.json").exists())


READER = Reader(
    kind="odata", section="kwb", what="CBS OData table folders (made by stuurkit fetch)",
    looks_like="a CBS OData table folder", suffixes=frozenset(), detect=_is_table_folder,
    read=lambda probe: read_odata(probe.path, probe.request.year,
                                  mapping=probe.request.mapping,
                                  gemeente=probe.request.gemeente,
                                  country=probe.request.country),
    describe=describe_statistics, entry=year_entry,
    label=kwb.statistics_label, licence=CBS_LICENCE)
