"""A user's mistake in a report shows as a short Dutch message, not as a traceback.

Every report module's ``start`` first calls ``prepare(workspace)``: it registers an
IPython handler for ``StuurkitError`` (a wrong parameter, an invalid file: the mistakes
the kit names on purpose) and checks the ``workspace`` parameter. The handler writes one
Dutch line — what kind of mistake, and where to fix it — above the error's own message
(which names the value and the valid choices) and leaves out the 70 lines of traceback.
The cell still fails: the kernel reports an ``error`` output with the exception's class
and message, so papermill raises ``PapermillExecutionError`` with them and a scheduled
run marks the report failed, its manifest and log giving the message. Any other
exception (a bug) keeps IPython's full traceback.

>>> lead, own = message(ConfigError("demoo: geen werkruimte.")).splitlines()
>>> lead.startswith("Het rapport kan niet worden gemaakt: controleer de parameters"), own
(True, 'demoo: geen werkruimte.')
"""

from __future__ import annotations

from pathlib import Path

from helpers import paths
from helpers.errors import ConfigError, DataError, StuurkitError, UnknownAreaError
from helpers.workspace.config import CONFIG_FILE, resolve

__all__ = ["prepare", "show_briefly", "message", "check_workspace"]

# per kind of mistake the Dutch line above its message: what to check
_LEADS = (
    (UnknownAreaError, "deze gebiedscode bestaat niet in de werkruimte; kies voor de "
                       "parameter area_code een van de codes hieronder"),
    (ConfigError, "controleer de parameters in de eerste cel en de instellingen van de "
                  "werkruimte"),
    (DataError, "een gegevensbestand van de werkruimte is niet in orde; `stuurkit check` "
                "noemt elk probleem"),
    (StuurkitError, "controleer de parameters in de eerste cel"),
)


def message(error: StuurkitError) -> str:
    """The text shown for ``error``: a Dutch line saying what to check, then its message."""
    lead = next(text for kind, text in _LEADS if isinstance(error, kind))
    return f"Het rapport kan niet worden gemaakt: {lead}.\n{str(error).strip()}"


def _show(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's custom exception handler: the short message as the cell's error output
    (ename and evalue stay the exception's own, so papermill and the run log name it)."""
    lines = [f"\x1b[1;31m{line}\x1b[0m" if n == 0 else line
             for n, line in enumerate(message(value).splitlines())]
    shell._showtraceback(etype, value, lines)
    return lines


def show_briefly() -> None:
    """In IPython (JupyterLab, papermill), show every ``StuurkitError`` as ``message``
    without a traceback; elsewhere (a script, a test) nothing changes."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the reports' environment
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((StuurkitError,), _show)


def _workspaces() -> list[str]:
    """The names of the workspaces in the data folder (those with a stuurkit.yml)."""
    folder = paths.data_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / CONFIG_FILE).is_file())


def check_workspace(workspace: str | Path) -> None:
    """A ``workspace`` parameter that names no workspace: ``ConfigError`` in Dutch naming
    the parameter, the folder looked in and the workspaces there."""
    root = resolve(workspace)
    if (root / CONFIG_FILE).is_file():
        return
    known = ", ".join(_workspaces()) or "(nog geen; maak de demo met `stuurkit demo-data`)"
    raise ConfigError(f"De parameter workspace = {str(workspace)!r} is geen werkruimte: "
                      f"{root / CONFIG_FILE} bestaat niet. Geef de naam van een map in "
                      f"{paths.data_dir()} of een pad naar een map met een {CONFIG_FILE}. "
                      f"Werkruimten in {paths.data_dir()}: {known}.")


def prepare(workspace: str | Path) -> None:
    """What every report's ``start`` does first: mistakes shown briefly in Dutch
    (``show_briefly``) and the ``workspace`` parameter checked (``check_workspace``)."""
    show_briefly()
    check_workspace(workspace)
