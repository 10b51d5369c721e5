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
    # StatLine exports in older and re-saved layouts (helpers.sources.statline)
    "statline_2021_transposed_shifted_row.csv":
        r"the 'Onderwerp' line \(line 4\) has 5 fields, but line 7 has 4: a shifted or "
        r"cut-off row\. Export the table again from StatLine as CSV",
    "statline_2019_r_duplicated_header.csv":
        r", line 4: the header is repeated here \(two exports joined into one file\?\)",
    "statline_2015_names_ambiguous.csv":
        r"names its regions without codes.*Import the kaart of 2015 first",
    "statline_2015_title_no_rows.csv":
        r"has a title and a header but no rows of regions",
    "statline_2021_resaved.csv":
        r"another program re-saved it .*Export the table again from StatLine as CSV",
    "notities.pdf": r"unknown file type \.pdf",
    "registraties_missing_value_column.csv": r"missing column\(s\) value",
    "registraties_bad_rows.csv": r"row 3, column area_code: 'buurt Markt'.*row 4, column "
                                 r"year: 'twintig'.*row 5, column value: 'veel'",
    "registraties_other_gemeente.csv": r"area code BU03440101 is not in GM9901",
    "kwb-2021_thousands_separators.csv": r", line 2, column 'a_inw': '150\.000' could be 150000 "
                                         r"\(a point grouping thousands\).*without thousands "
                                         r"separators",
    "kwb-2021_two_notations.csv": r"column 'g_hhgro': the numbers mix two notations: line 3 has "
                                  r"'1\.9' \(a decimal point\) and line 2 has '2,1'",
    "registraties_two_notations.csv": r"column 'value': the numbers mix two notations",
    "registraties_negative_count.csv": r"row 3, column value: -3 is negative",
    "registraties_future_year.csv": r"row 2, column year: '2099' is after this year",
    "registraties_value_contradicts_ratio.csv": r"row 3: value 40 contradicts numerator 5 / "
                                                r"denominator 20",
    "buurten_2021_broken.geojson": r"cannot read geometry file",
    # the figures in kaart layers and attribute tables of several years (sources.kaartstats)
    "buurten_2020-2021_year_twice.geojson": r"area code BU99010101 occurs twice in jaar 2021",
    "gemeente_2020-2021_attributes_code_twice.csv":
        r"area code GM9901 occurs twice in jaar 2021",
    "buurten_2021_no_code_column.geojson": r"has buurt names but no buurt code column",
    "buurten_2021_no_crs.shp": r"has no coordinate reference system.*keep the \.prj",
    "buurten_2021_no_features.geojson": r"the layer has no features",
    "buurten_2021_one_code_two_names.geojson": r"code BU99010101 appears with different names",
    "buurten_2021_other_gemeente.geojson": r"no buurt areas of GM9901 in this layer",
    "buurten_2021_water_only.geojson": r"no land areas with a buurt code",
    # geometry, CRS and hierarchy (helpers.sources.kaart: _geometry_problems, _to_rd)
    "buurten_2021_lonlat_declared_rd.geojson":
        r"are longitude/latitude, but the file declares Amersfoort / RD New\. Set the CRS",
    "buurten_2021_rd_without_crs.geojson":
        r"are RD New metres \(EPSG:28992\), but the file says they are longitude/latitude",
    "buurten_2021_huge_coordinates.geojson":
        r"1 buurt areas lie outside the Netherlands .*e\.g\. BU99010101\. Is the CRS right",
    "buurten_2021_outside_nl.geojson": r"2 buurt areas lie outside the Netherlands",
    "buurten_2021_nan_coordinates.geojson":
        r"1 buurt areas have coordinates that are not numbers \(NaN or infinite\), e\.g\. "
        r"BU99010102",
    "buurten_2021_geometry_collection.geojson":
        r"1 buurt areas are not polygons, e\.g\. BU99010101 \(GeometryCollection\)",
    "buurten_2021_points.geojson": r"1 buurt areas are not polygons, e\.g\. BU99010101 \(Point\)",
    "buurten_2021_null_geometry.geojson":
        r"1 buurt areas have no geometry \(null or empty\), e\.g\. BU99010101",
    "buurten_2021_without_wijk_code.geojson": r"1 buurt areas have no wijk code, e\.g\. BU99010101",
    "kwb-2021_folder": r"kwb-2021_folder: is a folder; import the files in it one by one",
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

