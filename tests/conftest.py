"""Shared fixtures: the demo workspace, copies of it to break, real-data paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
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
