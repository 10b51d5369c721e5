"""Stuurkit benchmarks: one command, a table of medians, ``benchmarks/results.json``.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--quick]     (or: make bench)

Measured side by side in one run (medians of ``--repeat`` repetitions):

1. batch throughput of the demo schedule (26 reports) on 2 workers:
   (a) a naive loop — ``papermill.execute_notebook`` + the nbconvert CLI per report, one
       kernel each, 2 processes; (b) ``stuurkit run --force`` (warm kernels, the previous
       run's manifest in place) with its time per phase (``phase_*_s``: kernel start and
       reset, cells, papermill, export, scan, workbook, index, …, summed over the jobs);
       (c) the peer — ploomber-engine in-process plus one reused nbconvert exporter per
       process, 2 processes; (d) ``stuurkit run --scheduler`` on an external Dask cluster
       of 2 workers (``dask scheduler`` + ``dask worker``, as the README's recipe);
       (e) reruns: nothing changed, and one duiding file edited (asserting which reports
       are made again); (f) the limit — the same notebooks' code run as plain Python in
       one warm IPython shell without Jupyter (libraries and data loaded before the clock
       starts); also in 2 warm processes and in 2 cold ones (see ``batch``);
2. HTML size of every demo report (and of a buurt profile, whose map shows every buurt);
3. national scale: the demo's statistics copied to 342 gemeenten (14,022 buurten, 3,420
   wijken; ``synthetic.py``, generated at run time, not committed) — load + compute every
   indicator (data generation outside the timer), peak memory; the size of a national
   buurt map in the HTML mode;
4. one wijkprofiel (papermill + publish) on a workspace that imported CBS's national KWB
   and kaart files (``synthetic.national_workspace``) against the same on the demo:
   with an empty parquet cache (first run after an import) and with the cache in place;
5. the verkenner: compute time of one change (state + map + trend + ranking) for a
   gemeente of 500 buurten (``synthetic.py``) and for the demo (92 buurten);
6. calibration of the goal forecasts (``calibration.py``, also runnable alone): the worst
   coverage of the 95% interval and the worst precision of "op koers" over every cell.

Compares with the committed ``results.json`` and warns about regressions (> 20%).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.json")
BIN = Path(sys.executable).parent


def _median(func, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------------------------- batch


def _naive_one(job: dict) -> None:
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.ipynb"
        pm.execute_notebook(job["notebook"], str(out), parameters=job["parameters"],
                            progress_bar=False, kernel_name="python3")
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(out), "--output-dir", tmp], check=True, capture_output=True)


def _limit_many(jobs: list[dict]) -> None:
    """Run notebooks' code cells in one IPython shell of this process (no kernel)."""
    import contextlib
    import io

    from IPython.core.interactiveshell import InteractiveShell

    os.environ["STUURKIT_RENDER"] = "html"
    shell = InteractiveShell.instance()
    with contextlib.redirect_stdout(io.StringIO()):
        _run_cells(shell, jobs)


def _run_cells(shell, jobs: list[dict]) -> None:
    import nbformat

    for job in jobs:
        shell.reset(new_session=True)
        nb = nbformat.read(job["notebook"], as_version=4)
        shell.user_ns.update(job["parameters"])
        for cell in nb.cells:
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            result = shell.run_cell(cell.source, silent=False, store_history=False)
            if not result.success:
                raise RuntimeError(f"{job['notebook']}: {result.error_in_exec}")


def _warm_up() -> None:
    """What a warm process has done before the clock starts: the libraries imported and
    the demo workspace loaded (the same as a Stuurkit warm kernel's preload)."""
    os.environ["STUURKIT_RENDER"] = "html"
    import altair  # noqa: F401
    import scipy.stats  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell

    from helpers.run import kernel

    kernel.preload()  # the report modules and libraries, as a warm kernel's preload
    kernel.open_workspace("demo")
    InteractiveShell.instance()


def _limit_process(conn, jobs: list[dict], warm: bool) -> None:
    if warm:
        _warm_up()
    conn.send("ready")
    conn.recv()  # go
    _limit_many(jobs)
    conn.send("done")


