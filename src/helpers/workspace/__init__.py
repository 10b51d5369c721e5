"""Stage 2, the workspace: one gemeente's folder — configuration, raw files with their
provenance, the parse cache, the programme budget file — and the commands that fill it
(``init``, ``import``, ``fetch``) or check it.

``Workspace``, ``open_workspace`` and the rest of ``core`` are loaded on first use, so
that a process needing only ``locks`` or ``config`` does not import pandas and geopandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.workspace.core import CONFIG_FILE, Config, Workspace, open_workspace, resolve

__all__ = ["CONFIG_FILE", "Config", "Workspace", "open_workspace", "resolve"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("helpers.workspace.core"), name)
    raise AttributeError(f"module 'helpers.workspace' has no attribute {name!r}")
