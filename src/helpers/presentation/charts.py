"""Charts for reports (altair). Each chart embeds only the columns it draws.

* ``trends`` — small multiples of key indicators, area against gemeente;
* ``spine`` — Fingertips-style profile of all indicators of one area, by theme;
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
from helpers.presentation.theme import (
    AREA,
    BUDGET_COLOURS,
    COMPARISON,
    NO_DATA,
    STATUS_COLOURS,
    TARGET_COLOURS,
    TARGET_MARK,
)

__all__ = ["trends", "spine", "goal_trend", "status_bars", "area_trend", "budget", "no_data",
           "value_domain", "MIN_SPAN"]

_STATUS_ORDER = ["beter", "gelijk", "slechter", "hoger", "lager", "niet vergeleken"]
_STATUS_RANGE = [STATUS_COLOURS[s] for s in _STATUS_ORDER]
SPREAD_MIDDLE = "#9E9E9E"  # the middle half of the spread on the profile (no meaning)


def no_data(text: str) -> HTML:
    """A note in place of a chart with nothing to draw: ``text`` says (in Dutch) what is
    missing.

    >>> no_data("Geen gegevens: er zijn geen cijfers van Noord.").data
    '<p><em>Geen gegevens: er zijn geen cijfers van Noord.</em></p>'
    """
    return HTML(str(markup.render("sentence.html.j2", text=text, emphasis=True)))


def _years_axis(years: list[int]) -> alt.Axis:
    """Whole years as labels: every year up to seven, else every other one, always the
    newest."""
    shown = years if len(years) <= 7 else years[::-1][::2][::-1]
    return alt.Axis(values=shown, labelAngle=0, title=None, labelOverlap=False)


MIN_SPAN = 0.4  # a panel's value axis spans at least this share of its largest value


def value_domain(values: pd.Series, kind: str, unit: str) -> list[float]:
    """The value axis of a trend panel: never zoomed into noise.

    A count starts at zero. Any other indicator spans at least ``MIN_SPAN`` of its
    largest absolute value, centred on its values, and stays within what it can be: not
    below zero when no value is, not above 100 for a percentage.

    >>> value_domain(pd.Series([50.56, 50.60]), "proportion", "%")
    [40.46, 60.7]
    >>> value_domain(pd.Series([120, 180]), "count", "inwoners")
    [0.0, 180.0]
    """
    low, high = float(values.min()), float(values.max())
    if kind == "count":
        return [min(0.0, low), max(high, 1.0)]
    span = max(high - low, MIN_SPAN * max(abs(low), abs(high)), 1e-9)
    centre = (low + high) / 2
    bottom, top = centre - span / 2, centre + span / 2
    if low >= 0 and bottom < 0:
        bottom, top = 0.0, max(top - bottom, high)
    if unit.strip() == "%" and top > 100:
        bottom, top = max(0.0, min(bottom, 100 - span)), 100.0
    return [round(bottom, 6), round(top, 6)]


def _unit_title(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def trends(profile: AreaProfile, indicators: list | None = None, columns: int = 3,
           why: str = "") -> alt.ConcatChart | HTML:
    """Small multiples of ``indicators`` (default: every indicator of the profile) over
    the years, the area (solid) against the gemeente (dashed).

    Each panel's title carries the unit; its years are whole years, the same for every
    panel; its value axis shows the indicator's decimals over ``value_domain`` (zero for
    counts, never zoomed into noise). A boundary change of the area starts its line anew
    (earlier years are not comparable and are left out). ``why`` says in the chart's
    description how the panels were chosen. The chart declares every observation it
    draws, suppressed ones with their status (``declare``): its data table and the
    workbook hold every panel. Without any value for the area or the gemeente: a
    ``no_data`` note.
    """
    chosen = list(indicators) if indicators is not None else list(profile.indicators)
    data = profile.trends()
    data = data[data["indicator"].isin([i.id for i in chosen])]
    if data.empty:
        return no_data(f"Geen gegevens: er zijn geen cijfers van {profile.name} of "
                       f"{profile.gemeente_name} tot en met {profile.year}.")
    chosen = [i for i in chosen if i.id in set(data["indicator"])]
    years = list(range(int(data["year"].min()), int(data["year"].max()) + 1))
    areas = [profile.name, profile.gemeente_name]
    colour = alt.Color("gebied:N", title=None,
                       scale=alt.Scale(domain=areas, range=[AREA, COMPARISON]))
    dash = alt.StrokeDash("gebied:N", title=None,
                          scale=alt.Scale(domain=areas, range=[[1, 0], [5, 3]]))
    panels = []
    for indicator in chosen:
        rows = data[data["indicator"] == indicator.id]
        decimals = int(indicator.decimals)
        frame = pd.DataFrame({"jaar": rows["year"].astype(int),
                              "waarde": rows["value"].round(decimals),
                              "gebied": rows["gebied"]}).sort_values(["gebied", "jaar"])
        x = alt.X("jaar:O", scale=alt.Scale(domain=years), axis=_years_axis(years))
        y = alt.Y("waarde:Q", title=None,
                  scale=alt.Scale(domain=value_domain(frame["waarde"], indicator.kind,
                                                      indicator.unit)),
                  axis=alt.Axis(format=f",.{decimals}f", tickCount=4))
        encoding = dict(
            x=x, y=y, color=colour,
            tooltip=[alt.Tooltip("gebied:N", title="Gebied"),
                     alt.Tooltip("jaar:O", title="Jaar"),
                     alt.Tooltip("waarde:Q", title=indicator.unit or "Waarde",
                                 format=f",.{decimals}f")])
        # built by the constructors, not by + and .properties(): each of those copies
        # every part again (a third of a wijkprofiel's time went to these copies)
        panels.append(alt.LayerChart(
            data=frame, layer=[alt.Chart().mark_line().encode(strokeDash=dash, **encoding),
                               alt.Chart().mark_point().encode(**encoding)],
            width=190, height=110, title=_unit_title(indicator.label, indicator.unit)))
    series = _trend_series(profile, chosen)
    chart = alt.ConcatChart(
        concat=panels, columns=columns,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="shared", strokeDash="shared")),
        title=alt.TitleParams(f"Ontwikkeling {profile.name} en {profile.gemeente_name}",
                              offset=12),
        description=f"{len(panels)} kleine grafieken{why}: elke indicator door de jaren "
                    f"heen ({years[0]}–{years[-1]}), {profile.name} (doorgetrokken lijn) "
                    f"naast {profile.gemeente_name} (gestreepte lijn).")
    return declare(chart, {"waarde": chosen}, series=series,
                   names={profile.code: profile.name,
                          profile.gemeente_code: profile.gemeente_name})


def _trend_series(profile: AreaProfile, chosen: list) -> pd.DataFrame:
    """Every observation the trend panels are about, shown or not: the area's since its
    boundary change, the gemeente's (counts of the area only), in panel order."""
    obs = profile.observations
    ids = [i.id for i in chosen]
    counts = {i.id for i in chosen if i.kind == "count"}
    keep = obs["indicator"].isin(ids) & ~(obs["indicator"].isin(counts)
                                          & (obs["area_code"] == profile.gemeente_code))
    if profile.break_year is not None:
        keep &= (obs["area_code"] != profile.code) | (obs["year"] >= profile.break_year)
    rows = obs[keep]
    order = {i: n for n, i in enumerate(ids)}
    place = {profile.code: 0, profile.gemeente_code: 1}
    return rows.assign(_i=rows["indicator"].map(order), _a=rows["area_code"].map(place)
                       ).sort_values(["_i", "_a", "year"])


