"""The portal page of a workspace's reports: ``reports/<workspace>/index.html``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from helpers import __version__
from helpers.files import write_text_atomic
from helpers.presentation.markup import Markup
from helpers.publish.html import REPORT_CSS, parts

__all__ = ["write_index"]


def write_index(folder: str | Path, title: str, entries: list[dict[str, Any]],
                generated: datetime | None = None) -> Path:
    """The portal page ``index.html``: one link per report, failed ones marked.

    Each entry: ``title``, ``file`` (relative to ``folder``), ``status`` (``ok`` or
    ``mislukt``), optional ``detail`` and ``section``. Written by an autoescaping
    template: every text is shown as text.

    The page is for management readers: a failed report says in Dutch that it could not
    be made and links to its previous version when that file is still in ``folder``. The
    technical ``detail`` (the failing cell and its exception) is not shown; it is in the
    run's manifest and log.
    """
    folder = Path(folder)
    generated = generated or datetime.now()
    sections: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        sections.setdefault(str(entry.get("section", "Rapporten")), []).append({
            "title": str(entry["title"]), "file": str(entry["file"]),
            "failed": entry.get("status", "ok") != "ok",
            "previous": (folder / str(entry["file"])).is_file()})
    document = parts().render("portal.html.j2", title=title, css=Markup(REPORT_CSS),
                              sections=list(sections.items()), version=__version__,
                              generated=generated.strftime("%d-%m-%Y %H:%M"))
    return write_text_atomic(folder / "index.html", str(document) + "\n")
