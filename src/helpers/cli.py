"""The ``stuurkit`` command.

Sub-commands: ``demo-data`` (write the demo workspace), ``init`` (a new workspace),
``import`` (add downloaded files), ``check`` (validate a workspace), ``run`` (make a
workspace's scheduled reports), ``audit`` (privacy scan of published reports),
``publish`` (executed notebook → HTML). User mistakes end with one clear message and exit
code 2; a run stopped by SIGTERM exits with 143 after cleaning up.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import warnings
from pathlib import Path

from helpers import __version__, model
from helpers.errors import StuurkitError

__all__ = ["main", "build_parser"]


def _demo_data(args: argparse.Namespace) -> int:
    from helpers.paths import data_dir
    from helpers.workspace.importer import write_demo

    target = Path(args.path) if args.path else data_dir() / "demo"
    written = write_demo(target)
    print(f"Demo workspace written to {target} ({len(written)} files).")
    return 0


def _check(args: argparse.Namespace) -> int:
    from helpers.indicators import catalogue as catalogues
    from helpers.indicators import facts
    from helpers.run.schedule import schedule_problems
    from helpers.workspace import open_workspace
    from helpers.workspace.check import ERROR, check_workspace

    problems = check_workspace(args.workspace, catalogue=catalogues.for_workspace,
                               schedule=schedule_problems)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == ERROR]
    warned = [p for p in problems if p.severity == "waarschuwing"]
    if errors:
        print(f"{len(errors)} error(s), {len(warned)} warning(s).")
        return 1
    ws = open_workspace(args.workspace)
    known = facts.of(ws)
    obs = known.observations
    years = sorted(obs["year"].unique())
    print(f"{ws!r}: {len(ws.areas)} area records, {len(known.catalogue)} indicators, "
          f"{len(obs)} observations, years {years[0]}–{years[-1]}; "
          f"{len(warned)} warning(s).")
    return 0


def _init(args: argparse.Namespace) -> int:
    from helpers.workspace.importer import init_workspace

    root = init_workspace(args.path, args.gemeente, args.name)
    print(f"Workspace for {args.gemeente} created in {root}. Next: `stuurkit fetch {root}` "
          f"or `stuurkit import {root} FILE…`.")
    return 0


def _screenshots(args: argparse.Namespace) -> int:
    from helpers.publish.screenshots import screenshots

    for path in screenshots(args.workspace):
        print(f"wrote {path}")
    return 0


def _years(text: str) -> list[int]:
    """'2019-2024' or '2022,2024' → a list of years."""
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r} is not a year range like 2019-2024"
                                             ) from exc
        years.extend(range(start, end + 1))
    return sorted(set(years))


def _whole_at_least_one(what: str):
    """An argparse type: a whole number of at least 1, else '<text> is not <what>'."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


_positive_whole = _whole_at_least_one("a whole number of at least 1")  # --jobs
_seconds = _whole_at_least_one("a whole number of seconds above 0")  # --timeout


