"""The programme budget (``begroting.yml``): programmes → goals → indicators and targets.

``load_programme(ws, catalogue)`` reads and validates the file against the model below
and the indicator catalogue, and reports every problem at once with its key path
(``programmas[0].doelen[1].indicatoren[0].streefwaarde.jaar: …``): an indicator that is
not in the catalogue, a target year not after the baseline year, a target that
contradicts the indicator's polarity, duplicate ids, two budget lines for one year.
Numbers must be numbers (not ``yes``/``.nan``), dates dates, and identifiers (programme and
goal ids, indicator references, ``gebied`` codes) must match their pattern in
``helpers.model.ID_PATTERNS``: an id is part of file names and published pages, so
``<script …>`` as a goal id is refused here, naming the key. Texts (names, titles,
owners, actions, duiding) are kept in Unicode NFC and may not hold control characters
(but tab and line ends), bidi controls or more than an Excel cell holds (``Text``): they
travel to HTML, to terminals and to the budget workbook. Commentary (duiding) comes
from ``duiding/<jaar>/<doel-id>.md`` and from ``duiding:`` in the goal itself. A duiding
file that cannot be read (not UTF-8) does not stop the reports: its text becomes a notice
that names the file and the byte ("Duiding kon niet worden gelezen: …"), shown where the
duiding would be, with a warning; ``stuurkit check`` reports it as an error
(``unreadable_duiding``).

The catalogue is the caller's (``helpers.indicators.catalogue.for_workspace``): a mapping
of indicator ids to entries with a ``polarity`` (its ``source_file``, when it has one,
names it in messages). How each goal is doing is the analysis stage's
(``helpers.analysis.goals``).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from helpers import model
from helpers.errors import ConfigError
from helpers.workspace import Workspace, reads, yamlfile
from helpers.workspace.yamlfile import Day, Id, Number, Whole

__all__ = ["Begroting", "Programme", "Goal", "GoalIndicator", "Action", "LoadedProgramme",
           "PerGoal", "load_programme", "read_begroting", "unreadable_duiding", "problems_of",
           "front_matter", "LESSON_KEYS", "dump_begroting", "holds_budget", "Text"]


# what a text may not hold: control characters but tab and line ends, the bidi controls
# that reorder what a reader sees ("Trojan source"), and what XML cannot hold (so the text
# fits an .xlsx cell); an Excel cell holds at most TEXT_LIMIT characters
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069"
                          "\ufffe\uffff\ud800-\udfff]")
TEXT_LIMIT = 32_767


def _clean_text(value: str) -> str:
    """A text as the budget keeps it (NFC: one spelling for one name); refused when it
    holds a character of ``_NOT_IN_TEXT`` or is longer than an Excel cell."""
    value = unicodedata.normalize("NFC", value)
    found = _NOT_IN_TEXT.search(value)
    if found:
        raise ValueError(f"character U+{ord(found.group()):04X} at position {found.start() + 1} "
                         "is not allowed in a text (a control, bidi or non-character); delete it")
    if len(value) > TEXT_LIMIT:
        raise ValueError(f"{len(value):,} characters; a text holds at most {TEXT_LIMIT:,} (the "
                         "limit of an Excel cell): shorten it or move it to a duiding file")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Year = Annotated[Whole, Field(ge=1990, le=2100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Measurement(_Model):
    jaar: Year
    waarde: Number


class GoalIndicator(_Model):
    indicator: Id("indicator")
    nulmeting: Measurement
    streefwaarde: Measurement
    gebied: Id("area") | None = None  # default: the gemeente


class Action(_Model):
    wat: Text = Field(min_length=1)
    wie: Text = Field(min_length=1)
    gereed: Day
    status: Literal[model.ACTION_STATUSES]


class Goal(_Model):
    id: Id("goal")
    titel: Text = Field(min_length=1)
    eigenaar: Text = Field(min_length=1)
    indicatoren: list[GoalIndicator] = Field(min_length=1)
    acties: list[Action] = []
    duiding: dict[Year, Text] = {}


class BudgetLine(_Model):
    jaar: Year
    begroot: Number
    realisatie: Number | None = None

    def as_of(self, year: int) -> BudgetLine:
        """The line as a report of verslagjaar ``year`` shows it: the realisatie of a
        later year is not known yet in that report, only what was budgeted."""
        return self if self.jaar <= year else self.model_copy(update={"realisatie": None})


class Programme(_Model):
    id: Id("programme")
    naam: Text = Field(min_length=1)
    portefeuillehouder: Text | None = None
    budget_eenheid: Text = "euro"
    budget: list[BudgetLine] = []
    doelen: list[Goal] = []

    def budget_as_of(self, year: int) -> list[BudgetLine]:
        """The budget lines as a report of verslagjaar ``year`` shows them
        (``BudgetLine.as_of``: no realisatie after that year), by year."""
        return sorted((line.as_of(year) for line in self.budget), key=lambda line: line.jaar)


class Begroting(_Model):
    gemeente: str
    begrotingsjaar: Whole
    programmas: list[Programme] = []

    def goals(self) -> list[tuple[Programme, Goal]]:
        return [(p, g) for p in self.programmas for g in p.doelen]


class PerGoal(Mapping):
    """``(goal id, year) →`` what the duiding of that goal and year holds, recording the
    file behind each key a report asks for (``helpers.workspace.reads``): its content
    when a value is read, only whether it exists for ``in``, which files there are when
    the keys are listed. A report is then made again only when a duiding it shows
    changes."""

    def __init__(self, values: Mapping[tuple[str, int], Any], folder: Path | None = None
                 ) -> None:
        self._values = dict(values)
        self._folder = folder

    def _file(self, key: tuple[str, int]) -> Path | None:
        if self._folder is None or not isinstance(key, tuple) or len(key) != 2:
            return None
        return self._folder / str(key[1]) / f"{key[0]}.md"

    def __getitem__(self, key: tuple[str, int]) -> Any:
        file = self._file(key)
        if file is not None:
            reads.record(file)
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        file = self._file(key)  # type: ignore[arg-type]
        if file is not None:
            reads.record_presence(file)
        return key in self._values

    def __iter__(self) -> Iterator[tuple[str, int]]:
        if self._folder is not None:
            reads.record_listing(self._folder, "*/*.md")
        return iter(self._values)

    def __len__(self) -> int:
        if self._folder is not None:
            reads.record_listing(self._folder, "*/*.md")
        return len(self._values)

    def of_goal(self, goal_id: str) -> dict[int, Any]:
        """Year → value of one goal (its files listed and read, no other goal's)."""
        if self._folder is not None:
            reads.record_listing(self._folder, f"*/{goal_id}.md")
        return {year: self[(goal, year)] for goal, year in sorted(self._values)
                if goal == goal_id}


@dataclass(frozen=True)
class LoadedProgramme:
    """The validated budget plus its commentary."""

    begroting: Begroting
    duiding: PerGoal  # (goal id, year) -> markdown
    source: Path
    # (goal id, year) -> what was learned and decided: besluit, vervolgactie, datum
    lessons: PerGoal = field(default_factory=lambda: PerGoal({}))


LESSON_KEYS = ("besluit", "vervolgactie", "datum")
"""The front matter a duiding file may start with (between ``---`` lines): what was
decided, what will be done next, and when."""


def front_matter(text: str, where: str) -> tuple[dict[str, Any], str, str | None]:
    """A duiding's front matter (``LESSON_KEYS``), its body, and a problem naming the
    file when the front matter is not valid (then the whole text is the body)."""
    if not text.startswith("---\n"):
        return {}, text, None
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        return {}, text, f"{where}: front matter starts with --- but does not end with ---"
    try:
        meta = yamlfile.load(head.encode()) or {}
    except yaml.YAMLError as exc:
        return {}, text, f"{where}: front matter is not valid YAML ({exc})"
    if not isinstance(meta, dict) or set(meta) - set(LESSON_KEYS):
        extra = sorted(set(meta) - set(LESSON_KEYS)) if isinstance(meta, dict) else []
        return {}, text, (f"{where}: front matter may hold {', '.join(LESSON_KEYS)} only"
                          + (f" (found {', '.join(map(str, extra))})" if extra else ""))
    return {k: meta[k] for k in LESSON_KEYS if k in meta}, body, None


def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _semantic_problems(begroting: Begroting, catalogue: Mapping[str, Any]) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for i, programme in enumerate(begroting.programmas):
        key = f"programmas[{i}]"
        if programme.id in seen:
            problems.append(f"{key}.id: {programme.id!r} is also used at {seen[programme.id]}")
        seen[programme.id] = key
        years: dict[int, int] = {}
        for j, line in enumerate(programme.budget):
            if line.jaar in years:
                problems.append(f"{key}.budget[{j}].jaar: {line.jaar} is also at "
                                f"{key}.budget[{years[line.jaar]}]; one budget line per year")
            years.setdefault(line.jaar, j)
        for j, goal in enumerate(programme.doelen):
            gkey = f"{key}.doelen[{j}]"
            if goal.id in seen:
                problems.append(f"{gkey}.id: {goal.id!r} is also used at {seen[goal.id]}")
            seen[goal.id] = gkey
            for k, entry in enumerate(goal.indicatoren):
                ikey = f"{gkey}.indicatoren[{k}]"
                indicator = catalogue.get(entry.indicator)
                if indicator is None:
                    problems.append(f"{ikey}.indicator: {entry.indicator!r} is not in the "
                                    f"catalogue ({_name(catalogue)}); check the spelling or "
                                    "add it there")
                    continue
                base, target = entry.nulmeting, entry.streefwaarde
                if target.jaar <= base.jaar:
                    problems.append(f"{ikey}.streefwaarde.jaar: {target.jaar} is not after the "
                                    f"baseline year {base.jaar}")
                wrong = ((indicator.polarity == "higher_is_better" and target.waarde < base.waarde)
                         or (indicator.polarity == "lower_is_better"
                             and target.waarde > base.waarde))
                if wrong:
                    better = "higher" if indicator.polarity == "higher_is_better" else "lower"
                    problems.append(f"{ikey}.streefwaarde.waarde: {target.waarde:g} is worse than "
                                    f"the baseline {base.waarde:g}, but for "
                                    f"'{entry.indicator}' {better} is better")
    return problems


def _name(catalogue: Mapping[str, Any]) -> str:
    source = getattr(catalogue, "source_file", None)
    return Path(source).name if source else "the indicator catalogue"


def _duiding_files(root: Path, folder: str) -> list[Path]:
    base = root / folder
    if not base.is_dir():
        return []
    return [path for path in sorted(base.glob("*/*.md"))
            if re.fullmatch(r"[0-9]{4}", path.parent.name) and path.is_file()]


def _read_duiding(root: Path, path: Path) -> tuple[str | None, str | None]:
    """The text of one duiding file, or why it cannot be read (naming the file and byte)."""
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        return path.read_bytes().decode("utf-8"), None
    except UnicodeDecodeError as exc:
        why = (f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start} is not UTF-8; save "
               "the file as UTF-8")
    except OSError as exc:
        why = f"cannot be read ({exc.strerror})"
    return None, f"{shown}: {why}"


