"""Incremental runs: a report is made again only when something it read changed.

The fast tests run the fault notebook (it reads nothing of the workspace); the recording
is tested in-process on a copy of the demo; one slow test runs real reports and edits a
duiding file, raw data and the duiding's presence, asserting which reports are made.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from helpers import run as runner
from helpers.run import incremental
from helpers.workspace import open_workspace, reads

NOTEBOOKS = Path(__file__).resolve().parents[1] / "data" / "notebooks"


@pytest.fixture
def reports(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    folder = tmp_path / "reports" / "demo"
    folder.mkdir(parents=True)
    return folder


def _jobs(folder: Path, modes: dict[str, str]) -> list[runner.Job]:
    return [runner.Job(name=name, notebook=str(NOTEBOOKS / "fault.ipynb"),
                       parameters={"mode": mode, "label": name},
                       html=str(folder / f"{name}.html"), title=f"Test {name}")
            for name, mode in modes.items()]


def _run(ws, jobs, **options) -> dict[str, str]:
    results = runner.run(ws, jobs, options=runner.RunOptions(workers=1, progress=False,
                                                             **options))
    return {r.job.name: r.status for r in results}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.glob("*.html")
            if p.name != "index.html"}


def test_an_unchanged_rerun_skips_every_report_and_keeps_its_files(demo_ws, reports):
    jobs = _jobs(reports, {"a": "ok", "b": "ok"})
    assert _run(demo_ws, jobs) == {"a": "ok", "b": "ok"}
    first = _files(reports)
    assert _run(demo_ws, jobs) == {"a": "ongewijzigd", "b": "ongewijzigd"}
    assert _files(reports) == first, "a skipped report keeps its files byte for byte"
    manifest = _manifest(reports)
    assert [j["status"] for j in manifest["jobs"]] == ["ongewijzigd", "ongewijzigd"]
    assert manifest["summary"] == {"ok": 2, "failed": 0}
    assert manifest["incremental"] == {"forced": False, "made": 0, "unchanged": 2}
    entry = manifest["jobs"][0]
    assert entry["made"] and entry["output_sha256"] == {
        "a.html": reads.digest(reports / "a.html")} and entry["inputs"] == {}
    assert manifest["audit"]["files"] >= 2 and not manifest["audit"]["findings"]
    index = (reports / "index.html").read_text()
    assert "Test a" in index and "Test b" in index, "the index lists every report"
    assert len(re.findall(r"ongewijzigd, gemaakt \d\d-\d\d-\d{4}", index)) == 2


@pytest.mark.parametrize("change", ["deleted", "modified"])
def test_an_output_deleted_or_changed_since_it_was_written_is_made_again(
        demo_ws, reports, change):
    jobs = _jobs(reports, {"a": "ok", "b": "ok"})
    _run(demo_ws, jobs)
    if change == "deleted":
        (reports / "a.html").unlink()
    else:
        (reports / "a.html").write_text((reports / "a.html").read_text() + "<!-- -->")
    assert _run(demo_ws, jobs) == {"a": "ok", "b": "ongewijzigd"}
    assert "<!-- -->" not in (reports / "a.html").read_text()


def test_force_a_code_change_and_other_parameters_make_reports_again(demo_ws, reports,
                                                                     monkeypatch):
    jobs = _jobs(reports, {"a": "ok", "b": "ok"})
    _run(demo_ws, jobs)
    assert _run(demo_ws, jobs, force=True) == {"a": "ok", "b": "ok"}
    assert _manifest(reports)["incremental"]["forced"] is True
    monkeypatch.setattr(incremental, "code_hash", lambda: "another version of the kit")
    assert _run(demo_ws, jobs) == {"a": "ok", "b": "ok"}
    assert _run(demo_ws, jobs) == {"a": "ongewijzigd", "b": "ongewijzigd"}
    monkeypatch.setattr("helpers.__version__", "99.0")
    other = [jobs[0], runner.Job(**{**jobs[1].__dict__,
                                    "parameters": {"mode": "ok", "label": "anders"}})]
    assert _run(demo_ws, other) == {"a": "ok", "b": "ok"}


def test_a_failed_report_is_never_unchanged(demo_ws, reports):
    jobs = _jobs(reports, {"goed": "ok", "fout": "error"})
    assert _run(demo_ws, jobs) == {"goed": "ok", "fout": "mislukt"}
    assert _run(demo_ws, jobs) == {"goed": "ongewijzigd", "fout": "mislukt"}
    entry = next(j for j in _manifest(reports)["jobs"] if j["name"] == "fout")
    assert entry["inputs"] is None and "key" not in entry
    # it was made once, then failed: its previous version stays, but is never skipped
    fixed = _jobs(reports, {"goed": "ok", "fout": "ok"})
    assert _run(demo_ws, fixed)["fout"] == "ok"
    assert _run(demo_ws, jobs)["fout"] == "mislukt"
    assert _run(demo_ws, jobs)["fout"] == "mislukt"


def test_an_older_manifest_without_inputs_makes_everything_again(demo_ws, reports):
    jobs = _jobs(reports, {"a": "ok"})
    _run(demo_ws, jobs)
    doc = _manifest(reports)
    for job in doc["jobs"]:
        for key in ("inputs", "key", "output_sha256"):
            job.pop(key)
    (reports / "manifest.json").write_text(json.dumps(doc))
    assert _run(demo_ws, jobs) == {"a": "ok"}


def test_an_interrupted_run_leaves_reports_and_manifest_as_they_were(demo_ws, reports,
                                                                     monkeypatch):
    """A run killed before it writes its manifest: the previous manifest still describes
    the previous files; a report the killed run rewrote is made again."""
    jobs = _jobs(reports, {"a": "ok", "b": "ok"})
    _run(demo_ws, jobs)
    before = ((reports / "manifest.json").read_bytes(), _files(reports))

    def killed(queue, options, done, pool=None):
        Path(queue[0].html).write_text("half a new report")  # then the process is gone
        raise SystemExit(137)

    monkeypatch.setitem(runner.EXECUTORS, "local", killed)
    with pytest.raises(SystemExit):
        _run(demo_ws, jobs, force=True)
    assert (reports / "manifest.json").read_bytes() == before[0]
    monkeypatch.undo()
    monkeypatch.setenv("STUURKIT_REPORTS", str(reports.parent))
    rewritten = "a" if (reports / "a.html").read_text() == "half a new report" else "b"
    statuses = _run(demo_ws, jobs)
    assert statuses[rewritten] == "ok" and list(statuses.values()).count("ongewijzigd") == 1


# ------------------------------------------------------------------ what is recorded


def test_the_workspace_records_what_is_read_also_when_it_was_kept(ws_copy):
    from helpers.indicators import facts
    from helpers.reports import common

    ws = open_workspace(ws_copy)
    with reads.capture() as first:
        facts.of(ws)
    same = open_workspace(ws_copy)
    assert same is ws
    with reads.capture() as again:  # computed once: the same reads, recorded again
        facts.of(same)
    assert first == again
    with reads.capture() as opened:
        open_workspace(ws_copy)
    assert opened == {"stuurkit.yml": reads.digest(ws_copy / "stuurkit.yml")}
    assert {"raw/kwb-2024.csv", "raw/registraties.csv",
            "raw/wijken_2022.geojson"} <= set(first)
    assert first["raw/kwb-2024.csv"] == reads.digest(ws_copy / "raw" / "kwb-2024.csv")
    loaded = common.budget(ws, facts.of(ws))
    with reads.capture() as shown:
        loaded.duiding[("P1.2", 2024)]
        ("P2.2", 2024) in loaded.duiding  # noqa: B015 — only whether it exists
        loaded.lessons.of_goal("P1.2")
    assert shown["duiding/2024/P1.2.md"] == reads.digest(ws_copy / "duiding/2024/P1.2.md")
    assert shown["bestaat:duiding/2024/P2.2.md"] == "ja"
    assert {k for k in shown if k.startswith("lijst:")} == {"lijst:duiding/*/P1.2.md"}
    assert not [k for k in shown if "P1.2" not in k and not k.startswith("bestaat:")], (
        "no other goal's duiding is read")
    for name, value in shown.items():
        assert reads.current(name, ws_copy) == value
    (ws_copy / "duiding/2024/P2.2.md").unlink()
    assert reads.current("bestaat:duiding/2024/P2.2.md", ws_copy) is None


def test_a_report_year_that_is_not_over_depends_on_today():
    import datetime as dt

    from helpers.analysis import loop

    with reads.capture() as got:
        loop.as_of(dt.date.today().year + 1)
        loop.as_of(2024, today=dt.date(2024, 6, 1))  # a fixed day is no dependency
    assert got == {"vandaag": dt.date.today().isoformat()}
    with reads.capture() as got:
        loop.as_of(2024)
    assert got == {}


# ------------------------------------------------------------------ real reports


@pytest.mark.slow
def test_editing_workspace_files_makes_exactly_the_reports_that_read_them(
        ws_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    ws = open_workspace(ws_copy)
    wanted = ["bestuursoverzicht", "programmamonitors/P1", "programmamonitors/P2",
              "wijkprofielen/WK990101", "datakwaliteit"]
    jobs = [j for j in runner.expand(ws) if j.name in wanted]
    assert sorted(j.name for j in jobs) == sorted(wanted)

    def run() -> set[str]:
        results = runner.run(open_workspace(ws_copy), jobs, options=runner.RunOptions(
            workers=2, progress=False))
        assert all(r.available for r in results), [r.error for r in results]
        return {r.job.name for r in results if r.status == "ok"}

    assert run() == set(wanted)
    folder = Path(jobs[0].html).parent
    manifest = json.loads((folder / "manifest.json").read_text())
    inputs = {j["name"]: j["inputs"] for j in manifest["jobs"]}
    assert "duiding/2024/P1.2.md" in inputs["programmamonitors/P1"]
    assert "duiding/2024/P1.2.md" not in inputs["programmamonitors/P2"]
    # the bestuursoverzicht's steering-loop signals ask whether each goal has a duiding
    assert "bestaat:duiding/2024/P1.2.md" in inputs["bestuursoverzicht"]
    assert all("stuurkit.yml" in found and "raw/kwb-2024.csv" in found
               for found in inputs.values())
    assert run() == set(), "nothing changed: every report is unchanged"

    duiding = ws_copy / "duiding" / "2024" / "P1.2.md"
    duiding.write_text(duiding.read_text() + "\nNieuw inzicht na het gesprek met UWV.\n")
    assert run() == {"programmamonitors/P1"}, "only the report that shows this duiding"
    page = (folder / "20_programmamonitor_P1.html").read_text()
    assert "Nieuw inzicht na het gesprek met UWV." in page

    duiding.unlink()  # the goal has no duiding any more: the steering loop says so
    assert run() == set(wanted) - {"datakwaliteit"}

    raw = ws_copy / "raw" / "registraties.csv"
    raw.write_text(raw.read_text().replace("GM9901,2015,bbv_jongeren_delict,1.48",
                                           "GM9901,2015,bbv_jongeren_delict,1.49", 1))
    assert run() == set(wanted), "every report reads the raw files (through the facts)"
    assert os.environ.get(reads.ENVIRONMENT) is None


def test_the_run_command_offers_force(capsys):
    from helpers.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--force" in capsys.readouterr().out


def test_nested_captures_with_equal_reads_close_in_any_order():
    # two open captures hold equal dicts: closing one must not remove the other
    from helpers.workspace import reads

    with reads.capture() as outer:
        with reads.capture() as inner:
            assert inner == outer == {}
        assert any(open_ is outer for open_ in reads._open)
    assert not any(open_ is outer for open_ in reads._open)
