"""A gemeente's workspace: ``data/<name>/stuurkit.yml`` and the files it names.

``open_workspace("demo")`` reads and validates the configuration, checks that every
file it names exists, and gives lazy access to what the files hold: the areas (all
boundary vintages, ``areas_for`` a statistics year), the water for map backgrounds, the
tidy source variables as read, the area hierarchy per year, code changes and boundary
breaks, and the provenance of the raw files. Every file is read by its reader from the
source registry (``helpers.sources.READERS``) and cached as parquet (``cache/``).

What is computed from these — indicators, disclosure control — is the next stage's
(``helpers.indicators.facts``).

Examples
--------
>>> ws = open_workspace("demo")  # doctest: +SKIP
>>> ws.area("WK990101")["name"]  # doctest: +SKIP
'Binnenstad'
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from helpers import model
from helpers.errors import ConfigError, DataError, UnknownAreaError
from helpers.sources import READERS, Probe, Reader, Request, boundaries, kaart, registrations
from helpers.workspace import indeling, national, precedence, provenance, reads
from helpers.workspace.cache import SourceCache
from helpers.workspace.config import CONFIG_FILE, Config, read_config, resolve

__all__ = ["Config", "Workspace", "open_workspace", "CONFIG_FILE", "resolve", "vintage_for",
           "areas_for", "outlines_from_wijken", "unparented", "lost_shown"]

log = logging.getLogger(__name__)


def vintage_for(areas: pd.DataFrame, year: int, level: str | None = None) -> int | None:
    """The boundary vintage of ``areas`` that applies to a statistics year (per level):
    the newest not after ``year``; when every vintage of that level is newer (geometry
    only from later years), the oldest one. ``None`` when there are no such areas."""
    rows = areas if level is None else areas[areas["level"] == level]
    vintages = set(rows["vintage"])
    if not vintages:
        return None
    earlier = [v for v in vintages if v <= year]
    return int(max(earlier) if earlier else min(vintages))


def outlines_from_wijken(areas: gpd.GeoDataFrame, code: str, name: str) -> gpd.GeoDataFrame:
    """``areas`` plus the gemeente's outline of each wijk vintage that has no gemeente
    layer: the union of that vintage's wijken (which together make up the gemeente).
    Without it a year whose wijken come from a newer kaart would be drawn on an older
    gemeente outline (Groningen 2024 with Haren and Ten Boer on the 2015 outline)."""
    have = set(areas.loc[areas["level"] == "gemeente", "vintage"])
    wijken = areas[(areas["level"] == "wijk") & ~areas["vintage"].isin(have)
                   & (areas["parent"] == code)]
    if wijken.empty:
        return areas
    rows = [{"code": code, "name": name, "level": "gemeente", "parent": None,
             "vintage": int(vintage), "geometry": part.geometry.union_all()}
            for vintage, part in wijken.groupby("vintage")]
    outlines = gpd.GeoDataFrame(rows, geometry="geometry", crs=areas.crs)
    return gpd.GeoDataFrame(pd.concat([areas, outlines], ignore_index=True),
                            geometry="geometry", crs=areas.crs)


def areas_for(areas: gpd.GeoDataFrame, year: int, level: str | None = None
              ) -> gpd.GeoDataFrame:
    """The areas as they were in ``year`` (optionally one level), each level in the
    vintage that ``vintage_for`` picks."""
    levels = [level] if level else sorted(set(areas["level"]))
    parts = [areas[(areas["level"] == lvl) & (areas["vintage"] == vintage_for(areas, year, lvl))]
             for lvl in levels]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs=areas.crs)


class Workspace:
    """One gemeente's configuration and data (see the module docstring)."""

    def __init__(self, root: Path, config: Config):
        self.root = root
        self.config = config
        self.name = root.name
        # what reading the statistics decided, filled by ``variables_raw`` (the
        # properties below read them, reading the statistics first when they must)
        self._decided: dict[str, Any] = {
            "mismatches": [], "conflicts": [], "duplicates": [], "own_variables": set(),
            "source_names": pd.DataFrame()}

    def _decision(self, name: str) -> Any:
        """What reading the statistics decided (never the empty default of statistics
        not read yet: facts from the cache need not read them)."""
        if self.config.sources.kwb:
            self.variables_raw  # noqa: B018 - reading them fills ``_decided``
        return self._decided[name]

    @property
    def mismatches(self) -> list[indeling.Mismatch]:
        """Codes whose figures of a year are of another area than the kaart draws; their
        rows are withheld from ``variables_raw``."""
        return self._decision("mismatches")

    @property
    def conflicts(self) -> list[precedence.Conflict]:
        """Figures two overlapping files give differently (the precedence rule chose)."""
        return self._decision("conflicts")

    @property
    def duplicates(self) -> list[precedence.Duplicate]:
        """Years imported twice (the same figures in two files)."""
        return self._decision("duplicates")

    @property
    def own_variables(self) -> set[str]:
        """The variables of the gemeente's own data (registrations)."""
        return self._decision("own_variables")

    @property
    def source_names(self) -> pd.DataFrame:
        """The areas' names as the statistics give them."""
        return self._decision("source_names")

    def __repr__(self) -> str:
        return f"Workspace({self.name!r}, {self.config.gemeente.code} {self.config.gemeente.name})"

    @property
    def gemeente(self) -> str:
        """The gemeente's CBS code (``GM0344``)."""
        return self.config.gemeente.code

    # ------------------------------------------------------------------ files
    def path(self, relative: str) -> Path:
        """Absolute path of a file named in the configuration."""
        return (self.root / relative).resolve()

    def check_files(self) -> None:
        """Raise ``ConfigError`` naming every configured file that does not exist."""
        named = [*self.config.sources.named(), ("programme", self.config.programme)]
        missing = [f"  {key}: {value} (looked for {self.path(value)})"
                   for key, value in named if not self.path(value).exists()]
        if missing:
            raise ConfigError(
                f"{self.root / CONFIG_FILE}: files named in the configuration do not exist:\n"
                + "\n".join(missing)
                + "\nRestore the files (for the demo: `stuurkit demo-data`) or correct the paths."
            )

    def request(self, entry: dict[str, Any], **extra: Any) -> Request:
        """How a reader is asked for one entry of ``sources:`` (this gemeente's rows; the
        names of each year's areas, for an export that names its regions only)."""
        return Request(self.path(entry["file"]), gemeente=self.gemeente,
                       year=entry.get("year"), level=entry.get("level"),
                       vintage=entry.get("vintage"), layer=entry.get("layer"),
                       areas=self.area_names if self.config.sources.kaart else None
                       ).but(**extra)

    def area_names(self, year: int) -> tuple[tuple[str, str, str], ...]:
        """``(code, level, name)`` of the areas the workspace shows ``year`` on: what a
        StatLine export that names its regions only is matched to (``Request.areas``)."""
        areas = self.areas_for(int(year))
        return tuple(sorted(zip(areas["code"], areas["level"], areas["name"], strict=True)))

    def _read(self, section: str, entry: dict[str, Any]) -> pd.DataFrame:
        """One entry of a section, read by the reader that recognises it, cached (a table
        of statistics with a year: also keyed on the names of that year's areas, which a
        names-only export is matched to)."""
        request = self.request(entry)
        key = "-".join(str(entry.get(k) or "") for k in ("level", "vintage", "layer", "year"))
        if not READERS.areas(section) and self.config.sources.kaart and entry.get("year"):
            names = "|".join(map(" ".join, self.area_names(int(entry["year"]))))
            key += "-" + hashlib.sha256(names.encode()).hexdigest()[:12]

        def parse() -> pd.DataFrame:
            probe = Probe(request)
            reader: Reader = READERS.detect(probe, section)
            return reader.load(probe)

        if READERS.areas(section):
            return self.cache.geoframe(request.path, f"{section}-{key}-{self.gemeente}", parse)
        return self.cache.frame(request.path, f"{section}-{key}-{self.gemeente}", parse)

    # ------------------------------------------------------------------ data
    @reads.kept
    def areas(self) -> gpd.GeoDataFrame:
        """All areas of all boundary vintages (Areas model, EPSG:28992, land only)."""
        if not self.config.sources.kaart:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no kaart layers yet. Add them with "
                              "`stuurkit fetch` or `stuurkit import`.")
        frames = [self._read(section, entry) for section in READERS.sections
                  if READERS.areas(section) for entry in self.config.sources.files(section)]
        areas = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                 crs=kaart.CRS)
        return outlines_from_wijken(areas, self.gemeente, self.config.gemeente.name)

    @reads.kept
    def water(self) -> gpd.GeoSeries:
        """Water surfaces of the gemeente in the newest gemeente layer, for map backgrounds."""
        layers = [k for k in self.config.sources.kaart if k.level == "gemeente"]
        if not layers:
            return gpd.GeoSeries([], crs=kaart.CRS)
        newest = max(layers, key=lambda k: k.vintage)
        path, gemeente = self.path(newest.file), self.gemeente
        water = self.cache.geoframe(path, f"water-{gemeente}", lambda: (
            gpd.GeoDataFrame(geometry=kaart.read_water(path, gemeente), crs=kaart.CRS)))
        return gpd.GeoSeries(water.geometry.values, crs=kaart.CRS)

    @property
    def vintages(self) -> list[int]:
        """All boundary vintages among the configured kaart layers."""
        return sorted({k.vintage for k in self.config.sources.kaart})

    def vintage_for(self, year: int, level: str | None = None) -> int:
        """The boundary vintage that applies to a statistics year (per level); see the
        module function ``vintage_for``."""
        vintage = vintage_for(self.areas, year, level)
        if vintage is None:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no kaart layer for level {level!r}; "
                              "add one under sources.kaart.")
        return vintage

    def areas_for(self, year: int, level: str | None = None) -> gpd.GeoDataFrame:
        """Areas as they were in ``year`` (optionally one level)."""
        if level is not None:
            self.vintage_for(year, level)  # a level without layers: say so
        return areas_for(self.areas, year, level)

    @reads.kept
    def hierarchy(self) -> pd.DataFrame:
        """``year, code, parent, level`` for every statistics year; ``DataError`` when an
        area's parent is not among the areas of the level above used for that year (its
        figures would drop out of the parent's sums)."""
        years = sorted(self.variables_raw["year"].unique())
        rows = []
        for year in years:
            part = self.areas_for(int(year))
            self._check_parents(part, int(year))
            rows.append(part[["code", "parent", "level"]].assign(year=int(year)))
        return pd.concat(rows, ignore_index=True)

    def _check_parents(self, areas: pd.DataFrame, year: int) -> None:
        for level, above, lost, parents in unparented(areas):
            raise DataError(
                f"{self.root / CONFIG_FILE}: {len(lost)} {level} areas (kaart "
                f"{int(lost['vintage'].iloc[0])}) lie in a {above} that the {above} layer used "
                f"for {year} (kaart {int(parents['vintage'].iloc[0])}) does not have: "
                f"{lost_shown(lost)}. Their figures would drop out of the {above}'s sums. Add "
                f"the {above} layer of the same year to sources.kaart, or use CBS's original "
                "files.")

    @cached_property
    def cache(self) -> SourceCache:
        """Parsed sources as parquet in ``cache/``, rebuilt when a raw file changes."""
        return SourceCache(self.root / "cache")

    @reads.kept
    def variables_raw(self) -> pd.DataFrame:
        """Tidy source variables as read (every tidy section: KWB, registrations, …) for
        this gemeente, code changes applied. The gemeente's own data is refused
        (``DataError``) for an area the kaart does not have in that year, and for a value
        that another file gives differently (``registrations.conflicts``). A code whose
        figures of a year name or measure another area than the kaart draws for that year
        has those rows withheld (``indeling``; listed in ``mismatches``). Where files
        overlap, one rule decides which figure is kept (``precedence``; what it decided
        against is listed in ``conflicts`` and ``duplicates``)."""
        if not self.config.sources.kwb:
            raise ConfigError(f"{self.root / CONFIG_FILE}: no KWB files yet. Add them with "
                              "`stuurkit fetch` or `stuurkit import`.")
        files, parts = [], []
        for section in READERS.tidy_sections:
            own = not any(r.national for r in READERS if r.section == section)
            for entry in self.config.sources.files(section):
                frame = self._read(section, entry)
                if own and self.config.sources.kaart:
                    registrations.unknown_areas(entry["file"], frame, self._known_areas(
                        sorted(set(frame["year"]))))
                files.append((entry["file"], frame, own))
                parts.append(precedence.Part(
                    entry["file"], frame.drop(columns=model.AREA_NAME, errors="ignore"),
                    int(entry.get("priority") or 0), self._release(entry["file"])))
        registrations.conflicts(files)  # own data: no second value for a key, silently
        decided = self._decided
        decided["own_variables"] = {v for _, frame, own in files if own
                                    for v in frame["variable"]}
        names = pd.concat([indeling.source_names(frame, file) for file, frame, _ in files],
                          ignore_index=True)
        decided["source_names"] = names
        tidy, decided["conflicts"], decided["duplicates"] = precedence.combine(parts)
        if self.config.sources.kaart:
            decided["mismatches"] = indeling.mismatches(names, tidy, self.areas_for)
            tidy = indeling.withhold(tidy, decided["mismatches"])
        return boundaries.apply_code_changes(tidy, self.code_changes)

    def _release(self, file: str) -> date | None:
        """When a file's table was released: the export day in its name, else the
        download day recorded in provenance, else ``None``."""
        named = precedence.release_in_name(Path(file).name)
        if named:
            return named
        for entry in self.provenance:
            if Path(str(entry.get("file", ""))).name == Path(file).name and entry.get(
                    "retrieved"):
                try:
                    return date.fromisoformat(str(entry["retrieved"])[:10])
                except ValueError:
                    return None
        return None

    def _known_areas(self, years: list[int]) -> pd.DataFrame:
        """``year, code`` of the workspace's areas in each of ``years`` (the gemeente's own
        code always: a workspace need not have a gemeente layer)."""
        parts = [pd.DataFrame({"year": int(year), "code": [*self.areas_for(int(year))["code"],
                                                           self.gemeente]})
                 for year in years]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["year", "code"])

    @reads.kept
    def code_changes(self) -> pd.DataFrame:
        """Known code changes (``year, old, new``) from ``sources.code_changes``."""
        for file in self.config.sources.code_changes:
            reads.record(self.path(file))
        frames = [boundaries.read_code_changes(self.path(f))
                  for f in self.config.sources.code_changes]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=["year", "old", "new"]))

    @reads.kept
    def breaks(self) -> pd.Series:
        """Per area code, the newest year whose boundary change breaks its series: CBS's
        ``ind_wbi`` = 3, a code whose figures name another area from that year on
        (``indeling.breaks``), or the gemeente's own merger — a gemeente keeps its code
        and name when it absorbs another (Groningen, 2019), so only CBS's stated land
        area tells (``national.mergers``: more than ``MERGER_SHARE`` from one year to
        the next); a goal's forecast then starts anew, as any trend."""
        raw = self.variables_raw
        cbs = boundaries.breaks(raw)
        named = indeling.breaks(self.source_names, raw)
        merged = national.mergers(raw[(raw["level"] == model.LEVELS[0])
                                      & (raw["area_code"] == self.gemeente)])
        merged = merged.groupby("code")["year"].max()
        both = pd.concat([cbs, named, merged])
        return both.groupby(level=0).max().astype(int) if len(both) else cbs

    @reads.kept
    def provenance(self) -> list[dict[str, Any]]:
        """Entries of ``raw/provenance.yml`` (source, url, retrieved, licence, sha256)."""
        reads.record(self.root / provenance.FILE)
        return provenance.read(self.root)

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
                f"({self.gemeente} {self.config.gemeente.name}, "
                f"{self.root / CONFIG_FILE}).{hint} Known {level or 'wijk'} codes: {listing}."
            )
        return hits.sort_values("vintage").iloc[-1]


