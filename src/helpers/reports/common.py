"""What every report has: the workspace opened with its facts, the header, the sources.

Each report module's ``start`` opens the workspace (``open``), sets up the offline chart
rendering (``setup_charts``) and shows the header (``header``). The header output carries
metadata (title, gemeente, sources) that publishing turns into the HTML title and
footer, so a published number can be traced to its source; ``sources`` lists them in
the report itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from IPython.display import HTML, display

from helpers.indicators import facts as facts_of
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.facts import Facts
from helpers.presentation import markup
from helpers.presentation import render as charts_render
from helpers.presentation.embed import METADATA_KEY
from helpers.workspace import Workspace, open_workspace
from helpers.workspace.begroting import LoadedProgramme, load_programme
from helpers.workspace.provenance import retrieved

__all__ = ["load", "budget", "setup_charts", "header", "sources", "source_list", "render",
           "sentence"]


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
        item["retrieved"].add(retrieved(entry))  # "onbekend" when nobody recorded it
    return [
        {"source": str(v["source"]), "files": ", ".join(sorted(v["files"])),
         "retrieved": ", ".join(sorted(v["retrieved"])), "licence": str(v["licence"]),
         "url": str(v["url"])}
        for v in grouped.values()
    ]


def _logo(ws: Workspace) -> dict[str, str] | None:
    style = ws.config.style
    if style is None or not style.logo:
        return None
    path = ws.path(style.logo)
    kind = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg"}.get(
        path.suffix.lower())
    if kind is None or not path.exists():
        return None
    import base64

    data = base64.b64encode(path.read_bytes()).decode()
    return {"src": f"data:{kind};base64,{data}", "name": style.name or ws.config.gemeente.name}


def render(name: str, /, **context) -> HTML:
    """A template of ``reports/templates`` as a display object (text escaped)."""
    return HTML(str(_TEMPLATES().render(name, **context)))


@lru_cache(maxsize=1)
def _TEMPLATES() -> markup.Templates:  # noqa: N802  (a constant, made on first use)
    return markup.Templates(Path(__file__).with_name("templates"))


def sentence(text: str, emphasis: bool = False, strong: bool = False) -> HTML:
    """One sentence as a paragraph (text escaped)."""
    return render("sentence.html.j2", text=text, emphasis=emphasis, strong=strong)


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
    display(render("header.html.j2", title=title, gemeente=gm.name, subtitle=subtitle,
                   demo=ws.config.demo, logo=_logo(ws)), metadata=meta)


def sources(ws: Workspace, catalogue: Catalogue) -> HTML:
    """A Dutch paragraph listing every source with its retrieval date and licence."""
    return render("sources.html.j2", sources=source_list(ws),
                  catalogue_file=Path(catalogue.source_file).name)


def setup_charts(ws: Workspace) -> None:
    """Theme (with the workspace's house style) and offline chart rendering."""
    style = ws.config.style
    charts_render.setup(colours=style.colours if style else None)
