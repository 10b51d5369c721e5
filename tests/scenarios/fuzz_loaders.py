"""Property-based fuzzing of the CSV and YAML loaders (hypothesis), shared by
``tests/test_fuzz.py`` and ``make audit`` (``tools/audit.py``: ``run_all(examples=N)``).

Every example starts from a valid file (the demo's KWB table, a StatLine export made
from it, the demo registrations, ``stuurkit.yml``, ``begroting.yml``, the catalogue YAML),
corrupts it once in a way whose reach is known, and loads it the way the kit does. Each
example ends in exactly one of:

* ``refused_clearly``: a ``StuurkitError`` whose message names the file;
* ``accepted``: loaded, and the result agrees with the original's result on every value
  the corruption did not touch, while a touched number is the new number exactly or is
  marked missing/secret — never another number (no shifted column, no half-read row, no
  ``'1.5'`` read as 15, no ``inf``, no duplicate key resolved silently);
* ``silently_wrong``: loaded, but the result breaks that rule;
* ``tracebacks``: any other exception (a bug: the user would see a traceback);
* ``unclear_messages``: a ``StuurkitError`` that does not name the file.

The first few failures are kept in each row's ``problems`` as ``what corrupted: why``.

Corruptions. CSV: a cell replaced by random text, a number, a CBS marker, ``inf``,
``1.234``, ``1,5``, another row's value (a key collision) or an edit of itself; text with
a separator, quote or line break; random (also non-UTF-8) bytes; the file cut at any
byte; a row or column deleted, repeated or swapped; a header renamed or its name
dropped; one field dropped; the separator swapped (everywhere or on one line); another
encoding; CRLF, BOM, blank lines. YAML: a key deleted; a value replaced by a random value
or another type; a random YAML scalar (``yes``, ``.nan``, ``2024-13-45``, ``!!float x``,
``12:30``, …) in place of a value; the file cut; random bytes; a key given twice; a list
item repeated; one item's id copied to another; a line deleted, repeated or (de)indented.

It is one of the shared scenario modules (``tests/scenarios``): the tests and
``tools/audit.py`` both import it as ``tests.scenarios.fuzz_loaders``.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import functools
import io
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from helpers.errors import StuurkitError
from helpers.indicators import catalogue
from helpers.sources import kwb, registrations
from helpers.sources import variables as varmap
from helpers.workspace import Workspace, open_workspace
from helpers.workspace.begroting import load_programme
from helpers.workspace.importer import detect_kind

__all__ = ["run_all", "fuzz_kwb", "fuzz_statline", "fuzz_registrations", "fuzz_config",
           "fuzz_begroting", "fuzz_catalogue", "family", "Family", "Edit", "LOADERS",
           "ROW_KEYS", "statline_export", "try_csv", "try_yaml"]

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
KWB_FILE = DEMO / "raw" / "kwb-2023.csv"
REGISTRATIONS_FILE = DEMO / "raw" / "registraties.csv"
CATALOGUE_FILES = [catalogue.DEFAULT_FOLDER / n for n in ("kwb.yml", "bbv.yml", "eigen.yml")]
ROW_KEYS = ["loader", "examples", "refused_clearly", "accepted", "tracebacks",
            "silently_wrong", "unclear_messages"]
_KEEP = 5  # problems kept per loader


# ============================================================== running the examples
@dataclass
class Edit:
    """One corrupted file and what the corruption reached (in original coordinates).

    CSV: ``cells`` maps (data row, column) to the cell's new text; ``renamed`` column →
    new header text; rows/columns in ``gone_*`` may vanish; ``damaged`` rows (broken
    structure) may vanish or must be read exactly as before. YAML: only ``what``/``data``.
    """

    what: str
    data: bytes
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    renamed: dict[int, str] = field(default_factory=dict)
    gone_rows: set[int] = field(default_factory=set)
    gone_columns: set[int] = field(default_factory=set)
    damaged: set[int] = field(default_factory=set)
    name: str = ""  # YAML: which of the loader's files


def _tally(loader: str, strategy: st.SearchStrategy, attempt: Callable[[Edit, Path], tuple],
           examples: int, seed: int) -> dict:
    row: dict[str, Any] = {k: 0 for k in ROW_KEYS}
    row.update(loader=loader, problems=[])
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{loader}-") as tmp:
        @hypothesis_seed(seed)
        @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(edit: Edit) -> None:
            row["examples"] += 1
            folder = Path(tmp) / f"ex{row['examples']}"
            folder.mkdir()
            outcome, why = attempt(edit, folder)
            row[outcome] += 1
            if why and len(row["problems"]) < _KEEP:
                row["problems"].append(f"{outcome}: {edit.what}: {why}"[:600])

        run()
    return row


@dataclass
class Family:
    """One loader under fuzzing: corruptions of its valid file(s) and how to judge one."""

    loader: str
    edits: st.SearchStrategy[Edit]
    attempt: Callable[[Edit, Path], tuple[str, str | None]]  # -> (outcome, why)

    def run(self, examples: int = 100, seed: int = 0) -> dict:
        """One row of counts (see the module docstring) over ``examples`` corruptions."""
        return _tally(self.loader, self.edits, self.attempt, examples, seed)


def _refusal(exc: BaseException, path: Path) -> tuple[str, str | None]:
    message = str(exc)
    if isinstance(exc, StuurkitError):
        if str(path) in message or str(path.resolve()) in message:
            return "refused_clearly", None
        return "unclear_messages", message
    return "tracebacks", f"{type(exc).__name__}: {message}"


# ============================================================== CSV files as grids
@dataclass(frozen=True)
class CsvFile:
    """A valid CSV file as a grid of cell texts, and how to write it back byte for byte."""

    name: str
    sep: str
    quoted: bool
    bom: bool
    header: list[str]
    rows: list[list[str]]
    key_columns: tuple[int, ...]  # columns that identify a row (area code, …)

    @classmethod
    def parse(cls, name: str, data: bytes, key_names: tuple[str, ...]) -> CsvFile:
        text = data.decode("utf-8")
        bom = text.startswith("\ufeff")
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        grid = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep))
        made = cls(name, sep, first.startswith('"'), bom, grid[0], grid[1:],
                   tuple(grid[0].index(k) for k in key_names))
        assert made.render() == data, f"{name}: the grid does not write back identically"
        return made

    def quote(self, text: str) -> str:
        return f'"{text}"' if self.quoted else text

    def line(self, cells: list[str], sep: str | None = None) -> str:
        return (sep or self.sep).join(self.quote(c) for c in cells)

    def lines(self) -> list[str]:
        return [self.line(self.header)] + [self.line(r) for r in self.rows]

    def render(self, lines: list[str] | None = None, eol: str = "\n", bom: bool | None = None,
               encoding: str = "utf-8") -> bytes:
        text = eol.join(self.lines() if lines is None else lines) + eol
        return (("\ufeff" if (self.bom if bom is None else bom) else "") + text).encode(encoding)


_STRUCTURAL = ('"', "\r", "\n")
_TOKENS = ["", " ", ".", "x", "X", "-", "–", "*", "**", "?", "nan", "NaN", "inf", "-inf",
           "Infinity", "1e5", "1E-3", "+5", "0x1A", "1_000", "1.234", "1,234", "1.234,5",
           "1,5", "1.5", "12*", "12 *", "3**", "١٢", "0", "-0", "00012", "1.", ".5", ",5",
           "1e400", "9" * 25, "NULL", "#N/A", "True", "\x00", "12\x003", "\x0c", " 7 ",
           "\u00a08", "GM9901", "WK990101", "BU99010101", "BU99019999", "NL00", "Gemeente",
           "Wijk", "Buurt", "2017", "2017.0", " 2017", "1e20", "a_inw"]


def _plain(sep: str) -> st.SearchStrategy[str]:
    """Random cell texts without separator, quote or line break (one cell stays one)."""
    raw = st.one_of(
        st.sampled_from(_TOKENS),
        st.integers(-10**15, 10**15).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.from_regex(r"[+-]?[0-9]{1,7}([.,][0-9]{1,3}){0,2}\*{0,2}", fullmatch=True),
        st.text(max_size=12),
    )
    return raw.map(lambda t: "".join("?" if ch == sep or ch in _STRUCTURAL else ch for ch in t))


@st.composite
def _csv_edit(draw, f: CsvFile) -> Edit:  # noqa: C901 - one branch per corruption
    n, m = len(f.rows), len(f.header)
    r = draw(st.integers(0, n - 1))
    c = draw(st.integers(0, m - 1))
    lines = f.lines()
    kind = draw(st.sampled_from(
        ["cell", "cell", "mutate", "copy", "structural", "bytes", "truncate", "delete_row",
         "duplicate_row", "swap_rows", "delete_column", "duplicate_column", "swap_columns",
         "rename", "drop_name", "drop_field", "separator", "encoding", "cosmetic"]))
    where = f"row {r + 2}, column {f.header[c]!r}"

    def with_cell(text: str, row: int = r, col: int = c) -> list[str]:
        cells = list(f.rows[row])
        cells[col] = text
        out = list(lines)
        out[row + 1] = f.line(cells)
        return out

    if kind == "cell":
        text = draw(_plain(f.sep))
        return Edit(f"{where} := {text!r}", f.render(with_cell(text)), cells={(r, c): text})
    if kind == "mutate":
        old = f.rows[r][c]
        pos = draw(st.integers(0, len(old)))
        op = draw(st.sampled_from(["insert", "delete", "double", "negate", "strip_digit"]))
        if op == "insert":
            text = old[:pos] + draw(st.sampled_from(list(".,-* 0x9eE+"))) + old[pos:]
        elif op == "delete":
            text = old[:pos] + old[pos + 1:]
        elif op == "double":
            text = old + old
        elif op == "negate":
            text = "-" + old
        else:
            text = re.sub(r"[0-9]", "", old, count=1)
        return Edit(f"{where}: {old!r} -> {text!r}", f.render(with_cell(text)),
                    cells={(r, c): text})
    if kind == "copy":  # another row's value, often making a key collide
        others = [i for i in range(n) if i != r and all(
            f.rows[i][k] == f.rows[r][k] for k in f.key_columns if k != c)] or [(r + 1) % n]
        source = draw(st.sampled_from(others[:50]))
        variant = draw(st.sampled_from(["{}", " {}", "{} ", "{}.0"]))
        text = variant.format(f.rows[source][c])
        return Edit(f"{where} := {text!r} (from row {source + 2})", f.render(with_cell(text)),
                    cells={(r, c): text})
    if kind == "structural":
        base = draw(_plain(f.sep))
        pos = draw(st.integers(0, len(base)))
        mark = draw(st.sampled_from([f.sep, '"', "\n", "\r", "\r\n", f.sep * 2, '""']))
        text = base[:pos] + mark + base[pos:]
        cells = list(f.rows[r])
        cells[c] = text
        return _line_edit(f, lines, r + 1, f.sep.join(f.quote(x) for x in cells),
                          f"{where} := {text!r} (structural)")
    if kind == "bytes":
        return _insert_bytes(draw, f, lines)
    if kind == "truncate":
        return _truncate(draw, f)
    if kind == "delete_row":
        if draw(st.booleans()) and draw(st.booleans()):
            return Edit("header line deleted", f.render(lines[1:]), damaged=set(range(n)))
        return Edit(f"row {r + 2} deleted", f.render(lines[:r + 1] + lines[r + 2:]),
                    gone_rows={r})
    if kind == "duplicate_row":
        copy = draw(st.integers(0, n))  # n: the header line as a data row
        at = draw(st.integers(1, n + 1))
        text = lines[copy + 1] if copy < n else lines[0]
        name = f"row {copy + 2}" if copy < n else "the header"
        return Edit(f"{name} repeated as line {at + 1}", f.render(lines[:at] + [text] + lines[at:]))
    if kind == "swap_rows":
        other = draw(st.integers(0, n - 1))
        out = list(lines)
        out[r + 1], out[other + 1] = out[other + 1], out[r + 1]
        return Edit(f"rows {r + 2} and {other + 2} swapped", f.render(out))
    if kind in ("delete_column", "duplicate_column", "swap_columns"):
        other = draw(st.integers(0, m - 1))

        def reshape(cells: list[str]) -> list[str]:
            cells = list(cells)
            if kind == "delete_column":
                del cells[c]
            elif kind == "duplicate_column":
                cells.insert(other, cells[c])
            else:
                cells[c], cells[other] = cells[other], cells[c]
            return cells

        out = [f.line(reshape(f.header))] + [f.line(reshape(row)) for row in f.rows]
        gone = {c} if kind == "delete_column" else set()
        return Edit(f"column {f.header[c]!r}: {kind} (with {other})", f.render(out),
                    gone_columns=gone)
    if kind == "rename":
        text = draw(st.one_of(_plain(f.sep), st.sampled_from(
            [f.header[c].upper(), f" {f.header[c]} ", f.header[draw(st.integers(0, m - 1))],
             f.header[c] + " (aantal)", "", "Unnamed: 3", "a_inw.1"])))
        header = list(f.header)
        header[c] = text
        return Edit(f"header {f.header[c]!r} renamed {text!r}",
                    f.render([f.line(header)] + lines[1:]), renamed={c: text})
    if kind == "drop_name":
        header = f.header[:c] + f.header[c + 1:]
        return Edit(f"header name {f.header[c]!r} deleted (data kept)",
                    f.render([f.line(header)] + lines[1:]), damaged=set(range(n)))
    if kind == "drop_field":
        cells = f.rows[r][:c] + f.rows[r][c + 1:]
        out = list(lines)
        out[r + 1] = f.line(cells)
        return Edit(f"{where}: field deleted", f.render(out), damaged={r})
    if kind == "separator":
        new = draw(st.sampled_from([s for s in (",", ";", "\t", "|", " ") if s != f.sep]))
        if draw(st.booleans()):
            out = [f.line(f.header, new)] + [f.line(row, new) for row in f.rows]
            return Edit(f"separator {f.sep!r} -> {new!r}", f.render(out))
        line = draw(st.integers(0, n))
        out = list(lines)
        out[line] = f.line(f.header if line == 0 else f.rows[line - 1], new)
        reach = set(range(n)) if line == 0 else {line - 1}
        return Edit(f"separator {new!r} on line {line + 1} only", f.render(out), damaged=reach)
    if kind == "encoding":
        encoding = draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"]))
        try:
            data = f.render(encoding=encoding)
        except UnicodeEncodeError:
            data = f.render()
        return Edit(f"file written as {encoding}", data)
    # cosmetic changes: the result must not change at all
    change = draw(st.sampled_from(["crlf", "bom", "no_bom", "blank_line", "no_final_newline"]))
    if change == "crlf":
        return Edit("CRLF line endings", f.render(eol="\r\n"))
    if change in ("bom", "no_bom"):
        return Edit(f"byte-order mark {change}", f.render(bom=change == "bom"))
    if change == "blank_line":
        at = draw(st.integers(1, n + 1))
        return Edit(f"blank line {at + 1}", f.render(lines[:at] + [""] + lines[at:]))
    return Edit("no newline at the end", f.render()[:-1])


def _line_edit(f: CsvFile, lines: list[str], line_no: int, new: str, what: str) -> Edit:
    """Line ``line_no`` replaced by ``new``, which may hold quotes, separators, line breaks.

    When ``new`` alone is a well-formed CSV record as wide as the header (RFC 4180: quotes
    enclose whole values), the edit touches the cells that differ; otherwise that row and
    every row after it are damaged (a quote may run on).
    """
    out = list(lines)
    out[line_no] = new
    try:
        cells = next(csv.reader([new], delimiter=f.sep, strict=True))
    except csv.Error:
        cells = []
    n = len(f.rows)
    if len(cells) != len(f.header):
        reach = set(range(n)) if line_no == 0 else set(range(line_no - 1, n))
        return Edit(what, f.render(out), damaged=reach)
    old = f.header if line_no == 0 else f.rows[line_no - 1]
    changed = {i: v for i, v in enumerate(cells) if v != old[i]}
    if line_no == 0:
        return Edit(what, f.render(out), renamed=changed)
    return Edit(what, f.render(out), cells={(line_no - 1, i): v for i, v in changed.items()})


def _insert_bytes(draw, f: CsvFile, lines: list[str]) -> Edit:
    n = len(f.rows)
    line_no = draw(st.integers(0, n))
    line = lines[line_no]
    pos = draw(st.integers(0, len(line)))
    blob = draw(st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from(
        [b"\xff", b"\xe9", b"\xc3", b"\x80", b"\xef\xbb\xbf", b"\x00", b"\r", b"\n", b'"',
         f.sep.encode(), "é".encode(), "€".encode("cp1252")])))
    what = f"bytes {blob!r} inserted in line {line_no + 1} at {pos}"
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        out = [x.encode() for x in lines]
        out[line_no] = line[:pos].encode() + blob + line[pos:].encode()
        data = (b"\xef\xbb\xbf" if f.bom else b"") + b"\n".join(out) + b"\n"
        return Edit(what, data, damaged=set(range(n)) if line_no == 0
                    else set(range(line_no - 1, n)))
    return _line_edit(f, lines, line_no, line[:pos] + text + line[pos:], what)


def _truncate(draw, f: CsvFile) -> Edit:
    data = f.render()
    cut = draw(st.integers(0, len(data) - 1))
    n = len(f.rows)
    what = f"file cut after byte {cut}"
    head = data[:cut]
    start = len(b"\xef\xbb\xbf") if f.bom else 0
    line_no = head[start:].count(b"\n")  # 0 = header
    if line_no == 0:
        return Edit(what, head, damaged=set(range(n)))
    row = line_no - 1
    partial = head[start:].split(b"\n")[-1].decode("utf-8", errors="replace")
    rest = set(range(row + 1, n))
    if partial == "":
        return Edit(what, head, gone_rows=rest | {row})
    cells = next(csv.reader([partial], delimiter=f.sep))
    if len(cells) == len(f.header) and not (f.quoted and partial.count('"') % 2):
        return Edit(what, head, gone_rows=rest, cells={(row, len(cells) - 1): cells[-1]})
    return Edit(what, head, gone_rows=rest, damaged={row})


# ============================================================== CSV: checking a result
_MARKER = {".": "secret", "x": "secret", "X": "secret", "": "missing", "-": "missing",
           "–": "missing"}
_POINT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?")
_COMMA = re.compile(r"[+-]?([0-9]+,?[0-9]*|,[0-9]+)([eE][+-]?[0-9]+)?")


def _number(text: str, decimal: str) -> float | None:
    """What a cell's text means as a number in a file with this decimal sign; None: not one."""
    text = text.strip()
    if decimal == "either":  # registrations: a comma is a decimal point too
        text, decimal = text.replace(",", "."), "."
    if decimal == "." and _POINT.fullmatch(text):
        value = float(text)
    elif decimal == "," and _GROUPED.fullmatch(text):
        value = float(text.replace(".", "").replace(",", "."))
    elif decimal == "," and _COMMA.fullmatch(text):
        value = float(text.replace(",", "."))
    else:
        return None
    return value if math.isfinite(value) else None


