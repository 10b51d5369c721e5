"""What a run owns outside its reports, so that nothing of it outlives it.

Every run has one **run folder** in the temporary directory
(``stuurkit-run-<pid>-…``, ``run_folder``): the temporary files of the run, its workers
and their kernels all go there (``TMPDIR``), and its ``processes`` file records every
process of the run — each appends its own line when it starts (``record``): role, pid
and start time (``/proc/<pid>/stat``), so that a pid the system has since given to
another process is never taken for ours.

At the end of a run (``finish``) every recorded process is waited for until it is gone
(killed when it does not go), and only then is the folder removed: no process can still
write into it. A run that was killed leaves its folder; the next run ends whatever is
still alive of it and removes it (``sweep``, also done for folders of any dead run in
the temporary directory). ``<reports folder>/.stuurkit-run.pids`` names the run that
works on a reports folder and its run folder (``claim``), so that the next run of that
folder finds them even when the temporary directory is another one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Process", "run_folder", "record", "start_time", "finish", "sweep", "claim",
           "release", "reap_folder", "record_self", "PID_FILE", "RUN_FOLDER"]

log = logging.getLogger(__name__)

PID_FILE = ".stuurkit-run.pids"
PROCESSES = "processes"
_PREFIX = "stuurkit-run-"
_PROC = Path("/proc")
_current: dict[str, Path] = {}  # this process's run folder while a run uses it
RUN_FOLDER = "STUURKIT_RUN_FOLDER"  # the run folder, for the processes a run starts


@dataclass(frozen=True)
class Process:
    role: str
    pid: int
    started: str  # the start time as the system gives it (clock ticks since boot)

    def alive(self) -> bool:
        """The same process (pid and start time) still runs (a zombie does not)."""
        return start_time(self.pid) == self.started


def start_time(pid: int) -> str | None:
    """The start time of a running process (None when there is none, or a zombie)."""
    if _PROC.is_dir():
        try:
            fields = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return None if fields[0] in ("Z", "X") else fields[19]
    try:  # no /proc (macOS): psutil, which ipykernel needs
        import psutil

        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return repr(process.create_time())
    except Exception:  # gone, or no way to tell: never taken for ours
        return None


def record(folder: str | Path, role: str, pid: int | None = None) -> None:
    """Append one process (default: this one) to the run folder's record."""
    pid = pid or os.getpid()
    started = start_time(pid)
    if started is None:
        return
    try:
        with open(Path(folder) / PROCESSES, "a", encoding="utf-8") as handle:
            handle.write(f"{role} {pid} {started}\n")  # one short write: appended whole
    except OSError as exc:  # the run is ending: the lifeline still ties this process
        log.debug("cannot record %s %d in %s: %s", role, pid, folder, exc)


def recorded(folder: str | Path) -> list[Process]:
    try:
        lines = (Path(folder) / PROCESSES).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            found.append(Process(parts[0], int(parts[1]), parts[2]))
    return found


def run_folder() -> Path:
    """This process's run folder (made on first use, the runner recorded as its first
    line; what dead runs left is swept first)."""
    folder = _current.get("folder")
    if folder is None or not folder.is_dir():
        sweep()
        folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        record(folder, "runner")
        _current["folder"] = folder
    return folder


def record_self(role: str) -> None:
    """In a process a run started (a kernel): append it to the run's record, when it
    belongs to a run (``STUURKIT_RUN_FOLDER``)."""
    folder = os.environ.get(RUN_FOLDER)
    if folder and Path(folder).is_dir():
        record(folder, role)


def _end(processes: list[Process], wait: float) -> list[Process]:
    """Kill those still alive (their process groups when they lead one) and wait until
    they are gone; return those that were alive."""
    alive = [p for p in processes if p.pid != os.getpid() and p.alive()]
    for process in alive:
        try:
            if os.getpgid(process.pid) == process.pid:  # a kernel leads its own group
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(process.pid, signal.SIGKILL)
        except OSError:  # gone meanwhile
            pass
    deadline = time.monotonic() + wait
    while any(p.alive() for p in alive):  # a zombie counts as gone
        if time.monotonic() > deadline:
            log.error("processes of a run do not end: %s",
                      ", ".join(f"{p.role} {p.pid}" for p in alive if p.alive()))
            break
        time.sleep(0.05)
    return alive


def finish(folder: str | Path, wait: float = 30.0) -> None:
    """The end of a run: wait until every other recorded process is gone (a worker's
    kernel may outlive its worker by a moment), end those that do not go, then remove the
    run folder — nothing can write into it any more."""
    folder = Path(folder)
    others = [p for p in recorded(folder) if p.pid != os.getpid()]
    deadline = time.monotonic() + wait
    while any(p.alive() for p in others) and time.monotonic() < deadline:
        time.sleep(0.05)
    _end(others, wait)
    shutil.rmtree(folder, ignore_errors=True)
    if _current.get("folder") == folder:
        del _current["folder"]


def reap_folder(folder: Path) -> list[Process]:
    """End the processes of a dead run's folder and remove it; return what was ended.
    A folder whose runner still runs is left alone."""
    processes = recorded(folder)
    runner = next((p for p in processes if p.role == "runner"), None)
    if runner is not None and runner.alive():
        return []
    if runner is None:  # no record: a folder of an older version, named by its pid
        pid = folder.name[len(_PREFIX):].split("-")[0]
        if pid.isdigit() and start_time(int(pid)) is not None:
            return []
    ended = _end(processes, 30.0)
    shutil.rmtree(folder, ignore_errors=True)
    return ended


def _report(ended: list[Process], where: str) -> None:
    if ended:
        shown = ", ".join(f"{p.role} {p.pid}" for p in ended)
        log.warning("ended %d process(es) left by an earlier run that was killed (%s): %s",
                    len(ended), where, shown)


def sweep() -> None:
    """End and remove what dead runs left in the temporary directory."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        if folder.is_dir():
            _report(reap_folder(folder), str(folder))


def claim(reports: Path, folder: Path) -> None:
    """Under the reports folder's run lock: end what a killed earlier run of this folder
    left (named by its pid file), then name this run and its run folder there."""
    pids = reports / PID_FILE
    try:
        earlier = json.loads(pids.read_text(encoding="utf-8"))
        runner = Process("runner", int(earlier["runner"]), str(earlier["started"]))
        other = Path(earlier["folder"])
    except (OSError, ValueError, KeyError, TypeError):
        earlier = None
    if earlier is not None and not runner.alive() and other != folder:
        ended = _end([*recorded(other), *(Process(*p) for p in earlier.get("processes", []))
                      ], 30.0)
        shutil.rmtree(other, ignore_errors=True)
        _report(ended, str(pids))
    from helpers.files import write_text_atomic

    doc = {"runner": os.getpid(), "started": start_time(os.getpid()), "folder": str(folder),
           "processes": [[p.role, p.pid, p.started] for p in recorded(folder)],
           "python": sys.executable}
    write_text_atomic(pids, json.dumps(doc, indent=1) + "\n")


def release(reports: Path) -> None:
    """The run ended (its processes are gone): its pid file goes."""
    (reports / PID_FILE).unlink(missing_ok=True)
