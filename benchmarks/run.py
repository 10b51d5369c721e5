"""Stuurkit benchmarks: one command, a table of medians.

    .venv/bin/python benchmarks/run.py [--repeat 3]     (or: make bench)

Measures, on the demo workspace: generating the demo data, opening a workspace and
computing every observation, executing one wijkprofiel with papermill (kernel start
included), exporting it to HTML in-process, and the size of the published HTML.
Targets belong here, never in unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _time(func, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import nbformat
    import papermill as pm

    from helpers import publish
    from helpers.sources import demo
    from helpers.workspace import open_workspace

    rows = []
    t, _ = _time(demo.build_files, args.repeat)
    rows.append(("demo data generation (24 files)", t, "s"))

    def observations():
        ws = open_workspace("demo")
        return len(ws.observations)

    t, n = _time(observations, args.repeat)
    rows.append((f"open demo workspace + {n} observations", t, "s"))

    notebook = ROOT / "notebooks" / "10_wijkprofiel.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.ipynb"

        def execute():
            pm.execute_notebook(str(notebook), str(out), parameters={"area_code": "WK990103"},
                                progress_bar=False)

        t, _ = _time(execute, args.repeat)
        rows.append(("wijkprofiel via papermill (kernel start included)", t, "s"))
        nb = nbformat.read(out, as_version=4)
        t, html = _time(lambda: publish.notebook_to_html(nb), args.repeat)
        rows.append(("HTML export in-process", t, "s"))
        rows.append(("executed notebook size", out.stat().st_size / 1e6, "MB"))
        rows.append(("published HTML size", len(html.encode()) / 1e6, "MB"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':>8}  unit   (repeat={args.repeat})")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:8.2f}  {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