# the faults that one run meets together: each job fails alone, the good one is made
FAULTS = {"cel": ("failing cell", "error"), "kernel": ("dying kernel", "die"),
          "tijd": ("timeout", "hang"), "blok": ("unwritable report file", "ok")}
TIMEOUT = "20"  # seconds per cell in the timeout case: a loaded machine needs far less


def _fault_workspace(work: Path, name: str, modes: dict[str, str]) -> tuple[Path, dict]:
    """A demo copy whose schedule runs the fault notebook once per ``modes`` entry; its
    runs get a temporary directory of their own (whatever is left in it is theirs)."""
    ws = copy_demo(work / name)
    _set_schedule(ws, modes)
    tmp = work / "tmp" / name
    tmp.mkdir(parents=True, exist_ok=True)
    env = {"STUURKIT_NOTEBOOKS": str(FAULT_NOTEBOOKS), "STUURKIT_REPORTS": str(work / "reports"),
           "TMPDIR": str(tmp)}
    return ws, env


def _set_schedule(ws: Path, modes: dict[str, str]) -> None:
    config = yaml.safe_load((ws / "stuurkit.yml").read_text(encoding="utf-8"))
    config["schedule"] = [{"name": job, "notebook": "fault.ipynb",
                           "parameters": {"mode": mode, "label": job}}
                          for job, mode in modes.items()]
    (ws / "stuurkit.yml").write_text(yaml.safe_dump(config, sort_keys=False),
                                     encoding="utf-8")


def _leftovers(folder: Path, env: dict) -> list[str]:
    """Temporary files in the reports folder, and anything in the runs' own temporary
    directory (run folders, kernel connection files, papermill outputs)."""
    found = [p.name for p in folder.glob(".*.tmp")] if folder.exists() else []
    return found + sorted(p.name for p in Path(env["TMPDIR"]).iterdir())


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


def _gone(pids: set[int], seconds: float = 30) -> set[int]:
    """Wait until the processes are gone (at most ``seconds``); those still alive."""
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


def _until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.1)


def _reports(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in folder.glob("*.html")
            if p.name != "index.html" and p.is_file()}


def _baseline(ws: Path, env: dict, names: list[str]) -> dict[str, str]:
    """A good run first, so that there are previous versions to keep."""
    _set_schedule(ws, dict.fromkeys(names, "ok"))
    result = stuurkit(["run", str(ws), "--jobs", "1"], env)
    assert result.returncode == 0, result.stderr
    return _reports(Path(env["STUURKIT_REPORTS"]) / ws.name)


def _next_run_ok(ws: Path, env: dict, names: list[str]) -> bool:
    _set_schedule(ws, dict.fromkeys(names, "ok"))
    return stuurkit(["run", str(ws), "--jobs", "1"], env).returncode == 0


def _isolated_faults(work: Path) -> list[Row]:
    """One run (2 workers) meets a failing cell, a dying kernel, a cell past its timeout
    and a report file that cannot be written: each fails alone and keeps its previous
    version, the good report is made, the manifest says so, nothing is left behind, and
    the next run (faults repaired) succeeds."""
    ws, env = _fault_workspace(work, "faults", {})
    names = ["goed", *FAULTS]
    previous = _baseline(ws, env, names)
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    (folder / "fault_blok.html").unlink()
    (folder / "fault_blok.html").mkdir()  # the report's file cannot be written
    _set_schedule(ws, {"goed": "ok", **{job: mode for job, (_, mode) in FAULTS.items()}})
    started = time.time()
    time.sleep(0.05)  # file times: what this run writes is newer
    # --force: the good report reads nothing that changed, and would be kept unchanged
    result = stuurkit(["run", str(ws), "--jobs", "2", "--timeout", TIMEOUT, "--force"], env)
    (folder / "fault_blok.html").rmdir()
    now = _reports(folder)
    made = {p.stem for p in folder.glob("*.html") if p.name != "index.html"
            and p.is_file() and p.stat().st_mtime > started}
    manifest = json.loads((folder / "manifest.json").read_text())
    states = {Path(j["report"]).stem: j for j in manifest["jobs"]}
    left = _leftovers(folder, env)
    trace = "Traceback" in result.stderr + result.stdout
    next_ok = _next_run_ok(ws, env, names)
    common = {"exit": result.returncode, "expected exit": 1, "good report made":
              int(made == {"fault_goed"}), "temp files left": len(left), "traceback": int(trace),
              "next run ok": int(next_ok)}
    common_ok = (result.returncode == 1 and made == {"fault_goed"} and not left and not trace
                 and next_ok and manifest["summary"] == {"ok": 1, "failed": len(FAULTS)})
    rows = []
    for job, (case, _) in FAULTS.items():
        entry = states.get(f"fault_{job}", {})
        kept = job == "blok" or now.get(f"fault_{job}") == previous.get(f"fault_{job}")
        true = entry.get("status") == "mislukt" and entry.get("previous_output_kept") == (
            job != "blok")
        rows.append(Row("batch faults", case, common_ok and kept and true,
                        f"{entry.get('error')}; " + (left[0] if left else ""),
                        {**common, "previous kept": int(kept), "manifest true": int(true)}))
    return rows