def _cell_problem(text: str, value: float, status: str, decimal: str) -> str | None:
    """None when a touched cell holding ``text`` may be read as (value, status)."""
    if pd.isna(value):
        return None if status in ("missing", "secret") else f"{text!r} read as NaN/{status}"
    bare = text.strip()
    expected = _number(bare.rstrip("*").strip() if bare.endswith("*") else bare, decimal)
    if expected is None or not math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-300):
        return f"{text!r} read as the number {value!r}"
    return None


def _same(a: tuple, b: tuple) -> bool:
    return all(x == y or (isinstance(x, float) and pd.isna(x) and pd.isna(y))
               for x, y in zip(a, b, strict=True))


@dataclass
class _Table:
    """How a loader's tidy result maps back to the cells of its valid file."""

    file: CsvFile
    original: dict[tuple, tuple]  # key -> (value, status, level)
    row_of: dict[tuple, int]  # key -> data row
    column_of: dict[tuple, int]  # key -> column holding the value
    decimal: str
    relabel: Callable[[int, int, str], tuple | None]  # (row, column, text) -> new key start
    rename: Callable[[str], str]  # header text -> variable
    renamed_rules: Callable[[Edit], dict] = lambda edit: {}  # an id column now a variable

    def check(self, edit: Edit, result: pd.DataFrame, key_columns: list[str]) -> list[str]:
        problems: list[str] = []
        got: dict[tuple, tuple] = {}
        prefix = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
        for rec in result[key_columns + ["value", "status", "level"]].itertuples(index=False):
            key, rest = tuple(rec[:-3]), (rec[-3], rec[-2], rec[-1])
            if key in got:
                problems.append(f"two values for {key}")
            got[key] = rest
            if rest[2] != prefix.get(str(key[0])[:2]):
                problems.append(f"{key[0]} has level {rest[2]!r}")
        rules: dict[tuple, tuple] = self.renamed_rules(edit)
        for key, rec in self.original.items():
            r, c = self.row_of[key], self.column_of[key]
            moved = [self.relabel(r, k, t) for (rr, k), t in edit.cells.items()
                     if rr == r and k != c]
            moved = [x for x in moved if x is not None and x != key[:len(x)]]
            if r in edit.gone_rows or r in edit.damaged or c in edit.gone_columns:
                rules[key] = ("same_or_absent", rec)
            elif moved:
                rules[key] = ("same_or_absent", rec)
                new = moved[0] + key[len(moved[0]):]
                if new not in self.original:
                    rules[new] = ("same_or_absent", rec)
            elif c in edit.renamed:
                rules[key] = ("same_or_absent", rec)
                new = key[:-1] + (self.rename(edit.renamed[c]),)
                if new not in self.original:
                    rules[new] = ("same_or_absent", rec)
            elif (r, c) in edit.cells:
                rules[key] = ("cell", edit.cells[(r, c)])
            else:
                rules[key] = ("same", rec)
        for key, (rule, arg) in rules.items():
            if key not in got:
                if rule not in ("same_or_absent", "cell_or_absent"):
                    problems.append(f"{key} is missing from the result")
            elif rule in ("cell", "cell_or_absent"):
                why = _cell_problem(arg, got[key][0], got[key][1], self.decimal)
                if why:
                    problems.append(f"{key}: {why}")
            elif not _same(got[key][:2], arg[:2]):
                problems.append(f"{key}: {arg[:2]} became {got[key][:2]}")
        problems += [f"{key} = {got[key][:2]} appeared" for key in got if key not in rules]
        return problems


