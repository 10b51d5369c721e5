"""StatLine CSV exports in every layout CBS has written, brought to the current layout.

The current export (``"Wijken en buurten";"Regioaanduiding/Codering (code)";…``, one row
per region, labels with theme path and unit) is read by ``csvtable``. Older exports and
re-saved ones are recognised here (``layout_of``) and read into the same frame
(``read_export``): the first column the region dimension (``Wijken en buurten``), then one
column per topic labelled as the current layout labels it (``Bevolking/Aantal inwoners
(aantal)``), every cell text. ``attrs["statline"]`` names the layout, ``attrs["title"]``
the title line when there is one.

* ``titled``: title lines (``"Kerncijfers wijken en buurten 2015"``, an empty line) above
  a current header (of the KWB, or of another table whose labels of codes are topic paths,
  ``"Lokaliseringen van gemeenten/Provincies/Code (code)"``: ``Gebieden in Nederland``);
* ``rows``: an ``Onderwerp`` line, theme paths separated by ``|``, a units line below the
  labels (``aantal``, ``%``, ``x 1 000 euro``) that is folded into them
  (``Inkomen|Inkomen van personen|Aantal inkomensontvangers`` + ``aantal`` →
  ``Inkomen/Inkomen van personen/Aantal inkomensontvangers (aantal)``); such files may name
  the regions without codes (matched to the kaart's names by ``codes_from_names``);
* ``transposed``: regions as columns, topics as rows (``Regioaanduiding|Codering``;
  ``code``;``NL00``;``GM1680``…), the unit in the second column;
* ``r``: re-saved by R's ``write.csv``: comma separated, a leading unnamed row-number
  column, ``NA`` for missing, headers passed through ``make.names``
  (``Regioaanduiding.Codering..code.``). The region columns are named back here; the
  topics are matched to the mapping's labels in the same form (``restore_r_names``).

Every layout is read strictly, as ``csvtable`` reads a table: a row with more or fewer
fields than its header, a name given twice, a header repeated inside the data or a file
with a header and no regions is refused with its line and the fix. A file that has
StatLine's marks (``Regioaanduiding``, ``Onderwerp``) in none of these layouts was re-saved
by another program beyond recognition: it is refused with the fix, a new export.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable

__all__ = ["layout_of", "read_export", "where", "name_key", "clean_label", "r_name",
           "restore_r_names", "codes_from_names", "year_of", "LAYOUTS", "REGIONS"]

log = logging.getLogger(__name__)

TITLED, ROWS, TRANSPOSED, R = "titled", "rows", "transposed", "r"
LAYOUTS = (TITLED, ROWS, TRANSPOSED, R)  # read here; the current layout is csvtable's
UNRECOGNISED = "unrecognised"
REGIONS = "Wijken en buurten"  # the region dimension, the first column
_GEMEENTE = model.LEVELS[0]
_CODE = "Regioaanduiding/Codering (code)"
_REGION_LABELS = (REGIONS, "Regioaanduiding/Gemeentenaam (naam)",
                  "Regioaanduiding/Soort regio (omschrijving)", _CODE,
                  "Regioaanduiding/Indelingswijziging wijken en buurten (code)")
_HEAD = 65536  # bytes looked at to recognise a layout
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_STAMP = re.compile(r"_[0-9]{8}_[0-9]{6}$")  # StatLine's export time: _17012023_183355
_VALUE = re.compile(r"\s*(?:[-+]?[0-9][0-9.,]*\*{0,2}|[.x–-]|NA)?\s*")  # a number or marker
_TOPIC_CODE = re.compile(r".+/.+ \(code\)")  # a current label of codes: "Provincies/Code (code)"
_NUMBERED = re.compile(r"^(wijk|buurt)\s*[0-9]+\s*")
_GEMEENTE_SUFFIX = re.compile(r"\s*\((?:gemeente|gem\.)\)\s*$", re.IGNORECASE)
_FIX = "Export the table again from StatLine as CSV (Downloaden → CSV) and import that file."


# ------------------------------------------------------------------ names and labels


def name_key(name: object) -> str:
    """An area's name as compared: case, accents, punctuation and a leading "Wijk 01" /
    "Buurt 01" do not count.

    >>> name_key("Wijk 00 Stadsdeel  Centrum"), name_key("Burgwallen-Oude Zijde")
    ('stadsdeel centrum', 'burgwallen oude zijde')
    >>> name_key("Sint-Jacobs/Parijs") == name_key("sint jacobs parijs")
    True
    """
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold()).strip()
    return _NUMBERED.sub("", text).strip() or text


def clean_label(label: object) -> str:
    """A StatLine label with its spaces as the mapping writes them: non-breaking spaces
    are spaces, runs of spaces one space.

    >>> clean_label("Aantal inkomensontvangers\\u00a0\\u00a0 (aantal) ")
    'Aantal inkomensontvangers (aantal)'
    """
    return " ".join(str(label).replace("\u00a0", " ").split())


def _fold(topic: str, unit: str) -> str:
    """A topic of an older export (``|`` between themes) and its unit as one label."""
    label = clean_label(topic).replace("|", "/")
    unit = clean_label(unit)
    return f"{label} ({unit})" if unit else label


def r_name(label: str) -> str:
    """A label as R's ``make.names`` writes it, runs of dots counted as one (R turns each
    space, bracket, ``%``, ``/`` … into a dot, so ``"  ("`` and ``" ("`` differ only in
    dots).

    >>> r_name("Bevolking/Aantal inwoners (aantal)")
    'Bevolking.Aantal.inwoners.aantal'
    >>> r_name("Bevolking.Aantal.inwoners..aantal.")
    'Bevolking.Aantal.inwoners.aantal'
    """
    text = "".join(c if c.isalpha() or c in "0123456789._" else "." for c in str(label))
    if not (text[:1].isalpha() or (text[:1] == "." and not text[1:2].isdigit())):
        text = "X" + text  # make.names: a name starts with a letter or a dot
    return re.sub(r"\.+", ".", text).strip(".")


def restore_r_names(columns: Iterable[str], labels: dict[str, str]) -> list[str]:
    """Columns of an R re-saved export named by the labels they were made from: the region
    columns and the mapping's ``labels`` (label → variable id). A column whose R form
    matches no label, or labels of different variables, keeps its name."""
    found: dict[str, dict[str, str]] = {}
    for label, id_ in (*((c, c) for c in _REGION_LABELS), *labels.items()):
        found.setdefault(r_name(label), {})[id_] = label
    out = []
    for column in columns:
        match = found.get(r_name(column), {})
        out.append(next(iter(match.values())) if len(match) == 1 else column)
    return out


# ------------------------------------------------------------------ recognising a layout


def _separator(lines: list[str]) -> str:
    counts = {sep: max((re.sub(r'"[^"]*"', "", line).count(sep) for line in lines), default=0)
              for sep in csvtable.SEPARATORS}
    return max(counts, key=counts.get)


def _rows(text: str, sep: str, path: Path | str = "") -> list[tuple[int, list[str]]]:
    """The non-blank records of a text with the line each starts on (strict quoting)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    out, start = [], 1
    try:
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):
                out.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}, line {reader.line_num}: not a well-formed table ({exc}). "
                        f"{_FIX}") from exc
    return out


