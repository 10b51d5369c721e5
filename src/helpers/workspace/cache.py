"""Parsed source files cached as parquet, rebuilt when the raw file changes.

The cache key is the raw file's SHA-256, the kind of reader and the parser's
fingerprint (``parser_fingerprint``: a hash of the code and data that turn a raw file
into a frame — ``helpers/sources/**/*.py``, ``sources/kwb_variables.csv`` and
``helpers/model.py``, whose schemas every frame is checked against), so a changed raw
file or a changed parser never serves stale data — unlike the kit's version string,
which a code change does not change. Files are written atomically; an unreadable
cache entry is simply rebuilt. A frame just parsed is handed out read back from its
entry, so the first call gives what every later one gives (the dtypes parquet keeps).
A big file (CBS's national downloads) is hashed once per process while its inode, size
and modification time stay the same.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

import helpers
from helpers.files import replacing
from helpers.workspace import reads

__all__ = ["SourceCache", "sha256", "parser_fingerprint", "parser_files"]

log = logging.getLogger(__name__)


BIG = 1 << 20  # bytes from which a file's digest is remembered for the process
_DIGESTS: dict[tuple, str] = {}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes; of a folder: over its files' names and digests.

    Files of ``BIG`` bytes or more are hashed once per process while their inode, size
    and modification time stay the same (small ones always: that costs nothing).
    """
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(path)).encode())
            digest.update(sha256(file).encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        if stat.st_size >= BIG and key in _DIGESTS:
            return _DIGESTS[key]
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if stat.st_size >= BIG:
        _DIGESTS[key] = digest.hexdigest()
    return digest.hexdigest()


def parser_files() -> list[Path]:
    """The files whose content decides what a raw file parses to (see the module
    docstring), in a fixed order."""
    package = Path(helpers.__file__).parent
    sources = package / "sources"
    return sorted([*sources.rglob("*.py"), sources / "kwb_variables.csv", package / "model.py"])


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """SHA-256 over the parser's files (``parser_files``: names relative to the package
    and contents), computed once per process (about 2 ms)."""
    package = Path(helpers.__file__).parent
    digest = hashlib.sha256()
    for file in parser_files():
        digest.update(file.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


class SourceCache:
    """A folder of parquet files keyed by the raw file's content."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, raw: Path, kind: str) -> Path:
        key = hashlib.sha256(f"{sha256(raw)}|{kind}|{parser_fingerprint()}".encode()
                             ).hexdigest()[:20]
        return self.folder / f"{raw.name}.{key}.parquet"

    def _write(self, frame: pd.DataFrame, target: Path) -> bool:
        try:
            with replacing(target) as tmp:
                frame.to_parquet(tmp)
        except OSError as exc:  # a read-only workspace still works, just slower
            log.warning("cannot write cache %s: %s", target, exc)
            return False
        return True

    def frame(self, raw: Path, kind: str, parse: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The parsed frame of ``raw``, from the cache when the raw file is unchanged."""
        if not raw.exists():
            reads.record(raw, None)
            return parse()  # let the parser raise its own, clear error
        reads.record(raw, sha256(raw))
        target = self._path(raw, kind)
        if target.exists():
            try:
                return pd.read_parquet(target)
            except Exception as exc:  # a damaged cache entry is rebuilt
                log.warning("cache %s unreadable (%s); rebuilding", target, exc)
        frame = parse()
        # what was written, read back: a frame is the same on the first call as on every
        # later one (parquet decides the dtypes: pandas' str, not object; categories)
        return pd.read_parquet(target) if self._write(frame, target) else frame

    def geoframe(self, raw: Path, kind: str, parse: Callable[[], gpd.GeoDataFrame]
                 ) -> gpd.GeoDataFrame:
        """Like ``frame`` for GeoDataFrames (GeoParquet)."""
        if not raw.exists():
            reads.record(raw, None)
            return parse()
        reads.record(raw, sha256(raw))
        target = self._path(raw, kind)
        if target.exists():
            try:
                return gpd.read_parquet(target)
            except Exception as exc:
                log.warning("cache %s unreadable (%s); rebuilding", target, exc)
        frame = parse()
        return gpd.read_parquet(target) if self._write(frame, target) else frame
