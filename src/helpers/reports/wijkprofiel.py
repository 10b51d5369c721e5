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
from itertools import zip_longest

import altair as alt
import pandas as pd
from IPython.display import HTML, Markdown, display

from helpers import model
from helpers.analysis import peers
from helpers.analysis.profile import AreaProfile, area_profile, differences_in_words, spine_data
from helpers.analysis.signals import signals as all_signals
from helpers.indicators import national
from helpers.indicators.facts import Facts
from helpers.indicators.facts import of as facts_of
from helpers.numbers import format_number
from helpers.presentation import charts, maps, tables
from helpers.presentation.declare import cell_attributes, declare
from helpers.reports import common
from helpers.reports.errors import prepare
from helpers.workspace import Workspace, open_workspace

__all__ = ["Wijkprofiel", "start", "location", "spine", "differences", "difference_map",
           "key_figures", "key_indicators", "trends", "signals", "sources",
           "key_message", "buurten"]

_SIGNIFICANT = ("beter", "slechter", "hoger", "lager")
MIN_PANELS, KEY_PANELS = 8, 12  # trend panels: at least, at most


@dataclass(frozen=True)
class Wijkprofiel:
    """One area's profile in one report year, with the workspace it comes from."""

    workspace: Workspace
    facts: Facts
    profile: AreaProfile


def start(workspace: str, area_code: str, year: int) -> Wijkprofiel:
    """Open the workspace, check the parameters, set up charts and show the header."""
    prepare(workspace)  # a user's mistake: a short Dutch message
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


def spine(report: Wijkprofiel) -> alt.FacetChart | HTML:
    """Every indicator of the area against the spread over all areas of its level, by
    theme, with its value beside it; the chart declares the area's and the parent's
    values as shown (its data table and the workbook hold those, not the positions)."""
    profile = report.profile
    data = spine_data(profile)
    if data.empty:
        return common.sentence(f"Geen gegevens: {profile.name} heeft tot en met "
                               f"{profile.year} geen indicator met een waarde naast "
                               f"{profile.parent_name}.", emphasis=True)
    shown = [report.facts.catalogue[i] for i in data["indicator"].unique()]
    series = pd.concat([
        pd.DataFrame({"area_code": profile.code, "year": data["jaar"],
                      "indicator": data["indicator"], "value": data["value"],
                      "status": model.OK}),
        pd.DataFrame({"area_code": profile.parent_code, "year": data["jaar"],
                      "indicator": data["indicator"], "value": data["parent_value"],
                      "status": model.OK}),
    ]).sort_index(kind="stable")
    return declare(charts.spine(data, profile.name, profile.parent_name),
                   {"waarde": shown, "referentie": shown}, series=series,
                   names={profile.code: profile.name,
                          profile.parent_code: profile.parent_name})


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
    areas = facts.areas_for(int(pick["jaar"]), profile.level)
    drawn = rows[rows["code"].isin(areas["code"])].sort_values("code")
    return declare(maps.choropleth(
        areas, rows, f"{indicator.label} per {profile.level} ({int(pick['jaar'])})",
        indicator.unit, indicator.decimals, highlight=profile.code,
        water=report.workspace.water),
        {"waarde": [indicator]}, series=drawn.rename(columns={"code": "area_code"}),
        names=dict(zip(areas["code"], areas["name"], strict=True)))


def key_figures(report: Wijkprofiel) -> tables.Table:
    """Each indicator's newest value for the area and the gemeente, and — where the
    workspace's national files give it for the same year — for Nederland (from every
    gemeente's figures: ``helpers.analysis.peers.nederland``)."""
    country, name = _country(report)
    return tables.key_figures(report.profile, country, name)


def _country(report: Wijkprofiel) -> tuple[pd.DataFrame | None, str]:
    """Nederland's value of each indicator and year, and what the total is called."""
    if not isinstance(report.workspace, Workspace):
        return None, ""
    here = national.of(report.workspace)
    if here.empty and here.country.empty:  # no other gemeente, no row of Nederland
        return None, ""
    country = peers.country(here).dropna(subset=["value"])
    if country.empty:
        return None, ""
    # one name for the column: what the newest year's total is called — Nederland where
    # that year has it — and only the figures of that name (a total of a few gemeenten'
    # files is no "Nederland" beside figures of the country)
    newest = country[country["year"] == country["year"].max()]["label"]
    name = peers.COUNTRY_NAME if newest.eq(peers.COUNTRY_NAME).any() else newest.min()
    return country[country["label"] == name], name


