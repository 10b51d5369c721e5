"""The indicator catalogue: definitions kept as YAML, validated on load.

``load()`` reads every ``*.yml`` beside this file (``kwb.yml``, ``bbv.yml``,
``eigen.yml``) — or the file or folder given — merges each entry with its file's
``defaults`` and validates it; every error names the file and the indicator key, and an
id defined twice names both files. Indicator ids and the variables an entry reads are
identifiers (``helpers.model.ID_PATTERNS``: ``indicator``, ``variable``); labels,
descriptions, units, themes and sources are free text, escaped where they are shown.

A proportion computed from counts may name ``share``: the variable in which CBS
publishes the same proportion as a rounded percentage (``aandeel_0_14``: ``a_00_14 /
a_inw``, published as ``p_00_14``, the kaart's ``P_00_14_JR``). Where an area-year has
no usable numerator count but a usable share, ``computation.compute`` takes the share
(see there); where the count is there, the count wins.

Examples
--------
>>> cat = load()
>>> cat["aandeel_65plus"].label
'65-plussers'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from helpers import model
from helpers.errors import ConfigError
from helpers.workspace import reads, yamlfile
from helpers.workspace.yamlfile import Id, Number, Whole

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["Indicator", "Catalogue", "load", "for_workspace", "DEFAULT_FOLDER",
           "COMPARISON_TESTS"]

DEFAULT_FOLDER = Path(__file__).parent
# how an area is compared with the rest of its parent (helpers.analysis.stats):
# newcombe (two proportions), poisson_ratio (two rates), overlap (interval against the
# parent's value), none
COMPARISON_TESTS = ("newcombe", "poisson_ratio", "overlap", "none")
_TEST_OF = {"wilson": "newcombe", "byar": "poisson_ratio", "t": "overlap", "none": "none"}


class Indicator(BaseModel):
    """One catalogue entry (see the header of indicators.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: Id("indicator")
    label: str
    description: str
    unit: str
    kind: Literal["count", "proportion", "rate", "mean", "median", "index"]
    scale: Number = 1
    numerator: Id("variable") | None = None
    denominator: Id("variable") | list[Id("variable")] | None = None  # a list is summed
    variable: Id("variable") | None = None
    share: Id("variable") | None = None  # CBS's published percentage of numerator/denominator
    polarity: Literal["higher_is_better", "lower_is_better", "neutral"] = "neutral"
    decimals: Whole = 1
    comparison: Literal["wilson", "byar", "t", "none"] = "none"
    test: Literal[COMPARISON_TESTS] | None = None  # None: follows `comparison`
    min_count: Whole = 10
    max_age: Whole = Field(default=2, ge=0)  # years before the newest value is stale
    levels: list[model.Level] = Field(min_length=1)
    theme: str
    source: str
    bbv: str | None = None  # BBV number where known, else "taakveld N"

    @model_validator(mode="after")
    def _inputs_match_kind(self) -> Indicator:
        if self.numerator and self.variable:
            raise ValueError("give either 'numerator' (computed) or 'variable' (published)")
        if self.numerator:
            if self.kind not in ("count", "proportion", "rate"):
                raise ValueError(f"kind {self.kind!r} cannot be computed from a numerator; "
                                 "use 'variable' for a published value")
            if self.kind != "count" and not self.denominator:
                raise ValueError(f"kind {self.kind!r} needs a 'denominator' variable")
        elif not self.variable:
            raise ValueError(f"kind {self.kind!r} needs a 'numerator' or 'variable'")
        if self.share and not (self.kind == "proportion" and self.numerator):
            raise ValueError("'share' (a published percentage used where the counts are "
                             "absent) is for proportions computed from a numerator and "
                             "denominator; remove it or give 'numerator' and 'denominator'")
        if self.comparison == "wilson" and self.kind != "proportion":
            raise ValueError("comparison 'wilson' is for proportions; use 'byar' for rates")
        if self.test == "newcombe" and self.kind != "proportion":
            raise ValueError("test 'newcombe' compares two proportions; use 'poisson_ratio' "
                             "for rates")
        if self.test in ("newcombe", "poisson_ratio", "overlap") and self.comparison == "none":
            raise ValueError(f"test {self.test!r} needs an interval method: give "
                             "'comparison' (wilson or byar) too")
        return self

    @property
    def comparison_test(self) -> str:
        """How an area is compared with the rest of its parent (``COMPARISON_TESTS``):
        ``test`` when given, else from ``comparison`` (wilson → newcombe, byar →
        poisson_ratio, t → overlap)."""
        return self.test or _TEST_OF[self.comparison]

    @property
    def computed(self) -> bool:
        """True when the value is computed from numerator/denominator (aggregatable)."""
        return self.numerator is not None

    @property
    def denominators(self) -> list[str]:
        """The denominator variables (summed when several)."""
        if self.denominator is None:
            return []
        return [self.denominator] if isinstance(self.denominator, str) else list(self.denominator)

    @property
    def inputs(self) -> list[str]:
        """Source variables this indicator reads."""
        return [v for v in (self.numerator, *self.denominators, self.variable, self.share) if v]


class Catalogue(dict[str, Indicator]):
    """Indicators by id, in file order. ``source_file`` is the file or folder read,
    ``file_of`` the file each indicator came from."""

    source_file: Path
    file_of: dict[str, Path]

    def for_level(self, level: str) -> list[Indicator]:
        """Indicators defined for a level (gemeente, wijk, buurt)."""
        return [i for i in self.values() if level in i.levels]


def _format_error(path: Path, key: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(entry)"
        parts.append(f"{field}: {err['msg']}")
    return f"{path}: indicator '{key}': " + "; ".join(parts)


def _read_file(path: Path) -> tuple[dict[str, Indicator], list[str]]:
    try:
        doc = yamlfile.load(path.read_bytes()) or {}
    except yaml.YAMLError as exc:
        return {}, [f"{path}: not valid YAML ({exc})."]
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), dict):
        return {}, [f"{path}: expected a mapping 'indicators:' with one entry per id."]
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        return {}, [f"{path}: 'defaults:' must be a mapping of fields (label, unit, …), "
                    f"not a {type(defaults).__name__}."]
    found: dict[str, Indicator] = {}
    errors = []
    for key, entry in doc["indicators"].items():
        problem = model.id_problem("indicator", key)
        if problem is not None:
            errors.append(f"{path}: indicators: {problem}; rename the entry")
            continue
        if not isinstance(entry, dict):
            errors.append(f"{path}: indicator '{key}': expected a mapping of fields")
            continue
        try:
            found[key] = Indicator(id=key, **{**defaults, **entry})
        except ValidationError as exc:
            errors.append(_format_error(path, key, exc))
        except TypeError as exc:
            errors.append(f"{path}: indicator '{key}': {exc}")
    return found, errors