def _fetch(args: argparse.Namespace) -> int:
    from helpers.workspace import fetch

    endpoints = {k: v for k, v in (("catalog", args.catalog), ("pdok_url", args.pdok_url))
                 if v is not None}  # otherwise fetch's own CBS and PDOK addresses
    results = fetch.fetch(args.workspace, args.years, kaart_years=args.kaart_years,
                          https=not args.no_https, national=not args.no_national,
                          **endpoints)
    for item, state in results:
        print(f"{state:<11} {item.label:<28} {item.target}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from helpers.workspace.importer import import_files

    for item in import_files(args.workspace, args.files, year=args.year,
                             vintage=args.vintage, level=args.level, retrieved=args.retrieved):
        state = "added" if item.new else "already present"
        details = ", ".join(f"{k} {v}" for k, v in item.detail.items())
        print(f"{state:<16} {item.kind:<13} raw/{item.target.name}  ({details})")
    return 0


def _run(args: argparse.Namespace) -> int:
    from helpers import run as runner
    from helpers.run.job import OK, UNCHANGED

    executor = "dask" if args.scheduler else args.executor
    options = runner.RunOptions(executor=executor, workers=args.jobs or os.cpu_count() or 1,
                                scheduler=args.scheduler, timeout=args.timeout,
                                force=args.force)
    from helpers.workspace import open_workspace

    # the jobs are planned and checked (as `stuurkit check` does, through the workspace's
    # cache) before any kernel starts: a configuration or data error exits 2 at once
    ws = open_workspace(args.workspace)
    jobs = runner.expand(ws, only=args.only)
    if args.static:  # every report without scripts, as an entry's `static: true` does
        jobs = [dataclasses.replace(job, static=True) for job in jobs]
    if args.pdf:
        from helpers.publish import pdf

        pdf.require_chromium()  # before any report is made
    if not jobs:
        print("Nothing to do: the schedule has no jobs.", file=sys.stderr)
        return 0
    # workers start ahead only for reports that will be made (a guess: the run decides,
    # under its lock, which are unchanged)
    todo = jobs if args.force else runner.to_make(ws, jobs)
    workers = min(options.workers, len(todo))
    pool = runner.start_workers(workers, workspace=args.workspace) if (
        executor == "local" and workers > 1) else None
    try:
        print(f"Running {len(jobs)} report(s) for {ws.config.gemeente.name} on {executor} "
              f"with {options.workers} worker(s)…")
        results = runner.run(ws, jobs, options=options, pool=pool)
    finally:
        if pool is not None:
            pool.stop()  # the run could not start (a lock was held): no-op after a run
    failed = [r for r in results if not r.available]
    for r in results:
        mark = {OK: "ok     ", UNCHANGED: "same   "}.get(r.status, "FAILED ")
        print(f"{mark} {r.job.name:<40} {r.seconds:6.1f} s  {r.error}")
    same = sum(r.status == UNCHANGED for r in results)
    print(f"{len(results) - len(failed) - same} of {len(results)} report(s) made"
          + (f", {same} unchanged (nothing they read changed; --force makes them again)"
             if same else "") + f"; index: {Path(jobs[0].html).parent / 'index.html'}")
    made = [Path(r.job.html) for r in results if Path(r.job.html).exists() and (
        r.status == OK or (r.available and not Path(r.job.html).with_suffix(".pdf").exists()))]
    if args.pdf and made:
        # after the run's privacy scan: only reports that passed it; under the run lock
        with runner.run_lock(made[0].parent):
            printed = pdf.print_pdfs(made)
        print(f"{len(printed)} PDF(s) printed beside the reports (A4).")
    return 1 if failed else 0


def _audit(args: argparse.Namespace) -> int:
    from helpers.paths import reports_dir
    from helpers.publish import audit

    folder = Path(args.folder)
    if not folder.is_dir() and not folder.is_absolute() and len(folder.parts) == 1:
        folder = reports_dir() / folder  # a workspace name
    audits = audit.audit_folder(folder)
    print(audit.format_table(audits))
    for item in audits:
        for finding in item.findings:
            print(f"{item.file}: {finding}")
    failed = [a for a in audits if not a.passed]
    print(f"{len(audits) - len(failed)} of {len(audits)} file(s) pass the privacy scan.")
    pinned = _disclosure_audit(folder.name)
    return 1 if failed or not audits or pinned else 0


def _disclosure_audit(name: str) -> int:
    """The LP audit of the workspace the reports folder is named after (none: 0)."""
    from helpers.errors import StuurkitError
    from helpers.indicators import lp_audit
    from helpers.workspace import open_workspace

    try:
        ws = open_workspace(name)
    except StuurkitError:
        print(f"No workspace {name!r}: the LP audit of its suppressed cells is skipped.")
        return 0
    found = lp_audit.of_workspace(ws)
    pinned = found[found["pinned"]]
    for cell in pinned.itertuples():
        print(f"pinned: {cell.indicators} {cell.area_code} {cell.year}: between "
              f"{cell.low:g} and {cell.high:g} (must span {cell.required:g})")
    print(f"LP audit: {len(found)} suppressed cell(s), {int(found['sensitive'].sum())} "
          f"small count(s), {len(pinned)} pinned.")
    return len(pinned)


def _begroting(args: argparse.Namespace) -> int:
    from helpers.indicators import catalogue
    from helpers.workspace import budgetbook, open_workspace

    ws = open_workspace(args.workspace)
    known = catalogue.for_workspace(ws)
    if args.action == "export":
        print(f"Begroting geschreven naar {budgetbook.export(ws, args.file, known)}")
        return 0
    target, changed = budgetbook.import_(ws, args.file, known)
    print(f"{target} bijgewerkt uit {args.file} (vorige versie: {target.name}.bak)."
          if changed else f"{target} is al gelijk aan {args.file}: niets veranderd.")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from helpers.publish import publish_notebook

    for out in publish_notebook(args.notebook, args.output, static=args.static):
        print(f"Published {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stuurkit",
        description="Stuurkit: indicators per wijk, buurt and budget programme for a gemeente.",
    )
    parser.add_argument("--version", action="version", version=f"stuurkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo-data", help="write the demo workspace (default: data/demo)",
                       description="Generate the demo gemeente Voorbeeldstad (fixed seed).")
    p.add_argument("path", nargs="?", help="target folder (default: data/demo)")
    p.set_defaults(func=_demo_data)

    p = sub.add_parser("check", help="validate a workspace and list every problem",
                       description="Read stuurkit.yml and every file it names; print every "
                                   "problem at once. Exit code 1 when there are errors.")
    p.add_argument("workspace", help="workspace name (data/<name>) or path")
    p.set_defaults(func=_check)

    p = sub.add_parser("init", help="create a new workspace for a gemeente",
                       description="Create stuurkit.yml, raw/, a begroting.yml template and "
                                   "duiding/ in a new folder.")
    p.add_argument("path", help="folder for the new workspace (e.g. data/utrecht)")
    p.add_argument("--gemeente", required=True, metavar="GMxxxx", help="CBS gemeente code")
    p.add_argument("--name", help="gemeente name (default: 'Gemeente GMxxxx')")
    p.set_defaults(func=_init)

    p = sub.add_parser("fetch", help="download KWB tables and the kaart from CBS and PDOK",
                       description="Download the KWB tables (CBS OData) and the wijk- en "
                                   "buurtkaart (PDOK WFS) of the workspace's gemeente into "
                                   "raw/, with provenance. Resumes where it stopped.")
    p.add_argument("workspace", help="workspace name (data/<name>) or path")
    p.add_argument("--years", type=_years, default=_years("2019-2024"), metavar="YYYY-YYYY",
                   help="KWB years (default 2019-2024)")
    p.add_argument("--kaart-years", type=_years, default=None, metavar="YYYY[,YYYY]",
                   help="kaart years (default: the newest KWB year)")
    p.add_argument("--no-national", action="store_true",
                   help="only the gemeente's own areas: not every gemeente's row nor CBS's "
                        "Gebieden in Nederland (needed to compare with Nederland and peers)")
    p.add_argument("--catalog", default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-https", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--pdok-url", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_fetch)

    p = sub.add_parser("import", help="add downloaded files to a workspace",
                       description="Add KWB tables, StatLine exports, kaart layers or "
                                   "registrations to raw/ with provenance; the kind of each "
                                   "file is detected. Nothing changes when a file is invalid.")
    p.add_argument("workspace", help="workspace name (data/<name>) or path")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--year", type=int,
                   help="statistics year (default: the year in the file name)")
    p.add_argument("--vintage", type=int,
                   help="kaart year (default: the year in the file name)")
    p.add_argument("--level", choices=list(model.LEVELS),
                   help="kaart level when it cannot be detected")
    p.add_argument("--retrieved", metavar="YYYY-MM-DD",
                   help="the day you downloaded the files, recorded in raw/provenance.yml "
                        "(default: unknown, shown as 'onbekend')")
    p.set_defaults(func=_import)

    p = sub.add_parser("run", help="make the scheduled reports of a workspace",
                       description="Execute the schedule in stuurkit.yml and publish HTML "
                                   "plus index.html in reports/<workspace>/.")
    p.add_argument("workspace", help="workspace name (data/<name>) or path")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these schedule entries")
    p.add_argument("--jobs", type=_positive_whole, default=None, metavar="N",
                   help="worker processes, at least 1 (default: number of cores)")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local worker processes (default) or Dask distributed")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies dask; "
                        "without it --executor dask starts a LocalCluster)")
    p.add_argument("--timeout", type=_seconds, default=600, metavar="S",
                   help="seconds (above 0) a notebook cell may take before its job is "
                        "stopped (default 600)")
    p.add_argument("--pdf", action="store_true",
                   help="also print each report to an A4 PDF beside it (needs Chromium)")
    p.add_argument("--static", action="store_true",
                   help="pages without any JavaScript: charts drawn as SVG images, a "
                        "policy that allows no script (as `static: true` on a schedule "
                        "entry)")
    p.add_argument("--force", action="store_true",
                   help="make every report, also those whose notebook, parameters, code "
                        "and the workspace files they read are unchanged (skipped and "
                        "marked 'ongewijzigd' otherwise)")
    p.set_defaults(func=_run)

    p = sub.add_parser("screenshots", help="PNG screenshots of a workspace's reports",
                       description="Open every report in reports/<workspace>/ in headless "
                                   "Chromium and save a full-page PNG in screenshots/.")
    p.add_argument("workspace", help="workspace name (reports/<name>)")
    p.set_defaults(func=_screenshots)

    p = sub.add_parser("audit", help="privacy scan of a workspace's published reports",
                       description="Scan every HTML file in a reports folder: small counts, "
                                   "chart columns that are not drawn, external loads, the "
                                   "Content-Security-Policy and scripts Stuurkit did not "
                                   "write; then prove the workspace's disclosure control "
                                   "by linear programming (no suppressed small count may "
                                   "be recoverable within min_count). Exit code 1 when "
                                   "any file fails or any cell is pinned.")
    p.add_argument("folder", help="reports/<workspace> (or just the workspace name)")
    p.set_defaults(func=_audit)

    p = sub.add_parser("begroting", help="the programme budget as an Excel workbook and back",
                       description="export: write begroting.yml as a workbook with drop-down "
                                   "lists; import: read such a workbook back into "
                                   "begroting.yml, checked like begroting.yml (every problem "
                                   "named by sheet, row and column; nothing changes when "
                                   "there is one).")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("workspace", help="workspace name (data/<name>) or path")
    p.add_argument("file", help="the .xlsx workbook to write or read")
    p.set_defaults(func=_begroting)

    p = sub.add_parser("publish", help="turn an executed notebook into self-contained HTML",
                       description="Export an executed report notebook as offline HTML.")
    p.add_argument("notebook", help="executed .ipynb (e.g. from papermill)")
    p.add_argument("output", help="the .html file to write")
    p.add_argument("--static", action="store_true",
                   help="a page without any JavaScript: charts drawn as SVG images")
    p.set_defaults(func=_publish)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings about the user's data, without a file/line of our code."""
    print(f"stuurkit: waarschuwing: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``stuurkit`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(message)s")
    if not args.verbose:  # papermill logs every notebook it reads at INFO
        logging.getLogger("papermill").setLevel(logging.WARNING)
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        return args.func(args)
    except StuurkitError as exc:
        print(f"stuurkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (a run cleans up first)
        print(f"stuurkit: stopped: {exc or 'interrupted'}", file=sys.stderr)
        return 143 if "SIGTERM" in str(exc) else 130
    finally:
        warnings.showwarning = shown


if __name__ == "__main__":
    sys.exit(main())
