"""Nederland from CBS's own row (NL00) beside totals of the gemeenten' files: never one name
for both, also in a workspace of one gemeente, the method said as it is (attack pass on the
NL00 change; each test builds a copy of the demo with an NL00 row in its KWB files)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO


def _workspace(dest: Path, one: bool = False, nl_years=(2024,), tweak=None) -> Path:
    """The demo with an NL00 row (counts x100, afstand huisarts 1,1) in ``nl_years``;
    ``one``: only GM9901's rows (a workspace of one gemeente)."""
    shutil.copytree(DEMO, dest, ignore=shutil.ignore_patterns("cache"))
    for year in range(2017, 2025):
        path = dest / "raw" / f"kwb-{year}.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if one:
            table = table[table["gwb_code_10"].str[2:6].eq("9901")]
        if year in nl_years:
            row = table[table["gwb_code_10"] == "GM9901"].iloc[0].copy()
            for column in table.columns[7:]:
                if column.startswith("a_") and re.fullmatch(r"[0-9]+", row[column]):
                    row[column] = str(int(row[column]) * 100)
            row[["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code"]] = [
                "NL00", "0", "Nederland", "Nederland", "Land", "NL00"]
            row["g_afs_hp"] = "1.1"
            if tweak:
                tweak(row)
            table = pd.concat([row.to_frame().T, table], ignore_index=True)
        table.to_csv(path, index=False)
    if one:
        (dest / "raw" / "gebieden-2024.csv").unlink()
        config = dest / "stuurkit.yml"
        config.write_text(config.read_text().replace("  - raw/gebieden-2024.csv\n", ""))
    return dest


def _shown(monkeypatch):
    from helpers.reports import comparison
    shown: list[str] = []
    monkeypatch.setattr(comparison, "display", lambda x: shown.append(
        x._repr_html_() if hasattr(x, "_repr_html_") else str(getattr(x, "data", x))))
    return shown


@pytest.mark.parametrize("order", [["inwoners", "huishoudens_met_kinderen"],
                                   ["huishoudens_met_kinderen", "inwoners"]])
def test_one_column_never_holds_nederland_and_a_total_of_few_gemeenten(tmp_path, order,
                                                                         monkeypatch):
    from helpers.reports import comparison
    from helpers.workspace import open_workspace

    def secret(row):
        row["a_hh_m_k"] = "."  # CBS's NL00 figure secret: the 33 gemeenten' total stays
    ws = open_workspace(_workspace(tmp_path / "ws", tweak=secret))
    _, found, _ = comparison.comparisons(ws, 2024, order)
    assert set(found["country"]) == {"Nederland", "alle 33 gemeenten"}  # the set-up
    shown = []
    monkeypatch.setattr(comparison, "display", lambda x: shown.append(x))
    comparison.section(ws, 2024, order, main_only=True)
    table = next(t.frame for t in shown if hasattr(t, "frame") and "Mediaan groep" in t.frame)
    table = table.set_index("Indicator")
    # 15.321.100 is CBS's Nederland, 21,9 the total of 33 gemeenten: each under its name
    inwoners = "Aantal inwoners (inwoners)"
    assert table.loc[inwoners, "Nederland"] == "15.321.100"
    assert table.loc[inwoners, "Alle 33 gemeenten"] == "–"
    kinderen = next(i for i in table.index if i.startswith("Huishoudens met kinderen"))
    assert table.loc[kinderen, "Nederland"] == "–"
    assert table.loc[kinderen, "Alle 33 gemeenten"] == "21,9"
    note = " ".join(t._repr_html_() for t in shown if not hasattr(t, "frame"))
    assert "Nederland: het cijfer dat CBS voor Nederland publiceert" in note
    assert "Alle 33 gemeenten: de som van de tellers" in note


def test_a_one_gemeente_workspace_shows_cbss_nederland_in_the_wijkprofiel(tmp_path):
    """README: 'where every gemeente has the figure or a file gives Nederland's NL00 row
    — also in a workspace of one gemeente'."""
    from helpers.reports import comparison, wijkprofiel
    from helpers.workspace import open_workspace

    root = _workspace(tmp_path / "ws", one=True)
    shown = wijkprofiel.key_figures(wijkprofiel.start(str(root), "WK990101", 2024)).frame
    assert "Nederland" in shown.columns
    why = comparison.missing(open_workspace(root), 2024, ["inwoners"])
    # no other gemeente to compare with, but Nederland is there: said so, not denied
    assert not why["Waarom niet"].str.contains("Geen vergelijking met Nederland").any()
    assert why["Waarom niet"].str.contains("alleen de cijfers die CBS voor Nederland").any()


def test_the_caption_does_not_call_cbss_figure_a_sum_of_gemeenten(tmp_path):
    from helpers.reports import wijkprofiel

    root = _workspace(tmp_path / "ws")
    table = wijkprofiel.key_figures(wijkprofiel.start(str(root), "WK990101", 2024))
    assert table.frame.set_index("Indicator").loc["Aantal inwoners", "Nederland"] == 15_321_100
    assert "berekend uit de cijfers van alle gemeenten" not in table.caption


@pytest.mark.parametrize("text", [
    # the NL00 row in another notation than the gemeenten' cells in one column
    "gwb_code_10;regio;recs;a_inw;g_hhgro\nNL00;Nederland;Land;17.942.942;2.1\n"
    "GM0344;Utrecht;Gemeente;367947;2.0\n",
    # a three-decimal NL00 cell in a column of whole numbers: 'ambiguous'
    "gwb_code_10;regio;recs;a_inw;g_afs_hp\nNL00;Nederland;Land;17942942;1.125\n"
    "GM0344;Utrecht;Gemeente;367947;1\n"])
def test_asking_for_nederland_does_not_refuse_a_file_read_without_it(tmp_path, text):
    from helpers.sources import READERS, Probe, Request

    path = tmp_path / "kwb-2022.csv"
    path.write_text(text, encoding="utf-8")
    plain = READERS.detect(Probe(Request(path))).load(Probe(Request(path)))
    probe = Probe(Request(path, country=True))
    with_land = READERS.detect(probe).load(probe)  # raises DataError today
    pd.testing.assert_frame_equal(plain, with_land, check_like=True)
