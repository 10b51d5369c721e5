"""How a run is asked for: worker count and timeout refused when they make no sense; a
reports folder belongs to one workspace."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from helpers import run as runner
from helpers.cli import main
from helpers.errors import ConfigError
from helpers.run.schedule import OWNER_FILE, claim_reports, reports_folder
from tests.scenarios.reliability import copy_demo


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "-3"], "argument --jobs: '-3' is not a whole number of at least 1"),
    (["--jobs", "0"], "argument --jobs: '0' is not a whole number of at least 1"),
    (["--jobs", "zes"], "argument --jobs: 'zes' is not a whole number of at least 1"),
    (["--timeout", "0"], "argument --timeout: '0' is not a whole number of seconds above 0"),
    (["--timeout", "-5"], "argument --timeout: '-5' is not a whole number of seconds above 0"),
    (["--timeout", "nan"], "argument --timeout: 'nan' is not a whole number of seconds above"),
])
def test_run_refuses_nonsense_jobs_and_timeouts(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "demo", *argv])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("options, message", [
    ({"workers": 0}, "workers = 0: the number of worker processes must be a whole number"),
    ({"workers": -3}, "workers = -3"),
    ({"workers": 2.5}, "workers = 2.5"),
    ({"timeout": 0}, "timeout = 0: the seconds a notebook cell may take must be a number"),
    ({"timeout": -1}, "timeout = -1"),
    ({"timeout": math.nan}, "timeout = nan"),
    ({"timeout": math.inf}, "timeout = inf"),
])
def test_run_options_refuse_them_too(options, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        runner.RunOptions(**options)


def test_the_python_api_refuses_a_negative_worker_count(demo_ws):
    with pytest.raises(ConfigError, match="workers = -3"):
        runner.run(demo_ws, [], workers=-3)


def test_sensible_options_pass():
    assert runner.RunOptions(workers=1, timeout=None).timeout is None
    assert runner.RunOptions(workers=4, timeout=0.5).workers == 4


def _twin(tmp_path: Path, where: str):
    from helpers.workspace import open_workspace

    return open_workspace(copy_demo(tmp_path / where / "gemeente"))


def test_two_workspaces_with_the_same_folder_name_cannot_share_a_reports_folder(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    first, second = _twin(tmp_path, "a"), _twin(tmp_path, "b")
    folder = reports_folder(first)
    assert folder == reports_folder(second) == tmp_path / "reports" / "gemeente"
    claim_reports(first, folder)  # the first run of the first workspace
    assert (folder / OWNER_FILE).read_text().strip() == str(first.root)
    claim_reports(first, folder)  # and its next runs
    before = sorted(folder.iterdir())
    code = main(["run", str(second.root), "--jobs", "1", "--only", "datakwaliteit"])
    err = capsys.readouterr().err
    assert code == 2
    assert (f"the reports folder {folder} belongs to workspace {first.root}" in err
            and f"add 'reports: gemeente-2' (or any other free name) to "
                f"{second.root / 'stuurkit.yml'}" in err)
    after = [p for p in sorted(folder.iterdir()) if p.name != ".stuurkit-run.lock"]
    assert after == before, "nothing written into the other workspace's folder"


def test_the_reports_key_gives_a_workspace_a_folder_of_its_own(tmp_path, monkeypatch):
    from helpers.workspace import open_workspace

    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    first, second = _twin(tmp_path, "a"), _twin(tmp_path, "b")
    config = second.root / "stuurkit.yml"
    config.write_text(config.read_text(encoding="utf-8") + "reports: gemeente-b\n",
                      encoding="utf-8")
    second = open_workspace(second.root)
    claim_reports(first, reports_folder(first))
    assert reports_folder(second) == tmp_path / "reports" / "gemeente-b"
    claim_reports(second, reports_folder(second))
    jobs = runner.expand(second, only=["datakwaliteit"])
    assert Path(jobs[0].html).parent == tmp_path / "reports" / "gemeente-b"


def test_a_reports_name_that_leaves_the_reports_folder_is_refused(tmp_path, monkeypatch):
    from helpers.workspace import open_workspace

    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    ws = _twin(tmp_path, "a")
    config = ws.root / "stuurkit.yml"
    config.write_text(config.read_text(encoding="utf-8") + "reports: ../elders\n",
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stuurkit.yml: reports: '../elders' cannot be part"):
        reports_folder(open_workspace(ws.root))


def test_a_moved_workspace_takes_its_folder_over(tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    ws = _twin(tmp_path, "a")
    folder = reports_folder(ws)
    folder.mkdir(parents=True)
    (folder / OWNER_FILE).write_text(str(tmp_path / "was-here" / "gemeente") + "\n")
    claim_reports(ws, folder)
    assert (folder / OWNER_FILE).read_text().strip() == str(ws.root)


def test_the_demo_keeps_reports_demo(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    assert reports_folder(demo_ws) == tmp_path / "demo"
