"""Reports on sparse data (issue 14 item 2, issue 16 item 6): an area without figures, an
indicator without data, a report year with few variables, a level without areas, a budget
without goals. Every section gives something to show and says in Dutch what is missing;
a failed report's raw exception never reaches the portal page.

Three groups: tiny in-memory facts (fast), a sparse copy of the demo workspace (one
workspace for the module), and the real Aa en Hunze kaart of 2015 with figures for only
2 of its 21 wijken (skipped when ``../shared/real-data`` is absent).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import types
import warnings
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from helpers.analysis.profile import SPINE_COLUMNS, area_profile, differences_in_words, spine_data
from helpers.presentation import charts, maps
from helpers.publish.portal import write_index
from helpers.reports import (
    bestuursoverzicht,
    common,
    datakwaliteit,
    programmamonitor,
    verkenner,
    wijkprofiel,
)
from tests.conftest import DEMO, REAL_DATA

_BIJSTAND = "Geen gegevens: er zijn geen cijfers van personen met bijstand per wijk."


def _text(shown) -> str:
    """What a section shows, as text: a chart's spec, or HTML."""
    if isinstance(shown, alt.TopLevelMixin):
        return json.dumps(shown.to_dict())
    return str(shown.data)


def _without(facts, drop):
    """The facts without the observations for which ``drop(observations)`` is true."""
    obs = facts.observations
    return dataclasses.replace(facts, observations=obs[~drop(obs)].reset_index(drop=True))


def _area_rows(*codes):
    return lambda obs: obs["area_code"].isin(codes)


# ------------------------------------------------------------------ tiny facts

@pytest.mark.parametrize("drop", [
    _area_rows("WK000102", "BU00010201"),  # a wijk on the kaart without any row
    lambda obs: (obs["area_code"] == "WK000102") & (obs["indicator"] != "inwoners"),  # a count
], ids=["no rows", "only a count"])
def test_an_area_without_a_comparable_figure_gets_every_wijkprofiel_section(tiny_facts, drop):
    facts = _without(tiny_facts, drop)
    profile = area_profile(facts, facts.area("WK000102"), 2023)
    spine = spine_data(profile)
    assert spine.empty and list(spine.columns) == SPINE_COLUMNS
    words = "Er zijn geen indicatoren om te vergelijken."
    assert str(differences_in_words(profile, spine)) == words
    report = wijkprofiel.Wijkprofiel(None, facts, profile)  # these sections read no workspace
    assert _text(wijkprofiel.spine(report)) == (
        "<p><em>Geen gegevens: Zuid heeft tot en met 2023 geen indicator met een waarde naast "
        "Klein.</em></p>")
    assert _text(wijkprofiel.difference_map(report)) == (
        "<p><em>Geen kaart: Zuid heeft tot en met 2023 geen indicator met een waarde om met "
        "Klein te vergelijken.</em></p>")
    assert words in _text(wijkprofiel.differences(report))
    own = profile.key_figures().set_index("indicator")
    assert pd.isna(own.loc["bijstand_per_1000", "value"])
    assert "bijstand_per_1000" in _text(wijkprofiel.key_figures(report))
    assert "Klein" in _text(wijkprofiel.trends(report))  # the gemeente's lines are drawn


def test_trends_without_any_value_of_area_or_gemeente_are_a_note(tiny_facts):
    facts = _without(tiny_facts, _area_rows("WK000102", "BU00010201", "GM0001"))
    profile = area_profile(facts, facts.area("WK000102"), 2023)
    assert profile.trends().empty
    assert _text(charts.trends(profile)) == (
        "<p><em>Geen gegevens: er zijn geen cijfers van Zuid of Klein tot en met "
        "2023.</em></p>")


def test_an_area_with_figures_still_gets_its_charts(tiny_facts):
    profile = area_profile(tiny_facts, tiny_facts.area("WK000102"), 2023)
    report = wijkprofiel.Wijkprofiel(types.SimpleNamespace(water=None), tiny_facts, profile)
    assert list(spine_data(profile).columns) == SPINE_COLUMNS
    assert isinstance(wijkprofiel.spine(report), alt.FacetChart)
    assert isinstance(wijkprofiel.difference_map(report), alt.LayerChart)
    assert isinstance(wijkprofiel.trends(report), alt.ConcatChart)


