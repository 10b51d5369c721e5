"""The comparison with Nederland and peers on broken or hostile national files: each case
was found by an attack on the demo's national rows (a copy of the demo, one cell edited)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import model
from helpers.analysis import peers
from helpers.errors import DataError
from helpers.indicators import national
from helpers.workspace import national as files
from helpers.workspace import open_workspace
from helpers.workspace.check import check_workspace

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("cache"))
    return root


def _edit(root: Path, name: str, code: str, column: str, value: str,
          years: tuple[int, ...] = (2024,)) -> None:
    """Set one cell of the gemeente row ``code`` in the demo's KWB files of ``years``."""
    for year in years:
        path = root / "raw" / f"kwb-{year}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        at = rows[0].index(column)
        for row in rows[1:]:
            if row[0] == code:
                row[at] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")


def _figures(root: Path) -> national.National:
    return national.of(open_workspace(root))


@pytest.mark.parametrize("column, value, message", [
    ("ste_mvs", "7", "mate van stedelijkheid 7"),
    ("a_inw", "-5", "negatief aantal"),
])
def test_an_impossible_class_or_count_is_refused_not_a_crash(tmp_path, column, value,
                                                             message):
    root = _copy(tmp_path)
    _edit(root, "kwb-2024.csv", "GM9901" if column == "ste_mvs" else "GM9905", column, value)
    here = _figures(root)
    make = peers.by_urbanity if column == "ste_mvs" else peers.by_size
    with pytest.raises(DataError, match=message):
        make(here.variables, "GM9901", 2024)
    reasons = " ".join(peers.why_not(here, 2024))
    assert message in reasons  # the report says why, in Dutch, and still shows the rest
    assert len(peers.groups(here, 2024)) >= 2


def test_a_density_of_zero_leaves_no_neighbours_and_says_why(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "kwb-2024.csv", "GM9901", "ste_oad", "0")
    here = _figures(root)
    with pytest.raises(DataError, match="logaritme"):
        peers.nearest(here.variables, "GM9901", 2024)


def test_two_national_files_that_disagree_are_listed(tmp_path):
    root = _copy(tmp_path)
    shutil.copy(root / "raw" / "kwb-2024.csv", root / "raw" / "kwb-2024-herzien.csv")
    _edit(root, "", "GM9912", "a_bedv", "49440")
    config = yaml.safe_load((root / "stuurkit.yml").read_text(encoding="utf-8"))
    config["sources"]["kwb"].insert(0, "raw/kwb-2024-herzien.csv")
    (root / "stuurkit.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")
    # the edit went into kwb-2024.csv; the copy keeps the original figure
    here = _figures(root)
    assert any(c.area_code == "GM9912" and c.variable == "a_bedv" for c in here.conflicts)
    warnings = [p.message for p in check_workspace(root) if p.where == "national (overlap)"]
    assert warnings and "GM9912 / 2024 / a_bedv" in warnings[0]


def test_a_total_without_a_listed_gemeente_is_not_nederland():
    obs = pd.DataFrame([{"area_code": f"GM{k:04d}", "level": "gemeente", "year": 2024,
                         "indicator": "inwoners", "value": 1000.0, "status": model.OK,
                         "numerator": 1000.0, "denominator": None, "source": "t"}
                        for k in range(1, 341)])
    from helpers.indicators import catalogue

    cat = catalogue.load()
    listed = {2024: {f"GM{k:04d}" for k in range(1, 343)}}  # 342 in Gebieden in Nederland
    plain = peers.nederland(obs, cat).iloc[0]
    assert plain["label"] == "Nederland"  # 340 gemeenten: by count alone, the country
    checked = peers.nederland(obs, cat, listed).iloc[0]
    assert checked["label"] == "alle 340 gemeenten"
    assert "2 gemeente(n) van CBS' Gebieden in Nederland 2024 ontbreken" in checked["method"]


