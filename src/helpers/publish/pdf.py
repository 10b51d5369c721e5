"""A4 PDFs of published reports, printed by headless Chromium with the reports' print CSS.

``stuurkit run <workspace> --pdf`` prints every report the run made, after its privacy
scan, to a PDF beside it (same name, ``.pdf``): A4 portrait, the title and the page
numbers in the margin (``helpers.publish.html.REPORT_CSS``). Chromium (Debian package
``chromium``) runs offline, as for the screenshots; without it ``require_chromium`` says
how to install it. A PDF is set aside with its report when a later scan rejects that
(``helpers.run.manifest.final_audit``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from helpers.errors import StuurkitError
from helpers.files import replacing
from helpers.publish.screenshots import CHROMIUM_FLAGS

__all__ = ["require_chromium", "print_pdfs"]

log = logging.getLogger(__name__)
_SETTLE_MS = 10000  # virtual time the page gets to draw its charts before it is printed


def require_chromium() -> str:
    """The Chromium executable; a ``StuurkitError`` saying how to install it when absent."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise StuurkitError("PDF's maken vraagt Chromium, dat hier niet is geïnstalleerd "
                            "(PDFs need Chromium: apt-get install chromium). Nothing was "
                            "made; run again without --pdf for the HTML reports only.")
    return found


def print_pdfs(pages: Iterable[str | Path], timeout: float = 120.0) -> list[Path]:
    """Print each HTML file of ``pages`` to a PDF beside it (written atomically); return
    the PDFs. Raises ``StuurkitError`` when Chromium is absent or fails on a page."""
    chromium = require_chromium()
    profile = tempfile.mkdtemp(prefix="stuurkit-pdf-")
    written = []
    try:
        for page in map(Path, pages):
            target = page.with_suffix(".pdf")
            with replacing(target) as tmp:
                done = subprocess.run(
                    [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                     "--no-pdf-header-footer", f"--virtual-time-budget={_SETTLE_MS}",
                     f"--print-to-pdf={tmp}", page.resolve().as_uri()],
                    capture_output=True, text=True, timeout=timeout, check=False)
                if done.returncode != 0 or tmp.stat().st_size == 0:
                    raise StuurkitError(f"Chromium could not print {page} to PDF (exit "
                                        f"{done.returncode}): {done.stderr.strip()[-300:]}")
            log.debug("printed %s", target)
            written.append(target)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return written
