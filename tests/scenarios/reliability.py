"""Reliability scenarios, shared by the tests and by ``make audit`` (tools/audit.py).

Each function sets up its own workspace under ``work`` (a fresh folder), does what a
user or a scheduler would do — mostly through the ``stuurkit`` command — and returns
plain rows of measurements; the tests assert on them, the audit prints them.

* ``bad_input``: the malformed-input corpus (tests/data/bad/ for ``import``,
  tests/data/config_cases.yml for ``stuurkit.yml``, ``begroting.yml``, catalogue YAML and
  notebook parameters);
* ``batch_faults``: failing cell, dying kernel, timeout, bad parameter, unwritable output,
  SIGTERM mid-run;
* ``concurrency``: two runs, an import during a run, a run during an import;
* ``injection``: HTML/JS in area names, indicator labels, duiding, budget texts;
* ``privacy``: the demo schedule published and scanned.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
CONFIG_CASES = ROOT / "tests" / "data" / "config_cases.yml"
FAULT_NOTEBOOKS = ROOT / "tests" / "data" / "notebooks"
DEMO = ROOT / "data" / "demo"
STUURKIT = Path(sys.executable).parent / "stuurkit"

# file in tests/data/bad → the message (regex) its import must give
IMPORT_CASES = {
    "kwb-2021_latin1.csv": r"not UTF-8 \(byte 235 cannot be decoded\)\. Save the file as UTF-8",
    "kwb-2021_pipes.csv": r"no ';', ',' or tab separators; this is not a CSV table",
    "kwb-2021_missing_code_column.csv": r"cannot tell what this table is \(columns: gwb_code_8",
    "kwb-2021_renamed_column.csv": r"cannot tell what this table is \(columns: GWB-code",
    "kwb-2021_duplicate_codes.csv": r", row 5: area code BU99010101 occurs twice",
    "kwb-2021_text_in_numbers.csv": r"BU99010101 / a_inw = 'drieduizend'",
    "kwb-2021_codes_without_zeros.csv":
        r", row 4: area code '99010101' is not a CBS code .*without its leading zeros",
    "kwb-2021_empty.csv": r": the file is empty",
    "kwb-2021_header_only.csv": r": the table has a header but no rows",
    "kwb-2021_other_gemeente.csv": r": no rows for GM9901",
    "kwb_without_year.csv": r"cannot tell the statistics year from the file name",
    "kwb-2021_two_names_one_variable.csv": r"two columns map to variable 'a_gbl_eu'",
    "kwb-2021_wrong_sheet.xlsx": r"cannot tell what this table is \(sheets: Toelichting;",
    "statline_2021_text_in_numbers.csv": r"GM9901 / a_inw = '  veel'",
    "notities.pdf": r"unknown file type \.pdf",
    "registraties_missing_value_column.csv": r"missing column\(s\) value",
    "registraties_bad_rows.csv": r"row 3, column area_code: 'buurt Markt'.*row 4, column "
                                 r"year: 'twintig'.*row 5, column value: 'veel'",
    "registraties_other_gemeente.csv": r"area code BU03440101 is not in GM9901",
    "buurten_2021_broken.geojson": r"cannot read geometry file",
    "buurten_2021_no_code_column.geojson": r"has buurt names but no buurt code column",
    "buurten_2021_no_crs.shp": r"has no coordinate reference system.*keep the \.prj",
    "buurten_2021_no_features.geojson": r"the layer has no features",
    "buurten_2021_one_code_two_names.geojson": r"code BU99010101 appears with different names",
    "buurten_2021_other_gemeente.geojson": r"no buurt areas of GM9901 in this layer",
    "buurten_2021_water_only.geojson": r"no land areas with a buurt code",
}

LOCK_FILES = (".stuurkit-workspace.lock", ".stuurkit-run.lock")


# ------------------------------------------------------------------ helpers


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a folder (lock files and the parquet cache left out)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in LOCK_FILES and "cache" not in p.parts}


def copy_demo(target: Path) -> Path:
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("cache", *LOCK_FILES))
    return target


def cli(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``stuurkit argv`` in this process: exit code, stdout, stderr. An exception that
    escapes ``main`` is returned as a traceback on stderr (code 99)."""
    from helpers.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except BaseException:  # noqa: BLE001 — that is what we count
                traceback.print_exc()
                code = 99
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return code, out.getvalue(), err.getvalue()


