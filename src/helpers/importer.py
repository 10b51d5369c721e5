"""Creating workspaces and adding source files to them.

``init_workspace`` makes the skeleton of a new gemeente's workspace. ``import_files``
adds files downloaded elsewhere (KWB download or StatLine export, kaart layers,
registrations): it detects each file's kind, parses it completely *before* anything is
written, copies it unchanged into ``raw/`` (raw files are immutable), records its
provenance and adds it to ``stuurkit.yml``. A failed import leaves the workspace as it
was.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from helpers.cache import sha256
from helpers.errors import ConfigError, DataError
from helpers.files import write_text_atomic
from helpers.locks import workspace_lock
from helpers.sources import kaart, kwb, registrations
from helpers.workspace import CONFIG_FILE, open_workspace

__all__ = ["init_workspace", "import_files", "detect_kind", "Imported", "CBS_LICENCE",
           "write_config", "add_provenance"]

log = logging.getLogger(__name__)

CBS_LICENCE = "CC BY 4.0 (bron: CBS)"
_GEO_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb"}
_TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
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
    kind: str  # kwb | statline | kaart | registrations
    detail: dict[str, Any]
    new: bool


def _config_header(path: Path) -> str:
    lines = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def write_config(root: Path, doc: dict[str, Any]) -> None:
    """Write ``stuurkit.yml`` atomically, keeping its leading comment lines."""
    path = root / CONFIG_FILE
    text = _config_header(path) + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True,
                                                 width=100)
    write_text_atomic(path, text)


def init_workspace(path: str | Path, code: str, name: str | None = None) -> Path:
    """Create a new, empty workspace for gemeente ``code`` at ``path``."""
    root = Path(path).expanduser().resolve()
    if not re.fullmatch(r"GM\d{4}", code or ""):
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


def detect_kind(path: Path) -> str:
    """kwb | statline | kaart | registrations, from the file's content."""
    suffix = path.suffix.lower()
    if suffix in _GEO_SUFFIXES:
        return "kaart"
    if suffix not in _TABLE_SUFFIXES:
        raise DataError(f"{path}: unknown file type {suffix or '(none)'}. Import CBS KWB "
                        "tables (.xlsx/.csv), StatLine CSV exports, kaart layers (.gpkg, .shp, "
                        ".geojson) or registrations (.csv/.xlsx).")
    table = kwb.read_table(path)
    columns = {str(c).strip().lower() for c in table.columns}
    if "gwb_code_10" in columns:
        return "kwb"
    if kwb.is_statline(table.columns):
        return "statline"
    if {"area_code", "variable"} <= columns:
        return "registrations"
    shown = ", ".join(list(map(str, table.columns))[:6])
    raise DataError(
        f"{path}: cannot tell what this table is (columns: {shown}…). Expected a CBS KWB "
        "download (gwb_code_10, …), a StatLine export (…Codering (code)…) or registrations "
        "(area_code, year, variable, value)."
    )


def _year_in_name(path: Path) -> int | None:
    match = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.name)
    return int(match.group(1)) if match else None


def _validate(path: Path, kind: str, gemeente: str, year: int | None, vintage: int | None,
              level: str | None) -> dict[str, Any]:
    """Parse the file completely; return what goes into stuurkit.yml."""
    digits = gemeente[2:]
    if kind in ("kwb", "statline"):
        tidy = kwb.read_kwb(path, year=year)
        own = tidy[tidy["area_code"].str[2:6] == digits]
        if own.empty:
            raise DataError(f"{path}: no rows for {gemeente}; this file belongs to another "
                            "gemeente (or to none).")
        detail = {"year": int(own["year"].iloc[0]), "areas": own["area_code"].nunique()}
        return detail
    if kind == "registrations":
        tidy = registrations.read_registrations(path)
        foreign = tidy[tidy["area_code"].str[2:6] != digits]
        if len(foreign):
            raise DataError(f"{path}: area code {foreign['area_code'].iloc[0]} is not in "
                            f"{gemeente}. Registrations must be of this gemeente only.")
        return {"rows": len(tidy)}
    level = level or kaart.detect_level(path)
    vintage = vintage or _year_in_name(path)
    if vintage is None:
        raise DataError(f"{path}: cannot tell the kaart's year from its name; give it with "
                        "--vintage YEAR.")
    areas = kaart.read_kaart(path, level, vintage)
    own = areas[areas["code"].str[2:6] == digits]
    if own.empty:
        raise DataError(f"{path}: no {level} areas of {gemeente} in this layer.")
    return {"level": level, "vintage": int(vintage), "areas": len(own)}


