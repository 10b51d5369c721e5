"""Privacy and safety scan of published output: what leaves the analyst's machine.

``scan_html(text)`` parses a page the way a reader's browser does (``publish.page``:
Lexbor, an HTML5 parser by the WHATWG algorithm — comments, ``--!>``, misnested tags and
foreign content end where Chromium ends them) and checks:

``small-count``
    every value of a count-based indicator shown in a chart dataset or a table cell
    (charts declare their value fields in ``usermeta.stuurkit.values``, table cells
    carry ``data-indicator`` / ``data-kind`` / ``data-min-count``): a count between 1 and
    ``min_count - 1`` is a finding; so is any numerator or denominator column below the
    threshold of the chart's indicators;
``unused-column``
    a column embedded in a chart dataset that no mark, encoding or transform of the
    chart uses (GeoJSON's ``type`` and ``geometry`` are the mark's own);
``undeclared-chart``
    a chart that does not say which indicators its values come from;
``external``
    anything that would load from, ping or navigate to another place: every URL-bearing
    attribute (``href``, ``src``, ``srcset``, ``ping``, ``xlink:href``, ``action``, …) is
    refused unless it is an in-page ``#anchor``, a sibling report file or an inline
    ``data:image``; CSS ``url()``, ``image-set()``, ``@import`` (after CSS escapes are
    decoded) unless ``data:``; chart ``data.url``;
``csp``
    the Content-Security-Policy: the first element of ``<head>`` (browsers ignore one
    elsewhere), the only one, ``default-src 'none'``, no host sources, no
    ``'unsafe-inline'``, and a ``script-src`` that lists exactly the hashes of the
    Stuurkit scripts on the page;
``script`` / ``handler`` / ``element``
    a script that is not Stuurkit's (the chart library — packed, its unpacked SHA-256
    known —, the loader ``assets/charts.js``, or an inert chart data block), any script
    element on a static page (a policy without ``script-src``), an event-handler attribute, a
    ``javascript:`` URL, a ``<meta http-equiv="refresh">`` or any element outside the
    set a report is made of (``iframe``, ``object``, ``base``, ``link``, ``form``,
    ``animate``, …) — the signs of injected markup.

``scan_workbook(path, page)`` checks an Excel workbook beside its page: no formula
cells, and every value it holds is shown, as rounded, in the page's table of the same
caption (so it carries no more precision and no suppressed value); every row of its long
table (``Gegevens``) is an observation a chart of the page declares it draws
(``presentation.declare``), with the value shown, no value behind a hidden status and no
count below its threshold; the contents sheet holds no numbers. ``audit_folder``
scans every ``*.html`` and ``*.xlsx`` of a reports folder; ``stuurkit audit`` prints the
table, and every ``stuurkit run`` ends with it (``helpers.run.runner``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.model import USABLE
from helpers.presentation.declare import (
    CELL_INDICATOR,
    CELL_KIND,
    CELL_MIN_COUNT,
    declared,
    declared_series,
)
from helpers.presentation.embed import chart_spec
from helpers.publish.chartspec import data_use
from helpers.publish.page import Finding, Page, parse, text_of
from helpers.publish.workbook import (
    CONTENTS_CAPTION,
    DATA_CAPTION,
    as_cell_text,
    long_table_problems,
    read_sheets,
)

__all__ = ["Finding", "FileAudit", "scan_html", "scan_charts", "scan_workbook", "audit_folder",
           "format_table", "external_references", "COUNT_COLUMNS", "KINDS"]

# columns that hold the counts behind a proportion or rate
COUNT_COLUMNS = {"numerator", "denominator", "teller", "noemer"}
KINDS = ["small-count", "unused-column", "undeclared-chart", "external", "csp", "script",
         "handler", "element", "workbook"]
_GEO_KEYS = {"type", "geometry"}
_NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")


@dataclass
class FileAudit:
    """What one published file contains and what is wrong with it."""

    file: str
    charts: int = 0
    tables: int = 0
    values_checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    def count(self, kind: str) -> int:
        return sum(f.kind == kind for f in self.findings)


def external_references(document: str) -> list[str]:
    """Every place where the HTML would load, ping or navigate somewhere."""
    return [f.detail for f in Page(document).findings if f.kind == "external"]


# ------------------------------------------------------------------ charts


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.search(value)
        if match:
            return float(match.group(0).replace(".", "").replace(",", "."))
    return None


def _small(value: Any, kind: str, min_count: int) -> float | None:
    number = _number(value)
    if number is None or kind != "count" or min_count <= 0:
        return None
    return number if 0 < number < min_count else None


def _check_chart(spec: dict, number: int, audit: FileAudit) -> None:
    where = f"grafiek {number}"
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if title:
        where += f" ({title})"
    use = data_use(spec)
    for url in use.urls:
        audit.findings.append(Finding("external", f"{where} loads data from {url!r}"))
    for problem in _spec_problems(spec):
        audit.findings.append(Finding(problem[0], f"{where}: {problem[1]}"))
    declared_values = declared(spec)
    if declared_values is None:
        audit.findings.append(Finding("undeclared-chart", f"{where} does not declare its "
                                      "indicators (helpers.presentation.declare)"))
        declared_values = {}
    datasets = {**(spec.get("datasets") or {}), **use.inline}
    thresholds = [int(e.get("min_count", 0)) for entries in declared_values.values()
                  for e in entries]
    count_threshold = max(thresholds, default=0)
    for name, rows in datasets.items():
        if not isinstance(rows, list):
            continue
        columns: set[str] = set()
        for row in rows:
            if isinstance(row, dict):
                columns.update(row)
        extra = use.lookups.get(name, set())
        fields = use.used.get(name, set()) | (columns if extra is None else extra)
        if any(isinstance(r, dict) and r.get("type") == "Feature" for r in rows[:1]):
            fields |= _GEO_KEYS
        for column in sorted(columns - fields):
            audit.findings.append(Finding("unused-column", f"{where}: column {column!r} is "
                                          "embedded but not drawn"))
        for column in columns & set(declared_values):
            entries = declared_values[column]
            counts = [e for e in entries if e.get("kind") == "count"]
            if not counts:
                audit.values_checked += sum(column in r for r in rows if isinstance(r, dict))
                continue
            ids = ", ".join(e.get("id", "?") for e in counts)
            _check_counts(rows, column, max(int(e.get("min_count", 0)) for e in counts),
                          f" of {ids}", where, audit)
        for column in columns & COUNT_COLUMNS:
            _check_counts(rows, column, count_threshold or 10, "", where, audit)
    _check_series(spec, declared_values, where, audit)


def _check_series(spec: dict, declared_values: dict, where: str, audit: FileAudit) -> None:
    """The observations a chart declares it draws (its data table, the workbook's long
    table): no count below its threshold, no value behind a status a page does not show."""
    kinds = {str(e.get("id")): e for entries in declared_values.values() for e in entries}
    for row in declared_series(spec) or []:
        audit.values_checked += 1
        value, indicator = row.get("waarde"), str(row.get("indicator"))
        if value is not None and row.get("status") not in USABLE:
            audit.findings.append(Finding("small-count", f"{where}: series value {value!r} "
                                                         f"of {indicator} behind status "
                                                         f"{row.get('status')!r}"))
        entry = kinds.get(indicator, {})
        if entry.get("kind") == "count" and _small(value, "count",
                                                   int(entry.get("min_count") or 0)):
            audit.findings.append(Finding("small-count", f"{where}: series value {value!r} "
                                                         f"of {indicator} is below the "
                                                         f"threshold {entry.get('min_count')}"))


def _spec_problems(spec: dict) -> list[tuple[str, str]]:
    """What a chart spec may not hold, wherever it is: it is Vega-Lite, its ``usermeta``
    is Stuurkit's only (vega-embed would take ``usermeta.embedOptions`` as options), and
    nothing in it loads or links — no ``url``, no ``href``, no image mark."""
    found = []
    if "vega-lite" not in str(spec.get("$schema", "")):
        found.append(("script", "not a Vega-Lite spec"))
    extra = set(spec.get("usermeta") or {}) - {"stuurkit"}
    if extra:
        found.append(("script", f"usermeta {sorted(extra)} (vega-embed options)"))
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("url", "href"):
                    found.append(("external", f"a {key!r} in the spec"))
                elif key in ("mark", "type") and value == "image":
                    found.append(("external", "an image mark"))
                if isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return found


def _check_counts(rows: list, column: str, limit: int, of: str, where: str,
                  audit: FileAudit) -> None:
    """Every value of ``column`` is a count: one between 1 and ``limit - 1`` is a finding."""
    for row in rows:
        if not isinstance(row, dict) or column not in row:
            continue
        audit.values_checked += 1
        if _small(row[column], "count", limit) is not None:
            audit.findings.append(Finding(
                "small-count", f"{where}: {column} = {row[column]!r}{of} is below the "
                               f"threshold {limit}"))


# ------------------------------------------------------------------ the policy


def _check_csp(parser: Page, audit: FileAudit) -> None:
    if not parser.csp:
        audit.findings.append(Finding("csp", "no Content-Security-Policy meta tag"))
        return
    first, policy = parser.csp[0]
    if len(parser.csp) > 1:
        audit.findings.append(Finding("csp", f"{len(parser.csp)} policies; a report has one"))
    if not first:
        audit.findings.append(Finding("csp", "the policy is not the first element of <head> "
                                             "(a browser ignores it outside <head>)"))
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    if directives.get("default-src") != ["'none'"]:
        audit.findings.append(Finding("csp", "default-src is not 'none'"))
    for name, sources in directives.items():
        for source in sources:
            bare = source.strip("'").lower()
            allowed = (source in ("'none'", "'unsafe-eval'", "'unsafe-inline'")
                       or bare.startswith("sha256-") or (source == "data:" and name in (
                           "img-src", "font-src")))
            if not allowed:
                audit.findings.append(Finding("csp", f"{name} allows {source}"))
    script_src = directives.get("script-src", [])
    if "script-src" not in directives and parser.scripts:
        # a static page: its policy runs no script, and it holds none
        audit.findings.append(Finding("script", f"{parser.scripts} script element(s) on a "
                                                "static page (its policy allows none)"))
    if "'unsafe-inline'" in script_src:
        audit.findings.append(Finding("csp", "script-src allows any inline script "
                                             "('unsafe-inline')"))
    listed = {s for s in script_src if s.lower().startswith("'sha256-")}
    own = set(parser.own_scripts)
    if listed - own:
        audit.findings.append(Finding("csp", f"script-src lists {len(listed - own)} hash(es) "
                                             "of no Stuurkit script on this page"))
    if own - listed:
        audit.findings.append(Finding("csp", f"{len(own - listed)} Stuurkit script(s) not "
                                             "listed in script-src (blocked in the browser)"))
    for name in ("base-uri", "form-action"):
        if directives.get(name) != ["'none'"]:
            audit.findings.append(Finding("csp", f"{name} is not 'none'"))


# ------------------------------------------------------------------ scanning


def _check(parser: Page, name: str) -> FileAudit:
    audit = FileAudit(file=name)
    audit.tables = parser.tables
    for spec in parser.specs:
        audit.charts += 1
        _check_chart(spec, audit.charts, audit)
    if audit.charts and not parser.bundled:
        audit.findings.append(Finding("script", f"{audit.charts} chart(s) but no chart library "
                                                "(the bundle script is missing or changed)"))
    for attrs, text in parser.cells:
        audit.values_checked += 1
        small = _small(text, attrs.get(CELL_KIND, ""), int(attrs.get(CELL_MIN_COUNT) or 0)
                       if str(attrs.get(CELL_MIN_COUNT) or "0").isdigit() else 10)
        if small is not None:
            audit.findings.append(Finding(
                "small-count", f"table cell {text.strip()!r} of {attrs[CELL_INDICATOR]} is "
                               f"below the threshold {attrs.get(CELL_MIN_COUNT)}"))
    audit.findings.extend(parser.findings)
    _check_csp(parser, audit)
    return audit


def scan_html(document: str, name: str = "") -> FileAudit:
    """Scan one published HTML document (see the module docstring)."""
    return _check(Page(document), name)


def scan_charts(document: str, name: str = "") -> FileAudit:
    """The chart checks only (small counts, unused columns, declarations) of a page's
    chart data blocks: for a static page, before its charts are drawn as SVG."""
    audit = FileAudit(file=name)
    for spec in Page(document).specs:
        audit.charts += 1
        _check_chart(spec, audit.charts, audit)
    return audit


# ------------------------------------------------------------------ workbooks


def _page_tables(document: str, tree=None) -> dict[str, list[list[str]]]:
    """The page's tables by caption: the text of every cell, row by row (header row
    first). ``tree``: the page already parsed."""
    def words(node) -> str:
        return " ".join(text_of(node).split())

    tables: dict[str, list[list[str]]] = {}
    for table in (tree or parse(document)).css("table"):
        caption = table.css_first("caption")
        if caption is None:
            continue
        rows = [[words(cell) for cell in row.iter(include_text=False)
                 if cell.tag in ("td", "th")] for row in table.css("tr")]
        tables.setdefault(" ".join(as_cell_text(words(caption)).split()), rows)
    return tables


def _same(value: Any, shown: str) -> bool:
    if value is None:
        return not _NUMBER.fullmatch(shown.strip())
    if isinstance(value, bool):
        return str(value) == shown
    if isinstance(value, datetime.date):  # the page writes 31-12-2025 or 2025-12-31
        return " ".join(shown.split()) in (value.strftime("%d-%m-%Y"), value.strftime("%Y-%m-%d"))
    if isinstance(value, int | float):
        number = _number(shown)
        return number is not None and abs(number - float(value)) <= 1e-9 * max(1, abs(value))
    # a text the page writes once for a group of rows (a theme) may repeat in the sheet
    return shown == "" or " ".join(str(value).split()) == " ".join(
        as_cell_text(shown).split())


def _formulas(title: str, rows: list, audit: FileAudit) -> None:
    for row in rows:
        for cell in row:
            if cell.data_type == "f" or (isinstance(cell.value, str)
                                         and cell.value.startswith("=")
                                         and cell.data_type != "s"):
                audit.findings.append(Finding(
                    "workbook", f"{title}!{cell.coordinate} is a formula"))


def scan_workbook(path: str | Path, page: str | None, name: str = "") -> FileAudit:
    """Scan one published workbook against the page it belongs to (see the module
    docstring): formula cells, and values the page does not show as they are — a table
    sheet against the page's table of the same caption, the long table (``Gegevens``)
    against the series the page's charts declare, the contents sheet holds no number."""
    path = Path(path)
    audit = FileAudit(file=name or path.name)
    try:
        sheets = read_sheets(path)
    except Exception as exc:  # noqa: BLE001  (any unreadable workbook is a finding)
        audit.findings.append(Finding("workbook", f"cannot be read: {exc}"))
        return audit
    tree = parse(page) if page is not None else None
    tables = _page_tables(page, tree) if page is not None else None
    specs = None
    if tables is None:
        audit.findings.append(Finding("workbook", "no page beside it to compare with"))
    for title, rows in sheets:
        audit.tables += 1
        _formulas(title, rows, audit)
        if tables is None or not rows:
            continue
        caption = " ".join(str(rows[0][0].value or "").split())
        if caption == " ".join(DATA_CAPTION.split()):
            if specs is None:  # the chart data blocks, as the page's scan reads them
                specs = [chart_spec({str(k).lower(): v or "" for k, v in
                                     node.attributes.items()},
                                    text_of(node)) for node in tree.css("script")]
                specs = [s for s in specs if s is not None]
            checked, problems = long_table_problems(title, rows, specs)
            audit.values_checked += checked
            audit.findings.extend(Finding(kind, detail) for kind, detail in problems)
            continue
        if caption.startswith(CONTENTS_CAPTION):
            for cell in (c for row in rows for c in row):
                if isinstance(cell.value, int | float | datetime.date):
                    audit.findings.append(Finding(
                        "workbook", f"{title}!{cell.coordinate} = {cell.value!r}: the "
                                    "contents hold no numbers"))
            continue
        shown = tables.get(caption)
        if shown is None:
            audit.findings.append(Finding("workbook", f"sheet {title!r}: no table "
                                                      f"{caption!r} on the page"))
            continue
        body = rows[1:]
        if len(body) != len(shown):
            audit.findings.append(Finding("workbook", f"sheet {title!r} has {len(body)} "
                                                      f"rows, the page's table {len(shown)}"))
            continue
        for cells, texts in zip(body, shown, strict=True):
            for cell, text in zip(cells, texts, strict=False):
                audit.values_checked += 1
                if not _same(cell.value, text):
                    audit.findings.append(Finding(
                        "workbook", f"{title}!{cell.coordinate} = {cell.value!r} but the "
                                    f"page shows {text!r}"))
    return audit


