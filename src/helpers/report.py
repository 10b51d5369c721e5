"""Report building blocks for notebooks: start a report, its header, its sources.

A report notebook calls ``start_wijkprofiel`` once (after its parameters), which
validates the parameters, sets up the offline chart rendering and shows the header.
The header output carries metadata (title, gemeente, sources) that ``publish`` turns
into the HTML title and footer, so a published number can be traced to its source.
"""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import HTML, Markdown, display

from helpers import rendering
from helpers.monitor import Overview, ProgrammeMonitor, overview, programme_monitor
from helpers.numbers import format_number
from helpers.profile import AreaProfile, area_profile
from helpers.workspace import Workspace, open_workspace

__all__ = ["start_wijkprofiel", "start_programmamonitor", "start_bestuursoverzicht",
           "start_datakwaliteit", "setup_charts", "header", "sources", "source_list",
           "METADATA_KEY"]

METADATA_KEY = "stuurkit"


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


def sources(ws: Workspace) -> HTML:
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
    catalogue = Path(ws.catalogue.source_file).name
    return HTML(
        "<p>Definities van de indicatoren: indicatorcatalogus "
        f"<code>{html.escape(catalogue)}</code> (beweeg over een indicator in de tabel voor "
        "de definitie). Aantallen onder de onthullingsdrempel worden niet getoond.</p>"
        f"<ul class='stuurkit-sources'>{''.join(items)}</ul>"
    )


def setup_charts(ws: Workspace) -> None:
    """Theme (with the workspace's house style) and offline chart rendering."""
    style = ws.config.style
    rendering.setup(colours=style.colours if style else None)


def start_wijkprofiel(workspace: str, area_code: str, year: int) -> AreaProfile:
    """Open the workspace, check the parameters, set up charts and show the header."""
    ws = open_workspace(workspace)
    profile = area_profile(ws, area_code, year)
    setup_charts(ws)
    inhabitants = profile.observations[
        (profile.observations["indicator"] == "inwoners")
        & (profile.observations["area_code"] == profile.code)
        & (profile.observations["status"] == "ok")
    ].sort_values("year")
    subtitle = f"{profile.level} {profile.code} · verslagjaar {year}"
    if len(inhabitants):
        last = inhabitants.iloc[-1]
        subtitle += (f" · {format_number(last['value'], 0)} inwoners "
                     f"({int(last['year'])})")
    header(profile.title, ws, subtitle)
    if profile.break_year is not None:
        display(Markdown(
            f"> **Let op:** de grenzen van {html.escape(profile.name)} zijn in "
            f"{profile.break_year} "
            "gewijzigd. Cijfers van eerdere jaren zijn niet vergelijkbaar en ontbreken in de "
            "trends."))
    return profile



def start_programmamonitor(workspace: str, programme: str, year: int) -> ProgrammeMonitor:
    """Open the workspace, find the programme, set up charts and show the header."""
    ws = open_workspace(workspace)
    view = programme_monitor(ws, programme, year)
    setup_charts(ws)
    p = view.programme
    holder = f" · {p.portefeuillehouder}" if p.portefeuillehouder else ""
    header(f"Programmamonitor {p.naam}", ws, f"programma {p.id}{holder} · verslagjaar {year}")
    return view


def start_bestuursoverzicht(workspace: str, year: int) -> Overview:
    """Open the workspace, evaluate every programme, set up charts, show the header."""
    ws = open_workspace(workspace)
    view = overview(ws, year)
    setup_charts(ws)
    header("Bestuursoverzicht", ws, f"alle programma's in één oogopslag · verslagjaar {year}")
    return view


def start_datakwaliteit(workspace: str, year: int) -> Workspace:
    """Open the workspace, set up charts and show the header of the quality report."""
    ws = open_workspace(workspace)
    setup_charts(ws)
    header("Datakwaliteit", ws, f"bronnen, dekking en actualiteit · peiljaar {year}")
    return ws

