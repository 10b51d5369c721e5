"""Warm kernels: run many reports in one started kernel, reset between reports.

Starting a kernel and importing pandas, geopandas, altair and the kit costs far more
than most reports' own work (tech-notes: 0.8 s start, ~4.5 s imports). A worker
therefore keeps one kernel with the heavy libraries imported and runs its reports in
it one after another through papermill (engine ``stuurkit-warm``), so parameter
injection, ``metadata.papermill`` and the error banner stay papermill's own.

Between reports everything a notebook can change is put back (``helpers.run.kernel``,
the code that runs inside the kernel: namespace, working directory, environment,
options and logging levels, snapshotted right after the preload). Library
monkeypatches or stray threads cannot be undone, so the kernel is restarted after every
failed report and every ``RESTART_EVERY`` reports. Kernels are started without
``rfc3987_syntax`` (a grammar that jsonschema builds on import when installed: ~3 s, and
the kit needs no URI-format validation), without ``hypothesis`` (which pandera imports
on its first schema check when installed: ~1 s, for data synthesis no report uses) and
without input history on disk (IPython's
SQLite history, shared by every kernel). The kernel's start, preload, workspace, resets
and cells are timed as phases of the job (``helpers.run.phases``).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from pathlib import Path
from typing import Any

import nbformat
from papermill.engines import NBClientEngine, papermill_engines

from helpers.run import phases
from helpers.workspace.reads import ENVIRONMENT as READS_LOG

__all__ = ["WarmKernel", "WarmEngine", "current", "discard", "kill", "RESTART_EVERY",
           "lean_kernel_name"]

log = logging.getLogger(__name__)

RESTART_EVERY = 25
ENGINE = "stuurkit-warm"
LEAN_KERNEL = "stuurkit-lean"

def lean_kernel_name() -> str:
    """A kernelspec like ``python3`` that keeps ``rfc3987_syntax`` out of the kernel.

    Written once into the kit's cache (``<cache>/jupyter/kernels``) and made findable
    through ``JUPYTER_PATH``; falls back to ``python3`` when it cannot be written.
    """
    import hashlib
    import json

    from helpers.files import write_text_atomic
    from helpers.paths import cache_dir

    base = cache_dir() / "jupyter"
    # the kernel dies with the process that starts it and is recorded in the run's folder
    # (helpers.run.lifeline, helpers.run.leftovers) before it imports anything else
    argv = [sys.executable, "-c",
            "import sys; sys.modules['rfc3987_syntax'] = None; "
            # pandera imports hypothesis (its data synthesis, ~1 s) on the first schema
            # check when it is installed (the test extra); no report synthesises data
            "sys.modules['hypothesis'] = None; "
            "from helpers.run import leftovers, lifeline; lifeline.tie_to_parent(); "
            "leftovers.record_self('kernel'); "
            "from ipykernel import kernelapp as app; app.launch_new_instance()",
            "-f", "{connection_file}", "--log-level=ERROR",  # no transport notices
            # no input history on disk: every cell would be written to (and every reset
            # would end a session in) one SQLite file that all kernels share and lock
            "--HistoryManager.enabled=False"]
    doc = {"argv": argv, "display_name": "Python 3 (Stuurkit, lean)", "language": "python",
           "metadata": {"debugger": False}}
    # one spec per Python and command: several checkouts (each with its .venv, perhaps
    # another version of the kit) share the cache
    digest = hashlib.sha1(json.dumps(argv).encode()).hexdigest()[:10]
    name = f"{LEAN_KERNEL}-{digest}"
    spec = base / "kernels" / name / "kernel.json"
    try:
        try:
            current = json.loads(spec.read_text())
        except (OSError, ValueError):
            current = None
        if current != doc:  # written whole and renamed: a parallel reader never sees half
            spec.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(spec, json.dumps(doc, indent=1))
    except OSError as exc:
        log.warning("cannot write the lean kernelspec (%s); using python3", exc)
        return "python3"
    paths = os.environ.get("JUPYTER_PATH", "")
    if str(base) not in paths.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(base), paths) if p)
    return name


class WarmKernel:
    """One started kernel with the kit preloaded, and the client that talks to it."""

    def __init__(self, kernel_name: str | None = None, cwd: str | None = None,
                 startup_timeout: int = 60, preload: bool = True):
        from nbclient import NotebookClient

        self.kernel_name = kernel_name or lean_kernel_name()
        self._client = NotebookClient(nbformat.v4.new_notebook(), kernel_name=self.kernel_name,
                                      startup_timeout=startup_timeout, timeout=600)
        with phases.timed("kernel_start"):
            self._client.km = self._client.create_kernel_manager()
            self._client.start_new_kernel(cwd=cwd or os.getcwd())
            self._client.start_new_kernel_client()
        self.km, self.kc = self._client.km, self._client.kc
        self.reports = 0
        if preload:
            self.preload()

    def preload(self) -> None:
        """Import the kit and its libraries and take the snapshot that resets restore."""
        with phases.timed("kernel_preload"):
            self.call("preload")

    def run(self, code: str) -> None:
        """Execute code silently; raise RuntimeError with the traceback when it fails."""
        cell = nbformat.v4.new_code_cell(code)
        self._client.nb.cells = [cell]
        self._client.execute_cell(cell, 0, store_history=False)
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if errors:
            raise RuntimeError(f"{errors[0]['ename']}: {errors[0]['evalue']}")

    def call(self, function: str, *args: Any) -> None:
        """Call a function of ``helpers.run.kernel`` in the kernel (arguments as literals)."""
        shown = ", ".join(repr(a) for a in args)
        self.run(f"import helpers.run.kernel\nhelpers.run.kernel.{function}({shown})")

    def open_workspace(self, workspace: str) -> None:
        """Open a workspace and make its facts in the kernel (``open_workspace`` keeps them
        for the reports that follow, as long as its files do not change)."""
        with phases.timed("workspace_open"):
            self.call("open_workspace", workspace)

    def reset(self, cwd: str, env: dict[str, str]) -> None:
        """Put the kernel back as the preload left it (``helpers.run.kernel.reset``)."""
        with phases.timed("kernel_reset"):
            self.call("reset", cwd, env)

    def alive(self) -> bool:
        return bool(_on_own_loop(self.kc._async_is_alive))

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
            _on_own_loop(self.km._async_shutdown_kernel, now=True)
        except Exception as exc:  # already gone
            log.debug("kernel shutdown: %s", exc)


def _on_own_loop(coroutine_function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one of jupyter_client's coroutines to completion on an event loop of its own.

    Not on the loop the client executes cells on (jupyter_core's ``run_sync``): when a
    signal ended a cell — SIGTERM's ``SystemExit`` in a worker, ``RunInterrupted`` in a
    run with one worker — that loop still holds the interrupted cell's tasks, and the next
    time it runs they raise that exception again: out of the shutdown that was to end the
    kernel, past its ``except Exception``, as a traceback of the atexit ``discard``.
    """
    import asyncio

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine_function(*args, **kwargs))
    finally:
        loop.close()


