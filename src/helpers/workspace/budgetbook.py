"""The programme budget as an Excel workbook a controller can keep, and back.

``export(ws, path)`` writes ``begroting.yml`` as sheets — ``Begroting`` (gemeente,
begrotingsjaar), ``Programma's``, ``Doelen``, ``Indicatoren`` (baseline and target),
``Acties``, ``Budget`` and ``Duiding`` (the commentary kept in the budget itself) — one
row per item, with drop-down lists (data validation) for indicators from the catalogue,
action statuses, programme and goal ids, and the owners already named (another owner
may be typed: a warning, not a refusal). Every text is a text cell, never a formula, and
one that starts with ``= + - @`` carries Excel's quote prefix, so editing it in Excel
keeps it text.

``import_(ws, path)`` reads such a workbook back, checks it exactly as ``begroting.yml``
is checked (``begroting.problems_of``: the model, the catalogue, the gemeente) and only
then writes ``begroting.yml`` atomically, keeping the previous file as
``begroting.yml.bak``. Every problem is one message naming sheet, row and column
(``begroting.xlsx, blad 'Indicatoren', rij 7, kolom B (indicator): …``), and with any
problem nothing changes. The shape comes first: a missing, renamed or unknown sheet,
other columns, merged cells or a sheet longer than ``MAX_ROWS`` rows is reported alone
(what would follow from it is not). Then the cells: a formula, an error value (``#N/A``),
text in a number column (``1.234`` — a thousand or one?), a percentage format in a
number column (Excel keeps 45% as 0.45), text that is no ISO date in a date column, a
number in a text column, a duiding or a ``Begroting`` key given twice. A workbook that
holds what ``begroting.yml`` holds (up to spaces around texts) changes nothing: the file
is not rewritten. The import holds the workspace lock (``locks.workspace_lock``) and
refuses a read-only ``begroting.yml``; a write that fails (a full disk) is a
``ConfigError`` and leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from helpers import model
from helpers.errors import ConfigError
from helpers.files import remove_stale, replacing, write_text_atomic
from helpers.workspace import Workspace
from helpers.workspace.begroting import dump_begroting, holds_budget, problems_of, read_begroting
from helpers.workspace.locks import workspace_lock

__all__ = ["export", "import_", "text_cell", "FORMULA_STARTS", "SHEETS", "MAX_ROWS", "MAX_BYTES"]

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
MAX_ROWS = 10_000  # rows a sheet may have (a budget has hundreds)
MAX_BYTES = 25_000_000  # what a workbook may unpack to (a zip bomb is refused unread)
_SHOWN = 100  # messages listed; the rest is counted
# what each column holds (every other column but Begroting.waarde holds text)
_NUMBERS = {"nulmeting_waarde", "streefwaarde_waarde", "begroot", "realisatie"}
_WHOLE = {"nulmeting_jaar", "streefwaarde_jaar", "jaar"}
_DATES = {"gereed"}
_REFS = {"id", "programma", "doel"}  # a whole number typed here is the id as text
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


FORMULA_STARTS = ("=", "+", "-", "@")
"""What a text starts with that Excel takes for a formula when the cell is edited: such a
text gets Excel's quote prefix (here and in the published workbooks)."""


