"""Formatted tables for reports: Dutch numbers, status badges, definitions as tooltips.

Every table is an accessible HTML ``<table>`` with a caption, header cells with
``scope`` and numbers right-aligned; status words are shown as badges whose meaning
does not depend on colour alone (the word is always written).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from helpers import model
from helpers.analysis.profile import AreaProfile
from helpers.numbers import format_number
from helpers.presentation import markup
from helpers.presentation.declare import cell_attributes
from helpers.presentation.embed import METADATA_KEY

__all__ = ["Table", "key_figures", "key_figures_html", "badge", "badge_kind", "frame_table",
           "signal_table"]


class Table:
    """A table for display: HTML for the report, plus its data as output metadata so
    that publishing can also write it to an Excel workbook.

    The workbook is published output like the page: ``decimals`` (column → decimals, or
    column → one number of decimals per row) rounds its numbers as the page shows them,
    and a value the page does not show (suppressed, secret) is not in it either.
    """

    def __init__(self, html_text: str, caption: str, frame: pd.DataFrame,
                 decimals: dict[str, int | list[int]] | None = None):
        self.data = str(html_text)
        self.caption = caption
        self.frame = frame
        self.decimals = decimals or {}

    def _records(self) -> list[list]:
        def cell(value, decimals):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                return None
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, float) and decimals is not None:
                value = round(value, decimals)
                return int(value) if decimals == 0 else value
            return value if isinstance(value, int | float | str | bool) else str(value)

        per_column = []
        for column in self.frame.columns:
            spec = self.decimals.get(column)
            per_column.append(spec if isinstance(spec, list) else [spec] * len(self.frame))
        return [[cell(v, per_column[i][n]) for i, v in enumerate(row)]
                for n, row in enumerate(self.frame.itertuples(index=False))]

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
    model.MET: "goed", model.NOT_MET: "slecht",
    model.UNKNOWN: "onbekend", "niet gestart": "onbekend", "niet vergeleken": "onbekend",
    "vervallen": "onbekend", "hoog": "slecht", "middel": "let-op", "laag": "neutraal",
}


def badge_kind(text) -> str:
    """The look of a status word's badge (``goed``, ``let-op``, …)."""
    return _BADGES.get(str(text), "neutraal")


def badge(text: str) -> markup.Markup:
    """A status word as a badge (colour plus the word itself)."""
    return markup.render("badge.html.j2", text=str(text), kind=badge_kind(text))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


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
    marks = [cell_attributes(i) for i in indicators] if indicators is not None else None
    columns = [{"name": str(c), "numeric": c in numeric} for c in frame.columns]
    rows = []
    for number, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            value = row[column]
            attrs = marks[number] if marks is not None and column in value_columns else {}
            if column in numeric:
                text = format_number(value, numeric[column]) if pd.notna(value) else "–"
                cells.append({"text": text, "numeric": True, "header": False,
                              "badge": None, "attrs": attrs})
                continue
            missing = _missing(value)
            cells.append({"text": "–" if missing else str(value), "numeric": False,
                          "header": column == row_header, "attrs": attrs,
                          "badge": badge_kind(value) if column in badges and not missing
                          else None})
        rows.append(cells)
    return Table(markup.render("table.html.j2", caption=caption, columns=columns, rows=rows),
                 caption, frame, decimals=dict(numeric))


def key_figures_html(profile: AreaProfile) -> str:
    """The key-figures table of an area profile as an accessible HTML table."""
    frame = profile.key_figures()
    catalogue = profile.facts.catalogue
    rows = []
    previous_theme = None
    for row in frame.itertuples(index=False):
        rows.append({
            "theme": row.theme if row.theme != previous_theme else "",
            "tip": f"{row.description} Bron: {row.source}.", "label": row.label,
            "attrs": cell_attributes(catalogue[row.indicator]),
            "own": format_number(row.value, row.decimals, row.status),
            "gemeente": format_number(row.gemeente_value, row.decimals, row.gemeente_status),
            "unit": row.unit, "year": int(row.year) if pd.notna(row.year) else "–"})
        previous_theme = row.theme
    return str(markup.render("key_figures.html.j2", name=profile.name,
                             gemeente=profile.gemeente_name, caption=_key_caption(profile),
                             rows=rows))


def _key_caption(profile: AreaProfile) -> str:
    return (f"Kerncijfers {profile.name} en {profile.gemeente_name}: nieuwste beschikbare "
            f"jaar tot en met {profile.year}. 'geheim' = niet gepubliceerd door CBS; "
            "'onderdrukt' = te klein aantal om te tonen; – = geen gegevens.")


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
    decimals = [int(d) for d in frame["decimals"]]
    return Table(key_figures_html(profile), _key_caption(profile), data,
                 decimals={profile.name: decimals, profile.gemeente_name: decimals})


def signal_table(signals: pd.DataFrame, caption: str, limit: int | None = None
                 ) -> HTML | Table:
    """Signals (from ``helpers.analysis.signals``) as a table; empty → a sentence saying so."""
    if signals.empty:
        return HTML(markup.render("sentence.html.j2", text="Er zijn geen signalen."))
    shown = signals.head(limit) if limit else signals
    frame = pd.DataFrame({
        "Ernst": shown["ernst"].map({1: "hoog", 2: "middel", 3: "laag"}),
        "Signaal": shown["soort"], "Gebied": shown["gebied_naam"].fillna(shown["gebied"]),
        "Toelichting": shown["uitleg"], "Gebaseerd op": shown["basis"],
    })
    return frame_table(frame, caption, badges=("Ernst",))
