"""Numbers written as text: the one parser of numeric cells behind every tabular reader.

A table's numbers come in one of two notations, and a cell alone does not always say
which: ``1.234`` is 1.234 with a decimal point, and 1234 in the Dutch notation (decimal
comma, points grouping thousands), which Dutch Excel writes. The notation is therefore
decided **per column, from all its values**, never per cell:

* **point** (``.``): a decimal point, no grouping — ``1.5``, ``1234.5``, ``0.125``,
  ``5.5e+16``;
* **comma** (``,``): a decimal comma, optionally with points grouping thousands —
  ``1,5``, ``1234,5``, ``1.234,5``, ``1.234.567``.

A cell that fits only one notation decides its column: ``1.5`` (no three digits after
the point), ``1234.5``, ``0.125`` (no group starts with 0) and exponents are point;
``1,5`` and ``1.234.567`` or ``1.234,5`` are comma. Whole numbers (``153211``) fit both.
A column is refused (``DataError`` naming the file, the column, the line of a cell and
the fix) when

* **its cells contradict each other**: one fits only the point notation, another only
  the comma notation (``1.5`` and ``2,5``; ``1.5`` and ``1.234.567``): ``.`` would be a
  decimal point in one cell and something else in the other; or
* **it is ambiguous**: it has cells like ``1.234`` that read differently in the two
  notations and no cell that decides (only ``1.234``-like cells and whole numbers).

Other columns of the file do not decide an ambiguous one, but all the columns that do
decide must agree: a file written by one program has one notation (``1.5`` in one column
and ``2,5`` in another is refused). A notation may also be given (``notation="."``) where
the format fixes it (the JSON of CBS's OData API). Thousands grouped with commas
(``1,234,567``) are not a notation of any CBS file: ``1,234`` is 1.234.

Examples
--------
>>> parse(pd.Series(["153.211", "1.234.567", "850"]), "kwb.csv", "a_inw").tolist()
[153211.0, 1234567.0, 850.0]
>>> parse(pd.Series(["1.234", "12,5"]), "reg.csv", "value").tolist()
[1234.0, 12.5]
>>> parse(pd.Series(["1.234", "1.5", "12"]), "reg.csv", "value").tolist()
[1.234, 1.5, 12.0]
>>> parse(pd.Series(["1.5", "veel", ""]), "reg.csv", "value").tolist()
[1.5, nan, nan]
>>> parse(pd.Series(["153.211", "850"]), "kwb.csv", "a_inw")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
helpers.errors.DataError: kwb.csv, line 2, column 'a_inw': '153.211' could be 153211 (a ...
>>> parse(pd.Series(["1.5", "2,5"]), "reg.csv", "value")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
helpers.errors.DataError: reg.csv, column 'value': the numbers mix two notations: line 2 ...
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from helpers.errors import DataError

__all__ = ["parse", "parse_table", "parse_notation", "POINT", "COMMA"]

POINT, COMMA = ".", ","
_WHOLE = r"[+-]?[0-9]+"
_AMBIGUOUS = r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}"  # 1.234: 1.234 or 1234
_GROUPED = r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?"  # 1.234.567,8
_DECIMAL_COMMA = r"[+-]?[0-9]+,[0-9]+"  # 1234,5
_POINT_FORM = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # what POINT reads
_NAMES = {POINT: "a decimal point", COMMA: "a decimal comma"}
_FIX = "Write every number of the column the same way (without thousands separators)"

Line = Callable[[object], str]  # a row label → how a message names it ("line 5")


def _line(label: object) -> str:
    """``line N`` for a frame read by ``csvtable`` or ``read_excel`` (index + 2)."""
    return f"line {int(label) + 2}" if isinstance(label, (int, np.integer)) else f"row {label}"


class _Shapes:
    """Which notation each cell of a text frame fits (boolean arrays of its shape)."""

    def __init__(self, text: pd.DataFrame) -> None:
        self.shape = shape = text.shape
        flat = pd.Series(text.to_numpy().ravel(), dtype=object)
        text_cells = flat.map(lambda cell: isinstance(cell, str)).astype(bool)
        self.flat = flat = flat.where(text_cells).astype("string").str.strip()

        def fits(pattern: str) -> np.ndarray:
            return flat.str.fullmatch(pattern).fillna(False).to_numpy(bool)

        whole, ambiguous = fits(_WHOLE), fits(_AMBIGUOUS)
        self.point_form = fits(_POINT_FORM)
        self.comma_form = fits(_DECIMAL_COMMA) | fits(_GROUPED) | whole
        self.ambiguous = ambiguous.reshape(shape)
        self.comma = (self.comma_form & ~whole & ~ambiguous).reshape(shape)
        self.point = (self.point_form & ~whole & ~ambiguous).reshape(shape)


def _first(mask: np.ndarray, column: int) -> int:
    return int(np.flatnonzero(mask[:, column])[0])


def parse_table(text: pd.DataFrame, where: str, notation: str | None = None,
                line: Line = _line) -> pd.DataFrame:
    """Every column of a frame of text cells as numbers (NaN where a cell is empty or no
    number in its column's notation), each column's notation decided from all its values
    as the module docstring says; ``DataError`` for a column that is contradictory or
    ambiguous, or for two columns that decide differently. ``where`` (the file) and
    ``line`` (a row label → ``"line 5"``) name the cell in a message.
    """
    return parse_notation(text, where, notation, line)[0]


def parse_notation(text: pd.DataFrame, where: str, notation: str | None = None,
                   line: Line = _line) -> tuple[pd.DataFrame, str | None]:
    """``parse_table``, and the notation its cells decided (``POINT``, ``COMMA``, or
    ``None`` when no cell decides: whole numbers only) — or the one given: what another
    part of the same file (CBS's row of Nederland) is to be read in."""
    if notation not in (None, POINT, COMMA):
        raise ValueError(f"notation must be '.', ',' or None, not {notation!r}")
    shapes = _Shapes(text)
    columns = list(text.columns)
    labels = text.index
    point, comma = shapes.point.any(axis=0), shapes.comma.any(axis=0)
    cell = shapes.flat.to_numpy(object, na_value=None).reshape(shapes.shape)
    if notation is None:
        for j in np.flatnonzero(point & comma):
            p, c = _first(shapes.point, j), _first(shapes.comma, j)
            raise DataError(
                f"{where}, column {columns[j]!r}: the numbers mix two notations: "
                f"{line(labels[p])} has {cell[p, j]!r} ({_NAMES[POINT]}) and "
                f"{line(labels[c])} has {cell[c, j]!r} ({_NAMES[COMMA]}). {_FIX} and "
                "import it again.")
        if point.any() and comma.any():
            p, c = int(np.flatnonzero(point)[0]), int(np.flatnonzero(comma)[0])
            rp, rc = _first(shapes.point, p), _first(shapes.comma, c)
            raise DataError(
                f"{where}: the columns use two notations: column {columns[p]!r} has "
                f"{cell[rp, p]!r} ({_NAMES[POINT]}, {line(labels[rp])}) and column "
                f"{columns[c]!r} has {cell[rc, c]!r} ({_NAMES[COMMA]}, {line(labels[rc])}). "
                "A table is written in one notation; export it again without thousands "
                "separators.")
        for j in np.flatnonzero(shapes.ambiguous.any(axis=0) & ~point & ~comma):
            r = _first(shapes.ambiguous, j)
            text_ = cell[r, j]
            grouped = text_.replace(".", "")
            raise DataError(
                f"{where}, {line(labels[r])}, column {columns[j]!r}: {text_!r} could be "
                f"{grouped} (a point grouping thousands) or {text_} (a decimal point), and no "
                "other value in the column tells which. Save the file without thousands "
                "separators (in Excel: Format Cells, Number, no 1000 separator) and import "
                "it again.")
        decided = np.where(comma, COMMA, POINT)
        found = COMMA if comma.any() else POINT if point.any() else None
    else:
        decided = np.full(len(columns), notation)
        found = notation
    out = {}
    flat = shapes.flat
    point_values = pd.to_numeric(flat.where(shapes.point_form), errors="coerce")
    comma_text = flat.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    comma_values = pd.to_numeric(comma_text.where(shapes.comma_form), errors="coerce")
    point_values = point_values.to_numpy(float, na_value=np.nan).reshape(shapes.shape)
    comma_values = comma_values.to_numpy(float, na_value=np.nan).reshape(shapes.shape)
    for j, name in enumerate(columns):
        values = comma_values[:, j] if decided[j] == COMMA else point_values[:, j]
        out[name] = np.where(np.isfinite(values), values, np.nan)  # 'inf', '1e400'
    return pd.DataFrame(out, index=labels, columns=columns), found


def parse(text: pd.Series, where: str, column: str, notation: str | None = None,
          line: Line = _line) -> pd.Series:
    """One column of text cells as numbers (see ``parse_table``)."""
    frame = parse_table(text.to_frame(column), where, notation, line)
    return frame[column].rename(text.name)
