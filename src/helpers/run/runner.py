"""Scheduled report runs: jobs (``helpers.run.schedule``) → executed, published.

``run(ws, jobs)`` takes the reports folder's run lock, executes the jobs on an executor
(``helpers.run.executors``: ``local`` worker processes or ``dask``), publishes each report
as HTML plus an Excel workbook of its tables (``helpers.run.job``), and writes the portal
``index.html`` and ``manifest.json`` (``helpers.run.manifest``).

A report that nothing it depends on has changed since it was made is not made again
(``helpers.run.incremental``; ``RunOptions.force`` makes every report): it keeps its files
and is marked *ongewijzigd* in the index and the manifest.

One failing job never stops the others: a kernel that does not start is retried, a job
past its timeout is stopped alone, a failing cell is reported with its number and error.
Outputs are written to a temporary file and renamed into place, so a failed report keeps
its previous good HTML. Every report passes the privacy scan (``helpers.publish.audit``) before
it is written, and the whole folder is scanned again at the end of the run.

A run holds the reports folder's lock and a shared lock on the workspace (imports wait
for another time). SIGTERM or Ctrl-C stops it cleanly: workers end their kernels, the
unfinished reports are marked *afgebroken* in ``index.html`` and ``manifest.json``,
temporary files are removed and ``RunInterrupted`` is raised (exit code 143).

Nothing of a run outlives it. Its workers and kernels die with it, even when it is
killed with SIGKILL (``helpers.run.lifeline``); its temporary files live in its run
folder, removed once every process of the run is gone (``helpers.run.leftovers``); the
next run ends and removes whatever a killed run left, and says so in its log.

A reports folder belongs to one workspace (``.stuurkit-owner`` records which): a second
workspace whose folder has the same name is refused (``reports:`` in its
``stuurkit.yml`` gives it a folder of its own).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

from helpers.errors import ConfigError
from helpers.files import remove_stale
from helpers.publish.portal import write_index
from helpers.run import incremental, leftovers, phases
from helpers.run.executors import EXECUTORS, RunOptions
from helpers.run.job import FAILED, OK, UNCHANGED, Result
from helpers.run.manifest import final_audit, write_manifest
from helpers.run.schedule import Job, claim_reports, reports_folder

# first: helpers.run.workers keeps rfc3987_syntax out of this process (see there)
from helpers.run.workers import Workers  # noqa: I001
from helpers.workspace.locks import hold, workspace_lock

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["RunInterrupted", "run", "run_lock"]

log = logging.getLogger(__name__)

# ----------------------------------------------------------------- the run


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
def _run_folder(reports: Path, pool: Workers | None) -> Any:
    """This run's folder (``helpers.run.leftovers``; the pool's, when started ahead) as
    TMPDIR for the run, its workers and kernels, named in the reports folder's pid file;
    at the end every process of the run is gone before the folder is removed."""
    folder = leftovers.run_folder()
    leftovers.claim(reports, folder)  # ends what a killed run of this folder left
    saved = {name: os.environ.get(name) for name in ("TMPDIR", leftovers.RUN_FOLDER)}
    saved_tempdir = tempfile.tempdir
    os.environ["TMPDIR"] = os.environ[leftovers.RUN_FOLDER] = str(folder)
    tempfile.tempdir = str(folder)  # papermill's output and kernel connection files too
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if pool is not None:
            pool.stop()  # no-op when the executor closed it
        warm = sys.modules.get("helpers.run.warm")
        if warm is not None:
            warm.discard()  # a kernel of this process (one worker) goes with its run
        leftovers.finish(folder)
        leftovers.release(reports)


def _remove_temporary(folder: Path) -> list[Path]:
    """Remove half-written files (``.<name>.<pid>.*.tmp``) whose writer is gone: a
    killed run left them behind."""
    return remove_stale(folder)


def run(ws: Workspace, jobs: list[Job], workers: int | None = None,
        options: RunOptions | None = None, pool: Workers | None = None) -> list[Result]:
    """Run jobs (see the module docstring); writes index.html and manifest.json.

    ``pool``: local workers from ``start_workers`` (started ahead); the run stops them.
    """
    options = options or RunOptions(
        workers=workers if workers is not None else os.cpu_count() or 1)
    if options.executor not in EXECUTORS:
        raise ConfigError(f"executor {options.executor!r}: choose one of "
                          f"{', '.join(EXECUTORS)}.")
    folder = reports_folder(ws)
    try:
        ws.provenance  # noqa: B018 — read now: a broken provenance.yml stops the run before it starts
        return _run(ws, jobs, options, folder, pool)
    finally:
        if pool is not None:
            pool.stop()  # when the run could not start (a lock was held): no-op otherwise


def _run(ws: Workspace, jobs: list[Job], options: RunOptions, folder: Path,
         pool: Workers | None) -> list[Result]:
    with run_lock(folder), workspace_lock(ws.root, exclusive=False, action="run reports of"):
        claim_reports(ws, folder)
        with _run_folder(folder, pool if options.executor == "local" else None):
            return _run_in(ws, jobs, options, folder, pool)


def _run_in(ws: Workspace, jobs: list[Job], options: RunOptions, folder: Path,
            pool: Workers | None) -> list[Result]:
    """The run itself, with the locks held and the run folder in place."""
    left = _remove_temporary(folder)
    if left:
        log.warning("removed %d temporary file(s) of an earlier, stopped run", len(left))
    started = datetime.now().astimezone()
    clock = perf_counter()
    phases.take()  # this run's own phases from here (helpers.run.phases)
    with phases.timed("plan"):
        todo, results = incremental.split(jobs, ws.root, folder, force=options.force)
    if results:
        log.info("%d of %d report(s) unchanged since they were made; making %d",
                 len(results), len(jobs), len(todo))
    keys = {job.name: incremental.job_key(job) for job in todo}  # as they start
    show = sys.stderr.isatty() if options.progress is None else options.progress
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc="stuurkit run", unit="rapport", disable=not show)

    def done(result: Result) -> None:
        results.append(incremental.finish(result, keys[result.job.name]))
        bar.update(1)
        if not show:
            _log_result(result)

    interrupted: RunInterrupted | None = None
    queue = _longest_first(todo, folder)
    try:
        with _interruptible():
            if queue and pool is not None and options.executor == "local":
                EXECUTORS["local"](queue, options, done, pool=pool)
            elif queue:  # (none when every report is unchanged)
                EXECUTORS[options.executor](queue, options, done)
    except KeyboardInterrupt as exc:  # SIGTERM or Ctrl-C: record what was done
        interrupted = exc if isinstance(exc, RunInterrupted) else RunInterrupted("SIGINT")
    finally:
        bar.close()
    finished = {r.job.name for r in results}
    results += [Result(job, FAILED, 0.0, error=f"afgebroken: de run is gestopt "
                                               f"({interrupted})")
                for job in jobs if job.name not in finished]
    order = {job.name: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.job.name])
    _remove_temporary(folder)
    with phases.timed("index"):
        _write_index(ws, folder, results)
    with phases.timed("final_audit"):
        audit = final_audit(folder, results)
    if any(f["file"] != "index.html" for f in audit["findings"]):
        with phases.timed("index"):
            _write_index(ws, folder, results)  # files set aside by the scan
    write_manifest(ws, folder, results, options, started, audit=audit,
                   interrupted=str(interrupted) if interrupted else None,
                   phases=phases.take(), seconds=perf_counter() - clock)
    if interrupted:
        made = sum(r.available for r in results)
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
        seconds = {j["name"]: float(j.get("build_seconds") or j["seconds"])
                   for j in previous.get("jobs", []) if j.get("status") in (OK, UNCHANGED)}
    except (OSError, ValueError, TypeError, KeyError):
        return jobs
    if not seconds:
        return jobs
    average = sum(seconds.values()) / len(seconds)
    return sorted(jobs, key=lambda job: -seconds.get(job.name, average))


def _write_index(ws: Workspace, folder: Path, results: list[Result]) -> None:
    entries = []
    for r in results:
        entry = {"title": r.job.title, "file": Path(r.job.html).name,
                 "status": OK if r.available else r.status, "unchanged": r.status == UNCHANGED,
                 "detail": r.error, "section": r.job.section,
                 "year": r.job.parameters.get("year")}
        if not r.available and Path(r.job.html).is_file():
            entry["detail"] = f"{r.error} (vorige versie: {Path(r.job.html).name})"
        entries.append(entry)
    write_index(folder, f"Rapporten {ws.config.gemeente.name}", entries)


def _log_result(result: Result) -> None:
    if result.status == OK:
        log.info("ok      %-40s %5.1f s", result.job.name, result.seconds)
    else:
        log.error("mislukt %-40s %5.1f s  %s", result.job.name, result.seconds, result.error)
