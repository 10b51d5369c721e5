"""Every notebook runs with papermill on the demo and on real Utrecht data and publishes
as offline HTML."""

from __future__ import annotations

import json
import re

import pytest

from helpers.presentation import render as rendering
from helpers.presentation.embed import SPEC_CLASS, chart_spec
from helpers.publish import audit
from helpers.publish.page import parse, text_of

pytestmark = pytest.mark.slow

NAMES = ["00_verkenner", "10_wijkprofiel", "20_programmamonitor", "30_bestuursoverzicht",
         "90_datakwaliteit"]
TITLES = {"00_verkenner": "Verkenner", "10_wijkprofiel": "Wijkprofiel De Horsten",
          "20_programmamonitor": "Programmamonitor Werk en inkomen",
          "30_bestuursoverzicht": "Bestuursoverzicht", "90_datakwaliteit": "Datakwaliteit"}


def _with_specs(text: str) -> str:
    """The page and, after it, every chart's spec as JSON: the specs are packed (gzip,
    base64) on the page, so a chart's title is only readable unpacked."""
    specs = []
    for node in parse(text).css(f"script.{SPEC_CLASS}"):
        spec = chart_spec({str(k).lower(): v or "" for k, v in node.attributes.items()},
                          text_of(node))
        assert spec is not None, "a chart data block that is no spec"
        specs.append(json.dumps(spec, ensure_ascii=False))
    return "\n".join([text, *specs])


def _check(text: str) -> int:
    assert audit.external_references(text) == []
    assert text.count(f'id="{rendering.BUNDLE_ID}"') == 1
    assert "Traceback" not in text and "Warning:" not in text
    assert 'class="stuurkit-footer"' in text
    return len(re.findall(r'<div [^>]*id="stuurkit-chart-', text))


@pytest.mark.parametrize("name", NAMES)
def test_demo_notebook_publishes(demo_reports, name):
    text = demo_reports[name].read_text(encoding="utf-8")
    assert f"<title>{TITLES[name]} – Voorbeeldstad (GM9901)</title>" in text
    # the bestuursoverzicht (two printed pages) and datakwaliteit are tables and words
    assert _check(text) >= (0 if name in ("90_datakwaliteit", "30_bestuursoverzicht") else 1)


def test_wijkprofiel_has_spine_words_map_and_signals(demo_reports):
    text = _with_specs(demo_reports["10_wijkprofiel"].read_text(encoding="utf-8"))
    assert "Profiel van De Horsten: alle indicatoren naast Voorbeeldstad" in text
    assert "De grootste significante verschillen (99,8%) met Voorbeeldstad" in text
    assert "Signalen voor De Horsten (2024)" in text
    assert _check(text) == 4  # location map, spine, difference map, trends


def test_programmamonitor_has_goals_actions_budget_and_duiding(demo_reports):
    text = _with_specs(demo_reports["20_programmamonitor"].read_text(encoding="utf-8"))
    for expected in ("Doelen van Werk en inkomen", "uit koers", "Afgesproken acties",
                     "Begroot en gerealiseerd", "Duiding:", "Rivierkwartier",
                     "streefwaarde en verwachting"):
        assert expected in text, expected


def test_bestuursoverzicht_has_counts_signals_and_changes(demo_reports):
    text = demo_reports["30_bestuursoverzicht"].read_text(encoding="utf-8")
    for expected in ("Doelen per programma naar status", "De belangrijkste signalen",
                     "Wat is veranderd sinds 2023", "doel uit koers"):
        assert expected in text, expected


def test_verkenner_html_explains_its_controls(demo_reports):
    text = demo_reports["00_verkenner"].read_text(encoding="utf-8")
    assert "knoppen van de verkenner" in text
    assert "VBox(children" not in text
    assert "<dt>Indicator</dt><dd>Werk en inkomen: Personen met bijstand</dd>" in text
    assert "<dt>Niveau</dt><dd>wijk</dd>" in text


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_real_utrecht_data(utrecht_reports, name):
    text = utrecht_reports[name].read_text(encoding="utf-8")
    assert "Utrecht (GM0344)" in text
    _check(text)
