"""Provenance dates that are true: ``imported`` is when a file was imported, ``retrieved``
when it was downloaded — given by the user, taken from the download, or unknown
("onbekend"), never the copy's modification time."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from helpers.cli import main
from helpers.reports import common, datakwaliteit
from helpers.workspace import fetch, provenance
from helpers.workspace.importer import import_files, init_workspace
from tests.scenarios.fake_cbs import TABLE, FakeCBS

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"


def _entries(root: Path) -> dict[str, dict]:
    return {e["file"]: e for e in provenance.read(root)}


@pytest.fixture
def old_file(tmp_path) -> Path:
    """A KWB file of 2015 data, copied long ago: its modification time says 2015."""
    path = tmp_path / "kwb-2023.csv"
    path.write_bytes((DEMO_RAW / "kwb-2023.csv").read_bytes())
    stamp = datetime(2015, 6, 1).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_an_import_records_when_not_what_the_files_mtime_says(tmp_path, old_file):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    before = datetime.now().astimezone().replace(microsecond=0)
    import_files(root, [old_file])
    entry = _entries(root)["kwb-2023.csv"]
    assert entry["retrieved"] is None  # unknown, not 2015-06-01
    assert before <= datetime.fromisoformat(entry["imported"]) <= datetime.now().astimezone()
    assert provenance.retrieved(entry) == "onbekend"


def test_retrieved_given_on_the_command_line_is_recorded(tmp_path, old_file, capsys):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    assert main(["import", str(root), str(old_file), "--retrieved", "2024-03-14"]) == 0
    assert str(_entries(root)["kwb-2023.csv"]["retrieved"]) == "2024-03-14"


@pytest.mark.parametrize("given, message", [
    ("14-03-2024", "--retrieved '14-03-2024' is not a date; give the day you downloaded the "
                   "files as YYYY-MM-DD"),
    ("2999-01-01", "--retrieved 2999-01-01 lies in the future"),
])
def test_a_bad_retrieved_day_is_refused_before_anything_changes(tmp_path, old_file, capsys,
                                                                 given, message):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    config = (root / "stuurkit.yml").read_text()
    assert main(["import", str(root), str(old_file), "--retrieved", given]) != 0
    assert message in capsys.readouterr().err
    assert (root / "stuurkit.yml").read_text() == config and _entries(root) == {}


def test_importing_the_same_bytes_again_keeps_the_first_entry(tmp_path, old_file):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    import_files(root, [old_file])
    path = root / provenance.FILE
    path.write_text(path.read_text().replace(_entries(root)["kwb-2023.csv"]["imported"],
                                             "2025-01-02T03:04:05+01:00"))
    first = _entries(root)["kwb-2023.csv"]
    import_files(root, [old_file])
    assert _entries(root)["kwb-2023.csv"] == first  # dates not rewritten
    import_files(root, [old_file], retrieved="2024-12-30")  # a day now known is added
    assert _entries(root)["kwb-2023.csv"] == {**first, "retrieved": "2024-12-30"}
    import_files(root, [old_file], retrieved=date(2020, 1, 1))  # but never replaced
    assert _entries(root)["kwb-2023.csv"]["retrieved"] == "2024-12-30"


def test_a_file_with_other_bytes_gets_a_new_entry(tmp_path):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    provenance.add(root, [{"file": "a.csv", "sha256": "1" * 64, "imported": "2025-01-01"}])
    provenance.add(root, [{"file": "a.csv", "sha256": "2" * 64, "imported": "2026-01-01"}])
    assert provenance.read(root) == [{"file": "a.csv", "sha256": "2" * 64,
                                      "imported": "2026-01-01"}]


def test_fetch_records_the_download_time(tmp_path):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    before = datetime.now().astimezone().replace(microsecond=0)
    with FakeCBS() as server:
        fetch.fetch(root, [2023], kaart_years=[2023], catalog=server.host, https=False,
                    pdok_url=f"http://{server.host}/cbs/wijkenbuurten/{{year}}/wfs/v1_0",
                    backoff=0.01, progress=False)
    after = datetime.now().astimezone()
    for name in (f"cbs-{TABLE}", "buurten_2023.geojson"):
        assert before <= datetime.fromisoformat(_entries(root)[name]["retrieved"]) <= after


OLD_STYLE = """\
files:
- file: kwb-2015.csv
  kind: kwb
  source: CBS Kerncijfers wijken en buurten 2015
  url: null
  table_id: null
  retrieved: '2026-11-20'
  imported: '2026-11-20T10:00:00+01:00'
  licence: CC BY 4.0 (CBS)
  sha256: {}
- file: registraties.csv
  kind: registrations
  source: Eigen registratie
  retrieved: null
  licence: ''
  sha256: {}
""".format("a" * 64, "b" * 64)


def test_readers_are_shown_onbekend_for_an_unknown_day_and_old_files_still_read(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / provenance.FILE).write_text(OLD_STYLE)
    entries = provenance.read(tmp_path)
    assert [str(e["retrieved"]) for e in entries] == ["2026-11-20", "None"]
    ws = SimpleNamespace(provenance=entries)
    shown = {s["source"]: s["retrieved"] for s in common.source_list(ws)}
    assert shown == {"CBS Kerncijfers wijken en buurten 2015": "2026-11-20",
                     "Eigen registratie": "onbekend"}
    table = datakwaliteit.provenance(SimpleNamespace(workspace=ws))
    assert list(table.frame["opgehaald"]) == ["2026-11-20", "onbekend"]
    assert yaml.safe_load((tmp_path / provenance.FILE).read_text()) == yaml.safe_load(OLD_STYLE)


def test_the_demo_workspace_shows_its_dates(demo_ws):
    shown = common.source_list(demo_ws)
    assert shown and all(s["retrieved"] and s["retrieved"] != "onbekend" for s in shown)
