"""The visual language (issue 16, finding 9): one meaning per colour, colour-blind safe.

The distance check is an independent oracle: CIELAB from sRGB (IEC 61966-2-1, D65) and
the colour-vision simulation of Machado, Oliveira & Fernandes (2009, severity 1.0),
written out here rather than taken from the theme.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest

from helpers import model
from helpers.presentation import charts, maps, tables, theme

# Machado et al. (2009), severity 1.0, on linear RGB
_DEUTERANOPIA = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                 [-0.011820, 0.042940, 0.968881]]
_PROTANOPIA = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
               [-0.003882, -0.048116, 1.051998]]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(colour: str, matrix=None) -> tuple[float, float, float]:
    r, g, b = (_linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    if matrix:
        r, g, b = (min(1.0, max(0.0, row[0] * r + row[1] * g + row[2] * b)) for row in matrix)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _meaningful() -> list[tuple[str, str, str]]:
    return [(group, meaning, colour.upper()) for group, colours in theme.MEANINGS.items()
            for meaning, colour in colours.items()]


def test_no_colour_has_two_meanings():
    colours = [c for _, _, c in _meaningful()]
    shared = {c: [(g, m) for g, m, x in _meaningful() if x == c]
              for c in colours if colours.count(c) > 1}
    assert not shared, f"colours with more than one meaning: {shared}"
    # nor do they double as a colour without a meaning of its own
    plain = {theme.NO_DATA, theme.WATER, charts.SPREAD_MIDDLE, maps.SUPPRESSED,
             *maps.SEQUENTIAL}
    assert not set(colours) & {c.upper() for c in plain}
    # the sets the issue names, pairwise disjoint
    areas = {theme.AREA, theme.COMPARISON}
    comparison = {theme.STATUS_COLOURS[s] for s in ("beter", "gelijk", "slechter")}
    target = set(theme.TARGET_COLOURS.values())
    assert set(theme.TARGET_COLOURS) == set(model.TARGET_STATUSES)
    for one, other in itertools.combinations([areas, comparison, target], 2):
        assert not one & other
    assert theme.HIGHLIGHT == theme.AREA  # the map's highlight is the selected area


@pytest.mark.parametrize("vision, matrix", [("normal", None), ("deuteranopia", _DEUTERANOPIA),
                                            ("protanopia", _PROTANOPIA)])
def test_meaningful_colours_stay_apart_for_colour_blind_readers(vision, matrix):
    close = [(a[:2], b[:2], round(math.dist(_lab(a[2], matrix), _lab(b[2], matrix)), 1))
             for a, b in itertools.combinations(_meaningful(), 2)
             if math.dist(_lab(a[2], matrix), _lab(b[2], matrix)) < 10]
    assert not close, f"{vision}: too close to tell apart: {close}"


def test_every_status_badge_has_the_colour_of_its_meaning_and_its_word():
    css = theme.badge_css()
    kinds = {}
    for word, colour in [*theme.STATUS_COLOURS.items(), *theme.TARGET_COLOURS.items()]:
        kind = tables.badge_kind(word)
        kinds[word] = kind
        rule = next(line for line in css.splitlines() if line.startswith(f".badge-{kind} {{"))
        border = "#767676" if colour == "#FFFFFF" else colour
        assert f"border-color: {border}" in rule and theme.tint(colour, 0.3) in rule
        assert f">{word}<" in str(tables.badge(word))  # the word is written out
    assert len(set(kinds.values())) == len(kinds), "one look per status"
    # the words of other vocabularies carry no status colour
    for word in (*model.ACTION_STATUSES, "hoog", "middel", "laag", "verbetert",
                 "verslechtert"):
        assert tables.badge_kind(word) in ("neutraal", "nadruk")


def test_the_page_css_carries_the_theme_badges():
    from helpers.publish.html import REPORT_CSS

    assert theme.badge_css() in REPORT_CSS
    assert ".badge-goed" not in REPORT_CSS and ".badge-slecht " not in REPORT_CSS


def test_charts_and_maps_use_the_meanings(demo_facts):
    from helpers.analysis.profile import area_profile, spine_data

    profile = area_profile(demo_facts, demo_facts.area("WK990108"), 2024)
    trend = json.dumps(charts.trends(profile, profile.indicators[:3]).to_dict())
    assert json.dumps([theme.AREA, theme.COMPARISON]) in trend
    spine = json.dumps(charts.spine(spine_data(profile), profile.name,
                                    profile.parent_name).to_dict())
    assert json.dumps([theme.STATUS_COLOURS[s] for s in charts._STATUS_ORDER]) in spine
    assert theme.COMPARISON in spine  # the parent's value is the comparison colour
    # the map's own marks (the theme's category palette, in "config" once a theme is
    # enabled, is no meaning)
    location = json.dumps({k: v for k, v in maps.location(profile).to_dict().items()
                           if k != "config"})
    assert theme.AREA in location and "#D55E00" not in location
    import pandas as pd

    counts = pd.DataFrame({"programma": ["P1"], **{s: [1] for s in model.TARGET_STATUSES}})
    bars = charts.status_bars(counts).to_dict()
    assert bars["encoding"]["color"]["scale"]["range"] == [
        theme.TARGET_COLOURS[s] for s in model.TARGET_STATUSES]
