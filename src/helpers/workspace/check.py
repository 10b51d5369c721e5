"""``stuurkit check``: validate a whole workspace and report every problem at once.

Each problem names where it is (file and row or key) and what to do. Errors make the
workspace unusable; warnings are worth reading (areas without geometry, geometry
without statistics, names that did not map, raw files without provenance).
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import model
from helpers.errors import StuurkitError
from helpers.sources import READERS, Probe, boundaries
from helpers.sources import variables as varmap
from helpers.workspace import begroting
from helpers.workspace.cache import sha256
from helpers.workspace.config import CONFIG_FILE
from helpers.workspace.core import Workspace, open_workspace

__all__ = ["Problem", "check_workspace", "unmapped_names"]


@dataclass(frozen=True)
class Problem:
    severity: str  # "fout" (error) | "waarschuwing" (warning) | "info"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity.upper():<12} {self.where}: {self.message}"


def _try(problems: list[Problem], where: str, func):
    """Run ``func``; turn kit errors and warnings into problems; return its result."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func()
        except StuurkitError as exc:
            problems.append(Problem("fout", where, str(exc)))
            result = None
    for warning in caught:
        problems.append(Problem("waarschuwing", where, str(warning.message)))
    return result


def _sources(ws: Workspace, problems: list[Problem]) -> tuple[set[str], set[str]]:
    """Read every source file as a run would (its reader, this gemeente's part); return the
    codes with statistics and the codes with geometry."""
    mapping = varmap.load_mapping()
    stat_codes: set[str] = set()
    geo_codes: set[str] = set()
    for section in READERS.sections:
        for i, entry in enumerate(ws.config.sources.files(section)):
            probe = Probe(ws.request(entry, mapping=mapping))
            frame = _try(problems, f"sources.{section}[{i}] {entry['file']}",
                         lambda probe=probe, section=section: READERS.detect(
                             probe, section).load(probe))
            if frame is None:
                continue
            if READERS.areas(section):
                geo_codes |= set(frame["code"])
            else:
                stat_codes |= set(frame["area_code"])
    for scheme, names in mapping.unmapped.items():
        problems.append(Problem(
            "waarschuwing", f"variabelen ({scheme})",
            f"{len(names)} names are not in the variable mapping and keep their own name, "
            f"e.g. {', '.join(sorted(names)[:3])}. Add them to {varmap.MAPPING_FILE.name} "
            "to link them across years."))
    if stat_codes:
        unused = varmap.unused(mapping)
        if unused:
            problems.append(Problem(
                "info", "variabelen", f"{len(unused)} entries of the variable mapping occur in "
                f"none of the KWB files (e.g. {', '.join(unused[:4])}); variables CBS did not "
                "publish for these years."))
    return stat_codes, geo_codes


def unmapped_names(ws: Workspace) -> list[tuple[str, str]]:
    """``(scheme, name)`` of every column name in the workspace's statistics files that is
    not in the variable mapping (the files are parsed afresh: the cache keeps no names)."""
    mapping = varmap.load_mapping()
    for section in READERS.tidy_sections:
        for entry in ws.config.sources.files(section):
            probe = Probe(ws.request(entry, mapping=mapping, gemeente=None))
            READERS.detect(probe, section).read(probe)
    return [(scheme, name) for scheme, names in sorted(mapping.unmapped.items())
            for name in sorted(names)]


def _provenance(ws: Workspace, problems: list[Problem]) -> None:
    raw = ws.root / "raw"
    recorded = {e.get("file"): e for e in ws.provenance}
    for path in sorted(p for p in raw.glob("*")
                       if p.name != "provenance.yml" and not p.name.startswith(".")):
        entry = recorded.get(path.name)
        if entry is None:
            problems.append(Problem("waarschuwing", f"raw/{path.name}",
                                    "no provenance recorded; add it with `stuurkit import`."))
        elif entry.get("sha256") and entry["sha256"] != sha256(path):
            problems.append(Problem("fout", f"raw/{path.name}",
                                    "content differs from the checksum in provenance.yml; raw "
                                    "files are immutable. Restore the original file."))


