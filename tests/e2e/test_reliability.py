"""The reliability scenarios of ``make audit`` (tests/reliability.py), asserted.

Bad input is refused clearly and changes nothing; batch faults keep previous reports, a
true manifest and no temporary files, also on a machine whose cores are all busy
(``tests/scenarios/loaded.py``), and a killed run leaves no process behind; runs and
imports exclude each other; text from data is never executed; the published demo
passes the privacy scan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.scenarios import reliability
from tests.scenarios.loaded import cpu_load

pytestmark = pytest.mark.slow


def _failed(rows: list[reliability.Row]) -> list[str]:
    return [f"{r.case}: {r.numbers} {r.detail}" for r in rows if not r.ok]


def test_the_corpus_covers_every_kind_of_input():
    cases = yaml.safe_load(reliability.CONFIG_CASES.read_text(encoding="utf-8"))
    files = {c["file"] for c in cases}
    assert {"stuurkit.yml", "begroting.yml", "catalogus.yml"} <= files
    assert sum(c["name"].startswith("params_") for c in cases) >= 3  # notebook parameters
    assert len(reliability.IMPORT_CASES) + len(cases) >= 30


def test_bad_input_is_refused_clearly_and_changes_nothing(tmp_path: Path):
    rows = reliability.bad_input(tmp_path)
    assert len(rows) >= 30
    assert not _failed(rows)


def test_batch_faults_keep_previous_reports_and_a_true_manifest_on_a_loaded_machine(
        tmp_path: Path):
    # every core kept busy: cleanup and the scenarios' waits may not depend on timing
    with cpu_load():
        rows = reliability.batch_faults(tmp_path)
    cases = {r.case for r in rows}
    assert {"failing cell", "dying kernel", "timeout", "bad parameter", "SIGTERM mid-run",
            "unwritable report file", "unwritable output folder",
            "SIGKILL mid-run: workers and kernels die with it",
            "SIGKILL mid-run, processes untied: the next run ends them"} <= cases
    assert not _failed(rows)


def test_the_burner_ends_its_processes_however_the_block_ends():
    with pytest.raises(KeyboardInterrupt), cpu_load(2) as pids:
        assert len(reliability._alive(set(pids))) == 2
        raise KeyboardInterrupt
    assert not reliability._alive(set(pids))


def test_only_what_a_scenario_run_leaves_counts_as_left(tmp_path: Path):
    import tempfile

    folder, own = tmp_path / "reports" / "ws", tmp_path / "tmp"
    folder.mkdir(parents=True)
    own.mkdir()
    other = Path(tempfile.mkdtemp(prefix="stuurkit-run-1-", dir=tempfile.gettempdir()))
    try:  # another run on this machine is busy: its folder is not ours
        assert reliability._leftovers(folder, {"TMPDIR": str(own)}) == []
        (own / "tmpkernel.json").write_text("{}")
        (folder / ".fault_goed.html.123.abc.tmp").write_text("")
        assert len(reliability._leftovers(folder, {"TMPDIR": str(own)})) == 2
    finally:
        other.rmdir()


def test_runs_and_imports_exclude_each_other(tmp_path: Path):
    rows = reliability.concurrency(tmp_path)
    assert len(rows) == 5 and not _failed(rows)


def test_text_from_data_is_shown_never_run_and_paths_stay_in_reports(tmp_path: Path):
    rows = reliability.injection(tmp_path)
    assert not _failed(rows)
    shown = next(r for r in rows if r.case == "markup shown as text, never run")
    assert shown.numbers["payload shown escaped"] >= 10


def test_the_demo_run_passes_its_privacy_scan(tmp_path: Path):
    row, audits = reliability.privacy(tmp_path)
    assert row.ok, row.numbers
    assert row.numbers["charts"] >= 40 and row.numbers["values checked"] > 1000
    assert {a.file for a in audits} >= {"index.html", "30_bestuursoverzicht.html"}