def _bad_parameter(work: Path) -> Row:
    ws, env = _fault_workspace(work, "bad-parameter", {})
    previous = _baseline(ws, env, ["goed", "fout"])
    config = ws / "stuurkit.yml"
    config.write_text(config.read_text().replace("mode: ok", "mode: 3", 1))
    result = stuurkit(["run", str(ws), "--jobs", "2"], env)
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    kept = _reports(folder) == previous
    left = _leftovers(folder, env)
    clear = re.search(r"parameter 'mode' = 3 should be of type str", result.stderr) is not None
    trace = "Traceback" in result.stderr + result.stdout
    next_ok = _next_run_ok(ws, env, ["goed", "fout"])
    return Row("batch faults", "bad parameter",
               result.returncode == 2 and clear and kept and not left and not trace and next_ok,
               (result.stderr.strip().splitlines() or [""])[-1][:160],
               {"exit": result.returncode, "expected exit": 2, "previous kept": int(kept),
                "temp files left": len(left), "traceback": int(trace),
                "next run ok": int(next_ok)})


def batch_faults(work: Path) -> list[Row]:
    rows = [*_isolated_faults(work), _bad_parameter(work)]
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
            result = stuurkit(["run", str(ws), "--jobs", "1"], env)
        finally:
            folder.chmod(0o755)
        clear = re.search(r"Cannot write in|Permission denied", result.stderr) is not None
        ok = (result.returncode == 2 and clear and _reports(folder) == previous
              and "Traceback" not in result.stderr)
        rows.append(Row("batch faults", "read-only output folder", ok,
                        result.stderr.strip()[:160],
                        {"exit": result.returncode, "expected exit": 2}))
    rows.append(_sigterm(work))
    rows += killed_runs(work)
    return rows


class _Reader:
    """The lines a process writes to a pipe, read as they come (in a thread)."""

    def __init__(self, stream) -> None:
        import threading

        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        self._thread.join(timeout=60)
        return "".join(self.lines)


def _start_run(ws: Path, env: dict, argv: list[str], extra: dict | None = None):
    process = subprocess.Popen([str(STUURKIT), "run", str(ws), *argv],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env, **(extra or {})})
    return process, _Reader(process.stdout), _Reader(process.stderr)


def _sigterm(work: Path) -> Row:
    """SIGTERM once the first of three reports is made and the others run (2 workers)."""
    ws, env = _fault_workspace(work, "sigterm", {})
    names = ["a_eerst", "b_hangt", "c_hangt"]
    previous = _baseline(ws, env, names)
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    _set_schedule(ws, {"a_eerst": "ok", "b_hangt": "hang", "c_hangt": "hang"})
    # --force: a_eerst is unchanged since the baseline and would be skipped, not made
    process, out, err = _start_run(ws, env, ["--jobs", "2", "--force"])
    # the run logs each report it has: a_eerst is made and recorded, b and c are running
    _until(lambda: any(" a_eerst " in line for line in err.lines) or process.poll() is not None,
           240, "the first report")
    children = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    orphans = _gone(children)  # the resource tracker goes when it sees the run gone
    out_text, err_text = out.text(), err.text()
    manifest = json.loads((folder / "manifest.json").read_text())
    now = _reports(folder)
    kept = all(now.get(f"fault_{n}") == previous.get(f"fault_{n}") for n in names[1:])
    stopped = [j for j in manifest["jobs"] if (j["error"] or "").startswith("afgebroken")]
    manifest_true = (manifest["interrupted"] == "SIGTERM" and manifest["summary"]["ok"] == 1
                     and len(stopped) == 2 and all(j["previous_output_kept"] for j in stopped))
    left = _leftovers(folder, env)
    next_ok = _next_run_ok(ws, env, names)
    trace = "Traceback" in err_text + out_text
    ok = (process.returncode == 143 and kept and manifest_true and not left and not orphans
          and next_ok and not trace)
    return Row("batch faults", "SIGTERM mid-run", ok,
               (err_text.strip().splitlines() or [""])[-1][:160],
               {"exit": process.returncode, "expected exit": 143, "made": 1,
                "previous kept": int(kept), "manifest true": int(manifest_true),
                "temp files left": len(left), "processes left": len(orphans),
                "next run ok": int(next_ok), "traceback": int(trace)})