def _title_end(rows: list[tuple[int, list[str]]]) -> int:
    """The position of the first record that is not a title (one field)."""
    return next((i for i, (_, row) in enumerate(rows) if len(row) > 1), len(rows))


def _kind(rows: list[tuple[int, list[str]]], sep: str) -> str | None:
    if not rows:
        return None
    first = [cell.strip() for cell in rows[0][1]]
    if any(cell.endswith("Codering (code)") for cell in first):
        return None  # the current layout: csvtable reads it
    if sep == "," and first[:1] == [""] and any(
            r_name(cell) in {r_name(_CODE), r_name(REGIONS)} for cell in first[1:]):
        return R
    start = _title_end(rows)
    for _, row in rows[start:start + 3]:
        cells = [cell.strip() for cell in row]
        if cells[0] == "Onderwerp":
            return TRANSPOSED
        if "Onderwerp" in cells[1:] and not cells[0]:
            return ROWS
    if start and start < len(rows):
        header = [cell.strip() for cell in rows[start][1]]
        if any(cell.endswith("Codering (code)") or _TOPIC_CODE.fullmatch(cell)
               for cell in header) or header[0] == REGIONS:
            return TITLED
    return None


def layout_of(path: Path) -> str | None:
    """The layout of a StatLine export that ``csvtable`` cannot read as it is (one of
    ``LAYOUTS``), ``"unrecognised"`` for a file with StatLine's marks in no known layout,
    ``None`` for any other file (the current layout among them)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_HEAD)
    except OSError:
        return None  # csvtable says what is wrong with it
    head = raw.decode("utf-8-sig", errors="replace")
    lines = re.split(r"\r\n?|\n", head)
    lines = [line for line in (lines[:-1] if len(raw) == _HEAD else lines)[:12] if line.strip()]
    if not lines:
        return None
    sep = _separator(lines)
    try:
        rows = _rows("\n".join(lines) + "\n", sep)
    except DataError:
        rows = []
    kind = _kind(rows, sep)
    if kind:
        return kind
    marked = "regioaanduiding" in head.casefold() or any(
        cell.strip() == "Onderwerp" for _, row in rows for cell in row)
    current = rows and any(cell.strip().endswith("Codering (code)") for cell in rows[0][1])
    return UNRECOGNISED if marked and not current else None


# ------------------------------------------------------------------ reading one


def _footer(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The records without the one-field lines at the end (``"Bron: CBS"``)."""
    end = len(rows)
    while end and len(rows[end - 1][1]) == 1:
        end -= 1
    return rows[:end]


