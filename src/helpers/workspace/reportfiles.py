"""The file names of the reports a workspace's schedule makes: one rule, used to write
them (``helpers.run.schedule``) and to link to them (``helpers.reports.common``).

A report is ``<stem>[_<key>].html`` in ``reports/<workspace>/``, its workbook the same
name with ``.xlsx`` beside it, and the portal is ``index.html``. The stem is the
notebook's name; a notebook scheduled by two entries with the same ``for_each`` (other
parameters) gets the entry's name in its stem, so that their files differ. The key is
the programme id (``for_each: programma``) or the area code (``for_each: wijk`` or
``buurt``). Imports nothing but the standard library.

>>> file_name(entry_stem("10_wijkprofiel.ipynb", "wijkprofielen", shared=False), "WK990101")
'10_wijkprofiel_WK990101.html'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["INDEX", "SUMMARY_KEY", "WORKBOOK_SUFFIX", "PROGRAMME_MONITOR", "AREA_PROFILE",
           "ReportFile", "entry_stem", "file_name", "workbook_name", "shared_entries",
           "entry_areas", "report_files"]

INDEX = "index.html"  # the portal page of a reports folder
# a report's key message, in its output metadata (under presentation.embed.METADATA_KEY)
# and so in its page: written by helpers.reports.common.key_message, shown by the portal
SUMMARY_KEY = "summary"
WORKBOOK_SUFFIX = ".xlsx"  # a report's tables, beside its HTML with the same stem

# the notebooks other reports link to (a programme row → its monitor, an area → its profile)
PROGRAMME_MONITOR = "20_programmamonitor"
AREA_PROFILE = "10_wijkprofiel"


class _Entry(Protocol):  # helpers.workspace.config.ScheduleEntry
    name: str
    notebook: str
    for_each: str | None
    within: str | None


@dataclass(frozen=True)
class ReportFile:
    """One report the schedule makes: its notebook (stem), key and file name."""

    entry: str
    notebook: str  # the notebook's stem, e.g. 20_programmamonitor
    for_each: str | None
    key: str | None
    html: str


def entry_stem(notebook: str, entry: str, shared: bool) -> str:
    """The stem of an entry's files: the notebook's name (+ ``_<entry>`` when shared)."""
    stem = Path(notebook).stem
    return f"{stem}_{entry}" if shared else stem


def file_name(stem: str, key: str | None = None) -> str:
    """``<stem>.html`` or ``<stem>_<key>.html``."""
    return f"{stem}_{key}.html" if key is not None else f"{stem}.html"


def workbook_name(html: str) -> str:
    """The workbook beside a report: its name with ``.xlsx``."""
    return str(Path(html).with_suffix(WORKBOOK_SUFFIX))


def shared_entries(entries: Iterable[_Entry]) -> set[str]:
    """Names of the entries whose notebook another entry with the same ``for_each`` also
    schedules (their keys could be the same: their stems carry the entry name)."""
    entries = list(entries)
    uses = Counter((e.notebook, e.for_each) for e in entries)
    return {e.name for e in entries if uses[(e.notebook, e.for_each)] > 1}


def entry_areas(ws, entry: _Entry, year: int | None) -> list[str]:
    """The area codes an entry with ``for_each: wijk`` or ``buurt`` makes reports of: the
    areas of that level in ``year`` (``None``: the newest kaart), only those inside
    ``within`` when it is set, sorted. ``ws`` is a ``helpers.workspace.Workspace``."""
    areas = ws.areas_for(year if year is not None else max(ws.vintages), entry.for_each)
    if entry.within is not None:
        areas = areas[areas["parent"] == entry.within]
    return sorted(areas["code"])


def report_files(entries: Iterable[_Entry], keys: Callable[[_Entry], list[str]]
                 ) -> list[ReportFile]:
    """Every report file of the schedule; ``keys(entry)`` gives the programme ids or area
    codes of an entry with ``for_each``."""
    entries = list(entries)
    shared = shared_entries(entries)
    found = []
    for entry in entries:
        stem = entry_stem(entry.notebook, entry.name, entry.name in shared)
        notebook = Path(entry.notebook).stem
        for key in (keys(entry) if entry.for_each else [None]):
            found.append(ReportFile(entry.name, notebook, entry.for_each, key,
                                    file_name(stem, key)))
    return found
