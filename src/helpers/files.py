"""Safe file writing: a temporary file beside the target, renamed into place.

A reader never sees a half-written file, and a failure leaves the previous version.
The new file is flushed to disk (``fsync``) before the rename and the folder after it, so
a power cut or a full disk that shows only at write-back cannot leave an empty file in
the old one's place; a replaced file keeps its permissions (a new one gets 0644).
A writer that is killed leaves its temporary file (``.<name>.<pid>.<random>.tmp``);
``remove_stale`` removes those whose writer is gone.
Imports nothing else from the package, so every stage may use it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing", "new_folder", "write_text_atomic", "remove_stale"]


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    Examples
    --------
    >>> with replacing("report.xlsx") as tmp:  # doctest: +SKIP
    ...     workbook.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the writer's pid in the name: a sweep can tell a dead writer's file (``stale``)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _flush(tmp)
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _flush_folder(path.parent)


@contextmanager
def new_folder(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it becomes ``path``, its files
    on disk first. For a folder named by its content: when ``path`` exists already (made
    by a parallel writer) it stays, and the new one is removed. A failure removes it.

    Examples
    --------
    >>> with new_folder("cache/facts/ab12") as tmp:  # doctest: +SKIP
    ...     frame.to_parquet(tmp / "observations.parquet")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                suffix=".tmp"))
    try:
        yield tmp
        for file in tmp.iterdir():
            _flush(file)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, path)
        except OSError:
            if not path.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # a parallel writer's is in place
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _flush_folder(path.parent)


def _mode(path: Path) -> int:
    """The permissions the file at ``path`` has now, or 0644 for a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o644


def _flush(path: Path) -> None:
    """Write ``path``'s data to disk; a full disk that shows only now raises here."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _flush_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not every file system allows this)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; return the path."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def _writer_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale(folder: str | Path) -> list[Path]:
    """Remove the temporary files and folders (``.*.tmp``) in ``folder`` whose writer is
    gone (or that name no writer); return them."""
    removed = []
    for tmp in Path(folder).glob(".*.tmp"):
        parts = tmp.name[1:-len(".tmp")].rsplit(".", 2)
        writer = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
        if writer is not None and _writer_alive(writer):
            continue
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
        elif tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed
