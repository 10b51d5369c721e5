"""Shared fixtures: the demo workspace, copies of it to break, real-data paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOK = ROOT / "notebooks" / "10_wijkprofiel.ipynb"
BIN = Path(sys.executable).parent
REAL_DATA = ROOT.parent / "shared" / "real-data" / "GM0344_Utrecht"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_ws():
    """The committed demo workspace, opened once per session."""
    from helpers.workspace import open_workspace

    return open_workspace(DEMO)


@pytest.fixture
def ws_copy(tmp_path: Path) -> Path:
    """A private copy of the demo workspace that a test may break."""
    target = tmp_path / "kopie"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("cache"))
    return target


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Real CBS/PDOK files for Utrecht; tests using them skip when the folder is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real CBS data not available ({REAL_DATA} does not exist)")
    return REAL_DATA


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> Path:
    """The wijkprofiel of Rivierkwartier, run by the papermill CLI from another folder."""
    work = tmp_path_factory.mktemp("elders")
    out = work / "out.ipynb"
    env = {k: v for k, v in os.environ.items() if k not in ("STUURKIT_RENDER",
                                                            "JPY_SESSION_NAME")}
    subprocess.run(
        [str(BIN / "papermill"), str(NOTEBOOK), str(out), "-p", "area_code", "WK990103",
         "-p", "year", "2024", "--no-progress-bar"],
        cwd=work, env=env, check=True, capture_output=True, text=True, timeout=300,
    )
    return out


@pytest.fixture(scope="session")
def report_html(executed, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("rapport") / "wijkprofiel_WK990103.html"
    subprocess.run([str(BIN / "stuurkit"), "publish", str(executed), str(target)],
                   check=True, capture_output=True, text=True)
    return target
