"""Creating workspaces and adding source files to them.

``init_workspace`` makes the skeleton of a new gemeente's workspace. ``import_files``
adds files downloaded elsewhere (KWB download or StatLine export, kaart layers and
attribute tables, registrations): the source registry (``helpers.sources.READERS``)
recognises each file and its reader parses it completely *before* anything is
visible, copies it unchanged into ``raw/`` (raw files are immutable), records its
provenance and adds it to ``stuurkit.yml``. A failed import leaves the workspace as it
was.

How an import stays whole, whatever stops it:

1. every file (a shapefile with its parts) is copied into ``raw/.incoming-<pid>/`` under
   its own name; the copy — not the original, which may change meanwhile — is what is
   validated, hashed and kept. A full disk or an unreadable file stops the import here;
2. when every copy is valid — and every new kaart area lies in an area of the layer
   above of its vintage (imported now or before) — each is renamed into ``raw/`` (a
   rename within one folder: a file is there whole or not at all), then
   ``provenance.yml`` and ``stuurkit.yml`` are written (each atomically). An error in
   this step removes the files it placed;
3. ``raw/.incoming-*`` is removed when the import ends. After a ``kill -9`` it stays, but
   it is hidden, never counted as a workspace file, and the next import — which holds the
   workspace's exclusive lock, so no other import can own it — removes it first. A kill
   between the renames and ``stuurkit.yml`` leaves raw files that nothing names yet; the
   same files import again (same content: not refused) and complete the import.

Two files that would get one name in ``raw/`` (from two folders, or a shapefile part and
another file) are refused, as are folders and anything that is not a regular file.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from helpers import model
from helpers.errors import ConfigError, DataError, StuurkitError
from helpers.files import write_text_atomic
from helpers.sources import READERS, Probe, Reader, Request
from helpers.workspace import provenance
from helpers.workspace.cache import sha256
from helpers.workspace.config import CONFIG_FILE, edit_config, set_file_entries, write_config
from helpers.workspace.core import areas_for, lost_shown, open_workspace, unparented
from helpers.workspace.locks import workspace_lock

__all__ = ["init_workspace", "import_files", "write_demo", "detect_kind", "Imported"]

log = logging.getLogger(__name__)

_SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx")
_TABLE_PARTS = (".prj", ".cpg")  # beside a .dbf: its projection and its encoding
INCOMING = ".incoming-"  # raw/.incoming-<pid>/: the copies of an import in progress

BEGROTING_TEMPLATE = """\
# Programmabegroting van {name} ({code}).
# Per programma: doelen met indicatoren (uit de indicatorcatalogus), een nulmeting en een
# streefwaarde, een eigenaar en afgesproken acties; en het budget per jaar.
# Zie data/demo/begroting.yml voor een volledig voorbeeld.
gemeente: {code}
begrotingsjaar: {year}
programmas: []
#  - id: P1
#    naam: Werk en inkomen
#    portefeuillehouder: Wethouder Werk en Inkomen
#    budget_eenheid: miljoen euro
#    budget:
#      - {{jaar: {year}, begroot: 60.0, realisatie: null}}
#    doelen:
#      - id: P1.1
#        titel: Minder inwoners afhankelijk van de bijstand
#        eigenaar: Team Inkomen
#        indicatoren:
#          - indicator: bijstand_per_1000
#            nulmeting: {{jaar: 2019, waarde: 23.7}}
#            streefwaarde: {{jaar: 2026, waarde: 21.4}}
#        acties:
#          - {{wat: Intensieve begeleiding, wie: Team Inkomen,
#             gereed: '2026-06-30', status: lopend}}
"""


@dataclass(frozen=True)
class Imported:
    """What one imported file became."""

    source: Path
    target: Path
    kind: str  # the reader's kind (helpers.sources.READERS): kwb, statline, kaart, …
    detail: dict[str, Any]
    new: bool


def init_workspace(path: str | Path, code: str, name: str | None = None) -> Path:
    """Create a new, empty workspace for gemeente ``code`` at ``path``."""
    root = Path(path).expanduser().resolve()
    if not model.GEMEENTE_CODE.fullmatch(code or ""):
        raise ConfigError(f"--gemeente {code!r} is not a CBS gemeente code; it looks like "
                          "GM0344 (GM and four digits, see CBS 'Gemeentelijke indeling').")
    if root.exists() and any(root.iterdir()):
        raise ConfigError(f"{root} exists and is not empty; choose a new folder for the "
                          "workspace.")
    name = name or f"Gemeente {code}"
    year = date.today().year
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / "duiding").mkdir(exist_ok=True)
    write_text_atomic(root / "raw" / "provenance.yml", yaml.safe_dump({"files": []}))
    write_text_atomic(root / "begroting.yml", BEGROTING_TEMPLATE.format(
        name=name, code=code, year=year))
    write_text_atomic(root / "duiding" / "README.md",
                      "Duiding per jaar en doel: `duiding/<jaar>/<doel-id>.md`, in het "
                      "Nederlands, door analisten geschreven.\n")
    header = (f"# Stuurkit workspace for {name} ({code}).\n"
              "# Add data with `stuurkit fetch` (from CBS/PDOK) or `stuurkit import FILE…`.\n")
    write_text_atomic(root / CONFIG_FILE, header)
    write_config(root, {
        "gemeente": {"code": code, "name": name},
        "sources": {"kwb": [], "kaart": [], "registrations": []},
        "programme": "begroting.yml",
        "duiding": "duiding",
        # no year: each run takes the newest statistics year the workspace has by then
        "schedule": [{"name": "wijkprofielen", "notebook": "10_wijkprofiel.ipynb",
                      "for_each": "wijk"}],
    })
    return root


def write_demo(path: str | Path) -> list[Path]:
    """(Re)write the demo workspace into ``path`` (``helpers.sources.demo``) while holding
    the workspace's exclusive lock: refused while a run reads it."""
    from helpers.sources import demo

    with workspace_lock(Path(path), exclusive=True, action="regenerate"):
        return demo.generate(path)


