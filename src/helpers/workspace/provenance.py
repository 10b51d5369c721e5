"""``raw/provenance.yml``: where every raw file came from.

One entry per file: ``file``, ``kind``, ``source``, ``url``, ``table_id``, ``retrieved``,
``imported``, ``licence``, ``sha256``. ``read`` parses it strictly (a broken file stops
a run before it starts, naming the line); ``add`` records new entries atomically,
replacing earlier ones for the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from helpers.errors import ConfigError
from helpers.files import write_text_atomic
from helpers.workspace import yamlfile

__all__ = ["FILE", "read", "add"]

FILE = Path("raw") / "provenance.yml"


def read(root: Path) -> list[dict[str, Any]]:
    """The entries of a workspace's ``raw/provenance.yml`` (none when it is absent)."""
    path = root / FILE
    if not path.exists():
        return []
    try:
        doc = yamlfile.load(path.read_bytes()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). Restore it from a backup or "
                          "import the files again.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("files", []), list):
        raise ConfigError(f"{path}: expected a mapping with a list 'files'.")
    return list(doc.get("files", []))


def add(root: Path, entries: list[dict[str, Any]]) -> None:
    """Append entries to ``raw/provenance.yml`` (atomically), replacing earlier entries
    of the same files."""
    path = root / FILE
    doc = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    files = [e for e in doc.get("files", []) if e.get("file") not in {x["file"] for x in entries}]
    doc["files"] = files + entries
    write_text_atomic(path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
