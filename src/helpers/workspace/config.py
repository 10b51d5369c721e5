"""``stuurkit.yml``: the configuration of a workspace, read strictly and written back.

``read_config`` parses the file with the strict YAML loader and validates it against the
model below; every problem names the key (``sources.kaart[1].vintage: …``). Entries that
repeat an earlier one (the same file, kaart level and vintage, or schedule name) are
refused.

``edit_config`` reads the file for editing: checked by the strict loader first, then as
a round-trip document that keeps the user's comments, key order and quoting;
``add_source`` edits it and ``write_config`` writes it back atomically with only the
edited entries changed — after reading the text it would write with the strict loader
and validating it, so a file the kit writes is one it reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers import model
from helpers.errors import ConfigError
from helpers.files import write_text_atomic
from helpers.paths import data_dir
from helpers.workspace import yamlfile
from helpers.workspace.yamlfile import Id, Whole

__all__ = ["CONFIG_FILE", "Config", "Sources", "KaartLayer", "KwbFile", "ScheduleEntry",
           "Style", "read_config", "validate_config", "edit_config", "add_source",
           "set_file_entries", "write_config", "resolve"]

CONFIG_FILE = "stuurkit.yml"
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Gemeente(_Model):
    code: str = Field(pattern=model.GEMEENTE_CODE.pattern)
    name: str = Field(min_length=1)


class KaartLayer(_Model):
    file: str
    level: model.Level
    vintage: Whole = Field(ge=1990, le=2100)
    layer: str | None = None  # for files with several layers (GeoPackage)


class KwbFile(_Model):
    file: str
    year: Whole | None = Field(default=None, ge=1990, le=2100)  # when not in the file name
    layer: str | None = None  # the layer of a GeoPackage whose attributes are read
    # which file's figure is shown where files overlap: higher wins (workspace.precedence)
    priority: Whole = Field(default=0, ge=-100, le=100)


class Sources(_Model):
    kwb: list[str | KwbFile] = []
    kaart: list[KaartLayer] = []
    registrations: list[str] = []
    code_changes: list[str] = []  # CSV: jaar, oude_code, nieuwe_code

    def kwb_files(self) -> list[KwbFile]:
        """KWB entries in one form (a plain string is a file whose name gives the year)."""
        return [KwbFile(file=k) if isinstance(k, str) else k for k in self.kwb]

    def files(self, section: str) -> list[dict[str, Any]]:
        """The entries of one section as mappings with at least ``file``: what the source
        readers are given (``year``, ``level``, ``vintage``, ``layer`` where known)."""
        entries = self.kwb_files() if section == "kwb" else getattr(self, section)
        return [{"file": e} if isinstance(e, str) else e.model_dump(exclude_none=True)
                for e in entries]

    def named(self) -> list[tuple[str, str]]:
        """Every file the sources name: ``(key, file)``, e.g. ``("sources.kwb[0]", …)``."""
        sections = [name for name in type(self).model_fields if name != "code_changes"]
        named = [(f"sources.{section}[{i}]" + (".file" if section == "kaart" else ""),
                  entry["file"])
                 for section in sections for i, entry in enumerate(self.files(section))]
        named += [(f"sources.code_changes[{i}]", f) for i, f in enumerate(self.code_changes)]
        return named


class ScheduleEntry(_Model):
    name: Id("schedule")  # part of report file names (helpers.model.ID_PATTERNS)
    notebook: str
    for_each: Literal["wijk", "buurt", "programma"] | None = None
    within: Id("area") | None = None  # for_each wijk/buurt: only the areas inside this one
    parameters: dict[Id("parameter"), Any] = {}
    static: bool = False  # publish without scripts: charts as SVG (`stuurkit run --static`)


class Style(_Model):
    """House style: name, colours for charts, a logo file in the workspace."""

    name: str | None = None
    colours: list[Id("colour")] = []  # written into chart specs: #rrggbb or a CSS name
    logo: str | None = None


class Peers(_Model):
    """How the gemeente is compared with others (``helpers.analysis.peers``)."""

    # a peer group fixed by hand: CBS gemeente codes (e.g. the gemeenten of a region)
    codes: list[Annotated[str, Field(pattern=model.GEMEENTE_CODE.pattern)]] = []
    neighbours: Whole = Field(default=10, ge=3, le=50)  # k of the nearest neighbours


class Config(_Model):
    """The validated content of ``stuurkit.yml``."""

    gemeente: Gemeente
    demo: bool = False
    sources: Sources
    programme: str = "begroting.yml"
    duiding: str = "duiding"
    catalogue: str | None = None
    reports: str | None = None  # the reports folder (reports/<name>); default: the folder's name
    style: Style | None = None
    schedule: list[ScheduleEntry] = []
    peers: Peers = Peers()


def _config_error(path: Path, exc: ValidationError) -> ConfigError:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        given = err.get("input")
        shown = "" if isinstance(given, dict | list) else f" (given: {given!r})"
        lines.append(f"  {key}: {err['msg']}{shown}")
    return ConfigError(f"{path}: invalid configuration:\n" + "\n".join(lines)
                       + "\nFix these keys; see data/demo/stuurkit.yml for a complete example.")


def read_config(path: Path) -> Config:
    """The validated configuration in ``path`` (see the module docstring)."""
    if not path.exists():
        raise ConfigError(
            f"{path}: workspace configuration not found. Create the demo workspace with "
            "`stuurkit demo-data`, or point to a folder that holds a stuurkit.yml."
        )
    return validate_config(path, _parsed(path, path.read_bytes()))


def _parsed(path: Path, data: bytes | str) -> dict[str, Any]:
    """``data`` (the text of ``path``) read by the strict loader: a mapping, or a
    ``ConfigError`` naming the line."""
    try:
        doc = yamlfile.load(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}. Fix the file.") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with keys gemeente, sources, …")
    return doc


def edit_config(root: Path) -> dict[str, Any]:
    """``stuurkit.yml`` of the workspace ``root`` as a document to edit (with
    ``add_source``) and give to ``write_config``: first read strictly (a broken file is a
    ``ConfigError`` naming its line, as in ``read_config``), then round-trip, so that the
    user's comments, key order and quoting are written back as they were."""
    path = root / CONFIG_FILE
    data = path.read_bytes()
    _parsed(path, data)
    return yamlfile.edit_load(data.decode("utf-8"))