def detect_kind(path: Path) -> str:
    """The kind of a file (``kwb``, ``statline``, ``kaart``, …), from its content: the
    first reader of the registry that recognises it."""
    return READERS.detect(Probe(Request(path))).kind


def _validate(path: Path, gemeente: str, year: int | None, vintage: int | None,
              level: str | None, areas=None) -> list[tuple[Reader, Probe, dict[str, Any], Any]]:
    """Recognise and parse the file completely, keeping the gemeente's part: all it holds
    (``Reader.requests``: a kaart layer also its statistics, a GeoPackage each level's
    layer, a file of several years each year), each as its reader, the probe (what is
    known of it), what the import reports and the frame."""
    request = Request(path, gemeente=gemeente, year=year, vintage=vintage, level=level,
                      areas=areas)
    probe = Probe(request)
    first = READERS.detect(probe)
    found = []
    for section, asked in first.requests(request):
        reader = first if section == first.section and not found else READERS.detect(
            Probe(asked), section)
        part = probe if asked == request else Probe(asked)
        own = reader.load(part)
        found.append((reader, part, reader.describe(own, part), own))
    return found


def _parts(path: Path) -> list[Path]:
    """The file and, for a shapefile, the parts beside it that go with it."""
    parts = [path]
    kinds = {".shp": _SHAPEFILE_PARTS, ".dbf": _TABLE_PARTS}.get(path.suffix.lower(), ())
    if kinds:
        for part in kinds:
            for candidate in (path.with_suffix(part), path.with_suffix(part.upper())):
                if candidate.is_file() and candidate not in parts:
                    parts.append(candidate)
    return parts


def _main_file(path: Path) -> Path | None:
    """The shapefile or attribute table beside which ``path`` is a part, else ``None``."""
    if path.suffix.lower() not in _SHAPEFILE_PARTS:
        return None
    for suffix in (".shp", ".SHP", ".dbf", ".DBF"):
        main = path.with_suffix(suffix)
        if main != path and main.is_file() and path in _parts(main):
            return main
    return None


def _sources(files: list[str | Path]) -> list[Path]:
    """The files to import (the same file given twice counts once); a folder, a device or
    a missing file is refused, and so are two files that would get one name in raw/."""
    sources: list[Path] = []
    named: dict[str, Path] = {}  # name in raw/ (case-folded) -> the file that takes it
    given = {Path(name).expanduser().resolve() for name in files}
    for name in files:
        path = Path(name).expanduser().resolve()
        main = _main_file(path)
        if main is not None:  # a .prj or .cpg goes with its shapefile or table
            if main in given:
                continue
            if path.suffix.lower() != ".dbf":  # a .dbf alone is an attribute table
                    raise DataError(f"{path}: is a part of {main.name}; import {main} (its "
                                "parts beside it go with it).")
        if not path.exists():
            raise DataError(f"{path}: file not found.")
        if path.is_dir():
            raise DataError(f"{path}: is a folder; import the files in it one by one (CBS OData "
                            "tables are downloaded with `stuurkit fetch`).")
        if not path.is_file():
            raise DataError(f"{path}: is not a regular file (a device, pipe or socket); "
                            "import a downloaded file.")
        if path in sources:
            continue
        for part in _parts(path):
            other = named.setdefault(part.name.casefold(), part)
            if other != part:
                raise DataError(f"{part}: another file of this import, {other}, has the same "
                                f"name; raw/{part.name} can hold one of them. Rename one (e.g. "
                                "add the download date) and import again.")
        sources.append(path)
    return sources