def spine(data: pd.DataFrame, area: str, parent: str, width: int = 360
          ) -> alt.FacetChart | HTML:
    """Profile of one area: per indicator, grouped by theme, the spread of all areas of
    its level (grey), the parent's value (the centre line), the area (dot, coloured by
    significance) and, beside each row, the area's value as the page writes it
    (catalogue decimals and unit).

    ``data`` comes from ``analysis.profile.spine_data``; positions are scaled per
    indicator so the parent sits in the middle and the most extreme area at the edge,
    oriented so that *right is better* for indicators with a polarity. The scaled
    positions are only drawn: tooltips, the text beside each row and the data table
    (the declared series, ``helpers.reports.wijkprofiel.spine``) show the values
    themselves. Without indicators: a ``no_data`` note.
    """
    if data.empty:
        return no_data(f"Geen gegevens: er is geen indicator met een waarde voor {area} "
                       f"en {parent}.")
    cols = ["label", "theme", "minimum", "q25", "q75", "maximum", "punt", "vergelijking",
            "waarde", "referentie", "jaar", "methode"]
    frame = data[cols].assign(theme=data["theme"].fillna("Overig"))
    themes = list(dict.fromkeys(frame["theme"]))
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=240))
    scale = alt.Scale(domain=[-1.05, 1.05])
    # a name from data enters the expression as a JSON string literal, never as code
    x_axis = alt.Axis(values=[-1, 0, 1], labelExpr=f"datum.value == 0 ? {json.dumps(parent)}"
                      " : (datum.value < 0 ? 'slechter / lager' : 'beter / hoger')",
                      title=None, grid=False)
    base = alt.Chart().encode(y=y)
    spread = base.mark_rule(color=NO_DATA, strokeWidth=10).encode(
        x=alt.X("minimum:Q", scale=scale, axis=x_axis), x2="maximum:Q")
    middle = base.mark_rule(color=SPREAD_MIDDLE, strokeWidth=10).encode(
        x=alt.X("q25:Q", scale=scale), x2="q75:Q")
    # the parent's value, a line without data of its own: hidden from screen readers
    # (an unlabelled graphics symbol), the figure's text and data table say it
    centre = alt.Chart().mark_rule(color=COMPARISON, strokeWidth=1.5, aria=False).encode(
        x=alt.X(datum=0, scale=scale))
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
    value = base.mark_text(align="left", dx=8, fontSize=11, color="#1a1a1a").encode(
        x=alt.value(width), text="waarde:N")
    counts = frame["vergelijking"].value_counts()
    summary = (f"Profiel van {area} op {len(frame)} indicatoren in {len(themes)} thema's "
               f"naast {parent}: "
               f"{counts.get('beter', 0)} significant gunstiger, "
               f"{counts.get('slechter', 0)} ongunstiger, "
               f"{counts.get('hoger', 0) + counts.get('lager', 0)} hoger of lager zonder "
               "oordeel, de rest niet significant of niet vergeleken.")
    return alt.layer(spread, middle, centre, dots, value, data=frame).properties(
        width=width, height=alt.Step(18)).facet(
        row=alt.Row("theme:N", sort=themes, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                      labelOrient="top", labelFontWeight="bold",
                                      labelFontSize=12)),
        spacing=8).resolve_scale(y="independent").properties(
        title=f"Profiel van {area}: alle indicatoren naast {parent}, per thema",
        description=summary)


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
            opacity=0.25, color=COMPARISON).encode(x=x, y="onder:Q", y2="boven:Q"))
    layers.append(alt.Chart(frame).mark_line(point=True, color=COMPARISON).encode(
        x=x, y=alt.Y("waarde:Q", title=unit, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("jaar:Q", title="Jaar", format="d"),
                 alt.Tooltip("waarde:Q", title=label, format=",.1f")]))
    goal = pd.DataFrame({"jaar": [target_year], "waarde": [target],
                         "tekst": [f"streefwaarde {target_year}"]})
    layers.append(alt.Chart(goal).mark_point(shape="diamond", size=140, filled=True,
                                             color=TARGET_MARK).encode(
        x=x, y="waarde:Q", tooltip=[alt.Tooltip("tekst:N", title="Doel"),
                                    alt.Tooltip("waarde:Q", title="Streefwaarde")]))
    layers.append(alt.Chart(goal).mark_rule(strokeDash=[4, 3], color=TARGET_MARK).encode(
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
    """One indicator over the years for a few areas (``jaar, waarde, gebied``): ``areas``
    names the comparison area (the gemeente, ``theme.COMPARISON``, dashed) first, then
    the selected area (``theme.AREA``); without any value a ``no_data`` note."""
    if data.empty:
        return no_data(f"Geen gegevens: er zijn geen cijfers van {label.lower()} voor "
                       f"{' en '.join(areas)}.")
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("jaar:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("waarde:Q", title=unit, scale=alt.Scale(zero=False)),
        color=alt.Color("gebied:N", title=None,
                        scale=alt.Scale(domain=areas, range=[COMPARISON, AREA][:len(areas)])),
        strokeDash=alt.StrokeDash("gebied:N", title=None, scale=alt.Scale(
            domain=areas, range=[[5, 3], [1, 0]][:len(areas)])),
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
                        scale=alt.Scale(domain=list(BUDGET_COLOURS),
                                        range=list(BUDGET_COLOURS.values()))),
        tooltip=[alt.Tooltip("jaar:O", title="Jaar"), alt.Tooltip("soort:N", title="Soort"),
                 alt.Tooltip("bedrag:Q", title=unit, format=",.1f")],
    ).properties(width=320, height=160, title="Begroot en gerealiseerd",
                 description=f"Begroot en gerealiseerd budget per jaar ({unit}), "
                             f"{int(frame['jaar'].min())}–{int(frame['jaar'].max())}."),
        {})  # money, not indicator values