def unreadable_duiding(root: Path, folder: str) -> list[str]:
    """The duiding files of a workspace that cannot be read, or whose front matter is
    not valid, each with why (for ``check``)."""
    problems = []
    for path in _duiding_files(root, folder):
        text, problem = _read_duiding(root, path)
        if problem is None:
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            problem = front_matter(text, str(shown))[2]
        if problem:
            problems.append(problem)
    return problems


def _duiding(root: Path, folder: str, begroting: Begroting
             ) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], dict[str, Any]]]:
    texts: dict[tuple[str, int], str] = {}
    lessons: dict[tuple[str, int], dict[str, Any]] = {}
    for _, goal in begroting.goals():
        for year, text in goal.duiding.items():
            texts[(goal.id, int(year))] = text
    for path in _duiding_files(root, folder):
        key = (path.stem, int(path.parent.name))
        text, problem = _read_duiding(root, path)
        if problem is None:
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            meta, text, problem = front_matter(text, str(shown))
            if meta:
                lessons[key] = meta
            if problem is not None:
                warnings.warn(f"duiding: {problem}.", stacklevel=3)
                text = f"*Duiding: {problem}.*\n\n{text}"
        else:  # this goal's text is missing, the reports still run
            warnings.warn(f"duiding kon niet worden gelezen: {problem}.", stacklevel=3)
            text = f"*Duiding kon niet worden gelezen: {problem}.*"
        texts[key] = text
    return texts, lessons