def _wide_table(f: CsvFile, original: pd.DataFrame, code: str, scheme: str, decimal: str
                ) -> _Table:
    """A KWB download or StatLine export: one row per area, one column per variable."""
    mapping = varmap.load_mapping()

    def rename(header: str) -> str:
        if "Indelingswijziging" in header:
            return "ind_wbi"
        return varmap.rename([header], scheme, mapping)[header]

    variables = set(original["variable"])
    column = {rename(h): i for i, h in enumerate(f.header) if rename(h) in variables}
    code_at = f.header.index(code)
    row = {f.rows[i][code_at].strip(): i for i in range(len(f.rows))}
    recs = {(a, v): (x, s, lv) for a, v, x, s, lv in original[
        ["area_code", "variable", "value", "status", "level"]].itertuples(index=False)}

    def relabel(r: int, c: int, text: str) -> tuple | None:
        return (text.strip(),) if c == code_at else None

    def renamed_rules(edit: Edit) -> dict:
        return {(cells[code_at].strip(), rename(text)): ("cell_or_absent", cells[c])
                for c, text in edit.renamed.items() for cells in f.rows}

    return _Table(f, recs, {k: row[k[0]] for k in recs}, {k: column[k[1]] for k in recs},
                  decimal, relabel, rename, renamed_rules)


