"""Formatted tables for reports: Dutch numbers, status badges, definitions as tooltips.

Every table is an accessible HTML ``<table>`` with a caption, header cells with
``scope`` and numbers right-aligned; status words are shown as badges whose meaning
does not depend on colour alone (the word is always written).
"""

from __future__ import annotations

import datetime
import re

import pandas as pd
from IPython.display import HTML

from helpers import model
from helpers.analysis import country as country_figures
from helpers.analysis.profile import AreaProfile
from helpers.numbers import format_number
from helpers.presentation import markup
from helpers.presentation.declare import cell_attributes
from helpers.presentation.embed import METADATA_KEY
from helpers.presentation.theme import STATUS_COLOURS, TARGET_COLOURS, badge_class

__all__ = ["Table", "DATE", "key_figures", "key_figures_html", "badge", "badge_kind",
           "frame_table", "signal_table"]


class Table:
    """A table for display: HTML for the report, plus its data as output metadata so
    that publishing can also write it to an Excel workbook.

    The workbook is published output like the page: ``decimals`` (column → decimals, or
    column → one number of decimals per row) rounds its numbers as the page shows them,
    and a value the page does not show (suppressed, secret) is not in it either. The
    metadata carries, beside each row, how each cell is written (``formats``: the
    number's decimals, ``"date"`` for a date given as ISO text, or ``None``), so that the
    workbook stores numbers as numbers and dates as dates, shown as on the page.
    """

    def __init__(self, html_text: str, caption: str, frame: pd.DataFrame,
                 decimals: dict[str, int | list[int]] | None = None):
        self.data = str(html_text)
        self.caption = caption
        self.frame = frame
        self.decimals = decimals or {}

    def _cells(self) -> tuple[list[list], list[list]]:
        def cell(value, decimals):
            if value is None or (isinstance(value, float) and pd.isna(value)) or (
                    value is pd.NaT):
                return None, None
            if isinstance(value, datetime.datetime | pd.Timestamp):
                return value.date().isoformat(), DATE
            if isinstance(value, datetime.date):
                return value.isoformat(), DATE
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, bool):
                return value, None
            if isinstance(value, float) and decimals is not None:
                value = round(value, decimals)
                return (int(value) if decimals == 0 else value), decimals
            if isinstance(value, float) and value.is_integer():
                return int(value), None  # a year or count the frame held as float
            if isinstance(value, int):
                return value, decimals
            if isinstance(value, str):
                day = _as_date(value)
                return (day.isoformat(), DATE) if day is not None else (value, None)
            return (value if isinstance(value, float) else str(value)), None

        per_column = []
        for column in self.frame.columns:
            spec = self.decimals.get(column)
            per_column.append(spec if isinstance(spec, list) else [spec] * len(self.frame))
        values, formats = [], []
        for n, row in enumerate(self.frame.itertuples(index=False)):
            pairs = [cell(v, per_column[i][n]) for i, v in enumerate(row)]
            values.append([p[0] for p in pairs])
            formats.append([p[1] for p in pairs])
        return values, formats

    def _records(self) -> list[list]:
        return self._cells()[0]

    def _repr_mimebundle_(self, include=None, exclude=None):
        rows, formats = self._cells()
        meta = {METADATA_KEY: {"table": {"caption": self.caption,
                                       "columns": [str(c) for c in self.frame.columns],
                                       "rows": rows, "formats": formats}}}
        return {"text/html": self.data}, meta

    def _repr_html_(self) -> str:
        return self.data


DATE = "date"  # the format of a date cell in a table's metadata
_DATE_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{2})-(\d{2})-(\d{4})$")


def _as_date(text: str) -> datetime.date | None:
    """The day a cell's whole text names (``2025-12-31`` or ``31-12-2025``), else ``None``.

    >>> _as_date("31-12-2025"), _as_date("2025-02-30"), _as_date("66 (2019)")
    (datetime.date(2025, 12, 31), None, None)
    """
    match = _DATE_TEXT.match(text.strip())
    if match is None:
        return None
    year, month, day = (match.group(1, 2, 3) if match.group(1) else
                        match.group(6, 5, 4))
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