def key_indicators(report: Wijkprofiel) -> list:
    """The indicators of the trend panels, ``KEY_PANELS`` of them at most: first the goal
    indicators of the begroting on which the area differs significantly from its
    parent, then by turns a goal indicator and a significant difference (99,8%, then
    95%; largest difference first), then the others in catalogue order until there are
    ``MIN_PANELS``. Only indicators with a trend to
    draw (a usable value of the area or the gemeente)."""
    profile = report.profile
    drawn = set(profile.trends()["indicator"])
    by_id = {i.id: i for i in profile.indicators if i.id in drawn}
    goals = []
    if isinstance(report.workspace, Workspace):
        begroting = common.budget(report.workspace, report.facts).begroting
        goals = [gi.indicator for _, goal in begroting.goals() for gi in goal.indicatoren]
    spine = spine_data(profile)
    strong = spine[spine["vergelijking_998"].isin(_SIGNIFICANT)]
    weak = spine[spine["vergelijking"].isin(_SIGNIFICANT)]
    significant = [*strong.assign(afstand=strong["punt"].abs()).sort_values(
        "afstand", ascending=False)["indicator"],
        *weak.assign(afstand=weak["punt"].abs()).sort_values(
            "afstand", ascending=False)["indicator"]]
    goals = [i for i in dict.fromkeys(goals) if i in by_id]
    significant = [i for i in dict.fromkeys(significant) if i in by_id]
    both = [i for i in goals if i in significant]
    rest = zip_longest([i for i in goals if i not in both],
                       [i for i in significant if i not in both])
    chosen = [*both, *(i for pair in rest for i in pair if i is not None)][:KEY_PANELS]
    for indicator in by_id:
        if len(chosen) >= MIN_PANELS:
            break
        if indicator not in chosen:
            chosen.append(indicator)
    return [by_id[i] for i in chosen]


def trends(report: Wijkprofiel) -> alt.ConcatChart | HTML:
    """The key indicators (``key_indicators``) over the years, the area beside the
    gemeente; the units in the titles, whole years on every axis."""
    chosen = key_indicators(report)
    return charts.trends(report.profile, chosen or None, why=(
        " van de kernindicatoren: eerst de doelindicatoren van de begroting, dan die "
        f"waarop {report.profile.name} significant afwijkt"))


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


# ------------------------------------------------- key message and the area's buurten

# the notebook's section headings the key message links to
_PROFILE_SECTION = "Profiel"
_SIGNALS_SECTION = "Signalen"
_BUURTEN_SECTION = "Buurten"
_BUURT_COLUMNS = 3  # indicators in the buurten table besides the inwoners


def key_message(report: Wijkprofiel) -> HTML:
    """The conclusion first: on how many indicators the area differs significantly from
    the rest of its parent (99.8%), its signals and its buurten, in one sentence and as
    tiles linking to their sections."""
    profile = report.profile
    data = spine_data(profile)
    found = data["vergelijking_998"].value_counts() if not data.empty else {}
    differing = {word: int(found.get(word, 0)) for word in _SIGNIFICANT}
    total = sum(differing.values())
    if data.empty:
        first = f"{profile.name} heeft geen indicator om met {profile.parent_name} te vergelijken"
    else:
        first = (f"{profile.name} verschilt op {common.counted(total, 'indicator', 'indicatoren')}"
                 f" significant (99,8%) van {profile.parent_name}")
        if total:
            first += ": " + ", ".join(f"{n} {word}" for word, n in differing.items() if n)
    tiles = [common.Tile(n, word, _PROFILE_SECTION, status=True)
             for word, n in differing.items() if n]
    own = _own_signals(report)
    parts = [first, common.counted(len(own), "signaal", "signalen")]
    tiles.append(common.Tile(len(own), "signalen" if len(own) != 1 else "signaal",
                             _SIGNALS_SECTION))
    buurten = _buurten_of(report)
    if profile.level == "wijk" and len(buurten):
        parts.append(common.counted(len(buurten), "buurt", "buurten"))
        tiles.append(common.Tile(len(buurten), "buurten" if len(buurten) != 1 else "buurt",
                                 _BUURTEN_SECTION))
    return common.key_message("; ".join(parts) + ".", tiles)


