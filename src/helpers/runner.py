"""Scheduled report runs: the schedule in ``stuurkit.yml`` → jobs → executed, published.

``expand(ws)`` turns each schedule entry into jobs (notebook × parameters, e.g. one
wijkprofiel per wijk). ``run(ws, jobs)`` executes them with papermill in worker
processes — one failing job never stops the others — publishes each as HTML (written
to a temporary file and renamed into place, so a failed report keeps its previous
good HTML) and writes the portal ``index.html``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.errors import ConfigError
from helpers.paths import data_dir, notebooks_dir, reports_dir
from helpers.publish import write_index
from helpers.workspace import Workspace

__all__ = ["Job", "Result", "expand", "run", "run_job"]

log = logging.getLogger(__name__)

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


@dataclass
class Result:
    job: Job
    status: str  # "ok" | "mislukt"
    seconds: float
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _workspace_parameter(ws: Workspace) -> str:
    """The workspace's name when it lives in data/, its absolute path otherwise."""
    return ws.name if (data_dir() / ws.name).resolve() == ws.root else str(ws.root)


def expand(ws: Workspace, only: list[str] | None = None) -> list[Job]:
    """Jobs of the workspace's schedule (optionally only the named schedule entries)."""
    jobs: list[Job] = []
    out = reports_dir() / ws.name
    names = {entry.name for entry in ws.config.schedule}
    unknown = sorted(set(only or []) - names)
    if unknown:
        raise ConfigError(
            f"{ws.root / 'stuurkit.yml'}: schedule has no entry named {', '.join(unknown)}; "
            f"known entries: {', '.join(sorted(names)) or '(none)'}."
        )
    for entry in ws.config.schedule:
        if only and entry.name not in only:
            continue
        notebook = notebooks_dir() / entry.notebook
        if not notebook.exists():
            raise ConfigError(
                f"{ws.root / 'stuurkit.yml'}: schedule entry '{entry.name}' names notebook "
                f"{entry.notebook!r}, which is not in {notebooks_dir()}."
            )
        stem = Path(entry.notebook).stem
        kind, section = _TITLES.get(stem, (stem, "Overig"))
        base = {"workspace": _workspace_parameter(ws), **entry.parameters}
        if entry.for_each == "programma":
            from helpers.programme import load_programme

            for programme in load_programme(ws).begroting.programmas:
                jobs.append(Job(
                    name=f"{entry.name}/{programme.id}", notebook=str(notebook),
                    parameters={**base, "programme": programme.id},
                    html=str(out / f"{stem}_{programme.id}.html"),
                    title=f"{kind} {programme.naam}", section=section,
                ))
        elif entry.for_each:
            year = int(entry.parameters.get("year", max(ws.vintages)))
            areas = ws.areas_for(year, entry.for_each).sort_values("code")
            for code, name in zip(areas["code"], areas["name"], strict=True):
                jobs.append(Job(
                    name=f"{entry.name}/{code}", notebook=str(notebook),
                    parameters={**base, "area_code": code},
                    html=str(out / f"{stem}_{code}.html"), title=f"{kind} {name}",
                    section=section,
                ))
        else:
            jobs.append(Job(name=entry.name, notebook=str(notebook), parameters=base,
                            html=str(out / f"{stem}.html"), title=kind, section=section))
    return jobs


def run_job(job: Job, timeout: int | None = 600) -> Result:
    """Execute one job with papermill and publish it. Never raises for job failures."""
    import papermill as pm

    from helpers.publish import publish_notebook

    started = time.monotonic()
    os.environ.setdefault("STUURKIT_RENDER", "html")
    with tempfile.TemporaryDirectory(prefix="stuurkit-job-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        try:
            pm.execute_notebook(
                job.notebook, str(executed), parameters=job.parameters,
                progress_bar=False, log_output=False, execution_timeout=timeout,
                cwd=str(Path(job.notebook).parent),
            )
            publish_notebook(executed, job.html)
        except Exception as exc:  # isolate every failure to its own job
            summary = str(exc).strip().splitlines()
            message = summary[-1] if summary else type(exc).__name__
            log.debug("job %s failed:\n%s", job.name, traceback.format_exc())
            return Result(job, "mislukt", time.monotonic() - started,
                          error=f"{type(exc).__name__}: {message}")
    return Result(job, "ok", time.monotonic() - started)


def run(ws: Workspace, jobs: list[Job], workers: int | None = None) -> list[Result]:
    """Run jobs in ``workers`` processes (default: the number of cores), then the index."""
    workers = max(1, workers or os.cpu_count() or 1)
    results: list[Result] = []
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(run_job(job))
            _log_result(results[-1])
    else:
        # spawn, not fork: the parent may hold kernel clients and threads
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            futures = {pool.submit(run_job, job): job for job in jobs}
            for future in as_completed(futures):
                results.append(future.result())
                _log_result(results[-1])
    order = {job.name: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.job.name])
    folder = reports_dir() / ws.name
    entries = []
    for r in results:
        entry = {"title": r.job.title, "file": Path(r.job.html).name, "status": r.status,
                 "detail": r.error, "section": r.job.section}
        if r.status != "ok" and Path(r.job.html).exists():
            entry["detail"] = f"{r.error} (vorige versie: {Path(r.job.html).name})"
        entries.append(entry)
    write_index(folder, f"Rapporten {ws.config.gemeente.name}", entries)
    return results


def _log_result(result: Result) -> None:
    if result.status == "ok":
        log.info("ok      %-40s %5.1f s", result.job.name, result.seconds)
    else:
        log.error("mislukt %-40s %5.1f s  %s", result.job.name, result.seconds, result.error)