# a status word → its badge's look (the word itself is always written). A comparison or
# target status has the colour of its meaning (``theme.STATUS_COLOURS``,
# ``theme.TARGET_COLOURS``); the words of other vocabularies (actions, trends, the
# severity of a signal) have no colour, only a weight: ``nadruk`` or ``neutraal``.
_COLOURED = {word: badge_class(word) for word in [*STATUS_COLOURS, *TARGET_COLOURS]}
_BADGES = {
    **_COLOURED,
    "afgerond": "neutraal", "lopend": "neutraal", "niet gestart": "neutraal",
    "vervallen": "neutraal", "vertraagd": "nadruk",
    "verbetert": "neutraal", "verslechtert": "nadruk",
    "hoog": "nadruk", "middel": "neutraal", "laag": "neutraal",
}


def badge_kind(text) -> str:
    """The look of a status word's badge (``beter``, ``op-koers``, ``neutraal``, …)."""
    return _BADGES.get(str(text), "neutraal")


def badge(text: str) -> markup.Markup:
    """A status word as a badge (colour plus the word itself)."""
    return markup.render("badge.html.j2", text=str(text), kind=badge_kind(text))



def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def frame_table(frame: pd.DataFrame, caption: str, numeric: dict[str, int] | None = None,
                badges: tuple[str, ...] = (), row_header: str | None = None,
                indicators: list | None = None, value_columns: tuple[str, ...] = (),
                links: dict[str, list[str | None]] | None = None) -> Table:
    """Any frame as an accessible Dutch table.

    ``numeric`` maps column → decimals (right-aligned, nl-NL); ``badges`` are status
    columns; ``row_header`` is the column that names each row. When the cells of
    ``value_columns`` show indicator values, ``indicators`` gives each row's catalogue
    indicator, so that the privacy scan (``helpers.publish.audit``) can check them.
    ``links`` maps a text column → per row the file its cell links to (``None``: no
    link), e.g. a programme's monitor; the workbook keeps the text.
    """
    numeric = numeric or {}
    links = links or {}
    marks = [cell_attributes(i) for i in indicators] if indicators is not None else None
    columns = [{"name": str(c), "numeric": c in numeric} for c in frame.columns]
    # each column as a list of Python values (what iterating its Series gives) and what
    # kind of cell it makes: iterating a frame row by row costs per value (arrow text)
    kinds = [(numeric.get(column), column in badges, column == row_header,
              links.get(column), column in value_columns and marks is not None)
             for column in frame.columns]
    values = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    rows = []
    for number, row in enumerate(zip(*values, strict=True)):
        cells = []
        for (decimals, is_badge, header, link, marked), value in zip(kinds, row,
                                                                     strict=True):
            attrs = marks[number] if marked else {}
            if decimals is not None:
                text = format_number(value, decimals) if pd.notna(value) else "–"
                cells.append({"text": text, "numeric": True, "header": False,
                              "badge": None, "attrs": attrs, "href": None})
                continue
            missing = _missing(value) or value is pd.NaT
            text = "–" if missing else value.strftime("%d-%m-%Y") if isinstance(
                value, datetime.date) else str(value)
            cells.append({"text": text, "numeric": False,
                          "header": header, "attrs": attrs,
                          "badge": badge_kind(value) if is_badge and not missing else None,
                          "href": link[number] if link is not None else None})
        rows.append(cells)
    return Table(markup.render("table.html.j2", caption=caption, columns=columns, rows=rows),
                 caption, frame, decimals=dict(numeric))


def _country_values(frame: pd.DataFrame, country: pd.DataFrame | None) -> pd.Series:
    """Per key-figure row the country's value of the same indicator and year (NaN: none)."""
    return _country_column(frame, country, "value", float("nan")).astype(float)


def _country_column(frame: pd.DataFrame, country: pd.DataFrame | None, column: str,
                    default) -> pd.Series:
    if country is None or country.empty or column not in country:
        return pd.Series(default, index=frame.index, dtype=object)
    values = country.dropna(subset=["value"]).set_index(["indicator", "year"])[column]
    return pd.Series([values.get((i, int(y)), default) if pd.notna(y) else default
                      for i, y in zip(frame["indicator"], frame["year"], strict=True)],
                     index=frame.index, dtype=object)


def _country_method(frame: pd.DataFrame, country: pd.DataFrame | None,
                    national: pd.Series) -> str:
    """How the country's values shown (``national``: ``_country_values``) were made, in a
    sentence (from their ``method``): summed from every gemeente's figures, CBS's own
    figure for Nederland, or both."""
    methods = _country_column(frame, country, "method", None)
    methods = methods[methods.notna() & national.notna()]
    published = country_figures.is_published(methods)
    parts = []
    if (~published).any():
        parts.append("berekend uit de cijfers van alle gemeenten in de landelijke bestanden, "
                     "alleen waar elke gemeente een cijfer heeft")
    if published.any():
        parts.append(country_figures.PUBLISHED_WORDS + " (de rij Nederland van het "
                     "bestand)" + (" waar de gemeenten er geen geven"
                                       if (~published).any() else ""))
    return "; ".join(parts)


