"""Privacy and safety scan of published HTML: what leaves the analyst's machine.

``scan_html(text)`` parses a report the way a reader's browser would and checks:

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
    anything that would load from another host (HTML attributes, CSS, script imports,
    chart ``data.url``);
``csp``
    the Content-Security-Policy: present before any script, ``default-src 'none'``, no
    host sources, no ``'unsafe-inline'`` scripts, and the hash of every script listed;
``script`` / ``handler``
    a script Stuurkit did not write (only the chart bundle and chart calls are allowed),
    an event-handler attribute or a ``javascript:`` link — the signs of injected markup.

``audit_folder(folder)`` scans every ``*.html`` of a reports folder; ``stuurkit audit``
prints the table, and every ``stuurkit run`` ends with it (``helpers.run.runner``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from helpers.presentation.declare import CELL_INDICATOR, CELL_KIND, CELL_MIN_COUNT, declared
from helpers.presentation.embed import BUNDLE_ID, chart_spec
from helpers.publish.chartspec import data_use

__all__ = ["Finding", "FileAudit", "scan_html", "audit_folder", "format_table",
           "external_references", "script_hashes", "seal", "COUNT_COLUMNS"]

# columns that hold the counts behind a proportion or rate
COUNT_COLUMNS = {"numerator", "denominator", "teller", "noemer"}
_GEO_KEYS = {"type", "geometry"}
_EXTERNAL = re.compile(r"^\s*(https?:|ftp:|//)", re.IGNORECASE)
_URL_ATTRS = {"src", "href", "data", "action", "poster", "formaction", "background",
              "xlink:href", "manifest", "cite"}
_CSS_URL = re.compile(r"(url\(\s*['\"]?\s*(https?:|//)|@import)", re.IGNORECASE)
_JS_IMPORT = re.compile(r"(\bimport\s*\(\s*['\"](https?:|//)|\bfrom\s*['\"](https?:|//)|"
                        r"importScripts\s*\(\s*['\"](https?:|//))", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass
class FileAudit:
    """What one HTML file contains and what is wrong with it."""

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


# ------------------------------------------------------------------ hashes


def script_hashes(document: str) -> list[str]:
    """CSP ``'sha256-…'`` sources of every inline script of ``document``."""
    return _parse(document).hashes()


def _hash(script: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


# ------------------------------------------------------------------ parsing


def external_references(document: str) -> list[str]:
    """Every place where the HTML would load something from another host."""
    return _parse(document).references()


_NO_IMPORTS: set[str] = set()  # hashes of large scripts known to import nothing


class _Document(HTMLParser):
    """Scripts, CSP, table cells with indicator values, handlers and external links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.csp: list[tuple[int, str]] = []  # (position of the meta tag, policy)
        self.first_script: int | None = None
        self.cells: list[tuple[dict[str, str], str]] = []
        self.tables = 0
        self.handlers: list[str] = []
        self.external: list[str] = []
        self.styles: list[str] = []
        self._style: list[str] | None = None
        self._hashes: list[str] | None = None
        self._script: tuple[dict[str, str], list[str]] | None = None
        self._cell: tuple[dict[str, str], list[str]] | None = None
        self._offset = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name, value in values.items():
            if name in _URL_ATTRS and _EXTERNAL.match(value):
                self.external.append(f"<{tag} {name}={value!r}>")
            elif name == "srcset" and any(_EXTERNAL.match(p) for p in value.split(",")):
                self.external.append(f"<{tag} srcset={value!r}>")
            elif name == "style" and _CSS_URL.search(value):
                self.external.append(f"<{tag} style=…{_CSS_URL.search(value).group(0)}…>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and re.match(
                    r"^\s*(javascript|vbscript):", value, re.IGNORECASE):
                self.handlers.append(f"<{tag} {name}={value[:40]!r}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp.append((self.getpos()[0], values.get("content", "")))
        elif tag == "script":
            if self.first_script is None:
                self.first_script = self.getpos()[0]
            self._script = (values, [])
        elif tag == "style":
            self._style = []
        elif tag == "table":
            self.tables += 1
        elif CELL_INDICATOR in values:
            self._cell = (values, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        elif tag == "style" and self._style is not None:
            self.styles.append("".join(self._style))
            self._style = None
        elif self._cell is not None and tag in ("td", "th", "span", "dd"):
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None

    def references(self) -> list[str]:
        """Everything that would load from another host."""
        found = list(self.external)
        for style in self.styles:
            if _CSS_URL.search(style):
                found.append(f"<style>…{_CSS_URL.search(style).group(0)}…")
        for (_, script), digest in zip(self.scripts, self.hashes(), strict=True):
            if digest in _NO_IMPORTS:  # the chart bundle: searched once per process
                continue
            match = _JS_IMPORT.search(script)
            if match:
                found.append(f"<script>…{match.group(0)}…")
            elif len(script) > 10_000:
                _NO_IMPORTS.add(digest)
        return found

    def hashes(self) -> list[str]:
        """The CSP hash of each script, in order (computed once: the bundle is 1 MB)."""
        if self._hashes is None:
            self._hashes = [_hash(text) for _, text in self.scripts]
        return self._hashes

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        elif self._style is not None:
            self._style.append(data)
        if self._cell is not None:
            self._cell[1].append(data)


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


def _check_csp(parser: _Document, audit: FileAudit) -> None:
    if not parser.csp:
        audit.findings.append(Finding("csp", "no Content-Security-Policy meta tag"))
        return
    line, policy = parser.csp[0]
    if parser.first_script is not None and parser.first_script < line:
        audit.findings.append(Finding("csp", "a script comes before the policy"))
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
    if "'unsafe-inline'" in script_src:
        audit.findings.append(Finding("csp", "script-src allows any inline script "
                                             "('unsafe-inline'); list script hashes"))
    elif parser.scripts:
        listed = {s for s in script_src if s.startswith("'sha256-")}
        missing = sum(h not in listed for h in parser.hashes())
        if missing:
            audit.findings.append(Finding("csp", f"{missing} script(s) not listed in "
                                                 "script-src (blocked in the browser)"))
    for name in ("base-uri", "form-action"):
        if directives.get(name) != ["'none'"]:
            audit.findings.append(Finding("csp", f"{name} is not 'none'"))


# ------------------------------------------------------------------ scanning


def _parse(document: str) -> _Document:
    parser = _Document()
    parser.feed(document)
    parser.close()
    return parser


def _check(parser: _Document, name: str) -> FileAudit:
    audit = FileAudit(file=name)
    audit.tables = parser.tables
    bundled = False
    for attrs, text in parser.scripts:
        if attrs.get("id") == BUNDLE_ID:
            bundled = bundled or bool(text.strip())
            continue
        spec = chart_spec(text)
        if spec is None:
            audit.findings.append(Finding("script", f"a script Stuurkit did not write: "
                                                    f"{text.strip()[:60]!r}"))
            continue
        audit.charts += 1
        _check_chart(spec, audit.charts, audit)
    if audit.charts and not bundled:
        audit.findings.append(Finding("script", f"{audit.charts} chart(s) but no chart library "
                                                "(the bundle script is missing or empty)"))
    for attrs, text in parser.cells:
        audit.values_checked += 1
        small = _small(text, attrs.get(CELL_KIND, ""), int(attrs.get(CELL_MIN_COUNT) or 0))
        if small is not None:
            audit.findings.append(Finding(
                "small-count", f"table cell {text.strip()!r} of {attrs[CELL_INDICATOR]} is "
                               f"below the threshold {attrs.get(CELL_MIN_COUNT)}"))
    for handler in parser.handlers:
        audit.findings.append(Finding("handler", f"{handler} (would run script)"))
    for ref in parser.references():
        audit.findings.append(Finding("external", ref))
    _check_csp(parser, audit)
    return audit


def scan_html(document: str, name: str = "") -> FileAudit:
    """Scan one published HTML document (see the module docstring)."""
    return _check(_parse(document), name)


def seal(document: str, slot: str, name: str = "") -> tuple[str, FileAudit]:
    """Put the hashes of the document's scripts into its policy at ``slot`` and scan it:
    the same as ``script_hashes``, ``str.replace`` and ``scan_html``, parsed once."""
    parser = _parse(document)
    hashes = " ".join(dict.fromkeys(parser.hashes())) or "'none'"
    parser.csp = [(line, policy.replace(slot, hashes)) for line, policy in parser.csp]
    return document.replace(slot, hashes, 1), _check(parser, name)


def audit_folder(folder: str | Path, skip: set[str] | None = None) -> list[FileAudit]:
    """Scan every HTML file of a reports folder (``reports/<workspace>``), except the
    names in ``skip``."""
    from helpers.errors import StuurkitError

    folder = Path(folder)
    if not folder.is_dir():
        raise StuurkitError(f"{folder}: no such reports folder. Give reports/<workspace> "
                            "(made by `stuurkit run`).")
    return [scan_html(path.read_text(encoding="utf-8", errors="replace"), path.name)
            for path in sorted(folder.glob("*.html"))
            if path.is_file() and path.name not in (skip or set())]


def format_table(audits: list[FileAudit]) -> str:
    """A fixed-width table: one row per file, then the totals."""
    kinds = ["small-count", "unused-column", "undeclared-chart", "external", "csp", "script",
             "handler"]
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
