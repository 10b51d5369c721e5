"""Scheduled report runs: the schedule in ``stuurkit.yml`` → jobs → executed, published.

``expand(ws)`` turns each schedule entry into jobs (notebook × parameters: one
wijkprofiel per wijk, one programmamonitor per programme, …). ``run(ws, jobs)`` takes
the workspace's run lock, executes the jobs on an executor — ``local`` worker processes
or ``dask`` (``distributed``: a scheduler address, or a ``LocalCluster``) — publishes
each report as HTML plus an Excel workbook of its tables, and writes the portal
``index.html`` and ``manifest.json``.

One failing job never stops the others: a kernel that does not start is retried, a job
past its timeout is stopped alone, a failing cell is reported with its number and error.
Outputs are written to a temporary file and renamed into place, so a failed report keeps
its previous good HTML.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.errors import ConfigError, StuurkitError
from helpers.files import write_text_atomic
from helpers.paths import data_dir, notebooks_dir, reports_dir
from helpers.publish import write_index
from helpers.workspace import Workspace

__all__ = ["Job", "Result", "RunOptions", "RunLocked", "EXECUTORS", "expand", "run", "run_job",
           "run_lock", "write_manifest"]

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
    started: str = ""
    outputs: list[str] = field(default_factory=list)
    attempts: int = 1


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


def _cell_error(exc: Exception) -> str:
    """One line: which cell failed and how (papermill's execution error)."""
    import papermill as pm

    if isinstance(exc, pm.PapermillExecutionError):
        value = str(exc.evalue).strip().splitlines()
        return f"cel {exc.exec_count}: {exc.ename}: {value[0] if value else ''}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"


def _kernel_start_failure(exc: Exception, executed: Path) -> bool:
    """True when the kernel failed to start: papermill had begun (the output notebook
    exists) but no cell ran. A missing input notebook or bad parameters are not."""
    import nbformat

    if isinstance(exc, FileNotFoundError | ValueError | TypeError):
        return False
    if not executed.exists():  # papermill writes its output only after the kernel runs
        return type(exc).__name__ in ("NoSuchKernel", "RuntimeError", "TimeoutError",
                                      "DeadKernelError")
    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:  # a half-written output: treat as a start failure
        return True
    return not any(c.get("execution_count") for c in nb.cells if c.get("cell_type") == "code")


def _python3_notebook(path: str) -> bool:
    import json

    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return meta.get("kernelspec", {}).get("name", "python3") == "python3"


def run_job(job: Job, timeout: int | None = 600, attempts: int = 3, warm: bool = True
            ) -> Result:
    """Execute one job with papermill and publish it. Never raises for job failures.

    With ``warm`` (and a notebook for the ``python3`` kernel) the job runs in this
    process's warm kernel (``helpers.warm``); otherwise papermill starts a kernel.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from helpers.publish import publish_notebook

    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    started = time.monotonic()
    os.environ.setdefault("STUURKIT_RENDER", "html")
    use_warm = warm and _python3_notebook(job.notebook)
    engine = {}
    if use_warm:
        from helpers import warm as warm_kernels

        engine = {"engine_name": warm_kernels.ENGINE}
    with tempfile.TemporaryDirectory(prefix="stuurkit-job-") as tmp:
        executed = Path(tmp) / "executed.ipynb"
        error = ""
        for attempt in range(1, attempts + 1):
            try:
                pm.execute_notebook(
                    job.notebook, str(executed), parameters=job.parameters,
                    progress_bar=False, log_output=False, execution_timeout=timeout,
                    start_timeout=60, cwd=str(Path(job.notebook).parent),
                    request_save_on_cell_execute=False, **engine,
                )
                outputs = publish_notebook(executed, job.html)
                return Result(job, "ok", time.monotonic() - started, started=started_at,
                              outputs=[str(p) for p in outputs], attempts=attempt)
            except CellTimeoutError:
                error = f"tijdslimiet van {timeout} s per cel overschreden"
                break
            except DeadKernelError as exc:
                error = f"kernel gestopt: {_cell_error(exc)}"
                break
            except pm.PapermillExecutionError as exc:
                error = _cell_error(exc)
                break
            except Exception as exc:  # isolate every failure to its own job
                error = _cell_error(exc)
                if not _kernel_start_failure(exc, executed) or attempt == attempts:
                    break
                log.warning("%s: kernel did not start (%s); retry %d", job.name, error,
                            attempt)
                executed.unlink(missing_ok=True)
        log.debug("job %s failed: %s", job.name, error)
        if use_warm:  # whatever the report left behind goes with its kernel
            warm_kernels.discard()
        return Result(job, "mislukt", time.monotonic() - started, error=error,
                      started=started_at, attempts=attempt)


# ---------------------------------------------------------------- executors


def _local(jobs: list[Job], options: RunOptions, done: Callable[[Result], None]) -> None:
    """Worker processes on this machine (spawned: the parent may hold kernel clients)."""
    if options.workers == 1 or len(jobs) == 1:
        for job in jobs:
            done(run_job(job, options.timeout, warm=options.warm))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(options.workers, len(jobs)),
                             mp_context=context) as pool:
        futures = [pool.submit(run_job, job, options.timeout, 3, options.warm)
                   for job in jobs]
        for future in as_completed(futures):
            done(future.result())


def _dask(jobs: list[Job], options: RunOptions, done: Callable[[Result], None]) -> None:
    """Dask distributed: the scheduler at ``options.scheduler``, else a LocalCluster."""
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if options.scheduler:
        client = Client(options.scheduler, timeout=30)
    else:
        cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        env = {"STUURKIT_RENDER": "html"}
        futures = [client.submit(_run_with_env, job, options.timeout, env, options.warm,
                                 pure=False,
                                 key=f"stuurkit-{i}-{job.name}")
                   for i, job in enumerate(jobs)]
        for future in dask_completed(futures):
            done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_with_env(job: Job, timeout: int | None, env: dict[str, str], warm: bool) -> Result:
    os.environ.update(env)
    return run_job(job, timeout, warm=warm)


EXECUTORS: dict[str, Callable[[list[Job], RunOptions, Callable[[Result], None]], None]] = {
    "local": _local,
    "dask": _dask,
}


@dataclass(frozen=True)
class RunOptions:
    """How to run: executor name, workers, Dask scheduler address, per-cell timeout."""

    executor: str = "local"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    scheduler: str | None = None
    timeout: int | None = 600
    progress: bool | None = None
    warm: bool = True  # run reports in warm kernels (helpers.warm)


# ----------------------------------------------------------------- the run


class RunLocked(StuurkitError):
    """Another run holds the workspace's lock."""


@contextmanager
def run_lock(folder: Path):
    """Hold ``<folder>/.stuurkit-run.lock`` for the duration; refuse when it is held."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".stuurkit-run.lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunLocked(f"Another stuurkit run is busy with {folder} ({holder}); wait for "
                            "it to finish and try again.") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since "
                     f"{datetime.now().astimezone().isoformat(timespec='seconds')}")
        handle.flush()
        yield
    finally:
        handle.close()


def run(ws: Workspace, jobs: list[Job], workers: int | None = None,
        options: RunOptions | None = None) -> list[Result]:
    """Run jobs (see the module docstring); writes index.html and manifest.json."""
    options = options or RunOptions(workers=max(1, workers or os.cpu_count() or 1))
    if options.executor not in EXECUTORS:
        raise ConfigError(f"executor {options.executor!r}: choose one of "
                          f"{', '.join(EXECUTORS)}.")
    folder = reports_dir() / ws.name
    with run_lock(folder):
        started = datetime.now().astimezone()
        results: list[Result] = []
        show = sys.stderr.isatty() if options.progress is None else options.progress
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="stuurkit run", unit="rapport", disable=not show)

        def done(result: Result) -> None:
            results.append(result)
            bar.update(1)
            if not show:
                _log_result(result)

        try:
            EXECUTORS[options.executor](jobs, options, done)
        finally:
            bar.close()
        order = {job.name: i for i, job in enumerate(jobs)}
        results.sort(key=lambda r: order[r.job.name])
        entries = []
        for r in results:
            entry = {"title": r.job.title, "file": Path(r.job.html).name, "status": r.status,
                     "detail": r.error, "section": r.job.section}
            if r.status != "ok" and Path(r.job.html).exists():
                entry["detail"] = f"{r.error} (vorige versie: {Path(r.job.html).name})"
            entries.append(entry)
        write_index(folder, f"Rapporten {ws.config.gemeente.name}", entries)
        write_manifest(ws, folder, results, options, started)
    return results


def write_manifest(ws: Workspace, folder: Path, results: list[Result], options: RunOptions,
                   started: datetime) -> Path:
    """``manifest.json``: what ran, how it went, from which data, with which kit."""
    from helpers import __version__

    doc = {
        "workspace": ws.name,
        "gemeente": {"code": ws.config.gemeente.code, "name": ws.config.gemeente.name},
        "kit_version": __version__,
        "executor": options.executor,
        "warm_kernels": options.warm,
        "workers": options.workers,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "summary": {"ok": sum(r.status == "ok" for r in results),
                    "failed": sum(r.status != "ok" for r in results)},
        "provenance": [{k: e.get(k) for k in ("file", "source", "url", "retrieved", "sha256")}
                       for e in ws.provenance],
        "jobs": [{
            "name": r.job.name, "title": r.job.title, "notebook": Path(r.job.notebook).name,
            "parameters": r.job.parameters, "status": r.status, "started": r.started,
            "seconds": round(r.seconds, 2), "attempts": r.attempts, "error": r.error or None,
            "outputs": [str(Path(p).relative_to(folder)) if Path(p).is_relative_to(folder)
                        else p for p in r.outputs],
            "previous_output_kept": r.status != "ok" and Path(r.job.html).exists(),
        } for r in results],
    }
    return write_text_atomic(folder / "manifest.json",
                             json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _log_result(result: Result) -> None:
    if result.status == "ok":
        log.info("ok      %-40s %5.1f s", result.job.name, result.seconds)
    else:
        log.error("mislukt %-40s %5.1f s  %s", result.job.name, result.seconds, result.error)
