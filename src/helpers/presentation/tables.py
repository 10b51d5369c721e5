"""Formatted tables for reports: Dutch numbers, status badges, definitions as tooltips.

Every table is an accessible HTML ``<table>`` with a caption, header cells with
``scope`` and numbers right-aligned; status words are shown as badges whose meaning
does not depend on colour alone (the word is always written).
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from helpers import model
from helpers.analysis.profile import AreaProfile
from helpers.numbers import format_number
from helpers.presentation.declare import cell_attributes
from helpers.presentation.embed import METADATA_KEY

__all__ = ["Table", "key_figures", "key_figures_html", "badge", "frame_table", "signal_table"]


class Table:
    """A table for display: HTML for the report, plus its data as output metadata so
    that publishing can also write it to an Excel workbook."""

    def __init__(self, html_text: str, caption: str, frame: pd.DataFrame):
        self.data = html_text
        self.caption = caption
        self.frame = frame

    def _records(self) -> list[list]:
        def cell(value):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                return None
            if hasattr(value, "item"):
                value = value.item()
            return value if isinstance(value, int | float | str | bool) else str(value)

        return [[cell(v) for v in row] for row in self.frame.itertuples(index=False)]

    def _repr_mimebundle_(self, include=None, exclude=None):
        meta = {METADATA_KEY: {"table": {"caption": self.caption,
                                       "columns": [str(c) for c in self.frame.columns],
                                       "rows": self._records()}}}
        return {"text/html": self.data}, meta

    def _repr_html_(self) -> str:
        return self.data

_BADGES = {  # a status word → its badge's look (the word itself is always written)
    model.ON_TRACK: "goed", "beter": "goed", "afgerond": "goed", "verbetert": "goed",
    model.AT_RISK: "let-op", "vertraagd": "let-op", "gelijk": "neutraal", "lopend": "neutraal",
    model.OFF_TRACK: "slecht", "slechter": "slecht", "verslechtert": "slecht",
    model.UNKNOWN: "onbekend", "niet gestart": "onbekend", "niet vergeleken": "onbekend",
    "vervallen": "onbekend", "hoog": "slecht", "middel": "let-op", "laag": "neutraal",
}


def badge(text: str) -> str:
    """A status word as a badge (colour plus the word itself)."""
    kind = _BADGES.get(str(text), "neutraal")
    return f"<span class='badge badge-{kind}'>{html.escape(str(text))}</span>"


def frame_table(frame: pd.DataFrame, caption: str, numeric: dict[str, int] | None = None,
                badges: tuple[str, ...] = (), row_header: str | None = None,
                indicators: list | None = None, value_columns: tuple[str, ...] = ()
                ) -> Table:
    """Any frame as an accessible Dutch table.

    ``numeric`` maps column → decimals (right-aligned, nl-NL); ``badges`` are status
    columns; ``row_header`` is the column that names each row. When the cells of
    ``value_columns`` show indicator values, ``indicators`` gives each row's catalogue
    indicator, so that the privacy scan (``helpers.publish.audit``) can check them.
    """
    numeric = numeric or {}
    esc = html.escape
    marks = [cell_attributes(i) for i in indicators] if indicators is not None else None
    head = "".join(
        f"<th scope='col'{' class=num' if c in numeric else ''}>{esc(str(c))}</th>"
        for c in frame.columns)
    body = []
    for number, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            value = row[column]
            mark = marks[number] if marks is not None and column in value_columns else ""
            if column in numeric:
                text = esc(format_number(value, numeric[column])) if pd.notna(value) else "–"
                cells.append(f"<td class='num'{mark}>{text}</td>")
                continue
            text = "–" if value is None or (isinstance(value, float) and pd.isna(value)) else (
                badge(value) if column in badges else esc(str(value)))
            tag = f"th scope='row'{mark}" if column == row_header else f"td{mark}"
            cells.append(f"<{tag}>{text}</{tag.split()[0]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return Table(f"<table class='stuurkit-table'><caption>{esc(caption)}</caption><thead><tr>"
                 f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>", caption, frame)


def key_figures_html(profile: AreaProfile) -> str:
    """The key-figures table of an area profile as an accessible HTML table."""
    frame = profile.key_figures()
    catalogue = profile.facts.catalogue
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
        mark = cell_attributes(catalogue[row.indicator])
        own = format_number(row.value, row.decimals, row.status)
        gemeente = format_number(row.gemeente_value, row.decimals, row.gemeente_status)
        body.append(
            "<tr>"
            f"<td>{esc(theme)}</td>"
            f"<th scope='row' title='{esc(tip, quote=True)}'>{esc(row.label)}</th>"
            f"<td class='num'{mark}>{esc(own)}</td>"
            f"<td class='num'{mark}>{esc(gemeente)}</td>"
            f"<td>{esc(row.unit)}</td>"
            f"<td class='num'>{int(row.year) if pd.notna(row.year) else '–'}</td>"
            "</tr>"
        )
    caption = (f"Kerncijfers {esc(profile.name)} en {esc(profile.gemeente_name)}: nieuwste "
               f"beschikbare jaar tot en met {profile.year}. 'geheim' = niet gepubliceerd door "
               "CBS; 'onderdrukt' = te klein aantal om te tonen; – = geen gegevens.")
    return (f"<table class='stuurkit-table'><caption>{caption}</caption>{head}<tbody>"
            + "".join(body) + "</tbody></table>")


def key_figures(profile: AreaProfile) -> Table:
    """Display object for the notebook (see ``key_figures_html``)."""
    frame = profile.key_figures()
    data = pd.DataFrame({
        "Thema": frame["theme"], "Indicator": frame["label"],
        profile.name: frame["value"].where(frame["status"].isin(model.USABLE)),
        profile.gemeente_name: frame["gemeente_value"].where(
            frame["gemeente_status"].isin(model.USABLE)),
        "Eenheid": frame["unit"], "Jaar": frame["year"],
    })
    return Table(key_figures_html(profile), f"Kerncijfers {profile.name}", data)


def signal_table(signals: pd.DataFrame, caption: str, limit: int | None = None
                 ) -> HTML | Table:
    """Signals (from ``helpers.analysis.signals``) as a table; empty → a sentence saying so."""
    if signals.empty:
        return HTML("<p>Er zijn geen signalen.</p>")
    shown = signals.head(limit) if limit else signals
    frame = pd.DataFrame({
        "Ernst": shown["ernst"].map({1: "hoog", 2: "middel", 3: "laag"}),
        "Signaal": shown["soort"], "Gebied": shown["gebied_naam"].fillna(shown["gebied"]),
        "Toelichting": shown["uitleg"], "Gebaseerd op": shown["basis"],
    })
    return frame_table(frame, caption, badges=("Ernst",))
