"""The house style: an altair theme with the nl-NL locale and colour-blind-safe colours.

``enable()`` registers and activates the theme. Number and date formats follow nl-NL
(1.234,5; Dutch month names) through Vega-Lite's ``config.locale``, so the same charts
are Dutch in JupyterLab, in exported HTML and in static SVG.
"""

from __future__ import annotations

import altair as alt

from helpers.model import AT_RISK, MET, NOT_MET, OFF_TRACK, ON_TRACK, UNKNOWN

__all__ = ["enable", "PALETTE", "STATUS_COLOURS", "TARGET_COLOURS", "HIGHLIGHT", "NO_DATA",
           "WATER", "FONT", "NUMBER_LOCALE", "TIME_LOCALE"]

# Okabe-Ito, a palette distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
# polarity-aware comparison colours (blue/orange pair stays distinct without red-green)
STATUS_COLOURS = {"beter": "#0072B2", "gelijk": "#BBBBBB", "slechter": "#D55E00",
                  "niet vergeleken": "#FFFFFF"}
# the target statuses of goals
TARGET_COLOURS = {ON_TRACK: "#0072B2", AT_RISK: "#E69F00", OFF_TRACK: "#D55E00",
                  MET: "#009E73", NOT_MET: "#CC79A7", UNKNOWN: "#BBBBBB"}
HIGHLIGHT = "#D55E00"
NO_DATA = "#E6E6E6"
WATER = "#A6CEE3"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\u00a0", ""]}
TIME_LOCALE = {
    "dateTime": "%a %e %B %Y %X",
    "date": "%d-%m-%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
    "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
    "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december"],
    "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                    "nov", "dec"],
}
THEME_NAME = "stuurkit"


def _config(colours: list[str] | None = None) -> alt.theme.ThemeConfig:
    return {
        "config": {
            "locale": {"number": NUMBER_LOCALE, "time": TIME_LOCALE},
            "font": FONT,
            "range": {"category": colours or PALETTE},
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#E6E6E6",
                     "titleFontWeight": "normal"},
            "header": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 14, "anchor": "start", "fontWeight": "bold"},
            "line": {"strokeWidth": 2},
            "point": {"size": 40, "filled": True},
        }
    }


def enable(colours: list[str] | None = None) -> None:
    """Register and activate the Stuurkit altair theme; ``colours`` (house style) replace
    the default categorical palette."""
    alt.theme.register(THEME_NAME, enable=False)(lambda: _config(colours))
    alt.theme.enable(THEME_NAME)
