"""Scheduled report runs: jobs (``helpers.schedule``) → executed, published.

``run(ws, jobs)`` takes
the workspace's run lock, executes the jobs on an executor — ``local`` worker processes
or ``dask`` (``distributed``: a scheduler address, or a ``LocalCluster``) — publishes
each report as HTML plus an Excel workbook of its tables, and writes the portal
``index.html`` and ``manifest.json``.

One failing job never stops the others: a kernel that does not start is retried, a job
past its timeout is stopped alone, a failing cell is reported with its number and error.
Outputs are written to a temporary file and renamed into place, so a failed report keeps
its previous good HTML. Every report passes the privacy scan (``helpers.audit``) before
it is written, and the whole folder is scanned again at the end of the run.

A run holds the reports folder's lock and a shared lock on the workspace (imports wait
for another time). SIGTERM or Ctrl-C stops it cleanly: workers end their kernels, the
unfinished reports are marked *afgebroken* in ``index.html`` and ``manifest.json``,
temporary files are removed and ``RunInterrupted`` is raised (exit code 143).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# first: helpers.workers keeps rfc3987_syntax out of this process (see there)
from helpers.workers import Workers, start_workers, temporary_folder  # noqa: I001

if TYPE_CHECKING:
    from helpers.workspace import Workspace

from helpers.errors import ConfigError
from helpers.files import write_text_atomic
from helpers.locks import Busy, hold, workspace_lock
from helpers.paths import reports_dir
from helpers.publish import write_index
from helpers.schedule import Job, expand, report_path

__all__ = ["Job", "Result", "RunOptions", "RunLocked", "RunInterrupted", "EXECUTORS", "expand",
           "run", "run_job", "run_lock", "write_manifest", "report_path", "start_workers",
           "Workers"]

log = logging.getLogger(__name__)

@dataclass
class Result:
    job: Job
    status: str  # "ok" | "mislukt"
    seconds: float
    error: str = ""
    started: str = ""
    outputs: list[str] = field(default_factory=list)
    attempts: int = 1
    scan: Any = None  # helpers.audit.FileAudit of the HTML as it was written


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

    from helpers.publish import publish

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
                outputs, scan = publish(executed, job.html)
                return Result(job, "ok", time.monotonic() - started, started=started_at,
                              outputs=[str(p) for p in outputs], attempts=attempt, scan=scan)
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


def _local(jobs: list[Job], options: RunOptions, done: Callable[[Result], None],
           pool: Workers | None = None) -> None:
    """Worker processes on this machine (``start_workers``)."""
    if pool is None and (options.workers == 1 or len(jobs) == 1):
        for job in jobs:
            done(run_job(job, options.timeout, warm=options.warm))
        return
    pool = pool or start_workers(min(options.workers, len(jobs)), options.warm)
    futures = []
    try:
        futures = [pool.submit(run_job, job, options.timeout, 3, options.warm)
                   for job in jobs]
        for future in as_completed(futures):
            done(future.result())
    except BaseException:  # interrupted: stop the workers, let them clean up
        for future in futures:
            future.cancel()
        pool.stop()
        raise
    pool.close()


def _dask(jobs: list[Job], options: RunOptions, done: Callable[[Result], None],
          pool: None = None) -> None:
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


EXECUTORS: dict[str, Callable[..., None]] = {  # (jobs, options, done, pool=None)
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


class RunLocked(Busy):
    """Another run holds the reports folder's lock."""


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by SIGTERM or Ctrl-C (after cleaning up)."""


def run_lock(folder: Path):
    """Hold ``<folder>/.stuurkit-run.lock`` for the duration; refuse when it is held."""
    return hold(folder / ".stuurkit-run.lock", exclusive=True, refusal=(
        f"Another stuurkit run is busy with {folder}; wait for it to finish and try again."))


@contextmanager
def _interruptible() -> Any:
    """SIGTERM raises ``RunInterrupted`` in the main thread for the duration."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise RunInterrupted(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _run_tmp() -> Any:
    """A temporary folder for this run's workers (TMPDIR), removed whatever happens."""
    folder = temporary_folder()
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = folder  # spawned workers and their kernels write here
    try:
        yield Path(folder)
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before
        shutil.rmtree(folder, ignore_errors=True)