def stuurkit(argv: list[str], env: dict[str, str], timeout: float = 300
             ) -> subprocess.CompletedProcess:
    return subprocess.run([str(STUURKIT), *argv], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=timeout)


def previous_report(text: str) -> str:
    """A minimal earlier report as publishing leaves one: it passes the privacy scan."""
    policy = "default-src 'none'; base-uri 'none'; form-action 'none'"
    return (f'<!DOCTYPE html><html lang="nl"><head><meta http-equiv="Content-Security-Policy" '
            f'content="{policy}"></head><body>{text}</body></html>')


@dataclass
class Row:
    """One measured case: what was tried and whether it behaved."""

    group: str
    case: str
    ok: bool
    detail: str = ""
    numbers: dict[str, int | float | str] = field(default_factory=dict)


# ------------------------------------------------------------------ 1. bad input


def _refusal(case: str, kind: str, file: str, pattern: str, code: int, out: str, err: str,
             changed: bool) -> Row:
    text = out + err
    trace = "Traceback" in text
    clear = code == 2 and file in err and re.search(pattern, err, re.S) is not None
    return Row("bad input", case, clear and not trace and not changed,
               err.strip().splitlines()[0][:160] if err.strip() else f"exit {code}",
               {"kind": kind, "clear": int(clear), "traceback": int(trace),
                "changed": int(changed)})


def bad_input(work: Path) -> list[Row]:
    """Every corpus file imported, every broken workspace file run: one row each."""
    import warnings

    from helpers.workspace.importer import init_workspace

    rows = []
    for number, (name, pattern) in enumerate(sorted(IMPORT_CASES.items())):
        ws = init_workspace(work / f"import-{number}", "GM9901", "Voorbeeldstad")
        before = snapshot(ws)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code, out, err = cli(["import", str(ws), str(BAD / name)])
        rows.append(_refusal(name, "import", name, pattern, code, out, err,
                             snapshot(ws) != before))
    reports = work / "reports"
    for case in yaml.safe_load(CONFIG_CASES.read_text(encoding="utf-8")):
        ws = copy_demo(work / f"config-{case['name']}")
        target = ws / case["file"]
        if "replace" in case:
            old, new = case["replace"]
            text = target.read_text(encoding="utf-8")
            assert old in text, f"{case['name']}: {old!r} not in {case['file']}"
            target.write_text(text.replace(old, new, 1), encoding="utf-8")
        else:
            target.write_text(case["content"], encoding="utf-8")
            config = ws / "stuurkit.yml"
            config.write_text(config.read_text(encoding="utf-8") + case["config"] + "\n",
                              encoding="utf-8")
        before = snapshot(ws)
        code, out, err = cli(["run", str(ws), "--jobs", "1"],
                             env={"STUURKIT_REPORTS": str(reports)})
        rows.append(_refusal(case["name"], case["file"], case["file"], case["message"], code,
                             out, err, snapshot(ws) != before))
    return rows


# ------------------------------------------------------------------ 2. batch faults


def _fault_workspace(work: Path, name: str, modes: dict[str, str]) -> tuple[Path, dict]:
    """A demo copy whose schedule runs the fault notebook once per ``modes`` entry."""
    ws = copy_demo(work / name)
    _set_schedule(ws, modes)
    env = {"STUURKIT_NOTEBOOKS": str(FAULT_NOTEBOOKS), "STUURKIT_REPORTS": str(work / "reports")}
    return ws, env


def _set_schedule(ws: Path, modes: dict[str, str]) -> None:
    config = yaml.safe_load((ws / "stuurkit.yml").read_text(encoding="utf-8"))
    config["schedule"] = [{"name": job, "notebook": "fault.ipynb",
                           "parameters": {"mode": mode, "label": job}}
                          for job, mode in modes.items()]
    (ws / "stuurkit.yml").write_text(yaml.safe_dump(config, sort_keys=False),
                                     encoding="utf-8")


def _run_folders() -> set[str]:
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("stuurkit-run-*")}


def _leftovers(folder: Path, before: set[str]) -> list[str]:
    """Temporary files in the reports folder, and run folders in the temp directory that
    were not there ``before`` (other runs on this machine may have their own)."""
    found = [p.name for p in folder.glob(".*.tmp")] if folder.exists() else []
    return found + sorted(_run_folders() - before)


