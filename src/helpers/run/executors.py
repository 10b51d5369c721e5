"""Where the jobs of a run execute: the registry of executors.

An executor is ``(jobs, options, done, pool=None) -> None``: it runs every job with
``helpers.run.job.run_job`` and calls ``done(result)`` as each one finishes (in any
order). ``EXECUTORS`` names them: ``local`` (worker processes on this machine,
``helpers.run.workers``) and ``dask`` (Dask distributed: the scheduler at
``RunOptions.scheduler``, else a ``LocalCluster``). Adding one is a function and a line.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass, field

from helpers.run import phases
from helpers.run.job import OK, Result, run_job
from helpers.run.schedule import Job
from helpers.run.workers import Workers, start_workers

__all__ = ["EXECUTORS", "RunOptions"]


@dataclass(frozen=True)
class RunOptions:
    """How to run: executor name, workers, Dask scheduler address, per-cell timeout,
    whether to make unchanged reports too."""

    executor: str = "local"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    scheduler: str | None = None
    timeout: int | None = 600
    progress: bool | None = None
    warm: bool = True  # run reports in warm kernels (helpers.run.warm)
    force: bool = False  # make every report, also those unchanged (helpers.run.incremental)

    def __post_init__(self) -> None:
        from helpers.errors import ConfigError

        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or (
                self.workers < 1):
            raise ConfigError(f"workers = {self.workers!r}: the number of worker processes "
                              "must be a whole number of at least 1 (e.g. --jobs 2).")
        if self.timeout is not None and (
                isinstance(self.timeout, bool) or not isinstance(self.timeout, int | float)
                or not math.isfinite(self.timeout) or self.timeout <= 0):
            raise ConfigError(f"timeout = {self.timeout!r}: the seconds a notebook cell may "
                              "take must be a number above 0 (e.g. --timeout 600), or None "
                              "for no limit.")


def _local(jobs: list[Job], options: RunOptions, done: Callable[[Result], None],
           pool: Workers | None = None) -> None:
    """Worker processes on this machine (``start_workers``)."""
    if pool is None and (options.workers == 1 or len(jobs) == 1):
        for job in jobs:
            done(measured_job(job, options.timeout, 3, options.warm))
        return
    pool = pool or start_workers(min(options.workers, len(jobs)), options.warm)
    futures = []
    try:
        futures = [pool.submit(measured_job, job, options.timeout, 3, options.warm)
                   for job in jobs]
        for future in as_completed(futures):
            done(future.result())
    except BaseException:  # interrupted: stop the workers, let them clean up
        for future in futures:
            future.cancel()
        pool.stop()
        raise
    with phases.timed("executor_close"):
        pool.close()


def measured_job(job: Job, timeout: int | None, attempts: int, warm: bool) -> Result:
    """``run_job``, its result carrying the seconds of its phases (``helpers.run.phases``):
    what this process spent since its previous job (the first: also the worker's start)."""
    phases.instrument()
    with phases.timed("job_other"):
        result = run_job(job, timeout, attempts, warm)
    if result.status == OK:
        with phases.timed("scan"):
            result.workbook_scan = _scan_workbook(result)
    result.phases = {name: round(seconds, 4) for name, seconds in phases.take().items()}
    return result


def _scan_workbook(result: Result):
    """The privacy scan of the report's workbook against its page, as written: here, in
    the worker, rather than one after the other in the run's final scan
    (``helpers.run.manifest.final_audit`` keeps it). ``None`` without a workbook."""
    from pathlib import Path

    from helpers.publish.audit import scan_workbook

    page = Path(result.job.html)
    for output in map(Path, result.outputs):
        if output.suffix == ".xlsx" and output.is_file():
            return scan_workbook(output, page.read_text(encoding="utf-8", errors="replace")
                                 if page.is_file() else None)
    return None


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
        if os.environ.get(phases.ENVIRONMENT):  # the benchmark's breakdown, on the workers too
            env[phases.ENVIRONMENT] = os.environ[phases.ENVIRONMENT]
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
    return measured_job(job, timeout, 3, warm)


EXECUTORS: dict[str, Callable[..., None]] = {  # (jobs, options, done, pool=None)
    "local": _local,
    "dask": _dask,
}
