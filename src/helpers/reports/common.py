"""What every report has: the workspace opened with its facts, the header, the sources.

Each report module's ``start`` opens the workspace (``open``), sets up the offline chart
rendering (``setup_charts``) and shows the header (``header``). The header output carries
metadata (title, gemeente, sources) that publishing turns into the HTML title and
footer, so a published number can be traced to its source; ``sources`` lists them in
the report itself.
"""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import HTML, Markdown, display

from helpers.indicators import facts as facts_of
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.facts import Facts
from helpers.presentation import render
from helpers.presentation.embed import METADATA_KEY
from helpers.workspace import Workspace, open_workspace
from helpers.workspace.begroting import LoadedProgramme, load_programme

__all__ = ["load", "budget", "setup_charts", "header", "sources", "source_list"]


def load(workspace: str) -> tuple[Workspace, Facts]:
    """The workspace (a name in ``data/`` or a path) and its facts."""
    ws = open_workspace(workspace)
    return ws, facts_of.of(ws)


def budget(ws: Workspace, facts: Facts) -> LoadedProgramme:
    """The workspace's programme budget, checked against its catalogue."""
    return load_programme(ws, facts.catalogue)


def source_list(ws: Workspace) -> list[dict[str, str]]:
    """Sources of the workspace's raw files, grouped: source, files, retrieved, licence."""
    grouped: dict[str, dict[str, object]] = {}
    for entry in ws.provenance:
        key = str(entry.get("source", "onbekend"))
        item = grouped.setdefault(key, {"source": key, "files": [], "retrieved": set(),
                                        "licence": entry.get("licence") or "",
                                        "url": entry.get("url") or ""})
        item["files"].append(str(entry.get("file", "")))
        if entry.get("retrieved"):
            item["retrieved"].add(str(entry["retrieved"]))
    return [
        {"source": str(v["source"]), "files": ", ".join(sorted(v["files"])),
         "retrieved": ", ".join(sorted(v["retrieved"])), "licence": str(v["licence"]),
         "url": str(v["url"])}
        for v in grouped.values()
    ]


def _logo(ws: Workspace) -> str:
    """The house-style logo as an inline image (no external load), or nothing."""
    style = ws.config.style
    if style is None or not style.logo:
        return ""
    path = ws.path(style.logo)
    kind = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg"}.get(path.suffix.lower())
    if kind is None or not path.exists():
        return ""
    import base64

    data = base64.b64encode(path.read_bytes()).decode()
    return (f"<img class='stuurkit-logo' src='data:{kind};base64,{data}' "
            f"alt='Logo {html.escape(style.name or ws.config.gemeente.name)}'>")


def header(title: str, ws: Workspace, subtitle: str = "") -> None:
    """Show the report title; attach title and provenance for the published footer."""
    gm = ws.config.gemeente
    meta = {
        METADATA_KEY: {
            "title": title,
            "gemeente": f"{gm.name} ({gm.code})",
            "workspace": ws.name,
            "demo": ws.config.demo,
            "sources": source_list(ws),
        }
    }
    # names come from data files: shown as text, never as HTML
    text = (f"# {html.escape(title)}\n\n**Gemeente {html.escape(gm.name)}**"
            + (f" · {html.escape(subtitle)}" if subtitle else ""))
    if ws.config.demo:
        text += "\n\n*Demonstratie met fictieve gegevens van de voorbeeldgemeente.*"
    logo = _logo(ws)
    if logo:
        display(HTML(logo))
    display(Markdown(text), metadata=meta)


def sources(ws: Workspace, catalogue: Catalogue) -> HTML:
    """A Dutch paragraph listing every source with its retrieval date and licence."""
    items = []
    for src in source_list(ws):
        parts = [f"<strong>{html.escape(src['source'])}</strong>"]
        if src["retrieved"]:
            parts.append(f"opgehaald {html.escape(src['retrieved'])}")
        if src["licence"]:
            parts.append(f"licentie {html.escape(src['licence'])}")
        parts.append(f"bestanden: {html.escape(src['files'])}")
        items.append("<li>" + "; ".join(parts) + "</li>")
    catalogue_file = Path(catalogue.source_file).name
    return HTML(
        "<p>Definities van de indicatoren: indicatorcatalogus "
        f"<code>{html.escape(catalogue_file)}</code> (beweeg over een indicator in de tabel voor "
        "de definitie). Aantallen onder de onthullingsdrempel worden niet getoond.</p>"
        f"<ul class='stuurkit-sources'>{''.join(items)}</ul>"
    )


def setup_charts(ws: Workspace) -> None:
    """Theme (with the workspace's house style) and offline chart rendering."""
    style = ws.config.style
    render.setup(colours=style.colours if style else None)
