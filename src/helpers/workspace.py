"""A gemeente's workspace: ``data/<name>/stuurkit.yml`` and the files it names.

``open_workspace("demo")`` reads and validates the configuration, checks that every
file it names exists, and gives lazy access to the areas (all boundary vintages), the
tidy source variables, the computed observations (disclosure control applied) and the
provenance of the raw files.

Examples
--------
>>> ws = open_workspace("demo")  # doctest: +SKIP
>>> ws.area("WK990101")["name"]  # doctest: +SKIP
'Binnenstad'
"""

from __future__ import annotations

import difflib
import logging
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers import catalogue as catalogue_module
from helpers import indicators, privacy, yamlfile
from helpers.cache import SourceCache
from helpers.errors import ConfigError, DataError, UnknownAreaError
from helpers.paths import data_dir
from helpers.sources import boundaries, kaart, kwb, registrations
from helpers.yamlfile import Whole

__all__ = ["Config", "Workspace", "open_workspace", "CONFIG_FILE"]

log = logging.getLogger(__name__)

CONFIG_FILE = "stuurkit.yml"
Level = Literal["gemeente", "wijk", "buurt"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Gemeente(_Model):
    code: str = Field(pattern=r"^GM\d{4}$")
    name: str = Field(min_length=1)


class KaartLayer(_Model):
    file: str
    level: Level
    vintage: Whole = Field(ge=1990, le=2100)
    layer: str | None = None  # for files with several layers (GeoPackage)


class KwbFile(_Model):
    file: str
    year: Whole | None = Field(default=None, ge=1990, le=2100)  # when not in the file name


class Sources(_Model):
    kwb: list[str | KwbFile] = []
    kaart: list[KaartLayer] = []
    registrations: list[str] = []
    code_changes: list[str] = []  # CSV: jaar, oude_code, nieuwe_code

    def kwb_files(self) -> list[KwbFile]:
        """KWB entries in one form (a plain string is a file whose name gives the year)."""
        return [KwbFile(file=k) if isinstance(k, str) else k for k in self.kwb]


class ScheduleEntry(_Model):
    name: str
    notebook: str
    for_each: Literal["wijk", "buurt", "programma"] | None = None
    parameters: dict[str, Any] = {}


class Style(_Model):
    """House style: name, colours for charts, a logo file in the workspace."""

    name: str | None = None
    colours: list[str] = []
    logo: str | None = None


class Config(_Model):
    """The validated content of ``stuurkit.yml``."""

    gemeente: Gemeente
    demo: bool = False
    sources: Sources
    programme: str = "begroting.yml"
    duiding: str = "duiding"
    catalogue: str | None = None
    style: Style | None = None
    schedule: list[ScheduleEntry] = []


def _config_error(path: Path, exc: ValidationError) -> ConfigError:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        given = err.get("input")
        shown = "" if isinstance(given, dict | list) else f" (given: {given!r})"
        lines.append(f"  {key}: {err['msg']}{shown}")
    return ConfigError(f"{path}: invalid configuration:\n" + "\n".join(lines)
                       + "\nFix these keys; see data/demo/stuurkit.yml for a complete example.")


def _read_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(
            f"{path}: workspace configuration not found. Create the demo workspace with "
            "`stuurkit demo-data`, or point to a folder that holds a stuurkit.yml."
        )
    try:
        doc = yamlfile.load(path.read_bytes())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}. Fix the file.") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with keys gemeente, sources, …")
    try:
        config = Config.model_validate(doc)
    except ValidationError as exc:
        raise _config_error(path, exc) from exc
    twice = _listed_twice(config)
    if twice:
        raise ConfigError(f"{path}: listed twice:\n  " + "\n  ".join(twice)
                          + "\nRemove the repeated entries (a file read twice counts twice).")
    return config


