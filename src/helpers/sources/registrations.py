"""The gemeente's own registrations in long form (CSV or Excel).

Required columns: ``area_code, year, variable, value``; optional ``numerator`` and
``denominator`` (validated and kept as columns of the same name). CSV files are read
strictly by ``csvtable`` (UTF-8, sniffed separator, rows as long as the header), Excel
workbooks by pandas (the first sheet). Every problem is reported at once, naming file,
row and column. Refused: codes that are no CBS codes, years that are not whole years
from 1900 up to this year (a later year is a typing error: nothing has been registered
then), numbers in a notation the column does not decide (``numbertext``: ``1.5`` next
to ``2,5``; only ``1.234``-like values), negative numbers (registrations are counts and
rates), a numerator above its denominator, a value that contradicts its numerator and
denominator (with all three given, the value must be numerator / denominator in one
unit per variable — ×1, ×100, ×1.000, ×10.000 or ×100.000 — to the decimals written),
and a second row for the same area, year and variable.

What a file cannot know is checked where the workspace is known
(``helpers.workspace.core``): areas the workspace's kaart does not have in that year,
and a value that another file gives differently (``conflicts``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable, numbertext
from helpers.sources.registry import Reader
from helpers.sources.tabular import WORKBOOK_SUFFIXES, read_workbook

__all__ = ["read_registrations", "conflicts", "unknown_areas", "REQUIRED", "READER",
           "UNITS"]

REQUIRED = ["area_code", "year", "variable", "value"]
FIRST_YEAR = 1900  # an earlier year is a typing error, and so is one after this year
UNITS = (1, 100, 1_000, 10_000, 100_000)  # value = numerator / denominator × unit
_SHOWN = 5  # rows named per kind of problem


def _decimals(text: pd.Series) -> pd.Series:
    """Digits written after the decimal sign (0 for whole numbers)."""
    after = text.str.strip().str.extract(r"[.,]([0-9]+)$", expand=False)
    return after.str.len().fillna(0)


def _contradictions(table: pd.DataFrame, values: pd.Series, extra: dict[str, pd.Series],
                    variables: pd.Series) -> list[str]:
    """Rows whose value is not numerator / denominator in its variable's unit, to the
    decimals written (a value given as 25 is 0.25 × 100 rounded to whole numbers)."""
    given = values.notna() & extra["numerator"].notna() & extra["denominator"].notna()
    if not given.any():
        return []
    ratio = (extra["numerator"] / extra["denominator"].where(extra["denominator"] != 0))[given]
    tolerance = 0.5 * 10.0 ** -_decimals(table.loc[given, "value"]) + 1e-9
    fits = pd.DataFrame({unit: (values[given] - ratio * unit).abs() <= tolerance * (1 + 1e-9)
                         for unit in UNITS})
    per_variable = fits.groupby(variables[given]).transform("sum")  # rows each unit fits
    best = per_variable.idxmax(axis=1)  # the unit most rows of the variable fit
    wrong = ~fits.to_numpy()[np.arange(len(fits)), [UNITS.index(u) for u in best]]
    used = per_variable.max(axis=1) > 0  # some unit fits other rows of the variable
    problems = []
    for idx in fits.index[wrong][:_SHOWN]:
        unit = best[idx]
        why = (f"= {ratio[idx] * unit:.6g} in the unit × {unit:,} the other rows of this "
               f"variable use".replace(",", ".") if used[idx] else
               f"= {ratio[idx]:.6g}, nor that × 100, × 1.000, × 10.000 or × 100.000")
        problems.append(
            f"row {idx + 2}: value {table.at[idx, 'value'].strip()} contradicts numerator "
            f"{table.at[idx, 'numerator'].strip()} / denominator "
            f"{table.at[idx, 'denominator'].strip()} ({why}); correct one of the three or "
            "leave the value empty")
    return problems



def _workbook(path: Path) -> tuple[pd.DataFrame, set[str]]:
    """The first sheet as text, and the columns whose every filled cell is a number cell
    (written here with a decimal point: Excel stores numbers, not their notation)."""
    try:
        raw = read_workbook(path, dtype=object, keep_default_na=False)
    except Exception as exc:  # openpyxl/xlrd raise many kinds
        raise DataError(f"{path}: cannot read the workbook ({exc}).") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    typed = set()
    for column in raw.columns:
        cells = raw[column]
        numeric = cells.map(lambda c: isinstance(c, (int, float)) and not isinstance(c, bool))
        filled = cells.map(lambda c: str(c).strip() != "")
        if filled.any() and numeric[filled].all():
            typed.add(column)
    table = raw.map(lambda c: repr(c) if isinstance(c, float) else str(c))
    table.index = raw.index
    return table, typed


def read_registrations(path: str | Path, source: str | None = None) -> pd.DataFrame:
    """Read and validate a registrations file into tidy rows (``model.TIDY_COLUMNS``, plus
    ``numerator``/``denominator`` when the file has them)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found. Check 'registrations' in stuurkit.yml.")
    typed: set[str] = set()  # workbook columns of number cells: their notation is known
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        table, typed = _workbook(path)
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
    for idx in table.index[~codes.str.match(model.CODE.pattern)][:_SHOWN]:
        problems.append(f"row {idx + 2}, column area_code: {table.at[idx, 'area_code']!r} is "
                        "not a CBS area code (GMdddd, WKdddddd or BUdddddddd)")
    years = pd.to_numeric(table["year"], errors="coerce")
    this_year = date.today().year
    for idx in table.index[~years.between(FIRST_YEAR, this_year) | (years % 1 != 0)][:_SHOWN]:
        later = years[idx] > this_year and years[idx] % 1 == 0 and years[idx] < 10_000
        why = (f"is after this year ({this_year}): nothing can have been registered then"
               if later else f"is not a year ({FIRST_YEAR}–{this_year})")
        problems.append(f"row {idx + 2}, column year: {table.at[idx, 'year']!r} {why}")
    def number(column: str) -> pd.Series:
        return numbertext.parse(table[column], str(path), column,
                                numbertext.POINT if column in typed else None)

    values = number("value")
    blank = table["value"].str.strip().eq("")
    for idx in table.index[values.isna() & ~blank][:_SHOWN]:
        problems.append(f"row {idx + 2}, column value: {table.at[idx, 'value']!r} is not a "
                        "number (leave the cell empty for an unknown value)")
    extra = {}
    for column in ("numerator", "denominator"):
        if column in table.columns:
            parsed = number(column)
            empty = table[column].str.strip().eq("")
            for idx in table.index[parsed.isna() & ~empty][:_SHOWN]:
                problems.append(f"row {idx + 2}, column {column}: {table.at[idx, column]!r} "
                                "is not a number")
            extra[column] = parsed
    for column, parsed in {"value": values, **extra}.items():
        for idx in table.index[parsed < 0][:_SHOWN]:
            problems.append(f"row {idx + 2}, column {column}: {table.at[idx, column].strip()} "
                            "is negative; a registration counts (or relates counts), so it is "
                            "0 or more")
    if "numerator" in extra and "denominator" in extra:
        over = extra["numerator"] > extra["denominator"]
        for idx in table.index[over][:_SHOWN]:
            problems.append(f"row {idx + 2}: numerator {table.at[idx, 'numerator']} is larger "
                            f"than denominator {table.at[idx, 'denominator']}")
        problems += _contradictions(table, values, extra, table["variable"].str.strip())
    first: dict[tuple, int] = {}  # keys as read: ' 2020' and '2020.0' are both 2020
    twice = 0
    for idx, key in zip(table.index, zip(codes, years, table["variable"].str.strip(),
                                         strict=True), strict=True):
        if key in first and twice < _SHOWN:
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


