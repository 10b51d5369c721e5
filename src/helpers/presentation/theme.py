"""The house style: an altair theme with the nl-NL locale and colour-blind-safe colours.

``enable()`` registers and activates the theme. Number and date formats follow nl-NL
(1.234,5; Dutch month names) through Vega-Lite's ``config.locale``, so the same charts
are Dutch in JupyterLab, in exported HTML and in static SVG.

The visual language: one meaning per colour
-------------------------------------------
Every colour that carries a meaning carries one, in every chart, map and badge. The
colours come from Okabe–Ito and Paul Tol's palettes and are chosen so that any two of
them differ (ΔE ≥ 10 in CIELAB) for normal vision and for simulated deuteranopia and
protanopia (``tests/presentation/test_theme.py`` holds both promises). Status words are
always written out as well: colour is never the only carrier.

=====================  ===========  ==================================================
role                   colour       where
=====================  ===========  ==================================================
gekozen gebied         ``#AA3377``  trend line of the area, area on the location map,
                                    outline on a choropleth (``AREA``)
gemeente / vergelijking ``#0072B2`` dashed trend line of the gemeente, the parent's
                                    value on the profile (``COMPARISON``)
streefwaarde           ``#000000``  a goal's target marker and line (``TARGET_MARK``)
beter                  ``#56B4E9``  comparison with the parent (``STATUS_COLOURS``)
gelijk                 ``#BBBBBB``
slechter               ``#E69F00``
hoger                  ``#332288``  (indicators without a polarity)
lager                  ``#9977EE``
niet vergeleken        ``#FFFFFF``  (outlined)
op koers               ``#009E73``  target status of a goal (``TARGET_COLOURS``)
risico                 ``#F0E442``
uit koers              ``#D55E00``
gehaald                ``#117733``
niet gehaald           ``#882255``
onbekend               ``#DDDDDD``
begroot                ``#DDCC77``  budget chart (``BUDGET_COLOURS``)
realisatie             ``#999933``
=====================  ===========  ==================================================

Colours without a meaning of their own (``NO_DATA``, ``WATER``, the greys of the
profile's spread, the sequential blues of a choropleth) are none of these. ``PALETTE``
(Okabe–Ito, or the workspace's house colours) is only the default range for categories
that have no fixed meaning; no chart of the kit colours a meaning with it.
"""

from __future__ import annotations

from helpers.model import AT_RISK, MET, NOT_MET, OFF_TRACK, ON_TRACK, UNKNOWN

__all__ = ["enable", "PALETTE", "AREA", "COMPARISON", "TARGET_MARK", "AREA_COLOURS",
           "STATUS_COLOURS", "TARGET_COLOURS", "BUDGET_COLOURS", "MEANINGS", "HIGHLIGHT",
           "NO_DATA", "WATER", "FONT", "NUMBER_LOCALE", "TIME_LOCALE", "tint", "badge_class",
           "badge_css"]

# Okabe-Ito, a palette distinguishable with every common colour-vision deficiency: the
# default range of categories without a meaning of their own
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
# the areas (see the table in the module docstring)
AREA = "#AA3377"  # the selected area
COMPARISON = "#0072B2"  # the gemeente, or the parent the area is compared with
TARGET_MARK = "#000000"  # a goal's target value
AREA_COLOURS = {"gekozen gebied": AREA, "vergelijking": COMPARISON,
                "streefwaarde": TARGET_MARK}
# comparison with the parent, polarity-aware (beter/slechter) or not (hoger/lager)
STATUS_COLOURS = {"beter": "#56B4E9", "gelijk": "#BBBBBB", "slechter": "#E69F00",
                  "hoger": "#332288", "lager": "#9977EE", "niet vergeleken": "#FFFFFF"}
# the target statuses of goals
TARGET_COLOURS = {ON_TRACK: "#009E73", AT_RISK: "#F0E442", OFF_TRACK: "#D55E00",
                  MET: "#117733", NOT_MET: "#882255", UNKNOWN: "#DDDDDD"}
BUDGET_COLOURS = {"begroot": "#DDCC77", "realisatie": "#999933"}
# every set of colours with a meaning: no colour is in two of them, or twice in one
MEANINGS = {"gebieden": AREA_COLOURS, "vergelijking": STATUS_COLOURS,
            "doelstatus": TARGET_COLOURS, "budget": BUDGET_COLOURS}
HIGHLIGHT = AREA  # the selected area on a map (kept for callers of the old name)
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


def tint(colour: str, share: float = 0.25) -> str:
    """``colour`` mixed with white: ``share`` of the colour (a badge's background).

    >>> tint("#0072B2", 0.5)
    '#80b8d8'
    """
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in rgb)


def badge_class(word: str) -> str:
    """The badge look (CSS class suffix) of a comparison or target status word.

    >>> badge_class("uit koers")
    'uit-koers'
    """
    return word.replace(" ", "-")


def badge_css() -> str:
    """The CSS of the status badges, from the colours above: each comparison and target
    status has its colour as border and a light tint of it as background, with dark
    text; the words of other vocabularies (actions, trends, a signal's severity) have no
    colour, only a weight (``neutraal``, ``nadruk``). Imports nothing heavy: the
    publisher writes it into every page."""
    rules = []
    for word, colour in [*STATUS_COLOURS.items(), *TARGET_COLOURS.items()]:
        border = "#767676" if colour.upper() == "#FFFFFF" else colour
        rules.append(f".badge-{badge_class(word)} {{ background: {tint(colour, 0.3)}; "
                     f"border-color: {border}; color: #1a1a1a; }}")
    rules += [".badge-neutraal { background: #ffffff; color: #333333; }",
              ".badge-nadruk { background: #ffffff; color: #1a1a1a; font-weight: 700; "
              "border-width: 2px; border-color: #1a1a1a; }",
              f".badge-{badge_class('niet vergeleken')}, .badge-{badge_class(UNKNOWN)} "
              "{ border-style: dashed; }"]
    return "\n".join(rules) + "\n"


def _config(colours: list[str] | None = None) -> dict:  # altair's ThemeConfig
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
    import altair as alt

    alt.theme.register(THEME_NAME, enable=False)(lambda: _config(colours))
    alt.theme.enable(THEME_NAME)