def test_maps_without_areas_of_the_level_are_a_note(tiny_facts):
    profile = area_profile(tiny_facts, tiny_facts.area("BU00010201"), 2023)
    no_buurten = dataclasses.replace(
        tiny_facts, areas=tiny_facts.areas[tiny_facts.areas["level"] != "buurt"])
    shown = maps.location(dataclasses.replace(profile, facts=no_buurten))
    assert _text(shown) == "<p><em>Geen kaart: de kaartlagen hebben geen buurten van 2023.</em></p>"
    data = pd.DataFrame({"code": ["BU00010201"], "value": [1.0], "status": ["ok"]})
    shown = maps.choropleth(no_buurten.areas_for(2023, "buurt"), data, "Bijstand per buurt",
                            "per 1.000")
    assert "Geen kaart van Bijstand per buurt" in _text(shown)


def test_charts_without_data_are_a_note():
    empty = pd.DataFrame(columns=SPINE_COLUMNS)
    assert "geen indicator met een waarde voor Zuid en Klein" in _text(
        charts.spine(empty, "Zuid", "Klein"))
    trend = pd.DataFrame(columns=["jaar", "waarde", "gebied"])
    assert _text(charts.area_trend(trend, "Personen met bijstand", "per 1.000", ["Klein"])) == (
        "<p><em>Geen gegevens: er zijn geen cijfers van personen met bijstand voor "
        "Klein.</em></p>")
    money = pd.DataFrame(columns=["jaar", "soort", "bedrag"])
    assert "geen budget" in _text(charts.budget(money, "miljoen euro"))


def test_the_explorer_says_an_indicator_has_no_figures(tiny_facts):
    facts = _without(tiny_facts, lambda obs: obs["indicator"] == "bijstand_per_1000")
    explorer = verkenner.Explorer(types.SimpleNamespace(water=None), facts,
                                  "bijstand_per_1000", 2023, "wijk")
    assert (explorer.year_options(), explorer.year_choices()) == ([], [2023])
    assert not explorer.has_data()
    assert _text(explorer.map()) == (
        f"<p><em>{_BIJSTAND} Kies een andere indicator of een ander niveau.</em></p>")
    assert _text(explorer.ranking()) == _text(explorer.map())
    assert "geen cijfers van personen met bijstand voor Klein" in _text(explorer.trend())
    explorer.set(indicator="inwoners")
    assert explorer.has_data() and explorer.year_choices() == [2019, 2020, 2021, 2022, 2023]
    assert isinstance(explorer.map(), alt.LayerChart)


def test_the_verkenner_starts_with_a_default_indicator_without_data(tiny_facts, demo_ws,
                                                                     monkeypatch):
    """The notebook's default indicator has no figures: the controls still show (no
    TraitError), the year control is off, and choosing another indicator turns it on."""
    facts = _without(tiny_facts, lambda obs: obs["indicator"] == "bijstand_per_1000")
    shown = []  # what each display slot shows now: the controls, map, trend, ranking

    def display(view, display_id=False):
        shown.append(view)
        slot = len(shown) - 1
        return types.SimpleNamespace(update=lambda new: shown.__setitem__(slot, new))

    monkeypatch.setattr(verkenner.common, "load", lambda workspace: (demo_ws, facts))
    monkeypatch.setattr(verkenner, "prepare", lambda workspace: None)  # "klein": in memory
    monkeypatch.setattr(verkenner.common, "header", lambda *args, **kwargs: None)
    monkeypatch.setattr(verkenner, "display", display)
    explorer = verkenner.start("klein", "bijstand_per_1000", 2023, "wijk")
    controls = shown[0]
    pick_indicator, pick_year = controls.children[0], controls.children[1].children[0]
    assert (pick_year.options, pick_year.value, pick_year.disabled) == ((2023,), 2023, True)
    assert _BIJSTAND in _text(shown[1]) and _BIJSTAND in _text(shown[3])
    pick_indicator.value = "inwoners"
    assert explorer.indicator == "inwoners" and explorer.has_data()
    assert pick_year.options == (2019, 2020, 2021, 2022, 2023) and not pick_year.disabled
    assert isinstance(shown[1], alt.LayerChart) and "Noord" in _text(shown[3])
    pick_indicator.value = "bijstand_per_1000"  # and back: no figures, no crash
    assert pick_year.options == (2023,) and pick_year.disabled and _BIJSTAND in _text(shown[1])


# ------------------------------------------------------------------ the portal

def test_a_failed_report_shows_a_dutch_line_not_its_exception(tmp_path):
    (tmp_path / "b.html").write_text("vorige versie")
    text = write_index(tmp_path, "Rapporten Voorbeeldstad", [
        {"title": "Wijkprofiel A", "file": "a.html", "status": "mislukt",
         "detail": "cel 5: KeyError: 'vergelijking_998'"},
        {"title": "Wijkprofiel B", "file": "b.html", "status": "mislukt",
         "detail": "cel 5: KeyError: 'vergelijking_998' (vorige versie: b.html)"},
    ]).read_text()
    assert "KeyError" not in text and "vergelijking_998" not in text and "cel 5" not in text
    line = "Dit rapport kon niet worden gemaakt; zie het logboek."
    assert f'Wijkprofiel A <span class="status-mislukt">mislukt</span> <small>{line}</small>' \
        in text
    assert f'<small>{line} <a href="b.html">Vorige versie</a></small>' in text
    assert '<a href="a.html">' not in text  # no link to a report that is not there


