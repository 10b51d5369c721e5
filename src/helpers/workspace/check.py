"""``stuurkit check``: validate a whole workspace and report every problem at once.

Each problem names where it is (file and row or key) and what to do. Errors make the
workspace unusable; warnings are worth reading (areas without geometry, geometry
without statistics, names that did not map, raw files without provenance).

``readiness(ws, catalogue)`` is the part a run needs before it starts — statistics and a
kaart to read, the programme budget loaded as a report loads it — read through the
workspace's cache, so it is cheap. ``check_workspace`` and ``stuurkit run`` (through
``helpers.run.schedule.preflight``, which also checks the schedule against it) both use
it: what ``check`` passes, a run does not refuse.
"""

from __future__ import annotations

import difflib
import warnings
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import model
from helpers.errors import StuurkitError
from helpers.sources import READERS, Probe, boundaries
from helpers.sources import variables as varmap
from helpers.workspace import begroting, national, reads
from helpers.workspace.cache import sha256
from helpers.workspace.config import CONFIG_FILE
from helpers.workspace.core import Workspace, open_workspace

__all__ = ["Problem", "Readiness", "readiness", "check_workspace", "unmapped_names"]

ERROR = "fout"  # the severity that makes a workspace unusable (and a run refuse)


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR ("fout") | "waarschuwing" (warning) | "info"
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
            problems.append(Problem(ERROR, where, str(exc)))
            result = None
    for warning in caught:
        problems.append(Problem("waarschuwing", where, str(warning.message)))
    return result


@dataclass(frozen=True)
class Readiness:
    """What a run needs of a workspace: the statistics years, whether its kaart layers are
    there and readable, the catalogue and programme budget (``None`` when not given or
    not loadable) and the problems found on the way."""

    years: list[int]
    kaart: bool
    catalogue: Mapping[str, Any] | None
    budget: begroting.LoadedProgramme | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def readiness(ws: Workspace, catalogue: Mapping[str, Any] | None) -> Readiness:
    """Every source file read as the workspace reads it (through its cache: cheap after
    the first time) — the statistics for their years — and the programme budget loaded as a report
    loads it, against ``catalogue`` (``indicators.catalogue.for_workspace(ws)``, a later
    stage's, so it is passed in; without it only its YAML, model and ids). The checks
    across files (``Workspace.variables_raw``: own data against the kaart, conflicting
    values) cost seconds and are ``check_workspace``'s.

    >>> ready = readiness(open_workspace("demo"), catalogue)  # doctest: +SKIP
    >>> ready.years[-1], ready.errors  # doctest: +SKIP
    (2024, [])
    """
    problems: list[Problem] = []
    if not ws.config.sources.kwb:
        problems.append(Problem(ERROR, "sources.kwb", "no KWB files; add them with "
                                "`stuurkit fetch` or `stuurkit import`."))
    if not ws.config.sources.kaart:
        problems.append(Problem(ERROR, "sources.kaart", "no kaart layers; add them with "
                                "`stuurkit fetch` or `stuurkit import`."))
    named = {key for key, file in ws.config.sources.named() if not ws.path(file).exists()}
    found: set[int] = set()
    for section in READERS.tidy_sections:  # each file as cached: its years, not the sums
        for i, entry in enumerate(ws.config.sources.files(section)):
            if f"sources.{section}[{i}]" in named:
                continue  # a missing file: check_files names it
            frame = _try(problems, f"sources.{section}[{i}] {entry['file']}",
                         lambda section=section, entry=entry: ws._read(section, entry))
            if frame is not None:
                found |= {int(y) for y in frame["year"].unique()}
    years = sorted(found) if ws.config.sources.kwb else []
    kaart = bool(ws.config.sources.kaart) and not any(
        key.startswith("sources.kaart") for key in named) and _try(
        problems, "sources.kaart", lambda: ws.areas) is not None  # the run's read, kept
    budget = None
    if ws.path(ws.config.programme).exists():  # a missing file: check_files names it
        load = ((lambda: begroting.load_programme(ws, catalogue)) if catalogue is not None
                else (lambda: begroting.read_begroting(ws.path(ws.config.programme))))
        loaded = _try(problems, ws.config.programme, load)
        budget = loaded if isinstance(loaded, begroting.LoadedProgramme) else None
    return Readiness(years, kaart, catalogue, budget, problems)


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
        # no indicator reads an unmapped name: worth knowing (the same figure in another
        # year or table is not linked to it), nothing a report shows is wrong
        problems.append(Problem(
            "info", f"variabelen ({scheme})",
            f"{len(names)} names are not in the variable mapping and keep their own name, "
            f"e.g. {', '.join(sorted(names)[:3])}; no indicator reads them. To link them "
            f"across years, add them to {varmap.MAPPING_FILE.name} (a change to the kit)."))
    if stat_codes:
        unused = varmap.unused(mapping)
        if unused:
            problems.append(Problem(
                "info", "variabelen", f"{len(unused)} entries of the variable mapping occur in "
                f"none of the KWB files (e.g. {', '.join(unused[:4])}): no file of this workspace "
                "gives them (they may be in other CBS tables or years)."))
    return stat_codes, geo_codes