# processes of a run that are not tied to it: as on a system without the parent-death
# signal, with a lifeline that did not work (put on PYTHONPATH for one run)
_UNTIED = """\
import helpers.run.lifeline as lifeline
lifeline.tie_to_parent = lambda parent=None: None
lifeline.watch = lambda end, then=None: None
"""


def _kernels_running(env: dict, count: int) -> bool:
    lines = [line for record in Path(env["TMPDIR"]).glob("stuurkit-run-*/processes")
             for line in record.read_text().splitlines()]
    return sum(line.startswith("kernel") for line in lines) >= count


def _killed(work: Path, tied: bool) -> Row:
    """SIGKILL of ``stuurkit run`` while two reports run (2 workers, 2 kernels)."""
    name = "sigkill" if tied else "sigkill-untied"
    ws, env = _fault_workspace(work, name, {"a_hangt": "hang", "b_hangt": "hang"})
    folder = Path(env["STUURKIT_REPORTS"]) / ws.name
    extra = {}
    if not tied:
        shim = work / "untied"
        shim.mkdir(exist_ok=True)
        (shim / "sitecustomize.py").write_text(_UNTIED)
        extra = {"PYTHONPATH": os.pathsep.join(
            p for p in (str(shim), os.environ.get("PYTHONPATH", "")) if p)}
    process, out, err = _start_run(ws, env, ["--jobs", "2"], extra)
    _until(lambda: (_kernels_running(env, 2) and (folder / ".stuurkit-run.pids").exists())
           or process.poll() is not None, 240, "two kernels and the run's pid file")
    children = _descendants(process.pid)
    process.kill()
    process.wait(timeout=60)
    out.text(), err.text()
    numbers: dict[str, int | float | str] = {"processes of the run": len(children)}
    if tied:  # they die by themselves: the parent-death signal, the lifeline
        started = time.monotonic()
        left = _gone(children, 60)
        numbers.update({"left after 60 s": len(left),
                        "seconds until gone": round(time.monotonic() - started, 1)})
        ok = len(children) >= 4 and not left
    else:  # they outlive the run (the test made sure of that)
        survivors = _alive(children)
        numbers["alive after the kill"] = len(survivors)
        ok = len(survivors) >= 4
    _set_schedule(ws, {"a_hangt": "ok", "b_hangt": "ok"})
    following = stuurkit(["run", str(ws), "--jobs", "2"], env)
    said = re.search(r"ended \d+ process\(es\) left by an earlier run", following.stderr)
    if not tied:  # the next run ends them and says so
        left = _alive(children)
        numbers.update({"left after the next run": len(left),
                        "next run says so": int(said is not None)})
        ok = ok and not left and said is not None
    leftover = _leftovers(folder, env) + [p.name for p in folder.glob(".stuurkit-run.pids")]
    numbers.update({"next run ok": int(following.returncode == 0),
                    "temp files left": len(leftover)})
    ok = ok and following.returncode == 0 and not leftover
    detail = (following.stderr.strip().splitlines() or [""])[0][:160]
    case = ("SIGKILL mid-run: workers and kernels die with it" if tied else
            "SIGKILL mid-run, processes untied: the next run ends them")
    return Row("batch faults", case, ok, detail, numbers)