def _source_label(kind: str, detail: dict[str, Any], path: Path) -> tuple[str, str | None]:
    if kind == "kwb":
        return f"CBS Kerncijfers wijken en buurten {detail['year']}", CBS_LICENCE
    if kind == "statline":
        return f"CBS StatLine ({path.name})", CBS_LICENCE
    if kind == "kaart":
        return f"CBS wijk- en buurtkaart {detail['vintage']} ({detail['level']})", CBS_LICENCE
    return f"Eigen registratie ({path.name})", None


def add_provenance(root: Path, entries: list[dict[str, Any]]) -> None:
    """Append entries to ``raw/provenance.yml`` (atomically)."""
    path = root / "raw" / "provenance.yml"
    doc = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    files = [e for e in doc.get("files", []) if e.get("file") not in {x["file"] for x in entries}]
    doc["files"] = files + entries
    write_text_atomic(path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


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
    for name in files:
        path = Path(name).expanduser().resolve()
        if not path.exists():
            raise DataError(f"{path}: file not found.")
        kind = detect_kind(path)
        detail = _validate(path, kind, gemeente, year, vintage, level)
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
        plans.append((path, kind, detail, copies, new))

    copied: list[Path] = []
    provenance_file = raw / "provenance.yml"
    old_provenance = (provenance_file.read_text(encoding="utf-8")
                      if provenance_file.exists() else None)
    try:
        raw.mkdir(parents=True, exist_ok=True)
        doc = yaml.safe_load((root / CONFIG_FILE).read_text(encoding="utf-8"))
        sources = doc.setdefault("sources", {})
        provenance = []
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        for path, kind, detail, copies, _ in plans:
            for source, target in copies:
                if not target.exists():
                    shutil.copy2(source, target)
                    copied.append(target)
            relative = f"raw/{path.name}"
            if kind in ("kwb", "statline"):
                entry: Any = relative
                if _year_in_name(path) != detail["year"] or kind == "statline":
                    entry = {"file": relative, "year": detail["year"]}
                listed = [e if isinstance(e, str) else e.get("file")
                          for e in sources.setdefault("kwb", [])]
                if relative not in listed:
                    sources["kwb"].append(entry)
            elif kind == "kaart":
                layers = sources.setdefault("kaart", [])
                entry = {"file": relative, "level": detail["level"],
                         "vintage": detail["vintage"]}
                if entry not in layers:
                    layers.append(entry)
            else:
                if relative not in sources.setdefault("registrations", []):
                    sources["registrations"].append(relative)
            label, licence = _source_label(kind, detail, path)
            modified = datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
            provenance.append({
                "file": path.name, "kind": kind, "source": label, "url": None,
                "table_id": None, "retrieved": modified, "imported": now,
                "imported_from": str(path), "licence": licence, "sha256": sha256(path),
            })
        add_provenance(root, provenance)
        write_config(root, doc)
    except BaseException:
        for target in copied:
            target.unlink(missing_ok=True)
        if old_provenance is not None:
            write_text_atomic(provenance_file, old_provenance)
        raise
    return [Imported(path, raw / path.name, kind, detail, new)
            for path, kind, detail, _, new in plans]
