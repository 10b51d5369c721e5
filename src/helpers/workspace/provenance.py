"""``raw/provenance.yml``: where every raw file came from.

One entry per file: ``file``, ``kind``, ``source``, ``url``, ``table_id``, ``retrieved``,
``imported``, ``licence``, ``sha256``. ``retrieved`` is when the file was downloaded:
the download's time for ``stuurkit fetch``, the day the user gave (``--retrieved``) for
``stuurkit import``, else ``null`` — unknown, shown to readers as ``UNKNOWN``
("onbekend"); ``imported`` is when it was imported. (Entries written before 2026-12
took ``retrieved`` from the imported file's modification time; they are read as they
are.) ``read`` parses the file strictly (a broken file stops a run before it starts,
naming the line); ``add`` records new entries atomically, replacing earlier ones for
the same files — except an entry for the same bytes (same ``sha256``): a file imported
again keeps its first entry and dates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from helpers.errors import ConfigError
from helpers.files import write_text_atomic
from helpers.workspace import yamlfile

__all__ = ["FILE", "UNKNOWN", "read", "add", "retrieved"]

FILE = Path("raw") / "provenance.yml"
UNKNOWN = "onbekend"  # what readers are shown for a download day nobody recorded


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


def retrieved(entry: dict[str, Any]) -> str:
    """When the file of ``entry`` was downloaded, as readers are shown it: the recorded
    day or time, or ``UNKNOWN``."""
    value = entry.get("retrieved")
    return UNKNOWN if value is None or value == "" else str(value)


def add(root: Path, entries: list[dict[str, Any]]) -> None:
    """Append entries to ``raw/provenance.yml`` (atomically), replacing earlier entries
    of the same files; an earlier entry of the same file with the same ``sha256`` is
    kept as it is (a re-import does not rewrite its dates), only given a ``retrieved``
    it did not have."""
    path = root / FILE
    old = read(root)
    by_file = {e.get("file"): e for e in old}
    new = []
    for entry in entries:
        first = by_file.get(entry["file"])
        if first is not None and first.get("sha256") == entry.get("sha256"):
            if first.get("retrieved") is None and entry.get("retrieved") is not None:
                first["retrieved"] = entry["retrieved"]
            continue
        new.append(entry)
    replaced = {e["file"] for e in new}
    files = [e for e in old if e.get("file") not in replaced] + new
    write_text_atomic(path, yaml.safe_dump({"files": files}, sort_keys=False,
                                           allow_unicode=True))