def _limit(jobs: list[dict], processes: int, warm: bool) -> float:
    """Wall time of the notebooks' code in ``processes`` fresh (spawned) processes, each
    running its share in one IPython shell without Jupyter. ``warm``: the clock starts
    after every process has imported the libraries and loaded the workspace; otherwise
    it starts when the processes are created (they pay the imports and loading)."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    start = time.perf_counter()
    for i in range(processes):
        parent, child = spawn.Pipe()
        proc = spawn.Process(target=_limit_process, args=(child, jobs[i::processes], warm))
        proc.start()
        pipes.append(parent)
        workers.append(proc)
    for conn in pipes:
        conn.recv()  # ready
    if warm:
        start = time.perf_counter()
    for conn in pipes:
        conn.send("go")
    for conn in pipes:
        if conn.recv() != "done":
            raise RuntimeError("a limit process failed")
    seconds = time.perf_counter() - start
    for proc in workers:
        proc.join()
    return seconds


def _jobs() -> list[dict]:
    from helpers import run as runner
    from helpers.workspace import open_workspace

    return [{"notebook": j.notebook, "parameters": j.parameters, "name": j.name}
            for j in runner.expand(open_workspace("demo"))]


_peer: dict = {}


def _peer_start() -> None:
    """A peer process (ploomber-engine + nbconvert): its telemetry and version check off
    (no network here), one ``HTMLExporter`` kept for every report of the process."""
    os.environ.update({"PLOOMBER_STATS_ENABLED": "false", "STUURKIT_RENDER": "html",
                       "PLOOMBER_VERSION_CHECK_DISABLED": "true"})
    from nbconvert import HTMLExporter

    _peer["exporter"] = HTMLExporter(exclude_input=True)


def _peer_one(job: dict, folder: str) -> None:
    from ploomber_engine import execute_notebook

    out = Path(folder) / (job["name"].replace("/", "_") + ".ipynb")
    nb = execute_notebook(job["notebook"], str(out), parameters=job["parameters"],
                          progress_bar=False, cwd=str(Path(job["notebook"]).parent))
    body, _ = _peer["exporter"].from_notebook_node(nb)
    out.with_suffix(".html").write_text(body, encoding="utf-8")


def _peer_run(jobs: list[dict], workers: int) -> None:
    """The peer: ``ploomber_engine.execute_notebook`` in-process (no kernel) and one reused
    nbconvert ``HTMLExporter`` per process, the jobs on ``workers`` fresh processes."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with (tempfile.TemporaryDirectory(prefix="stuurkit-peer-") as folder,
          ProcessPoolExecutor(workers, mp_context=spawn, initializer=_peer_start) as pool):
        list(pool.map(_peer_one, jobs, [folder] * len(jobs)))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int, log: Path):
    """An external Dask cluster on this machine, as the README's multi-machine recipe
    starts one: ``dask scheduler`` and ``workers`` times ``dask worker … --nthreads 1
    --nworkers 1``, each a process (group) of its own; yields the scheduler's address once
    every worker has joined. Always torn down: SIGTERM to each process group, SIGKILL to
    what is left after 15 s (a worker's kernels die with it: helpers.run.lifeline)."""
    import signal

    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    host, port = address[len("tcp://"):].split(":")
    commands = [[str(BIN / "dask"), "scheduler", "--host", host, "--port", port,
                 "--no-dashboard"]]
    commands += [[str(BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                  "--no-dashboard"]] * workers
    processes = []
    with open(log, "a") as out:
        try:
            for command in commands:
                processes.append(subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out,
                                                  stdin=subprocess.DEVNULL,
                                                  start_new_session=True))
            with Client(address, timeout=60) as client:
                client.wait_for_workers(workers, timeout=120)
            yield address
        finally:
            for process in reversed(processes):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes:
                try:
                    process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                with contextlib.suppress(ProcessLookupError):  # the group's stragglers
                    os.killpg(process.pid, signal.SIGKILL)


