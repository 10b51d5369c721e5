"""``stuurkit check`` refuses what ``stuurkit run`` would refuse (issue 14, item 7): the
programme budget checked against the catalogue as a report loads it, and every schedule
entry's parameters against the workspace's years, areas, catalogue and programmes."""

from __future__ import annotations

import pytest
import yaml

from helpers.cli import main
from helpers.indicators import catalogue as catalogues
from helpers.run.schedule import schedule_problems
from helpers.workspace import open_workspace
from helpers.workspace.check import ERROR, check_workspace, readiness
from helpers.workspace.importer import import_files, init_workspace
from tests.conftest import DEMO


def _errors(root) -> list:
    problems = check_workspace(root, catalogue=catalogues.for_workspace,
                               schedule=schedule_problems)
    return [p for p in problems if p.severity == ERROR]


def _set_schedule(root, schedule: list[dict]) -> None:
    path = root / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["schedule"] = schedule
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_demo_has_no_schedule_or_budget_errors():
    ws = open_workspace(DEMO)
    ready = readiness(ws, catalogues.for_workspace(ws))
    assert ready.errors == [] and ready.years == list(range(2015, 2025))
    assert ready.budget is not None and [p.id for p in ready.budget.begroting.programmas][:1] \
        == ["P1"]
    assert schedule_problems(ws, ready) == []


def test_a_misspelt_budget_indicator_is_a_check_error(ws_copy, capsys):
    path = ws_copy / "begroting.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("indicator: bijstand_per_1000",
                                 "indicator: bijstand_per_100", 1), encoding="utf-8")
    errors = _errors(ws_copy)
    budget = [p for p in errors if p.where == "begroting.yml"]
    assert len(budget) == 1, errors
    message = budget[0].message
    assert str(ws_copy / "begroting.yml") in message
    assert ".indicatoren[0].indicator: 'bijstand_per_100' is not in the catalogue" in message
    assert "check the spelling or add it there" in message
    assert main(["check", str(ws_copy)]) == 1
    assert "bijstand_per_100" in capsys.readouterr().out


@pytest.mark.parametrize("entry, where, expected", [
    ({"name": "bestuur", "notebook": "30_bestuursoverzicht.ipynb",
      "parameters": {"year": 2031}},
     "schedule entry 'bestuur'",
     "year 2031 has no statistics in this workspace; available years: 2015, 2016, 2017, "
     "2018, 2019, 2020, 2021, 2022, 2023, 2024. Set parameters.year to one of them, or "
     "leave it out to use the newest (2024)."),
    ({"name": "een_wijk", "notebook": "10_wijkprofiel.ipynb",
      "parameters": {"year": 2024, "area_code": "WK990191"}},
     "schedule entry 'een_wijk'",
     "area_code 'WK990191' is no wijk or buurt of Voorbeeldstad (GM9901). Did you mean"),
    ({"name": "verkennen", "notebook": "00_verkenner.ipynb",
      "parameters": {"year": 2024, "indicator": "bijstand_per_100"}},
     "schedule entry 'verkennen'",
     "indicator 'bijstand_per_100' is not in the catalogue"),
    ({"name": "p9", "notebook": "20_programmamonitor.ipynb",
      "parameters": {"year": 2024, "programme": "P9"}},
     "schedule entry 'p9'",
     "programme 'P9' is not in begroting.yml; its programmes: P1, "),
    ({"name": "verkennen", "notebook": "00_verkenner.ipynb",
      "parameters": {"year": 2024, "level": "provincie"}},
     "schedule entry 'verkennen'", "level 'provincie': choose wijk or buurt."),
])
def test_a_schedule_parameter_the_data_lacks_is_a_check_error(ws_copy, entry, where, expected):
    _set_schedule(ws_copy, [entry])
    errors = _errors(ws_copy)
    assert [p.where for p in errors] == [where], errors
    assert expected in errors[0].message


