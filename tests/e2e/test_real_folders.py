"""Every folder of ../shared/real-data, imported as found, gives a workspace that `check`
accepts with only warnings a user can act on, and whose scheduled reports are made; the
figures are those of the files, on the areas they are of (issue 14).

Each folder's files are imported exactly as they lie there (`stuurkit import` of every
file; the 2015 kaart layers of the TNOCS copies carry no year in their names, so they
get ``--vintage 2015`` as the message asks). Skips when ../shared is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT

REAL = ROOT.parent / "shared" / "real-data"
NOT_DATA = {"README.md", "column_mapping_geoinzicht_to_pdok.csv"}  # documentation
FOLDERS = {
    # the wijken scheduled in the run test (Utrecht's wijkprofielen: tests/conftest.py)
    "GM0014_Groningen": ("GM0014", "Groningen", ["WK001414"]),
    "GM0344_Utrecht": ("GM0344", "Utrecht", []),
    "GM0363_Amsterdam": ("GM0363", "Amsterdam", ["WK036300"]),
    "GM1680_AaenHunze": ("GM1680", "Aa en Hunze", ["WK168005"]),
}
# what `check` may warn about on real files: things a user can act on by adding a file
ACTIONABLE = {"indeling", "sources (overlap)", "kaart", "ind_wbi"}


def _stuurkit(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "stuurkit"), *args], capture_output=True, text=True,
                          timeout=1800, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module", params=sorted(FOLDERS))
def folder(request, tmp_path_factory) -> tuple[str, Path]:
    """A workspace built from one real-data folder with `init` and `import`."""
    name = request.param
    source = REAL / name
    if not source.is_dir():
        pytest.skip(f"real CBS data not available ({source} does not exist)")
    code, gemeente, _ = FOLDERS[name]
    root = tmp_path_factory.mktemp(name) / "ws"
    assert _stuurkit("init", str(root), "--gemeente", code, "--name", gemeente).returncode == 0
    files = sorted(p for p in source.rglob("*") if p.is_file() and p.name not in NOT_DATA)
    undated = [p for p in files if p.name.startswith("tnocs_")]
    for group, extra in ((undated, ["--vintage", "2015"]),
                         ([p for p in files if p not in undated], [])):
        if group:
            done = _stuurkit("import", str(root), *map(str, group), *extra)
            assert done.returncode == 0, done.stderr
    refused = _stuurkit("import", str(root), str(source / "README.md"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    return name, root


def _check_lines(root: Path) -> list[str]:
    done = _stuurkit("check", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_check_accepts_each_folder_with_only_actionable_warnings(folder):
    name, root = folder
    lines = _check_lines(root)
    assert not [line for line in lines if line.startswith("FOUT")], lines
    warned = {line.split(None, 1)[1].split(":", 1)[0] for line in lines
              if line.startswith("WAARSCHUWING")}
    assert warned <= ACTIONABLE, lines


def test_every_scheduled_report_is_made(folder, tmp_path):
    name, root = folder
    _, _, wijken = FOLDERS[name]
    text = (root / "stuurkit.yml").read_text(encoding="utf-8")
    schedule = "".join(
        f"- name: wijk-{code.lower()}\n  notebook: 10_wijkprofiel.ipynb\n  parameters:\n"
        f"    area_code: {code}\n" for code in wijken)
    schedule += "- name: datakwaliteit\n  notebook: 90_datakwaliteit.ipynb\n"
    (root / "stuurkit.yml").write_text(text.split("schedule:")[0] + "schedule:\n" + schedule,
                                       encoding="utf-8")
    reports = tmp_path / "reports"
    done = _stuurkit("run", str(root), "--jobs", "2", env={"STUURKIT_REPORTS": str(reports)})
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((reports / "ws" / "manifest.json").read_text(encoding="utf-8"))
    made = [r for r in manifest["jobs"] if r["status"] == "ok"]
    assert len(made) == len(wijken) + 1, manifest


def _workspace(root: Path):
    from helpers.workspace.core import open_workspace

    return open_workspace(root)


def _value(root: Path, code: str, variable: str, year: int) -> float | None:
    tidy = _workspace(root).variables_raw
    rows = tidy[(tidy["area_code"] == code) & (tidy["variable"] == variable)
                & (tidy["year"] == year)]
    return None if rows.empty else float(rows["value"].iloc[0])


def _country(ws) -> dict[tuple[str, int], float]:
    """Nederland's indicators as the comparisons show them (``peers.country``)."""
    from helpers.analysis import peers
    from helpers.indicators import national

    country = peers.country(national.of(ws))
    return dict(zip(zip(country["indicator"], country["year"], strict=True),
                    country["value"], strict=True))


def test_spot_values_against_the_files(folder):
    name, root = folder
    ws = _workspace(root)
    if name == "GM0014_Groningen":
        assert _value(root, "GM0014", "a_inw", 2015) == 200_336  # AANT_INW of the 2015 kaart
        assert ws.area("WK001413")["name"] == "Meerdorpen"
        # 2017: Meerstad joined (1,649 ha): the gemeente is not the 2015 kaart's area
        assert any(m.code == "GM0014" and m.year == 2017 and m.withheld for m in ws.mismatches)
    elif name == "GM0344_Utrecht":
        assert _value(root, "WK034401", "g_afs_gs", 2023) == 0.6  # StatLine beats KWB's '.'
        assert {(d.year, d.figures) for d in ws.duplicates} == {(2023, 13_908), (2024, 13_908)}
    elif name == "GM0363_Amsterdam":
        # WK036300 is Stadsdeel Centrum on the 2015 kaart; in 2017/2019 the code is
        # Burgwallen-Oude Zijde (4,295 inhabitants): those figures are never put on it
        assert ws.area("WK036300")["name"] == "Stadsdeel Centrum"
        assert _value(root, "WK036300", "a_inw", 2015) == 86_360
        for year in (2017, 2019):
            assert _value(root, "WK036300", "a_inw", year) is None
            assert any(m.code == "WK036300" and m.year == year and m.withheld
                       and "Burgwallen-Oude Zijde" in m.line() for m in ws.mismatches)
        assert _value(root, "GM0363", "a_inw", 2019) == 862_965
        # the export's row of Nederland (NL00) is Nederland's figure, never an area
        assert _country(ws)[("inwoners", 2019)] == 17_282_163
        from helpers.indicators import facts

        observations = facts.of(ws).observations  # what every report draws from
        later = observations[(observations["area_code"] == "WK036300")
                             & observations["year"].isin([2017, 2019])
                             & observations["value"].notna()]
        assert later.empty, later
    else:
        assert len(ws.areas_for(2021, "wijk")) == 21
        assert _value(root, "WK168000", "g_afs_hp", 2021) is not None
        # a mean distance: CBS's own figure for Nederland (1,0 km), shown beside the wijk's
        assert _country(ws)[("afstand_huisarts", 2021)] == 1.0
        from helpers.reports import wijkprofiel

        shown = wijkprofiel.key_figures(wijkprofiel.start(str(root), "WK168000", 2021)).frame
        row = shown.set_index("Indicator").loc["Afstand tot huisartsenpraktijk"]
        assert (row["Wijk 00 Annen"], row["Aa en Hunze"], row["Nederland"]) == (0.9, 2.5, 1.0)
