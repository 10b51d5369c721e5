"""The budget workbook under attack (helpers.workspace.budgetbook): hostile texts, wrong
types, a broken shape, files that are no workbook, a full disk, a kill -9, a locked file.
Every refusal is one message per problem naming the cell, and changes nothing."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from helpers.errors import ConfigError, StuurkitError
from helpers.indicators import catalogue
from helpers.workspace import budgetbook, open_workspace
from helpers.workspace.begroting import read_begroting
from helpers.workspace.locks import workspace_lock


@pytest.fixture
def exported(ws_copy, tmp_path):
    ws = open_workspace(ws_copy)
    book = tmp_path / "begroting.xlsx"
    budgetbook.export(ws, book, catalogue.for_workspace(ws))
    return ws, book


def _import(ws, book):
    return budgetbook.import_(ws, book, catalogue.for_workspace(ws))


def _edit(book, *cells, fmt=None, dtype=None):
    """Set ``(sheet, cell, value)`` in the workbook at ``book``."""
    sheets = load_workbook(book)
    for sheet, ref, value in cells:
        sheets[sheet][ref] = value
        if fmt:
            sheets[sheet][ref].number_format = fmt
        if dtype:
            sheets[sheet][ref].data_type = dtype
    sheets.save(book)


def _refused(ws, book) -> list[str]:
    """The messages of a refused import, checking that nothing changed."""
    target = ws.path(ws.config.programme)
    before = target.read_bytes()
    with pytest.raises(ConfigError) as refused:
        _import(ws, book)
    assert target.read_bytes() == before
    assert not target.with_name(target.name + ".bak").exists()
    return str(refused.value).split("\n  ")[1:]


@pytest.mark.parametrize(("cell", "fmt", "dtype", "message"), [
    (("Indicatoren", "E2", "1.234"), None, None,
     "blad 'Indicatoren', rij 2, kolom E (nulmeting_waarde): '1.234' is tekst, geen getal"),
    (("Budget", "C3", "1.234,5"), None, None, "kolom C (begroot): '1.234,5' is tekst"),
    (("Indicatoren", "G2", 0.68), "0%", None, "kolom G (streefwaarde_waarde): een cel met "
     "percentage-opmaak: Excel bewaart 68% als 0.68"),
    (("Acties", "D2", "1-3-2026"), None, None, "kolom D (gereed): '1-3-2026' is tekst, geen datum"),
    (("Doelen", "C2", "#N/A"), None, "e", "kolom C (titel): een foutwaarde (#N/A)"),
    (("Doelen", "C2", 123), None, None, "kolom C (titel): 123 is geen tekst"),
    (("Doelen", "B2", 1.1), None, None, "kolom B (id): 1.1 is geen tekst"),
    (("Budget", "C2", "=1000*2"), None, None, "kolom C (begroot): een formule"),
    (("Budget", "B2", 20255), None, None, "kolom B (jaar): Input should be less than or equal "
     "to 2100"),
    (("Doelen", "D2", "Team \u202eWerk"), None, None, "kolom D (eigenaar): Value error, "
     "character U+202E at position 6 is not allowed in a text"),
])
def test_a_cell_that_cannot_hold_its_column_is_one_message(exported, cell, fmt, dtype, message):
    ws, book = exported
    _edit(book, cell, fmt=fmt, dtype=dtype)
    messages = _refused(ws, book)
    if cell[1] == "B2" and cell[0] == "Doelen":  # the goal's rows lose their goal
        messages = [m for m in messages if "geen bekende doel" not in m]
    assert len(messages) == 1, messages
    assert message in messages[0]


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s["Acties"].merge_cells("A2:A3"),
     "blad 'Acties', cellen A2:A3: samengevoegde cellen"),
    (lambda s: setattr(s.copy_worksheet(s["Acties"]), "title", "Acties (2)"),
     "blad 'Acties (2)' hoort niet bij de begroting"),
    (lambda s: s["Doelen"].__setitem__("F3", "een notitie"),
     "blad 'Doelen', kolom F: hoort niet bij dit blad"),
    (lambda s: s["Doelen"].__setitem__("C1", "Titel"),  # and not one message per goal row
     "blad 'Doelen', rij 1: de kolommen moeten programma, id, titel, eigenaar zijn"),
    (lambda s: s["Acties"].__setitem__("A20001", "P1.1"),
     "blad 'Acties': 20001 rijen; de kit leest er hoogstens 10000"),
    (lambda s: s.remove(s["Duiding"]), "blad 'Duiding' ontbreekt"),
])
def test_a_workbook_of_another_shape_is_one_message_per_problem(exported, change, message):
    ws, book = exported
    sheets = load_workbook(book)
    change(sheets)
    sheets.save(book)
    messages = _refused(ws, book)
    assert len(messages) == 1, messages
    assert message in messages[0]


def test_what_is_given_twice_is_refused_not_overwritten(exported):
    ws, book = exported
    sheets = load_workbook(book)
    sheets["Duiding"].append(["P1.1", 2025, "eerste"])
    sheets["Duiding"].append(["P1.1", "2025", "tweede"])  # the same year, as text
    sheets["Begroting"].append(["begrotingsjaar", 2027])
    sheets.save(book)
    assert _refused(ws, book) == [
        "begroting.xlsx, blad 'Begroting', rij 4, kolom A (sleutel): 'begrotingsjaar' staat "
        "ook in rij 3; elke sleutel komt één keer voor",
        "begroting.xlsx, blad 'Duiding', rij 3, kolom B (jaar): doel 'P1.1' heeft ook een "
        "duiding voor 2025 in rij 2; één duiding per doel en jaar — voeg de teksten samen"]


PAYLOADS = ["<script>alert(1)</script>", '=HYPERLINK("http://x","klik")', "=cmd|' /C calc'!A0",
            "@SUM(1)", "+31 6 1234", "-1", "Wérk & <b>zo</b>"]


def test_hostile_texts_are_kept_as_text_and_exported_as_text(exported):
    ws, book = exported
    _edit(book, *[("Acties", f"B{row}", text) for row, text in enumerate(PAYLOADS, start=2)],
          dtype="s")
    assert _import(ws, book)[1]
    wat = [a.wat for _, g in read_begroting(ws.path(ws.config.programme)).goals()
           for a in g.acties]
    assert wat[:len(PAYLOADS)] == PAYLOADS  # verbatim: escaping is the templates' job
    budgetbook.export(ws, book, catalogue.for_workspace(ws))
    assert "<f>" not in zipfile.ZipFile(book).read("xl/worksheets/sheet5.xml").decode()
    cells = [load_workbook(book)["Acties"][f"B{row}"] for row in range(2, len(PAYLOADS) + 2)]
    assert [c.value for c in cells] == PAYLOADS
    assert all(c.data_type == "s" for c in cells)
    # Excel's quote prefix: edited in Excel, '=…' stays text
    assert [c.quotePrefix for c in cells] == [False, True, True, True, True, True, False]


def test_the_reports_escape_what_was_imported(exported, demo_facts):
    from helpers.reports import programmamonitor

    ws, book = exported
    script = "<script>alert('x')</script>"
    _edit(book, ("Programma's", "B2", f"Werk {script}"), ("Doelen", "C2", f"Doel {script}"),
          ("Acties", "C2", f"Team {script}"), ("Doelen", "D2", "<img src=x onerror=alert(1)>"))
    _import(ws, book)
    view = programmamonitor.monitor(ws, demo_facts, "P1", 2024)
    parts = [programmamonitor.key_message(view), programmamonitor.goals_table(view),
             programmamonitor.actions(view), programmamonitor.goal_texts(view)]
    shown = [p._repr_html_() for p in parts]
    html = "".join(x[0] if isinstance(x, tuple) else x for x in shown)  # (html, metadata)
    assert "alert(&#39;x&#39;)" in html or "alert('x')" in html  # the text is there …
    assert "<script>" not in html and "<img" not in html  # … as text


def test_whole_number_ids_unicode_and_spaces_are_read_as_meant(exported):
    ws, book = exported
    sheets = load_workbook(book)
    for name, column in (("Programma's", "A"), ("Doelen", "A"), ("Budget", "A")):
        for cell in sheets[name][column][1:]:
            if cell.value == "P1":
                cell.value = 3  # the id 3, typed as a number
    sheets["Doelen"]["D2"] = "  Team We\u0301rk "  # decomposed é, spaces around
    sheets.save(book)
    assert _import(ws, book)[1]
    budget = read_begroting(ws.path(ws.config.programme))
    assert budget.programmas[0].id == "3"
    assert budget.programmas[0].doelen[0].eigenaar == "Team W\u00e9rk"  # NFC, trimmed


def test_a_budget_that_differs_only_in_spaces_is_not_rewritten(exported):
    ws, book = exported
    target = ws.path(ws.config.programme)
    text = target.read_text(encoding="utf-8").replace(
        "    titel: Meer inwoners doen mee op de arbeidsmarkt",
        "    titel: 'Meer inwoners doen mee op de arbeidsmarkt '\n    duiding:\n"
        "      2025: |\n        Een duiding op twee regels,\n        met een regeleinde.\n", 1)
    target.write_text(text, encoding="utf-8")
    budgetbook.export(ws, book, catalogue.for_workspace(ws))
    assert _import(ws, book) == (target, False)
    assert target.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("text", ['titel: "Meer \\a inwoners"', "titel: " + "x" * 40_000,
                                  'titel: "a\\ufffeb"'])
def test_a_yaml_text_no_workbook_can_hold_is_refused_on_export(exported, text):
    ws, book = exported
    target = ws.path(ws.config.programme)
    target.write_text(target.read_text(encoding="utf-8").replace(
        "titel: Meer inwoners doen mee op de arbeidsmarkt", text, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"programmas\[0\]\.doelen\[0\]\.titel: Value error"):
        budgetbook.export(ws, book, catalogue.for_workspace(ws))


@pytest.mark.parametrize("content", [b"", b"id,naam\nP1,Werk\n", b"PK\x03\x04broken"])
def test_a_file_that_is_no_workbook_is_refused(exported, content):
    ws, book = exported
    book.write_bytes(content)
    with pytest.raises(ConfigError, match="geen Excel-werkmap die de kit kan lezen"):
        _import(ws, book)


def test_a_workbook_that_unpacks_too_far_is_not_read(exported, monkeypatch):
    ws, book = exported
    monkeypatch.setattr(budgetbook, "MAX_BYTES", 1000)
    monkeypatch.setattr(budgetbook, "load_workbook", None)  # never reached
    with pytest.raises(ConfigError, match=r"de werkmap pakt uit tot \d+ MB; de kit leest"):
        _import(ws, book)


def _changed(book):
    _edit(book, ("Indicatoren", "G2", 70.5))


def test_a_read_only_budget_is_not_replaced(exported):
    ws, book = exported
    _changed(book)
    target = ws.path(ws.config.programme)
    target.chmod(0o444)
    with pytest.raises(ConfigError, match=r"begroting.yml: alleen-lezen \(vergrendeld\); er is "
                                          "niets veranderd"):
        _import(ws, book)
    assert oct(target.stat().st_mode & 0o777) == "0o444"


def test_the_budget_keeps_its_permissions_and_a_broken_one_can_be_repaired(exported):
    ws, book = exported
    _changed(book)
    target = ws.path(ws.config.programme)
    old = target.read_text(encoding="utf-8")
    target.write_text(old.replace("begrotingsjaar: 2026", "begrotingsjaar: twintig"))
    target.chmod(0o640)
    assert _import(ws, book) == (target, True)
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert "begrotingsjaar: twintig" in target.with_name("begroting.yml.bak").read_text()


@pytest.mark.parametrize("failing", ["begroting.yml.bak", "begroting.yml"])
def test_a_full_disk_is_a_message_and_leaves_the_budget(exported, monkeypatch, failing):
    ws, book = exported
    _changed(book)
    target = ws.path(ws.config.programme)
    before = target.read_bytes()
    real = budgetbook.write_text_atomic

    def full(path, text):
        if path.name == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(budgetbook, "write_text_atomic", full)
    with pytest.raises(ConfigError, match=r"kon niet worden geschreven \(No space left on "
                                          r"device\); het is niet veranderd"):
        _import(ws, book)
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".*.tmp"))


def test_an_import_waits_for_no_run(exported):
    ws, book = exported
    _changed(book)
    with workspace_lock(ws.root, exclusive=False, action="run reports of"), \
            pytest.raises(StuurkitError, match="Cannot import the budget into"):
        _import(ws, book)


_KILLER = """
import os, signal, sys
from helpers.files import os as files_os
from helpers.indicators import catalogue
from helpers.workspace import budgetbook, open_workspace
real = files_os.replace
def replace(tmp, path):
    if os.path.basename(path) == sys.argv[3]:
        os.kill(os.getpid(), signal.SIGKILL)
    real(tmp, path)