def validate_config(path: Path, doc: dict[str, Any]) -> Config:
    """The configuration ``doc`` (as parsed from ``path``) validated: the model, and no
    entry listed twice; ``ConfigError`` naming the keys otherwise."""
    try:
        config = Config.model_validate(doc)
    except ValidationError as exc:
        raise _config_error(path, exc) from exc
    twice = _listed_twice(config)
    if twice:
        raise ConfigError(f"{path}: listed twice:\n  " + "\n  ".join(twice)
                          + "\nRemove the repeated entries (a file read twice counts twice).")
    return config


def _section(doc: dict[str, Any], section: str) -> list:
    """The list ``sources.<section>`` of a parsed ``stuurkit.yml``, made when absent (as a
    round-trip value in a round-trip document)."""
    new = yamlfile.edit_value if hasattr(doc, "ca") else (lambda value: value)
    if doc.get("sources") is None:
        doc["sources"] = new({})
    if doc["sources"].get(section) is None:
        doc["sources"][section] = new([])
    return doc["sources"][section]


def add_source(doc: dict[str, Any], section: str, entry: str | dict[str, Any]) -> None:
    """Put one file's entry under ``sources.<section>`` of a parsed ``stuurkit.yml``: an
    entry for the same file (and, in the kaart, the same level) is replaced — a file
    imported again with another year or vintage is listed once, with the new one."""
    def identity(item: str | dict[str, Any]) -> tuple:
        item = {"file": item} if isinstance(item, str) else item
        return os.path.normpath(str(item.get("file"))), item.get("level")

    entries = _section(doc, section)
    at = next((i for i, old in enumerate(entries) if identity(old) == identity(entry)), None)
    if hasattr(entries, "ca"):  # a round-trip list (edit_config): comments kept
        yamlfile.edit_item(entries, at, entry)
    elif at is None:
        entries.append(entry)
    else:
        entries[at] = entry