def _registrations_table(f: CsvFile, original: pd.DataFrame) -> _Table:
    """The registrations: one row per (area, year, variable)."""
    recs, rows = {}, {}
    for i, cells in enumerate(f.rows):
        key = (cells[0].strip(), int(cells[1]), cells[2].strip())
        rows[key] = i
    for a, y, v, x, s, lv in original[["area_code", "year", "variable", "value", "status",
                                       "level"]].itertuples(index=False):
        recs[(a, int(y), v)] = (x, s, lv)

    def relabel(r: int, c: int, text: str) -> tuple | None:
        key = list((f.rows[r][0].strip(), int(f.rows[r][1]), f.rows[r][2].strip()))
        if c == 1:
            year = _number(text, ".")
            key[1] = int(year) if year is not None and year == int(year) else f"? {text!r}"
        elif c in (0, 2):
            key[c] = text.strip()
        else:
            return None
        return tuple(key)

    return _Table(f, recs, rows, {k: 3 for k in recs}, "either", relabel, lambda h: h)


def try_csv(edit: Edit, folder: Path, name: str, kind: str, table: _Table,
            key_columns: list[str]) -> tuple[str, str | None]:
    """Import-parse one corrupted file as ``stuurkit import`` does; classify the outcome."""
    path = folder / name
    path.write_bytes(edit.data)
    try:
        found = detect_kind(path)
        if found in ("kwb", "statline"):
            result = kwb.read_kwb(path)
        else:
            result = registrations.read_registrations(path)
    except Exception as exc:  # noqa: BLE001 - classifying is the point
        return _refusal(exc, path)
    if found != kind:
        return "silently_wrong", f"read as {found}, not {kind}"
    problems = table.check(edit, result, key_columns)
    if problems:
        return "silently_wrong", f"{len(problems)} wrong: " + "; ".join(problems[:3])
    return "accepted", None


