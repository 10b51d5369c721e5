"""What a run leaves beside its reports: ``manifest.json`` and the final privacy scan.

``write_manifest`` records what ran, how it went, from which data (the provenance of the
raw files) and with which kit. ``final_audit`` scans every HTML file of the folder as the
run leaves it and sets aside what fails (see there); its summary goes into the manifest.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import __version__
from helpers.files import write_text_atomic
from helpers.run.executors import RunOptions
from helpers.run.job import Result

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["write_manifest", "final_audit"]

log = logging.getLogger(__name__)


def final_audit(folder: Path, results: list[Result]) -> dict[str, Any]:
    """The privacy scan of every HTML file of the folder, as the run leaves it.

    A report made by this run was scanned as it was written (``helpers.publish.html``); every
    other file (earlier reports, ``index.html``) is scanned now. A file that fails is set
    aside (renamed ``….rejected``, its workbook too), so the portal never links to it: a
    report of this run is then marked failed; a failing earlier version is no longer
    offered as the previous version; any other file just disappears from the folder.
    """
    from helpers.publish.audit import audit_folder

    fresh = {Path(r.job.html).name: r.scan for r in results
             if r.status == "ok" and r.scan is not None}
    audits = [*fresh.values(), *audit_folder(folder, skip=set(fresh))]
    by_file = {Path(r.job.html).name: r for r in results}
    for item in audits:
        if item.passed or item.file == "index.html":
            continue
        first = f"privacyscan: {item.findings[0]}" + (
            f" (en {len(item.findings) - 1} meer)" if len(item.findings) > 1 else "")
        path = folder / item.file
        for output in (path, path.with_suffix(".xlsx")):
            if output.exists():
                os.replace(output, output.with_name(output.name + ".rejected"))
        result = by_file.get(item.file)
        if result is None:
            log.error("%s: set aside, it does not pass the privacy scan (%s)", path, first)
        elif result.status == "ok":
            result.status, result.error = "mislukt", first
        else:
            result.error = f"{result.error}; vorige versie afgekeurd ({first})"
    return {"files": len(audits), "passed": sum(a.passed for a in audits),
            "charts": sum(a.charts for a in audits), "tables": sum(a.tables for a in audits),
            "values_checked": sum(a.values_checked for a in audits),
            "findings": [{"file": a.file, "finding": str(f)} for a in audits
                         for f in a.findings]}


def write_manifest(ws: Workspace, folder: Path, results: list[Result], options: RunOptions,
                   started: datetime, audit: dict[str, Any] | None = None,
                   interrupted: str | None = None) -> Path:
    """``manifest.json``: what ran, how it went, from which data, with which kit."""
    doc = {
        "workspace": ws.name,
        "gemeente": {"code": ws.config.gemeente.code, "name": ws.config.gemeente.name},
        "kit_version": __version__,
        "executor": options.executor,
        "warm_kernels": options.warm,
        "workers": options.workers,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "summary": {"ok": sum(r.status == "ok" for r in results),
                    "failed": sum(r.status != "ok" for r in results)},
        "interrupted": interrupted,
        "audit": audit,
        "provenance": [{k: e.get(k) for k in ("file", "source", "url", "retrieved", "sha256")}
                       for e in ws.provenance],
        "jobs": [{
            "name": r.job.name, "title": r.job.title, "notebook": Path(r.job.notebook).name,
            "report": Path(r.job.html).name,
            "parameters": r.job.parameters, "status": r.status, "started": r.started,
            "seconds": round(r.seconds, 2), "attempts": r.attempts, "error": r.error or None,
            "outputs": [str(Path(p).relative_to(folder)) if Path(p).is_relative_to(folder)
                        else p for p in r.outputs],
            "previous_output_kept": r.status != "ok" and Path(r.job.html).is_file(),
        } for r in results],
    }
    return write_text_atomic(folder / "manifest.json",
                             json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
