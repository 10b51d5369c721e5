"""Charts for reports (altair). Each chart embeds only the columns it draws."""

from __future__ import annotations

import altair as alt

from helpers.profile import AreaProfile
from helpers.theme import PALETTE

__all__ = ["trends"]


def trends(profile: AreaProfile, columns: int = 3) -> alt.FacetChart:
    """Small multiples: every indicator over the years, the area against the gemeente.

    The y-axis of each panel is independent; a boundary change of the area starts its
    line anew (earlier years are not comparable and are left out).
    """
    data = profile.trends()[["label", "year", "value", "gebied"]]
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
    return chart.facet(
        facet=alt.Facet("label:N", title=None, sort=order, header=alt.Header(labelLimit=200)),
        columns=columns,
    ).resolve_scale(y="independent").properties(
        title=f"Ontwikkeling {profile.name} en {profile.gemeente_name}"
    )


def _short_year() -> str:
    # '2017' → "'17" keeps small panels readable
    return "\"'\" + substring(datum.label, 2, 4)"