# ------------------------------------------------------------------ a sparse demo workspace

def _blank(path: Path, rows: re.Pattern, columns: set[str]) -> None:
    """A KWB CSV with every statistic of ``rows`` and every value of ``columns`` as '.'."""
    lines = path.read_text(encoding="utf-8").splitlines()
    names = lines[0].split(",")
    first = names.index("ind_wbi") + 1  # the statistics follow the codes and names
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        out.append(",".join("." if (n >= first and rows.fullmatch(cells[0]))
                            or names[n] in columns else cell for n, cell in enumerate(cells)))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Path:
    """The demo with wijk WK990105 Kloosterveld and its buurten without any figure, no
    bijstand figures at all (the verkenner's default indicator) and a budget whose one
    programme has no goals."""
    root = tmp_path_factory.mktemp("sparse") / "sparse"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("cache"))
    rows = re.compile(r"WK990105|BU990105\d\d")
    for path in sorted((root / "raw").glob("kwb-*.csv")):
        _blank(path, rows, {"a_soz_wb"})
    registrations = root / "raw" / "registraties.csv"
    lines = registrations.read_text(encoding="utf-8").splitlines()
    registrations.write_text("\n".join(
        [lines[0], *(line for line in lines[1:] if not rows.fullmatch(line.split(",")[0])
                     and ",bijstandsuitkeringen," not in line)]) + "\n", encoding="utf-8")
    (root / "begroting.yml").write_text(
        "gemeente: GM9901\nbegrotingsjaar: 2026\nprogrammas:\n- id: P1\n"
        "  naam: Werk en inkomen\n  doelen: []\n", encoding="utf-8")
    return root


@pytest.fixture
def quiet(monkeypatch):
    """Sections' ``display`` calls (headers, notices, widgets) go nowhere."""
    for module in (common, verkenner, wijkprofiel):
        monkeypatch.setattr(module, "display", lambda *args, **kwargs: None)
    warnings.simplefilter("ignore", UserWarning)


def _sections(module, state, names) -> dict[str, str]:
    return {name: _text(getattr(module, name)(state)) for name in names}


@pytest.mark.parametrize("code, name", [("WK990105", "Kloosterveld"),
                                        ("BU99010501", "Merelhof")])
def test_wijkprofiel_of_an_area_without_figures(sparse, quiet, code, name):
    report = wijkprofiel.start(str(sparse), code, 2024)
    shown = _sections(wijkprofiel, report, ["location", "spine", "differences",
                                            "difference_map", "key_figures", "trends",
                                            "signals", "sources"])
    assert f"Geen gegevens: {name} heeft tot en met 2024 geen indicator" in shown["spine"]
    assert f"Geen kaart: {name} heeft tot en met 2024" in shown["difference_map"]
    assert f"Ligging van {name}" in shown["location"]
    assert "Er zijn geen signalen." in shown["signals"]


def test_wijkprofiel_in_a_year_with_few_variables(demo_ws, demo_facts):
    """2016: the demo has only a few registrations of the gemeente."""
    profile = area_profile(demo_facts, demo_facts.area("WK990101"), 2016)
    report = wijkprofiel.Wijkprofiel(demo_ws, demo_facts, profile)
    shown = _sections(wijkprofiel, report, ["location", "spine", "differences",
                                            "difference_map", "key_figures", "trends",
                                            "signals"])
    assert "Geen kaart: Binnenstad heeft tot en met 2016" in shown["difference_map"]
    assert shown["trends"] == ("<p><em>Geen gegevens: er zijn geen cijfers van Binnenstad of "
                               "Voorbeeldstad tot en met 2016.</em></p>")


def test_the_other_reports_on_the_sparse_workspace(sparse, quiet):
    explorer = verkenner.start(str(sparse), "bijstand_per_1000", 2023, "wijk")
    assert explorer.year == 2023 and not explorer.has_data()
    monitor = programmamonitor.start(str(sparse), "P1", 2024)
    shown = _sections(programmamonitor, monitor, ["goals_table", "goal_charts", "goal_texts",
                                                  "breakdown_maps", "budget", "actions"])
    for name in ("goals_table", "goal_charts", "goal_texts", "breakdown_maps"):
        assert "Programma P1 (Werk en inkomen) heeft nog geen doelen in begroting.yml" in \
            shown[name], name
    view = bestuursoverzicht.start(str(sparse), 2024)
    shown = _sections(bestuursoverzicht, view, ["status_table", "top_signals", "agreements",
                                                "overdue_owners", "changes"])
    assert "De begroting (begroting.yml) bevat nog geen doelen." in shown["status_table"]
    quality = datakwaliteit.start(str(sparse), 2024)
    _sections(datakwaliteit, quality, ["coverage", "status_shares", "stale",
                                       "boundary_changes", "unmapped", "provenance"])


