"""One report made: a job's notebook executed with papermill and published.

``run_job`` never raises for a job's own failure: it returns a ``Result`` (``ok`` or
``mislukt`` with a one-line reason — the failing cell and its error, a kernel that died
or a cell past its timeout). A kernel that does not start is retried. With ``warm`` the
notebook runs in this process's warm kernel (``helpers.run.warm``); after a failure that
kernel is discarded with whatever the report left behind.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.run.schedule import Job

__all__ = ["Result", "run_job", "OK", "UNCHANGED", "FAILED", "STATUSES"]

log = logging.getLogger(__name__)

OK, UNCHANGED, FAILED = "ok", "ongewijzigd", "mislukt"
STATUSES = (OK, UNCHANGED, FAILED)
"""How a job of a run ended: made, skipped because nothing it reads changed
(``helpers.run.incremental``), or failed (its previous version, if any, kept)."""


@dataclass
class Result:
    job: Job
    status: str  # one of STATUSES
    seconds: float
    error: str = ""
    started: str = ""  # when it was made (of an unchanged report: in an earlier run)
    outputs: list[str] = field(default_factory=list)
    attempts: int = 1
    scan: Any = None  # helpers.publish.audit.FileAudit of the HTML as it was written
    # what the report read (helpers.workspace.reads; None: unknown) and, set by the run
    # (helpers.run.incremental), its key, its outputs' SHA-256 and how long it took to make
    inputs: dict[str, str | None] | None = None
    key: str = ""
    output_sha256: dict[str, str | None] = field(default_factory=dict)
    build_seconds: float = 0.0
    audit: list[dict[str, Any]] | None = None  # the final scan's counts per output file
    phases: dict[str, float] = field(default_factory=dict)  # seconds (helpers.run.phases)
    workbook_scan: Any = None  # FileAudit of its workbook as written (helpers.run.executors)

    @property
    def available(self) -> bool:
        """The report is there and good: made now, or unchanged since it was made."""
        return self.status in (OK, UNCHANGED)


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
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return meta.get("kernelspec", {}).get("name", "python3") == "python3"


def run_job(job: Job, timeout: int | None = 600, attempts: int = 3, warm: bool = True
            ) -> Result:
    """Execute one job with papermill and publish it. Never raises for job failures.

    With ``warm`` (and a notebook for the ``python3`` kernel) the job runs in this
    process's warm kernel (``helpers.run.warm``); otherwise papermill starts a kernel.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from helpers.publish.html import publish

    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    started = time.monotonic()
    os.environ.setdefault("STUURKIT_RENDER", "html")
    use_warm = warm and _python3_notebook(job.notebook)
    engine = {}
    if use_warm:
        from helpers.run import warm as warm_kernels

        engine = {"engine_name": warm_kernels.ENGINE}
    elif _python3_notebook(job.notebook):  # python3, as a kernel that dies with its run
        from helpers.run import warm as warm_kernels

        engine = {"kernel_name": warm_kernels.lean_kernel_name()}
    from helpers.workspace import reads

    with tempfile.TemporaryDirectory(prefix="stuurkit-job-") as tmp, \
            _reads_log(Path(tmp) / "reads.jsonl") as log_file:
        executed = Path(tmp) / "executed.ipynb"
        error = ""
        for attempt in range(1, attempts + 1):
            log_file.unlink(missing_ok=True)  # only what the attempt that counts read
            try:
                pm.execute_notebook(
                    job.notebook, str(executed), parameters=job.parameters,
                    progress_bar=False, log_output=False, execution_timeout=timeout,
                    start_timeout=60, cwd=str(Path(job.notebook).parent),
                    request_save_on_cell_execute=False, **engine,
                )
                outputs, scan = publish(executed, job.html, static=job.static)
                folder = Path(job.html).parent
                return Result(job, OK, time.monotonic() - started, started=started_at,
                              outputs=[str(p) for p in outputs], attempts=attempt, scan=scan,
                              inputs=reads.read_log(log_file), output_sha256={
                                  Path(p).relative_to(folder).as_posix()
                                  if Path(p).is_relative_to(folder) else str(p):
                                  reads.digest(Path(p)) for p in outputs})
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
        return Result(job, FAILED, time.monotonic() - started, error=error,
                      started=started_at, attempts=attempt)


@contextmanager
def _reads_log(path: Path) -> Iterator[Path]:
    """``$STUURKIT_READS`` names ``path`` for the duration: the report's kernel (a warm one
    gets it with its reset, a started one inherits it) writes what it read there."""
    from helpers.workspace.reads import ENVIRONMENT

    before = os.environ.get(ENVIRONMENT)
    os.environ[ENVIRONMENT] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop(ENVIRONMENT, None)
        else:
            os.environ[ENVIRONMENT] = before