# ------------------------------------------------------------------ the CSV families
def statline_export() -> bytes:
    """A valid StatLine CSV export (labels, padded cells, decimal comma) of the demo 2023."""
    f = CsvFile.parse(KWB_FILE.name, KWB_FILE.read_bytes(), ("gwb_code_10",))
    at = {h: i for i, h in enumerate(f.header)}
    mapping = varmap.load_mapping()
    mapped = {v: k for k, v in mapping.ids["statline"].items()}
    wanted = ["a_inw", "a_man", "a_vrouw", "g_hhgro", "bev_dich", "g_wozbag", "p_koopw",
              "g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_3km_sc"]
    labels = [mapped.get(v) or f"Thema/{mapping.labels[v]} ({mapping.units[v] or 'aantal'})"
              for v in wanted]
    header = ["Wijken en buurten", "Regioaanduiding/Gemeentenaam (naam)",
              "Regioaanduiding/Soort regio (omschrijving)", "Regioaanduiding/Codering (code)",
              mapped["ind_wbi"], *labels]
    rows = [["Nederland", "Nederland".ljust(40), "Land".ljust(10), "NL00".ljust(10), ".",
             *["       ." for _ in wanted]]]
    for cells in f.rows:
        rows.append([cells[at["regio"]], cells[at["gm_naam"]].ljust(40),
                     cells[at["recs"]].ljust(10), cells[at["gwb_code_10"]].ljust(10),
                     cells[at["ind_wbi"]],
                     *[cells[at[v]].replace(".", ",").rjust(8) if cells[at[v]] != "." else
                       "       ." for v in wanted]])
    text = "\n".join(";".join(f'"{c}"' for c in line) for line in [header, *rows]) + "\n"
    return ("\ufeff" + text).encode("utf-8")


def _csv_family(loader: str, name: str, data: bytes, kind: str, keys: tuple[str, ...],
                make: Callable[[CsvFile, pd.DataFrame], _Table], key_columns: list[str]
                ) -> Family:
    f = CsvFile.parse(name, data, keys)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        original = (registrations.read_registrations(path) if kind == "registrations"
                    else kwb.read_kwb(path))
    table = make(f, original)
    return Family(loader, _csv_edit(f),
                  lambda e, d: try_csv(e, d, name, kind, table, key_columns))


def _kwb_family() -> Family:
    """KWB download tables (``kwb-YYYY.csv``): detect_kind + read_kwb on the demo's 2023."""
    return _csv_family("kwb_download", KWB_FILE.name, KWB_FILE.read_bytes(), "kwb",
                       ("gwb_code_10",),
                       lambda f, o: _wide_table(f, o, "gwb_code_10", "kwb", "."),
                       ["area_code", "variable"])


def _statline_family() -> Family:
    """StatLine CSV exports: detect_kind + read_kwb on ``statline_export()``."""
    code = "Regioaanduiding/Codering (code)"
    return _csv_family("statline_export", "CBS-Voorbeeldstad_kerncijfers_2023.csv",
                       statline_export(), "statline", (code,),
                       lambda f, o: _wide_table(f, o, code, "statline", ","),
                       ["area_code", "variable"])


def _registrations_family() -> Family:
    """Registrations (``area_code, year, variable, value``): the demo's registraties.csv."""
    return _csv_family("registrations", REGISTRATIONS_FILE.name,
                       REGISTRATIONS_FILE.read_bytes(), "registrations",
                       ("area_code", "year", "variable"), _registrations_table,
                       ["area_code", "year", "variable"])


# ============================================================== YAML files
class _Recording(yaml.SafeLoader):
    """safe_load that also records keys given twice with different values."""

    def __init__(self, stream):
        super().__init__(stream)
        self.conflicts: list[str] = []


def _mapping(loader: _Recording, node, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
        try:
            if key in seen and seen[key] != value:
                loader.conflicts.append(str(key))
            seen[key] = value
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "unhashable key",
                                                    key_node.start_mark) from None
    return seen


_Recording.add_constructor("tag:yaml.org,2002:map", _mapping)


def _reference(data: bytes) -> tuple[Any, list[str]] | None:
    """What the text says as YAML (and its conflicting duplicate keys); None: not YAML."""
    try:
        loader = _Recording(data.decode("utf-8"))
        try:
            return loader.get_single_data(), loader.conflicts
        finally:
            loader.dispose()
    except (UnicodeDecodeError, yaml.YAMLError, ValueError, TypeError):
        return None


def _flatten(obj: Any, path: tuple = ()) -> dict[tuple, Any]:
    if isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, list | tuple):
        items = list(enumerate(obj))
    else:
        return {path: obj}
    if not items:
        return {path: type(obj)()}
    out: dict[tuple, Any] = {}
    for key, value in items:
        out.update(_flatten(value, path + (key,)))
    return out


_TRUE = {"1", "y", "yes", "on", "true", "t"}
_FALSE = {"0", "n", "no", "off", "false", "f"}
_ABSENT = object()