def conflicts(files: list[tuple[str, pd.DataFrame, bool]]) -> None:
    """Refuse a value that two files give differently for one area, year and variable,
    where at least one of them is the gemeente's own data (``(file, tidy rows, own)``
    per file; the rows already read and checked). Without this, the file listed first
    would win silently. The same value twice (or missing twice) is no conflict.

    >>> a = pd.DataFrame({"area_code": ["BU99010101"], "year": [2023], "variable": ["x"],
    ...                   "value": [3.0]})
    >>> conflicts([("a.csv", a, True), ("b.csv", a.assign(value=4.0), True)])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    helpers.errors.DataError: b.csv: BU99010101 / 2023 / x is 4 here but 3 in a.csv; ...
    """
    keys = ["area_code", "year", "variable"]
    parts = [frame[[*keys, "value"]].assign(_file=i, _own=own)
             for i, (_, frame, own) in enumerate(files) if len(frame)]
    if len(parts) < 2:
        return
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows.duplicated(keys, keep=False)]
    if rows.empty:
        return
    first = rows.groupby(keys, sort=False).transform("first")
    same = (np.isclose(rows["value"], first["value"], rtol=1e-9, atol=1e-9)
            | (rows["value"].isna() & first["value"].isna()))
    own = rows.groupby(keys, sort=False)["_own"].transform("any")
    clash = rows[~same & own]
    if clash.empty:
        return
    row, other = clash.iloc[0], first.loc[clash.index[0]]

    def shown(value: float) -> str:
        return "empty" if pd.isna(value) else f"{value:g}"

    raise DataError(
        f"{files[int(row['_file'])][0]}: {row['area_code']} / {row['year']} / "
        f"{row['variable']} is {shown(row['value'])} here but {shown(other['value'])} in "
        f"{files[int(other['_file'])][0]}; one area, year and variable has one value. "
        "Correct or remove one of them.")


def unknown_areas(path: str, tidy: pd.DataFrame, known: pd.DataFrame) -> None:
    """Refuse rows for areas the workspace does not have in their year (``known``:
    ``year, code`` of the areas of each year, e.g. from its kaart layers)."""
    keys = pd.MultiIndex.from_frame(tidy[["year", "area_code"]].astype({"year": int}))
    have = pd.MultiIndex.from_frame(known[["year", "code"]].astype({"year": int}))
    unknown = tidy[~keys.isin(have)]
    if unknown.empty:
        return
    shown = ", ".join(f"{r.area_code} ({r.year})" for r in
                      unknown.drop_duplicates(["area_code", "year"]).head(_SHOWN).itertuples())
    raise DataError(
        f"{path}: {unknown['area_code'].nunique()} area code(s) are not among the "
        f"workspace's areas of their year: {shown}. Sums up to the wijk and the gemeente "
        "would be wrong; correct the codes, or import the kaart layer that has these areas.")


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
