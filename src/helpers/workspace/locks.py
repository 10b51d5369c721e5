"""Advisory file locks that keep runs and imports from stepping on each other.

* a workspace (``data/<name>``): ``stuurkit run`` holds it *shared* while reports read it;
  ``import``, ``fetch`` and ``demo-data`` hold it *exclusive* while they write. A second
  writer, or a run during an import (and an import during a run), is refused at once
  with a message — nobody waits on a lock held by an unattended job;
* a reports folder (``reports/<name>``): one run at a time (``helpers.run.runner``).

The locks are ``flock`` locks on a small file in the folder: the operating system
releases them when the process ends, however it ends, so a crash never leaves a stale
lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from helpers.errors import StuurkitError

__all__ = ["Busy", "hold", "workspace_lock", "WORKSPACE_LOCK"]

WORKSPACE_LOCK = ".stuurkit-workspace.lock"


class Busy(StuurkitError):
    """Another process holds the lock."""


@contextmanager
def hold(path: Path, exclusive: bool, refusal: str) -> Iterator[None]:
    """Hold a lock on ``path`` (created when missing) or raise ``Busy(refusal)``.

    The exclusive holder writes its pid and start time into the file; the message of a
    refused caller ends with it when it is known.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        if not exclusive and path.parent.is_dir():  # a read-only folder: nobody writes it
            yield
            return
        raise StuurkitError(f"Cannot write in {path.parent} ({exc.strerror}). Check that the "
                            "folder exists and that this user may write in it.") from exc
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip()
            raise Busy(refusal + (f" (held by {holder})" if holder else "")) from exc
        if exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since "
                         f"{datetime.now().astimezone().isoformat(timespec='seconds')}")
            handle.flush()
        yield
    finally:
        if exclusive:
            try:
                handle.seek(0)
                handle.truncate()
            except OSError:
                pass
        handle.close()


def workspace_lock(root: str | Path, exclusive: bool, action: str) -> Iterator[None]:
    """Lock a workspace for ``action`` ("import", "run", …): see the module docstring."""
    root = Path(root)
    if exclusive:
        refusal = (f"Cannot {action} {root}: a stuurkit run or another import is using this "
                   "workspace. Wait until it has finished and try again.")
    else:
        refusal = (f"Cannot {action} {root}: files are being imported into this workspace "
                   "right now. Wait until the import has finished and try again.")
    return hold(root / WORKSPACE_LOCK, exclusive, refusal)