def _run_phases(folder: Path, wall: float) -> dict[str, float]:
    """The seconds per phase of the run whose ``manifest.json`` is in ``folder``
    (``helpers.run.phases``): each phase summed over the jobs, plus the run's own, plus
    ``outside_run`` (the command's start — imports, the workspace, planning — and exit)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, float] = dict(manifest.get("phases") or {})
    for job in manifest["jobs"]:
        for name, seconds in (job.get("phases") or {}).items():
            out[name] = out.get(name, 0.0) + seconds
    out["outside_run"] = wall - (manifest.get("seconds") or 0.0)
    return out


DUIDING_EDIT = "duiding/2024/P1.2.md"  # shown in full by the programmamonitor of P1 only


def _made(folder: Path) -> tuple[list[str], dict[str, str]]:
    """The reports the last run made (not kept) and every report's key, from its manifest."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return (sorted(j["name"] for j in manifest["jobs"] if j["status"] == "ok"),
            {j["name"]: j.get("key") for j in manifest["jobs"]})


def _rerun(kit, folder: Path, change=None, tries: int = 3) -> tuple[float, list[str]]:
    """A run after ``change()`` (none: nothing changed): its seconds and the reports it made.

    The working tree may be shared with someone editing ``src/helpers`` meanwhile: a new
    code hash makes every report again (their keys change, ``helpers.run.incremental``).
    Such a run does not count: it is repeated (after a run that takes the new code in).
    """
    for _ in range(tries):
        _, before = _made(folder)
        if change is not None:
            change()
        seconds = kit()
        made, after = _made(folder)
        if after == before:
            return seconds, made
        kit()  # the code changed under the run: take it in, then try again
    raise RuntimeError(f"the code in src/helpers kept changing during {tries} reruns")