def _own_signals(report: Wijkprofiel):
    table = common.signals_of(report.facts, common.budget(report.workspace, report.facts),
                              report.profile.year)
    return table[table["gebied"] == report.profile.code]


def _buurten_of(report: Wijkprofiel):
    """A wijk's buurten; of a buurt: the buurten of its wijk (in the report year)."""
    profile, ws = report.profile, report.workspace
    if "buurt" not in set(ws.areas["level"]):  # a kaart without buurten
        return ws.areas.iloc[:0]
    buurten = ws.areas_for(profile.year, "buurt")
    wijk = profile.code if profile.level == "wijk" else profile.parent_code
    return buurten[buurten["parent"] == wijk].sort_values("code")


def buurten(report: Wijkprofiel) -> HTML | tables.Table:
    """The buurten of a wijk (of a buurt: those of its wijk) with their inwoners and the
    indicators on which the area differs most; each name links to its buurtprofiel when
    the schedule makes one, and a buurt's wijk to its wijkprofiel."""
    profile, facts = report.profile, report.facts
    areas = _buurten_of(report)
    links = common.links(report.workspace, profile.year)
    if areas.empty:
        return common.sentence(f"Voor {profile.name} zijn geen buurten bekend in "
                               f"{profile.year}.", emphasis=True)
    data = spine_data(profile)
    chosen = ["inwoners"]
    if not data.empty:
        significant = data[data["vergelijking_998"].isin(_SIGNIFICANT)]
        ranked = significant.reindex(significant["punt"].abs().sort_values(
            ascending=False).index)
        chosen += [i for i in ranked["indicator"] if i != "inwoners"][:_BUURT_COLUMNS]
    chosen = [i for i in chosen if i in facts.catalogue and "buurt" in facts.catalogue[i].levels]
    obs = facts.observations
    columns, frame = [], {"Buurt": list(areas["name"])}
    cells = {code: [] for code in areas["code"]}
    decimals = {}
    for indicator_id in chosen:
        indicator = facts.catalogue[indicator_id]
        rows = obs[(obs["indicator"] == indicator_id) & (obs["level"] == "buurt")
                   & (obs["year"] <= profile.year) & obs["area_code"].isin(cells)]
        usable = rows[rows["status"].isin(model.USABLE)]
        if usable.empty:
            continue
        year = int(usable["year"].max())
        shown = rows[rows["year"] == year].set_index("area_code")
        unit = "" if indicator.unit.lower() in indicator.label.lower() else f"{indicator.unit}, "
        title = f"{indicator.label} ({unit}{year})"
        columns.append({"name": title, "tip": indicator.description})
        values = []
        for code in cells:
            value = shown["value"].get(code)
            status = shown["status"].get(code, model.MISSING)
            cells[code].append({"text": format_number(value, indicator.decimals, status),
                                "attrs": cell_attributes(indicator)})
            values.append(value if status in model.USABLE else None)
        frame[title] = values
        decimals[title] = int(indicator.decimals)
    rows = [{"name": name, "href": links.area(code), "current": code == profile.code,
             "cells": cells[code]} for code, name in zip(areas["code"], areas["name"],
                                                         strict=True)]
    wijk = None
    if profile.level == "buurt":
        wijk = {"name": profile.parent_name, "href": links.area(profile.parent_code)}
    caption = (f"Buurten van {profile.name if profile.level == 'wijk' else profile.parent_name}"
               f": inwoners en de indicatoren waarop {profile.name} het meest afwijkt"
               f"{f' ({profile.name} vet)' if profile.level == 'buurt' else ''}. "
               "'geheim' = niet gepubliceerd door CBS; 'onderdrukt' = te klein aantal om te "
               "tonen; – = geen gegevens.")
    html = common.render("buurten.html.j2", caption=caption, columns=columns, rows=rows,
                         wijk=wijk, name=profile.name)
    return tables.Table(html.data, caption, pd.DataFrame(frame), decimals=decimals)