_current: dict[str, WarmKernel] = {}


def current(cwd: str, preload: bool = True) -> WarmKernel:
    """This process's warm kernel (started on first use, renewed every RESTART_EVERY).

    ``preload=False`` only starts it: the caller must call ``preload()`` before any
    report runs in it (or ``discard()`` it).
    """
    kernel = _current.get("kernel")
    if kernel is not None and (not kernel.alive() or kernel.reports >= RESTART_EVERY):
        discard()
        kernel = None
    if kernel is None:
        kernel = WarmKernel(cwd=cwd, preload=preload)
        _current["kernel"] = kernel
    return kernel


def discard() -> None:
    """Shut this process's warm kernel down (after a failure, or at exit)."""
    kernel = _current.pop("kernel", None)
    if kernel is not None:
        kernel.shutdown()


def kill() -> None:
    """Kill this process's warm kernel now (its process group), from any thread: the
    process is about to exit without cleaning up."""
    import contextlib
    import signal

    kernel = _current.get("kernel")
    pid = getattr(getattr(getattr(kernel, "km", None), "provisioner", None), "pid", None)
    if pid:
        with contextlib.suppress(OSError):  # jupyter_client gives it a session of its own
            os.killpg(pid, signal.SIGKILL)


atexit.register(discard)


class WarmEngine(NBClientEngine):
    """papermill engine that executes in this process's warm kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        from papermill.clientwrap import PapermillNotebookClient

        cwd = kwargs.get("cwd") or os.getcwd()
        kernel = current(str(cwd))
        env = {"STUURKIT_RENDER": os.environ.get("STUURKIT_RENDER", "html")}
        if os.environ.get(READS_LOG):  # where the report writes what it read (run_job)
            env[READS_LOG] = os.environ[READS_LOG]
        kernel.reset(str(Path(cwd)), env)
        client = PapermillNotebookClient(nb_man, km=kernel.km, timeout=execution_timeout,
                                         startup_timeout=start_timeout,
                                         kernel_name=kernel.kernel_name, log=log,
                                         log_output=log_output, stdout_file=stdout_file,
                                         stderr_file=stderr_file)
        client.kc = kernel.kc
        client.reset_execution_trackers()
        with phases.timed("cells"):
            client.papermill_execute_cells()
        info = client.wait_for_reply(client.kc.kernel_info())
        client.nb.metadata["language_info"] = info["content"]["language_info"]
        client.set_widgets_metadata()
        kernel.reports += 1
        return client.nb


papermill_engines.register(ENGINE, WarmEngine)