def test_every_bad_entry_is_reported_at_once(ws_copy):
    _set_schedule(ws_copy, [
        {"name": "bestuur", "notebook": "30_bestuursoverzicht.ipynb",
         "parameters": {"year": 2031}},
        {"name": "weg", "notebook": "31_bestuursoverzicht.ipynb"},
        {"name": "typo", "notebook": "90_datakwaliteit.ipynb", "parameters": {"jaar": 2024}},
    ])
    errors = _errors(ws_copy)
    assert [p.where for p in errors] == ["schedule entry 'bestuur'", "schedule entry 'weg'",
                                         "schedule entry 'typo'"]
    assert "notebook '31_bestuursoverzicht.ipynb' is not in" in errors[1].message
    assert "30_bestuursoverzicht.ipynb" in errors[1].message  # the notebooks there
    assert "parameter 'jaar' does not exist in 90_datakwaliteit.ipynb" in errors[2].message


def test_init_schedules_the_newest_statistics_year(tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    schedule = yaml.safe_load((root / "stuurkit.yml").read_text())["schedule"]
    assert schedule == [{"name": "wijkprofielen", "notebook": "10_wijkprofiel.ipynb",
                         "for_each": "wijk"}]
    fresh = _errors(root)
    assert [p.where for p in fresh] == ["sources.kwb", "sources.kaart"], fresh
    import_files(root, [DEMO / "raw" / "kwb-2017.csv", DEMO / "raw" / "kwb-2018.csv",
                        DEMO / "raw" / "kwb-2019.csv", DEMO / "raw" / "wijken_2017.geojson",
                        DEMO / "raw" / "gemeenten_2017.geojson"])
    assert _errors(root) == []
    from helpers.run import expand

    jobs = expand(open_workspace(root))
    assert jobs and {j.parameters["year"] for j in jobs} == {2019}


def test_init_with_real_statistics_of_2023_and_2024(tmp_path, monkeypatch, real_data):
    """Utrecht's published KWB files and PDOK wijken of 2024: the fresh schedule is fine."""
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    root = init_workspace(tmp_path / "utrecht", "GM0344", "Utrecht")
    import_files(root, [real_data / "kwb-2023_GM0344.csv", real_data / "kwb-2024_GM0344.csv",
                        real_data / "wijken_2024_GM0344.geojson"])
    ws = open_workspace(root)
    ready = readiness(ws, catalogues.for_workspace(ws))
    assert ready.years == [2023, 2024]
    assert schedule_problems(ws, ready) == []
    _set_schedule(root, [{"name": "wijkprofielen", "notebook": "10_wijkprofiel.ipynb",
                          "for_each": "wijk", "parameters": {"year": 2019}},
                         {"name": "een_wijk", "notebook": "10_wijkprofiel.ipynb"}])
    ws = open_workspace(root)
    problems = schedule_problems(ws, readiness(ws, catalogues.for_workspace(ws)))
    assert [p.where for p in problems] == ["schedule entry 'wijkprofielen'",
                                           "schedule entry 'een_wijk'"], problems
    assert "available years: 2023, 2024" in problems[0].message
    assert problems[1].message.startswith(  # the notebook's example code is the demo's
        "area_code 'WK990101' (the notebook's default; set it under parameters) is no wijk "
        "or buurt of Utrecht (GM0344).")
    assert "WK034401" in problems[1].message  # Utrecht's wijk codes, to choose from


def test_unmapped_names_are_found_once_per_workspace_and_their_reads_recorded_each_time():
    """The datakwaliteit report asks twice; a warm kernel asks for every report: the
    files are parsed once, and each call still counts them as read (incremental runs)."""
    from helpers.workspace import reads
    from helpers.workspace.check import unmapped_names

    ws = open_workspace(DEMO)
    with reads.capture() as first_reads:
        first = unmapped_names(ws)
    with reads.capture() as second_reads:
        second = unmapped_names(ws)
    assert first == second and first is not second
    assert any(name.startswith("raw/") for name in first_reads), first_reads
    assert second_reads == first_reads
