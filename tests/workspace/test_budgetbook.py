"""The programme budget as an Excel workbook and back (helpers.workspace.budgetbook)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from helpers.cli import main
from helpers.errors import ConfigError
from helpers.indicators import catalogue
from helpers.workspace import budgetbook, open_workspace
from helpers.workspace.begroting import read_begroting


@pytest.fixture
def exported(ws_copy, tmp_path):
    ws = open_workspace(ws_copy)
    book = tmp_path / "begroting.xlsx"
    budgetbook.export(ws, book, catalogue.for_workspace(ws))
    return ws, book


def _import(ws, book):
    return budgetbook.import_(ws, book, catalogue.for_workspace(ws))


def test_the_round_trip_of_the_demo_budget_is_lossless(exported):
    ws, book = exported
    budget_file = ws.path(ws.config.programme)
    before = budget_file.read_bytes()
    assert _import(ws, book) == (budget_file, False)  # the same budget: not rewritten
    assert budget_file.read_bytes() == before
    # and what the workbook holds is the budget, item for item
    sheets = load_workbook(book)
    budget = read_begroting(budget_file)
    goals = [g for p in budget.programmas for g in p.doelen]
    assert sheets["Doelen"].max_row - 1 == len(goals)
    assert sheets["Indicatoren"].max_row - 1 == sum(len(g.indicatoren) for g in goals)
    assert sheets["Acties"].max_row - 1 == sum(len(g.acties) for g in goals)
    assert isinstance(sheets["Acties"]["D2"].value, dt.datetime)  # a date, not text
    assert sheets["Lijsten"].sheet_state == "hidden"


def test_a_changed_workbook_is_read_back_and_the_old_file_kept(exported):
    ws, book = exported
    sheets = load_workbook(book)
    sheets["Indicatoren"]["G2"] = 70.5  # the first goal's target
    sheets["Doelen"]["C2"] = "=HYPERLINK(\"x\")"  # a title that looks like a formula …
    sheets["Doelen"]["C2"].data_type = "s"  # … typed as text
    sheets.save(book)
    budget_file = ws.path(ws.config.programme)
    old = budget_file.read_text(encoding="utf-8")
    assert _import(ws, book) == (budget_file, True)
    budget = read_begroting(budget_file)
    goal = budget.programmas[0].doelen[0]
    assert goal.indicatoren[0].streefwaarde.waarde == 70.5
    assert goal.titel == "=HYPERLINK(\"x\")"  # kept as text
    assert budget_file.with_name("begroting.yml.bak").read_text(encoding="utf-8") == old
    # exported again, the title is a text cell, never a formula
    budgetbook.export(ws, book, catalogue.for_workspace(ws))
    assert load_workbook(book)["Doelen"]["C2"].data_type == "s"


def test_drop_down_lists_for_indicators_statuses_and_ids(exported):
    _, book = exported
    sheets = load_workbook(book)
    lists = {(name, str(v.sqref)): v.formula1 for name in ("Indicatoren", "Acties", "Doelen")
             for v in sheets[name].data_validations.dataValidation}
    assert lists[("Indicatoren", "B2:B2000")].startswith("Lijsten!$A$1")
    assert lists[("Acties", "E2:E2000")] == "Lijsten!$B$1:$B$5"
    assert lists[("Indicatoren", "A2:A2000")] == "Doelen!$B$2:$B$2000"
    statuses = [sheets["Lijsten"][f"B{k}"].value for k in range(1, 6)]
    assert statuses == ["niet gestart", "lopend", "vertraagd", "afgerond", "vervallen"]


def test_a_broken_workbook_names_sheet_row_and_column_and_changes_nothing(exported):
    ws, book = exported
    sheets = load_workbook(book)
    sheets["Indicatoren"]["B3"] = "geen_indicator"  # unknown indicator
    sheets["Indicatoren"]["F4"] = None  # a target without its year
    sheets["Acties"]["D2"] = "2025-02-31"  # an impossible date
    original = sheets["Doelen"]["B3"].value
    sheets["Doelen"]["B3"] = sheets["Doelen"]["B2"].value  # a duplicate goal id
    sheets.save(book)
    budget_file = ws.path(ws.config.programme)
    before = budget_file.read_bytes()
    with pytest.raises(ConfigError) as refused:
        _import(ws, book)
    text = str(refused.value)
    assert "er is niets veranderd" in text
    assert ("begroting.xlsx, blad 'Indicatoren', rij 4, kolom F (streefwaarde_jaar): "
            "Field required") in text
    assert "blad 'Acties', rij 2, kolom D (gereed): Input should be a valid date" in text
    assert "blad 'Doelen', rij 3, kolom B (id): 'P1.1' staat ook in rij 2" in text
    assert budget_file.read_bytes() == before
    assert not budget_file.with_name("begroting.yml.bak").exists()
    # the catalogue is checked once the model holds: fixed, the unknown indicator is named
    sheets = load_workbook(book)
    sheets["Indicatoren"]["F4"] = 2026
    sheets["Acties"]["D2"] = dt.datetime(2025, 2, 28)
    sheets["Doelen"]["B3"] = original
    sheets.save(book)
    with pytest.raises(ConfigError) as refused:
        _import(ws, book)
    text = str(refused.value)
    assert ("blad 'Indicatoren', rij 3, kolom B (indicator): 'geen_indicator' is not in "
            "the catalogue") in text
    assert budget_file.read_bytes() == before


def test_a_formula_is_refused_not_guessed(exported):
    ws, book = exported
    sheets = load_workbook(book)
    sheets["Budget"]["C2"] = "=1000*2"
    sheets.save(book)
    with pytest.raises(ConfigError, match=r"blad 'Budget', rij 2, kolom C \(begroot\): een "
                                          "formule"):
        _import(ws, book)


def test_a_row_that_names_an_unknown_goal_is_refused(exported):
    ws, book = exported
    sheets = load_workbook(book)
    sheets["Acties"]["A2"] = "P9.9"
    sheets.save(book)
    with pytest.raises(ConfigError, match=r"blad 'Acties', rij 2, kolom A \(doel\): 'P9.9' is "
                                          r"geen bekende doel; kies een van: P1.1"):
        _import(ws, book)


def test_the_cli_exports_and_imports(ws_copy, tmp_path, capsys):
    book = tmp_path / "b.xlsx"
    assert main(["begroting", "export", str(ws_copy), str(book)]) == 0
    assert main(["begroting", "import", str(ws_copy), str(book)]) == 0
    assert "niets veranderd" in capsys.readouterr().out