def _remove_temporary(folder: Path) -> list[Path]:
    """Remove half-written files (``.<name>.*.tmp``) that a killed run left behind."""
    found = [p for p in folder.glob(".*.tmp") if p.is_file()]
    for path in found:
        path.unlink(missing_ok=True)
    return found


def _final_audit(folder: Path, results: list[Result]) -> dict[str, Any]:
    """The privacy scan of every HTML file of the folder, as the run leaves it.

    A report made by this run was scanned as it was written (``helpers.publish``); every
    other file (earlier reports, ``index.html``) is scanned now. A file that fails is set
    aside (renamed ``….rejected``, its workbook too), so the portal never links to it: a
    report of this run is then marked failed; a failing earlier version is no longer
    offered as the previous version; any other file just disappears from the folder.
    """
    from helpers.audit import audit_folder

    fresh = {Path(r.job.html).name: r.scan for r in results
             if r.status == "ok" and r.scan is not None}
    audits = [*fresh.values(), *audit_folder(folder, skip=set(fresh))]
    by_file = {Path(r.job.html).name: r for r in results}
    for item in audits:
        if item.passed or item.file == "index.html":
            continue
        first = f"privacyscan: {item.findings[0]}" + (
            f" (en {len(item.findings) - 1} meer)" if len(item.findings) > 1 else "")
        path = folder / item.file
        for output in (path, path.with_suffix(".xlsx")):
            if output.exists():
                os.replace(output, output.with_name(output.name + ".rejected"))
        result = by_file.get(item.file)
        if result is None:
            log.error("%s: set aside, it does not pass the privacy scan (%s)", path, first)
        elif result.status == "ok":
            result.status, result.error = "mislukt", first
        else:
            result.error = f"{result.error}; vorige versie afgekeurd ({first})"
    return {"files": len(audits), "passed": sum(a.passed for a in audits),
            "charts": sum(a.charts for a in audits), "tables": sum(a.tables for a in audits),
            "values_checked": sum(a.values_checked for a in audits),
            "findings": [{"file": a.file, "finding": str(f)} for a in audits
                         for f in a.findings]}


def run(ws: Workspace, jobs: list[Job], workers: int | None = None,
        options: RunOptions | None = None, pool: Workers | None = None) -> list[Result]:
    """Run jobs (see the module docstring); writes index.html and manifest.json.

    ``pool``: local workers from ``start_workers`` (started ahead); the run stops them.
    """
    options = options or RunOptions(workers=max(1, workers or os.cpu_count() or 1))
    if options.executor not in EXECUTORS:
        raise ConfigError(f"executor {options.executor!r}: choose one of "
                          f"{', '.join(EXECUTORS)}.")
    folder = reports_dir() / ws.name
    try:
        ws.provenance  # noqa: B018 — read now: a broken provenance.yml stops the run before it starts
        return _run(ws, jobs, options, folder, pool)
    finally:
        if pool is not None:
            pool.stop()  # when the run could not start (a lock was held): no-op otherwise