def _check_widths(path: Path, rows: list[tuple[int, list[str]]], width: int, what: str
                  ) -> None:
    wrong = [(line, len(row)) for line, row in rows if len(row) != width]
    if wrong:
        shown = ", ".join(f"line {line} has {n}" for line, n in wrong[:5])
        raise DataError(f"{path}: {what} has {width} fields, but {shown}: a shifted or "
                        f"cut-off row. {_FIX}")


def _check_names(path: Path, names: list[str], line: int) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise DataError(f"{path}, line {line}: {name!r} occurs twice (columns "
                            f"{seen[name] + 1} and {i + 1}); which one holds the values is "
                            f"unclear. {_FIX}")
        seen[name] = i


def _header_rows(path: Path, rows, start: int, layout: str):
    if start >= len(rows):
        raise DataError(f"{path}: a StatLine export ({layout} layout) without a header "
                        f"below its title. {_FIX}")


def _no_regions(path: Path) -> DataError:
    return DataError(f"{path}: the StatLine export has a title and a header but no rows of "
                     "regions. Select the regions (Wijken en buurten) in StatLine and "
                     "export the table again as CSV.")


def _titled(path, rows):
    start = _title_end(rows)
    _header_rows(path, rows, start, TITLED)
    line, header = rows[start]
    body = _footer(rows[start + 1:])
    _check_widths(path, body, len(header), f"the header (line {line})")
    return [clean_label(c) for c in header], body, line


def _is_units(cells: list[str]) -> bool:
    return not any(cell.strip() and _VALUE.fullmatch(cell) for cell in cells)


def _row_layout(path, rows):
    start = _title_end(rows)
    _header_rows(path, rows, start, ROWS)
    at = next(i for i in range(start, len(rows))
              if "Onderwerp" in [c.strip() for c in rows[i][1]])
    if at + 1 >= len(rows):
        raise _no_regions(path)
    line, topics = rows[at + 1]
    lead = next((i for i, cell in enumerate(topics) if cell.strip()), len(topics))
    if lead == 0 or lead == len(topics):
        raise DataError(f"{path}, line {line}: below the 'Onderwerp' line StatLine writes the "
                        f"topics after {lead or 'the'} empty region cell(s). {_FIX}")
    rest = _footer(rows[at + 2:])
    units = rest[0][1] if rest and len(rest[0][1]) == len(topics) and _is_units(
        rest[0][1][lead:]) else None
    if units is not None:
        rest = rest[1:]
    dims = [clean_label(c) or REGIONS for c in (units[:lead] if units else [REGIONS] * lead)]
    header = dims + [_fold(t, units[j] if units else "") for j, t in enumerate(topics)
                     if j >= lead]
    _check_widths(path, rest, len(topics), f"the topic line (line {line})")
    return header, rest, line


