"""Processes die with their parent (helpers.run.lifeline), and what a killed run left is
found and ended by the next (helpers.run.leftovers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.files import remove_stale, replacing
from helpers.run import leftovers

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

# a parent that starts a child and prints its pid, then waits to be killed
_PARENT = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
print(child.pid, flush=True)
time.sleep(600)
"""
_TIED = """\
import os, sys, time
from helpers.run import lifeline
lifeline.{how}
print("tied", flush=True)
time.sleep(600)
"""
_WATCHED = """\
import os, sys, time
from multiprocessing.connection import Connection
from helpers.run import lifeline
lifeline.watch(Connection(int(sys.argv[1])))
print("watching", flush=True)
time.sleep(600)
"""


def _gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while leftovers.start_time(pid) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _spawn(child_code: str, arg: str = "", **popen) -> tuple[subprocess.Popen, int]:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, child_code, arg],
                              stdout=subprocess.PIPE, text=True, **popen)
    child = int(parent.stdout.readline())
    return parent, child


def test_the_parent_death_signal_kills_a_child_when_its_parent_is_killed():
    if not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux's")
    parent, child = _spawn(_TIED.format(how="tie_to_parent(int(os.getppid()))"))
    assert parent.stdout.readline() == "tied\n"  # the child's stdout is its parent's
    assert leftovers.start_time(child) is not None
    parent.kill()
    parent.wait()
    assert _gone(child), "the child outlived its parent"


def test_a_child_whose_parent_is_gone_before_it_is_tied_exits_at_once():
    code = "from helpers.run import lifeline; lifeline.tie_to_parent(1); print('alive')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1 and "alive" not in out.stdout


def test_the_lifeline_ends_a_child_when_the_parent_end_closes():
    read, write = os.pipe()
    os.set_inheritable(read, True)
    child = subprocess.Popen([sys.executable, "-c", _WATCHED, str(read)], pass_fds=(read,),
                             stdout=subprocess.PIPE, text=True)
    os.close(read)
    assert child.stdout.readline() == "watching\n"
    os.close(write)  # what the system does when the parent dies, however it dies
    assert child.wait(timeout=30) == 1


def test_a_dead_runs_processes_are_ended_and_its_folder_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = tmp_path / "stuurkit-run-999999999-abc"
    folder.mkdir()
    (folder / "kernel-connection.json").write_text("{}")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                               start_new_session=True)
    innocent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (folder / "processes").write_text(
            f"runner 999999999 1\nkernel {sleeper.pid} {leftovers.start_time(sleeper.pid)}\n"
            # the same pid with another start time: the system gave it to someone else
            f"worker {innocent.pid} 1\n")
        leftovers.sweep()
        assert sleeper.wait(timeout=30) == -signal.SIGKILL
        assert innocent.poll() is None, "a reused pid was killed"
        assert not folder.exists()
    finally:
        for process in (sleeper, innocent):
            process.kill()
            process.wait()


def test_a_live_runs_folder_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = tmp_path / f"stuurkit-run-{os.getpid()}-abc"
    folder.mkdir()
    leftovers.record(folder, "runner")
    leftovers.sweep()
    assert (folder / "processes").exists()


def test_the_pid_file_names_the_run_and_the_next_run_ends_what_it_left(tmp_path):
    reports, dead = tmp_path / "reports", tmp_path / "stuurkit-run-999999999-x"
    reports.mkdir()
    dead.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (reports / leftovers.PID_FILE).write_text(
            f'{{"runner": 999999999, "started": "1", "folder": "{dead}", "processes": '
            f'[["worker", {sleeper.pid}, "{leftovers.start_time(sleeper.pid)}"]]}}')
        mine = tmp_path / "mine"
        mine.mkdir()
        leftovers.record(mine, "runner")
        leftovers.claim(reports, mine)
        assert sleeper.wait(timeout=30) == -signal.SIGKILL and not dead.exists()
        assert f'"folder": "{mine}"' in (reports / leftovers.PID_FILE).read_text()
        leftovers.release(reports)
        assert not (reports / leftovers.PID_FILE).exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_finish_waits_for_the_runs_processes_before_removing_the_folder(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    # a process of the run that still writes into the folder for a moment
    writer = subprocess.Popen([sys.executable, "-c", (
        "import pathlib, sys, time\n"
        "for i in range(20):\n"
        "    pathlib.Path(sys.argv[1], f'f{i}').write_text('x'); time.sleep(0.05)\n"),
        str(folder)])
    leftovers.record(folder, "worker", writer.pid)
    leftovers.finish(folder)
    assert writer.poll() is not None and not folder.exists()


def test_stale_temporary_files_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "report.html"
    with replacing(target) as tmp:
        assert f".report.html.{os.getpid()}." in tmp.name
        live = tmp
        assert remove_stale(tmp_path) == []  # its writer (this process) is alive
    assert not live.exists() and target.exists()
    dead = tmp_path / ".report.html.999999999.abcd.tmp"
    old = tmp_path / ".report.html.abcd.tmp"  # the older name, without a writer
    dead.write_text("")
    old.write_text("")
    assert sorted(remove_stale(tmp_path)) == sorted([dead, old])
