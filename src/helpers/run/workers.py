"""Local worker processes for report runs, started ahead and stopped cleanly.

``start_workers(n)`` spawns the processes at once; each starts its warm kernel
(``helpers.run.warm``) and opens the run's workspace while the caller is still planning.
Temporary files of the workers and their kernels go to the run folder
(``helpers.run.leftovers``), removed once they are all gone. SIGTERM ends a worker's
current report cleanly (its temporary files and kernel are removed on the way out) and
then the worker itself, at once: it never takes the next report in the queue (every task
runs in ``_task``; the worker leaves through ``_leave``). One that arrives while the
kernel is starting waits for the kernel, so that none is left behind; one before the
first report ends the worker at its first task or at the pool's end-of-queue signal.
A worker dies with the process that started it, even one killed with SIGKILL
(``helpers.run.lifeline``), and takes its kernel along.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor

from helpers.paths import notebooks_dir
from helpers.run import leftovers, lifeline

# jsonschema (under nbformat, under papermill) would build the rfc3987_syntax grammar on
# import: ~0.7 s in the planning process and in every worker, for URI format checks that
# no report uses. The warm kernels keep it out the same way (helpers.run.warm).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

__all__ = ["Workers", "start_workers"]

log = logging.getLogger(__name__)

_worker = {"ready": False}


def _kill_kernel() -> None:
    """The run is gone: this worker's kernel goes at once (its whole process group)."""
    from helpers.run import warm as warm_kernels

    warm_kernels.kill()


def _worker_start(warm: bool, cwd: str, tmp: str, workspace: str | None, parent: int,
                  line) -> None:
    """In each worker: it dies with the run (``helpers.run.lifeline``) and is recorded in
    the run folder, where temporary files go; the warm kernel starts right away and opens
    the run's workspace (libraries and data load while the parent is still planning),
    and SIGTERM ends the current report cleanly (its temporary files and kernel are
    removed on the way out) instead of mid-write."""
    import importlib

    lifeline.tie_to_parent(parent)
    lifeline.watch(line, then=_kill_kernel)
    leftovers.record(tmp, "worker")
    os.environ["TMPDIR"] = tmp  # also for the kernels this worker starts
    os.environ[leftovers.RUN_FOLDER] = tmp
    tempfile.tempdir = tmp
    signal.signal(signal.SIGTERM, _exit_on_signal)
    # papermill loads while this thread waits for the kernel
    threading.Thread(target=importlib.import_module, args=("papermill",), daemon=True).start()
    if warm:
        from helpers.run import warm as warm_kernels

        try:
            kernel = warm_kernels.current(cwd, preload=False)
            if not _worker.get("stop"):
                kernel.preload()
            if workspace and not _worker.get("stop"):
                kernel.open_workspace(workspace)
        except Exception as exc:  # the first report will try again and report it
            log.debug("warm kernel did not start ahead: %s", exc)
            warm_kernels.discard()
    if _worker.get("stop"):  # SIGTERM came while starting: leave now, kernel and all
        _leave(128 + _worker["stop"])
    # still not "ready": SIGTERM raises only inside a task (_task), where it ends the
    # worker; raised here, concurrent.futures would print it ("Exception in initializer")


def _task(function, *args):
    """Run one task of the pool (a report) in this worker; SIGTERM ends the worker.

    The signal's ``SystemExit`` unwinds the report (its temporary files go), but
    concurrent.futures catches whatever a task raises and hands the worker the next
    task in its queue: a stopped run would wait for reports nobody wants, made by a
    worker that ignores SIGTERM by then. So the worker leaves here, its kernel first.
    """
    try:
        _worker["ready"] = True  # from now on SIGTERM raises SystemExit (caught below)
        if _worker.get("stop"):  # it came while this worker was starting
            raise SystemExit(128 + _worker["stop"])
        return function(*args)
    except SystemExit as exc:
        _leave(exc.code if isinstance(exc.code, int) else 1)


def _leave(code: int) -> None:
    """End this worker now: its warm kernel first (no orphan, no connection file)."""
    from helpers.run import warm as warm_kernels

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    warm_kernels.discard()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _exit_on_signal(signum, frame) -> None:
    # the interrupted cell's asyncio task ends with the kernel; that is expected now
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    if not _worker["ready"]:  # starting a kernel, or not in a task yet: stop at _task
        _worker["stop"] = signum
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
    raise SystemExit(128 + signum)


def _ready() -> None:
    """A no-op task: submitting one per worker makes the pool start its processes."""


class Workers:
    """Local worker processes of this process's run folder (``helpers.run.leftovers``).

    Started at once (``start_workers``), so that their kernels warm up while the caller
    prepares the jobs; ``close`` waits for them, ``stop`` ends them now (SIGTERM); either
    then waits until every process of the run folder is gone (ending those that do not
    go) and removes the folder, whatever the workers left in it.
    """

    def __init__(self, count: int, warm: bool, workspace: str | None = None) -> None:
        self.tmp = str(leftovers.run_folder())
        self._line = lifeline.Lifeline()  # held here: the workers end when this process does
        context = multiprocessing.get_context("spawn")  # the parent may hold kernel clients
        self.pool = ProcessPoolExecutor(max_workers=count, mp_context=context,
                                        initializer=_worker_start,
                                        initargs=(warm, str(notebooks_dir()), self.tmp,
                                                  workspace, os.getpid(),
                                                  self._line.child_end))
        self._done = False
        for _ in range(count):
            self.submit(_ready)

    def submit(self, function, *args):
        return self.pool.submit(_task, function, *args)

    def close(self) -> None:
        if self._done:
            return
        self.pool.shutdown(wait=True)
        self._finish()

    def stop(self) -> None:
        if self._done:  # closed or stopped already
            return
        for process in list(getattr(self.pool, "_processes", {}).values()):
            if process.is_alive():
                process.terminate()  # SIGTERM → clean exit in the worker
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._finish()

    def _finish(self) -> None:
        self._done = True
        self._line.close()
        leftovers.finish(self.tmp)


def start_workers(count: int, warm: bool = True, workspace: str | None = None) -> Workers:
    """Start ``count`` local workers now; pass them to ``run`` (or ``stop`` them).

    With ``workspace`` (name or path) their kernels open it ahead of the first report.
    """
    return Workers(count, warm, workspace)
