"""SIGTERM in the windows where it used to print a traceback or keep a stopped run waiting.

The signal is sent at the moment the window is open, not after a guessed delay: a
``sitecustomize`` shim (on PYTHONPATH for one run, as ``tests/scenarios/reliability.py``
does for its untied processes) wraps ``Session.deserialize`` in the process that talks
to the kernel. On the first ``execute_reply`` of a report it sends SIGTERM to the run and
sleeps, so the process's own SIGTERM lands *inside an asyncio task step* of the cell's
execution. The interrupted task then held the exception, and the event loop re-raised it
the next time it ran: out of the atexit kernel shutdown (``Exception ignored in atexit
callback: <function discard>`` with the traceback), and a worker handed its next queued
report went on making it, with SIGTERM ignored, while the run waited for it.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.scenarios import reliability as scenario

pytestmark = pytest.mark.slow

_SHIM = """\
import os, sys
_where = os.environ["STOP_SHIM_WHERE"]
if ((_where == "worker" and "--multiprocessing-fork" in sys.argv)
        or (_where == "runner" and sys.argv[0].endswith("stuurkit"))):
    import signal, time
    from jupyter_client import session
    from helpers.run import warm

    _deserialize = session.Session.deserialize
    _execute = warm.WarmEngine.execute_managed_notebook.__func__
    _in_report = []

    def execute_managed_notebook(cls, *args, **kwargs):
        _in_report.append(True)
        return _execute(cls, *args, **kwargs)

    def deserialize(self, *args, **kwargs):
        message = _deserialize(self, *args, **kwargs)
        if _in_report and message.get("msg_type") == "execute_reply":
            try:  # the first process to get here stops the run, once
                os.close(os.open(os.environ["STOP_SHIM_MARK"], os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return message
            os.kill(os.getppid() if _where == "worker" else os.getpid(), signal.SIGTERM)
            time.sleep(60)  # this task step is still running when this process's SIGTERM comes
        return message

    warm.WarmEngine.execute_managed_notebook = classmethod(execute_managed_notebook)
    session.Session.deserialize = deserialize
"""


@pytest.mark.parametrize(("reports", "workers", "where"), [
    # the audit's case (the atexit shutdown re-raised the worker's SystemExit), with a
    # report queued behind each worker (which a worker took instead of leaving)
    (4, 2, "worker"),
    (2, 1, "runner"),  # one worker: RunInterrupted inside the run's own event loop
])
def test_sigterm_inside_a_cells_event_loop_stops_the_run_cleanly(tmp_path, reports, workers,
                                                                  where):
    modes = {f"{name}_hangt": "hang" for name in "abcd"[:reports]}  # each cell sleeps 120 s
    ws, env = scenario._fault_workspace(tmp_path, "stop", modes)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(_SHIM)
    mark = tmp_path / "stopped"
    extra = {"PYTHONPATH": str(shim), "STOP_SHIM_MARK": str(mark), "STOP_SHIM_WHERE": where}
    process, out, err = scenario._start_run(ws, env, ["--jobs", str(workers)], extra)
    scenario._until(lambda: mark.exists() or process.poll() is not None, 240,
                    "a report's first execute_reply")
    signalled = time.monotonic()
    children = scenario._descendants(process.pid)
    process.wait(timeout=240)
    seconds = time.monotonic() - signalled
    left_running = scenario._gone(children)
    text = err.text() + out.text()
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    assert mark.exists(), text
    assert "Traceback" not in text and "Exception ignored" not in text, text
    assert process.returncode == 143, text
    assert seconds < 60, f"the run took {seconds:.0f} s to stop (queued reports were made)"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["interrupted"] == "SIGTERM"
    assert all(j["error"].startswith("afgebroken") for j in manifest["jobs"])
    assert not scenario._leftovers(folder, env), "temporary files or a run folder left"
    assert not (folder / ".stuurkit-run.pids").exists()
    assert not left_running
    shutil.rmtree(shim)
