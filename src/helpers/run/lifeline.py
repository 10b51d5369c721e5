"""Processes that die with their parent: a run's workers and kernels end when it ends.

A run (``stuurkit run``) starts worker processes, and each worker (or the run itself,
with one worker) starts a Jupyter kernel. When the run is killed outright (``kill -9``,
the OOM killer, ``systemctl kill -s KILL``) nothing of it can clean up, so every child
ties itself to its parent in two independent ways:

* the **parent-death signal** (Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``): the
  operating system kills the child the moment its parent dies. ``tie_to_parent`` sets
  it and then checks that the parent is still the one expected (it may have died before
  the signal was set);
* a **lifeline pipe** (any POSIX system): the parent holds the write end for as long as
  it lives (``Lifeline``), a watchdog thread in the child reads the other end
  (``watch``); end of file means the parent is gone and the child exits. A kernel has
  the same watchdog built in: ipykernel polls its parent (``JPY_PARENT_PID``, set by
  jupyter_client) and exits when it changes.

The chain holds from the run down: a worker dies with the run, its kernel with the
worker. Whatever survives both (a platform without them, a process that escaped) is
ended by the next run from the run's record (``helpers.run.leftovers``).

Imports only the standard library: a kernel calls ``tie_to_parent`` before it imports
anything else.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Lifeline", "tie_to_parent", "watch"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _parent_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def tie_to_parent(parent: int | None = None) -> None:
    """Die with the parent process (the parent-death signal, where the system has it).

    ``parent``: the pid the parent had (default: ``JPY_PARENT_PID``, which jupyter_client
    gives a kernel). When the parent is already gone — it died between starting this
    process and this call — the process exits at once.
    """
    if parent is None:
        given = os.environ.get("JPY_PARENT_PID", "")
        parent = int(given) if given.isdigit() else None
    _parent_death_signal()
    if parent is not None and os.getppid() != parent:
        os._exit(1)


class Lifeline:
    """The parent's end: ``child_end`` goes to the children (``watch``); as long as this
    process lives (and ``close`` is not called) their watchdogs wait."""

    def __init__(self) -> None:
        import multiprocessing

        self.child_end, self._own_end = multiprocessing.Pipe(duplex=False)

    def close(self) -> None:
        """Let the children go (they exit): after they have been stopped, or never."""
        self._own_end.close()


def watch(end: Any, then: Callable[[], None] | None = None) -> None:
    """In a child: a daemon thread that waits on the parent's lifeline and, when the
    parent is gone (end of file), calls ``then`` and exits the process at once."""

    def wait() -> None:
        try:
            while True:
                end.recv_bytes()  # the parent never writes: this returns only at EOF
        except (EOFError, OSError):
            pass
        try:
            if then is not None:
                then()
        finally:
            os._exit(1)

    threading.Thread(target=wait, name="stuurkit-lifeline", daemon=True).start()
