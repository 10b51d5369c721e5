"""CSV tables read strictly: the one CSV reader behind the KWB and registrations loaders.

A table that cannot be read exactly is refused with a message naming the file and the
line, never guessed at: the text must be UTF-8; the separator (``;``, ``,`` or tab) is
taken from the header line; quotes enclose whole values (``"a;b"``, not ``""a``); every
column has a name, and no name occurs twice; and every
row has as many fields as the header (a short row is a cut-off file or a lost value, a
long one a separator inside a value — pandas would fill the first with blanks and shift
the columns of the second). Every cell stays text. The index of the frame is the file's
line number minus 2, so ``index + 2`` is the line a message should name.

Examples
--------
>>> table = read_csv(Path("data/demo/raw/registraties.csv"))  # doctest: +SKIP
>>> list(table.columns)  # doctest: +SKIP
['area_code', 'year', 'variable', 'value']
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from helpers.errors import DataError

__all__ = ["read_csv", "read_text", "SEPARATORS", "RowFilter"]

SEPARATORS = (";", ",", "\t")
RowFilter = Callable[[list[str]], Callable[[list[str]], bool] | None]  # header → row test
_SHOWN = 5  # rows named in one message


def _sniff(path: Path, text: str) -> str:
    """The separator that occurs most often in the header line, outside quotes."""
    first = next((line for line in re.split(r"\r\n?|\n", text) if line.strip()), "")
    first = re.sub(r'"[^"]*"', "", first)
    counts = {sep: first.count(sep) for sep in SEPARATORS}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise DataError(f"{path}: the first line has no ';', ',' or tab separators; this is "
                        "not a CSV table. Export the table again as CSV.")
    return sep


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 (byte {exc.start} cannot be decoded). Save the file as "
            "UTF-8 (CBS downloads are UTF-8; Excel 'CSV UTF-8' does this)."
        ) from exc


def _records(path: Path, text: str, sep: str, keep: RowFilter | None = None
             ) -> tuple[list[list[str]], list[int], list[tuple[int, int]], int]:
    """The header and the non-blank records to keep (all, or those ``keep`` accepts), the
    line each starts on, every record whose field count differs from the header's
    (``line, count``), and the number of records below the header."""
    rows: list[list[str]] = []
    lines: list[int] = []
    wrong: list[tuple[int, int]] = []
    test, records = None, 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                pass  # a blank line
            elif not rows:  # the header
                test = keep(row) if keep else None
                rows.append(row)
                lines.append(start)
            elif len(row) != len(rows[0]):
                wrong.append((start, len(row)))
                records += 1
            else:
                records += 1
                if test is None or test(row):
                    rows.append(row)
                    lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}, line {reader.line_num}: not a well-formed table ({exc}). "
                        "A quoted value must be quoted whole (\"...\"), with \"\" for a quote "
                        "inside it; export the table again as CSV.") from exc
    return rows, lines, wrong, records


def _check_header(path: Path, header: list[str], rows: list[list[str]]) -> list[int]:
    """Columns to keep: unnamed columns are dropped when empty and refused otherwise."""
    keep, seen = [], {}
    for i, name in enumerate(header):
        key = name.strip().lower()
        if not key:
            if any(i < len(row) and row[i].strip() for row in rows):
                raise DataError(f"{path}, line 1: column {i + 1} has no name but holds values. "
                                "Give it a name in the header, or delete the column.")
            continue
        if key in seen:
            raise DataError(f"{path}, line 1: column {name.strip()!r} occurs twice (columns "
                            f"{seen[key] + 1} and {i + 1}); which one holds the values is "
                            "unclear. Delete or rename one of them.")
        seen[key] = i
        keep.append(i)
    return keep


def read_text(path: Path) -> str:
    """A CSV file's text, refused (``DataError``) when it is missing, empty or not UTF-8;
    a byte order mark is dropped."""
    if not path.exists():
        raise DataError(f"{path}: file not found. Check the path in stuurkit.yml.")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty. Download or export it again.")
    return _decode(path, raw)


def read_csv(path: Path, keep: RowFilter | None = None) -> pd.DataFrame:
    """A CSV table, every cell as text, checked as the module docstring says.

    Raises ``DataError`` naming the file and line: not found, empty, not UTF-8, no
    separator, quotes that do not enclose a whole value, a column without a name or given
    twice, a row with too few or too many fields.

    ``keep`` selects rows while the file is read (e.g. one gemeente's rows of a national
    table): given the header, it returns a test of a row, or ``None`` to keep every row.
    Every row's field count is checked all the same; an unnamed column is refused when it
    holds values in a kept row. ``attrs["records"]`` is the number of rows in the file.
    """
    text = read_text(path)
    sep = _sniff(path, text)
    rows, lines, wrong, records = _records(path, text, sep, keep)
    header, body = rows[0], rows[1:]
    if wrong:
        shown = ", ".join(f"line {line} has {n}" for line, n in wrong[:_SHOWN])
        more = f" (and {len(wrong) - _SHOWN} more rows)" if len(wrong) > _SHOWN else ""
        raise DataError(
            f"{path}: the header has {len(header)} fields, but {shown}{more}. A value "
            f"holding the separator {sep!r} must be quoted; a short row is a cut-off file or a "
            "lost value. Export or download the table again."
        )
    columns = _check_header(path, header, body)
    if len(columns) < len(header):
        body = [[row[i] for i in columns] for row in body]
    table = pd.DataFrame(body or None, columns=[header[i] for i in columns], dtype=object,
                         index=pd.Index([line - 2 for line in lines[1:]], dtype="int64"))
    table.attrs["records"] = records
    return table
