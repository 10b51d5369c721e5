"""One-line report sections for the notebooks: data from the analysis modules, drawn
with ``charts``, ``maps`` and ``tables``. Each function returns something to display.
"""

from __future__ import annotations

import altair as alt
import mistune
import pandas as pd
from IPython.display import HTML, Markdown

from helpers import charts, maps, quality, tables
from helpers.audit import declare
from helpers.monitor import STATUSES, Overview, ProgrammeMonitor
from helpers.numbers import format_number
from helpers.profile import AreaProfile, differences_in_words, spine_data
from helpers.programme import load_programme
from helpers.signals import signals

__all__ = ["spine", "differences", "area_signals", "difference_map", "goals_table",
           "goal_charts", "goal_texts", "breakdown_maps", "budget", "actions", "status_table",
           "status_chart", "top_signals", "changes", "coverage", "status_shares", "stale",
           "boundary_changes", "unmapped", "provenance"]


# analysts' commentary is markdown; raw HTML in it is shown as text, never executed
_MARKDOWN = mistune.create_markdown(escape=True)

# ------------------------------------------------------------------- wijkprofiel


def spine(profile: AreaProfile) -> alt.LayerChart | Markdown:
    data = spine_data(profile)
    if data.empty:
        return Markdown("*Geen indicatoren met een waarde voor dit gebied en zijn omgeving.*")
    shown = [profile.workspace.catalogue[i] for i in data["indicator"].unique()]
    return declare(charts.spine(data, profile.name, profile.parent_name),
                   {"waarde": shown, "referentie": shown})


def differences(profile: AreaProfile) -> Markdown:
    return Markdown(differences_in_words(profile, spine_data(profile)))


def area_signals(profile: AreaProfile) -> HTML | tables.Table:
    ws = profile.workspace
    table = signals(ws, load_programme(ws), profile.year)
    own = table[table["gebied"] == profile.code]
    return tables.signal_table(own, f"Signalen voor {profile.name} ({profile.year})")


def difference_map(profile: AreaProfile) -> alt.LayerChart | Markdown:
    """The indicator on which the area differs most, on a map of its level."""
    data = spine_data(profile)
    significant = data[data["vergelijking_998"].isin(["beter", "slechter", "hoger", "lager"])]
    if significant.empty:
        return Markdown("*Geen significant verschil om op de kaart te tonen.*")
    pick = significant.loc[significant["punt"].abs().idxmax()]
    ws = profile.workspace
    indicator = ws.catalogue[pick["indicator"]]
    obs = ws.observations
    rows = obs[(obs["indicator"] == indicator.id) & (obs["year"] == pick["jaar"])
               & (obs["level"] == profile.level)].rename(columns={"area_code": "code"})
    return declare(maps.choropleth(
        ws.areas_for(int(pick["jaar"]), profile.level), rows,
        f"{indicator.label} per {profile.level} ({int(pick['jaar'])})", indicator.unit,
        indicator.decimals, highlight=profile.code, water=ws.water), {"waarde": [indicator]})


# -------------------------------------------------------------- programmamonitor