def _run(ws: Workspace, jobs: list[Job], options: RunOptions, folder: Path,
         pool: Workers | None) -> list[Result]:
    with run_lock(folder), workspace_lock(ws.root, exclusive=False, action="run reports of"):
        left = _remove_temporary(folder)
        if left:
            log.warning("removed %d temporary file(s) of an earlier, stopped run", len(left))
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

        interrupted: RunInterrupted | None = None
        queue = _longest_first(jobs, folder)
        try:
            with _interruptible(), _run_tmp():
                if pool is not None and options.executor == "local":
                    EXECUTORS["local"](queue, options, done, pool=pool)
                else:
                    EXECUTORS[options.executor](queue, options, done)
        except KeyboardInterrupt as exc:  # SIGTERM or Ctrl-C: record what was done
            interrupted = exc if isinstance(exc, RunInterrupted) else RunInterrupted("SIGINT")
        finally:
            bar.close()
        finished = {r.job.name for r in results}
        results += [Result(job, "mislukt", 0.0, error=f"afgebroken: de run is gestopt "
                                                      f"({interrupted})")
                    for job in jobs if job.name not in finished]
        order = {job.name: i for i, job in enumerate(jobs)}
        results.sort(key=lambda r: order[r.job.name])
        _remove_temporary(folder)
        _write_index(ws, folder, results)
        audit = _final_audit(folder, results)
        if any(f["file"] != "index.html" for f in audit["findings"]):
            _write_index(ws, folder, results)  # files set aside by the scan
        write_manifest(ws, folder, results, options, started, audit=audit,
                       interrupted=str(interrupted) if interrupted else None)
    if interrupted:
        made = sum(r.status == "ok" for r in results)
        raise RunInterrupted(f"run stopped by {interrupted}: {made} of {len(jobs)} report(s) "
                             "made, the others keep their previous version; see "
                             f"{folder / 'manifest.json'}")
    return results


def _longest_first(jobs: list[Job], folder: Path) -> list[Job]:
    """The jobs in the order to hand them out: the longest (in the previous run's
    manifest) first, so that no worker is left with a long report at the end; jobs
    without a previous time keep their place among those of average length."""
    try:
        previous = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        seconds = {j["name"]: float(j["seconds"]) for j in previous.get("jobs", [])
                   if j.get("status") == "ok"}
    except (OSError, ValueError, TypeError, KeyError):
        return jobs
    if not seconds:
        return jobs
    average = sum(seconds.values()) / len(seconds)
    return sorted(jobs, key=lambda job: -seconds.get(job.name, average))


def _write_index(ws: Workspace, folder: Path, results: list[Result]) -> None:
    entries = []
    for r in results:
        entry = {"title": r.job.title, "file": Path(r.job.html).name, "status": r.status,
                 "detail": r.error, "section": r.job.section}
        if r.status != "ok" and Path(r.job.html).is_file():
            entry["detail"] = f"{r.error} (vorige versie: {Path(r.job.html).name})"
        entries.append(entry)
    write_index(folder, f"Rapporten {ws.config.gemeente.name}", entries)


def write_manifest(ws: Workspace, folder: Path, results: list[Result], options: RunOptions,
                   started: datetime, audit: dict[str, Any] | None = None,
                   interrupted: str | None = None) -> Path:
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
        "interrupted": interrupted,
        "audit": audit,
        "provenance": [{k: e.get(k) for k in ("file", "source", "url", "retrieved", "sha256")}
                       for e in ws.provenance],
        "jobs": [{
            "name": r.job.name, "title": r.job.title, "notebook": Path(r.job.notebook).name,
            "report": Path(r.job.html).name,
            "parameters": r.job.parameters, "status": r.status, "started": r.started,
            "seconds": round(r.seconds, 2), "attempts": r.attempts, "error": r.error or None,
            "outputs": [str(Path(p).relative_to(folder)) if Path(p).is_relative_to(folder)
                        else p for p in r.outputs],
            "previous_output_kept": r.status != "ok" and Path(r.job.html).is_file(),
        } for r in results],
    }
    return write_text_atomic(folder / "manifest.json",
                             json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _log_result(result: Result) -> None:
    if result.status == "ok":
        log.info("ok      %-40s %5.1f s", result.job.name, result.seconds)
    else:
        log.error("mislukt %-40s %5.1f s  %s", result.job.name, result.seconds, result.error)