def _descendants(pid: int) -> set[int]:
    """Process ids below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _check_run(group: str, case: str, ws: Path, env: dict, argv: list[str], expect_code: int,
               made: set[str], kept: set[str], previous: dict[str, str], expect_msg: str = ""
               ) -> Row:
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    started = time.time()
    folders = _run_folders()
    time.sleep(0.05)
    result = stuurkit(["run", str(ws), *argv], env)
    now = {p.stem: p.read_text() for p in folder.glob("*.html")
                if p.name != "index.html" and p.is_file()}
    produced = {p.stem for p in folder.glob("*.html") if p.name != "index.html"
                and p.is_file() and p.stat().st_mtime > started}
    kept_ok = all(now.get(name) == previous.get(name) for name in kept)
    produced &= made | kept  # other files of the folder do not count
    manifest_true = True
    if expect_code in (0, 1):
        manifest = json.loads((folder / "manifest.json").read_text())
        states = {Path(j["report"]).stem: j for j in manifest["jobs"]}
        manifest_true = (manifest["summary"]["ok"] == len(made)
                         and all(states[n]["status"] == "ok" for n in made)
                         and all(j["previous_output_kept"] == (stem in kept)
                                 for stem, j in states.items() if j["status"] != "ok"))
    left = _leftovers(folder, folders)
    message_ok = not expect_msg or re.search(expect_msg, result.stderr) is not None
    trace = "Traceback" in result.stderr + result.stdout
    ok = (result.returncode == expect_code and produced == made and kept_ok and manifest_true
          and not left and message_ok and not trace)
    detail = (result.stderr.strip().splitlines() or [""])[-1][:160]
    return Row(group, case, ok, detail, {
        "exit": result.returncode, "expected exit": expect_code, "made": len(produced),
        "previous kept": int(kept_ok), "manifest true": int(manifest_true),
        "temp files left": len(left), "traceback": int(trace)})


def _baseline(ws: Path, env: dict, names: list[str]) -> dict[str, str]:
    """A good run first, so that there are previous versions to keep."""
    _set_schedule(ws, dict.fromkeys(names, "ok"))
    result = stuurkit(["run", str(ws), "--jobs", "1"], env)
    assert result.returncode == 0, result.stderr
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    return {p.stem: p.read_text() for p in folder.glob("*.html")
                if p.name != "index.html" and p.is_file()}


def _next_run_ok(ws: Path, env: dict, names: list[str]) -> bool:
    _set_schedule(ws, dict.fromkeys(names, "ok"))
    return stuurkit(["run", str(ws), "--jobs", "1"], env).returncode == 0


def _with_next_run(row: Row, ws: Path, env: dict, names: list[str]) -> Row:
    """The fault is repaired: the next run must succeed."""
    row.numbers["next run ok"] = int(_next_run_ok(ws, env, names))
    row.ok = row.ok and bool(row.numbers["next run ok"])
    return row


def batch_faults(work: Path) -> list[Row]:
    rows = []
    for case, mode, extra in (("failing cell", "error", []), ("dying kernel", "die", []),
                              ("timeout", "hang", ["--timeout", "3"])):
        ws, env = _fault_workspace(work, case.replace(" ", "-"), {})
        previous = _baseline(ws, env, ["goed", "fout"])
        _set_schedule(ws, {"goed": "ok", "fout": mode})
        row = _check_run("batch faults", case, ws, env, ["--jobs", "2", *extra], 1,
                         {"fault_goed"}, {"fault_fout"}, previous)
        rows.append(_with_next_run(row, ws, env, ["goed", "fout"]))

    ws, env = _fault_workspace(work, "bad-parameter", {})
    previous = _baseline(ws, env, ["goed", "fout"])
    config = ws / "stuurkit.yml"
    config.write_text(config.read_text().replace("mode: ok", "mode: 3", 1))
    row = _check_run("batch faults", "bad parameter", ws, env, ["--jobs", "2"], 2, set(),
                     {"fault_goed", "fault_fout"}, previous,
                     r"parameter 'mode' = 3 should be of type str")
    rows.append(_with_next_run(row, ws, env, ["goed", "fout"]))

    ws, env = _fault_workspace(work, "blocked-report", {})
    previous = _baseline(ws, env, ["goed", "fout"])
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    (folder / "fault_fout.html").unlink()
    (folder / "fault_fout.html").mkdir()  # the report's file cannot be written
    row = _check_run("batch faults", "unwritable report file", ws, env, ["--jobs", "2"], 1,
                     {"fault_goed"}, set(), previous)
    (folder / "fault_fout.html").rmdir()
    rows.append(_with_next_run(row, ws, env, ["goed", "fout"]))

    ws, env = _fault_workspace(work, "no-reports-folder", {"goed": "ok"})
    blocker = work / "a-file"
    blocker.write_text("not a folder")
    env = {**env, "STUURKIT_REPORTS": str(blocker / "reports")}
    result = stuurkit(["run", str(ws), "--jobs", "1"], env)
    clear = result.returncode == 2 and "Cannot write in" in result.stderr
    rows.append(Row("batch faults", "unwritable output folder", clear and "Traceback" not in
                    result.stderr, result.stderr.strip()[:160],
                    {"exit": result.returncode, "expected exit": 2}))
    if os.geteuid() != 0:  # root may write anywhere: a read-only folder means nothing to it
        ws, env = _fault_workspace(work, "read-only", {})
        previous = _baseline(ws, env, ["goed"])
        folder = Path(env["STUURKIT_REPORTS"]) / ws.name
        folder.chmod(0o555)
        try:
            row = _check_run("batch faults", "read-only output folder", ws, env,
                             ["--jobs", "1"], 2, set(), {"fault_goed"}, previous,
                             r"Cannot write in|Permission denied")
        finally:
            folder.chmod(0o755)
        rows.append(row)
    rows.append(_sigterm(work))
    return rows


def _sigterm(work: Path) -> Row:
    """SIGTERM while the second of three reports runs (2 workers)."""
    ws, env = _fault_workspace(work, "sigterm", {})
    names = ["a_eerst", "b_hangt", "c_hangt"]
    previous = _baseline(ws, env, names)
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    _set_schedule(ws, {"a_eerst": "ok", "b_hangt": "hang", "c_hangt": "hang"})
    first = folder / "fault_a_eerst.html"
    before = first.stat().st_mtime
    folders = _run_folders()
    process = subprocess.Popen([str(STUURKIT), "run", str(ws), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.stat().st_mtime == before:
        time.sleep(0.2)
    time.sleep(2.0)  # the hanging reports are running now
    children = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    time.sleep(1.0)
    orphans = _alive(children)
    manifest = json.loads((folder / "manifest.json").read_text())
    now = {p.stem: p.read_text() for p in folder.glob("*.html")
                if p.name != "index.html" and p.is_file()}
    kept = all(now.get(f"fault_{n}") == previous.get(f"fault_{n}") for n in names[1:])
    stopped = [j for j in manifest["jobs"] if (j["error"] or "").startswith("afgebroken")]
    manifest_true = (manifest["interrupted"] == "SIGTERM" and manifest["summary"]["ok"] == 1
                     and len(stopped) == 2 and all(j["previous_output_kept"] for j in stopped))
    left = _leftovers(folder, folders)
    next_ok = _next_run_ok(ws, env, names)
    trace = "Traceback" in err + out
    ok = (process.returncode == 143 and kept and manifest_true and not left and not orphans
          and next_ok and not trace)
    return Row("batch faults", "SIGTERM mid-run", ok, (err.strip().splitlines() or [""])[-1][:160],
               {"exit": process.returncode, "expected exit": 143, "made": 1,
                "previous kept": int(kept), "manifest true": int(manifest_true),
                "temp files left": len(left), "processes left": len(orphans),
                "next run ok": int(next_ok), "traceback": int(trace)})


# ------------------------------------------------------------------ 3. concurrency


def _wait_for_lock(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().startswith("pid"):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{path} was not taken")


def concurrency(work: Path) -> list[Row]:
    from helpers.workspace.locks import workspace_lock

    ws, env = _fault_workspace(work, "busy", {"slow": "hang"})
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    extra = work / "kwb-2025.csv"
    shutil.copy(DEMO / "raw" / "kwb-2024.csv", extra)
    first = subprocess.Popen([str(STUURKIT), "run", str(ws), "--jobs", "1", "--timeout", "8"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, **env})
    rows = []
    try:
        _wait_for_lock(folder / ".stuurkit-run.lock")
        second = stuurkit(["run", str(ws), "--jobs", "1"], env)
        rows.append(Row("concurrency", "second run during a run",
                        second.returncode == 2 and "Another stuurkit run is busy" in
                        second.stderr, second.stderr.strip()[:160],
                        {"exit": second.returncode, "expected exit": 2}))
        before = snapshot(ws)
        imported = stuurkit(["import", str(ws), str(extra)], env)
        unchanged = snapshot(ws) == before
        rows.append(Row("concurrency", "import during a run",
                        imported.returncode == 2 and "is using this workspace" in
                        imported.stderr and unchanged, imported.stderr.strip()[:160],
                        {"exit": imported.returncode, "expected exit": 2,
                         "workspace changed": int(not unchanged)}))
    finally:
        first.communicate(timeout=120)
    manifest = json.loads((folder / "manifest.json").read_text())
    rows.append(Row("concurrency", "the first run finishes intact",
                    first.returncode == 1 and manifest["summary"] == {"ok": 0, "failed": 1},
                    f"exit {first.returncode}", {"exit": first.returncode, "expected exit": 1}))
    after = stuurkit(["import", str(ws), str(extra)], env)
    rows.append(Row("concurrency", "the import afterwards succeeds", after.returncode == 0,
                    after.stdout.strip()[:160], {"exit": after.returncode, "expected exit": 0}))
    with workspace_lock(ws, exclusive=True, action="import into"):  # an import in progress
        during = stuurkit(["run", str(ws), "--jobs", "1"], env)
    rows.append(Row("concurrency", "run during an import",
                    during.returncode == 2 and "being imported" in during.stderr,
                    during.stderr.strip()[:160],
                    {"exit": during.returncode, "expected exit": 2}))
    return rows


# ------------------------------------------------------------------ 4. injection

PAYLOAD = "<script>window.__pwned=1</script>\"'><img src=x onerror=\"window.__pwned=2\">"


def _inject(ws: Path) -> dict[str, str]:
    """Put PAYLOAD into an area name, an indicator label, duiding and budget texts."""
    from helpers.indicators.catalogue import DEFAULT_FOLDER

    places = {}
    kaart = ws / "raw" / "wijken_2022.geojson"
    doc = json.loads(kaart.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        props = feature["properties"]
        if props.get("wijkcode") == "WK990101":
            props["wijknaam"] = "Binnenstad " + PAYLOAD
    kaart.write_text(json.dumps(doc), encoding="utf-8")
    places["area name"] = "WK990101"
    shutil.copytree(DEFAULT_FOLDER, ws / "catalogus", ignore=shutil.ignore_patterns("*.py",
                                                                                 "__pycache__"))
    kwb = ws / "catalogus" / "kwb.yml"
    text = kwb.read_text(encoding="utf-8")
    kwb.write_text(text.replace("label: 65-plussers", f"label: {json.dumps('65+ ' + PAYLOAD)}",
                                1), encoding="utf-8")
    config = ws / "stuurkit.yml"
    config.write_text(config.read_text(encoding="utf-8") + "catalogue: catalogus\n",
                      encoding="utf-8")
    places["indicator label"] = "aandeel_65plus"
    begroting = ws / "begroting.yml"
    text = begroting.read_text(encoding="utf-8")
    text = text.replace("naam: Werk en inkomen", f"naam: {json.dumps('Werk ' + PAYLOAD)}", 1)
    text = text.replace("titel: Meer inwoners doen mee op de arbeidsmarkt",
                        f"titel: {json.dumps('Meedoen ' + PAYLOAD)}", 1)
    begroting.write_text(text, encoding="utf-8")
    places["programme name, goal title"] = "P1"
    for path in [ws / "duiding" / "2024" / "P1.1.md"]:
        path.write_text(path.read_text(encoding="utf-8") + "\n\n" + PAYLOAD + "\n",
                        encoding="utf-8")
    places["duiding"] = "duiding/*.md"
    return places


def injection(work: Path) -> list[Row]:
    """Run the demo schedule with PAYLOAD everywhere text comes from data."""
    from helpers.publish.audit import scan_html

    ws = copy_demo(work / "injection")
    _inject(ws)
    env = {"STUURKIT_REPORTS": str(work / "reports")}
    result = stuurkit(["run", str(ws), "--jobs", "2", "--only", "bestuursoverzicht",
                       "programmamonitors", "wijkprofielen"], env)
    folder = work / "reports" / ws.name
    rows = [Row("injection", "reports made", result.returncode == 0,
                (result.stderr.strip().splitlines() or [""])[-1][:160],
                {"exit": result.returncode, "expected exit": 0})]
    files = sorted(folder.glob("*.html"))
    raw = sum(PAYLOAD in p.read_text() for p in files)
    escaped = sum("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in p.read_text()
                  for p in files)
    found = [f for p in files for f in scan_html(p.read_text(), p.name).findings
             if f.kind in ("script", "handler", "external")]
    rows.append(Row("injection", "markup shown as text, never run",
                    raw == 0 and escaped > 0 and not found,
                    "; ".join(map(str, found[:2])),
                    {"files": len(files), "payload as markup": raw,
                     "payload shown escaped": escaped, "foreign scripts/handlers": len(found)}))
    rows.append(_paths(work, env))
    return rows


def _paths(work: Path, env: dict[str, str]) -> Row:
    """Report file names built from data and configuration never leave reports/<ws>/."""
    edits = {"kaart code": ("raw/wijken_2022.geojson", "WK990101", "WK990101/../../x"),
             "programme id": ("begroting.yml", "- id: P1\n", "- id: ../../x\n"),
             # a notebook scheduled twice: the entry names become part of the file names
             "schedule name": ("stuurkit.yml", "- name: datakwaliteit\n",
                               "- name: ../../x\n  notebook: 90_datakwaliteit.ipynb\n"
                               "- name: datakwaliteit\n"),
             "absolute name": ("stuurkit.yml", "- name: datakwaliteit\n",
                               "- name: /tmp/x\n  notebook: 90_datakwaliteit.ipynb\n"
                               "- name: datakwaliteit\n")}
    outcomes = {}
    for what, (file, old, new) in edits.items():
        ws = copy_demo(work / f"path-{what.replace(' ', '-')}")
        target = ws / file
        target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1),
                          encoding="utf-8")
        only = {"kaart code": ["wijkprofielen"], "programme id": ["programmamonitors"],
                "schedule name": ["../../x"], "absolute name": ["/tmp/x"]}[what]
        code, out, err = cli(["run", str(ws), "--jobs", "2", "--only", *only], env)
        outcomes[what] = (code, "Traceback" in out + err)
    outside = [p for p in [*work.rglob("x.html"), *work.rglob("*_x.html"), Path("/tmp/x.html")]
               if p.exists()]
    ok = not outside and not any(trace for _, trace in outcomes.values()) and all(
        code == 2 for what, (code, _) in outcomes.items() if what != "kaart code")
    return Row("injection", "paths from data stay in reports/", ok,
               f"{len(outside)} file(s) outside", {
                   **{f"exit ({what})": code for what, (code, _) in outcomes.items()},
                   "files outside reports/<ws>": len(outside)})


# ------------------------------------------------------------------ 5. privacy


def privacy(work: Path) -> tuple[Row, list]:
    """The demo schedule published, then every file scanned (``stuurkit audit``)."""
    from helpers.publish.audit import audit_folder

    env = {"STUURKIT_REPORTS": str(work / "reports")}
    result = stuurkit(["run", "demo", "--jobs", "2"], env)
    audits = audit_folder(work / "reports" / "demo")
    manifest = json.loads((work / "reports" / "demo" / "manifest.json").read_text())
    kinds = ("small-count", "unused-column", "undeclared-chart", "external", "csp", "script",
             "handler")
    numbers = {"files": len(audits), "charts": sum(a.charts for a in audits),
               "tables": sum(a.tables for a in audits),
               "values checked": sum(a.values_checked for a in audits),
               **{k: sum(a.count(k) for a in audits) for k in kinds},
               "run's own scan passed": manifest["audit"]["passed"]}
    ok = (result.returncode == 0 and all(a.passed for a in audits)
          and manifest["audit"]["passed"] == len(audits))
    return Row("privacy", "demo reports", ok, f"exit {result.returncode}", numbers), audits
