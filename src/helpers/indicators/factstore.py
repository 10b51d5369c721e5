"""The facts of a workspace kept on disk, for the next process that opens it.

Making the facts (``helpers.indicators.facts.of``: the statistics read and combined, the
area hierarchy, every indicator computed, small counts suppressed) takes seconds, and
every warm kernel of a run, every notebook an analyst opens and every ``stuurkit check``
makes them again from the same files. So the frames they are made of — observations,
hierarchy, breaks — are kept in the kit's cache (``facts/``) with what was read to make
them (``helpers.workspace.reads``: every input file by SHA-256, ``stuurkit.yml``, the
catalogue, whether a file exists), under a key of the workspace's folder, the kit's code
(``reads.code_hash``) and the library versions that compute them.

They are used only when every recorded input is as it was (``reads.current``): the same
test an unchanged report passes in an incremental run, so a changed, added or removed
file makes them again. An entry is a folder named by its key and its inputs, written
whole and renamed into place (``helpers.files.new_folder``), never changed afterwards: a
reader sees a whole entry or none, also beside a parallel writer or after one was killed.
What cannot be read (a damaged file, an entry of another layout) is made again; what
cannot be written (a full disk, a read-only cache) is skipped: the facts are then only
in memory, as before. ``STUURKIT_FACTS_CACHE=0`` turns the store off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
from pathlib import Path

import pandas as pd

from helpers import files
from helpers.paths import cache_dir
from helpers.workspace import Workspace, reads

__all__ = ["load", "save", "FOLDER", "SWITCH"]

log = logging.getLogger(__name__)

FOLDER = "facts"
SWITCH = "STUURKIT_FACTS_CACHE"
LAYOUT = 1  # of an entry's files; another layout is not read
KEEP = 4  # entries kept per workspace (other inputs: another year's files, a branch)
KEEP_ALL = 64  # entries kept in all (workspaces removed, earlier versions of the kit)
_FRAMES = ("observations", "hierarchy", "breaks")
_LIBRARIES = ("pandas", "geopandas", "numpy", "scipy", "pyarrow", "pandera", "shapely")

Frames = dict[str, pd.DataFrame | pd.Series]


def _enabled(ws: Workspace) -> bool:
    """Whether facts of ``ws`` may be kept and served: not when turned off, nor for a
    workspace holding values assigned in memory (its facts do not follow from its files,
    the only thing an entry is checked against)."""
    if reads.assigned(ws):
        return False
    return os.environ.get(SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def _key(ws: Workspace) -> str:
    doc = {"layout": LAYOUT, "root": str(Path(ws.root).resolve()), "code": reads.code_hash(),
           "libraries": reads.versions(_LIBRARIES), "python": sys.version}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]


def _folder() -> Path:
    return cache_dir() / FOLDER


def load(ws: Workspace) -> tuple[Frames, dict[str, str | None]] | None:
    """The kept frames of ``ws`` and what was read to make them, when every input is as
    it was then (else ``None``: make them)."""
    if not _enabled(ws):
        return None
    key = _key(ws)
    try:
        entries = sorted(_folder().glob(f"{key}-*"), key=_age)
    except OSError:
        return None
    for entry in entries:
        found = _read(entry, ws.root)
        if found is not None:
            with contextlib.suppress(OSError):  # in use: the last to be pruned
                os.utime(entry)
            return found
    return None


def _age(entry: Path) -> float:
    try:
        return -entry.stat().st_mtime
    except OSError:
        return 0.0


def _read(entry: Path, root: Path) -> tuple[Frames, dict[str, str | None]] | None:
    try:
        got = json.loads((entry / "reads.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(got, dict) or not got or any(
            not isinstance(v, str | None) for v in got.values()):
        return None
    if any(reads.current(name, root) != value for name, value in got.items()):
        return None
    try:
        frames: Frames = {name: pd.read_parquet(entry / f"{name}.parquet")
                          for name in _FRAMES}
        frames["breaks"] = _breaks_from(frames["breaks"])
    except Exception as exc:  # a damaged or foreign entry: made again
        log.debug("facts in %s not read: %s", entry, exc)
        return None
    return frames, got


def _breaks_from(frame: pd.DataFrame) -> pd.Series:
    series = frame["year"]
    series.name = frame.attrs.get("name")
    series.index.name = frame.attrs.get("index")
    return series


def save(ws: Workspace, frames: Frames, got: dict[str, str | None]) -> Frames:
    """Keep ``frames`` of ``ws`` with what was read to make them; return them as read
    back from the store (so that a process that made them and one that read them draw
    the very same frames), or as given when they could not be kept."""
    if not _enabled(ws) or not got:
        return _round_trip(frames)
    text = json.dumps(got, sort_keys=True, ensure_ascii=False)
    key = _key(ws)
    entry = _folder() / f"{key}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    try:
        if not entry.is_dir():
            with files.new_folder(entry) as tmp:
                for name, frame in _tables(frames).items():
                    frame.to_parquet(tmp / f"{name}.parquet")
                (tmp / "reads.json").write_text(text, encoding="utf-8")
        _prune(key)
    except (OSError, ValueError, TypeError, ImportError) as exc:
        log.warning("the facts of %s are not kept in %s (%s); they are made again in the "
                    "next process", ws.root, _folder(), exc)
        return _round_trip(frames)
    found = _read(entry, ws.root)
    return _round_trip(frames) if found is None else found[0]


def _tables(frames: Frames) -> dict[str, pd.DataFrame]:
    """The frames as the tables an entry holds (breaks as a frame naming its series)."""
    breaks = frames["breaks"]
    table = breaks.rename("year").to_frame()
    table.attrs = {"name": breaks.name, "index": breaks.index.name}
    return {"observations": frames["observations"], "hierarchy": frames["hierarchy"],
            "breaks": table}


def _round_trip(frames: Frames) -> Frames:
    """The frames as an entry gives them back (in memory: the store is off or could not
    be written), so that the facts are the same whether they were kept or not — parquet
    reads text columns as ``str`` where a computation may leave ``object``."""
    import io

    out: Frames = {}
    for name, table in _tables(frames).items():
        buffer = io.BytesIO()
        table.to_parquet(buffer)
        buffer.seek(0)
        out[name] = pd.read_parquet(buffer)
    out["breaks"] = _breaks_from(out["breaks"])
    return out


def _prune(key: str) -> None:
    """Keep the ``KEEP`` newest entries of a workspace and the ``KEEP_ALL`` newest in all;
    remove what killed writers left."""
    folder = _folder()
    files.remove_stale(folder)
    old = sorted(folder.glob(f"{key}-*"), key=_age)[KEEP:]
    old += sorted(folder.glob("[0-9a-f]*-*"), key=_age)[KEEP_ALL:]
    for entry in old:
        shutil.rmtree(entry, ignore_errors=True)
