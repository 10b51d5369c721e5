"""Executed notebook → one self-contained HTML file; the portal page of a workspace.

Export happens in-process with nbconvert's ``HTMLExporter`` and the kit's own
``stuurkit`` template: no code, no prompts, no external load (a Content-Security-Policy
forbids every request), Dutch ``lang``, print CSS, and a footer with the report's
parameters, sources, retrieval dates, kit version and generation time. Files are
written to a temporary file and renamed into place.
"""

from __future__ import annotations

import copy
import html
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

from helpers import __version__
from helpers.errors import PublishError
from helpers.files import write_text_atomic
from helpers.paths import templates_dir
from helpers.presentation import embed
from helpers.presentation.embed import METADATA_KEY
from helpers.presentation.markup import Templates
from helpers.presentation.theme import badge_css
from helpers.publish import audit
from helpers.publish.workbook import report_tables, write_workbook
from helpers.workspace import reportfiles

__all__ = ["notebook_to_html", "publish", "publish_notebook", "REPORT_CSS", "parts",
           "report_summary"]
SCRIPT_HASHES = "__STUURKIT_SCRIPT_HASHES__"  # placeholder in the template's policy
ANALYST_ONLY_TAG = "analyst-only"

REPORT_CSS = """
:root { --stuurkit-accent: #0072B2; }
body.jp-Notebook { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;
  color: #1a1a1a; max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem; }
.jp-RenderedHTMLCommon h1 { font-size: 1.9rem; color: #1a1a1a; }
.jp-RenderedHTMLCommon h2 { border-bottom: 2px solid var(--stuurkit-accent); padding-bottom: .2rem; }
.jp-RenderedHTMLCommon a.anchor-link { display: none; }
table.stuurkit-table { border-collapse: collapse; font-size: .92rem; margin: .5rem 0 1rem; }
table.stuurkit-table caption { caption-side: bottom; text-align: left; font-size: .8rem;
  color: #444; padding-top: .4rem; }
.jp-RenderedHTMLCommon table.stuurkit-table th, .jp-RenderedHTMLCommon table.stuurkit-table td {
  padding: .25rem .6rem; overflow-wrap: break-word;
  border-bottom: 1px solid #ddd; text-align: left; }
table.stuurkit-table th[title] { text-decoration: underline dotted #767676; cursor: help; }
table.stuurkit-table tbody th { font-weight: normal; }
.jp-RenderedHTMLCommon table.stuurkit-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.stuurkit-footer { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid #bbb;
  font-size: .85rem; color: #333; }
.stuurkit-footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.stuurkit-footer dt { font-weight: 600; }
.stuurkit-footer dd { margin: 0; }
.stuurkit-portal li { margin: .4rem 0; }
.status-mislukt { color: #b00020; font-weight: 600; }
.badge { display: inline-block; padding: 0 .45em; border-radius: .6em; font-size: .85em;
  border: 1px solid #767676; white-space: nowrap; }
""" + badge_css() + embed.SVG_CSS + """
.stuurkit-logo { max-height: 56px; float: right; }
.widget-choices { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
.widget-choices dt { font-weight: 600; } .widget-choices dd { margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
figure.stuurkit-figure { margin: .5rem 0 1rem; }
details.stuurkit-data summary { cursor: pointer; color: #00538a; font-size: .9rem; }
@media print { details.stuurkit-data { display: none; } }
.stuurkit-toc { background: #f6f8fa; padding: .6rem 1rem; border-left: 3px solid var(--stuurkit-accent); }
@media print { .stuurkit-toc { display: none; } }
/* A narrow window (a phone): a wide table scrolls inside its own box, a chart shrinks to
   the width; nothing widens the page. */
.jp-OutputArea-output { max-width: 100%; }
.jp-RenderedHTMLCommon .stuurkit-chart svg, .stuurkit-chart canvas { max-width: 100%; height: auto; }
@media (max-width: 40rem) {
  body.jp-Notebook { padding: .5rem .6rem; }
  .jp-RenderedHTMLCommon table.stuurkit-table th, .jp-RenderedHTMLCommon table.stuurkit-table td {
    padding: .2rem .35rem; }
  .stuurkit-footer dl { grid-template-columns: 1fr; }
}
/* Print: A4 portrait, the report's title (written per page by the template) and the page
   number in the margin; tables wrap to the printable width and break between rows, never
   inside one; charts scale to the width and are never split. */
@page { size: A4 portrait; margin: 13mm 10mm 12mm;
  @top-left { content: "Stuurkit"; font: 8pt system-ui, Arial, sans-serif; color: #444;
    vertical-align: bottom; padding-bottom: 2.5mm; }
  @bottom-right { content: "Pagina " counter(page) " van " counter(pages);
    font: 8pt system-ui, Arial, sans-serif; color: #444; vertical-align: top; padding-top: 2.5mm; }
}
@media print {
  :root { --jp-content-font-size1: 9.5pt; --jp-ui-font-size1: 8.5pt; --jp-content-line-height: 1.4; }
  body.jp-Notebook { max-width: none; padding: 0; font-size: 9.5pt; }
  .jp-Cell { padding: 0; }
  .jp-Cell-outputWrapper { margin-top: 0; }
  .jp-Collapser { display: none; }
  .jp-Notebook .jp-OutputArea-output, .jp-Notebook .jp-OutputArea-child, .jp-OutputArea,
  .jp-Cell-outputArea { display: block; width: auto; overflow: visible; }
  .jp-Notebook .jp-OutputArea-child { break-inside: auto; }
  .badge, .stuurkit-tile a { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .jp-RenderedHTMLCommon h1 { font-size: 16pt; margin: 0 0 .3em; }
  .jp-RenderedHTMLCommon h2 { font-size: 12.5pt; margin: .9em 0 .35em; break-after: avoid; }
  .jp-RenderedHTMLCommon h3, .jp-RenderedHTMLCommon h4 { font-size: 10.5pt; margin: .7em 0 .3em;
    break-after: avoid; }
  .jp-RenderedHTMLCommon p { margin: .3em 0 .5em; }
  .jp-MarkdownCell { break-after: avoid; }  /* a section's heading and intro stay with its output */
  .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li { orphans: 3; widows: 3; }
  table.stuurkit-table { font-size: 8pt; max-width: 100%; margin: .3rem 0 .6rem; }
  .jp-RenderedHTMLCommon table.stuurkit-table th, .jp-RenderedHTMLCommon table.stuurkit-table td {
    padding: .1rem .3rem; line-height: 1.2; }
  table.stuurkit-table thead { display: table-header-group; }
  table.stuurkit-table tr, table.stuurkit-table caption { break-inside: avoid; }
  table.stuurkit-table caption { font-size: 7.5pt; padding-top: .2rem; }
  figure.stuurkit-figure { margin: .3rem 0 .6rem; }
  .stuurkit-chart, .vega-embed, figure { break-inside: avoid; max-width: 100%; }
  .jp-RenderedHTMLCommon .stuurkit-chart svg, .stuurkit-chart canvas {
    width: auto; height: auto; max-width: 100%; max-height: 235mm; }
  .stuurkit-footer { margin-top: 1rem; padding-top: .5rem; font-size: 7.5pt; }
  .stuurkit-footer h2, .stuurkit-footer h3, .stuurkit-footer dt { break-after: avoid; }
  .stuurkit-footer dl { gap: 0 .8rem; }
  /* the key message's tiles in one or two short rows (body: before the block's own rules) */
  body .stuurkit-key { margin: .3rem 0 .5rem; }
  body .stuurkit-key-message { font-size: 11pt; margin: .2rem 0; }
  body .stuurkit-tiles { gap: .3rem; margin: .2rem 0; }
  body .stuurkit-tile a { min-width: 0; padding: .1rem .45rem; }
  body .stuurkit-tile .tile-count { display: inline; font-size: 11pt; margin-right: .25em; }
  a { color: inherit; }
}
/* ---- key message, status tiles, links between reports (issue 16) ---- */
.stuurkit-key { margin: .8rem 0 1.2rem; }
.stuurkit-key-message { font-size: 1.15rem; }
.stuurkit-tiles { display: flex; flex-wrap: wrap; gap: .6rem; margin: .4rem 0; }
.jp-RenderedHTMLCommon ul.stuurkit-tiles { list-style: none; padding: 0; }
.jp-RenderedHTMLCommon .stuurkit-tiles li.stuurkit-tile { margin: 0; list-style: none; }
.stuurkit-tile a { display: block; min-width: 8rem; padding: .4rem .75rem;
  border: 1px solid #767676; border-left: .3rem solid var(--stuurkit-accent); border-radius: .3rem;
  color: #1a1a1a; text-decoration: none; background: #ffffff; }
.stuurkit-tile a:hover, .stuurkit-tile a:focus { background: #f6f8fa; }
.stuurkit-tile a:focus { outline: 3px solid #1a1a1a; outline-offset: 2px; }
.stuurkit-tile .tile-count { display: block; font-size: 1.6rem; font-weight: 700;
  font-variant-numeric: tabular-nums; }
.stuurkit-nav { font-size: .9rem; margin: 0 0 .5rem; }
.stuurkit-nav a, .stuurkit-footer a { color: #00538a; }
.stuurkit-portal-status { display: block; color: #333; font-size: .9rem; }
@media print { .stuurkit-nav { display: none; } }
/* ---- end of key message block ---- */
"""

