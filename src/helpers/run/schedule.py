"""The schedule in ``stuurkit.yml`` → jobs: one notebook with parameters and its report.

``expand(ws)`` turns each schedule entry into jobs (one wijkprofiel per wijk, one
programmamonitor per programme, …). Everything is checked before anything runs
(``preflight``, the same checks ``stuurkit check`` makes, every problem at once): the
notebook must be in ``notebooks/``, every parameter must exist in its parameters cell
with that type, the values a job runs with (the schedule's over the notebook's
defaults) must be in the workspace — a year with statistics, a wijk or buurt code, an
indicator of the catalogue, a programme of the budget — and report file names — built
from schedule names, area codes and programme ids — may not leave
``reports/<workspace>/`` (``/``, ``..``, odd characters). An entry without ``year`` (and
a notebook that has one) gets the workspace's newest statistics year, written into its
jobs' parameters (and so into ``manifest.json``).
"""

from __future__ import annotations

import ast
import difflib
import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.errors import ConfigError, StuurkitError
from helpers.paths import data_dir, notebooks_dir, reports_dir
from helpers.workspace import reportfiles

if TYPE_CHECKING:
    from helpers.workspace import Workspace
    from helpers.workspace.check import Problem, Readiness
    from helpers.workspace.config import ScheduleEntry

__all__ = ["Job", "expand", "plan", "preflight", "schedule_problems", "report_path",
           "reports_folder", "claim_reports", "OWNER_FILE"]

log = logging.getLogger(__name__)

OWNER_FILE = ".stuurkit-owner"  # in reports/<name>/: the workspace whose reports these are

# notebook → (title, section of the portal); the schedule's order orders the portal
_TITLES = {"30_bestuursoverzicht": ("Bestuursoverzicht", "Bestuur"),
           reportfiles.PROGRAMME_MONITOR: ("Programmamonitor", "Programma's"),
           reportfiles.AREA_PROFILE: ("Wijkprofiel", "Wijken"),
           "90_datakwaliteit": ("Datakwaliteit", "Verantwoording")}
_AREA_REPORTS = {"wijk": ("Wijkprofiel", "Wijken"), "buurt": ("Buurtprofiel", "Buurten")}


@dataclass(frozen=True)
class Job:
    """One report to make: a notebook with parameters and its published file."""

    name: str
    notebook: str
    parameters: dict[str, Any]
    html: str
    title: str
    section: str = "Overig"
    static: bool = False  # a page without scripts, charts as SVG (--static, `static: true`)


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def report_path(folder: Path, stem: str, key: str | None, where: str) -> str:
    """``folder/<stem>[_<key>].html``, refusing any name that could leave ``folder``."""
    for part in (stem, key):
        if part is not None and (not _SAFE_NAME.match(str(part)) or ".." in str(part)):
            raise ConfigError(
                f"{where}: {str(part)!r} cannot be part of a report file name. Use letters, "
                "digits, '_', '-' and '.' only (no '/', '..' or spaces).")
    path = folder / reportfiles.file_name(stem, key)
    if path.resolve().parent != folder.resolve():
        raise ConfigError(f"{where}: report {path} would be written outside {folder}.")
    return str(path)


_TYPES = {"int": int, "float": (int, float), "str": str, "bool": bool}


def _declared(notebook: Path) -> dict[str, dict[str, Any]]:
    """The notebook's parameters cell: name → papermill's description of it.

    Kept in the kit's cache under the SHA-256 of the notebook's bytes and papermill's
    version (``parameters/``): planning a run then needs no papermill import (~1 s
    before any worker could start). A cache that cannot be read or written is skipped.
    """
    import hashlib
    import json
    from importlib.metadata import version

    from helpers.files import write_text_atomic
    from helpers.paths import cache_dir

    digest = hashlib.sha256(notebook.read_bytes()).hexdigest()
    entry = cache_dir() / "parameters" / f"{digest}-{version('papermill')}.json"
    try:
        found = json.loads(entry.read_text(encoding="utf-8"))
        if isinstance(found, dict) and all(isinstance(v, dict) for v in found.values()):
            return found
    except (OSError, ValueError):
        pass
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(entry, json.dumps(declared))
    except (OSError, TypeError) as exc:
        log.debug("parameters of %s not cached: %s", notebook, exc)
    return declared


