"""What a report read: the workspace's files (by content) and other inputs it depended on.

A run makes a report again only when something it read has changed
(``helpers.run.incremental``). So the one place where each input enters — a raw file
through the parse cache, ``stuurkit.yml``, ``raw/provenance.yml``, ``begroting.yml``, one
goal's duiding file, a workspace's catalogue, the logo — calls ``record(path)``, and the
report's kernel writes what it recorded to the file named by ``$STUURKIT_READS`` (one JSON
object a line: ``{"<file>": "<sha256>"}``, ``null`` for a file looked for and absent).

What is computed once and kept (a warm kernel keeps the workspace and its facts for all
its reports) must still count as read by every report that uses it: ``kept`` (a cached
property) and ``capture``/``replay`` (any other cache) keep the reads made while a value
was computed beside it, and record them again whenever the value is served.

Files of the kit itself (``src/helpers``) are not recorded: the run's key holds a hash of
all of them (``code_hash``).

Examples
--------
>>> with capture() as got:
...     record_today("2026-12-02")
>>> got
{'vandaag': '2026-12-02'}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import helpers

__all__ = ["ENVIRONMENT", "record", "record_presence", "record_listing", "record_today",
           "capture", "replay", "kept", "assigned", "read_log", "digest", "current", "code_hash",
           "versions"]

ENVIRONMENT = "STUURKIT_READS"
"""The environment variable naming the file a report's reads are written to."""

_PACKAGE = Path(helpers.__file__).resolve().parent
_open: list[dict[str, str | None]] = []  # the captures open now, innermost last
_written: dict[str, set[str]] = {}  # per log file: the inputs written to it already


_CODE_SUFFIXES = {".py", ".j2", ".yml", ".yaml", ".json", ".js", ".css", ".csv", ".html"}


def code_hash() -> str:
    """SHA-256 over the kit's files (names relative to the package and contents): what
    a value made by the kit's code is kept under, beside the inputs it read."""
    found = hashlib.sha256()
    for file in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in _CODE_SUFFIXES
                       and p.is_file() and "__pycache__" not in p.parts):
        found.update(file.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        found.update(hashlib.sha256(file.read_bytes()).digest())
    return found.hexdigest()


def versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """The installed version of each distribution in ``names`` (``None``: not installed):
    beside ``code_hash``, what a kept value was made with."""
    from importlib import metadata

    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes (``None`` when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _name(path: Path) -> str | None:
    """How a file is named in the record: relative to its workspace (the folder that
    holds ``stuurkit.yml`` above it), else absolute; ``None`` for the kit's own files."""
    path = path.resolve()
    if path.is_relative_to(_PACKAGE):
        return None
    for folder in path.parents:
        if (folder / "stuurkit.yml").is_file():
            return path.relative_to(folder).as_posix()
    return str(path)


def record(path: str | Path, sha256: str | None = "") -> None:
    """``path`` was read (or looked for: absent, ``None``); ``sha256`` when known."""
    name = _name(Path(path))
    if name is not None:
        _add({name: digest(Path(path)) if sha256 == "" else sha256})


_EXISTS, _LISTING, _TODAY = "bestaat:", "lijst:", "vandaag"
"""How a record that is no file's content is named: whether a file exists, which files
match a pattern in a folder, today's date."""


def record_presence(path: str | Path) -> None:
    """Whether ``path`` exists was read (not its content)."""
    name = _name(Path(path))
    if name is not None:
        _add({_EXISTS + name: _exists(Path(path))})


def record_listing(folder: str | Path, pattern: str) -> None:
    """Which files in ``folder`` match ``pattern`` was read (not their content)."""
    name = _name(Path(folder) / pattern)
    if name is not None:
        _add({_LISTING + name: _listing(Path(folder), pattern)})


def record_today(today: str) -> None:
    """The report depends on today's date (``YYYY-MM-DD``)."""
    _add({_TODAY: today})


def _exists(path: Path) -> str | None:
    return "ja" if path.exists() else None


def _listing(folder: Path, pattern: str) -> str:
    names = sorted(p.relative_to(folder).as_posix() for p in folder.glob(pattern))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def current(name: str, root: Path) -> str | None:
    """What a recorded input is now, in the workspace at ``root``: compare it with the
    value recorded to know whether the report would read something else."""
    if name == _TODAY:
        import datetime as dt

        return dt.date.today().isoformat()
    if name.startswith(_EXISTS):
        return _exists(root / name.removeprefix(_EXISTS))
    if name.startswith(_LISTING):
        parts = Path(name.removeprefix(_LISTING)).parts
        first = next((i for i, part in enumerate(parts) if "*" in part), len(parts) - 1)
        return _listing(root.joinpath(*parts[:first]), Path(*parts[first:]).as_posix())
    return digest(root / name)


def replay(got: dict[str, str | None]) -> None:
    """Record again what a kept value was computed from (see ``capture``)."""
    if got:
        _add(got)


def _add(found: dict[str, str | None]) -> None:
    for open_ in _open:
        open_.update(found)
    log = os.environ.get(ENVIRONMENT)
    if not log:
        return
    written = _written.setdefault(log, set())
    new = {k: v for k, v in found.items() if k not in written}
    if new:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(new, ensure_ascii=False) + "\n")
        written.update(new)


@contextmanager
def capture() -> Iterator[dict[str, str | None]]:
    """Collect what is read inside the block (it is recorded as usual as well)."""
    got: dict[str, str | None] = {}
    _open.append(got)
    try:
        yield got
    finally:  # by identity: two open captures may hold equal dicts
        del _open[next(i for i, open_ in enumerate(_open) if open_ is got)]


class kept:  # noqa: N801 — used like functools.cached_property
    """A cached property that records its reads again at every access (see the module
    docstring); assigning the attribute replaces the kept value."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        store = obj.__dict__.setdefault("_kept_reads", {})
        if self.name in store:
            value, got = store[self.name]
            replay(got)
            return value
        with capture() as got:
            value = self.function(obj)
        store[self.name] = (value, got)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__.setdefault("_kept_reads", {})[self.name] = (value, {})
        obj.__dict__.setdefault("_kept_assigned", set()).add(self.name)

    def __delete__(self, obj: Any) -> None:
        # the mark of an assignment stays: values kept since may have been made from
        # the assigned value (the hierarchy from assigned variables, say)
        obj.__dict__.get("_kept_reads", {}).pop(self.name, None)


def assigned(obj: Any) -> set[str]:
    """The ``kept`` values of ``obj`` that were ever assigned rather than read from its
    files (deleting one later does not undo it): what was made while they held cannot
    be checked against the files (``current``), so it must not be kept for another
    process."""
    return set(obj.__dict__.get("_kept_assigned", ()))


def read_log(path: Path) -> dict[str, str | None]:
    """What a report's kernel wrote to its reads file (empty when it wrote nothing)."""
    found: dict[str, str | None] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return found
    for line in lines:
        found.update(json.loads(line))
    return found
