"""The schedule in ``stuurkit.yml`` → jobs: one notebook with parameters and its report.

``expand(ws)`` turns each schedule entry into jobs (one wijkprofiel per wijk, one
programmamonitor per programme, …). Everything is checked before anything runs: the
notebook must be in ``notebooks/``, every parameter must exist in its parameters cell
with that type, and report file names — built from schedule names, area codes and
programme ids — may not leave ``reports/<workspace>/`` (``/``, ``..``, odd characters).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.errors import ConfigError
from helpers.paths import data_dir, notebooks_dir, reports_dir

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["Job", "expand", "report_path", "reports_folder", "claim_reports", "OWNER_FILE"]

log = logging.getLogger(__name__)

OWNER_FILE = ".stuurkit-owner"  # in reports/<name>/: the workspace whose reports these are

# notebook → (title, section of the portal); the schedule's order orders the portal
_TITLES = {"30_bestuursoverzicht": ("Bestuursoverzicht", "Bestuur"),
           "20_programmamonitor": ("Programmamonitor", "Programma's"),
           "10_wijkprofiel": ("Wijkprofiel", "Wijken en buurten"),
           "90_datakwaliteit": ("Datakwaliteit", "Verantwoording")}


@dataclass(frozen=True)
class Job:
    """One report to make: a notebook with parameters and its published file."""

    name: str
    notebook: str
    parameters: dict[str, Any]
    html: str
    title: str
    section: str = "Overig"


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def report_path(folder: Path, stem: str, key: str | None, where: str) -> str:
    """``folder/<stem>[_<key>].html``, refusing any name that could leave ``folder``."""
    for part in (stem, key):
        if part is not None and (not _SAFE_NAME.match(str(part)) or ".." in str(part)):
            raise ConfigError(
                f"{where}: {str(part)!r} cannot be part of a report file name. Use letters, "
                "digits, '_', '-' and '.' only (no '/', '..' or spaces).")
    path = folder / (f"{stem}_{key}.html" if key is not None else f"{stem}.html")
    if path.resolve().parent != folder.resolve():
        raise ConfigError(f"{where}: report {path} would be written outside {folder}.")
    return str(path)


_TYPES = {"int": int, "float": (int, float), "str": str, "bool": bool}


def _check_parameters(notebook: Path, parameters: dict[str, Any], where: str) -> None:
    """Every parameter must exist in the notebook's parameters cell, with its type."""
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    for name, value in parameters.items():
        if name not in declared:
            raise ConfigError(
                f"{where}: parameter {name!r} does not exist in {notebook.name} (its "
                f"parameters: {', '.join(declared) or 'none'}). Check the spelling.")
        wanted = _TYPES.get(declared[name].get("inferred_type_name", ""))
        wrong = wanted is not None and (not isinstance(value, wanted) or (
            isinstance(value, bool) and wanted is not bool))
        if wrong:
            raise ConfigError(
                f"{where}: parameter {name!r} = {value!r} should be of type "
                f"{declared[name]['inferred_type_name']} (see the parameters cell of "
                f"{notebook.name}).")


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


def expand(ws: Workspace, only: list[str] | None = None) -> list[Job]:
    """Jobs of the workspace's schedule (optionally only the named schedule entries)."""
    jobs: list[Job] = []
    config = ws.root / "stuurkit.yml"
    out = reports_folder(ws)
    names = {entry.name for entry in ws.config.schedule}
    unknown = sorted(set(only or []) - names)
    if unknown:
        raise ConfigError(
            f"{ws.root / 'stuurkit.yml'}: schedule has no entry named {', '.join(unknown)}; "
            f"known entries: {', '.join(sorted(names)) or '(none)'}."
        )
    uses: dict[str, int] = {}
    for entry in ws.config.schedule:
        uses[entry.notebook] = uses.get(entry.notebook, 0) + 1
    for entry in ws.config.schedule:
        if only and entry.name not in only:
            continue
        where = f"{config}: schedule entry '{entry.name}'"
        notebook = notebooks_dir() / entry.notebook
        if not notebook.resolve().is_relative_to(notebooks_dir().resolve()):
            raise ConfigError(f"{where}: notebook {entry.notebook!r} is outside "
                              f"{notebooks_dir()}; name a notebook in that folder.")
        if not notebook.exists():
            raise ConfigError(
                f"{ws.root / 'stuurkit.yml'}: schedule entry '{entry.name}' names notebook "
                f"{entry.notebook!r}, which is not in {notebooks_dir()}."
            )
        kind, section = _TITLES.get(Path(entry.notebook).stem, (Path(entry.notebook).stem,
                                                                "Overig"))
        # a notebook scheduled twice (other parameters) gets the entry's name in its files
        stem = Path(entry.notebook).stem + (f"_{entry.name}" if uses[entry.notebook] > 1
                                            else "")
        base = {"workspace": _workspace_parameter(ws), **entry.parameters}
        _check_parameters(notebook, base, where)
        if entry.for_each == "programma":
            from helpers.indicators import catalogue
            from helpers.workspace.begroting import load_programme

            budget = load_programme(ws, catalogue.for_workspace(ws))
            for programme in budget.begroting.programmas:
                jobs.append(Job(
                    name=f"{entry.name}/{programme.id}", notebook=str(notebook),
                    parameters={**base, "programme": programme.id},
                    html=report_path(out, stem, programme.id,
                                     f"{ws.root / 'begroting.yml'}: programme id"),
                    title=f"{kind} {programme.naam}", section=section,
                ))
        elif entry.for_each:
            year = int(entry.parameters.get("year", max(ws.vintages)))
            areas = ws.areas_for(year, entry.for_each).sort_values("code")
            for code, name in zip(areas["code"], areas["name"], strict=True):
                jobs.append(Job(
                    name=f"{entry.name}/{code}", notebook=str(notebook),
                    parameters={**base, "area_code": code},
                    html=report_path(out, stem, code, f"{where}: area code"),
                    title=f"{kind} {name}", section=section,
                ))
        else:
            jobs.append(Job(name=entry.name, notebook=str(notebook), parameters=base,
                            html=report_path(out, stem, None, where), title=kind,
                            section=section))
    seen: dict[str, str] = {}
    for job in jobs:
        if job.html in seen:
            raise ConfigError(f"{config}: schedule entries '{seen[job.html]}' and '{job.name}' "
                              f"would both write {Path(job.html).name}; rename one of them.")
        seen[job.html] = job.name
    return jobs
