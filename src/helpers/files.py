"""Safe file writing: a temporary file beside the target, renamed into place.

A reader never sees a half-written file, and a failure leaves the previous version.
Imports nothing else from the package, so every stage may use it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing", "write_text_atomic"]


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
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; return the path."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