def _report_metadata(nb: nbformat.NotebookNode) -> dict[str, Any]:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(METADATA_KEY)
            if meta:
                return dict(meta)
    return {}


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_CHOICES = ("DropdownModel", "ToggleButtonsModel", "RadioButtonsModel", "SelectModel",
            "IntSliderModel", "FloatSliderModel", "TextModel", "CheckboxModel")


@lru_cache(maxsize=1)
def parts() -> Templates:
    """The autoescaping templates of published pages (``templates/parts``)."""
    return Templates(templates_dir() / "parts")


def _widget_choices(nb: nbformat.NotebookNode) -> str:
    """The saved widget state as readable HTML: each control and what was chosen.

    Controls cannot work without a kernel, so the published report shows the choices
    that produced its charts instead of dead controls (and needs no widget manager).
    """
    state = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    choices = []
    for model in state.values():
        if model.get("model_name") not in _CHOICES:
            continue
        values = model.get("state", {})
        label = values.get("description") or "Keuze"
        if "index" in values and "_options_labels" in values:
            index = values["index"]
            chosen = values["_options_labels"][index] if index is not None else "(geen)"
        else:
            chosen = values.get("value", "")
        choices.append((str(label), str(chosen)))
    return str(parts().render("widget_choices.html.j2", choices=choices))