def _transposed(path, rows):
    start = _title_end(rows)
    _header_rows(path, rows, start, TRANSPOSED)
    at = next(i for i in range(start, len(rows)) if rows[i][1][0].strip() == "Onderwerp")
    line, regions = rows[at]
    above = rows[at - 1][1] if at > start else []
    lead = next((i for i, c in enumerate(above) if c.strip()), None) if len(above) == len(
        regions) else None
    if lead is None:
        lead = 2 if len(regions) > 2 and not regions[1].strip() else 1
    dim = clean_label(above[lead]) if above and len(above) > lead else REGIONS
    body = _footer(rows[at + 1:])
    _check_widths(path, body, len(regions), f"the 'Onderwerp' line (line {line})")
    topics = [_fold(row[0], row[1] if lead > 1 else "") for _, row in body]
    header = [dim or REGIONS, *topics]
    _check_names(path, header, line)
    columns = [[regions[j]] + [row[j] for _, row in body] for j in range(lead, len(regions))]
    # a region is a column of the file: messages name it by its column (1-based; ``where``)
    return header, [(j + lead + 1, cells) for j, cells in enumerate(columns)], line


def _r_layout(path, rows):
    line, header = rows[0]
    body = rows[1:]
    _check_widths(path, body, len(header), f"the header (line {line})")
    for number, row in body:
        if [c.strip() for c in row[1:]] == [c.strip() for c in header[1:]]:
            raise DataError(f"{path}, line {number}: the header is repeated here (two "
                            "exports joined into one file?). Keep one header line, or export "
                            "the table again from StatLine as CSV.")
    if not header[0].strip():
        bad = [(n, row[0]) for n, row in body if not row[0].strip().isdigit()]
        if bad:
            raise DataError(f"{path}, line {bad[0][0]}: the first column has no name and "
                            f"{bad[0][1]!r} is not a row number (R's row names). {_FIX}")
        header, body = header[1:], [(n, row[1:]) for n, row in body]
    body = [(n, ["" if cell.strip() == "NA" else cell for cell in row]) for n, row in body]
    header = restore_r_names(header, {})
    return header, body, line


_READERS = {TITLED: _titled, ROWS: _row_layout, TRANSPOSED: _transposed, R: _r_layout}


def where(layout: str | None) -> Callable[[object], str]:
    """How a message names the record of ``read_export``'s index label: ``row N`` of the
    file (index + 2), or ``column N`` in a transposed export, whose regions are columns."""
    word = "column" if layout == TRANSPOSED else "row"
    return lambda label: f"{word} {int(label) + 2}"


def read_export(path: Path, layout: str, gemeente: str | None = None) -> pd.DataFrame:
    """A StatLine export of one of ``LAYOUTS`` as the current layout's frame (see the
    module docstring); with ``gemeente``, the rows of other gemeenten' codes are left out
    (``attrs["records"]`` counts all). The index is the line of each row minus 2 (of a
    transposed export: its column number minus 2)."""
    if layout == UNRECOGNISED:
        raise DataError(f"{path}: this looks like a StatLine export (it names "
                        "'Regioaanduiding' or 'Onderwerp'), but another program re-saved it "
                        f"in a layout the kit cannot read safely. {_FIX}")
    text = csvtable.read_text(path)
    lines = [line for line in re.split(r"\r\n?|\n", text[:_HEAD])[:12] if line.strip()]
    rows = _rows(text, "," if layout == R else _separator(lines), path)
    title = clean_label(rows[0][1][0]) if rows and len(rows[0][1]) == 1 else None
    header, body, line = _READERS[layout](path, rows)
    _check_names(path, header, line)
    if not body:
        raise _no_regions(path)
    table = pd.DataFrame([row for _, row in body], columns=header, dtype=object,
                         index=pd.Index([n - 2 for n, _ in body], dtype="int64"))
    table.attrs.update(statline=layout, title=title, records=len(table))
    if gemeente and _CODE in table.columns:
        codes = table[_CODE].astype(str).str.strip()
        table = table[~model.of_other_gemeente(codes, gemeente)]
    return table


# ------------------------------------------------------------------ the year