def batch(repeat: int, workers: int = 2) -> dict[str, float]:
    """The demo schedule: naive loop, ``stuurkit run``, the peer, an external Dask
    cluster, incremental reruns, and three limits.

    Side by side in each repetition, on the same jobs: the naive loop; ``stuurkit run
    --force`` (every report made; the previous run's reports and manifest in place, as a
    scheduled run finds its folder; ``STUURKIT_PHASES=1`` for the per-phase breakdown, read
    back from its manifest); the peer (``_peer_run``: ploomber-engine + nbconvert);
    ``stuurkit run --scheduler … --force`` on a fresh external Dask cluster of ``workers``
    single-threaded workers (``dask_cluster``; started before the clock, as a standing
    cluster is); ``stuurkit run`` again with nothing changed (every report kept). Then
    once: one duiding file of the workspace copy edited, and only the reports that show
    it must be made again. The limits run the same notebooks' code as plain Python:
    ``limit_s`` in one warm process, ``limit_parallel_warm_s`` in ``workers`` warm
    processes, ``limit_parallel_cold_s`` in ``workers`` processes that start cold.
    """
    jobs = _jobs()

    def naive():
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_naive_one, jobs))

    tmp = Path(tempfile.mkdtemp(prefix="stuurkit-bench-"))
    workspace, reports = tmp / "demo", tmp / "reports"
    shutil.copytree(ROOT / "data" / "demo", workspace,
                    ignore=shutil.ignore_patterns(".stuurkit-*"))
    env = {**os.environ, "STUURKIT_REPORTS": str(reports), "STUURKIT_PHASES": "1"}
    folder = reports / "demo"

    def kit(*extra: str) -> float:
        start = time.perf_counter()
        subprocess.run([str(BIN / "stuurkit"), "run", str(workspace), "--jobs", str(workers),
                        *extra], check=True, capture_output=True, env=env)
        return time.perf_counter() - start

    def timed(func) -> float:
        start = time.perf_counter()
        func()
        return time.perf_counter() - start

    runs: dict[str, list[float]] = {key: [] for key in (
        "naive_s", "stuurkit_s", "peer_ploomber_s", "dask_external_s", "stuurkit_unchanged_s")}
    phase_runs: list[dict[str, float]] = []
    try:
        kit()  # the previous run of a schedule
        for _ in range(repeat):
            runs["naive_s"].append(timed(naive))
            runs["stuurkit_s"].append(kit("--force"))  # every report made
            phase_runs.append(_run_phases(folder, runs["stuurkit_s"][-1]))
            runs["peer_ploomber_s"].append(timed(lambda: _peer_run(jobs, workers)))
            with dask_cluster(workers, tmp / "dask.log") as address:
                runs["dask_external_s"].append(kit("--scheduler", address, "--force"))
            # nothing changed since the last run: every report kept (helpers.run.incremental)
            seconds, made = _rerun(kit, folder)
            if made:
                raise AssertionError(f"a run with nothing changed made {made} again")
            runs["stuurkit_unchanged_s"].append(seconds)
        duiding = workspace / DUIDING_EDIT

        def edit() -> None:
            duiding.write_text(duiding.read_text(encoding="utf-8")
                               + "\nNieuw inzicht na het gesprek met UWV.\n", encoding="utf-8")

        edited_s, made = _rerun(kit, folder, edit)
        shows = sorted(j["name"] for j in jobs if j["parameters"].get("programme") == "P1")
        if made != shows:
            raise AssertionError(f"after editing {DUIDING_EDIT} the run made {made}; "
                                 f"only {shows} show it")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, float] = {"reports": len(jobs)}
    out.update({key: statistics.median(values) for key, values in runs.items()})
    out["rerun_duiding_s"] = edited_s
    out["rerun_duiding_made"] = len(made)
    for key, processes, warm in (("limit_s", 1, True),
                                 ("limit_parallel_warm_s", workers, True),
                                 ("limit_parallel_cold_s", workers, False)):
        out[key] = statistics.median(_limit(jobs, processes, warm) for _ in range(repeat))
    out["batch_speedup_vs_papermill"] = out["naive_s"] / out["stuurkit_s"]
    out["batch_ratio_to_limit"] = out["stuurkit_s"] / out["limit_s"]
    out["batch_ratio_to_parallel_warm_limit"] = out["stuurkit_s"] / out["limit_parallel_warm_s"]
    out["batch_ratio_to_parallel_cold_limit"] = out["stuurkit_s"] / out["limit_parallel_cold_s"]
    out["batch_ratio_to_ploomber"] = out["stuurkit_s"] / out["peer_ploomber_s"]
    out["rerun_unchanged_ratio"] = out["stuurkit_unchanged_s"] / out["stuurkit_s"]
    out["dask_external_ratio"] = out["stuurkit_s"] / out["dask_external_s"]
    names = sorted({name for run in phase_runs for name in run})
    out.update({f"phase_{name}_s": statistics.median(run.get(name, 0.0) for run in phase_runs)
                for name in names})
    return out


# -------------------------------------------------------------------- html


def html_sizes() -> dict[str, float]:
    """Page sizes of the demo run (interactive: the largest page) and
    of the same run with ``--static`` (no script, charts as SVG), plus a buurt profile
    whose map shows every buurt, published both ways."""
    def pages(folder: Path) -> dict[str, float]:
        return {p.name: p.stat().st_size / 1e6 for p in folder.glob("*.html")}

    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for mode, extra in (("interactive", []), ("static", ["--static"])):
            env = {**os.environ, "STUURKIT_REPORTS": str(Path(tmp) / mode)}
            subprocess.run([str(BIN / "stuurkit"), "run", "demo", "--jobs", "2", *extra],
                           check=True, capture_output=True, env=env)
            runs[mode] = pages(Path(tmp) / mode / "demo")
        import papermill as pm

        from helpers import publish

        out = Path(tmp) / "buurt.ipynb"
        pm.execute_notebook(str(ROOT / "notebooks" / "10_wijkprofiel.ipynb"), str(out),
                            parameters={"area_code": "BU99010604"}, progress_bar=False)
        buurt = publish.publish_notebook(out, Path(tmp) / "buurt.html")[0]
        text = buurt.read_text()
        once = text.count('id="stuurkit-vega-bundle"') == 1
        buurt_mb = buurt.stat().st_size / 1e6
        still = publish.publish_notebook(out, Path(tmp) / "buurt_static.html", static=True)[0]
        no_script = "<script" not in still.read_text()
        static_mb = max(still.stat().st_size / 1e6, *runs["static"].values())
    return {"html_max_report_mb": max(runs["interactive"].values()),
            "html_buurt_map_report_mb": buurt_mb,
            "html_static_max_mb": static_mb, "html_static_no_script": no_script,
            "html_vega_js_once": once, "html_reports": len(runs["interactive"])}


# ---------------------------------------------------------------- national


def _national_generate(folder: str) -> dict[str, int]:
    """Write the synthetic national tidy variables and hierarchy as parquet (not timed).
    The text columns of the variables are stored dictionary-encoded (categoricals: one
    code per row, each area code, variable, status and source written once), as a
    national store holds them; ``aggregate_up`` and ``compute`` read their codes."""
    import synthetic

    from helpers.workspace import open_workspace

    tidy, links = synthetic.national(open_workspace("demo"))
    text = ["area_code", "level", "variable", "status", "source"]
    tidy.astype(dict.fromkeys(text, "category")).to_parquet(Path(folder) / "variables.parquet")
    links.to_parquet(Path(folder) / "hierarchy.parquet")
    counts = tidy.drop_duplicates("area_code")["level"].value_counts().to_dict()
    return {"national_gemeenten": counts.get("gemeente", 0),
            "national_wijken": counts.get("wijk", 0),
            "national_buurten": counts.get("buurt", 0)}


MAP_INDICATOR, MAP_YEAR = "bijstand_per_1000", 2023


def _national_measure(folder: str) -> dict[str, float]:
    """Load the national parquet files, sum up, compute every indicator, suppress."""
    import pandas as pd

    from helpers.indicators import catalogue
    from helpers.indicators.aggregation import aggregate_up
    from helpers.indicators.computation import compute
    from helpers.indicators.disclosure import suppress

    cat = catalogue.load()
    start = time.perf_counter()
    links = pd.read_parquet(Path(folder) / "hierarchy.parquet")
    # one pipeline: no step's input is kept once the next step has it
    obs = suppress(compute(aggregate_up(pd.read_parquet(Path(folder) / "variables.parquet"),
                                        links), cat), cat, links)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB → GiB
    shown = obs[(obs["indicator"] == MAP_INDICATOR) & (obs["year"] == MAP_YEAR)
                & (obs["level"] == "buurt")]
    shown.rename(columns={"area_code": "code"})[["code", "value", "status"]].to_parquet(
        Path(folder) / "map.parquet")
    return {"seconds": seconds, "peak": peak, "observations": len(obs)}


def _national_map(folder: str) -> dict[str, float]:
    """The choropleth of every national buurt as the HTML mode renders it: its size."""
    import contextlib
    import io

    import altair as alt
    import pandas as pd
    import synthetic

    from helpers.presentation import maps
    from helpers.presentation import render as rendering
    from helpers.workspace import open_workspace

    os.environ["STUURKIT_RENDER"] = "html"
    with contextlib.redirect_stdout(io.StringIO()):  # the bundle, shown once per kernel
        rendering.setup()
    areas = synthetic.national_buurten(open_workspace("demo"))
    rows = pd.read_parquet(Path(folder) / "map.parquet")
    start = time.perf_counter()
    chart = maps.choropleth(areas, rows, f"Bijstand per 1.000 inwoners ({MAP_YEAR})",
                            "per 1.000 inwoners")
    html = alt.renderers.get()(chart.to_dict())["text/html"]
    return {"national_map_mb": len(html.encode()) / 1e6,
            "national_map_s": time.perf_counter() - start,
            "national_map_buurten": len(areas)}