def text_cell(cell, value) -> None:
    """A value into a cell; a text is always text (``=…`` is no formula), and stays text
    when it is edited in Excel (the quote prefix)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = value[:1] in FORMULA_STARTS


def _write_rows(sheet, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sheet.append(list(columns))
    for row in rows:
        sheet.append([None] * len(columns))
        for j, value in enumerate(row, start=1):
            text_cell(sheet.cell(row=sheet.max_row, column=j), value)
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
            text_cell(lists[f"{letter}{k}"], value)
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
    if path.resolve() in (source.resolve(), source.with_name(source.name + ".bak").resolve()):
        raise ConfigError(f"{path}: dat is de begroting zelf; kies een ander bestand, "
                          "bijvoorbeeld begroting.xlsx.")
    try:
        with replacing(path) as tmp:
            book.save(tmp)
    except OSError as exc:
        raise ConfigError(f"{path}: de werkmap kon niet worden geschreven ({exc.strerror or exc})"
                          "; controleer de map en de vrije schijfruimte.") from exc
    return path


# ------------------------------------------------------------------ import


@dataclass
class _Reading:
    """The document read from a workbook, where each key came from, and the problems:
    of its shape (reported alone) and of its cells (``flagged``: the model's message
    about a flagged cell would repeat the problem)."""

    file: str
    where: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)
    flagged: set[tuple[str, int, str]] = field(default_factory=set)

    def place(self, key: str, sheet: str, row: int, column: str) -> None:
        self.where[key] = (sheet, row, column)

    def cell_name(self, sheet: str, row: int, column: str) -> str:
        letter = get_column_letter(SHEETS[sheet].index(column) + 1)
        return f"{self.file}, blad '{sheet}', rij {row}, kolom {letter} ({column})"

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.flagged.add((sheet, row, column))
        self.problems.append(f"{self.cell_name(sheet, row, column)}: {message}")

    def cell_of(self, key: str) -> tuple[str, int, str] | None:
        """The cell of a key path: that of the longest recorded key it starts with."""
        best = max((k for k in self.where if key == k or key.startswith(k + ".")
                    or key.startswith(k + "[")), key=len, default=None)
        return None if best is None else self.where[best]

    def locate(self, key: str) -> str:
        cell = self.cell_of(key)
        return self.file if cell is None else self.cell_name(*cell)


def _value(cell) -> Any:
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _cell(reading: _Reading, sheet: str, column: str, cell) -> Any:
    """The value of one cell of ``column``; ``None`` and a problem when the cell cannot
    hold what the column holds (see the module docstring)."""
    value, why = _value(cell), None
    shown = value.isoformat() if isinstance(value, dt.date) else value
    if cell.data_type == "f":  # a formula: its result is not in the file for sure
        why = "een formule; de begroting neemt alleen waarden — typ de waarde zelf"
    elif cell.data_type == "e":
        why = f"een foutwaarde ({value}); typ de waarde zelf"
    elif value is None or (sheet == "Begroting" and column == "waarde"):
        return value
    elif column in _NUMBERS and isinstance(value, str):
        why = (f"{value!r} is tekst, geen getal (is 1.234 duizend of één?); typ het getal in "
               "een cel met opmaak Getal, zonder ' ervoor")
    elif column in _NUMBERS and "%" in str(cell.number_format) and not isinstance(value, str):
        why = (f"een cel met percentage-opmaak: Excel bewaart {value:.0%} als {value:g}; typ "
               "het getal zoals de indicator het telt (45 voor 45%) in een cel met opmaak Getal")
    elif column in _DATES and isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        why = (f"{value!r} is tekst, geen datum; typ de datum in een cel met opmaak Datum (of "
               "schrijf 2026-03-01)")
    elif column in _REFS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # the id 3, typed as a number
    elif column not in _NUMBERS | _WHOLE | _DATES and not isinstance(value, str):
        why = f"{shown!r} is geen tekst; maak er tekst van (typ er een ' voor: '{shown})"
    if why is None:
        return value
    reading.problem(sheet, cell.row, column, why)
    return None


def _shape(sheet, reading: _Reading, name: str, expected: list[str]) -> bool:
    """Whether ``sheet`` has the shape of ``name``; each way it has not is a problem."""
    where = f"{reading.file}, blad '{name}'"
    header = [_value(c) for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    if header[:len(expected)] != expected:
        reading.shape.append(f"{where}, rij 1: de kolommen moeten {', '.join(expected)} zijn "
                             f"(gevonden: {', '.join(str(h) for h in header if h)}).")
        return False
    if sheet.max_row > MAX_ROWS:
        reading.shape.append(f"{where}: {sheet.max_row} rijen; de kit leest er hoogstens "
                             f"{MAX_ROWS} — verwijder de rijen onder de tabel (ook lege "
                             "rijen met opmaak).")
        return False
    for merged in sorted(str(r) for r in sheet.merged_cells.ranges):
        reading.shape.append(f"{where}, cellen {merged}: samengevoegde cellen; maak de "
                             "samenvoeging ongedaan en vul elke cel.")
    extra = sorted({c.column for row in sheet.iter_rows(min_col=len(expected) + 1)
                    for c in row if _value(c) is not None})
    if extra:
        reading.shape.append(f"{where}, kolom {', '.join(map(get_column_letter, extra))}: "
                             f"hoort niet bij dit blad (de kolommen zijn {', '.join(expected)}"
                             "); de kit leest en bewaart hem niet — verwijder hem.")
    return not sheet.merged_cells.ranges and not extra


def _rows(book, reading: _Reading, name: str):
    """``(row number, {column: value})`` of every filled row of one sheet; a sheet that
    is not shaped as ``SHEETS`` says is a problem, and none of its rows are read."""
    expected = list(SHEETS[name])
    if name not in book.sheetnames or not _shape(book[name], reading, name, expected):
        return
    for row in book[name].iter_rows(min_row=2, max_col=len(expected)):
        values = {column: _cell(reading, name, column, cell)
                  for column, cell in zip(expected, row, strict=True)}
        if any(v is not None for v in values.values()) or any(
                (name, row[0].row, c) in reading.flagged for c in expected):
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


def _load(path: Path):
    """The workbook at ``path``, formulas as formulas (refused, never guessed); one that
    would unpack to more than ``MAX_BYTES`` is not read."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        size = 0  # load_workbook says what is wrong with it
    if size > MAX_BYTES:
        raise ConfigError(f"{path}: de werkmap pakt uit tot {size / 1e6:,.0f} MB; de kit leest "
                          f"werkmappen tot {MAX_BYTES / 1e6:,.0f} MB (een begroting is veel "
                          "kleiner) — is dit het goede bestand?")
    try:
        return load_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ConfigError(f"{path}: geen Excel-werkmap die de kit kan lezen ({exc}).") from exc


