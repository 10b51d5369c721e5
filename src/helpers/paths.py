"""Project folders. Imports nothing else from the package.

Every location can be overridden with an environment variable so that the kit
works from any working directory and in installed (non-editable) form:

``STUURKIT_ROOT``
    the project root (holds ``data/``, ``reports/`` and ``notebooks/``).
``STUURKIT_DATA``, ``STUURKIT_REPORTS``, ``STUURKIT_CACHE``
    the data, reports and cache folders.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "project_root",
    "data_dir",
    "reports_dir",
    "notebooks_dir",
    "cache_dir",
    "package_dir",
    "templates_dir",
]

_MARKERS = ("pyproject.toml", "notebooks")


def package_dir() -> Path:
    """Folder of the installed ``helpers`` package."""
    return Path(__file__).resolve().parent


def templates_dir() -> Path:
    """Folder with the nbconvert templates shipped in the package."""
    return package_dir() / "publish" / "templates"


def _looks_like_root(path: Path) -> bool:
    return all((path / marker).exists() for marker in _MARKERS) and (path / "data").is_dir()


def project_root() -> Path:
    """Return the project root.

    ``STUURKIT_ROOT`` wins; otherwise the root is found from the package location
    (``src/helpers`` in a checkout), then from the working directory upwards.
    """
    env = os.environ.get("STUURKIT_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    candidates = [package_dir().parent.parent, *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for candidate in candidates:
        if _looks_like_root(candidate):
            return candidate
    return Path.cwd().resolve()


def _folder(env_name: str, default: Path) -> Path:
    env = os.environ.get(env_name)
    return Path(env).expanduser().resolve() if env else default


def data_dir() -> Path:
    """Folder holding one sub-folder per workspace (``data/<workspace>``)."""
    return _folder("STUURKIT_DATA", project_root() / "data")


def reports_dir() -> Path:
    """Folder receiving the published reports (``reports/<workspace>``)."""
    return _folder("STUURKIT_REPORTS", project_root() / "reports")


def notebooks_dir() -> Path:
    """Folder with the report notebooks."""
    return _folder("STUURKIT_NOTEBOOKS", project_root() / "notebooks")


def cache_dir() -> Path:
    """Per-user cache for derived, re-creatable files (e.g. the chart JS bundle)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return _folder("STUURKIT_CACHE", base / "stuurkit")
