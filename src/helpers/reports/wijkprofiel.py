"""The wijkprofiel (``notebooks/10_wijkprofiel.ipynb``): one wijk or buurt beside the
gemeente — location, profile against every area of its level, the largest differences in
words and on a map, key figures, trends and signals.

``start`` opens the workspace, checks the parameters and shows the header; every other
function is one section of the report: it takes what ``start`` returned and gives
something to display. An area without figures (a wijk on the kaart that the statistics
do not cover, a report year with few variables) gets every section, each saying in
Dutch what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
from IPython.display import HTML, Markdown, display

from helpers import model
from helpers.analysis.profile import AreaProfile, area_profile, differences_in_words, spine_data
from helpers.analysis.signals import signals as all_signals
from helpers.indicators.facts import Facts
from helpers.indicators.facts import of as facts_of
from helpers.numbers import format_number
from helpers.presentation import charts, maps, tables
from helpers.presentation.declare import declare
from helpers.reports import common
from helpers.workspace import Workspace, open_workspace

__all__ = ["Wijkprofiel", "start", "location", "spine", "differences", "difference_map",
           "key_figures", "trends", "signals", "sources"]

_SIGNIFICANT = ("beter", "slechter", "hoger", "lager")


@dataclass(frozen=True)
class Wijkprofiel:
    """One area's profile in one report year, with the workspace it comes from."""

    workspace: Workspace
    facts: Facts
    profile: AreaProfile


def start(workspace: str, area_code: str, year: int) -> Wijkprofiel:
    """Open the workspace, check the parameters, set up charts and show the header."""
    ws = open_workspace(workspace)
    area = ws.area(area_code)  # an unknown code: a message naming the known ones
    facts = facts_of(ws)
    profile = area_profile(facts, area, year)
    common.setup_charts(ws)
    inhabitants = profile.observations[
        (profile.observations["indicator"] == "inwoners")
        & (profile.observations["area_code"] == profile.code)
        & (profile.observations["status"] == model.OK)
    ].sort_values("year")
    subtitle = f"{profile.level} {profile.code} · verslagjaar {year}"
    if len(inhabitants):
        last = inhabitants.iloc[-1]
        subtitle += (f" · {format_number(last['value'], 0)} inwoners "
                     f"({int(last['year'])})")
    common.header(profile.title, ws, subtitle)
    if profile.break_year is not None:
        display(common.render(
            "notice.html.j2", text=f"de grenzen van {profile.name} zijn in {profile.break_year} "
            "gewijzigd. Cijfers van eerdere jaren zijn niet vergelijkbaar en ontbreken in de "
            "trends."))
    return Wijkprofiel(ws, facts, profile)


def location(report: Wijkprofiel) -> alt.LayerChart | HTML:
    """The area on a map of the gemeente's areas of its level."""
    return maps.location(report.profile, report.workspace.water)


def spine(report: Wijkprofiel) -> alt.LayerChart | HTML:
    """Every indicator of the area against the spread over all areas of its level."""
    profile = report.profile
    data = spine_data(profile)
    if data.empty:
        return common.sentence(f"Geen gegevens: {profile.name} heeft tot en met "
                               f"{profile.year} geen indicator met een waarde naast "
                               f"{profile.parent_name}.", emphasis=True)
    shown = [report.facts.catalogue[i] for i in data["indicator"].unique()]
    return declare(charts.spine(data, profile.name, profile.parent_name),
                   {"waarde": shown, "referentie": shown})


def differences(report: Wijkprofiel) -> HTML:
    """The largest significant differences with the parent area, in words."""
    return common.render("differences.html.j2", differences=differences_in_words(
        report.profile, spine_data(report.profile)))


def difference_map(report: Wijkprofiel) -> alt.LayerChart | HTML | Markdown:
    """The indicator on which the area differs most, on a map of its level."""
    profile, facts = report.profile, report.facts
    data = spine_data(profile)
    if data.empty:
        return common.sentence(f"Geen kaart: {profile.name} heeft tot en met {profile.year} "
                               f"geen indicator met een waarde om met {profile.parent_name} "
                               "te vergelijken.", emphasis=True)
    significant = data[data["vergelijking_998"].isin(_SIGNIFICANT)]
    if significant.empty:
        return Markdown("*Geen significant verschil om op de kaart te tonen.*")
    pick = significant.loc[significant["punt"].abs().idxmax()]
    indicator = facts.catalogue[pick["indicator"]]
    obs = facts.observations
    rows = obs[(obs["indicator"] == indicator.id) & (obs["year"] == pick["jaar"])
               & (obs["level"] == profile.level)].rename(columns={"area_code": "code"})
    return declare(maps.choropleth(
        facts.areas_for(int(pick["jaar"]), profile.level), rows,
        f"{indicator.label} per {profile.level} ({int(pick['jaar'])})", indicator.unit,
        indicator.decimals, highlight=profile.code, water=report.workspace.water),
        {"waarde": [indicator]})


def key_figures(report: Wijkprofiel) -> tables.Table:
    """Each indicator's newest value for the area and the gemeente."""
    return tables.key_figures(report.profile)


def trends(report: Wijkprofiel) -> alt.FacetChart | HTML:
    """Every indicator over the years, the area beside the gemeente."""
    return charts.trends(report.profile)


def signals(report: Wijkprofiel) -> HTML | tables.Table:
    """The early warnings about this area."""
    profile = report.profile
    table = all_signals(report.facts, common.budget(report.workspace, report.facts).begroting,
                        profile.year)
    own = table[table["gebied"] == profile.code]
    return tables.signal_table(own, f"Signalen voor {profile.name} ({profile.year})")


def sources(report: Wijkprofiel) -> HTML:
    """Where the figures come from."""
    return common.sources(report.workspace, report.facts.catalogue)