def audit_folder(folder: str | Path, skip: set[str] | None = None) -> list[FileAudit]:
    """Scan every HTML page and Excel workbook of a reports folder
    (``reports/<workspace>``), except the names in ``skip``; a workbook is compared with
    the page of the same name."""
    from helpers.errors import StuurkitError

    folder = Path(folder)
    if not folder.is_dir():
        raise StuurkitError(f"{folder}: no such reports folder. Give reports/<workspace> "
                            "(made by `stuurkit run`).")
    skip = skip or set()
    audits = []
    for path in sorted(folder.glob("*.html")):
        if path.is_file() and path.name not in skip:
            audits.append(scan_html(path.read_text(encoding="utf-8", errors="replace"),
                                    path.name))
    for path in sorted(folder.glob("*.xlsx")):
        if path.is_file() and path.name not in skip and not path.name.startswith("~$"):
            page = path.with_suffix(".html")
            audits.append(scan_workbook(path, page.read_text(encoding="utf-8", errors="replace")
                                        if page.is_file() else None))
    return audits


def format_table(audits: list[FileAudit]) -> str:
    """A fixed-width table: one row per file, then the totals."""
    kinds = KINDS
    width = max([len(a.file) for a in audits] + [5])
    head = (f"{'file':<{width}}  charts  tables  values  "
            + "  ".join(f"{k:>{max(len(k), 3)}}" for k in kinds) + "  result")
    lines = [head, "-" * len(head)]
    for audit in [*audits, _total(audits)]:
        counts = "  ".join(f"{audit.count(k):>{max(len(k), 3)}}" for k in kinds)
        lines.append(f"{audit.file:<{width}}  {audit.charts:>6}  {audit.tables:>6}  "
                     f"{audit.values_checked:>6}  {counts}  {'ok' if audit.passed else 'FAIL'}")
    return "\n".join(lines)


def _total(audits: list[FileAudit]) -> FileAudit:
    total = FileAudit(file="total")
    for audit in audits:
        total.charts += audit.charts
        total.tables += audit.tables
        total.values_checked += audit.values_checked
        total.findings.extend(audit.findings)
    return total