def set_file_entries(doc: dict[str, Any], section: str, file: str,
                     entries: list[str | dict[str, Any]]) -> None:
    """Make ``entries`` the entries of one file under ``sources.<section>`` (a kaart
    GeoPackage gives several levels, a file of several years several vintages): the
    file's earlier entries are replaced in order (their comments kept), those left over
    removed, the new ones left over appended."""
    def file_of(item: str | dict[str, Any]) -> str:
        return os.path.normpath(str(item if isinstance(item, str) else item.get("file")))

    seq = _section(doc, section)
    same = [i for i, old in enumerate(seq) if file_of(old) == os.path.normpath(file)]
    for at, entry in zip(same, entries, strict=False):
        if hasattr(seq, "ca"):
            yamlfile.edit_item(seq, at, entry)
        else:
            seq[at] = entry
    for at in reversed(same[len(entries):]):
        del seq[at]
    for entry in entries[len(same):]:
        if hasattr(seq, "ca"):
            yamlfile.edit_item(seq, None, entry)
        else:
            seq.append(entry)


def _listed_twice(config: Config) -> list[str]:
    """Entries that repeat an earlier one: the same source file, kaart level and vintage,
    or schedule name."""
    src = config.sources
    keyed = [(f"sources.kwb[{i}]", ("kwb", os.path.normpath(k.file), k.year, k.layer))
             for i, k in enumerate(src.kwb_files())]
    keyed += [(f"sources.kaart[{i}]", ("kaart", k.level, k.vintage))
              for i, k in enumerate(src.kaart)]
    keyed += [(f"sources.registrations[{i}]", ("registrations", os.path.normpath(f)))
              for i, f in enumerate(src.registrations)]
    keyed += [(f"sources.code_changes[{i}]", ("code_changes", os.path.normpath(f)))
              for i, f in enumerate(src.code_changes)]
    keyed += [(f"schedule[{i}].name", ("schedule", e.name)) for i, e in enumerate(config.schedule)]
    first: dict[tuple, str] = {}
    twice = []
    for key, value in keyed:
        if value in first:
            shown = " ".join(str(v) for v in value[1:] if v is not None)
            twice.append(f"{key}: {shown} is also at {first[value]}")
        first.setdefault(value, key)
    return twice


def resolve(workspace: str | Path) -> Path:
    """Folder of a workspace given its name (``data/<name>``) or a path."""
    candidate = Path(workspace).expanduser()
    if candidate.is_absolute() or (candidate / CONFIG_FILE).exists():
        return candidate.resolve()
    return (data_dir() / str(workspace)).resolve()


def _config_header(path: Path) -> str:
    lines = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def write_config(root: Path, doc: dict[str, Any]) -> None:
    """Write ``stuurkit.yml`` atomically: a document of ``edit_config`` with the user's
    comments, key order and quoting, a plain mapping (a new workspace) after the file's
    leading comment lines. The text is read back by the strict loader and validated
    before it is written: a ``doc`` that would not validate is refused (``ConfigError``)
    and the file left as it was."""
    path = root / CONFIG_FILE
    if hasattr(doc, "ca"):  # round-trip (edit_config)
        original = path.read_text(encoding="utf-8") if path.exists() else ""
        text = yamlfile.edit_dump(doc, original)
    else:
        text = _config_header(path) + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True,
                                                     width=100)
    validate_config(path, _parsed(path, text))
    write_text_atomic(path, text)