def _identical(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _equivalent(doc: Any, got: Any) -> bool:
    """True when ``got`` is what the YAML value ``doc`` says (after a type's usual reading)."""
    if isinstance(got, float) and not math.isfinite(got):  # only where the schema allows it
        return isinstance(doc, float) and _identical(doc, got)
    if isinstance(doc, bytes) and isinstance(got, str):  # !!binary
        return doc == got.encode("utf-8")
    if isinstance(got, bool):
        if isinstance(doc, bool):
            return doc == got
        if isinstance(doc, int | float) and doc in (0, 1):
            return bool(doc) == got
        word = str(doc).strip().lower() if isinstance(doc, str) else None
        return word in (_TRUE if got else _FALSE)
    if isinstance(got, int | float):
        if isinstance(doc, bool):
            return False
        if isinstance(doc, int | float):
            return math.isfinite(doc) and float(doc) == float(got)
        if isinstance(doc, str):
            try:
                return float(doc.strip()) == float(got)
            except ValueError:
                return False
        return False
    if isinstance(got, dt.date):
        if isinstance(doc, dt.datetime):
            return doc.date() == got and doc.time() == dt.time(0)
        if isinstance(doc, dt.date):
            return doc == got
        if isinstance(doc, str):
            try:
                return dt.datetime.fromisoformat(doc.strip()) == dt.datetime.combine(
                    got, dt.time(0))
            except ValueError:
                return False
        return False
    return _identical(doc, got)


def _yaml_problems(orig_doc: Any, new_doc: Any, original: dict[tuple, Any],
                   got: dict[tuple, Any], source: Callable[[tuple, Any], list[tuple]]
                   ) -> list[str]:
    """Untouched values identical to the original's; touched ones what the new text says.

    ``source(result_path, doc)`` lists the document paths a result value may come from,
    the one that applies first (a catalogue entry's own field, then the file's defaults).
    """
    old_flat, new_flat = _flatten(orig_doc), _flatten(new_doc)

    def nodes(flat: dict) -> set[tuple]:
        return {p[:i] for p in flat for i in range(len(p) + 1)}

    changed = {p for p in set(old_flat) | set(new_flat)
               if p not in old_flat or p not in new_flat
               or not _identical(old_flat[p], new_flat[p])}
    changed |= nodes(old_flat) ^ nodes(new_flat)  # mappings/lists added or deleted whole
    above = {c[:i] for c in changed for i in range(len(c) + 1)}
    new_nodes = nodes(new_flat)

    def touched(src: tuple) -> bool:
        return (src in above or src[:-1] in above  # a default beside a changed value
                or any(src[:i] in changed for i in range(len(src))))

    problems = []
    for path in set(original) | set(got):
        sources = source(path, new_doc)
        if not any(touched(src) for src in sources):
            if path not in got:
                problems.append(f"{path} lost")
            elif path not in original or not _identical(original[path], got[path]):
                problems.append(f"{path}: {original.get(path, _ABSENT)!r} became {got[path]!r}")
            continue
        if path not in got:
            continue
        src = next((s for s in sources if s in new_flat), None)
        if src is None:
            if any(s in new_nodes for s in sources):
                problems.append(f"{path} = {got[path]!r} where the file has a mapping/list")
            continue  # not in the file: the default applies
        if not _equivalent(new_flat[src], got[path]):
            problems.append(f"{path}: file says {new_flat[src]!r}, read as {got[path]!r}")
    return problems


def _duplicates(label: str, values: list) -> list[str]:
    seen: set = set()
    twice = [v for v in values if v in seen or seen.add(v)]
    return [f"{label} {v!r} given twice" for v in twice]


_YAML_SCALARS = ["yes", "No", "on", "off", "~", "null", "''", ".inf", "-.Inf", ".nan", "017",
                 "0o17", "0x1F", "1_000", "12:30", "1e3", "1.0e+3", "+12", "2024-01-01",
                 "2024-13-45", "2024-02-30 25:00", "'2024'", '"x"', "[1, 2]", "{a: 1}", "[]",
                 "{}", "&a x", "*a", "!!str 5", "!!int '7'", "!!float x", "!!binary aGk=",
                 "!!python/object:os.system x", "!!int x", "!!bool x", "!!timestamp x", "|",
                 "- a", "a: b", "#", "'unterminated",
                 '"\\x"', "2017", "2017.5", "-5", "0", "true", "GM9901", "GM0344",
                 "BU99010101", "P1.1", "wijk", "buurt", "proportion", "higher_is_better",
                 "raw/kwb-2023.csv", "../../etc/passwd", "\t", "'\u00e9'", "2026-06-31"]
_KEY_LINE = re.compile(r"^(\s*)(- )?([A-Za-z_][\w.-]*):(\s.*)?$")


def _yaml_value() -> st.SearchStrategy:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10),
                     st.dates(), st.sampled_from(["yes", "off", "2024", "1_000", "1e3",
                                                  "2024-01-01", "GM9901", "wijk", ""]))
    return st.one_of(leaf, st.lists(leaf, max_size=3),
                     st.dictionaries(st.text(max_size=5), leaf, max_size=2))


def _paths(doc: Any, path: tuple = ()) -> list[tuple]:
    """Every path in a document (mapping keys and list items), the root excluded."""
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, path + (i,))
    return out