_UNMAPPED: weakref.WeakKeyDictionary[Workspace, tuple[list, dict]] = (
    weakref.WeakKeyDictionary())


def unmapped_names(ws: Workspace) -> list[tuple[str, str]]:
    """``(scheme, name)`` of every column name in the workspace's statistics files that is
    not in the variable mapping (the files are parsed afresh: the cache keeps no names).
    Found once per workspace object, as its facts are (``helpers.indicators.facts.of``),
    with the files it read recorded again at every call (``reads``)."""
    kept = _UNMAPPED.get(ws)
    if kept is None:
        with reads.capture() as got:
            found = _unmapped_names(ws)
        kept = _UNMAPPED[ws] = (found, got)
    reads.replay(kept[1])
    return list(kept[0])


def _unmapped_names(ws: Workspace) -> list[tuple[str, str]]:
    mapping = varmap.load_mapping()
    for section in READERS.tidy_sections:
        for entry in ws.config.sources.files(section):
            probe = Probe(ws.request(entry, mapping=mapping, gemeente=None))
            reads.record(probe.path)  # parsed here, not through the cache that records
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
            problems.append(Problem(ERROR, f"raw/{path.name}",
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


def _examples(lines: list[str], shown: int = 3) -> str:
    return "; ".join(lines[:shown]) + (f" (and {len(lines) - shown} more)"
                                       if len(lines) > shown else "")


def _overlaps(ws: Workspace, problems: list[Problem]) -> None:
    """What combining the files decided (``Workspace.variables_raw``): codes whose
    figures are of another area than the kaart draws that year (withheld: a warning, or
    an error when the kaart is of that very year), renamed areas (info), numbers two
    files give differently (the precedence rule chose) and years imported twice."""
    first = {}
    for mismatch in ws.mismatches:  # one line per code and year (several files say so)
        first.setdefault((mismatch.code, mismatch.year, mismatch.withheld), mismatch)
    once = list(first.values())
    withheld = [m for m in once if m.withheld]
    for error in (True, False):
        found = [m for m in withheld if m.error == error]
        if not found:
            continue
        years = sorted({m.year for m in found})
        fix = ("One of the files is wrong: compare them with CBS's originals and remove "
               "the wrong one." if error else
               f"Import the kaart layers of {', '.join(map(str, years))} (`stuurkit fetch` or "
               "`stuurkit import`) to show them on the areas they are of.")
        problems.append(Problem(
            ERROR if error else "waarschuwing", "indeling",
            f"{len(found)} area-years are not shown because their figures are of another "
            f"area than the kaart draws for that code: {_examples([m.line() for m in found])}"
            f". {fix}"))
    renamed = [m for m in once if not m.withheld]
    if renamed:
        shown = _examples([m.line() for m in renamed], 2)
        problems.append(Problem("info", "indeling", f"{len(renamed)} area-years have "
                                f"another name than in the kaart: {shown}."))
    if ws.conflicts:
        problems.append(Problem(
            "waarschuwing", "sources (overlap)",
            f"{len(ws.conflicts)} figures are given differently by two files; the precedence "
            f"rule chose (docs/architecture.md, 'Overlapping sources'): "
            f"{_examples([c.line() for c in ws.conflicts])}. Give the file to prefer a "
            "'priority' in sources.kwb, or remove the other."))
    for duplicate in ws.duplicates:
        problems.append(Problem("waarschuwing", "sources (overlap)", duplicate.line() + "."))


def _national(ws: Workspace, problems: list[Problem]) -> None:
    """The national figures that comparisons use: what they hold, the hand-chosen peers
    they lack in their newest year, and files that disagree (``national.combined``)."""
    tidy, country, conflicts = national.combined(ws)
    if not country.empty:
        problems.append(Problem("info", "national", "CBS's figures for Nederland (row "
                                f"{model.COUNTRY_CODE}) in "
                                f"{', '.join(map(str, sorted(country['year'].unique())))}."))
    figures = tidy[tidy["variable"] != model.PROVINCIE_VARIABLE]
    if figures.empty:
        _conflicts(conflicts, problems)
        return
    newest = int(figures["year"].max())
    present = set(figures.loc[figures["year"] == newest, "area_code"])
    problems.append(Problem("info", "national", f"national figures of {len(present)} "
                            f"gemeenten in {newest} (years "
                            f"{', '.join(map(str, sorted(figures['year'].unique())))})."))
    unknown = [c for c in ws.config.peers.codes if c not in present]
    if unknown:
        problems.append(Problem("waarschuwing", "peers.codes",
                                f"{', '.join(unknown[:10])} not among the gemeenten of {newest} "
                                "in the national files; a report of that year refuses the "
                                "hand-chosen group. Use the current codes (a merged gemeente "
                                "has a new one)."))
    _conflicts(conflicts, problems)


def _conflicts(conflicts: list, problems: list[Problem]) -> None:
    if conflicts:
        problems.append(Problem("waarschuwing", "national (overlap)",
                                f"{len(conflicts)} national figures differ between files: "
                                f"{_examples([c.line() for c in conflicts])}. Give the file "
                                "to prefer a higher priority in stuurkit.yml, or remove the "
                                "wrong one."))


def check_workspace(workspace: str | Path,
                    catalogue: Callable[[Workspace], Mapping[str, Any]] | None = None,
                    schedule: Callable[[Workspace, Readiness], list[Problem]] | None = None,
                    ) -> list[Problem]:
    """Every problem of a workspace (empty list: all is well). ``catalogue`` gives the
    workspace's indicator catalogue (``indicators.catalogue.for_workspace``; a later
    stage, so it is passed in): with it, the programme budget is checked against it as a
    report loads it, and own variables that no indicator reads are named. ``schedule``
    checks the schedule against the notebooks and the data a run would use
    (``helpers.run.schedule.schedule_problems``, also a later stage's)."""
    problems: list[Problem] = []
    ws = _try(problems, CONFIG_FILE, lambda: open_workspace(workspace, check=False))
    if ws is None:
        return problems
    _try(problems, CONFIG_FILE, ws.check_files)
    found = None if catalogue is None else _try(problems, "catalogue", lambda: catalogue(ws))
    ready = readiness(ws, found)
    problems += ready.problems
    stat_codes, geo_codes = _sources(ws, problems)
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
    combined = _try(problems, "sources (combined)", lambda: ws.variables_raw) if (
        ws.config.sources.kwb) else None
    unlinked = None if combined is None else _try(
        problems, "code changes", lambda: boundaries.unlinked_code_changes(
            combined, ws.code_changes))
    if unlinked:
        problems.append(Problem("waarschuwing", "ind_wbi",
                                f"{len(unlinked)} areas got a new code (ind_wbi 2) without an "
                                f"entry in sources.code_changes, so their series start anew: "
                                f"{', '.join(unlinked[:5])}. Add 'jaar, oude_code, "
                                "nieuwe_code' rows to link them."))
    if combined is not None:
        _overlaps(ws, problems)
        _try(problems, "national figures", lambda: _national(ws, problems))
    for problem in begroting.unreadable_duiding(ws.root, ws.config.duiding):
        problems.append(Problem(ERROR, ws.config.duiding, f"{problem}; the programme "
                                "monitor shows 'duiding kon niet worden gelezen' instead."))
    if schedule is not None:
        problems += schedule(ws, ready)
    _provenance(ws, problems)
    once = {(p.severity, p.message): p for p in reversed(problems)}  # a file read by
    return [p for p in problems if once[(p.severity, p.message)] is p]  # both: once
