"""Formatted tables for reports: Dutch numbers, status words, definitions as tooltips."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from helpers.numbers import format_number
from helpers.profile import AreaProfile

__all__ = ["key_figures", "key_figures_html"]


def key_figures_html(profile: AreaProfile) -> str:
    """The key-figures table of an area profile as an accessible HTML table."""
    frame = profile.key_figures()
    esc = html.escape
    head = (
        "<thead><tr><th scope='col'>Thema</th><th scope='col'>Indicator</th>"
        f"<th scope='col' class='num'>{esc(profile.name)}</th>"
        f"<th scope='col' class='num'>{esc(profile.gemeente_name)}</th>"
        "<th scope='col'>Eenheid</th><th scope='col' class='num'>Jaar</th></tr></thead>"
    )
    body = []
    previous_theme = None
    for row in frame.itertuples(index=False):
        theme = row.theme if row.theme != previous_theme else ""
        previous_theme = row.theme
        tip = f"{row.description} Bron: {row.source}."
        own = format_number(row.value, row.decimals, row.status)
        gemeente = format_number(row.gemeente_value, row.decimals, row.gemeente_status)
        body.append(
            "<tr>"
            f"<td>{esc(theme)}</td>"
            f"<th scope='row' title='{esc(tip, quote=True)}'>{esc(row.label)}</th>"
            f"<td class='num'>{esc(own)}</td>"
            f"<td class='num'>{esc(gemeente)}</td>"
            f"<td>{esc(row.unit)}</td>"
            f"<td class='num'>{int(row.year) if pd.notna(row.year) else '–'}</td>"
            "</tr>"
        )
    caption = (f"Kerncijfers {esc(profile.name)} en {esc(profile.gemeente_name)}: nieuwste "
               f"beschikbare jaar tot en met {profile.year}. 'geheim' = niet gepubliceerd door "
               "CBS; 'onderdrukt' = te klein aantal om te tonen; – = geen gegevens.")
    return (f"<table class='stuurkit-table'><caption>{caption}</caption>{head}<tbody>"
            + "".join(body) + "</tbody></table>")


def key_figures(profile: AreaProfile) -> HTML:
    """Display object for the notebook (see ``key_figures_html``)."""
    return HTML(key_figures_html(profile))