def _at(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")


@st.composite
def _yaml_edit(draw, text: str, doc: Any, id_paths: list[tuple]) -> Edit:  # noqa: C901
    data = text.encode("utf-8")
    lines = text.split("\n")
    paths = _paths(doc)
    kind = draw(st.sampled_from(["delete", "replace", "retype", "scalar", "scalar", "truncate",
                                 "bytes", "duplicate_key", "duplicate_item", "duplicate_id",
                                 "line"]))
    if kind in ("delete", "replace", "retype", "duplicate_item"):
        new = copy.deepcopy(doc)
        path = draw(st.sampled_from(paths))
        parent, key = _at(new, path[:-1]), path[-1]
        old = parent[key]
        if kind == "delete":
            del parent[key]
            what = f"{path} deleted"
        elif kind == "replace":
            parent[key] = draw(_yaml_value())
            what = f"{path} := {parent[key]!r}"
        elif kind == "retype":
            parent[key] = draw(st.sampled_from([
                str(old), [old], {"waarde": old}, repr(old), None,
                int(old) if isinstance(old, float) else float(old)
                if isinstance(old, int) and not isinstance(old, bool) else old]))
            what = f"{path}: {old!r} -> {parent[key]!r}"
        else:
            lists = [p for p in paths if isinstance(_at(new, p), list) and _at(new, p)]
            if not lists:
                return Edit("nothing to duplicate", data)
            path = draw(st.sampled_from(lists))
            items = _at(new, path)
            at = draw(st.integers(0, len(items) - 1))
            items.insert(at + 1, items[at])
            what = f"{path}[{at}] duplicated"
        return Edit(what, _dump(new))
    if kind == "duplicate_id":
        new = copy.deepcopy(doc)
        lists = [p for p in id_paths if isinstance(_find(new, p[0]), list)
                 and len(_find(new, p[0])) > 1]
        if not lists:
            return Edit("no ids to duplicate", data)
        list_path, field_name = draw(st.sampled_from(lists))
        items = _find(new, list_path)
        a, b = draw(st.integers(0, len(items) - 1)), draw(st.integers(0, len(items) - 1))
        if a == b:
            b = (a + 1) % len(items)
        if field_name is None:
            items[b] = items[a]
        elif isinstance(items[a], dict) and isinstance(items[b], dict):
            items[b][field_name] = items[a].get(field_name)
        return Edit(f"{list_path}[{b}].{field_name} := that of [{a}]", _dump(new))
    if kind == "scalar":
        candidates = [i for i, ln in enumerate(lines) if _KEY_LINE.match(ln)
                      and (_KEY_LINE.match(ln).group(4) or "").strip()]
        i = draw(st.sampled_from(candidates))
        match = _KEY_LINE.match(lines[i])
        value = draw(st.one_of(st.sampled_from(_YAML_SCALARS), st.text(max_size=8)))
        new_lines = list(lines)
        new_lines[i] = f"{match.group(1)}{match.group(2) or ''}{match.group(3)}: {value}"
        return Edit(f"line {i + 1}: {match.group(3)}: {value!r}",
                    "\n".join(new_lines).encode("utf-8"))
    if kind == "truncate":
        cut = draw(st.integers(0, len(data) - 1))
        return Edit(f"file cut after byte {cut}", data[:cut])
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        blob = draw(st.one_of(st.binary(min_size=1, max_size=3), st.sampled_from(
            [b"\xff", b"\xe9", b"\x00", b"\t", b":", b"- ", b"\n  ", b"'", b"{", b"\xef\xbb\xbf"])))
        return Edit(f"bytes {blob!r} inserted at {at}", data[:at] + blob + data[at:])
    if kind == "duplicate_key":
        candidates = [i for i, ln in enumerate(lines) if _KEY_LINE.match(ln)]
        i = draw(st.sampled_from(candidates))
        match = _KEY_LINE.match(lines[i])
        indent = len(match.group(1)) + (2 if match.group(2) else 0)
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].lstrip().startswith("#")
                                    or len(lines[end]) - len(lines[end].lstrip()) > indent
                                    or (lines[end].lstrip().startswith("- ")
                                        and len(lines[end]) - len(lines[end].lstrip()) == indent
                                        and not match.group(2))):
            end += 1
        value = draw(st.sampled_from(_YAML_SCALARS[:30]))
        new_lines = lines[:end] + [f"{' ' * indent}{match.group(3)}: {value}"] + lines[end:]
        return Edit(f"key {match.group(3)!r} of line {i + 1} given again: {value!r}",
                    "\n".join(new_lines).encode("utf-8"))
    i = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent"]))
    new_lines = list(lines)
    if op == "delete":
        del new_lines[i]
    elif op == "duplicate":
        new_lines.insert(i, lines[i])
    elif op == "indent":
        new_lines[i] = "  " + lines[i]
    else:
        new_lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
    return Edit(f"line {i + 1}: {op}", "\n".join(new_lines).encode("utf-8"))


def _find(doc: Any, path: tuple) -> Any:
    try:
        return _at(doc, path)
    except (KeyError, IndexError, TypeError):
        return None


def try_yaml(edit: Edit, path: Path, load: Callable[[Path], Any], orig_doc: Any,
             original: dict[tuple, Any], flatten: Callable[[Any], dict[tuple, Any]],
             source: Callable[[tuple, Any], tuple], invariants: Callable[[Any], list[str]]
             ) -> tuple[str, str | None]:
    """Load one corrupted YAML file; classify the outcome (see the module docstring)."""
    path.write_bytes(edit.data)
    try:
        result = load(path)
    except Exception as exc:  # noqa: BLE001
        return _refusal(exc, path)
    reference = _reference(edit.data)
    if reference is None:
        return "silently_wrong", "accepted a file that is not valid UTF-8 YAML"
    new_doc, conflicts = reference
    problems = [f"key {k!r} given twice with different values" for k in conflicts]
    problems += invariants(result)
    problems += _yaml_problems(orig_doc, new_doc, original, flatten(result), source)
    if problems:
        return "silently_wrong", f"{len(problems)} wrong: " + "; ".join(problems[:3])
    return "accepted", None


def _yaml_family(loader: str, files: list[Path], load: Callable[[Path, Path], Any],
                 setup: Callable[[Path], None], flatten: Callable[[Any], dict],
                 source: Callable[[tuple, Any], list[tuple]],
                 invariants: Callable[[Any], list[str]], id_paths: list[tuple]) -> Family:
    """Corruptions of each of ``files``; ``load(folder, path)`` reads one as the kit does."""
    known: dict[str, tuple[Any, dict]] = {}
    edits = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            setup(folder)
            (folder / file.name).write_text(text, encoding="utf-8")
            known[file.name] = (yaml.safe_load(text), flatten(load(folder, folder / file.name)))
        edits.append(_yaml_edit(text, known[file.name][0], id_paths).map(
            lambda e, n=file.name: dataclasses.replace(e, name=n)))

    def attempt(edit: Edit, folder: Path) -> tuple[str, str | None]:
        setup(folder)
        orig_doc, original = known[edit.name]
        return try_yaml(edit, folder / edit.name, lambda p: load(folder, p), orig_doc,
                        original, flatten, source, invariants)

    return Family(loader, st.one_of(edits), attempt)