_PARSED: dict[tuple[str, bytes], Begroting] = {}  # (path, content) → budget; a warm kernel
# reads the same file for every report: parsing it (~40 ms) once is enough


def read_begroting(path: Path) -> Begroting:
    """The programme budget in ``path`` parsed strictly and checked against the model
    (without the catalogue: see ``load_programme``); ``ConfigError`` names the keys.
    A file whose bytes were parsed before is not parsed again (a copy is returned)."""
    data = path.read_bytes()
    key = (str(path), data)
    if key not in _PARSED:
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[key] = _read_begroting(path, data)
    return _PARSED[key].model_copy(deep=True)


def _read_begroting(path: Path, data: bytes) -> Begroting:
    try:
        doc = yamlfile.load(data) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with gemeente, begrotingsjaar and "
                          f"programmas, not a {type(doc).__name__}.")
    try:
        return Begroting.model_validate(doc)
    except ValidationError as exc:
        lines = [f"  {_path(e['loc'])}: {e['msg']}"
                 for e in exc.errors()]
        raise ConfigError(f"{path}: invalid programme budget:\n" + "\n".join(lines)
                          + "\nFix these keys (see data/demo/begroting.yml).") from exc


def problems_of(doc: dict, catalogue: Mapping[str, Any], gemeente: str
                ) -> tuple[Begroting | None, list[tuple[str, str]]]:
    """A budget document (as parsed from YAML or read from a workbook) checked like
    ``load_programme`` checks ``begroting.yml``: the budget, or ``None``, and every
    problem as ``(key path, message)`` — the key path as in the messages of
    ``load_programme`` (``programmas[0].doelen[1].id``)."""
    try:
        begroting = Begroting.model_validate(doc)
    except ValidationError as exc:
        return None, [(_path(e["loc"]), e["msg"]) for e in exc.errors()]
    problems = [tuple(p.split(": ", 1)) for p in _semantic_problems(begroting, catalogue)]
    if begroting.gemeente != gemeente:
        problems.insert(0, ("gemeente", f"{begroting.gemeente!r} is not this workspace's "
                                        f"gemeente {gemeente} (stuurkit.yml)"))
    return (None if problems else begroting), problems


