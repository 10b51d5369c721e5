"""The programme budget as an Excel workbook a controller can keep, and back.

``export(ws, path)`` writes ``begroting.yml`` as sheets — ``Begroting`` (gemeente,
begrotingsjaar), ``Programma's``, ``Doelen``, ``Indicatoren`` (baseline and target),
``Acties``, ``Budget`` and ``Duiding`` (the commentary kept in the budget itself) — one
row per item, with drop-down lists (data validation) for indicators from the catalogue,
action statuses, programme and goal ids, and the owners already named (another owner
may be typed: a warning, not a refusal). Every text is a text cell, never a formula.

``import_(ws, path)`` reads such a workbook back, checks it exactly as ``begroting.yml``
is checked (``begroting.problems_of``: the model, the catalogue, the gemeente) and only
then writes ``begroting.yml`` atomically, keeping the previous file as
``begroting.yml.bak``. Every problem is one message naming sheet, row and column
(``begroting.xlsx, blad 'Indicatoren', rij 7, kolom B (indicator): …``), and with any
problem nothing changes. A workbook that holds what ``begroting.yml`` holds changes
nothing: the file is not rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from helpers import model
from helpers.errors import ConfigError
from helpers.files import replacing, write_text_atomic
from helpers.workspace import Workspace
from helpers.workspace.begroting import Begroting, problems_of, read_begroting

__all__ = ["export", "import_", "SHEETS"]

# sheet → its columns (the header row); the first sheet holds key/value pairs
SHEETS: dict[str, tuple[str, ...]] = {
    "Begroting": ("sleutel", "waarde"),
    "Programma's": ("id", "naam", "portefeuillehouder", "budget_eenheid"),
    "Doelen": ("programma", "id", "titel", "eigenaar"),
    "Indicatoren": ("doel", "indicator", "gebied", "nulmeting_jaar", "nulmeting_waarde",
                    "streefwaarde_jaar", "streefwaarde_waarde"),
    "Acties": ("doel", "wat", "wie", "gereed", "status"),
    "Budget": ("programma", "jaar", "begroot", "realisatie"),
    "Duiding": ("doel", "jaar", "tekst"),
}
_LISTS = "Lijsten"  # a hidden sheet with the drop-down lists
_ROWS = 2000  # rows a drop-down list covers


def _text_cell(cell, value) -> None:
    """A value into a cell; a text is always text (``=…`` is no formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _write_rows(sheet, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sheet.append(list(columns))
    for row in rows:
        sheet.append([None] * len(columns))
        for j, value in enumerate(row, start=1):
            _text_cell(sheet.cell(row=sheet.max_row, column=j), value)
    for j, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = max(12, len(name) + 4)
    sheet.freeze_panes = "A2"


def _drop_down(sheet, column: str, source: str, strict: bool = True) -> None:
    check = DataValidation(type="list", formula1=source, allow_blank=True,
                           showErrorMessage=True, errorStyle="stop" if strict else "warning",
                           error="Kies een waarde uit de lijst.",
                           errorTitle="Onbekende waarde")
    check.add(f"{column}2:{column}{_ROWS}")
    sheet.add_data_validation(check)


def export(ws: Workspace, path: str | Path, catalogue) -> Path:
    """Write the workspace's ``begroting.yml`` as a workbook at ``path`` (atomically)."""
    source = ws.path(ws.config.programme)
    budget = read_begroting(source)
    book = Workbook()
    first = book.active
    first.title = "Begroting"
    _write_rows(first, SHEETS["Begroting"], [("gemeente", budget.gemeente),
                                             ("begrotingsjaar", budget.begrotingsjaar)])
    p = budget.programmas
    goals = [(prog, goal) for prog in p for goal in prog.doelen]
    tables = {
        "Programma's": [(x.id, x.naam, x.portefeuillehouder, x.budget_eenheid) for x in p],
        "Doelen": [(prog.id, g.id, g.titel, g.eigenaar) for prog, g in goals],
        "Indicatoren": [(g.id, i.indicator, i.gebied, i.nulmeting.jaar, i.nulmeting.waarde,
                         i.streefwaarde.jaar, i.streefwaarde.waarde)
                        for _, g in goals for i in g.indicatoren],
        "Acties": [(g.id, a.wat, a.wie, a.gereed, a.status) for _, g in goals for a in g.acties],
        "Budget": [(x.id, b.jaar, b.begroot, b.realisatie) for x in p for b in x.budget],
        "Duiding": [(g.id, year, text) for _, g in goals for year, text in g.duiding.items()],
    }
    for name, rows in tables.items():
        _write_rows(book.create_sheet(name), SHEETS[name], rows)
    for row in range(2, len(tables["Acties"]) + 2):
        book["Acties"].cell(row=row, column=4).number_format = "DD-MM-YYYY"
    lists = book.create_sheet(_LISTS)
    owners = sorted({g.eigenaar for _, g in goals} | {a.wie for _, g in goals
                                                      for a in g.acties})
    columns = {"A": sorted(catalogue), "B": list(model.ACTION_STATUSES), "C": owners}
    for letter, values in columns.items():
        for k, value in enumerate(values, start=1):
            _text_cell(lists[f"{letter}{k}"], value)
    lists.sheet_state = "hidden"

    def listed(letter: str) -> str:
        return f"{_LISTS}!${letter}$1:${letter}${max(1, len(columns[letter]))}"

    _drop_down(book["Indicatoren"], "B", listed("A"))
    _drop_down(book["Acties"], "E", listed("B"))
    _drop_down(book["Doelen"], "D", listed("C"), strict=False)
    _drop_down(book["Acties"], "C", listed("C"), strict=False)
    _drop_down(book["Doelen"], "A", f"'Programma''s'!$A$2:$A${_ROWS}")
    for name in ("Indicatoren", "Acties", "Duiding"):
        _drop_down(book[name], "A", f"Doelen!$B$2:$B${_ROWS}")
    _drop_down(book["Budget"], "A", f"'Programma''s'!$A$2:$A${_ROWS}")
    path = Path(path)
    with replacing(path) as tmp:
        book.save(tmp)
    return path


# ------------------------------------------------------------------ import


@dataclass
class _Reading:
    """The document read from a workbook, and where each key came from."""

    file: str
    where: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def place(self, key: str, sheet: str, row: int, column: str) -> None:
        self.where[key] = (sheet, row, column)

    def cell_name(self, sheet: str, row: int, column: str) -> str:
        letter = get_column_letter(SHEETS[sheet].index(column) + 1)
        return f"{self.file}, blad '{sheet}', rij {row}, kolom {letter} ({column})"

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(f"{self.cell_name(sheet, row, column)}: {message}")

    def locate(self, key: str) -> str:
        """The cell of a key path: the longest recorded key it starts with."""
        best = max((k for k in self.where if key == k or key.startswith(k + ".")
                    or key.startswith(k + "[")), key=len, default=None)
        if best is None:
            return self.file
        return self.cell_name(*self.where[best])


def _value(cell) -> Any:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _rows(book, reading: _Reading, name: str):
    """``(row number, {column: value})`` of every filled row of one sheet; a sheet whose
    header differs from ``SHEETS`` is a problem."""
    if name not in book.sheetnames:
        reading.problems.append(f"{reading.file}: blad '{name}' ontbreekt (verwacht: "
                                f"{', '.join(SHEETS)}).")
        return
    sheet = book[name]
    header = [_value(c) for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    expected = list(SHEETS[name])
    if header[:len(expected)] != expected:
        reading.problems.append(f"{reading.file}, blad '{name}', rij 1: de kolommen moeten "
                                f"{', '.join(expected)} zijn (gevonden: "
                                f"{', '.join(str(h) for h in header if h)}).")
        return
    for row in sheet.iter_rows(min_row=2, max_col=len(expected)):
        values = {}
        for column, cell in zip(expected, row, strict=True):
            if cell.data_type == "f":  # a formula: its result is not in the file for sure
                reading.problem(name, cell.row, column, "een formule; de begroting neemt "
                                "alleen waarden — typ de waarde zelf")
                values[column] = None
            else:
                values[column] = _value(cell)
        if any(v is not None for v in values.values()):
            yield row[0].row, values


def _set(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def _item(reading: _Reading, key: str, sheet: str, number: int, row: dict,
          columns: tuple[str, ...]) -> dict:
    """The filled ``columns`` of one row as the budget item at ``key``, each key
    recorded at its cell (the item itself at its first column)."""
    item: dict[str, Any] = {}
    for column in columns:
        _set(item, column, row[column])
        reading.place(f"{key}.{column}", sheet, number, column)
    reading.place(key, sheet, number, columns[0])
    return item


def _read(path: Path) -> tuple[dict, _Reading]:
    reading = _Reading(path.name)
    try:
        book = load_workbook(path)  # formulas as formulas: refused, never guessed
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ConfigError(f"{path}: geen Excel-werkmap die de kit kan lezen ({exc}).") from exc
    doc: dict[str, Any] = {"programmas": []}
    for number, row in _rows(book, reading, "Begroting"):
        key = row["sleutel"]
        if key in ("gemeente", "begrotingsjaar"):
            _set(doc, key, row["waarde"])
            reading.place(key, "Begroting", number, "waarde")
        else:
            reading.problem("Begroting", number, "sleutel", f"onbekende sleutel {key!r}; "
                            "alleen gemeente en begrotingsjaar")
    programmes: dict[str, dict] = {}
    made: list[dict] = []
    first_row: dict[tuple[str, str], int] = {}

    def unique(sheet: str, number: int, ref, table: dict) -> bool:
        """An id names one row: a second row with it is a problem (the rows that name
        it could belong to either), and is not read."""
        if ref is not None and str(ref) in table:
            reading.problem(sheet, number, "id", f"{ref!r} staat ook in rij "
                            f"{first_row[(sheet, str(ref))]}; een id komt één keer voor")
            return False
        first_row[(sheet, str(ref))] = number
        return True

    for number, row in _rows(book, reading, "Programma's"):
        if not unique("Programma's", number, row["id"], programmes):
            continue
        key = f"programmas[{len(doc['programmas'])}]"
        item = _item(reading, key, "Programma's", number, row, SHEETS["Programma's"])
        item.update(doelen=[], budget=[])
        doc["programmas"].append(item)
        programmes[str(row["id"])] = item
        item["_key"] = key
        made.append(item)
    goals: dict[str, dict] = {}

    def owner(sheet: str, number: int, column: str, ref, table: dict) -> dict | None:
        if ref is None or str(ref) not in table:
            known = ", ".join(table) or "(geen)"
            reading.problem(sheet, number, column, f"{ref!r} is geen bekende "
                            f"{'programma' if table is programmes else 'doel'}; kies een van: "
                            f"{known}")
            return None
        return table[str(ref)]

    for number, row in _rows(book, reading, "Doelen"):
        programme = owner("Doelen", number, "programma", row["programma"], programmes)
        if programme is None or not unique("Doelen", number, row["id"], goals):
            continue
        key = f"{programme['_key']}.doelen[{len(programme['doelen'])}]"
        item = _item(reading, key, "Doelen", number, row, ("id", "titel", "eigenaar"))
        item.update(indicatoren=[], acties=[], duiding={})
        programme["doelen"].append(item)
        goals[str(row["id"])] = item
        item["_key"] = key
        made.append(item)
    for number, row in _rows(book, reading, "Indicatoren"):
        goal = owner("Indicatoren", number, "doel", row["doel"], goals)
        if goal is None:
            continue
        key = f"{goal['_key']}.indicatoren[{len(goal['indicatoren'])}]"
        item: dict[str, Any] = {}
        _set(item, "indicator", row["indicator"])
        _set(item, "gebied", row["gebied"])
        for part in ("nulmeting", "streefwaarde"):
            item[part] = {}
            _set(item[part], "jaar", row[f"{part}_jaar"])
            _set(item[part], "waarde", row[f"{part}_waarde"])
            reading.place(f"{key}.{part}", "Indicatoren", number, f"{part}_jaar")
            reading.place(f"{key}.{part}.jaar", "Indicatoren", number, f"{part}_jaar")
            reading.place(f"{key}.{part}.waarde", "Indicatoren", number, f"{part}_waarde")
        for column in ("indicator", "gebied"):
            reading.place(f"{key}.{column}", "Indicatoren", number, column)
        reading.place(key, "Indicatoren", number, "indicator")
        goal["indicatoren"].append(item)
    for number, row in _rows(book, reading, "Acties"):
        goal = owner("Acties", number, "doel", row["doel"], goals)
        if goal is None:
            continue
        key = f"{goal['_key']}.acties[{len(goal['acties'])}]"
        goal["acties"].append(_item(reading, key, "Acties", number, row,
                                    ("wat", "wie", "gereed", "status")))
    for number, row in _rows(book, reading, "Budget"):
        programme = owner("Budget", number, "programma", row["programma"], programmes)
        if programme is None:
            continue
        key = f"{programme['_key']}.budget[{len(programme['budget'])}]"
        programme["budget"].append(_item(reading, key, "Budget", number, row,
                                         ("jaar", "begroot", "realisatie")))
    for number, row in _rows(book, reading, "Duiding"):
        goal = owner("Duiding", number, "doel", row["doel"], goals)
        if goal is None:
            continue
        year, text = row["jaar"], row["tekst"]
        if year is None or text is None:
            reading.problem("Duiding", number, "jaar" if year is None else "tekst",
                            "een duiding heeft een jaar en een tekst")
            continue
        reading.place(f"{goal['_key']}.duiding.{year}", "Duiding", number, "jaar")
        goal["duiding"][year] = text
    for item in made:
        item.pop("_key", None)
    return doc, reading


def _yaml(budget: Begroting, source: str) -> str:
    doc = budget.model_dump(mode="json", exclude_defaults=True)
    head = (f"# Programmabegroting, ingelezen uit {source} met `stuurkit begroting import`.\n"
            "# De vorige versie staat in begroting.yml.bak.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def import_(ws: Workspace, path: str | Path, catalogue) -> tuple[Path, bool]:
    """Read the workbook at ``path`` into ``begroting.yml`` (see the module docstring);
    ``(the budget file, whether it changed)``. ``ConfigError`` lists every problem."""
    path = Path(path)
    doc, reading = _read(path)
    budget, problems = problems_of(doc, catalogue, ws.config.gemeente.code)
    messages = reading.problems + [f"{reading.locate(key)}: {message}"
                                   for key, message in problems]
    if messages:
        raise ConfigError(f"{path}: {len(messages)} probleem/problemen; er is niets "
                          "veranderd:\n  " + "\n  ".join(messages))
    target = ws.path(ws.config.programme)
    if target.exists() and read_begroting(target) == budget:
        return target, False
    if target.exists():
        write_text_atomic(target.with_name(target.name + ".bak"),
                          target.read_text(encoding="utf-8"))
    write_text_atomic(target, _yaml(budget, path.name))
    return target, True