def year_of(path: Path, title: str | None) -> int | None:
    """The statistics year of an export: the year its title names (``Kerncijfers wijken en
    buurten 2015``), else the one year in the file name once StatLine's export stamp is
    taken off (``…_buurtcijfers_2021_17012023_183355.csv`` → 2021); ``None`` when the name
    has none; ``DataError`` when it names several."""
    if title:
        years = _YEAR.findall(title)
        if years:
            return int(years[-1])
    stem = _STAMP.sub("", path.stem)
    years = sorted(set(_YEAR.findall(stem)))
    if len(years) > 1:
        raise DataError(f"{path}: the file name names several years ({', '.join(years)}); "
                        "which one the statistics are of is unclear. Give the year "
                        "explicitly (--year).")
    return int(years[0]) if years else None


# ------------------------------------------------------------------ regions by name


def _key(name: object) -> str:
    return name_key(_GEMEENTE_SUFFIX.sub("", str(name or "")))


def codes_from_names(path: Path, names: pd.Series, areas, year: int,
                     gemeente: str | None = None, layout: str | None = None
                     ) -> tuple[pd.Series, pd.Series]:
    """Codes and levels of the regions of an export that names them only (``names``, in
    the file's order), from the gemeente's ``areas`` of the file's year (``(code, level,
    name)``, e.g. from the kaart). ``Nederland`` is left out; the first other region is the
    gemeente; every other name must be the name of exactly one wijk or buurt. A name that
    matches none, or several, or occurs twice in the file, is left out with a warning naming
    it — never guessed; rows left out have no code (``None``). Messages name a region by
    its row (its column in a transposed ``layout``).

    Raises ``DataError`` without ``areas``, when the first region is not the gemeente, or
    when no wijk or buurt name matches (the areas are of another year or gemeente).
    """
    fix = (f"Import the kaart of {year} first (its layers give every area's code and name), "
           "then this file; or export the table again from StatLine with the region codes "
           "(Regioaanduiding/Codering).")
    if not areas:
        raise DataError(f"{path}: this StatLine export names its regions without codes; the "
                        f"kit matches the names to the gemeente's areas of {year}, but it "
                        f"knows none. {fix}")
    keys = names.map(_key)
    national = keys == "nederland"
    order = keys[~national]
    codes = pd.Series(None, index=names.index, dtype=object)
    levels = pd.Series(None, index=names.index, dtype=object)
    if order.empty:
        return codes, levels
    towns = [(c, n) for c, lv, n in areas if lv == _GEMEENTE]
    code = towns[0][0] if towns else gemeente
    if code is None:
        raise DataError(f"{path}: the areas given for matching names have no gemeente. {fix}")
    first, at = order.index[0], where(layout)
    if towns and _key(towns[0][1]) != order[first]:
        raise DataError(f"{path}, {at(first)}: the first region of an export by "
                        f"name is the gemeente, but {names[first].strip()!r} is not "
                        f"{towns[0][1]!r} ({code}). Is this the export of {code}? {fix}")
    codes[first], levels[first] = code, _GEMEENTE
    index: dict[str, list[tuple[str, str]]] = {}
    for c, lv, n in areas:
        if lv != _GEMEENTE:
            index.setdefault(_key(n), []).append((c, lv))
    rest = order.drop(first)
    twice = set(rest[rest.duplicated(keep=False)])
    left_out = []
    for row, key in rest.items():
        found = index.get(key, [])
        if len(found) == 1 and key not in twice:
            codes[row], levels[row] = found[0]
        else:
            why = ("occurs twice in the file" if key in twice else
                   "matches no area" if not found else
                   "matches " + ", ".join(c for c, _ in found))
            left_out.append(f"{names[row].strip()!r} ({at(row)}: {why})")
    if len(rest) and len(left_out) == len(rest):
        raise DataError(f"{path}: none of the {len(rest)} wijk and buurt names of this "
                        f"export is the name of an area of {code} in {year} (e.g. "
                        f"{left_out[0]}). {fix}")
    if left_out:
        message = (f"{path}: {len(left_out)} regions left out, their names do not name one "
                   f"area of {year}: " + "; ".join(left_out))
        log.warning(message)
        warnings.warn(message, UserWarning, stacklevel=2)
    return codes, levels