files_os.replace = replace
ws = open_workspace(sys.argv[1])
budgetbook.import_(ws, sys.argv[2], catalogue.for_workspace(ws))
"""


@pytest.mark.parametrize("at", ["begroting.yml.bak", "begroting.yml"])
def test_a_kill_9_during_the_import_leaves_the_old_budget(exported, at):
    ws, book = exported
    _changed(book)
    target = ws.path(ws.config.programme)
    before = target.read_bytes()
    done = subprocess.run([sys.executable, "-c", _KILLER, str(ws.root), str(book), at],
                          capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert target.read_bytes() == before  # killed before its replace: the old file, whole
    assert list(target.parent.glob(".begroting.yml*.tmp"))  # what the killed import left …
    assert _import(ws, book) == (target, True)  # … is cleared by the next
    assert not list(target.parent.glob(".begroting.yml*.tmp"))
    assert read_begroting(target).programmas[0].doelen[0].indicatoren[0].streefwaarde.waarde \
        == 70.5
    assert re.search(r"titel: Meer inwoners", target.read_text(encoding="utf-8"))
    assert os.path.exists(target.with_name("begroting.yml.bak"))


def test_the_workbook_is_never_written_over_the_budget(exported):
    ws, _ = exported
    target = ws.path(ws.config.programme)
    before = target.read_bytes()
    with pytest.raises(ConfigError, match="dat is de begroting zelf"):
        budgetbook.export(ws, target, catalogue.for_workspace(ws))
    assert target.read_bytes() == before