def _listed_twice(config: Config) -> list[str]:
    """Entries that repeat an earlier one: the same source file, kaart level and vintage,
    or schedule name."""
    src = config.sources
    keyed = [(f"sources.kwb[{i}]", ("kwb", os.path.normpath(k.file)))
             for i, k in enumerate(src.kwb_files())]
    keyed += [(f"sources.kaart[{i}]", ("kaart", k.level, k.vintage))
              for i, k in enumerate(src.kaart)]
    keyed += [(f"sources.registrations[{i}]", ("registrations", os.path.normpath(f)))
              for i, f in enumerate(src.registrations)]
    keyed += [(f"sources.code_changes[{i}]", ("code_changes", os.path.normpath(f)))
              for i, f in enumerate(src.code_changes)]
    keyed += [(f"schedule[{i}].name", ("schedule", e.name)) for i, e in enumerate(config.schedule)]
    first: dict[tuple, str] = {}
    twice = []
    for key, value in keyed:
        if value in first:
            shown = " ".join(map(str, value[1:]))
            twice.append(f"{key}: {shown} is also at {first[value]}")
        first.setdefault(value, key)
    return twice


def resolve(workspace: str | Path) -> Path:
    """Folder of a workspace given its name (``data/<name>``) or a path."""
    candidate = Path(workspace).expanduser()
    if candidate.is_absolute() or (candidate / CONFIG_FILE).exists():
        return candidate.resolve()
    return (data_dir() / str(workspace)).resolve()


