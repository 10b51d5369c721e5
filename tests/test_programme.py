"""The programme budget model, its validation messages, evaluation, signals, privacy."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from helpers import catalogue, privacy
from helpers.errors import ConfigError
from helpers.programme import evaluate, load_programme
from helpers.signals import SEVERITY, signals
from helpers.workspace import open_workspace


def test_catalogue_has_40_kwb_indicators_and_every_bbv_indicator():
    cat = catalogue.load()
    kwb = [i for i in cat.values() if cat.file_of[i.id].name == "kwb.yml"]
    assert len(kwb) >= 40
    themes = {i.theme for i in kwb}
    assert {"Bevolking", "Huishoudens", "Herkomst", "Werk en inkomen", "Wonen", "Energie",
            "Mobiliteit", "Voorzieningen"} <= themes
    assert sum(1 for i in cat.values() if i.bbv) == 34
    for indicator in cat.values():
        assert indicator.label and indicator.description and indicator.unit


def test_a_duplicate_id_across_files_is_refused(tmp_path):
    entry = ("defaults: {levels: [gemeente], theme: T, source: S}\nindicators:\n  x:\n"
             "    label: X\n    description: d\n    unit: u\n    kind: mean\n    variable: v\n")
    (tmp_path / "a.yml").write_text(entry)
    (tmp_path / "b.yml").write_text(entry)
    with pytest.raises(ConfigError, match=r"b\.yml: indicator 'x' is also defined in .*a\.yml"):
        catalogue.load(tmp_path)


def test_demo_programme_loads_with_duiding(demo_ws):
    programme = load_programme(demo_ws)
    goals = programme.begroting.goals()
    assert len(programme.begroting.programmas) >= 5 and len(goals) >= 12
    assert "Rivierkwartier" in programme.duiding[("P1.2", 2024)]


def _broken(ws_copy, change):
    path = ws_copy / "begroting.yml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return open_workspace(ws_copy)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["programmas"][0]["doelen"][0]["indicatoren"][0].update(indicator="geluk"),
     r"programmas\[0\]\.doelen\[0\]\.indicatoren\[0\]\.indicator: 'geluk' is not in the "
     r"catalogue"),
    (lambda d: d["programmas"][0]["doelen"][1]["indicatoren"][0]["streefwaarde"].update(
        jaar=2018),
     r"programmas\[0\]\.doelen\[1\]\.indicatoren\[0\]\.streefwaarde\.jaar: 2018 is not after "
     r"the baseline year 2019"),
    (lambda d: d["programmas"][0]["doelen"][1]["indicatoren"][0]["streefwaarde"].update(
        waarde=40.0),
     r"streefwaarde\.waarde: 40 is worse than the baseline .* for 'bijstand_per_1000' lower "
     r"is better"),
    (lambda d: d["programmas"][1]["doelen"][0].update(id="P1.1"),
     r"programmas\[1\]\.doelen\[0\]\.id: 'P1\.1' is also used at programmas\[0\]\.doelen\[0\]"),
    (lambda d: d["programmas"][0]["doelen"][0]["acties"][0].update(status="bijna klaar"),
     r"programmas\[0\]\.doelen\[0\]\.acties\[0\]\.status: Input should be 'niet gestart'"),
    (lambda d: d["programmas"][0]["doelen"][0].pop("eigenaar"),
     r"programmas\[0\]\.doelen\[0\]\.eigenaar: Field required"),
])
def test_programme_errors_name_the_key(ws_copy, change, message):
    ws = _broken(ws_copy, change)
    with pytest.raises(ConfigError, match=message):
        load_programme(ws)


def test_evaluation_gives_status_and_explanation(demo_ws):
    table = evaluate(load_programme(demo_ws), demo_ws, 2024)
    assert set(table["status"]) <= {"op koers", "risico", "uit koers", "onbekend"}
    row = table[table["doel"] == "P1.2"].iloc[0]
    assert row["status"] == "uit koers" and row["uitleg"].startswith("Bij de huidige")
    assert row["jaar"] == 2023  # 2024 not yet published by CBS


def test_demo_yields_signals_of_every_kind(demo_ws):
    table = signals(demo_ws, load_programme(demo_ws), 2024)
    assert set(table["soort"]) == set(SEVERITY)
    assert table["ernst"].is_monotonic_increasing
    assert table["basis"].str.len().min() > 10 and table["uitleg"].str.len().min() > 10
    area = table[table["soort"] == "wijk wijkt af en verslechtert"]
    assert "WK990103" in set(area["gebied"]), "Rivierkwartier's rising benefits"


def test_complementary_suppression_leaves_no_recoverable_cell():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({
        "year": 2023, "code": ["BU1", "BU2", "BU3", "WK1"],
        "parent": ["WK1", "WK1", "WK1", "GM1"], "level": ["buurt"] * 3 + ["wijk"]})
    obs = pd.DataFrame({
        "area_code": ["BU1", "BU2", "BU3", "WK1", "GM1"],
        "level": ["buurt"] * 3 + ["wijk", "gemeente"], "year": 2023,
        "indicator": "bijstand_per_1000",
        "numerator": [4.0, 60.0, 40.0, 104.0, 104.0],
        "denominator": [900.0, 3000.0, 2000.0, 5900.0, 5900.0], "status": "ok",
        "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    out = privacy.suppress(obs, cat, hierarchy).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed"  # 4 < min_count
    assert out.loc["BU3", "status"] == "suppressed"  # the smallest sibling, complementary
    assert out.loc["BU2", "status"] == "ok" and out.loc["WK1", "status"] == "ok"
    assert privacy.lone_suppressions(out.reset_index(), hierarchy).empty


def test_a_lone_child_takes_its_parent_along():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({"year": 2023, "code": ["BU1"], "parent": ["WK1"],
                              "level": ["buurt"]})
    obs = pd.DataFrame({"area_code": ["BU1", "WK1"], "level": ["buurt", "wijk"],
                        "year": 2023, "indicator": "bijstand_per_1000",
                        "numerator": [4.0, 4.0], "denominator": [900.0, 900.0],
                        "value": [4.4, 4.4], "status": "ok", "source": "t"})
    out = privacy.suppress(obs, cat, hierarchy)
    assert (out["status"] == "suppressed").all()


def test_demo_observations_have_no_lone_suppressed_cell(demo_ws):
    obs = demo_ws.observations
    computed = obs["indicator"].map(lambda i: demo_ws.catalogue[i].computed)
    assert (obs["status"] == "suppressed").any()
    assert privacy.lone_suppressions(obs[computed], demo_ws.hierarchy).empty
