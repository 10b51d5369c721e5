"""Stage 2, the workspace: one gemeente's folder — configuration, raw files with their
provenance, the parse cache, the programme budget file — and the commands that fill it
(``init``, ``import``, ``fetch``) or check it."""

from helpers.workspace.core import CONFIG_FILE, Config, Workspace, open_workspace, resolve

__all__ = ["CONFIG_FILE", "Config", "Workspace", "open_workspace", "resolve"]