def _clear_incoming(raw: Path) -> None:
    """Remove what imports that were killed left in raw/ (``.incoming-<pid>``). Called with
    the workspace's exclusive lock held: no other import can be using them."""
    for leftover in raw.glob(INCOMING + "*"):
        log.info("removing %s, left by an import that did not finish", leftover)
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` to a new file ``target``, on disk before this returns; a failure
    (full disk, unreadable file) is a ``DataError`` naming both."""
    try:
        with source.open("rb") as src, target.open("xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copystat(source, target)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise DataError(
            f"{source}: could not be copied into {target.parent.parent} ({exc.strerror or exc})"
            + ("; the disk is full. Free some space" if full else "; check the file and the "
               "folder's permissions") + " and import again. Nothing was imported.") from exc


@contextmanager
def _as_originals(copies: dict[Path, Path]) -> Iterator[None]:
    """Messages and warnings about the copies name the original files instead."""
    def named(text: str) -> str:
        for copy, original in copies.items():
            text = text.replace(str(copy), str(original))
        return text

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    except StuurkitError as exc:
        exc.args = (named(str(exc)),)
        raise
    finally:
        for warning in caught:
            warnings.warn_explicit(named(str(warning.message)), warning.category,
                                   warning.filename, warning.lineno)


def import_files(workspace: str | Path, files: list[str | Path], year: int | None = None,
                 vintage: int | None = None, level: str | None = None,
                 retrieved: date | str | None = None) -> list[Imported]:
    """Add files to a workspace (see the module docstring).

    ``retrieved`` is the day the files were downloaded (``YYYY-MM-DD``), recorded in
    ``raw/provenance.yml`` with the time of the import (``imported``); without it the
    download day is unknown. Holds the workspace's exclusive lock: refused while a run
    reads the workspace.
    """
    day = _retrieved_day(retrieved)
    ws = open_workspace(workspace, check=False)
    with workspace_lock(ws.root, exclusive=True, action="import into"):
        return _import_files(ws, files, year, vintage, level, day)


def _retrieved_day(given: date | str | None) -> str | None:
    """``--retrieved`` as an ISO day: a real date, not in the future."""
    if given is None:
        return None
    try:
        day = given if isinstance(given, date) else date.fromisoformat(str(given))
    except ValueError:
        raise DataError(f"--retrieved {given!r} is not a date; give the day you downloaded "
                        "the files as YYYY-MM-DD, e.g. 2025-03-14.") from None
    if day > date.today():
        raise DataError(f"--retrieved {day.isoformat()} lies in the future; give the day you "
                        "downloaded the files.")
    return day.isoformat()


def _import_files(ws, files: list[str | Path], year: int | None, vintage: int | None,
                  level: str | None, retrieved: str | None = None) -> list[Imported]:
    root = ws.root
    raw = root / "raw"
    gemeente = ws.config.gemeente.code
    # kaart layers first: a table of the same import may name its areas only
    sources = sorted(_sources(files), key=lambda path: not READERS.may_hold_areas(path))
    raw.mkdir(parents=True, exist_ok=True)
    _clear_incoming(raw)
    incoming = raw / f"{INCOMING}{os.getpid()}"
    incoming.mkdir()
    try:
        plans, layers = [], []
        copies: dict[Path, Path] = {}
        for path in sources:
            parts = []
            for part in _parts(path):
                copy = incoming / part.name
                _copy(part, copy)
                copies[copy] = part
                parts.append((copy, raw / part.name))
            with _as_originals(copies):
                held = _validate(incoming / path.name, gemeente, year, vintage, level,
                                 _area_names(ws, layers))
            new = True
            for copy, target in parts:
                if target.exists():
                    if sha256(target) != sha256(copy):
                        raise DataError(
                            f"{target} already exists with other content; raw files are never "
                            f"overwritten. Rename {copies[copy].name} (e.g. add the download "
                            "date) and import it again.")
                    new = False
            plans.append((path, held, parts, new))
            layers += [(path, detail, own) for reader, _, detail, own in held
                       if READERS.areas(reader.section)]
        _check_layers(ws, layers)
        _check_hierarchy(ws, layers)
        _commit(root, plans, retrieved)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return [Imported(path, raw / path.name, reader.kind, detail, new)
            for path, held, _, new in plans for reader, _, detail, _ in held]


def _area_names(ws, layers: list[tuple[Path, dict[str, Any], Any]]):
    """``year → (code, level, name)`` of the areas a year is shown on: the workspace's
    kaart layers with those of this import (read before its tables) — what a StatLine
    export that names its regions only is matched to."""
    import pandas as pd

    def names(year: int) -> tuple[tuple[str, str, str], ...]:
        frames = [own for _, _, own in layers]
        try:
            if ws.config.sources.kaart:
                frames.append(ws.areas)
        except StuurkitError:  # a broken layer is `check`'s to report
            pass
        if not frames:
            return ()
        every = pd.concat(frames, ignore_index=True).drop_duplicates(["code", "vintage"])
        shown = areas_for(every, int(year))
        return tuple(sorted(zip(shown["code"], shown["level"], shown["name"], strict=True)))

    return names


def _check_layers(ws, layers: list[tuple[Path, dict[str, Any], Any]]) -> None:
    """Refuse a kaart layer of a level and vintage that another file already gives (two
    files cannot both draw the wijken of 2017: the configuration would be refused)."""
    given = {(k.level, k.vintage): k.file for k in ws.config.sources.kaart}
    seen: dict[tuple, Path] = {}
    for path, detail, _ in layers:
        key = (detail["level"], detail["vintage"])
        other = given.get(key)
        if other is not None and Path(other).name != path.name:
            raise DataError(
                f"{path}: the {key[0]} layer of {key[1]} is already given by {other} "
                "(sources.kaart). Remove that entry from stuurkit.yml first, or import this "
                "file with another --vintage.")
        if key in seen and seen[key] != path:
            raise DataError(f"{path}: {seen[key]} in the same import also gives the {key[0]} "
                            f"layer of {key[1]}; import one of them.")
        seen[key] = path


def _check_hierarchy(ws, layers: list[tuple[Path, dict[str, Any], Any]]) -> None:
    """Refuse kaart layers whose areas lie in an area that the layer above of the same
    vintage (imported now or before) does not have: their figures would drop out of its
    sums (``core.unparented``)."""
    if not layers:
        return
    import pandas as pd

    new = {(d["level"], d["vintage"]): (path, own) for path, d, own in layers}
    frames = [own for _, own in new.values()]
    try:
        old = ws.areas if ws.config.sources.kaart else None
    except StuurkitError:  # a broken layer is `check`'s to report; this import may fix it
        old = None
    if old is not None:
        keep = [(lvl, v) not in new for lvl, v in zip(old["level"], old["vintage"], strict=True)]
        frames.append(old[keep])
    areas = pd.concat(frames, ignore_index=True)
    for vintage in sorted({v for _, v in new}):
        for level, above, lost, _ in unparented(areas[areas["vintage"] == vintage]):
            files = [str(new[key][0]) for key in ((level, vintage), (above, vintage)) if key in new]
            raise DataError(
                f"{' and '.join(files)}: {len(lost)} {level} areas of {vintage} lie in a {above} "
                f"that the {above} layer of {vintage} does not have: {lost_shown(lost)}. Their "
                f"figures would drop out of the {above}'s sums. Import the {above} layer that "
                "belongs with these areas (CBS's original files of one year).")


def _commit(root: Path, plans: list[tuple], retrieved: str | None = None) -> None:
    """Rename the validated copies into raw/, then record provenance (``retrieved``: the
    download day when the user gave it, else unknown — a copy's modification time says
    when it was copied, not downloaded) and the config (its comments kept); an error takes
    the renamed files out again and restores provenance.yml."""
    raw = root / "raw"
    placed: list[Path] = []
    provenance_file = raw / "provenance.yml"
    old_provenance = (provenance_file.read_text(encoding="utf-8")
                      if provenance_file.exists() else None)
    try:
        doc = edit_config(root)
        provenance_entries: list[dict[str, Any]] = []
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        for path, held, parts, _ in plans:
            reader, probe, detail, _ = held[0]
            kept = parts[0][0]
            digest = sha256(kept)  # the bytes that were validated and are kept
            for copy, target in parts:
                if not target.exists():
                    os.replace(copy, target)
                    placed.append(target)
            relative = f"raw/{path.name}"
            for section in dict.fromkeys(r.section for r, _, _, _ in held):
                set_file_entries(doc, section, relative, [
                    r.entry(relative, d) for r, _, d, _ in held if r.section == section])
            provenance_entries.append({
                "file": path.name, "kind": reader.kind, "source": reader.label(probe, detail),
                "url": None, "table_id": None, "retrieved": retrieved, "imported": now,
                "imported_from": str(path), "licence": reader.licence, "sha256": digest,
            })
            provenance_entries += [{  # a shapefile's or table's parts: recorded as its own
                "file": target.name, "kind": f"part of {path.name}",
                "source": reader.label(probe, detail), "url": None, "table_id": None,
                "retrieved": retrieved, "imported": now,
                "imported_from": str(path.with_name(target.name)), "licence": reader.licence,
                "sha256": sha256(target)} for _, target in parts[1:]]
        provenance.add(root, provenance_entries)
        write_config(root, doc)
    except BaseException:
        for target in placed:
            target.unlink(missing_ok=True)
        if old_provenance is not None:
            write_text_atomic(provenance_file, old_provenance)
        raise
