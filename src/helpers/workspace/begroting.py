"""The programme budget (``begroting.yml``): programmes → goals → indicators and targets.

``load_programme(ws, catalogue)`` reads and validates the file against the model below
and the indicator catalogue, and reports every problem at once with its key path
(``programmas[0].doelen[1].indicatoren[0].streefwaarde.jaar: …``): an indicator that is
not in the catalogue, a target year not after the baseline year, a target that
contradicts the indicator's polarity, duplicate ids, two budget lines for one year.
Numbers must be numbers (not ``yes``/``.nan``), dates dates. Commentary (duiding) comes from
``duiding/<jaar>/<doel-id>.md`` and from ``duiding:`` in the goal itself.

The catalogue is the caller's (``helpers.indicators.catalogue.for_workspace``): a mapping
of indicator ids to entries with a ``polarity`` (its ``source_file``, when it has one,
names it in messages). How each goal is doing is the analysis stage's
(``helpers.analysis.goals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers import model
from helpers.errors import ConfigError
from helpers.workspace import Workspace, yamlfile
from helpers.workspace.yamlfile import Day, Number, Whole

__all__ = ["Begroting", "Programme", "Goal", "GoalIndicator", "Action", "LoadedProgramme",
           "load_programme"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Measurement(_Model):
    jaar: Whole = Field(ge=1990, le=2100)
    waarde: Number


class GoalIndicator(_Model):
    indicator: str
    nulmeting: Measurement
    streefwaarde: Measurement
    gebied: str | None = None  # default: the gemeente


class Action(_Model):
    wat: str = Field(min_length=1)
    wie: str = Field(min_length=1)
    gereed: Day
    status: Literal[model.ACTION_STATUSES]


class Goal(_Model):
    id: str = Field(min_length=1)
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
    id: str = Field(min_length=1)
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


def _duiding(root: Path, folder: str, begroting: Begroting) -> dict[tuple[str, int], str]:
    texts: dict[tuple[str, int], str] = {}
    for _, goal in begroting.goals():
        for year, text in goal.duiding.items():
            texts[(goal.id, int(year))] = text
    base = root / folder
    if base.is_dir():
        for path in sorted(base.glob("*/*.md")):
            if path.parent.name.isdigit():
                texts[(path.stem, int(path.parent.name))] = path.read_text(encoding="utf-8")
    return texts


def load_programme(ws: Workspace, catalogue: Mapping[str, Any]) -> LoadedProgramme:
    """Read, validate (against ``catalogue``) and return the workspace's programme budget."""
    path = ws.path(ws.config.programme)
    if not path.exists():
        raise ConfigError(f"{path}: programme budget not found (stuurkit.yml key 'programme').")
    try:
        doc = yamlfile.load(path.read_bytes()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with gemeente, begrotingsjaar and "
                          f"programmas, not a {type(doc).__name__}.")
    try:
        begroting = Begroting.model_validate(doc)
    except ValidationError as exc:
        lines = [f"  {_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"{path}: invalid programme budget:\n" + "\n".join(lines)
                          + "\nFix these keys (see data/demo/begroting.yml).") from exc
    problems = _semantic_problems(begroting, catalogue)
    if begroting.gemeente != ws.config.gemeente.code:
        problems.insert(0, f"gemeente: {begroting.gemeente!r} is not this workspace's gemeente "
                           f"{ws.config.gemeente.code} (stuurkit.yml); use the budget of "
                           f"{ws.config.gemeente.name}")
    if problems:
        raise ConfigError(f"{path}: " + str(len(problems)) + " problem(s):\n  "
                          + "\n  ".join(problems))
    return LoadedProgramme(begroting, _duiding(ws.root, ws.config.duiding, begroting), path)
