"""Static pages from a run: ``stuurkit run --static`` and a schedule entry's
``static: true`` make jobs whose pages have no script; the flag is part of a report's
incremental key, so switching modes makes the report again."""

from __future__ import annotations

import dataclasses

from helpers import run as runner
from helpers.cli import main
from helpers.run import incremental
from helpers.workspace import config, open_workspace


def _static_entries_supported() -> bool:
    return "static" in config.ScheduleEntry.model_fields


def test_the_static_flag_is_part_of_the_key(tmp_path):
    job = runner.Job(name="bestuursoverzicht", notebook=str(tmp_path / "nb.ipynb"),
                     parameters={"year": 2024}, html=str(tmp_path / "r.html"), title="B")
    (tmp_path / "nb.ipynb").write_text("{}")
    static = dataclasses.replace(job, static=True)
    assert incremental.job_key(static) != incremental.job_key(job)
    assert incremental.job_key(dataclasses.replace(static, static=False)) == \
        incremental.job_key(job)


def test_run_static_makes_every_job_static(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    seen = []

    def fake_run(ws, jobs, **kwargs):
        seen.extend(jobs)
        return []

    monkeypatch.setattr("helpers.run.runner.run", fake_run)
    assert main(["run", "demo", "--static", "--jobs", "1", "--only", "bestuursoverzicht",
                 "datakwaliteit"]) == 0
    assert len(seen) == 2 and all(job.static for job in seen)
    seen.clear()
    assert main(["run", "demo", "--jobs", "1", "--only", "bestuursoverzicht"]) == 0
    assert [job.static for job in seen] == [False]


def test_a_schedule_entry_with_static_true_makes_static_jobs(ws_copy):
    path = ws_copy / "stuurkit.yml"
    text = path.read_text(encoding="utf-8")
    entry = "- name: bestuursoverzicht\n  notebook: 30_bestuursoverzicht.ipynb\n"
    assert entry in text
    path.write_text(text.replace(entry, entry + "  static: true\n", 1), encoding="utf-8")
    ws = open_workspace(ws_copy)
    jobs = runner.expand(ws, only=["bestuursoverzicht", "datakwaliteit"])
    assert {job.name: job.static for job in jobs} == {"bestuursoverzicht": True,
                                                       "datakwaliteit": False}
