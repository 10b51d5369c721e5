"""Incremental runs: a report is made again only when something it depends on changed.

Each job has a *key* (``job_key``): the kit's version and a hash of its code
(``code_hash``: every ``.py``, ``.j2``, ``.yml``, … of ``src/helpers``, so a code change
makes every report again), the versions of the libraries that shape a page, the
notebook's bytes, the parameters and the report's file name. While a report runs, its
kernel records what of the workspace it read (``helpers.workspace.reads``: raw files by
hash, ``stuurkit.yml``, ``begroting.yml``, the duiding files it shows, whether a goal has
a duiding, the workspace's catalogue); the run keeps that with the key and the SHA-256
of every file it wrote in ``manifest.json``.

The next run skips a report (``ongewijzigd``) when its key is the same, every input it
read is as it was (``reads.current``) and its outputs are on disk as they were written.
Anything unknown — no previous manifest, an entry of an older one, a report that failed
or was not finished — makes it again; so does ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import helpers
from helpers.run.job import OK, UNCHANGED, Result
from helpers.run.schedule import Job, reports_folder
from helpers.workspace import reads

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["code_hash", "job_key", "previous_jobs", "split", "finish", "to_make"]

log = logging.getLogger(__name__)

# the libraries that decide what a page or workbook looks like
_LIBRARIES = ("altair", "vl-convert-python", "nbconvert", "papermill", "pandas", "geopandas",
              "numpy", "scipy", "openpyxl", "jinja2", "selectolax")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 over the kit's files (``helpers.workspace.reads.code_hash``)."""
    return reads.code_hash()


@lru_cache(maxsize=1)
def _libraries() -> dict[str, str | None]:
    return reads.versions(_LIBRARIES)


def job_key(job: Job) -> str:
    """The key of a job: what it is made with, apart from the workspace's files."""
    doc = {"kit": helpers.__version__, "code": code_hash(), "libraries": _libraries(),
           "notebook": reads.digest(Path(job.notebook)), "parameters": job.parameters,
           "report": Path(job.html).name, "title": job.title, "static": job.static}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def previous_jobs(folder: Path) -> dict[str, dict[str, Any]]:
    """The jobs of the folder's ``manifest.json`` by name (none when it cannot be read)."""
    try:
        doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return {str(j["name"]): j for j in doc.get("jobs", []) if isinstance(j, dict)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _why_again(job: Job, entry: dict[str, Any] | None, root: Path, folder: Path,
               now: dict[str, str | None]) -> str | None:
    """Why ``job`` must be made again (``None``: it may be skipped)."""
    if entry is None:
        return "nieuw"
    if entry.get("status") not in (OK, UNCHANGED):
        return "vorige keer niet gemaakt"
    inputs, outputs = entry.get("inputs"), entry.get("output_sha256")
    if not isinstance(inputs, dict) or not isinstance(outputs, dict) or not outputs:
        return "invoer onbekend"
    if entry.get("key") != job_key(job):
        return "notebook, parameters of code gewijzigd"
    if Path(job.html).name not in outputs:
        return "rapport niet vastgelegd"
    for name, recorded in inputs.items():
        if name not in now:
            now[name] = reads.current(name, root)
        if now[name] != recorded:
            return f"gewijzigd: {name}"
    for name, recorded in outputs.items():
        if recorded is None or reads.digest(folder / name) != recorded:
            return f"uitvoer gewijzigd: {name}"
    return None


def split(jobs: list[Job], root: Path, folder: Path, force: bool = False
          ) -> tuple[list[Job], list[Result]]:
    """The jobs to make and, for the others, their ``ongewijzigd`` results (outputs,
    inputs, key and the day they were made carried over from the previous manifest)."""
    if force:
        return list(jobs), []
    previous = previous_jobs(folder)
    now: dict[str, str | None] = {}  # every input's current value, computed once
    todo, skipped = [], []
    for job in jobs:
        entry = previous.get(job.name)
        why = _why_again(job, entry, root, folder, now)
        if why is not None:
            log.debug("%s: made again (%s)", job.name, why)
            todo.append(job)
            continue
        skipped.append(Result(
            job, UNCHANGED, 0.0, started=str(entry.get("made") or entry.get("started") or ""),
            outputs=[str(folder / name) for name in entry["output_sha256"]],
            inputs=dict(entry["inputs"]), key=str(entry["key"]),
            output_sha256=dict(entry["output_sha256"]),
            build_seconds=float(entry.get("build_seconds") or entry.get("seconds") or 0.0),
            audit=entry.get("audit")))
    return todo, skipped


def finish(result: Result, key: str) -> Result:
    """A made report with its key (``job_key`` as it started); a failed one gets no key
    and no inputs: it is made again next time."""
    if result.status != OK:
        return replace(result, inputs=None, key="", output_sha256={})
    return replace(result, key=key, build_seconds=result.seconds)


def to_make(ws: Workspace, jobs: list[Job]) -> list[Job]:
    """The jobs a run of ``ws`` would make now (the others are unchanged)."""
    return split(jobs, ws.root, reports_folder(ws))[0]