def _read(path: Path) -> tuple[dict, _Reading]:
    reading = _Reading(path.name)
    book = _load(path)
    for name in SHEETS:
        if name not in book.sheetnames:
            reading.shape.append(f"{reading.file}: blad '{name}' ontbreekt (verwacht: "
                                 f"{', '.join(SHEETS)}).")
    for name in book.sheetnames:
        if name not in SHEETS and name != _LISTS:
            reading.shape.append(f"{reading.file}: blad '{name}' hoort niet bij de begroting "
                                 "en wordt niet gelezen; verwijder het of zet wat erin staat "
                                 f"op een van de bladen {', '.join(SHEETS)}.")
    doc: dict[str, Any] = {"programmas": []}
    keys: dict[str, int] = {}
    for number, row in _rows(book, reading, "Begroting"):
        key = row["sleutel"]
        if key in keys:
            reading.problem("Begroting", number, "sleutel", f"{key!r} staat ook in rij "
                            f"{keys[key]}; elke sleutel komt één keer voor")
        elif key in ("gemeente", "begrotingsjaar"):
            keys[key] = number
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
        if row["id"] is not None:
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
        if row["id"] is not None:
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
    said: dict[tuple[str, str], int] = {}
    for number, row in _rows(book, reading, "Duiding"):
        goal = owner("Duiding", number, "doel", row["doel"], goals)
        if goal is None:
            continue
        year, text = row["jaar"], row["tekst"]
        if year is None or text is None:
            reading.problem("Duiding", number, "jaar" if year is None else "tekst",
                            "een duiding heeft een jaar en een tekst")
            continue
        if (row["doel"], str(year)) in said:
            reading.problem("Duiding", number, "jaar", f"doel {row['doel']!r} heeft ook een "
                            f"duiding voor {year} in rij {said[(row['doel'], str(year))]}; "
                            "één duiding per doel en jaar — voeg de teksten samen")
            continue
        said[(row["doel"], str(year))] = number
        at = f"{goal['_key']}.duiding"  # the model names a year as .2024 (text) or [2024]
        reading.place(f"{at}[{year}]", "Duiding", number, "tekst")
        for key in (f"{at}.{year}", f"{at}[{year}].[key]"):
            reading.place(key, "Duiding", number, "jaar")
        goal["duiding"][year] = text
    for item in made:
        item.pop("_key", None)
    return doc, reading


def _refusal(path: Path, messages: list[str]) -> ConfigError:
    more = len(messages) - _SHOWN
    return ConfigError(f"{path}: {len(messages)} probleem/problemen; er is niets veranderd:\n  "
                       + "\n  ".join(messages[:_SHOWN])
                       + (f"\n  … en nog {more}; los eerst deze op." if more > 0 else ""))


def import_(ws: Workspace, path: str | Path, catalogue) -> tuple[Path, bool]:
    """Read the workbook at ``path`` into ``begroting.yml`` (see the module docstring);
    ``(the budget file, whether it changed)``. ``ConfigError`` lists every problem."""
    path = Path(path)
    doc, reading = _read(path)
    if reading.shape:  # what follows from a wrong shape is not worth a message
        raise _refusal(path, reading.shape)
    budget, problems = problems_of(doc, catalogue, ws.config.gemeente.code)
    messages = reading.problems + [f"{reading.locate(key)}: {message}"
                                   for key, message in problems
                                   if reading.cell_of(key) not in reading.flagged]
    if messages:
        raise _refusal(path, messages)
    target = ws.path(ws.config.programme)
    with workspace_lock(ws.root, exclusive=True, action="import the budget into"):
        remove_stale(target.parent)  # what a killed import left
        if target.exists() and holds_budget(target, budget):
            return target, False
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        if mode is not None and not mode & stat.S_IWUSR:
            raise ConfigError(f"{target}: alleen-lezen (vergrendeld); er is niets veranderd. "
                              f"Maak het schrijfbaar (chmod u+w {target.name}) als de "
                              "begroting mag worden bijgewerkt.")
        text = dump_begroting(budget, f"Programmabegroting, ingelezen uit {path.name} met "
                              "`stuurkit begroting import`.\nDe vorige versie staat in "
                              f"{target.name}.bak.")
        try:
            if mode is not None:
                write_text_atomic(target.with_name(target.name + ".bak"),
                                  target.read_text(encoding="utf-8"))
            write_text_atomic(target, text)
            if mode is not None:
                os.chmod(target, mode)  # the file keeps who may read it
        except OSError as exc:
            raise ConfigError(f"{target}: kon niet worden geschreven ({exc.strerror or exc}); "
                              "het is niet veranderd. Controleer de vrije schijfruimte en of "
                              f"je in {target.parent} mag schrijven.") from exc
    return target, True
