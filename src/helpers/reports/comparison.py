"""The section "Vergelijking met Nederland en vergelijkbare gemeenten" that the
bestuursoverzicht and the programmamonitors show for their gemeente-level indicators.

``section`` takes the workspace's national figures (``helpers.indicators.national``) and
its peer groups (``helpers.analysis.peers.groups``: the hand-chosen group of
``stuurkit.yml`` first, then grootteklasse, stedelijkheid and nearest neighbours) and
shows, per group, who is in it and how it was chosen, and a table per indicator: the
gemeente's value, Nederland, the group's median and range, the rank and one Dutch
sentence. Without national files it says so (and how to add them).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import display

from helpers import model
from helpers.analysis import country as country_figures
from helpers.analysis import peers
from helpers.indicators import national as national_figures
from helpers.numbers import format_number
from helpers.presentation import tables
from helpers.reports.common import render
from helpers.workspace import Workspace

__all__ = ["section", "comparisons", "goal_indicators", "missing"]


def comparisons(ws: Workspace, year: int, indicators: list[str]
                ) -> tuple[list[peers.PeerGroup], pd.DataFrame, list[str]]:
    """The peer groups, the comparison table and the reasons a comparison is missing,
    for ``indicators`` in the newest national year up to ``year``."""
    national = national_figures.of(ws)
    if national.empty:
        return [], pd.DataFrame(), peers.why_not(national, year)
    when = peers.newest_year(national, year)
    if when is None:
        return [], pd.DataFrame(), [f"Geen landelijke cijfers van {year} of eerder."]
    config = ws.config.peers
    groups = peers.groups(national, when, config.codes, config.neighbours)
    shown = [i for i in indicators if (national.observations["indicator"] == i).any()]
    missing = [i for i in indicators if i not in shown]
    notes = peers.why_not(national, when)
    if missing:
        labels = [national.catalogue[i].label if i in national.catalogue else i
                  for i in missing]
        notes.append("Geen landelijke cijfers op gemeenteniveau voor: " + ", ".join(labels)
                     + ".")
    return groups, peers.table(national, groups, shown), notes


def _conflicts(national) -> list[tuple[str, str]]:
    """The national figures (and Nederland's) that two files give differently."""
    names = {**national.names, model.COUNTRY_CODE: peers.COUNTRY_NAME}
    return [(f"Landelijke cijfers van {names.get(c.area_code, c.area_code)}",
             "twee bestanden geven een ander cijfer: " + c.line()
             + "; verwijder of corrigeer het verkeerde bestand, of geef het goede een hogere "
               "priority in stuurkit.yml") for c in national.conflicts]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _how(label: str, methods: pd.DataFrame, catalogue) -> str:
    """How the figures of one name of the total (``Nederland``, ``alle 33 gemeenten``)
    were made, in words: summed, or CBS's own figure for Nederland (naming for which)."""
    published = country_figures.is_published(methods["nederland_method"])
    how = "de som van de tellers gedeeld door de som van de noemers van alle gemeenten"
    if published.all():
        how = country_figures.PUBLISHED_WORDS
    elif published.any():
        labels = ", ".join(catalogue[i].label for i in methods.loc[published, "indicator"])
        how += f"; voor {labels} {country_figures.PUBLISHED_WORDS}"
    return f"{_capital(label)}: {how}"


def _members(group: peers.PeerGroup, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in group.members) or "(geen)"


def goal_indicators(programmes, gemeente: str) -> list[str]:
    """The indicators of the goals of ``programmes`` that are measured for the gemeente
    as a whole (a goal for one wijk has no national counterpart), in budget order."""
    return list(dict.fromkeys(
        entry.indicator for programme in programmes for goal in programme.doelen
        for entry in goal.indicatoren if entry.gebied in (None, gemeente)))


def section(ws: Workspace, year: int, indicators: list[str], main_only: bool = False
            ) -> None:
    """Show the comparison of ``indicators`` with Nederland and every peer group (with
    ``main_only``: the hand-chosen group, else the nearest neighbours — for a report
    that must stay short)."""
    groups, found, notes = comparisons(ws, year, indicators)
    if main_only and groups:
        main = next((g for g in groups if g.kind == "eigen keuze"),
                    next((g for g in groups if g.kind == "buren"), groups[0]))
        groups = [main]
        found = found[found["group"] == main.label] if not found.empty else found
    national = national_figures.of(ws)
    names = national.names
    if not groups or found.empty:
        display(render("peers.html.j2", groups=[], notes=notes or [
            "Geen van deze indicatoren heeft landelijke cijfers op gemeenteniveau."]))
        return
    methods = found.drop_duplicates("indicator")
    if main_only:  # one line: the method per indicator and what is missing are elsewhere
        notes = ["; ".join(_how(label, part, national.catalogue)
                           for label, part in methods.groupby("country", sort=False))
                 + "; de methode per indicator staat in de programmamonitors, wat ontbreekt "
                   "in Datakwaliteit."]
    else:
        notes = notes + [f"{c[0].upper()}{c[1:]}, {national.catalogue[i].label}: {m}."
                         for i, m, c in zip(methods["indicator"], methods["nederland_method"],
                                            methods["country"], strict=True) if m]
    display(render("peers.html.j2", notes=notes, groups=[
        {"label": g.label, "method": g.method, "members": _members(g, names),
         "count": len(g)}
        for g in groups]))
    catalogue = national.catalogue
    for group in groups:
        rows = found[found["group"] == group.label]
        if rows.empty:
            continue
        specs = [catalogue[i] for i in rows["indicator"]]

        def shown(values, specs=specs) -> list[str]:
            return [format_number(v, s.decimals) if pd.notna(v) else "–"
                    for v, s in zip(values, specs, strict=True)]

        # one column per name of the total: CBS's Nederland and a total of a few
        # gemeenten' files are never shown under one name
        labels = list(dict.fromkeys(rows["country"]))  # "Nederland", "alle 33 gemeenten"
        against = " en ".join(labels)
        totals = {_capital(label): shown(rows["nederland"].where(rows["country"] == label))
                  for label in labels}
        frame = pd.DataFrame({
            "Indicator": [f"{s.label} ({s.unit})" if s.unit else s.label for s in specs],
            "Jaar": rows["year"].astype(int).astype(str).tolist(),
            ws.config.gemeente.name: shown(rows["value"]),
            **totals,
            "Mediaan groep": shown(rows["median"]),
            "Laagste – hoogste": [f"{lo} – {hi}" for lo, hi in zip(
                shown(rows["low"]), shown(rows["high"]), strict=True)],
            "Plaats": [f"{int(r)} van {int(n) + 1}" if pd.notna(r) else "–"
                       for r, n in zip(rows["rank"], rows["n"], strict=True)],
            "Lezing": rows["sentence"].tolist(),
        })
        if main_only:  # a short report: the figures; the sentences are in the monitors
            frame = frame.drop(columns="Lezing")
        display(tables.frame_table(
            frame, f"{group.label}: {ws.config.gemeente.name} tegenover {against} "
                   "en de groep (plaats 1 is de gunstigste waarde; bij neutrale indicatoren "
                   "de hoogste)", row_header="Indicator", indicators=specs,
            value_columns=(ws.config.gemeente.name, *totals, "Mediaan groep")))


def missing(ws: Workspace, year: int, indicators: list[str]) -> pd.DataFrame:
    """``Vergelijking, Waarom niet``: every comparison of ``indicators`` with Nederland
    and the peer groups that could not be made in ``year``, and why (for the
    datakwaliteit report)."""
    national = national_figures.of(ws)
    rows = [("Nederland en vergelijkbare gemeenten", note)
            for note in peers.why_not(national, year)]
    if national.empty:
        rows += _conflicts(national)
        return pd.DataFrame(rows, columns=["Vergelijking", "Waarom niet"])
    groups, found, _ = comparisons(ws, year, indicators)
    catalogue = national.catalogue
    for indicator in indicators:
        label = catalogue[indicator].label if indicator in catalogue else indicator
        if found.empty or indicator not in set(found["indicator"]):
            rows.append((label, "geen landelijke cijfers op gemeenteniveau in de bestanden"))
            continue
        first = found[found["indicator"] == indicator].iloc[0]
        if pd.isna(first["nederland"]):
            rows.append((f"{label} – {first['country']}", first["nederland_method"]
                         or "niet te berekenen uit de gemeentecijfers"))
        for row in found[(found["indicator"] == indicator) & found["rank"].isna()].itertuples():
            rows.append((f"{label} – {row.group}", row.sentence))
    rows += _conflicts(national)
    names = national.names
    members = {c for g in groups for c in g.members} | {ws.gemeente}
    for merger in national.mergers.itertuples():
        if merger.code in members:
            rows.append((f"Reeks van {names.get(merger.code, merger.code)}",
                         f"{merger.reason}: jaren ervoor niet vergelijkbaar"))
    return pd.DataFrame(rows, columns=["Vergelijking", "Waarom niet"])
