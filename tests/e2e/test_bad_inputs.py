"""The malformed-input corpus (tests/data/bad/, made by tests/data/make_bad_inputs.py).

Every file is imported into a fresh workspace of the demo gemeente: each must stop with
one clear message (pinned here) and leave the workspace exactly as it was.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.errors import StuurkitError
from helpers.workspace.importer import import_files, init_workspace
from helpers.workspace.locks import WORKSPACE_LOCK
from tests.scenarios.reliability import IMPORT_CASES

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

CASES = IMPORT_CASES  # file in tests/data/bad → its pinned message (tests/reliability.py)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != WORKSPACE_LOCK}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.suffix not in (".dbf", ".shx", ".cpg")}
    assert len(CASES) >= 20
    assert files - {"buurten_2021_invalid_geometry.geojson"} == set(CASES)


@pytest.mark.filterwarnings("ignore:.*water only:UserWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_its_message_and_changes_nothing(workspace, name):
    before = _snapshot(workspace)
    with pytest.raises(StuurkitError, match=CASES[name]) as err:
        import_files(workspace, [BAD / name])
    assert name in str(err.value), "the message names the file"
    assert _snapshot(workspace) == before


def test_invalid_geometry_is_repaired_with_a_warning(workspace):
    with pytest.warns(UserWarning, match=r"1 invalid geometries repaired with make_valid"):
        imported = import_files(workspace, [BAD / "buurten_2021_invalid_geometry.geojson"])
    assert imported[0].detail["areas"] == 2


def test_a_bad_file_among_good_ones_imports_nothing(workspace):
    demo = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"
    before = _snapshot(workspace)
    with pytest.raises(StuurkitError, match="drieduizend"):
        import_files(workspace, [demo / "kwb-2023.csv", BAD / "kwb-2021_text_in_numbers.csv"])
    assert _snapshot(workspace) == before


@pytest.mark.parametrize("name", ["kwb-2021_latin1.csv", "buurten_2021_no_crs.shp"])
def test_the_cli_shows_one_message_and_no_traceback(workspace, name, capsys):
    with warnings.catch_warnings():
        assert main(["import", str(workspace), str(BAD / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stuurkit: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
