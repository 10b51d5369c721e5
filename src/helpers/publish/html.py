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
from helpers.publish import audit
from helpers.publish.workbook import report_tables, write_workbook

__all__ = ["notebook_to_html", "publish", "publish_notebook", "REPORT_CSS", "parts"]
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
  padding: .25rem .6rem;
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
.badge-goed { background: #d7ebf7; border-color: #0072B2; color: #00406b; }
.badge-let-op { background: #fff0d1; border-color: #a86b00; color: #5c3b00; }
.badge-slecht { background: #fbe1d6; border-color: #b34700; color: #6b2600; }
.badge-neutraal { background: #f2f2f2; color: #333333; }
.badge-onbekend { background: #ffffff; color: #444444; border-style: dashed; }
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
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body.jp-Notebook { max-width: none; padding: 0; font-size: 10pt; }
  .stuurkit-chart, .vega-embed, table.stuurkit-table, figure { break-inside: avoid; }
  .jp-RenderedHTMLCommon h2 { break-after: avoid; }
}
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


def _footer(meta: dict[str, Any], parameters: dict[str, Any], generated: datetime) -> str:
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
    return str(parts().render("footer.html.j2", rows=rows))


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
    return _exporter


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


def notebook_to_html(nb: nbformat.NotebookNode, generated: datetime | None = None) -> str:
    """Render an executed report notebook as self-contained Dutch HTML.

    Only Stuurkit's own scripts may run: the policy's ``script-src`` lists the hashes of
    the chart library and the loader, computed from the kit's files. Raises ``PublishError`` when the notebook failed or the HTML does
    not pass ``helpers.publish.audit.scan_html`` (small counts, unused chart columns, external
    loads, scripts Stuurkit did not write).
    """
    return _render(nb, generated)[0]


def _render(nb: nbformat.NotebookNode, generated: datetime | None
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
            "footer": _footer(meta, parameters, generated or datetime.now()),
            "version": __version__,
            "title": str(title),
            "loader": embed.loader_script(),
        },
    }
    body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    body, hashes = embed.fill(_with_contents(body))
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


def publish_notebook(executed: str | Path | nbformat.NotebookNode, html_path: str | Path
                     ) -> list[Path]:
    """Export an executed notebook (path or node) to ``html_path`` atomically, plus an
    Excel workbook of its tables beside it (same name, ``.xlsx``) when it has any.
    Returns the written paths."""
    return publish(executed, html_path)[0]


def publish(executed: str | Path | nbformat.NotebookNode, html_path: str | Path
            ) -> tuple[list[Path], audit.FileAudit]:
    """``publish_notebook`` that also returns the privacy scan of the written HTML."""
    nb = executed if isinstance(executed, nbformat.NotebookNode) else nbformat.read(
        str(executed), as_version=4)
    html_path = Path(html_path)
    text, scanned = _render(nb, None)
    scanned.file = html_path.name
    written = [write_text_atomic(html_path, text)]
    tables = report_tables(nb)
    if tables:
        title = _report_metadata(nb).get("title") or html_path.stem
        written.append(write_workbook(tables, html_path.with_suffix(".xlsx"), title))
    return written, scanned