def key_figures_html(profile: AreaProfile, country: pd.DataFrame | None = None,
                     country_name: str = "") -> str:
    """The key-figures table of an area profile as an accessible HTML table; with
    ``country`` (``indicator, year, value``: ``helpers.analysis.country.nederland``) a
    column ``country_name`` of the country's value in the same year."""
    frame = profile.key_figures()
    catalogue = profile.facts.catalogue
    national = _country_values(frame, country)
    rows = []
    previous_theme = None
    for row, nl in zip(frame.itertuples(index=False), national, strict=True):
        rows.append({
            "theme": row.theme if row.theme != previous_theme else "",
            "tip": f"{row.description} Bron: {row.source}.", "label": row.label,
            "attrs": cell_attributes(catalogue[row.indicator]),
            "own": format_number(row.value, row.decimals, row.status),
            "gemeente": format_number(row.gemeente_value, row.decimals, row.gemeente_status),
            "country": format_number(nl, row.decimals),
            "unit": row.unit, "year": int(row.year) if pd.notna(row.year) else "–"})
        previous_theme = row.theme
    shown = country_name if national.notna().any() else ""
    return str(markup.render("key_figures.html.j2", name=profile.name,
                             gemeente=profile.gemeente_name, country=shown,
                             caption=_key_caption(profile, shown,
                                                  _country_method(frame, country, national)),
                             rows=rows))


def _key_caption(profile: AreaProfile, country_name: str = "", method: str = "") -> str:
    caption = (f"Kerncijfers {profile.name} en {profile.gemeente_name}"
               + (f" en {country_name}" if country_name else "")
               + f": nieuwste beschikbare jaar tot en met {profile.year}. ")
    if country_name and method:
        caption += f"{country_name}: {method}. "
    return caption + ("'geheim' = niet gepubliceerd door CBS; 'onderdrukt' = te klein "
                      "aantal om te tonen; – = geen gegevens.")


def key_figures(profile: AreaProfile, country: pd.DataFrame | None = None,
                country_name: str = "") -> Table:
    """Display object for the notebook (see ``key_figures_html``)."""
    frame = profile.key_figures()
    columns = {
        "Thema": frame["theme"], "Indicator": frame["label"],
        profile.name: frame["value"].where(frame["status"].isin(model.USABLE)),
        profile.gemeente_name: frame["gemeente_value"].where(
            frame["gemeente_status"].isin(model.USABLE))}
    national = _country_values(frame, country)
    shown = country_name if national.notna().any() else ""
    if shown:
        columns[shown] = national
    data = pd.DataFrame({**columns, "Eenheid": frame["unit"], "Jaar": frame["year"]})
    decimals = [int(d) for d in frame["decimals"]]
    return Table(key_figures_html(profile, country, country_name),
                 _key_caption(profile, shown, _country_method(frame, country, national)), data,
                 decimals={name: decimals for name in (profile.name, profile.gemeente_name,
                                                       shown) if name})


def signal_table(signals: pd.DataFrame, caption: str, limit: int | None = None,
                 area_links: dict[str, str] | None = None, basis: bool = True
                 ) -> HTML | Table:
    """Signals (from ``helpers.analysis.signals``) as a table; empty → a sentence saying so.
    ``area_links``: area code → the file of its profile (its name links there);
    ``basis=False`` leaves out what each is based on (a short overview that names the
    reports where that is shown)."""
    if signals.empty:
        return HTML(markup.render("sentence.html.j2", text="Er zijn geen signalen."))
    shown = signals.head(limit) if limit else signals
    frame = pd.DataFrame({
        "Ernst": shown["ernst"].map({1: "hoog", 2: "middel", 3: "laag"}),
        "Signaal": shown["soort"], "Gebied": shown["gebied_naam"].fillna(shown["gebied"]),
        "Toelichting": shown["uitleg"], "Gebaseerd op": shown["basis"],
    })
    if not basis:
        frame = frame.drop(columns="Gebaseerd op")
    links = {"Gebied": [area_links.get(c) for c in shown["gebied"]]} if area_links else None
    return frame_table(frame, caption, badges=("Ernst",), links=links)
