"""Creating workspaces and adding source files to them.

``init_workspace`` makes the skeleton of a new gemeente's workspace. ``import_files``
adds files downloaded elsewhere (KWB download or StatLine export, kaart layers and
attribute tables, registrations): the source registry (``helpers.sources.READERS``)
recognises each file and its reader parses it completely *before* anything is
written, copies it unchanged into ``raw/`` (raw files are immutable), records its
provenance and adds it to ``stuurkit.yml``. A failed import leaves the workspace as it
was.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from helpers import model
from helpers.errors import ConfigError, DataError
from helpers.files import write_text_atomic
from helpers.sources import READERS, Probe, Reader, Request
from helpers.workspace import provenance
from helpers.workspace.cache import sha256
from helpers.workspace.config import CONFIG_FILE, add_source, write_config
from helpers.workspace.core import open_workspace
from helpers.workspace.locks import workspace_lock

__all__ = ["init_workspace", "import_files", "write_demo", "detect_kind", "Imported"]

log = logging.getLogger(__name__)

_SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx")

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
        "schedule": [{"name": "wijkprofielen", "notebook": "10_wijkprofiel.ipynb",
                      "for_each": "wijk", "parameters": {"year": year - 2}}],
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
              level: str | None) -> tuple[Reader, Probe, dict[str, Any]]:
    """Recognise and parse the file completely, keeping the gemeente's part; return its
    reader, the probe (what is known of the file) and what the import reports."""
    if path.is_dir():
        raise DataError(f"{path}: is a folder; import the files in it one by one (CBS OData "
                        "tables are downloaded with `stuurkit fetch`).")
    request = Request(path, gemeente=gemeente, year=year, vintage=vintage, level=level)
    probe = Probe(request)
    reader = READERS.detect(probe)
    resolved = reader.resolve(request)
    if resolved != request:  # the kaart's level and vintage found: a probe that knows them
        probe = Probe(resolved)
    own = reader.load(probe)
    return reader, probe, reader.describe(own, probe)


def _copy_targets(path: Path, raw: Path) -> list[tuple[Path, Path]]:
    pairs = [(path, raw / path.name)]
    if path.suffix.lower() == ".shp":
        for part in _SHAPEFILE_PARTS:
            for candidate in (path.with_suffix(part), path.with_suffix(part.upper())):
                if candidate.exists():
                    pairs.append((candidate, raw / candidate.name))
    return pairs


def import_files(workspace: str | Path, files: list[str | Path], year: int | None = None,
                 vintage: int | None = None, level: str | None = None) -> list[Imported]:
    """Add files to a workspace (see the module docstring).

    Holds the workspace's exclusive lock: refused while a run reads the workspace.
    """
    ws = open_workspace(workspace, check=False)
    with workspace_lock(ws.root, exclusive=True, action="import into"):
        return _import_files(ws, files, year, vintage, level)


def _import_files(ws, files: list[str | Path], year: int | None, vintage: int | None,
                  level: str | None) -> list[Imported]:
    root = ws.root
    raw = root / "raw"
    gemeente = ws.config.gemeente.code
    plans = []
    named: dict[str, Path] = {}
    for name in files:
        path = Path(name).expanduser().resolve()
        if not path.exists():
            raise DataError(f"{path}: file not found.")
        if path.name in named and named[path.name] != path:
            raise DataError(f"{path}: another file of this import, {named[path.name]}, has the "
                            f"same name; raw/{path.name} can hold one of them. Rename one (e.g. "
                            "add the download date) and import again.")
        named[path.name] = path
        reader, probe, detail = _validate(path, gemeente, year, vintage, level)
        copies = _copy_targets(path, raw)
        new = True
        for source, target in copies:
            if target.exists():
                if sha256(target) != sha256(source):
                    raise DataError(
                        f"{target} already exists with other content; raw files are never "
                        f"overwritten. Rename {source.name} (e.g. add the download date) and "
                        "import it again.")
                new = False
        plans.append((path, reader, probe, detail, copies, new))

    copied: list[Path] = []
    provenance_file = raw / "provenance.yml"
    old_provenance = (provenance_file.read_text(encoding="utf-8")
                      if provenance_file.exists() else None)
    try:
        raw.mkdir(parents=True, exist_ok=True)
        doc = yaml.safe_load((root / CONFIG_FILE).read_text(encoding="utf-8"))
        provenance_entries: list[dict[str, Any]] = []
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        for path, reader, probe, detail, copies, _ in plans:
            for source, target in copies:
                if not target.exists():
                    shutil.copy2(source, target)
                    copied.append(target)
            add_source(doc, reader.section, reader.entry(f"raw/{path.name}", detail))
            modified = datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
            provenance_entries.append({
                "file": path.name, "kind": reader.kind, "source": reader.label(probe, detail),
                "url": None, "table_id": None, "retrieved": modified, "imported": now,
                "imported_from": str(path), "licence": reader.licence, "sha256": sha256(path),
            })
        provenance.add(root, provenance_entries)
        write_config(root, doc)
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        if old_provenance is not None:
            write_text_atomic(provenance_file, old_provenance)
        raise
    return [Imported(path, raw / path.name, reader.kind, detail, new)
            for path, reader, _, detail, _, new in plans]
