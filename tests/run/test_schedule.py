"""The scheduling recipes in the README and deploy/ work as written."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cron_line() -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```cron\n(.*?)\n```", readme, re.S).group(1)
    return block.strip()


def test_cron_line_has_five_time_fields_and_a_command():
    fields = _cron_line().split(None, 5)
    assert len(fields) == 6
    minute, hour, dom, month, dow, command = fields
    assert re.fullmatch(r"\d{1,2}", minute) and re.fullmatch(r"\d{1,2}", hour)
    assert (dom, month) == ("*", "*") and re.fullmatch(r"[0-7]", dow)
    assert ".venv/bin/stuurkit run demo" in command


@pytest.mark.slow
def test_cron_command_runs_unattended(tmp_path):
    command = _cron_line().split(None, 5)[5]
    command = command.replace("cd /opt/stuurkit", f"cd {shlex.quote(str(ROOT))}")
    command = command.replace("reports/demo-run.log", shlex.quote(str(tmp_path / "run.log")))
    command = command.replace("--jobs 2", "--jobs 2 --only datakwaliteit")
    env = {**os.environ, "STUURKIT_REPORTS": str(tmp_path / "reports"),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.pop("STUURKIT_RENDER", None)
    result = subprocess.run(["/bin/sh", "-c", command], env=env, stdin=subprocess.DEVNULL,
                            timeout=300)
    log = (tmp_path / "run.log").read_text()
    assert result.returncode == 0, log
    assert "ok      datakwaliteit" in log and "\r" not in log, "plain lines, no progress bar"
    assert (tmp_path / "reports" / "demo" / "90_datakwaliteit.html").exists()
    assert (tmp_path / "reports" / "demo" / "manifest.json").exists()


def test_systemd_units_run_the_same_command():
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(ROOT / "deploy" / "systemd" / "stuurkit-demo.service")
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(ROOT / "deploy" / "systemd" / "stuurkit-demo.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("/.venv/bin/stuurkit run demo --jobs 2")
    assert timer["Timer"]["OnCalendar"].startswith("Mon")
    assert timer["Install"]["WantedBy"] == "timers.target"
