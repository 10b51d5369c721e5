"""Charts for reports (altair). Each chart embeds only the columns it draws.

* ``trends`` — small multiples of every indicator, area against gemeente;
* ``spine`` — Fingertips-style profile of all indicators of one area;
* ``goal_trend`` — one goal indicator with its target and forecast band, the
  boundary-change break marked;
* ``budget`` — begroot against realisatie per year;
* ``no_data`` — the note shown instead of a chart that has nothing to draw (each chart
  above returns it for empty data, saying in Dutch what is missing).
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
from IPython.display import HTML

from helpers.analysis.profile import AreaProfile
from helpers.model import TARGET_STATUSES
from helpers.presentation import markup
from helpers.presentation.declare import declare
from helpers.presentation.theme import HIGHLIGHT, NO_DATA, PALETTE, STATUS_COLOURS, TARGET_COLOURS

__all__ = ["trends", "spine", "goal_trend", "status_bars", "area_trend", "budget", "no_data"]

_STATUS_ORDER = ["beter", "gelijk", "slechter", "hoger", "lager", "niet vergeleken"]
_STATUS_RANGE = [STATUS_COLOURS["beter"], STATUS_COLOURS["gelijk"], STATUS_COLOURS["slechter"],
                 "#56B4E9", "#CC79A7", "#FFFFFF"]


def _short_year() -> str:
    # '2017' → "'17" keeps small panels readable
    return "\"'\" + substring(datum.label, 2, 4)"


def no_data(text: str) -> HTML:
    """A note in place of a chart with nothing to draw: ``text`` says (in Dutch) what is
    missing.

    >>> no_data("Geen gegevens: er zijn geen cijfers van Noord.").data
    '<p><em>Geen gegevens: er zijn geen cijfers van Noord.</em></p>'
    """
    return HTML(str(markup.render("sentence.html.j2", text=text, emphasis=True)))


def trends(profile: AreaProfile, columns: int = 3) -> alt.FacetChart | HTML:
    """Small multiples: every indicator over the years, the area against the gemeente.

    The y-axis of each panel is independent; a boundary change of the area starts its
    line anew (earlier years are not comparable and are left out). Without any value
    for the area or the gemeente: a ``no_data`` note.
    """
    data = profile.trends()[["label", "year", "value", "gebied"]]
    if data.empty:
        return no_data(f"Geen gegevens: er zijn geen cijfers van {profile.name} of "
                       f"{profile.gemeente_name} tot en met {profile.year}.")
    data = data.assign(value=data["value"].round(3))
    order = [i.label for i in profile.indicators if i.label in set(data["label"])]
    colour = alt.Color(
        "gebied:N", title=None,
        scale=alt.Scale(domain=[profile.name, profile.gemeente_name], range=PALETTE[:2]),
    )
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelExpr=_short_year())),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=colour,
        tooltip=[alt.Tooltip("gebied:N", title="Gebied"), alt.Tooltip("year:O", title="Jaar"),
                 alt.Tooltip("value:Q", title="Waarde", format=",.1f")],
    )
    chart = (base.mark_line() + base.mark_point()).properties(width=190, height=110)
    return declare(chart.facet(
        facet=alt.Facet("label:N", title=None, sort=order, header=alt.Header(labelLimit=200)),
        columns=columns,
    ).resolve_scale(y="independent").properties(
        title=f"Ontwikkeling {profile.name} en {profile.gemeente_name}",
        description=f"{len(order)} kleine grafieken: elke indicator door de jaren heen, "
                    f"{profile.name} naast {profile.gemeente_name}.",
    ), {"value": profile.indicators})


def spine(data: pd.DataFrame, area: str, parent: str) -> alt.LayerChart | HTML:
    """Profile of one area: per indicator the spread of all areas of its level (grey),
    the parent's value (the centre line) and the area (dot, coloured by significance).

    ``data`` comes from ``analysis.profile.spine_data``; values are scaled per indicator so
    the parent sits in the middle and the most extreme area at the edge, oriented so
    that *right is better* for indicators with a polarity. Without indicators: a
    ``no_data`` note.
    """
    if data.empty:
        return no_data(f"Geen gegevens: er is geen indicator met een waarde voor {area} "
                       f"en {parent}.")
    cols = ["label", "minimum", "q25", "q75", "maximum", "punt", "vergelijking", "waarde",
            "referentie", "jaar", "methode"]
    frame = data[cols]
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    scale = alt.Scale(domain=[-1.05, 1.05])
    # a name from data enters the expression as a JSON string literal, never as code
    x_axis = alt.Axis(values=[-1, 0, 1], labelExpr=f"datum.value == 0 ? {json.dumps(parent)}"
                      " : (datum.value < 0 ? 'slechter / lager' : 'beter / hoger')",
                      title=None, grid=False)
    base = alt.Chart(frame).encode(y=y)
    spread = base.mark_rule(color=NO_DATA, strokeWidth=10).encode(
        x=alt.X("minimum:Q", scale=scale, axis=x_axis), x2="maximum:Q")
    middle = base.mark_rule(color="#9E9E9E", strokeWidth=10).encode(
        x=alt.X("q25:Q", scale=scale), x2="q75:Q")
    centre = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(
        color="#333333", strokeWidth=1.5).encode(x=alt.X("x:Q", scale=scale))
    dots = base.mark_point(filled=True, size=90, stroke="#333333", strokeWidth=0.8).encode(
        x=alt.X("punt:Q", scale=scale),
        color=alt.Color("vergelijking:N", title=f"{area} t.o.v. {parent}",
                        scale=alt.Scale(domain=_STATUS_ORDER, range=_STATUS_RANGE)),
        tooltip=[alt.Tooltip("label:N", title="Indicator"),
                 alt.Tooltip("waarde:N", title=area),
                 alt.Tooltip("referentie:N", title=parent),
                 alt.Tooltip("vergelijking:N", title="Verschil (95%)"),
                 alt.Tooltip("methode:N", title="Toets"),
                 alt.Tooltip("jaar:O", title="Jaar")],
    )
    counts = frame["vergelijking"].value_counts()
    summary = (f"Profiel van {area} op {len(frame)} indicatoren naast {parent}: "
               f"{counts.get('beter', 0)} significant gunstiger, "
               f"{counts.get('slechter', 0)} ongunstiger, "
               f"{counts.get('hoger', 0) + counts.get('lager', 0)} hoger of lager zonder "
               "oordeel, de rest niet significant of niet vergeleken.")
    return alt.layer(spread, middle, centre, dots).properties(
        width=420, height=alt.Step(18),
        title=f"Profiel van {area}: alle indicatoren naast {parent}", description=summary)


def goal_trend(series: pd.DataFrame, label: str, unit: str, target_year: int, target: float,
               forecast_band: pd.DataFrame | None = None,
               break_year: int | None = None) -> alt.LayerChart:
    """One indicator over the years with its target and the forecast band.

    ``series``: ``jaar, waarde``; ``forecast_band``: ``jaar, onder, boven`` (from the
    last observed year to the target year).
    """
    frame = series[["jaar", "waarde"]]
    x = alt.X("jaar:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1))
    layers = []
    if forecast_band is not None and len(forecast_band):
        layers.append(alt.Chart(forecast_band[["jaar", "onder", "boven"]]).mark_area(
            opacity=0.25, color=PALETTE[0]).encode(x=x, y="onder:Q", y2="boven:Q"))
    layers.append(alt.Chart(frame).mark_line(point=True, color=PALETTE[0]).encode(
        x=x, y=alt.Y("waarde:Q", title=unit, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("jaar:Q", title="Jaar", format="d"),
                 alt.Tooltip("waarde:Q", title=label, format=",.1f")]))
    goal = pd.DataFrame({"jaar": [target_year], "waarde": [target],
                         "tekst": [f"streefwaarde {target_year}"]})
    layers.append(alt.Chart(goal).mark_point(shape="diamond", size=140, filled=True,
                                             color=HIGHLIGHT).encode(
        x=x, y="waarde:Q", tooltip=[alt.Tooltip("tekst:N", title="Doel"),
                                    alt.Tooltip("waarde:Q", title="Streefwaarde")]))
    layers.append(alt.Chart(goal).mark_rule(strokeDash=[4, 3], color=HIGHLIGHT).encode(
        y="waarde:Q"))
    if break_year is not None:
        mark = pd.DataFrame({"jaar": [break_year - 0.5], "tekst": ["grenswijziging"]})
        rule = alt.Chart(mark).mark_rule(color="#666666", strokeDash=[2, 2]).encode(x=x)
        text = alt.Chart(mark).mark_text(align="left", dx=3, dy=-60, color="#444444",
                                         fontSize=10).encode(x=x, text="tekst:N")
        layers += [rule, text]
    last = frame.iloc[-1] if len(frame) else None
    now = (f"waarde {last['waarde']:.4g} in {int(last['jaar'])}".replace(".", ",")
           if last is not None else "geen waarde")
    return alt.layer(*layers).properties(
        width=320, height=160, title=label,
        description=f"{label} ({unit}): {now}; streefwaarde {target:g} in {target_year}"
                    .replace(".", ",") + (" ; met verwachtingsband." if forecast_band is not None
                                          else "."))


def status_bars(counts: pd.DataFrame) -> alt.Chart:
    """Per programme a bar of its goal indicators by target status (``counts``: a
    ``programma`` column and one column per status, as ``goals.status_counts`` gives)."""
    long = counts.melt(id_vars="programma", var_name="status", value_name="aantal")
    statuses = list(TARGET_STATUSES)
    order = statuses  # the vocabulary's words, as a JSON list in the expression
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("programma:N", title=None, sort=list(counts["programma"])),
        x=alt.X("aantal:Q", title="Aantal doelindicatoren", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status:N", sort=statuses,
                        scale=alt.Scale(domain=statuses,
                                        range=[TARGET_COLOURS[s] for s in statuses]),
                        title=None),
        order=alt.Order("volgorde:Q"),
        tooltip=[alt.Tooltip("programma:N", title="Programma"),
                 alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("aantal:Q", title="Aantal")],
    ).transform_calculate(volgorde=f"indexof({json.dumps(order)}, datum.status)").properties(
        width=420, height=alt.Step(22), title="Doelen naar status",
        description="Per programma het aantal doelindicatoren per status ("
                    f"{', '.join(statuses)}): in totaal {int(long['aantal'].sum())} "
                    "doelindicatoren.")


def area_trend(data: pd.DataFrame, label: str, unit: str, areas: list[str]
               ) -> alt.Chart | HTML:
    """One indicator over the years for a few areas (``jaar, waarde, gebied``), coloured in
    the order of ``areas``; without any value a ``no_data`` note."""
    if data.empty:
        return no_data(f"Geen gegevens: er zijn geen cijfers van {label.lower()} voor "
                       f"{' en '.join(areas)}.")
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("jaar:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("waarde:Q", title=unit, scale=alt.Scale(zero=False)),
        color=alt.Color("gebied:N", title=None,
                        scale=alt.Scale(domain=areas, range=PALETTE[:2])),
        tooltip=[alt.Tooltip("gebied:N", title="Gebied"),
                 alt.Tooltip("jaar:O", title="Jaar"),
                 alt.Tooltip("waarde:Q", title=label, format=",.1f")],
    ).properties(width=420, height=200, title=f"{label} door de jaren",
                 description=f"{label} door de jaren voor {' en '.join(areas)}.")


def budget(data: pd.DataFrame, unit: str) -> alt.Chart | HTML:
    """Begroot against realisatie per year (``jaar, soort, bedrag``); without any line a
    ``no_data`` note."""
    frame = data[["jaar", "soort", "bedrag"]]
    if frame.empty:
        return no_data("Geen gegevens: er is geen budget opgenomen in de begroting.")
    return declare(alt.Chart(frame).mark_bar().encode(
        x=alt.X("jaar:O", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("soort:N", sort=["begroot", "realisatie"]),
        y=alt.Y("bedrag:Q", title=unit),
        color=alt.Color("soort:N", title=None, sort=["begroot", "realisatie"],
                        scale=alt.Scale(range=[PALETTE[4], PALETTE[0]])),
        tooltip=[alt.Tooltip("jaar:O", title="Jaar"), alt.Tooltip("soort:N", title="Soort"),
                 alt.Tooltip("bedrag:Q", title=unit, format=",.1f")],
    ).properties(width=320, height=160, title="Begroot en gerealiseerd",
                 description=f"Begroot en gerealiseerd budget per jaar ({unit}), "
                             f"{int(frame['jaar'].min())}–{int(frame['jaar'].max())}."),
        {})  # money, not indicator values