def national(repeat: int) -> dict[str, float]:
    """National scale, each step in a fresh process (so peak memory is its own).

    The synthetic data (``synthetic.national``: 342 gemeenten, 14,022 buurten, 3,420
    wijken) is generated once and written as parquet *outside* the timed window. The
    timed window is what a national run does: read the tidy variables and hierarchy,
    ``aggregate_up``, ``compute`` every indicator and ``suppress``. Peak memory is the
    measuring process's maximum resident size (imports included). Then the national
    buurt map of one indicator (``synthetic.national_buurten``: the demo's buurten
    shifted per gemeente) is drawn as in the HTML mode and its size measured.
    """
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            out = pool.submit(_national_generate, tmp).result()
        runs = []
        for _ in range(repeat):
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                runs.append(pool.submit(_national_measure, tmp).result())
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            drawn = pool.submit(_national_map, tmp).result()
    out.update({"national_load_s": statistics.median(r["seconds"] for r in runs),
                "national_peak_gb": statistics.median(r["peak"] for r in runs),
                "national_observations": runs[0]["observations"]})
    out.update(drawn)
    return out


# ------------------------------------------------------ national wijkprofiel


WIJKPROFIEL_AREA = "WK990103"


def _wijkprofiel_once(workspace: str, folder: str) -> dict:
    """One wijkprofiel (papermill + publish) of ``workspace``, timed (imports outside)."""
    import nbformat
    import papermill as pm

    from helpers import publish

    out = Path(folder) / "wijkprofiel.ipynb"
    start = time.perf_counter()
    pm.execute_notebook(str(ROOT / "notebooks" / "10_wijkprofiel.ipynb"), str(out),
                        parameters={"workspace": workspace, "area_code": WIJKPROFIEL_AREA},
                        progress_bar=False)
    publish.publish_notebook(out, Path(folder) / "wijkprofiel.html")
    seconds = time.perf_counter() - start
    return {"seconds": seconds,
            "tables": publish.report_tables(nbformat.read(str(out), as_version=4))}


_COUNTRY = re.compile(r"^(Nederland|alle \d+ gemeenten)$", re.IGNORECASE)


def _without_country(tables: list[dict]) -> list[dict]:
    """The report's tables without the country's column and the words about it: the
    national workspace's country is its 342 gemeenten, the demo's its 33 peers, so only
    that column may differ (``helpers.analysis.peers.nederland``)."""
    out = []
    for table in tables:
        table = dict(table)
        columns = [str(c) for c in table.get("columns", [])]
        keep = [i for i, c in enumerate(columns) if not _COUNTRY.match(c)]
        if len(keep) < len(columns):
            table["columns"] = [columns[i] for i in keep]
            table["rows"] = [[row[i] for i in keep] for row in table.get("rows", [])]
            table.pop("formats", None)
            table["caption"] = re.split(r" en (?:Nederland|alle \d+ gemeenten)",
                                        str(table.get("caption", "")))[0]
        out.append(table)
    return out


def _same_numbers(demo: str, national: str) -> None:
    """The national workspace's gemeente has the demo's areas, variables and numbers."""
    from pandas.testing import assert_frame_equal, assert_series_equal

    from helpers.indicators import facts
    from helpers.workspace import open_workspace

    a, b = open_workspace(demo), open_workspace(national)
    gemeente = a.config.gemeente.code[2:]
    frames = {"observations": (facts.of(a).observations, facts.of(b).observations),
              "variables_raw": (a.variables_raw, b.variables_raw),
              "hierarchy": (a.hierarchy, b.hierarchy)}
    for name, (left, right) in frames.items():
        column = "area_code" if "area_code" in right else "code"
        assert (right[column].str[2:6] == gemeente).all(), f"{name}: other gemeenten"
        assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                           obj=name)
    assert_frame_equal(a.areas, b.areas, obj="areas")
    assert_series_equal(a.water, b.water, obj="water")