def goals_table(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    goals = monitor.goals
    frame = pd.DataFrame({
        "Doel": goals["doel"] + " " + goals["titel"], "Indicator": goals["label"],
        "Nulmeting": [f"{format_number(v, d)} ({y})" for v, d, y in zip(
            goals["nulmeting"], goals["decimals"], goals["nulmeting_jaar"], strict=True)],
        "Streefwaarde": [f"{format_number(v, d)} ({y})" for v, d, y in zip(
            goals["streefwaarde"], goals["decimals"], goals["streefjaar"], strict=True)],
        "Nu": [f"{format_number(v, d)} ({int(y)})" if pd.notna(y) else "–" for v, d, y in zip(
            goals["waarde"], goals["decimals"], goals["jaar"], strict=True)],
        "Trend": goals["trend"], "Status": goals["status"], "Eigenaar": goals["eigenaar"],
    })
    catalogue = monitor.workspace.catalogue
    return tables.frame_table(frame, f"Doelen van {monitor.programme.naam}, verslagjaar "
                                     f"{monitor.year}", badges=("Trend", "Status"),
                              row_header="Doel",
                              indicators=[catalogue[i] for i in goals["indicator"]],
                              value_columns=("Nulmeting", "Streefwaarde", "Nu"))


def goal_charts(monitor: ProgrammeMonitor) -> alt.ConcatChart | Markdown:
    panels, shown = [], []
    for row in monitor.goals.itertuples(index=False):
        series = monitor.series(row.indicator, row.gebied)
        if series.empty:
            continue
        shown.append(monitor.workspace.catalogue[row.indicator])
        panels.append(charts.goal_trend(
            series, f"{row.doel} {row.label}", row.unit, row.streefjaar, row.streefwaarde,
            monitor.band(row), monitor.workspace.breaks.get(row.gebied)))
    if not panels:
        return Markdown("*Geen cijfers voor de indicatoren van dit programma.*")
    return declare(alt.concat(*panels, columns=2).properties(
        title=f"{monitor.programme.naam}: ontwikkeling, streefwaarde en verwachting",
        description=f"{len(panels)} grafieken, één per doelindicator van "
                    f"{monitor.programme.naam}: de gemeten waarden, de streefwaarde en de "
                    "verwachting tot het streefjaar."), {"waarde": shown})


def goal_texts(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    duiding = monitor.duiding()
    parts = []
    for goal in monitor.programme.doelen:
        rows = monitor.goals[monitor.goals["doel"] == goal.id]
        parts.append(f"<h3>{goal.id} {_esc(goal.titel)}</h3>")
        for row in rows.itertuples(index=False):
            parts.append(f"<p>{tables.badge(row.status)} <strong>{_esc(row.label)}</strong>: "
                         f"{_esc(row.uitleg)}</p>")
        text = duiding.get(goal.id)
        if text:
            parts.append("<blockquote class='duiding'><p><em>Duiding:</em></p>"
                         + _MARKDOWN(text) + "</blockquote>")
    return HTML("".join(parts))


def breakdown_maps(monitor: ProgrammeMonitor) -> alt.ConcatChart | Markdown:
    ws = monitor.workspace
    panels, shown = [], []
    for row in monitor.goals.drop_duplicates("indicator").itertuples(index=False):
        indicator = ws.catalogue[row.indicator]
        if "wijk" not in indicator.levels:
            continue
        obs = ws.observations
        rows = obs[(obs["indicator"] == indicator.id) & (obs["level"] == "wijk")
                   & obs["status"].isin(["ok", "provisional"]) & (obs["year"] <= monitor.year)]
        if rows.empty:
            continue
        year = int(rows["year"].max())
        data = obs[(obs["indicator"] == indicator.id) & (obs["level"] == "wijk")
                   & (obs["year"] == year)].rename(columns={"area_code": "code"})
        shown.append(indicator)
        panels.append(maps.choropleth(ws.areas_for(year, "wijk"), data,
                                      f"{indicator.label} ({year})", indicator.unit,
                                      indicator.decimals, width=300, water=ws.water))
    if not panels:
        return Markdown("*Geen indicatoren van dit programma met cijfers per wijk.*")
    return declare(alt.concat(*panels, columns=2).resolve_scale(fill="independent").properties(
        description=f"{len(panels)} kaarten van de wijken, één per indicator van "
                    f"{monitor.programme.naam}."), {"waarde": shown})


def budget(monitor: ProgrammeMonitor) -> alt.Chart | Markdown:
    data = monitor.budget()
    if data.empty:
        return Markdown("*Geen budget opgenomen in de begroting.*")
    return charts.budget(data, monitor.programme.budget_eenheid)


def actions(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    frame = monitor.actions()
    if frame.empty:
        return HTML("<p>Er zijn geen acties afgesproken.</p>")
    return tables.frame_table(frame, f"Afgesproken acties {monitor.programme.naam}",
                              badges=("Status",))


# ------------------------------------------------------------- bestuursoverzicht


def status_table(view: Overview) -> HTML | tables.Table:
    counts = view.status_counts()
    return tables.frame_table(counts.rename(columns={"programma": "Programma"}),
                              f"Doelen per programma naar status, verslagjaar {view.year}",
                              row_header="Programma")


def status_chart(view: Overview) -> alt.Chart | Markdown:
    counts = view.status_counts()
    if counts.empty:
        return Markdown("*De begroting bevat nog geen doelen.*")
    long = counts.melt(id_vars="programma", var_name="status", value_name="aantal")
    colours = ["#0072B2", "#E69F00", "#D55E00", "#BBBBBB"]
    return declare(alt.Chart(long).mark_bar().encode(
        y=alt.Y("programma:N", title=None, sort=list(counts["programma"])),
        x=alt.X("aantal:Q", title="Aantal doelindicatoren", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status:N", sort=STATUSES,
                        scale=alt.Scale(domain=STATUSES, range=colours), title=None),
        order=alt.Order("volgorde:Q"),
        tooltip=[alt.Tooltip("programma:N", title="Programma"),
                 alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("aantal:Q", title="Aantal")],
    ).transform_calculate(volgorde="indexof(['op koers','risico','uit koers','onbekend'], "
                                   "datum.status)").properties(
        width=420, height=alt.Step(22), title="Doelen op koers, met risico en uit koers",
        description="Per programma het aantal doelindicatoren op koers, met risico, uit koers "
                    f"en onbekend: in totaal {int(long['aantal'].sum())} doelindicatoren."),
        {})  # numbers of goals, not of people


def top_signals(view: Overview, limit: int = 10) -> HTML | tables.Table:
    return tables.signal_table(view.signals, f"De belangrijkste signalen ({view.year})", limit)


def changes(view: Overview) -> HTML | tables.Table:
    changed = view.changes()
    if changed.empty:
        return HTML(f"<p>Geen veranderingen ten opzichte van {view.year - 1}.</p>")
    frame = pd.DataFrame({
        "Doel": changed["doel"] + " " + changed["titel"], "Indicator": changed["label"],
        f"Status {view.year - 1}": changed["status_vorig"], f"Status {view.year}":
            changed["status"],
        "Waarde": [f"{format_number(v, d)} ({int(y)})" if pd.notna(y) else "–"
                   for v, d, y in zip(changed["waarde"], changed["decimals"], changed["jaar"],
                                      strict=True)],
    })
    catalogue = view.workspace.catalogue
    return tables.frame_table(frame, f"Wat is veranderd sinds {view.year - 1}",
                              badges=(f"Status {view.year - 1}", f"Status {view.year}"),
                              row_header="Doel",
                              indicators=[catalogue[i] for i in changed["indicator"]],
                              value_columns=("Waarde",))


# ---------------------------------------------------------------- datakwaliteit


def coverage(ws) -> HTML | tables.Table:
    return tables.frame_table(quality.coverage(ws), "Dekking per bron en jaar",
                              numeric={"gebieden": 0, "variabelen": 0, "cellen": 0,
                                       "bruikbaar_pct": 1})


def status_shares(ws) -> HTML | tables.Table:
    return tables.frame_table(quality.status_shares(ws),
                              "Aandeel waarnemingen per status (%), per jaar en niveau",
                              numeric={"bruikbaar_pct": 1, "geheim_pct": 1,
                                       "ontbreekt_pct": 1, "onderdrukt_pct": 1})


def stale(ws, year: int) -> HTML | tables.Table:
    frame = quality.stale(ws, year)
    if frame.empty:
        return HTML("<p>Alle indicatoren zijn actueel.</p>")
    return tables.frame_table(frame, f"Verouderde of ontbrekende gegevens ({year})")


def boundary_changes(ws) -> HTML | tables.Table:
    frame = quality.boundary_changes(ws)
    if frame.empty:
        return HTML("<p>Geen grens- of codewijzigingen.</p>")
    return tables.frame_table(frame, "Grens- en codewijzigingen (ind_wbi)")


def unmapped(ws) -> HTML | tables.Table:
    frame = quality.unmapped(ws)
    if frame.empty:
        return HTML("<p>Alle variabelen zijn gekoppeld.</p>")
    return tables.frame_table(frame, "Namen zonder koppeling in de variabelentabel")


def provenance(ws) -> HTML | tables.Table:
    return tables.frame_table(quality.provenance(ws), "Bronbestanden en herkomst")


def _esc(text: str) -> str:
    import html

    return html.escape(str(text))
