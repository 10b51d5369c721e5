"""The indicator catalogue: definitions kept as YAML, validated on load.

``load()`` reads ``indicators.yml`` beside this file (or another file), merges each
entry with the file's ``defaults`` and validates it; every error names the file and
the indicator key.

Examples
--------
>>> cat = load()
>>> cat["aandeel_65plus"].label
'65-plussers'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from helpers.errors import ConfigError

__all__ = ["Indicator", "Catalogue", "load", "DEFAULT_FILE"]

DEFAULT_FILE = Path(__file__).with_name("indicators.yml")
Level = Literal["gemeente", "wijk", "buurt"]


class Indicator(BaseModel):
    """One catalogue entry (see the header of indicators.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    description: str
    unit: str
    kind: Literal["count", "proportion", "rate", "mean", "median", "index"]
    scale: float = 1
    numerator: str | None = None
    denominator: str | None = None
    variable: str | None = None
    polarity: Literal["higher_is_better", "lower_is_better", "neutral"] = "neutral"
    decimals: int = 1
    comparison: Literal["wilson", "byar", "t", "none"] = "none"
    min_count: int = 10
    levels: list[Level]
    theme: str
    source: str
    bbv: int | None = None

    @model_validator(mode="after")
    def _inputs_match_kind(self) -> Indicator:
        if self.kind in ("count", "proportion", "rate"):
            if not self.numerator:
                raise ValueError(f"kind {self.kind!r} needs a 'numerator' variable")
            if self.kind != "count" and not self.denominator:
                raise ValueError(f"kind {self.kind!r} needs a 'denominator' variable")
        elif not self.variable:
            raise ValueError(f"kind {self.kind!r} needs 'variable' (the published value)")
        return self

    @property
    def computed(self) -> bool:
        """True when the value is computed from numerator/denominator (aggregatable)."""
        return self.kind in ("count", "proportion", "rate")

    @property
    def inputs(self) -> list[str]:
        """Source variables this indicator reads."""
        return [v for v in (self.numerator, self.denominator, self.variable) if v]


class Catalogue(dict[str, Indicator]):
    """Indicators by id, in file order. ``source_file`` says where they came from."""

    source_file: Path

    def for_level(self, level: str) -> list[Indicator]:
        """Indicators defined for a level (gemeente, wijk, buurt)."""
        return [i for i in self.values() if level in i.levels]


def _format_error(path: Path, key: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(entry)"
        parts.append(f"{field}: {err['msg']}")
    return f"{path}: indicator '{key}': " + "; ".join(parts)


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime: float) -> Catalogue:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    if not isinstance(doc.get("indicators"), dict):
        raise ConfigError(f"{path}: expected a mapping 'indicators:' with one entry per id.")
    defaults = doc.get("defaults") or {}
    catalogue = Catalogue()
    catalogue.source_file = path
    errors = []
    for key, entry in doc["indicators"].items():
        if not isinstance(entry, dict):
            errors.append(f"{path}: indicator '{key}': expected a mapping of fields")
            continue
        try:
            catalogue[key] = Indicator(id=key, **{**defaults, **entry})
        except ValidationError as exc:
            errors.append(_format_error(path, key, exc))
        except TypeError as exc:
            errors.append(f"{path}: indicator '{key}': {exc}")
    if errors:
        raise ConfigError("\n".join(errors) + "\nFix the entries named above.")
    return catalogue


def load(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file (default: the kit's own ``indicators.yml``)."""
    path = Path(path) if path else DEFAULT_FILE
    if not path.exists():
        raise ConfigError(f"{path}: indicator catalogue not found.")
    return _load_cached(path.resolve(), path.stat().st_mtime)