def national_wijkprofiel(repeat: int) -> dict[str, float]:
    """One wijkprofiel (``10_wijkprofiel``, ``WIJKPROFIEL_AREA``, papermill + publish) on the
    demo workspace and on a workspace that imported CBS's national files as they come
    (``synthetic.national_workspace``: 342 gemeenten, 14,073 buurten, 3,421 wijken in
    every KWB and kaart file; the gemeente is still the demo's). Each repetition runs in
    fresh processes, in turn: the demo (its parquet cache warm: one untimed run first),
    the national workspace with an empty cache (the first run after an import) and with
    its cache (a scheduled run). The vega bundle lives in a temporary ``STUURKIT_CACHE``,
    filled by the untimed run. The two workspaces must give the same numbers (areas,
    variables, observations, water) and the same report tables.
    """
    import multiprocessing

    import synthetic

    spawn = multiprocessing.get_context("spawn")
    saved = os.environ.get("STUURKIT_CACHE")
    tmp = Path(tempfile.mkdtemp(prefix="stuurkit-national-"))
    os.environ["STUURKIT_CACHE"] = str(tmp / "user-cache")
    demo, national = tmp / "demo", tmp / "national"
    try:
        shutil.copytree(ROOT / "data" / "demo", demo,
                        ignore=shutil.ignore_patterns("cache", ".stuurkit-*"))
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            counts = pool.submit(synthetic.national_workspace, national).result()

        def once(workspace: Path) -> dict:
            with (tempfile.TemporaryDirectory(dir=tmp) as out,
                  ProcessPoolExecutor(1, mp_context=spawn) as pool):
                return pool.submit(_wijkprofiel_once, str(workspace), out).result()

        once(demo)  # untimed: the demo's parquet cache and the vega bundle
        runs: dict[str, list] = {"demo": [], "cold": [], "warm": []}
        for _ in range(repeat):
            runs["demo"].append(once(demo))
            shutil.rmtree(national / "cache", ignore_errors=True)
            runs["cold"].append(once(national))
            runs["warm"].append(once(national))
        if (_without_country(runs["warm"][-1]["tables"])
                != _without_country(runs["demo"][-1]["tables"])):
            raise AssertionError("the national wijkprofiel's tables differ from the demo's")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            pool.submit(_same_numbers, str(demo), str(national)).result()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if saved is None:
            os.environ.pop("STUURKIT_CACHE", None)
        else:
            os.environ["STUURKIT_CACHE"] = saved
    out = {f"wijkprofiel_national_{k}": v for k, v in counts.items()}
    for key, name in (("demo", "wijkprofiel_demo_s"), ("cold", "wijkprofiel_national_cold_s"),
                      ("warm", "wijkprofiel_national_s")):
        out[name] = statistics.median(r["seconds"] for r in runs[key])
    out["wijkprofiel_national_ratio"] = out["wijkprofiel_national_s"] / out["wijkprofiel_demo_s"]
    out["wijkprofiel_national_cold_ratio"] = (out["wijkprofiel_national_cold_s"]
                                              / out["wijkprofiel_demo_s"])
    return out


# ---------------------------------------------------------------- explorer


def explorer(repeat: int) -> dict[str, float]:
    """Compute time of one verkenner change (state, map, trend, ranking; specs built),
    for the demo (92 buurten) and a gemeente of 500 buurten (``synthetic.big_gemeente``),
    after the first view that the verkenner shows when it opens."""
    import altair as alt
    import synthetic

    from helpers.indicators import facts
    from helpers.reports.verkenner import Explorer
    from helpers.workspace import open_workspace

    alt.data_transformers.disable_max_rows()
    demo = open_workspace("demo")
    out = {}
    for key, ws in (("explorer_demo", demo), ("explorer", synthetic.big_gemeente(demo))):
        found = facts.of(ws)
        # what a verkenner keeps lives with the facts (helpers.memo): each repeat changes
        # to three indicators that no verkenner of these facts has shown yet
        unseen = [i.id for i in found.catalogue.values()
                  if "buurt" in i.levels and i.id != "bijstand_per_1000"]
        if len(unseen) < 3 * repeat:
            raise RuntimeError(f"{key}: {len(unseen)} buurt indicators, fewer than three "
                               f"per repeat ({repeat})")
        times = []
        for number in range(repeat):
            # a verkenner as it opens (untimed: this simplifies the geometry, kept), then
            # a change to each of three indicators not shown yet
            state = Explorer(ws, found, "bijstand_per_1000", 2023, "buurt")
            state.map().to_dict(), state.trend().to_dict(), state.ranking()
            indicators = unseen[3 * number:3 * number + 3]
            start = time.perf_counter()
            for indicator in indicators:
                state.set(indicator=indicator)
                state.map().to_dict()
                state.trend().to_dict()
                state.ranking()
            times.append((time.perf_counter() - start) / len(indicators))
        out[f"{key}_update_ms"] = statistics.median(times) * 1000
        out[f"{key}_buurten"] = len(ws.areas_for(2023, "buurt"))
        shown = int(state.facts.observations.query("level == 'buurt'")["area_code"].nunique())
        if shown != out[f"{key}_buurten"]:  # the synthetic gemeente's facts, not the demo's
            raise RuntimeError(f"{key}: the verkenner shows {shown} buurten, the workspace "
                               f"has {out[f'{key}_buurten']}")
    if out["explorer_buurten"] < 500:
        raise RuntimeError(f"the large gemeente has {out['explorer_buurten']} buurten, not 500")
    return out


