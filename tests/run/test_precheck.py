"""``stuurkit run`` refuses a configuration or data error with exit code 2 before any
kernel starts, with the messages ``stuurkit check`` gives (one shared check:
``helpers.run.schedule.preflight``); a schedule without ``year`` runs the newest
statistics year, and the manifest records it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import yaml

from helpers import run as runner
from helpers.cli import main
from helpers.errors import ConfigError
from helpers.indicators import catalogue as catalogues
from helpers.run import executors, schedule
from helpers.run.job import Result
from helpers.run.manifest import write_manifest
from helpers.workspace import open_workspace
from helpers.workspace.check import ERROR, check_workspace


@pytest.fixture
def no_workers(monkeypatch):
    """Fail the test if the run starts a worker or any executor (a kernel would follow)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a worker was started for a run that should not start")

    monkeypatch.setattr(runner, "start_workers", refuse, raising=False)
    monkeypatch.setattr("helpers.run.workers.start_workers", refuse)
    for name in list(executors.EXECUTORS):
        monkeypatch.setitem(executors.EXECUTORS, name, refuse)


def _edit(root, change) -> None:
    path = root / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_no_kwb_data_exits_2_before_any_kernel(ws_copy, tmp_path, monkeypatch, capsys,
                                               no_workers):
    reports = tmp_path / "reports"
    monkeypatch.setenv("STUURKIT_REPORTS", str(reports))
    _edit(ws_copy, lambda doc: doc["sources"].update(kwb=[]))
    assert main(["run", str(ws_copy), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"stuurkit: {ws_copy / 'stuurkit.yml'}: the run cannot start")
    assert "sources.kwb: no KWB files; add them with `stuurkit fetch` or `stuurkit import`." \
        in err
    assert "Traceback" not in err
    assert not reports.exists()  # nothing written, no lock taken


def test_a_year_without_statistics_exits_2_naming_entry_and_years(ws_copy, tmp_path,
                                                                  monkeypatch, capsys,
                                                                  no_workers):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))

    def future(doc):
        for entry in doc["schedule"]:
            entry["parameters"]["year"] = 2031

    _edit(ws_copy, future)
    assert main(["run", str(ws_copy), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "5 problem(s)" in err
    for name in ("bestuursoverzicht", "programmamonitors", "wijkprofielen", "buurtprofielen",
                 "datakwaliteit"):
        assert (f"schedule entry '{name}': year 2031 has no statistics in this workspace; "
                "available years: 2015, 2016") in err
    assert not (tmp_path / "reports").exists()


def test_run_and_check_report_the_same_problems(ws_copy, monkeypatch, tmp_path):
    """One check for both: every error ``check`` finds in the budget and the schedule is
    in the run's refusal."""
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    budget = ws_copy / "begroting.yml"
    budget.write_text(budget.read_text(encoding="utf-8").replace(
        "indicator: bijstand_per_1000", "indicator: bijstand_per_100", 1), encoding="utf-8")

    def wrong(doc):
        doc["schedule"][0]["parameters"]["year"] = 2031
        doc["schedule"][2]["parameters"]["area_code"] = "WK990191"

    _edit(ws_copy, wrong)
    found = check_workspace(ws_copy, catalogue=catalogues.for_workspace,
                            schedule=schedule.schedule_problems)
    errors = [p for p in found if p.severity == ERROR]
    assert {p.where for p in errors} == {"begroting.yml", "schedule entry 'bestuursoverzicht'",
                                         "schedule entry 'wijkprofielen'"}, errors
    with pytest.raises(ConfigError) as refused:
        runner.expand(open_workspace(ws_copy))
    for problem in errors:
        assert f"  {problem.where}: {problem.message}" in str(refused.value)
    # a for_each entry sets area_code per job: the one given is refused, not ignored
    assert ("schedule entry 'wijkprofielen': parameter 'area_code' = 'WK990191' is set per "
            "wijk (for_each: wijk); remove it") in str(refused.value)


def test_without_year_the_newest_statistics_year_is_run_and_recorded(ws_copy, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))

    def no_year(doc):
        for entry in doc["schedule"]:
            entry.pop("parameters")

    _edit(ws_copy, no_year)
    ws = open_workspace(ws_copy)
    jobs = runner.expand(ws)
    assert len(jobs) == 1 + 6 + 11 + 7 + 1
    assert {j.parameters["year"] for j in jobs} == {2024}
    wijk = next(j for j in jobs if j.name == "wijkprofielen/WK990101")
    assert wijk.parameters == {"workspace": str(ws.root), "year": 2024,
                               "area_code": "WK990101"}
    folder = tmp_path / "reports" / "kopie"
    folder.mkdir(parents=True)
    write_manifest(ws, folder, [Result(wijk, "ok", 1.0)], runner.RunOptions(workers=1),
                   datetime.now().astimezone())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jobs"][0]["parameters"]["year"] == 2024


def test_the_pre_check_parses_no_source_file_the_cache_holds(ws_copy, monkeypatch, tmp_path):
    """Planning a run reads the sources through the workspace's cache: with the cache
    filled (by an earlier run or check), a fresh process parses no raw file."""
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    assert len(runner.expand(open_workspace(ws_copy))) == 1 + 6 + 11 + 7 + 1  # fills cache/
    from helpers.sources.registry import Reader
    from helpers.workspace.config import read_config
    from helpers.workspace.core import Workspace

    def parse(self, probe):
        raise AssertionError(f"{probe.path} was parsed again")

    monkeypatch.setattr(Reader, "load", parse)
    fresh = Workspace(ws_copy.resolve(), read_config(ws_copy / "stuurkit.yml"))
    assert len(runner.expand(fresh)) == 1 + 6 + 11 + 7 + 1
