"""The portal page of a workspace's reports: ``reports/<workspace>/index.html``."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers import __version__
from helpers.files import write_text_atomic
from helpers.publish.html import REPORT_CSS

__all__ = ["write_index"]


def write_index(folder: str | Path, title: str, entries: list[dict[str, Any]],
                generated: datetime | None = None) -> Path:
    """The portal page ``index.html``: one link per report, failed ones marked.

    Each entry: ``title``, ``file`` (relative to ``folder``), ``status`` (``ok`` or
    ``mislukt``), optional ``detail``.
    """
    folder = Path(folder)
    generated = generated or datetime.now()
    sections: dict[str, list[str]] = {}
    for entry in entries:
        link = f"<a href='{html.escape(entry['file'], quote=True)}'>{html.escape(entry['title'])}</a>"
        if entry.get("status", "ok") != "ok":
            detail = html.escape(entry.get("detail", ""))
            link = (f"{html.escape(entry['title'])} <span class='status-mislukt'>mislukt</span>"
                    f" <small>{detail}</small>")
        sections.setdefault(entry.get("section", "Rapporten"), []).append(f"<li>{link}</li>")
    items = []
    for section, links in sections.items():
        items.append(f"<h2>{html.escape(section)}</h2>\n<ul class='stuurkit-portal'>"
                     + "".join(links) + "</ul>")
    document = f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>{html.escape(title)}</title>
<style>{REPORT_CSS}</style>
</head>
<body class="jp-Notebook">
<main class="jp-RenderedHTMLCommon">
<h1>{html.escape(title)}</h1>
{''.join(items)}
<footer class="stuurkit-footer">Gemaakt {generated.strftime('%d-%m-%Y %H:%M')} met Stuurkit {html.escape(__version__)}.</footer>
</main>
</body>
</html>
"""
    return write_text_atomic(folder / "index.html", document)