class Workspace:
    """One gemeente's configuration and data (see the module docstring)."""

    def __init__(self, root: Path, config: Config):
        self.root = root
        self.config = config
        self.name = root.name

    def __repr__(self) -> str:
        return f"Workspace({self.name!r}, {self.config.gemeente.code} {self.config.gemeente.name})"

    # ------------------------------------------------------------------ files
    def path(self, relative: str) -> Path:
        """Absolute path of a file named in the configuration."""
        return (self.root / relative).resolve()

    def check_files(self) -> None:
        """Raise ``ConfigError`` naming every configured file that does not exist."""
        named = [(f"sources.kwb[{i}]", k.file)
                 for i, k in enumerate(self.config.sources.kwb_files())]
        named += [(f"sources.kaart[{i}].file", k.file)
                  for i, k in enumerate(self.config.sources.kaart)]
        named += [(f"sources.registrations[{i}]", f)
                  for i, f in enumerate(self.config.sources.registrations)]
        named += [(f"sources.code_changes[{i}]", f)
                  for i, f in enumerate(self.config.sources.code_changes)]
        named.append(("programme", self.config.programme))
        missing = [f"  {key}: {value} (looked for {self.path(value)})"
                   for key, value in named if not self.path(value).exists()]
        if missing:
            raise ConfigError(
                f"{self.root / CONFIG_FILE}: files named in the configuration do not exist:\n"
                + "\n".join(missing)
                + "\nRestore the files (for the demo: `stuurkit demo-data`) or correct the paths."
            )

    # ------------------------------------------------------------------ data
    @cached_property
    def catalogue(self) -> catalogue_module.Catalogue:
        """The indicator catalogue (the workspace's own file when configured)."""
        return catalogue_module.load(self.path(self.config.catalogue)
                                     if self.config.catalogue else None)

    @cached_property
    def areas(self) -> gpd.GeoDataFrame:
        """All areas of all boundary vintages (Areas model, EPSG:28992, land only)."""
        if not self.config.sources.kaart:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no kaart layers yet. Add them with "
                              "`stuurkit fetch` or `stuurkit import`.")
        frames = []
        gemeente = self.config.gemeente.code
        for layer in self.config.sources.kaart:
            path = self.path(layer.file)
            areas = self.cache.geoframe(
                path, f"kaart-{layer.level}-{layer.vintage}-{layer.layer or ''}-{gemeente}",
                lambda p=path, k=layer: kaart.read_kaart(p, k.level, k.vintage, k.layer,
                                                         gemeente=gemeente))
            areas = areas[areas["code"].str[2:6] == gemeente[2:]]
            if areas.empty:
                raise DataError(f"{path}: no {layer.level} areas of "
                                f"{self.config.gemeente.code}; is this the right file?")
            frames.append(areas)
        areas = pd.concat(frames, ignore_index=True)
        return gpd.GeoDataFrame(areas, geometry="geometry", crs=kaart.CRS)

    @cached_property
    def water(self) -> gpd.GeoSeries:
        """Water surfaces of the gemeente in the newest gemeente layer, for map backgrounds."""
        layers = [k for k in self.config.sources.kaart if k.level == "gemeente"]
        if not layers:
            return gpd.GeoSeries([], crs=kaart.CRS)
        newest = max(layers, key=lambda k: k.vintage)
        path, gemeente = self.path(newest.file), self.config.gemeente.code
        water = self.cache.geoframe(path, f"water-{gemeente}", lambda: (
            gpd.GeoDataFrame(geometry=kaart.read_water(path, gemeente), crs=kaart.CRS)))
        return gpd.GeoSeries(water.geometry.values, crs=kaart.CRS)

    @property
    def vintages(self) -> list[int]:
        """All boundary vintages among the configured kaart layers."""
        return sorted({k.vintage for k in self.config.sources.kaart})

    def vintage_for(self, year: int, level: str | None = None) -> int:
        """The boundary vintage that applies to a statistics year (per level).

        The newest vintage not after ``year``; when every vintage of that level is
        newer (geometry only from later years), the oldest one.
        """
        layers = [k.vintage for k in self.config.sources.kaart if level in (None, k.level)]
        if not layers:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no kaart layer for level {level!r}; "
                              "add one under sources.kaart.")
        earlier = [v for v in layers if v <= year]
        return max(earlier) if earlier else min(layers)

    def areas_for(self, year: int, level: str | None = None) -> gpd.GeoDataFrame:
        """Areas as they were in ``year`` (optionally one level)."""
        levels = [level] if level else sorted(set(self.areas["level"]))
        parts = [self.areas[(self.areas["level"] == lvl)
                            & (self.areas["vintage"] == self.vintage_for(year, lvl))]
                 for lvl in levels]
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                crs=self.areas.crs)

    @cached_property
    def hierarchy(self) -> pd.DataFrame:
        """``year, code, parent, level`` for every statistics year."""
        years = sorted(self.variables_raw["year"].unique())
        rows = []
        for year in years:
            part = self.areas_for(int(year))[["code", "parent", "level"]].assign(year=int(year))
            rows.append(part)
        return pd.concat(rows, ignore_index=True)

    @cached_property
    def cache(self) -> SourceCache:
        """Parsed sources as parquet in ``cache/``, rebuilt when a raw file changes."""
        return SourceCache(self.root / "cache")

    def _own(self, tidy: pd.DataFrame) -> pd.DataFrame:
        """Rows of this gemeente only (national downloads hold every gemeente)."""
        return tidy[tidy["area_code"].str[2:6] == self.config.gemeente.code[2:]]

    @cached_property
    def variables_raw(self) -> pd.DataFrame:
        """Tidy source variables as read (KWB and registrations) for this gemeente."""
        if not self.config.sources.kwb:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no KWB files yet. Add them with "
                              "`stuurkit fetch` or `stuurkit import`.")
        frames = []
        gemeente = self.config.gemeente.code
        for entry in self.config.sources.kwb_files():
            path = self.path(entry.file)
            tidy = self.cache.frame(path, f"kwb-{gemeente}", lambda p=path, e=entry: (
                kwb.read_kwb(p, year=e.year, gemeente=gemeente)))
            own = self._own(tidy)
            if own.empty:
                raise DataError(f"{path}: no rows for {gemeente}; is this the "
                                "right file for this gemeente?")
            frames.append(own)
        for name in self.config.sources.registrations:
            path = self.path(name)
            tidy = self.cache.frame(path, "registrations",
                                    lambda p=path: registrations.read_registrations(p))
            foreign = tidy[tidy["area_code"].str[2:6] != self.config.gemeente.code[2:]]
            if len(foreign):
                raise DataError(
                    f"{path}: holds areas of another gemeente, e.g. "
                    f"{foreign['area_code'].iloc[0]}; this workspace is for "
                    f"{self.config.gemeente.code}. Correct the area codes."
                )
            frames.append(tidy)
        return boundaries.apply_code_changes(pd.concat(frames, ignore_index=True),
                                             self.code_changes)

    @cached_property
    def code_changes(self) -> pd.DataFrame:
        """Known code changes (``year, old, new``) from ``sources.code_changes``."""
        frames = [boundaries.read_code_changes(self.path(f))
                  for f in self.config.sources.code_changes]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=["year", "old", "new"]))

    @cached_property
    def breaks(self) -> pd.Series:
        """Per area code, the newest year whose boundary change breaks its series."""
        return boundaries.breaks(self.variables_raw)

    @cached_property
    def variables(self) -> pd.DataFrame:
        """Tidy variables with buurt-only variables summed to wijk and gemeente."""
        return indicators.aggregate_up(self.variables_raw, self.hierarchy)

    @cached_property
    def observations(self) -> pd.DataFrame:
        """All catalogue indicators for all areas and years, disclosure control applied."""
        return privacy.suppress(indicators.compute(self.variables, self.catalogue),
                                self.catalogue, self.hierarchy)

    @cached_property
    def provenance(self) -> list[dict[str, Any]]:
        """Entries of ``raw/provenance.yml`` (source, url, retrieved, licence, sha256)."""
        path = self.root / "raw" / "provenance.yml"
        if not path.exists():
            return []
        try:
            doc = yamlfile.load(path.read_bytes()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc}). Restore it from a backup or "
                              "import the files again.") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("files", []), list):
            raise ConfigError(f"{path}: expected a mapping with a list 'files'.")
        return list(doc.get("files", []))

    # ------------------------------------------------------------------ areas
    def area(self, code: str, level: str | None = None) -> pd.Series:
        """The newest record of one area; ``UnknownAreaError`` names the known codes."""
        areas = self.areas
        if level:
            areas = areas[areas["level"] == level]
        hits = areas[areas["code"] == code]
        if hits.empty:
            known = areas.drop_duplicates("code")
            wijken = known[known["level"] == (level or "wijk")]
            listing = ", ".join(f"{c} ({n})" for c, n in zip(wijken["code"], wijken["name"],
                                                              strict=True))
            close = difflib.get_close_matches(str(code), known["code"].tolist(), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UnknownAreaError(
                f"Area code {code!r} is not in workspace '{self.name}' "
                f"({self.config.gemeente.code} {self.config.gemeente.name}, "
                f"{self.root / CONFIG_FILE}).{hint} Known {level or 'wijk'} codes: {listing}."
            )
        return hits.sort_values("vintage").iloc[-1]


_OPENED: dict[tuple, Workspace] = {}


def _fingerprint(root: Path) -> tuple:
    """Names, sizes and modification times of the workspace's files (not cache/)."""
    entries = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "cache" not in path.relative_to(root).parts:
            stat = path.stat()
            entries.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return (str(root), tuple(entries))


def open_workspace(workspace: str | Path = "demo", check: bool = True) -> Workspace:
    """Open a workspace by name (``data/<name>``) or path and validate its configuration.

    Within one process an unchanged workspace is opened once: the same object (with its
    computed observations) is returned while no file in it changed. Successive reports in
    a warm kernel so share the loading work.
    """
    root = resolve(workspace)
    config_file = root / CONFIG_FILE
    key = _fingerprint(root) if config_file.exists() else None
    if key is not None and key in _OPENED:
        return _OPENED[key]
    config = _read_config(config_file)
    ws = Workspace(root, config)
    if check:
        ws.check_files()
    if key is not None:
        _OPENED.clear()  # keep one: a run works on one workspace
        _OPENED[key] = ws
    return ws