def load_programme(ws: Workspace, catalogue: Mapping[str, Any]) -> LoadedProgramme:
    """Read, validate (against ``catalogue``) and return the workspace's programme budget."""
    path = ws.path(ws.config.programme)
    reads.record(path)
    if not path.exists():
        raise ConfigError(f"{path}: programme budget not found (stuurkit.yml key 'programme').")
    begroting = read_begroting(path)
    problems = _semantic_problems(begroting, catalogue)
    if begroting.gemeente != ws.config.gemeente.code:
        problems.insert(0, f"gemeente: {begroting.gemeente!r} is not this workspace's gemeente "
                           f"{ws.config.gemeente.code} (stuurkit.yml); use the budget of "
                           f"{ws.config.gemeente.name}")
    if problems:
        raise ConfigError(f"{path}: " + str(len(problems)) + " problem(s):\n  "
                          + "\n  ".join(problems))
    texts, lessons = _duiding(ws.root, ws.config.duiding, begroting)
    folder = ws.root / ws.config.duiding
    return LoadedProgramme(begroting, PerGoal(texts, folder), path, PerGoal(lessons, folder))


def _trimmed(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items()}
    return [_trimmed(v) for v in value] if isinstance(value, list) else value


def holds_budget(path: Path, budget: Begroting) -> bool:
    """Whether ``path`` holds ``budget`` already, up to spaces around texts (a spreadsheet
    cell keeps none); a file that is no valid budget does not."""
    try:
        current = read_begroting(path)
    except (ConfigError, OSError):
        return False
    return _trimmed(current.model_dump()) == _trimmed(budget.model_dump())


_NOT_IN_COMMENT = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")  # what ends a line


def dump_begroting(budget: Begroting, comment: str) -> str:
    """``budget`` as the text of ``begroting.yml``, under ``comment`` (its lines as YAML
    comments); ``ConfigError`` when the text would not read back as ``budget``."""
    head = "".join(f"# {_NOT_IN_COMMENT.sub('?', line)}\n" for line in comment.splitlines())
    doc = budget.model_dump(mode="json", exclude_defaults=True)
    text = head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    if Begroting.model_validate(yamlfile.load(text)) != budget:
        raise ConfigError("the budget would be read back otherwise than it was given; "
                          "nothing was written (a bug in the kit: please report it)")
    return text