@pytest.mark.slow
def test_the_notebooks_run_green_on_the_sparse_workspace(sparse, tmp_path):
    import papermill as pm

    from helpers.publish import audit
    from helpers.publish import html as publish

    notebooks = DEMO.parents[1] / "notebooks"
    for stem, parameters, expected in [
        ("10_wijkprofiel", {"area_code": "WK990105", "year": 2024},
         "Geen kaart: Kloosterveld heeft tot en met 2024"),
        ("00_verkenner", {}, _BIJSTAND),
    ]:
        executed = tmp_path / f"{stem}.ipynb"
        pm.execute_notebook(str(notebooks / f"{stem}.ipynb"), str(executed),
                            parameters={"workspace": str(sparse), **parameters},
                            progress_bar=False, cwd=str(tmp_path))
        page = publish.publish_notebook(executed, tmp_path / f"{stem}.html")[0]
        text = page.read_text(encoding="utf-8")
        assert expected in text and "Traceback" not in text, stem
        assert audit.scan_html(text).passed, stem


# ------------------------------------------------------------------ real data: Aa en Hunze

AA_EN_HUNZE = REAL_DATA.parent / "GM1680_AaenHunze"


_NAMES = {"GM_CODE", "GM_NAAM", "WK_CODE", "WK_NAAM", "BU_CODE", "BU_NAAM"}


@pytest.fixture(scope="module")
def aa_en_hunze(tmp_path_factory) -> Path:
    """Aa en Hunze's 2015 kaart (21 wijken, 54 buurten: its geometry, codes and names) with
    the kaart's statistics of the gemeente and of only WK168000 and WK168001, the two
    wijken its StatLine export covers: 19 wijken on the map without any row."""
    if not AA_EN_HUNZE.is_dir():
        pytest.skip(f"real CBS data not available ({AA_EN_HUNZE} does not exist)")
    from helpers.workspace.importer import import_files, init_workspace

    folder = tmp_path_factory.mktemp("aa_en_hunze")
    root = init_workspace(folder / "aa_en_hunze", "GM1680", "Aa en Hunze")
    statistics = {}
    for level in ("gemeente", "wijk", "buurt"):
        name = f"tnocs_drenthe_{level}.geojson"
        layer = json.loads((AA_EN_HUNZE / name).read_text(encoding="utf-8"))
        statistics[level] = pd.DataFrame([f["properties"] for f in layer["features"]
                                          if f["properties"].get("GM_CODE") == "GM1680"])
        for feature in layer["features"]:  # the map alone: its statistics left out
            feature["properties"] = {k: v for k, v in feature["properties"].items()
                                     if k in _NAMES}
        (folder / name).write_text(json.dumps(layer), encoding="utf-8")
        import_files(root, [folder / name], vintage=2015)
    gemeente, wijken = folder / "gemeente_2015.csv", folder / "wijken_2015.csv"
    statistics["gemeente"].to_csv(gemeente, index=False)
    covered = statistics["wijk"]
    covered[covered["WK_CODE"].isin(["WK168000", "WK168001"])].to_csv(wijken, index=False)
    import_files(root, [gemeente, wijken], year=2015)
    return root


def test_aa_en_hunze_wijk_without_figures(aa_en_hunze, quiet):
    report = wijkprofiel.start(str(aa_en_hunze), "WK168005", 2015)
    assert len(report.facts.areas_for(2015, "wijk")) == 21
    shown = _sections(wijkprofiel, report, ["location", "spine", "differences",
                                            "difference_map", "key_figures", "trends",
                                            "signals"])
    assert "Geen kaart: Wijk 05 Schipborg heeft tot en met 2015" in shown["difference_map"]
    assert "Geen gegevens: Wijk 05 Schipborg" in shown["spine"]
    covered = wijkprofiel.start(str(aa_en_hunze), "WK168000", 2015)
    assert isinstance(wijkprofiel.spine(covered), alt.FacetChart)
    explorer = verkenner.start(str(aa_en_hunze), "inwoners", 2015, "wijk")
    assert "19 gebieden zonder getoonde waarde" in _text(explorer.map())
