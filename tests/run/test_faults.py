"""Scheduled runs under faults: isolation, timeouts, retries, manifest, lock, Dask."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import run as runner
from helpers.cli import main
from tests.scenarios.reliability import previous_report

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[1] / "data" / "notebooks"


def _job(folder: Path, name: str, mode: str, notebook: str = "fault.ipynb") -> runner.Job:
    return runner.Job(name=name, notebook=str(NOTEBOOKS / notebook),
                      parameters={"mode": mode, "label": name},
                      html=str(folder / f"{name}.html"), title=f"Test {name}")


def _previous(name: str) -> str:
    return previous_report(f"vorige goede versie van {name}")


@pytest.fixture
def reports(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    return tmp_path / "reports"


def test_faults_are_isolated_and_the_manifest_is_true(demo_ws, reports):
    folder = reports / "demo"
    folder.mkdir(parents=True)
    jobs = [_job(folder, "goed", "ok"), _job(folder, "fout", "error"),
            _job(folder, "sterft", "die"), _job(folder, "hangt", "hang"),
            _job(folder, "geenkernel", "ok", "no_kernel.ipynb")]
    for job in jobs[1:]:
        Path(job.html).write_text(_previous(job.name))
    results = runner.run(demo_ws, jobs, options=runner.RunOptions(workers=2, timeout=5,
                                                                  progress=False))
    by_name = {r.job.name: r for r in results}
    assert by_name["goed"].status == "ok"
    assert "Test goed" in Path(jobs[0].html).read_text()
    assert by_name["fout"].error.startswith("cel ") and "ValueError: bewust fout in fout" in \
        by_name["fout"].error
    assert "kernel" in by_name["sterft"].error.lower()
    assert "tijdslimiet van 5 s" in by_name["hangt"].error
    assert by_name["geenkernel"].attempts == 3 and "no-such-kernel" in by_name[
        "geenkernel"].error
    for job in jobs[1:]:
        assert Path(job.html).read_text() == _previous(job.name)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["summary"] == {"ok": 1, "failed": 4}
    assert manifest["kit_version"] and manifest["provenance"]
    entry = next(j for j in manifest["jobs"] if j["name"] == "fout")
    assert entry["status"] == "mislukt" and entry["previous_output_kept"] is True
    assert entry["parameters"] == {"mode": "error", "label": "fout"}
    good = next(j for j in manifest["jobs"] if j["name"] == "goed")
    assert good["outputs"] == ["goed.html"] and good["seconds"] > 0
    index = (folder / "index.html").read_text()
    assert re.search(r"Test fout <span class=[\"']status-mislukt[\"']>mislukt</span>", index)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_cli_exit_code_2_for_an_unknown_programme_before_any_report(ws_copy, reports, capsys):
    """A schedule naming a programme the budget does not have is a configuration error:
    refused before a kernel starts (exit 2), naming the entry and the programmes there
    are. A report that fails while it runs gives exit 1 (tests/scenarios/reliability.py:
    'failing cell', through the CLI)."""
    path = ws_copy / "stuurkit.yml"
    text = path.read_text().replace("- name: datakwaliteit", "- name: kapot\n  notebook: "
                                    "20_programmamonitor.ipynb\n  parameters:\n    programme: "
                                    "P99\n- name: datakwaliteit")
    path.write_text(text)
    code = main(["run", str(ws_copy), "--only", "datakwaliteit", "kapot", "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 2 and "kapot" in captured.err and "P99" in captured.err, captured
    assert not (reports / "kopie" / "90_datakwaliteit.html").exists()
    assert not (reports / "kopie" / "manifest.json").exists()


def test_a_second_run_refuses_while_the_first_holds_the_lock(demo_ws, reports, capsys):
    folder = reports / "demo"
    with runner.run_lock(folder):
        code = main(["run", "demo", "--only", "datakwaliteit"])
    err = capsys.readouterr().err
    assert code == 2 and "Another stuurkit run is busy" in err
    assert not (folder / "90_datakwaliteit.html").exists()
    assert not (folder / "manifest.json").exists()


def _normalise(text: str) -> str:
    text = re.sub(r"\d\d-\d\d-\d{4} \d\d:\d\d", "<tijd>", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "<tijd>", text)


def test_dask_local_cluster_makes_the_same_reports(demo_ws, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    outputs = {}
    for executor in ("local", "dask"):
        monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / executor))
        jobs = runner.expand(demo_ws, only=["bestuursoverzicht", "datakwaliteit"])
        results = runner.run(demo_ws, jobs, options=runner.RunOptions(
            executor=executor, workers=2, progress=False))
        assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
        outputs[executor] = {Path(j.html).name: _normalise(Path(j.html).read_text())
                             for j in jobs}
        manifest = json.loads((tmp_path / executor / "demo" / "manifest.json").read_text())
        assert manifest["executor"] == executor
    assert outputs["local"] == outputs["dask"]


def test_a_warm_kernel_leaks_no_state_between_reports(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "fresh"))
    jobs = runner.expand(demo_ws, only=["wijkprofielen", "programmamonitors"])
    target = next(j for j in jobs if j.name == "wijkprofielen/WK990103")
    others = [j for j in jobs if j.name in ("programmamonitors/P1", "wijkprofielen/WK990104")]
    fresh = runner.run_job(target, warm=False)
    assert fresh.status == "ok", fresh.error
    fresh_html = _normalise(Path(target.html).read_text())
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "warm"))
    jobs = runner.expand(demo_ws, only=["wijkprofielen", "programmamonitors"])
    target = next(j for j in jobs if j.name == "wijkprofielen/WK990103")
    others = [j for j in jobs if j.name in ("programmamonitors/P1", "wijkprofielen/WK990104")]
    results = runner.run(demo_ws, [*others, target], options=runner.RunOptions(
        workers=1, warm=True, progress=False))
    assert [r.status for r in results] == ["ok", "ok", "ok"], [r.error for r in results]
    assert _normalise(Path(target.html).read_text()) == fresh_html


def test_warm_engine_keeps_papermills_error_banner(tmp_path):
    import nbformat
    import papermill as pm

    from helpers.run import warm

    out = tmp_path / "fout.ipynb"
    with pytest.raises(pm.PapermillExecutionError, match="bewust fout"):
        pm.execute_notebook(str(NOTEBOOKS / "fault.ipynb"), str(out),
                            parameters={"mode": "error", "label": "x"},
                            engine_name=warm.ENGINE, progress_bar=False, cwd=str(tmp_path))
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata["papermill"]["exception"] is True
    assert "An Exception was encountered" in "".join(nb.cells[0]["source"])
    warm.discard()


def test_the_end_of_run_scan_sets_leaking_files_aside(demo_ws, reports):
    folder = reports / "demo"
    folder.mkdir(parents=True)
    leak = "<html><body><img src='https://example.org/pixel.gif'></body></html>"
    (folder / "oud_rapport.html").write_text(leak)  # left by someone, not by this run
    jobs = [_job(folder, "goed", "ok"), _job(folder, "fout", "error")]
    Path(jobs[1].html).write_text(leak)  # the previous version of a report that fails now
    results = runner.run(demo_ws, jobs, options=runner.RunOptions(workers=1, progress=False))
    assert [p.name for p in sorted(folder.glob("*.rejected"))] == [
        "fout.html.rejected", "oud_rapport.html.rejected"]
    fout = next(r for r in results if r.job.name == "fout")
    assert "vorige versie afgekeurd (privacyscan: external" in fout.error
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {f["file"] for f in manifest["audit"]["findings"]} == {"oud_rapport.html",
                                                                  Path(jobs[1].html).name}
    assert manifest["audit"]["passed"] == manifest["audit"]["files"] - 2
    index = (folder / "index.html").read_text()
    assert "oud_rapport" not in index and "vorige versie:" not in index