def unparented(areas: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.DataFrame]]:
    """``(level, level above, its areas whose parent is missing, the areas above)`` for
    each level of ``areas`` (one indeling) whose parents are not all there; a level
    without areas above it is not checked."""
    found = []
    for level, above in (("buurt", "wijk"), ("wijk", "gemeente")):
        children, parents = areas[areas["level"] == level], areas[areas["level"] == above]
        if children.empty or parents.empty:
            continue
        lost = children[~children["parent"].isin(set(parents["code"]))]
        if len(lost):
            found.append((level, above, lost, parents))
    return found


def lost_shown(lost: pd.DataFrame) -> str:
    """``BU99010101 in WK990101, …`` (five at most)."""
    return ", ".join(f"{c} in {p}" for c, p in zip(lost["code"][:5], lost["parent"][:5],
                                                    strict=True)) + (" …" if len(lost) > 5 else "")


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

    Within one process an unchanged workspace is opened once: the same object (with what
    it has read, and what later stages computed from it) is returned while no file in it
    changed. Successive reports in a warm kernel so share the loading work.
    """
    root = resolve(workspace)
    config_file = root / CONFIG_FILE
    reads.record(config_file)  # what every report that opens the workspace depends on
    key = _fingerprint(root) if config_file.exists() else None
    if key is not None and key in _OPENED:
        return _OPENED[key]
    config = read_config(config_file)
    ws = Workspace(root, config)
    if check:
        ws.check_files()
    if key is not None:
        _OPENED.clear()  # keep one: a run works on one workspace
        _OPENED[key] = ws
    return ws