def _for_readers(nb: nbformat.NotebookNode) -> None:
    """Drop what only an analyst needs: stderr streams (warnings, logs); widget views
    become the saved widget state in words (see ``_widget_choices``)."""
    note = None
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            data = output.get("data", {})
            if _WIDGET_VIEW in data:
                note = note or _widget_choices(nb)
                output = nbformat.v4.new_output("display_data", data={"text/html": note})
            kept.append(output)
        if cell.get("cell_type") == "code":
            cell["outputs"] = kept


def _failed(nb: nbformat.NotebookNode) -> str | None:
    exception = nb.metadata.get("papermill", {}).get("exception")
    if exception:
        return "the notebook stopped with an error"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"
    return None


def _footer(meta: dict[str, Any], parameters: dict[str, Any], generated: datetime,
            workbook: str | None = None) -> str:
    rows = []
    if meta.get("gemeente"):
        rows.append(("Gemeente", str(meta["gemeente"])))
    if parameters:
        rows.append(("Parameters", ", ".join(f"{k} = {v}" for k, v in parameters.items())))
    for src in meta.get("sources", []):
        text = str(src.get("source", ""))
        if src.get("retrieved"):
            text += f", opgehaald {src['retrieved']}"
        if src.get("licence"):
            text += f", licentie {src['licence']}"
        rows.append(("Bron", text))
    rows.append(("Gemaakt", f"{generated.strftime('%d-%m-%Y %H:%M')} met Stuurkit "
                            f"{__version__}"))
    return str(parts().render("footer.html.j2", rows=rows, index=reportfiles.INDEX,
                              workbook=workbook))