def killed_runs(work: Path) -> list[Row]:
    return [_killed(work, tied=True), _killed(work, tied=False)]


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
    # the first run hangs until its timeout: long enough for the others to start on a
    # loaded machine (each is refused within seconds), short enough to wait for
    first = subprocess.Popen([str(STUURKIT), "run", str(ws), "--jobs", "1", "--timeout", "40"],
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
# every way text could become markup, a request, a navigation or a formula
PAYLOADS = [
    PAYLOAD,
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<svg><a xlink:href="javascript:window.__pwned=3"><text>x</text></a></svg>',
    "<!-- --!><img src=x onerror=window.__pwned=4> -->",
    "[klik](javascript:window.__pwned=5) ![x](https://evil.example/p.png)",
    '=HYPERLINK("https://evil.example","x")',
    "<style>body{background:url(https://evil.example/b.png)}</style>",
    "</script><script>window.__pwned=6</script>",
    "{{ 7*7 }}{% raw %}${7*7}",
    '<a href="https://evil.example" ping="https://evil.example/p">x</a>',
    '<script id="stuurkit-vega-bundle">window.__pwned=7</script>',
]
PAYLOAD_ALL = " ".join(PAYLOADS)
# the free-text fields of each input file (identifiers, codes, enums and paths are not
# text: they are validated at load and a payload there is refused, see IMPORT_CASES)
TEXT_FIELDS = {
    "begroting.yml": {"naam", "portefeuillehouder", "budget_eenheid", "titel", "eigenaar",
                      "wat", "wie"},
    "catalogus": {"label", "description", "unit", "theme", "source"},
    "stuurkit.yml": {"name"},
}


def _with_payload(node, keys: set[str], count: list[int]):
    """``node`` (loaded YAML) with PAYLOAD_ALL appended to every string under ``keys``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                out[key] = f"{value} {PAYLOAD_ALL}"
                count[0] += 1
            else:
                out[key] = _with_payload(value, keys, count)
        return out
    if isinstance(node, list):
        return [_with_payload(v, keys, count) for v in node]
    return node


def _inject(ws: Path) -> dict[str, int]:
    """Put the payloads into every text field of every input file: area names in every
    kaart file, every text of the catalogue, the budget and the configuration, and every
    duiding. Returns how many fields of each kind were changed."""
    import yaml

    from helpers.indicators.catalogue import DEFAULT_FOLDER

    places = {}
    names = 0
    for kaart in sorted((ws / "raw").glob("*.geojson")):
        doc = json.loads(kaart.read_text(encoding="utf-8"))
        for feature in doc["features"]:
            props = feature["properties"]
            for key, value in props.items():
                if "naam" in key.lower() and isinstance(value, str):
                    props[key] = f"{value} {PAYLOAD_ALL}"
                    names += 1
        kaart.write_text(json.dumps(doc), encoding="utf-8")
    places["area names"] = names
    shutil.copytree(DEFAULT_FOLDER, ws / "catalogus", ignore=shutil.ignore_patterns("*.py",
                                                                                 "__pycache__"))
    for name, folder in (("begroting.yml", [ws / "begroting.yml"]),
                         ("catalogus", sorted((ws / "catalogus").glob("*.yml"))),
                         ("stuurkit.yml", [ws / "stuurkit.yml"])):
        count = [0]
        for path in folder:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            if name == "stuurkit.yml":
                doc["catalogue"] = "catalogus"
                doc["gemeente"] = _with_payload(doc["gemeente"], TEXT_FIELDS[name], count)
            else:
                doc = _with_payload(doc, TEXT_FIELDS[name], count)
            path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
        places[name] = count[0]
    duiding = sorted((ws / "duiding").rglob("*.md"))
    for path in duiding:
        path.write_text(path.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(PAYLOADS)
                        + "\n", encoding="utf-8")
    places["duiding files"] = len(duiding)
    return places


def injection(work: Path) -> list[Row]:
    """Run the demo schedule with the payloads in every text field of every input file;
    every page and workbook must pass the scan and show the payloads as text."""
    from helpers.publish.audit import audit_folder

    ws = copy_demo(work / "injection")
    _inject(ws)
    env = {"STUURKIT_REPORTS": str(work / "reports")}
    result = stuurkit(["run", str(ws), "--jobs", "2"], env)
    folder = work / "reports" / ws.name
    rows = [Row("injection", "reports made", result.returncode == 0,
                (result.stderr.strip().splitlines() or [""])[-1][:160],
                {"exit": result.returncode, "expected exit": 0})]
    files = sorted(folder.glob("*.html"))
    raw = sum(PAYLOAD in p.read_text() for p in files)
    escaped = sum("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in p.read_text()
                  for p in files)
    found = [f for a in audit_folder(folder) for f in a.findings]
    rows.append(Row("injection", "markup shown as text, never run",
                    raw == 0 and escaped > 0 and not found,
                    "; ".join(map(str, found[:2])),
                    {"files": len(files), "payload as markup": raw,
                     "payload shown escaped": escaped, "scan findings": len(found)}))
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