def _identity(path: tuple, doc: Any) -> list[tuple]:
    return [path]


def _config_setup(folder: Path) -> None:
    """The files the demo stuurkit.yml names, empty (only their existence is checked)."""
    config = yaml.safe_load((DEMO / "stuurkit.yml").read_text(encoding="utf-8"))
    names = [k if isinstance(k, str) else k["file"] for k in config["sources"]["kwb"]]
    names += [k["file"] for k in config["sources"]["kaart"]] + config["sources"]["registrations"]
    for name in names + [config["programme"]]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).touch()


def _config_invariants(ws: Workspace) -> list[str]:
    sources = ws.config.sources
    return (_duplicates("sources.kwb file", [k.file for k in sources.kwb_files()])
            + _duplicates("sources.kaart layer", [(k.level, k.vintage) for k in sources.kaart])
            + _duplicates("sources.registrations", list(sources.registrations))
            + _duplicates("schedule name", [s.name for s in ws.config.schedule]))


def _config_family() -> Family:
    """``stuurkit.yml``: ``open_workspace`` (pydantic ``Config``, named files checked)."""
    return _yaml_family(
        "stuurkit_yml", [DEMO / "stuurkit.yml"], lambda folder, path: open_workspace(folder),
        _config_setup, lambda ws: _flatten(ws.config.model_dump()), _identity,
        _config_invariants,
        [(("sources", "kwb"), None), (("sources", "kaart"), None),
         (("sources", "registrations"), None), (("schedule",), "name")])


def _not_finite(flat: dict[tuple, Any]) -> list[str]:
    return [f"{path} = {value!r} is not a number" for path, value in flat.items()
            if isinstance(value, float) and not math.isfinite(value)]


def _begroting_invariants(loaded) -> list[str]:
    b = loaded.begroting
    problems = _duplicates("programme/goal id", [p.id for p in b.programmas]
                           + [g.id for _, g in b.goals()])
    problems += _not_finite(_flatten(b.model_dump()))
    for p in b.programmas:
        problems += _duplicates(f"{p.id} budget year", [line.jaar for line in p.budget])
    return problems


def _begroting_family() -> Family:
    """``begroting.yml``: ``load_programme`` on a workspace configured like the demo."""
    demo = open_workspace(DEMO, check=False)
    return _yaml_family(
        "begroting_yml", [DEMO / "begroting.yml"],
        lambda folder, path: load_programme(Workspace(folder, demo.config), catalogue.load()),
        lambda folder: None, lambda loaded: _flatten(loaded.begroting.model_dump()),
        _identity, _begroting_invariants,
        [(("programmas",), "id"), (("programmas", 0, "doelen"), "id"),
         (("programmas", 0, "budget"), "jaar"), (("programmas", 1, "doelen"), "id")])


def _catalogue_source(path: tuple, doc: Any) -> list[tuple]:
    """A catalogue value comes from its entry, else from the file's defaults."""
    if not path:  # an empty catalogue
        return [("indicators",)]
    entry = ("indicators", path[0]) + path[1:]
    return [entry] if path[1:2] == ("id",) else [entry, ("defaults",) + path[1:]]


def _catalogue_flat(cat) -> dict[tuple, Any]:
    flat = _flatten({k: v.model_dump() for k, v in cat.items()})
    return {p: v for p, v in flat.items() if p[1:] != ("id",)}  # the id is the key itself


def _catalogue_family() -> Family:
    """Catalogue YAML: ``catalogue.load(file)`` on each of the kit's catalogue files."""
    return _yaml_family(
        "catalogue_yml", CATALOGUE_FILES, lambda folder, path: catalogue.load(path),
        lambda folder: None, _catalogue_flat, _catalogue_source,
        lambda cat: _not_finite(_catalogue_flat(cat)), [])


_BUILDERS: dict[str, Callable[[], Family]] = {
    "kwb_download": _kwb_family, "statline_export": _statline_family,
    "registrations": _registrations_family, "stuurkit_yml": _config_family,
    "begroting_yml": _begroting_family, "catalogue_yml": _catalogue_family}
LOADERS = list(_BUILDERS)


@functools.cache
def family(loader: str) -> Family:
    """The fuzzing set-up of one loader (see ``LOADERS``), built once per process."""
    return _BUILDERS[loader]()


def fuzz_kwb(examples: int = 100, seed: int = 0) -> dict:
    """KWB download tables: the demo's kwb-2023.csv corrupted ``examples`` times."""
    return family("kwb_download").run(examples, seed)


def fuzz_statline(examples: int = 100, seed: int = 0) -> dict:
    """StatLine CSV exports: ``statline_export()`` corrupted ``examples`` times."""
    return family("statline_export").run(examples, seed)


def fuzz_registrations(examples: int = 100, seed: int = 0) -> dict:
    """Registrations: the demo's registraties.csv corrupted ``examples`` times."""
    return family("registrations").run(examples, seed)


def fuzz_config(examples: int = 100, seed: int = 0) -> dict:
    """``stuurkit.yml``: the demo's corrupted ``examples`` times."""
    return family("stuurkit_yml").run(examples, seed)


def fuzz_begroting(examples: int = 100, seed: int = 0) -> dict:
    """``begroting.yml``: the demo's corrupted ``examples`` times."""
    return family("begroting_yml").run(examples, seed)


def fuzz_catalogue(examples: int = 100, seed: int = 0) -> dict:
    """Catalogue YAML: kwb.yml, bbv.yml and eigen.yml corrupted ``examples`` times in all."""
    return family("catalogue_yml").run(examples, seed)


def run_all(examples: int = 100, seed: int = 0) -> list[dict]:
    """Fuzz every loader with ``examples`` corrupted files each; one row per loader.

    Rows: loader, examples, refused_clearly, accepted, tracebacks, silently_wrong,
    unclear_messages (the outcomes add up to examples) and problems (the first few).
    """
    return [family(name).run(examples, seed) for name in LOADERS]


def _main() -> None:  # pragma: no cover - `python tests/fuzz_loaders.py [N]`
    import sys
    import time

    start = time.perf_counter()
    for row in run_all(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
        print(" ".join(f"{k}={row[k]}" for k in ROW_KEYS))
        for problem in row["problems"]:
            print("   ", problem)
    print(f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    _main()