def _unread_variables(ws: Workspace, problems: list[Problem],
                      catalogue: Mapping[str, Any]) -> None:
    """Warn about variables of the gemeente's own data that no indicator reads: a typing
    error in a variable name leaves its indicator without data, silently."""
    inputs = {name for entry in catalogue.values() for name in entry.inputs}
    for section in READERS.tidy_sections:
        if any(r.national for r in READERS if r.section == section):
            continue
        for i, entry in enumerate(ws.config.sources.files(section)):
            frame = _try(problems, f"sources.{section}[{i}] {entry['file']}",
                         lambda section=section, entry=entry: ws._read(section, entry))
            unread = sorted(set(frame["variable"]) - inputs) if frame is not None else []
            for name in unread:
                close = difflib.get_close_matches(name, sorted(inputs), n=1, cutoff=0.8)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                problems.append(Problem(
                    "waarschuwing", f"sources.{section}[{i}] {entry['file']}",
                    f"variable {name!r} is read by no indicator of the catalogue.{hint} "
                    "Correct its name, or add an indicator that reads it."))


def check_workspace(workspace: str | Path,
                    catalogue: Callable[[Workspace], Mapping[str, Any]] | None = None
                    ) -> list[Problem]:
    """Every problem of a workspace (empty list: all is well). ``catalogue`` gives the
    workspace's indicator catalogue (``indicators.catalogue.for_workspace``; a later
    stage, so it is passed in): with it, own variables that no indicator reads are
    named."""
    problems: list[Problem] = []
    ws = _try(problems, CONFIG_FILE, lambda: open_workspace(workspace, check=False))
    if ws is None:
        return problems
    _try(problems, CONFIG_FILE, ws.check_files)
    if not ws.config.sources.kwb:
        problems.append(Problem("fout", "sources.kwb", "no KWB files; add them with "
                                "`stuurkit fetch` or `stuurkit import`."))
    if not ws.config.sources.kaart:
        problems.append(Problem("fout", "sources.kaart", "no kaart layers; add them with "
                                "`stuurkit fetch` or `stuurkit import`."))
    stat_codes, geo_codes = _sources(ws, problems)
    if catalogue is not None:
        found = _try(problems, "catalogue", lambda: catalogue(ws))
        if found is not None:
            _unread_variables(ws, problems, found)
    if stat_codes and geo_codes:
        _try(problems, "kaart", lambda: ws.hierarchy)  # every area inside one a level up
        levels = {model.level_of(c) for c in geo_codes}
        no_geometry = sorted(c for c in stat_codes - geo_codes if model.level_of(c) in levels)
        no_statistics = sorted(geo_codes - stat_codes)
        if no_geometry:
            problems.append(Problem("waarschuwing", "kaart",
                                    f"{len(no_geometry)} areas have statistics but no geometry "
                                    f"(e.g. {', '.join(no_geometry[:5])}); they cannot be drawn."))
        if no_statistics:
            problems.append(Problem("waarschuwing", "kaart",
                                    f"{len(no_statistics)} areas have geometry but no statistics "
                                    f"(e.g. {', '.join(no_statistics[:5])})."))
    for i, name in enumerate(ws.config.sources.code_changes):
        path = ws.path(name)
        _try(problems, f"sources.code_changes[{i}] {name}",
             lambda p=path: boundaries.read_code_changes(p))
    combined = _try(problems, "sources (combined)", lambda: ws.variables_raw)
    unlinked = None if combined is None else _try(
        problems, "code changes", lambda: boundaries.unlinked_code_changes(
            combined, ws.code_changes))
    if unlinked:
        problems.append(Problem("waarschuwing", "ind_wbi",
                                f"{len(unlinked)} areas got a new code (ind_wbi 2) without an "
                                f"entry in sources.code_changes, so their series start anew: "
                                f"{', '.join(unlinked[:5])}. Add 'jaar, oude_code, "
                                "nieuwe_code' rows to link them."))
    programme = ws.path(ws.config.programme)
    if programme.exists():  # its YAML, model and ids (the catalogue is the next stage's)
        _try(problems, ws.config.programme, lambda: begroting.read_begroting(programme))
    for problem in begroting.unreadable_duiding(ws.root, ws.config.duiding):
        problems.append(Problem("fout", ws.config.duiding, f"{problem}; the programme "
                                "monitor shows 'duiding kon niet worden gelezen' instead."))
    _provenance(ws, problems)
    return problems