def test_a_provincie_table_of_a_later_year_does_not_hide_the_other_groups(tmp_path):
    root = _copy(tmp_path)
    table = (root / "raw" / "gebieden-2024.csv").read_text(encoding="utf-8")
    (root / "raw" / "gebieden-2025.csv").write_text(table, encoding="utf-8")
    config = yaml.safe_load((root / "stuurkit.yml").read_text(encoding="utf-8"))
    config["sources"]["kwb"].append("raw/gebieden-2025.csv")
    (root / "stuurkit.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")
    here = _figures(root)
    assert peers.newest_year(here, 2025) == 2024
    assert {g.kind for g in peers.groups(here, 2024)} >= {"grootteklasse", "buren",
                                                          "provincie"}


def test_more_neighbours_than_gemeenten_are_named_by_their_number(demo_ws):
    here = national.of(demo_ws)
    group, _ = peers.nearest(here.variables, "GM9901", 2024, k=50)
    assert len(group) == 32
    assert group.label.startswith("De 32 meest vergelijkbare") and "De 32 gemeenten" in (
        group.method)


def test_a_hand_chosen_group_of_only_the_gemeente_itself_is_refused(demo_ws):
    here = national.of(demo_ws)
    with pytest.raises(DataError, match="geen andere gemeente dan GM9901"):
        peers.chosen(here.variables, "GM9901", 2024, ["GM9901", "GM9901"])
    one = peers.chosen(here.variables, "GM9901", 2024, ["GM9902", "GM9901"])
    assert "1 gemeente (" in one.method


def test_names_lose_control_and_bidi_characters(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "", "GM9916", "regio", "\u202eevil\u202c\u200b",
          years=tuple(range(2017, 2025)))
    table = root / "raw" / "gebieden-2024.csv"  # the provincie table names it too
    table.write_text(table.read_text(encoding="utf-8").replace(
        "Schelderade;", "\u202eevil\u202c\u200b;"), encoding="utf-8")
    names = _figures(root).names
    assert names["GM9916"] == "evil"


def test_mergers_use_the_stated_land_area_and_only_national_years():
    rows = []
    for year, land in ((2022, 1000), (2023, 2000), (2024, 2000)):
        for code in ("GM0001", "GM0002", "GM0003"):
            rows.append((code, year, "a_lan_ha", land if code == "GM0001" else 500))
    rows += [("GM0009", 2021, "a_inw", 100)]  # a regional year of one gemeente only
    tidy = pd.DataFrame([{"area_code": c, "level": "gemeente", "year": y, "variable": v,
                          "value": float(x), "status": model.OK, "source": "t"}
                         for c, y, v, x in rows])
    drawn = pd.DataFrame({"code": ["GM0001", "GM0002"], "vintage": [2023, 2023],
                          "hectares": [9.0, 9.0]})  # a sliver: not used beside CBS's area
    found = files.mergers(tidy, drawn)
    assert found.to_dict("records") == [{
        "code": "GM0001", "year": 2023,
        "reason": "het landoppervlak (CBS) van GM0001 veranderde tussen 2022 en 2023 met "
                  "+100% (herindeling of grenswijziging)"}]


def test_a_year_in_which_only_the_gemeente_has_figures_has_no_group_of_none():
    # two gemeenten in the files, but in 2019 only the own one has figures
    rows = [{"area_code": code, "level": "gemeente", "year": year, "variable": variable,
             "value": value, "status": model.OK, "source": "t"}
            for code, year in (("GM0001", 2019), ("GM0001", 2024), ("GM0002", 2024))
            for variable, value in (("a_inw", 1000.0), ("ste_oad", 900.0),
                                    ("p_00_14", 15.0))]
    tidy = pd.DataFrame(rows)
    assert peers.nearest(tidy, "GM0001", 2024)[0].members == ("GM0002",)
    with pytest.raises(DataError, match="geen andere gemeente heeft in 2019"):
        peers.nearest(tidy, "GM0001", 2019)