# ---------------------------------------------------------------- calibration


def calibration() -> dict[str, float]:
    """The worst cells of ``calibration.py`` (coverage, op koers precision, …)."""
    import calibration as forecasts

    return forecasts.results()


# -------------------------------------------------------------------- main


TARGETS = {"batch_speedup_vs_papermill": (">=", 10.0), "batch_ratio_to_limit": ("<=", 1.5),
           "batch_ratio_to_parallel_warm_limit": ("<=", 1.2),
           "batch_ratio_to_ploomber": ("<=", 1.0), "rerun_unchanged_ratio": ("<=", 0.10),
           "dask_external_ratio": (">=", 0.8),
           "html_max_report_mb": ("<=", 0.8), "html_buurt_map_report_mb": ("<=", 0.8),
           "html_static_max_mb": ("<=", 0.3),
           # issue 19's goals: load + compute <= 5 s in a fresh process, peak <= 2 GB
           "national_load_s": ("<=", 5.0), "national_peak_gb": ("<=", 2.0),
           "national_map_mb": ("<=", 5.0), "wijkprofiel_national_ratio": ("<=", 2.0),
           "explorer_update_ms": ("<=", 100.0), "explorer_demo_update_ms": ("<=", 200.0),
           "calibration_min_coverage": (">=", 0.90),
           "calibration_min_op_koers_precision": (">=", 0.95)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the batch comparison")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    results: dict[str, object] = {}
    if not args.quick:
        results.update(batch(args.repeat))
    results.update(html_sizes())
    results.update(national(args.repeat))
    results.update(national_wijkprofiel(args.repeat))
    results.update(explorer(args.repeat))
    results.update(calibration())
    results.update({"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                               f"Python {platform.python_version()}",
                    "date": date.today().isoformat(), "repeat": args.repeat})
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    width = max(len(k) for k in results)
    print(f"{'measure':<{width}}  {'value':>10}  {'target':>8}  {'previous':>10}")
    for key, value in results.items():
        target = TARGETS.get(key)
        shown = f"{value:10.2f}" if isinstance(value, float) else f"{value!s:>10}"
        goal = f"{target[0]}{target[1]:g}" if target else ""
        before = previous.get(key)
        prev = f"{before:10.2f}" if isinstance(before, float) else ""
        print(f"{key:<{width}}  {shown}  {goal:>8}  {prev}")
        if isinstance(value, float) and isinstance(before, float) and target:
            worse = value > before * 1.2 if target[0] == "<=" else value < before / 1.2
            if worse:
                print(f"WARNING: {key} regressed: {before:.2f} → {value:.2f}")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    # through the module's own name: the peer's processes execute notebooks in-process,
    # which replaces their ``__main__``, so functions pickled as ``__main__.…`` would no
    # longer be found there (the benchmarks folder is on the path of every process)
    import run

    sys.exit(run.main())
