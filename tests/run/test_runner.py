"""Scheduled runs: schedule → jobs, failure isolation, index, the CLI's exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import run as runner
from helpers.cli import main
from tests.scenarios.reliability import previous_report

ROOT = Path(__file__).resolve().parents[2]


def test_schedule_expands_to_reports_per_programme_and_wijk(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    jobs = runner.expand(demo_ws)
    assert len(jobs) == 1 + 6 + 11 + 7 + 1
    assert [j.section for j in jobs][:2] == ["Bestuur", "Programma's"]
    wijk = next(j for j in jobs if j.name == "wijkprofielen/WK990101")
    assert wijk.parameters == {"workspace": "demo", "year": 2024, "area_code": "WK990101"}
    assert wijk.html == str(tmp_path / "demo" / "10_wijkprofiel_WK990101.html")
    assert wijk.title == "Wijkprofiel Binnenstad"
    monitor = next(j for j in jobs if j.name == "programmamonitors/P1")
    assert monitor.parameters["programme"] == "P1"
    assert monitor.title == "Programmamonitor Werk en inkomen"


def test_unknown_schedule_entry_is_a_config_error(demo_ws):
    with pytest.raises(Exception, match="no entry named nope; known entries: bestuursoverzicht"):
        runner.expand(demo_ws, only=["nope"])


@pytest.mark.slow
def test_a_failing_job_keeps_its_old_report_and_does_not_stop_the_others(
        demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    good, other = runner.expand(demo_ws, only=["wijkprofielen"])[:2]
    bad = runner.Job(name="wijkprofielen/WK990199", notebook=other.notebook,
                     parameters={**other.parameters, "area_code": "WK990199"},
                     html=str(tmp_path / "demo" / "10_wijkprofiel_WK990199.html"),
                     title="Wijkprofiel Onbekend")
    Path(bad.html).parent.mkdir(parents=True)
    Path(bad.html).write_text(previous_report("vorige goede versie"))
    results = runner.run(demo_ws, [good, bad], workers=2)
    assert [r.status for r in results] == ["ok", "mislukt"]
    assert "UnknownAreaError" in results[1].error or "WK990199" in results[1].error
    assert Path(bad.html).read_text() == previous_report("vorige goede versie")
    assert Path(good.html).stat().st_size > 500_000
    index = (tmp_path / "demo" / "index.html").read_text()
    assert "10_wijkprofiel_WK990101.html" in index
    assert re.search(r"Wijkprofiel Onbekend <span class=[\"']status-mislukt[\"']>mislukt</span>",
                     index)
    leftovers = [p.name for p in (tmp_path / "demo").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [], "no temporary files left behind"


def test_broken_config_exits_2_with_one_message_and_writes_nothing(ws_copy, tmp_path,
                                                                   monkeypatch, capsys):
    reports = tmp_path / "reports"
    monkeypatch.setenv("STUURKIT_REPORTS", str(reports))
    path = ws_copy / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text())
    doc["gemeente"]["code"] = "Voorbeeldstad"
    path.write_text(yaml.safe_dump(doc))
    assert main(["run", str(ws_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stuurkit: ") and "gemeente.code" in err and "Traceback" not in err
    assert not reports.exists()


def test_missing_workspace_file_exits_2(ws_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    (ws_copy / "begroting.yml").unlink()
    assert main(["run", str(ws_copy)]) == 2
    assert "programme: begroting.yml" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    assert main(["check", str(ws_copy)]) == 1
    out = capsys.readouterr().out
    assert "FOUT" in out and "programme: begroting.yml" in out and "1 error(s)" in out


def test_check_summarises_the_demo(capsys):
    assert main(["check", "demo"]) == 0
    assert "GM9901 Voorbeeldstad" in capsys.readouterr().out


def test_cli_help_for_every_command():
    for command in ("demo-data", "check", "run", "publish"):
        out = subprocess.run([sys.executable, "-m", "helpers.cli", command, "--help"],
                             capture_output=True, text=True, check=True).stdout
        assert out.startswith("usage: stuurkit " + command)
