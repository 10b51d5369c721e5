"""The programme budget (``begroting.yml``): programmes → goals → indicators and targets.

``load_programme(ws, catalogue)`` reads and validates the file against the model below
and the indicator catalogue, and reports every problem at once with its key path
(``programmas[0].doelen[1].indicatoren[0].streefwaarde.jaar: …``): an indicator that is
not in the catalogue, a target year not after the baseline year, a target that
contradicts the indicator's polarity, duplicate ids, two budget lines for one year.
Numbers must be numbers (not ``yes``/``.nan``), dates dates, and identifiers (programme and
goal ids, indicator references, ``gebied`` codes) must match their pattern in
``helpers.model.ID_PATTERNS``: an id is part of file names and published pages, so
``<script …>`` as a goal id is refused here, naming the key. Commentary (duiding) comes
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
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers import model
from helpers.errors import ConfigError
from helpers.workspace import Workspace, yamlfile
from helpers.workspace.yamlfile import Day, Id, Number, Whole

__all__ = ["Begroting", "Programme", "Goal", "GoalIndicator", "Action", "LoadedProgramme",
           "load_programme", "read_begroting", "unreadable_duiding"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Measurement(_Model):
    jaar: Whole = Field(ge=1990, le=2100)
    waarde: Number


class GoalIndicator(_Model):
    indicator: Id("indicator")
    nulmeting: Measurement
    streefwaarde: Measurement
    gebied: Id("area") | None = None  # default: the gemeente


class Action(_Model):
    wat: str = Field(min_length=1)
    wie: str = Field(min_length=1)
    gereed: Day
    status: Literal[model.ACTION_STATUSES]


class Goal(_Model):
    id: Id("goal")
    titel: str = Field(min_length=1)
    eigenaar: str = Field(min_length=1)
    indicatoren: list[GoalIndicator] = Field(min_length=1)
    acties: list[Action] = []
    duiding: dict[Whole, str] = {}


class BudgetLine(_Model):
    jaar: Whole
    begroot: Number
    realisatie: Number | None = None


class Programme(_Model):
    id: Id("programme")
    naam: str = Field(min_length=1)
    portefeuillehouder: str | None = None
    budget_eenheid: str = "euro"
    budget: list[BudgetLine] = []
    doelen: list[Goal] = []


class Begroting(_Model):
    gemeente: str
    begrotingsjaar: Whole
    programmas: list[Programme] = []

    def goals(self) -> list[tuple[Programme, Goal]]:
        return [(p, g) for p in self.programmas for g in p.doelen]


@dataclass(frozen=True)
class LoadedProgramme:
    """The validated budget plus its commentary."""

    begroting: Begroting
    duiding: dict[tuple[str, int], str]  # (goal id, year) -> markdown
    source: Path


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
    """The duiding files of a workspace that cannot be read, each with why (for ``check``)."""
    problems = [_read_duiding(root, path)[1] for path in _duiding_files(root, folder)]
    return [p for p in problems if p]


def _duiding(root: Path, folder: str, begroting: Begroting) -> dict[tuple[str, int], str]:
    texts: dict[tuple[str, int], str] = {}
    for _, goal in begroting.goals():
        for year, text in goal.duiding.items():
            texts[(goal.id, int(year))] = text
    for path in _duiding_files(root, folder):
        text, problem = _read_duiding(root, path)
        if problem is not None:  # this goal's text is missing, the reports still run
            warnings.warn(f"duiding kon niet worden gelezen: {problem}.", stacklevel=3)
            text = f"*Duiding kon niet worden gelezen: {problem}.*"
        texts[(path.stem, int(path.parent.name))] = text
    return texts


def read_begroting(path: Path) -> Begroting:
    """The programme budget in ``path`` parsed strictly and checked against the model
    (without the catalogue: see ``load_programme``); ``ConfigError`` names the keys."""
    try:
        doc = yamlfile.load(path.read_bytes()) or {}
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


def load_programme(ws: Workspace, catalogue: Mapping[str, Any]) -> LoadedProgramme:
    """Read, validate (against ``catalogue``) and return the workspace's programme budget."""
    path = ws.path(ws.config.programme)
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
    return LoadedProgramme(begroting, _duiding(ws.root, ws.config.duiding, begroting), path)
