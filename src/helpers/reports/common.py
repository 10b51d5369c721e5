"""What every report has: the workspace opened with its facts, the header, the sources.

Each report module's ``start`` opens the workspace (``open``), sets up the offline chart
rendering (``setup_charts``) and shows the header (``header``). The header output carries
metadata (title, gemeente, sources) that publishing turns into the HTML title and
footer, so a published number can be traced to its source; ``sources`` lists them in
the report itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from IPython.display import HTML, display

from helpers import model
from helpers.indicators import facts as facts_of
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import markup
from helpers.presentation import render as charts_render
from helpers.presentation.embed import METADATA_KEY
from helpers.presentation.tables import badge
from helpers.workspace import Workspace, open_workspace, reads, reportfiles
from helpers.workspace.begroting import LoadedProgramme, load_programme
from helpers.workspace.provenance import retrieved

__all__ = ["load", "budget", "setup_charts", "header", "sources", "source_list", "render",
           "sentence", "Tile", "key_message", "section_anchor", "Links", "links",
           "counted", "goal_summary", "signals_of", "signal_areas",
           "areas_phrase"]


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
    reads.record(path)
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


def section_anchor(heading: str) -> str:
    """The ``#fragment`` of a notebook's markdown heading in the published page.

    nbconvert gives every heading the id of its text with spaces as ``-``, URL-quoted
    (``nbconvert.filters.strings.add_anchor``; ``tests/reports/test_key_message.py``
    holds the two to the same result).

    >>> section_anchor("Doelen in één oogopslag")
    '#Doelen-in-%C3%A9%C3%A9n-oogopslag'
    """
    return "#" + quote(heading.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


@dataclass(frozen=True)
class Tile:
    """One status tile of a key message: a count, what it counts (written out), the
    section it links to (its heading, as in the notebook); ``status``: the label is a
    status word, shown as its badge (``helpers.presentation.tables.badge``)."""

    count: float
    label: str
    section: str
    status: bool = False
    unit: str = ""  # after the number: "%"


def key_message(sentence: str, tiles: list[Tile]) -> HTML:
    """The report's conclusion: one Dutch sentence and a row of status tiles, each a link
    to its section. The sentence is also attached as output metadata, so that the portal
    shows it beside the report.

    Example: ``key_message("2 van 16 doelen op koers.", [Tile(2, "op koers",
    "Stand van de doelen", "goed")])``.
    """
    shown = [{"count": format_number(t.count, 0) + t.unit, "href": section_anchor(t.section),
              "label": badge(t.label) if t.status else t.label} for t in tiles]
    page = render("key_message.html.j2", sentence=sentence, tiles=shown)
    return _WithMetadata(page.data, {METADATA_KEY: {reportfiles.SUMMARY_KEY: sentence}})


class _WithMetadata(HTML):
    """HTML whose display carries output metadata."""

    def __init__(self, data: str, metadata: dict):
        super().__init__(data)
        self.metadata = metadata

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.data}, self.metadata


@dataclass(frozen=True)
class Links:
    """The reports of the workspace's schedule, to link to: ``(notebook stem, key) →
    file`` (``helpers.workspace.reportfiles`` names them). A report not scheduled has no
    link: ``report`` returns ``None``."""

    files: dict[tuple[str, str | None], str]

    def report(self, notebook: str, key: str | None = None) -> str | None:
        return self.files.get((notebook, key))

    def programme(self, programme_id: str) -> str | None:
        """The programmamonitor of a programme."""
        return self.report(reportfiles.PROGRAMME_MONITOR, programme_id)

    def area(self, code: str) -> str | None:
        """The wijk- or buurtprofiel of an area."""
        return self.report(reportfiles.AREA_PROFILE, code)

    def areas(self) -> dict[str, str]:
        """Every area with a profile: code → file."""
        return {key: file for (notebook, key), file in self.files.items()
                if notebook == reportfiles.AREA_PROFILE and key is not None}


def links(ws: Workspace, year: int, programmes: list[str] | None = None) -> Links:
    """The reports the workspace's schedule makes (``year``: the report's year, for
    entries that set none), for links between them. ``programmes``: the budget's
    programme ids (loaded when not given and the schedule needs them)."""
    schedule = ws.config.schedule

    def keys(entry) -> list[str]:
        if entry.for_each == "programma":
            if programmes is not None:
                return list(programmes)
            return [p.id for p in budget(ws, facts_of.of(ws)).begroting.programmas]
        return reportfiles.entry_areas(ws, entry, entry.parameters.get("year", year))

    files = {}
    for found in reportfiles.report_files(schedule, keys):
        files.setdefault((found.notebook, found.key), found.html)
    return Links(files)


# a target status as the key message says it ("9 met risico")
_GOAL_PHRASES = {model.ON_TRACK: "op koers", model.AT_RISK: "met risico",
                 model.OFF_TRACK: "uit koers", model.MET: "gehaald",
                 model.NOT_MET: "niet gehaald", model.UNKNOWN: "met onbekende status"}


def counted(number: int, one: str, many: str) -> str:
    """``1 doel``, ``16 doelen`` (the number in nl-NL)."""
    return f"{format_number(number, 0)} {one if number == 1 else many}"


def goal_summary(statuses, section: str) -> tuple[str, list[Tile]]:
    """Goal indicators per target status (a sequence of ``model.TARGET_STATUSES``) as
    the key message's words (``2 van 16 doelen op koers, 9 met risico``) and one tile per
    status that occurs, linking to ``section``."""
    statuses = [str(s) for s in statuses]
    if not statuses:
        return "nog geen doelen", []
    counts = {status: statuses.count(status) for status in model.TARGET_STATUSES}
    first = (f"{format_number(counts[model.ON_TRACK], 0)} van "
             f"{counted(len(statuses), 'doel', 'doelen')} {_GOAL_PHRASES[model.ON_TRACK]}")
    rest = [f"{format_number(n, 0)} {_GOAL_PHRASES[status]}" for status, n in counts.items()
            if n and status != model.ON_TRACK]
    tiles = [Tile(n, status, section, status=True) for status, n in counts.items()
             if n or status == model.ON_TRACK]
    return ", ".join([first, *rest]), tiles


_SIGNALS: dict[tuple, tuple[Facts, object]] = {}  # see ``signals_of``


def signals_of(facts: Facts, loaded: LoadedProgramme, year: int):
    """The early warnings (``helpers.analysis.signals.signals``) of the facts, budget
    and year (with the steering loop's, from the budget's duiding), computed once per
    kernel for every report that runs in it: kept with the facts object they were
    computed from, the budget file's size and time and which duiding there is (the loop
    asks whether a goal has one, never what it says). What they were computed from is
    recorded again for every report that uses them (``helpers.workspace.reads``)."""
    from helpers.analysis.signals import signals

    stat = loaded.source.stat()
    key = (id(facts), year, str(loaded.source), stat.st_mtime_ns, stat.st_size,
           tuple(sorted(loaded.duiding)))
    kept = _SIGNALS.get(key)
    if kept is None or kept[0] is not facts:
        if len(_SIGNALS) > 8:
            _SIGNALS.clear()
        with reads.capture() as got:
            found = signals(facts, loaded.begroting, year, loaded.duiding)
        kept = _SIGNALS[key] = (facts, (found, got))
    reads.replay(kept[1][1])
    return kept[1][0]


def signal_areas(signals) -> dict[str, int]:
    """How many wijken and buurten a signals table (``helpers.analysis.signals``) names:
    ``{"wijk": n, "buurt": m}``."""
    codes = set(signals["gebied"]) if len(signals) else set()
    return {level: sum(model.level_of(c) == level for c in codes)
            for level in model.SUB_LEVELS}


def areas_phrase(areas: dict[str, int]) -> str:
    """``3 wijken en 2 buurten`` (only the levels that occur; empty when none)."""
    words = {"wijk": ("wijk", "wijken"), "buurt": ("buurt", "buurten")}
    return " en ".join(counted(n, *words[level]) for level, n in areas.items() if n)
