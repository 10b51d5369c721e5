"""``stuurkit fetch`` against a local server that answers like CBS OData and PDOK."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.cli import main
from helpers.errors import DataError
from helpers.sources import kwb
from helpers.sources.demo import peers as demo_peers
from helpers.workspace import fetch, open_workspace
from helpers.workspace.importer import init_workspace
from tests.scenarios.fake_cbs import GEBIEDEN, TABLE, FakeCBS

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"


def _run(root: Path, server: FakeCBS, **kwargs):
    return fetch.fetch(root, [2023], kaart_years=[2023], catalog=server.host, https=False,
                       pdok_url=f"http://{server.host}/cbs/wijkenbuurten/{{year}}/wfs/v1_0",
                       backoff=0.01, progress=False, **kwargs)


@pytest.fixture
def workspace(tmp_path) -> Path:
    return init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")


def test_fetch_downloads_kwb_and_kaart_with_provenance(workspace, monkeypatch):
    monkeypatch.setattr(fetch, "PAGE", 40)  # make the WFS page
    with FakeCBS() as server:
        done = _run(workspace, server)
    assert [state for _, state in done] == ["downloaded"] * 5
    assert (workspace / "raw" / f"cbs-{TABLE}" / "TypedDataSet.json").exists()
    assert (workspace / "raw" / "cbs-gebieden-2023" / "TypedDataSet.json").exists()
    assert any("$skip=40" in r for r in server.requests), "OData paging followed"
    assert any("startIndex=40" in r for r in server.requests), "WFS paging followed"
    assert any("substringof" in r for r in server.requests), "filtered on the server"
    prov = {e["file"]: e for e in yaml.safe_load(
        (workspace / "raw" / "provenance.yml").read_text())["files"]}
    entry = prov[f"cbs-{TABLE}"]
    assert entry["table_id"] == TABLE and entry["licence"].startswith("CC BY 4.0")
    assert entry["url"].endswith(f"/ODataFeed/odata/{TABLE}") and len(entry["sha256"]) == 64
    assert prov["buurten_2023.geojson"]["url"].startswith("http://127.0.0.1")
    assert prov["cbs-gebieden-2023"]["table_id"] == GEBIEDEN
    assert prov["cbs-gebieden-2023"]["source"] == "CBS Gebieden in Nederland 2023"
    ws = open_workspace(workspace)
    assert len(ws.areas_for(2023, "buurt")) == 92


def test_fetched_values_equal_the_published_table(workspace):
    with FakeCBS() as server:
        _run(workspace, server)
    every = kwb.read_kwb(workspace / "raw" / f"cbs-{TABLE}")
    others = every[every["area_code"].str[2:6] != "9901"]
    assert "GM0344" in set(others["area_code"]), "every gemeente's own row is kept"
    assert set(others["level"]) == {"gemeente"}, "but not other gemeenten' wijken, buurten"
    got = every[every["area_code"].str[2:6] == "9901"]
    expected = kwb.read_kwb(DEMO_RAW / "kwb-2023.csv", gemeente="GM9901")  # not its peers
    merged = expected.merge(got, on=["area_code", "variable"], suffixes=("", "_odata"))
    assert len(merged) >= len(expected) - 2 * expected["area_code"].nunique()
    same = (merged["value"] == merged["value_odata"]) | (merged["value"].isna()
                                                         & merged["value_odata"].isna())
    assert same.all(), merged[~same].head()
    assert set(got["year"]) == {2023}
    inw = got.query("area_code == 'GM9901' and variable == 'a_inw'")
    assert inw["value"].iloc[0] > 100_000  # AantalInwoners_N mapped through the Key


def test_transient_errors_are_retried(workspace):
    with FakeCBS(failures={"DataProperties": 2, "wfs": 1, "ODataCatalog": 1}) as server:
        done = _run(workspace, server)
    assert [state for _, state in done] == ["downloaded"] * 5


def test_an_interrupted_fetch_resumes_and_keeps_what_it_had(workspace):
    with FakeCBS(failures={"wfs": 100}) as server, pytest.raises(
            DataError, match="failed after 4 attempt.*run `stuurkit fetch` again"):
        _run(workspace, server)
    assert (workspace / "raw" / f"cbs-{TABLE}").is_dir()
    assert not list((workspace / "raw").glob(".partial-*")), "no half files left"
    config = yaml.safe_load((workspace / "stuurkit.yml").read_text())
    assert config["sources"]["kwb"] == [{"file": f"raw/cbs-{TABLE}", "year": 2023},
                                        {"file": "raw/cbs-gebieden-2023", "year": 2023}]
    assert config["sources"]["kaart"] == []
    with FakeCBS() as server:
        done = _run(workspace, server)
    assert [state for _, state in done] == ["present", "present", "downloaded", "downloaded",
                                            "downloaded"]
    assert not any("ODataFeed" in r or "ODataCatalog" in r for r in server.requests), (
        "the tables were not fetched again")


def test_unknown_year_is_a_clear_error(workspace):
    with pytest.raises(DataError, match="no KWB table known for 2009"):
        fetch.plan([2009], [])


def test_fetch_cli(workspace, capsys):
    with FakeCBS() as server:
        code = main(["fetch", str(workspace), "--years", "2023", "--kaart-years", "2023",
                     "--catalog", server.host, "--no-https", "--pdok-url",
                     f"http://{server.host}/cbs/wijkenbuurten/{{year}}/wfs/v1_0"])
    assert code == 0
    out = capsys.readouterr().out
    assert f"downloaded  KWB 2023 ({TABLE})" in out
    assert main(["check", str(workspace)]) == 0


def test_odata_null_is_secret_not_zero(workspace):
    with FakeCBS() as server:
        _run(workspace, server)
    got = kwb.read_kwb(workspace / "raw" / f"cbs-{TABLE}", gemeente="GM9901")
    expected = pd.read_csv(io.StringIO((DEMO_RAW / "kwb-2023.csv").read_text()), dtype=str)
    expected = expected[expected["gwb_code"].str[2:6] == "9901"]  # not the peers' rows
    secret = (expected == ".").sum().sum()
    assert (got["status"] == "secret").sum() == secret - (expected["pst_mvp"] == ".").sum()


def test_without_national_only_the_gemeente_is_fetched(workspace):
    with FakeCBS() as server:
        done = _run(workspace, server, national=False)
    assert [item.kind for item, _ in done] == ["kwb", "kaart", "kaart", "kaart"]
    got = kwb.read_kwb(workspace / "raw" / f"cbs-{TABLE}")
    assert set(got["area_code"].str[2:6]) == {"9901"}
    assert not any("startswith" in r or "ODataCatalog" in r for r in server.requests)


def test_a_year_without_gebieden_table_is_reported_and_skipped(workspace, capsys):
    with FakeCBS() as server:
        server.tables[GEBIEDEN]["TableInfos"][0]["Title"] = "Gebieden in Nederland 2022"
        done = _run(workspace, server)
    assert [state for item, state in done if item.kind == "gebieden"] == ["not found"]
    assert [state for item, state in done if item.kind != "gebieden"] == ["downloaded"] * 4
    assert not (workspace / "raw" / "cbs-gebieden-2023").exists()


def test_a_fetched_workspace_compares_with_nederland_and_its_provincie(workspace):
    from helpers.analysis import peers
    from helpers.indicators import national

    with FakeCBS() as server:
        _run(workspace, server)
    here = national.of(open_workspace(workspace))
    assert {"GM0344", "GM9902"} <= set(here.variables["area_code"])
    group = peers.by_province(here.variables, "GM9901", 2023)
    assert group.label == "Gemeenten in de provincie Gelderland (2023)"
    assert "Gebieden in Nederland 2023" in group.method
    assert set(group.members) == {c for c, p in zip(
        demo_peers.peer_codes(), demo_peers._PROVINCES, strict=True) if p == "PV25"}