def _summary(nb: nbformat.NotebookNode) -> str:
    """The report's key message (``helpers.reports.common.key_message``), or ``""``."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(METADATA_KEY) or {}
            if meta.get(reportfiles.SUMMARY_KEY):
                return str(meta[reportfiles.SUMMARY_KEY])
    return ""


def report_summary(path: str | Path) -> str:
    """The key message a published report carries (its ``<meta name="description">``,
    written by the ``stuurkit`` template from ``_summary``), or ``""``: for the portal."""
    from selectolax.lexbor import LexborHTMLParser

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""
    node = LexborHTMLParser(text[:20000]).css_first('head meta[name="description"]')
    return (node.attributes.get("content") or "") if node is not None else ""


_exporter = None


def _exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step, which parses the whole page
        again with BeautifulSoup to give every code input and output ``tabindex=0`` and
        images a placeholder ``alt`` (~60 ms a report): reports have no code cells, their
        outputs are not controls, and their images carry real alt texts."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _html_exporter():
    global _exporter
    if _exporter is None:
        from traitlets.config import Config

        config = Config()
        config.TemplateExporter.extra_template_basedirs = [str(templates_dir())]
        # cells meant for analysts only (a usage guide, say) are not published
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {ANALYST_ONLY_TAG, "parameters",
                                                         "injected-parameters"}
        _exporter = _exporter_class()(
            config=config,
            template_name="stuurkit",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="nl",
        )
        _exporter.register_filter("css_string", _css_string)
    return _exporter


def _css_string(text: str) -> str:
    r"""``text`` as a quoted CSS string for the template's ``<style>`` (the report's title
    in the page margin): every character but ASCII letters, digits and spaces is written
    as a hex escape, so no quote, backslash or ``</style>`` can end it. The space that
    closes each escape is part of it (CSS drops it), a space after it is kept.

    >>> _css_string('Wijk "Oost" – 2024')
    '"Wijk \\22 Oost\\22  \\2013  2024"'
    """
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} "
                         for c in str(text)) + '"'


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_TAG = re.compile(r"<[^>]*>")


def _with_contents(body: str) -> str:
    """Insert a table of contents (links to every section) before the first section.

    The headings are the notebook's own narrative; their text is taken as plain text
    (tags dropped) and written again by the template."""
    sections = [(html.unescape(anchor), html.unescape(_TAG.sub("", text)).strip())
                for anchor, text in _H2.findall(body)]
    if len(sections) < 2:
        return body
    nav = str(parts().render("contents.html.j2", sections=sections))
    first = body.find('<h2 id="')
    start = body.rfind('<div class="jp-Cell', 0, first)
    return body[:start] + nav + body[start:] if start != -1 else body


def notebook_to_html(nb: nbformat.NotebookNode, generated: datetime | None = None,
                     static: bool = False) -> str:
    """Render an executed report notebook as self-contained Dutch HTML.

    Only Stuurkit's own scripts may run: the policy's ``script-src`` lists the hashes of
    the chart library and the loader, computed from the kit's files. Raises ``PublishError`` when the notebook failed or the HTML does
    not pass ``helpers.publish.audit.scan_html`` (small counts, unused chart columns, external
    loads, scripts Stuurkit did not write). ``static``: no script at all — every chart
    drawn as SVG (``helpers.presentation.embed.static``), a policy that allows no script.
    """
    return _render(nb, generated, static=static)[0]


def _render(nb: nbformat.NotebookNode, generated: datetime | None,
            workbook: str | None = None, static: bool = False
            ) -> tuple[str, audit.FileAudit]:
    failure = _failed(nb)
    if failure:
        raise PublishError(f"Not publishing a failed report: {failure}.")
    nb = copy.deepcopy(nb)
    _for_readers(nb)
    nb.metadata.pop("widgets", None)  # shown in words above; a manager would need a CDN
    meta = _report_metadata(nb)
    title = meta.get("title") or "Stuurkit-rapport"
    if meta.get("gemeente"):
        title = f"{title} – {meta['gemeente']}"
    nb.metadata["title"] = str(title)
    parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    resources = {
        "metadata": {"name": title},
        "stuurkit": {
            "css": REPORT_CSS,
            "footer": _footer(meta, parameters, generated or datetime.now(), workbook),
            "summary": _summary(nb),
            "nav": str(parts().render("nav.html.j2", index=reportfiles.INDEX)),
            "version": __version__,
            "title": str(title),
            "loader": embed.loader_script(),
            "static": static,
            "static_policy": embed.STATIC_POLICY,
        },
    }
    body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    body = _with_contents(body)
    if static:
        charts = audit.scan_charts(body)  # the data behind the drawings, before they are drawn
        body = embed.static(body)
        scanned = audit.scan_html(body)
        scanned.charts, scanned.values_checked = (charts.charts,
                                                  scanned.values_checked + charts.values_checked)
        scanned.findings[:0] = charts.findings
    else:
        body, hashes = embed.fill(embed.pack_specs(body))
        if SCRIPT_HASHES not in body[:2048]:
            raise PublishError("The report template lost its Content-Security-Policy; "
                               "reinstall Stuurkit.")
        body = body.replace(SCRIPT_HASHES, " ".join(hashes), 1)
        scanned = audit.scan_html(body)
    found = scanned.findings
    if found:
        raise PublishError("The report did not pass the privacy scan (helpers.publish.audit): "
                           + "; ".join(map(str, found[:5]))
                           + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
                           + ". Fix the output that causes it; nothing was written.")
    return body, scanned


def publish_notebook(executed: str | Path | nbformat.NotebookNode, html_path: str | Path,
                     static: bool = False) -> list[Path]:
    """Export an executed notebook (path or node) to ``html_path`` atomically, plus an
    Excel workbook of its tables beside it (same name, ``.xlsx``) when it has any.
    ``static``: a page without any script (see ``notebook_to_html``). Returns the
    written paths."""
    return publish(executed, html_path, static)[0]


def publish(executed: str | Path | nbformat.NotebookNode, html_path: str | Path,
            static: bool = False) -> tuple[list[Path], audit.FileAudit]:
    """``publish_notebook`` that also returns the privacy scan of the written HTML.

    A static page's workbook has the tables only: its charts are drawings, so the long
    table of what they draw (``Gegevens``) has no chart data on the page to be checked
    against; each chart's data is its table on the page."""
    nb = executed if isinstance(executed, nbformat.NotebookNode) else nbformat.read(
        str(executed), as_version=4)
    html_path = Path(html_path)
    tables = [t for t in report_tables(nb) if not (static and "series" in t)]
    workbook = html_path.with_name(reportfiles.workbook_name(html_path.name))
    text, scanned = _render(nb, None, workbook.name if tables else None, static)
    scanned.file = html_path.name
    written = [write_text_atomic(html_path, text)]
    if tables:
        title = _report_metadata(nb).get("title") or html_path.stem
        written.append(write_workbook(tables, workbook, title))
    return written, scanned