_FIRST = {"kwb.yml": 0, "eigen.yml": 1, "bbv.yml": 2}


def _files(path: Path) -> list[Path]:
    """The YAML files of a catalogue folder: KWB first, then own data, BBV, the rest."""
    if not path.is_dir():
        return [path]
    return sorted(path.glob("*.yml"), key=lambda f: (_FIRST.get(f.name, 3), f.name))


@lru_cache(maxsize=8)
def _load_cached(path: Path, stamp: tuple) -> Catalogue:
    files = _files(path)
    catalogue = Catalogue()
    catalogue.source_file = path
    catalogue.file_of = {}
    errors = []
    for file in files:
        found, problems = _read_file(file)
        errors += problems
        for key, indicator in found.items():
            if key in catalogue:
                errors.append(f"{file}: indicator '{key}' is also defined in "
                              f"{catalogue.file_of[key]}; ids must be unique")
                continue
            catalogue[key] = indicator
            catalogue.file_of[key] = file
    if errors:
        raise ConfigError("\n".join(errors) + "\nFix the entries named above.")
    return catalogue


def load(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file or folder (default: the kit's own folder)."""
    path = Path(path) if path else DEFAULT_FOLDER
    if not path.exists():
        raise ConfigError(f"{path}: indicator catalogue not found.")
    files = _files(path)
    for file in files:  # the kit's own files are in the run's code hash instead
        reads.record(file)
    stamp = tuple((str(f), f.stat().st_mtime) for f in files)
    return _load_cached(path.resolve(), stamp)


def for_workspace(ws: Workspace) -> Catalogue:
    """The catalogue a workspace uses: its own file or folder when ``stuurkit.yml`` names
    one (``catalogue:``), else the kit's."""
    return load(ws.path(ws.config.catalogue) if ws.config.catalogue else None)
