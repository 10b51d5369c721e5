"""The portal page of a workspace's reports: ``reports/<workspace>/index.html``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from helpers import __version__
from helpers.files import write_text_atomic
from helpers.presentation.markup import Markup
from helpers.publish.html import REPORT_CSS, parts, report_summary
from helpers.workspace import reportfiles

__all__ = ["write_index"]


def write_index(folder: str | Path, title: str, entries: list[dict[str, Any]],
                generated: datetime | None = None) -> Path:
    """The portal page ``index.html``: per section (bestuur, programma's, wijken,
    buurten, …) one link per report with its status — the key message the report opens
    with, its data year and when it was made — and its Excel workbook; failed ones
    marked.

    Each entry: ``title``, ``file`` (relative to ``folder``), ``status`` (``ok`` or
    ``mislukt``), optional ``detail``, ``section``, ``year`` (the report's data year) and
    ``unchanged`` (not made again by this run: nothing it reads changed; shown as
    "ongewijzigd" beside the day it was made).
    The key message and the day the report was made are read from the file in
    ``folder`` (so a failed report's previous version shows its own). Written by an
    autoescaping template: every text is shown as text.

    The page is for management readers: a failed report says in Dutch that it could not
    be made and links to its previous version when that file is still in ``folder``. The
    technical ``detail`` (the failing cell and its exception) is not shown; it is in the
    run's manifest and log.
    """
    folder = Path(folder)
    generated = generated or datetime.now()
    sections: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        path = folder / str(entry["file"])
        present = path.is_file()
        workbook = folder / reportfiles.workbook_name(str(entry["file"]))
        status = []
        if present:
            summary = report_summary(path)
            if summary:
                status.append(summary)
            if entry.get("year") is not None:
                status.append(f"gegevens {entry['year']}")
            made = datetime.fromtimestamp(path.stat().st_mtime)
            status.append(("ongewijzigd, " if entry.get("unchanged") else "")
                          + f"gemaakt {made.strftime('%d-%m-%Y')}")
        sections.setdefault(str(entry.get("section", "Rapporten")), []).append({
            "title": str(entry["title"]), "file": str(entry["file"]),
            "failed": entry.get("status", "ok") != "ok", "previous": present,
            "status": status, "workbook": workbook.name if present and workbook.is_file()
            else None})
    document = parts().render("portal.html.j2", title=title, css=Markup(REPORT_CSS),
                              sections=list(sections.items()), version=__version__,
                              generated=generated.strftime("%d-%m-%Y %H:%M"))
    return write_text_atomic(folder / reportfiles.INDEX, str(document) + "\n")