def _defaults(declared: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The literal values of a parameters cell (STYLE: literals only)."""
    values = {}
    for name, spec in declared.items():
        try:
            values[name] = ast.literal_eval(spec.get("default", ""))
        except (ValueError, SyntaxError):
            continue
    return values


def _parameter_problems(notebook: Path, declared: dict[str, dict[str, Any]],
                        parameters: dict[str, Any]) -> list[str]:
    """Every parameter must exist in the notebook's parameters cell, with its type."""
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            problems.append(
                f"parameter {name!r} does not exist in {notebook.name} (its parameters: "
                f"{', '.join(declared) or 'none'}). Check the spelling.")
            continue
        wanted = _TYPES.get(declared[name].get("inferred_type_name", ""))
        wrong = wanted is not None and (not isinstance(value, wanted) or (
            isinstance(value, bool) and wanted is not bool))
        if wrong:
            problems.append(
                f"parameter {name!r} = {value!r} should be of type "
                f"{declared[name]['inferred_type_name']} (see the parameters cell of "
                f"{notebook.name}).")
    return problems


def _listed(codes: list[str], wanted: str, limit: int = 20) -> str:
    """``a, b, c`` (all, or the closest and a count when there are many)."""
    if len(codes) <= limit:
        return ", ".join(codes) or "(none)"
    close = difflib.get_close_matches(wanted, codes, n=5, cutoff=0)
    return f"{', '.join(close)} … ({len(codes)} in all)"


def _data_problems(ws: Workspace, ready: Readiness, values: dict[str, Any],
                   own: dict[str, Any]) -> list[str]:
    """The parameter values a job runs with (``values``: the notebook's defaults with the
    schedule's ``own`` values over them) against what the workspace has: statistics years,
    areas, the catalogue, the programmes."""
    problems = []

    def origin(name: str) -> str:
        return "" if name in own else " (the notebook's default; set it under parameters)"

    year = values.get("year")
    if isinstance(year, int) and ready.years and year not in ready.years:
        problems.append(
            f"year {year}{origin('year')} has no statistics in this workspace; available "
            f"years: {', '.join(map(str, ready.years))}. Set parameters.year to one of them, "
            f"or leave it out to use the newest ({ready.years[-1]}).")
    code = values.get("area_code")
    if isinstance(code, str) and ready.kaart:  # no (readable) kaart: readiness says so
        areas = ws.areas
        known = sorted(set(areas.loc[areas["level"].isin(["wijk", "buurt"]), "code"]))
        if code not in known:
            level = "buurt" if code.upper().startswith("BU") else "wijk"
            shown = year if isinstance(year, int) else max(ws.vintages)
            codes = sorted(ws.areas_for(shown, level)["code"])
            close = difflib.get_close_matches(code, known, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            problems.append(
                f"area_code {code!r}{origin('area_code')} is no wijk or buurt of "
                f"{ws.config.gemeente.name} ({ws.gemeente}).{hint} Its {level} codes "
                f"({shown}): {_listed(codes, code)}.")
    indicator = values.get("indicator")
    if isinstance(indicator, str) and ready.catalogue is not None:
        entry = ready.catalogue.get(indicator)
        if entry is None:
            close = difflib.get_close_matches(indicator, list(ready.catalogue), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            source = getattr(ready.catalogue, "source_file", None)
            problems.append(
                f"indicator {indicator!r}{origin('indicator')} is not in the catalogue"
                f"{f' ({source})' if source else ''}.{hint} Check the spelling or add it "
                "there.")
        elif values.get("level") in ("wijk", "buurt") and values["level"] not in getattr(
                entry, "levels", [values["level"]]):
            problems.append(
                f"indicator {indicator!r} has no values per {values['level']} (only per "
                f"{', '.join(entry.levels)}); choose one of those as parameters.level.")
    level = values.get("level")
    if isinstance(level, str) and level not in ("wijk", "buurt"):
        problems.append(f"level {level!r}{origin('level')}: choose wijk or buurt.")
    programme = values.get("programme")
    if isinstance(programme, str) and ready.budget is not None:
        ids = [p.id for p in ready.budget.begroting.programmas]
        if programme not in ids:
            problems.append(
                f"programme {programme!r}{origin('programme')} is not in "
                f"{ready.budget.source.name}; its programmes: {', '.join(ids) or '(none)'}.")
    return problems


def reports_folder(ws: Workspace) -> Path:
    """``reports/<name>``: ``reports:`` in ``stuurkit.yml``, else the workspace's folder
    name (checked to stay inside the reports folder)."""
    name = ws.config.reports or ws.name
    key = "reports" if ws.config.reports else "workspace name"
    report_path(reports_dir(), name, None, f"{ws.root / 'stuurkit.yml'}: {key}")
    return reports_dir() / name


def claim_reports(ws: Workspace, folder: Path) -> None:
    """Make ``folder`` the reports folder of ``ws``, or refuse when another workspace
    (whose folder has the same name) owns it: the two would overwrite each other's
    reports. Call it holding the folder's run lock."""
    from helpers.files import write_text_atomic

    marker = folder / OWNER_FILE
    own = str(Path(ws.root).resolve())
    try:
        owner = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        owner = None
    except OSError as exc:
        raise ConfigError(f"Cannot read {marker} ({exc.strerror}).") from exc
    if owner == own:
        return
    if owner and (Path(owner) / "stuurkit.yml").exists():
        raise ConfigError(
            f"{ws.root / 'stuurkit.yml'}: the reports folder {folder} belongs to workspace "
            f"{owner} (see {marker}); this workspace has the same name and would overwrite "
            f"its reports. Give it a reports folder of its own: add 'reports: "
            f"{ws.name}-2' (or any other free name) to {ws.root / 'stuurkit.yml'}.")
    if owner:  # that workspace is gone (moved here, say): this one takes the folder over
        log.warning("%s: its workspace %s no longer exists; the reports folder now belongs "
                    "to %s", marker, owner, own)
    write_text_atomic(marker, own + "\n")


def _workspace_parameter(ws: Workspace) -> str:
    """The workspace's name when it lives in data/, its absolute path otherwise."""
    return ws.name if (data_dir() / ws.name).resolve() == ws.root else str(ws.root)


def plan(ws: Workspace, ready: Readiness, only: list[str] | None = None
         ) -> tuple[list[Job], list[Problem]]:
    """The jobs of the workspace's schedule (optionally only the named entries) and every
    problem that would make one fail: a notebook that is not there, a parameter it does
    not have or of another type, a year without statistics, an area, indicator or
    programme the workspace does not have, report files that would collide. ``ready``
    is the workspace's ``readiness``; an entry without ``year`` gets its newest year."""
    from helpers.workspace.check import ERROR, Problem

    config = ws.root / "stuurkit.yml"
    names = {entry.name for entry in ws.config.schedule}
    unknown = sorted(set(only or []) - names)
    if unknown:
        raise ConfigError(
            f"{config}: schedule has no entry named {', '.join(unknown)}; "
            f"known entries: {', '.join(sorted(names)) or '(none)'}."
        )
    out = reports_folder(ws)
    shared = reportfiles.shared_entries(ws.config.schedule)
    jobs: list[Job] = []
    problems: list[Problem] = []
    for entry in ws.config.schedule:
        if only and entry.name not in only:
            continue
        where = f"schedule entry '{entry.name}'"
        try:
            found, wrong = _entry_jobs(ws, ready, entry, out, entry.name in shared)
        except StuurkitError as exc:
            found, wrong = [], [str(exc)]
        jobs += found
        problems += [Problem(ERROR, where, message) for message in wrong]
    seen: dict[str, str] = {}
    for job in jobs:
        if job.html in seen:
            problems.append(Problem(ERROR, "schedule", (
                f"entries '{seen[job.html]}' and '{job.name}' would both write "
                f"{Path(job.html).name}; rename one of them.")))
        seen.setdefault(job.html, job.name)
    return jobs, problems


def _entry_jobs(ws: Workspace, ready: Readiness, entry: ScheduleEntry, out: Path,
                shared: bool) -> tuple[list[Job], list[str]]:
    """The jobs of one schedule entry and its problems (messages without the entry)."""
    notebook = notebooks_dir() / entry.notebook
    if not notebook.resolve().is_relative_to(notebooks_dir().resolve()):
        return [], [f"notebook {entry.notebook!r} is outside {notebooks_dir()}; name a "
                    "notebook in that folder."]
    if not notebook.exists():
        return [], [f"notebook {entry.notebook!r} is not in {notebooks_dir()}; check the "
                    "name (the notebooks there: "
                    f"{', '.join(sorted(p.name for p in notebooks_dir().glob('*.ipynb')))})."]
    declared = _declared(notebook)
    problems = _parameter_problems(notebook, declared, dict(entry.parameters))
    kind, section = _TITLES.get(notebook.stem, (notebook.stem, "Overig"))
    # a notebook scheduled twice (other parameters) gets the entry's name in its files
    stem = reportfiles.entry_stem(entry.notebook, entry.name, shared)
    base = {"workspace": _workspace_parameter(ws), **entry.parameters}
    if "year" in declared and "year" not in base and ready.years:
        base["year"] = ready.years[-1]  # the newest statistics year, recorded in the job
    per_job = {"programma": "programme", "wijk": "area_code", "buurt": "area_code"}.get(
        entry.for_each or "")
    if per_job in entry.parameters:
        problems.append(f"parameter {per_job!r} = {entry.parameters[per_job]!r} is set per "
                        f"{entry.for_each} (for_each: {entry.for_each}); remove it, or remove "
                        "for_each to make one report.")
    if entry.within is not None and entry.for_each not in _ABOVE:
        problems.append(f"within: {entry.within} only works with for_each: wijk or buurt; "
                        "remove it or set for_each.")
    values = {k: v for k, v in {**_defaults(declared), **base}.items() if k != per_job}
    problems += _data_problems(ws, ready, values, dict(entry.parameters))
    where = f"{ws.root / 'stuurkit.yml'}: schedule entry '{entry.name}'"
    static = bool(getattr(entry, "static", False))  # the entry's `static: true`
    jobs = []
    if entry.for_each == "programma":
        if ready.budget is None:  # its problems are reported with the budget file
            return [], problems
        for programme in ready.budget.begroting.programmas:
            jobs.append(Job(
                name=f"{entry.name}/{programme.id}", notebook=str(notebook),
                parameters={**base, "programme": programme.id},
                html=report_path(out, stem, programme.id,
                                 f"{ready.budget.source}: programme id"),
                title=f"{kind} {programme.naam}", section=section, static=static))
    elif entry.for_each:
        if not ready.kaart:  # no areas to make reports of: readiness says why
            return [], problems
        year = values.get("year")
        year = year if isinstance(year, int) else max(ws.vintages)
        wrong = _within_problem(ws, entry, year)
        if wrong:
            return [], [*problems, wrong]
        shown = ws.areas_for(year, entry.for_each)
        names = dict(zip(shown["code"], shown["name"], strict=True))
        if notebook.stem == reportfiles.AREA_PROFILE:  # a buurt's profile is a buurtprofiel
            kind, section = _AREA_REPORTS[entry.for_each]
        for code in reportfiles.entry_areas(ws, entry, year):
            name = names[code]
            jobs.append(Job(
                name=f"{entry.name}/{code}", notebook=str(notebook),
                parameters={**base, "area_code": code},
                html=report_path(out, stem, code, f"{where}: area code"),
                title=f"{kind} {name}", section=section, static=static))
    else:
        jobs.append(Job(name=entry.name, notebook=str(notebook), parameters=base,
                        html=report_path(out, stem, None, where), title=kind,
                        section=section, static=static))
    return jobs, problems


_ABOVE = {"buurt": "wijk", "wijk": "gemeente"}


def _within_problem(ws: Workspace, entry: ScheduleEntry, year: int) -> str | None:
    """``within`` must be an area of the level above ``for_each`` (a wijk for buurten)."""
    if entry.within is None:
        return None
    above = _ABOVE[entry.for_each]
    codes = sorted(ws.areas_for(year, above)["code"])
    if entry.within not in codes:
        close = difflib.get_close_matches(entry.within, codes, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return (f"within: {entry.within} is no {above} of {ws.config.gemeente.name} in "
                f"{year}.{hint} Its {above} codes: {_listed(codes, entry.within)}.")
    return None


def schedule_problems(ws: Workspace, ready: Readiness) -> list[Problem]:
    """The problems of the whole schedule (``plan``): what ``stuurkit check`` reports."""
    return plan(ws, ready)[1]


def preflight(ws: Workspace, only: list[str] | None = None) -> list[Job]:
    """The jobs of a run, or ``ConfigError`` listing every problem that would make the run
    fail — the workspace's (``helpers.workspace.check.readiness``: statistics, kaart, the
    programme budget against the catalogue) and the schedule's (``plan``) — before any
    kernel starts. Reads through the workspace's cache; ``stuurkit check`` reports the
    same problems."""
    from helpers.indicators import catalogue as catalogues
    from helpers.workspace.check import ERROR, readiness

    found = catalogues.for_workspace(ws)  # a broken catalogue: its ConfigError
    ready = readiness(ws, found)
    jobs, problems = plan(ws, ready, only)
    errors = ready.errors + [p for p in problems if p.severity == ERROR]
    for problem in ready.problems + problems:
        if problem not in errors:  # what the workspace's files warned about, as they did
            warnings.warn(f"{problem.where}: {problem.message}", stacklevel=2)
    if errors:
        raise ConfigError(
            f"{ws.root / 'stuurkit.yml'}: the run cannot start, {len(errors)} problem(s) "
            "(`stuurkit check` lists them too):\n" + "\n".join(
                f"  {p.where}: {p.message}" for p in errors))
    return jobs


def expand(ws: Workspace, only: list[str] | None = None) -> list[Job]:
    """Jobs of the workspace's schedule (optionally only the named schedule entries),
    checked before anything runs (``preflight``)."""
    return preflight(ws, only)
