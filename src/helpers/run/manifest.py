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
from helpers.run.job import FAILED, OK, UNCHANGED, Result

if TYPE_CHECKING:
    from helpers.workspace import Workspace

__all__ = ["write_manifest", "final_audit"]

log = logging.getLogger(__name__)


def final_audit(folder: Path, results: list[Result]) -> dict[str, Any]:
    """The privacy scan of every HTML file of the folder, as the run leaves it.

    A report made by this run was scanned as it was written (``helpers.publish.html``), its
    workbook by its worker right after (``helpers.run.executors``); an
    unchanged one (``helpers.run.incremental``: its files as they were when they passed,
    by their hashes) keeps the counts of its scan; every other file (earlier reports,
    ``index.html``) is scanned now. A file that fails is set
    aside (renamed ``….rejected``, its workbook and PDF too), so the portal never links to it: a
    report of this run is then marked failed; a failing earlier version is no longer
    offered as the previous version; any other file just disappears from the folder.
    """
    from helpers.publish.audit import FileAudit, audit_folder

    fresh = {Path(r.job.html).name: r.scan for r in results
             if r.status == OK and r.scan is not None}
    # a workbook made by this run was scanned by its worker right after it was written
    fresh.update({r.workbook_scan.file: r.workbook_scan for r in results
                  if r.status == OK and r.workbook_scan is not None})
    # an unchanged report's files are as they were when they passed (their hashes are
    # checked, and the scanner is part of the code the key holds): their counts are kept
    kept = [FileAudit(**counts) for r in results if r.status == UNCHANGED and r.audit
            for counts in r.audit]
    skip = set(fresh) | {Path(output).name for r in results if r.status == UNCHANGED
                         and r.audit for output in r.outputs}
    audits = [*fresh.values(), *kept, *audit_folder(folder, skip=skip)]
    by_file = {Path(r.job.html).name: r for r in results}
    of_output = {Path(output).name: r for r in results if r.status == OK
                 for output in r.outputs}
    for item in audits:
        if item.passed and item.file in of_output:
            result = of_output[item.file]
            result.audit = [*(result.audit or []), {
                "file": item.file, "charts": item.charts, "tables": item.tables,
                "values_checked": item.values_checked}]
    for item in audits:
        if item.passed or item.file == "index.html":
            continue
        first = f"privacyscan: {item.findings[0]}" + (
            f" (en {len(item.findings) - 1} meer)" if len(item.findings) > 1 else "")
        path = folder / item.file
        for output in (path, path.with_suffix(".xlsx"), path.with_suffix(".pdf")):
            if output.exists():
                os.replace(output, output.with_name(output.name + ".rejected"))
        result = by_file.get(item.file)
        if result is None:
            log.error("%s: set aside, it does not pass the privacy scan (%s)", path, first)
        elif result.status == OK:
            result.status, result.error = FAILED, first
        else:
            result.error = f"{result.error}; vorige versie afgekeurd ({first})"
    return {"files": len(audits), "passed": sum(a.passed for a in audits),
            "charts": sum(a.charts for a in audits), "tables": sum(a.tables for a in audits),
            "values_checked": sum(a.values_checked for a in audits),
            "findings": [{"file": a.file, "finding": str(f)} for a in audits
                         for f in a.findings]}


def write_manifest(ws: Workspace, folder: Path, results: list[Result], options: RunOptions,
                   started: datetime, audit: dict[str, Any] | None = None,
                   interrupted: str | None = None, phases: dict[str, float] | None = None,
                   seconds: float | None = None) -> Path:
    """``manifest.json``: what ran, how it went, from which data, with which kit.

    ``phases``: the run's own seconds per phase (``helpers.run.phases``; each job has its
    own), ``seconds`` how long the run took until the manifest."""
    doc = {
        "workspace": ws.name,
        "gemeente": {"code": ws.config.gemeente.code, "name": ws.config.gemeente.name},
        "kit_version": __version__,
        "executor": options.executor,
        "warm_kernels": options.warm,
        "workers": options.workers,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": None if seconds is None else round(seconds, 3),
        "phases": {name: round(value, 4) for name, value in sorted((phases or {}).items())},
        "summary": {"ok": sum(r.available for r in results),
                    "failed": sum(not r.available for r in results)},
        # made now, or skipped: nothing they read changed (helpers.run.incremental)
        "incremental": {"forced": options.force,
                        "made": sum(r.status == OK for r in results),
                        "unchanged": sum(r.status == UNCHANGED for r in results)},
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
            "previous_output_kept": not r.available and Path(r.job.html).is_file(),
            "phases": r.phases or None,  # this run's seconds per phase (helpers.run.phases)
            **_incremental(r),
        } for r in results],
    }
    return write_text_atomic(folder / "manifest.json",
                             json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _incremental(result: Result) -> dict[str, Any]:
    """What the next run compares (``helpers.run.incremental``): the key, what the report
    read, its outputs' SHA-256 as written, when and how long it was made; for a report
    that is not there and good, nothing (it is made again)."""
    if not result.available:
        return {"inputs": None}
    return {"made": result.started, "build_seconds": round(result.build_seconds, 2),
            "key": result.key, "inputs": dict(sorted((result.inputs or {}).items())),
            "output_sha256": result.output_sha256, "audit": result.audit}
