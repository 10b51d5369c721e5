"""Fuzzing the CSV and YAML loaders (tests/fuzz_loaders.py) and the bugs it found, pinned.

Random corruptions of valid files must never give a traceback, a message that does not
name the file, or a silently wrong value. Every minimal failing input found on the way
is pinned below with the message it gives now (the comment says what happened before).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.errors import ConfigError, DataError, StuurkitError
from helpers.indicators import catalogue
from helpers.sources import kwb, registrations
from helpers.workspace import Workspace, open_workspace, yamlfile
from helpers.workspace.begroting import load_programme
from tests.scenarios import fuzz_loaders as fl

EXAMPLES = 80  # per loader; the whole file takes about 30 s


@pytest.mark.parametrize("loader", fl.LOADERS)
def test_corrupted_files_are_refused_clearly_or_read_right(loader):
    row = fl.family(loader).run(examples=EXAMPLES, seed=0)
    outcomes = ["refused_clearly", "accepted", "tracebacks", "silently_wrong",
                "unclear_messages"]
    assert row["examples"] == EXAMPLES == sum(row[k] for k in outcomes)
    assert (row["tracebacks"], row["silently_wrong"], row["unclear_messages"]) == (0, 0, 0), \
        "\n".join(row["problems"])
    assert row["refused_clearly"] > 0 and row["accepted"] > 0, "both paths are exercised"


def test_run_all_gives_one_row_per_loader_for_the_audit():
    rows = fl.run_all(examples=2, seed=1)
    assert [r["loader"] for r in rows] == fl.LOADERS
    assert all(set(fl.ROW_KEYS) <= set(r) and r["examples"] == 2 for r in rows)


def test_the_statline_export_is_the_demo_in_statline_form(tmp_path):
    path = tmp_path / "CBS-Voorbeeldstad_kerncijfers_2023.csv"
    path.write_bytes(fl.statline_export())
    got = kwb.read_kwb(path).set_index(["area_code", "variable"])
    demo = kwb.read_kwb(fl.KWB_FILE, gemeente="GM9901").set_index(["area_code", "variable"])
    shared = ["a_inw", "ind_wbi", "g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_3km_sc"]
    demo = demo[demo.index.get_level_values("variable").isin(shared)]
    assert len(demo) == 104 * len(shared)
    pd.testing.assert_frame_equal(got.loc[demo.index, ["value", "status", "level"]],
                                  demo[["value", "status", "level"]])


# ------------------------------------------------------------------ the check is real
def _old_parse_values(path: Path, values: pd.DataFrame, notation: str | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """kwb._parse_values before the fix: with a decimal comma every point was dropped
    (the notation it decided is returned as the current one returns it)."""
    text = values.apply(lambda column: column.astype(str).str.strip())
    stacked = text.stack()
    decimal = ("," if stacked.str.fullmatch(r"-?\d+,\d+").sum()
               > stacked.str.fullmatch(r"-?\d+\.\d+").sum() else ".")
    number = text.apply(lambda column: column.str.rstrip("*").str.strip())
    if decimal == ",":
        number = number.apply(lambda column: column.str.replace(".", "", regex=False)
                              .str.replace(",", ".", regex=False))
    value = number.apply(pd.to_numeric, errors="coerce")
    status = np.select([text.isin([".", "x"]), text.isin(["", "-"]), value.isna()],
                       ["secret", "missing", "invalid"], default="ok")
    return value, pd.DataFrame(status, index=values.index, columns=values.columns), decimal


def test_a_number_read_as_another_counts_as_silently_wrong(tmp_path, monkeypatch):
    code = "Regioaanduiding/Codering (code)"
    f = fl.CsvFile.parse("export.csv", fl.statline_export(), (code,))
    column = f.header.index("Bevolking/Aantal inwoners (aantal)")
    rows = [list(r) for r in f.rows]
    rows[1][column] = "  1.5"  # GM9901 (row 0 is Nederland)
    edit = fl.Edit("a_inw of GM9901 := '1.5'", f.render([f.line(f.header)]
                                                          + [f.line(r) for r in rows]),
                   cells={(1, column): "  1.5"})
    family = fl.family("statline_export")
    (tmp_path / "now").mkdir()
    assert family.attempt(edit, tmp_path / "now") == ("refused_clearly", None)
    monkeypatch.setattr(kwb, "_parse_values", _old_parse_values)
    (tmp_path / "before").mkdir()
    outcome, why = family.attempt(edit, tmp_path / "before")
    assert outcome == "silently_wrong" and "'  1.5' read as the number 15.0" in why


def test_a_repeated_key_read_silently_counts_as_silently_wrong(tmp_path, monkeypatch):
    text = (fl.DEMO / "stuurkit.yml").read_text(encoding="utf-8")
    edit = fl.Edit("code given twice", text.replace(
        "  name: Voorbeeldstad", "  name: Voorbeeldstad\n  code: GM0344", 1).encode(),
        name="stuurkit.yml")
    family = fl.family("stuurkit_yml")
    (tmp_path / "now").mkdir()
    assert family.attempt(edit, tmp_path / "now") == ("refused_clearly", None)
    monkeypatch.setattr(yamlfile, "load", yaml.safe_load)  # the loader before the fix
    (tmp_path / "before").mkdir()
    outcome, why = family.attempt(edit, tmp_path / "before")
    assert outcome == "silently_wrong" and "'code' given twice" in why


@pytest.mark.parametrize("error, outcome", [
    (KeyError("gwb_code_10"), "tracebacks"),
    (DataError("a table without its file name"), "unclear_messages"),
])
def test_other_errors_count_as_tracebacks_or_unclear_messages(tmp_path, monkeypatch, error,
                                                                outcome):
    def fail(path, **kwargs):
        raise error

    monkeypatch.setattr(kwb, "read_kwb", fail)
    edit = fl.Edit("unchanged", fl.KWB_FILE.read_bytes())
    assert fl.family("kwb_download").attempt(edit, tmp_path)[0] == outcome


# ------------------------------------------------------------------ CSV bugs found, pinned
KWB = "gwb_code_10,recs,a_inw"
STATLINE = ('"Wijken en buurten";"Regioaanduiding/Codering (code)";"A/X (km)";"A/Y (km)";'
            '"A/Z (km)"\n"Stad";"GM9901    ";"  1,5";"  2,5";')
REG = "area_code,year,variable,value\n"

CSV_CASES = {
    # before: WK990101's a_man read as missing (a half-read row)
    "short row": ("kwb-2023.csv", f"{KWB},a_man\nGM9901,Gemeente,100,50\nWK990101,Wijk,60\n",
                  r"the header has 4 fields, but line 3 has 3\. .*a cut-off file"),
    # before: ValueError traceback (pandas took the first column as the index)
    "header one name short": ("kwb-2023.csv", f"{KWB}\nGM9901,Gemeente,100,50\n",
                              r"the header has 3 fields, but line 2 has 4"),
    # before: a_ = 100, inw = 50, a_man missing (every column after it shifted)
    "separator inside a header name": ("kwb-2023.csv",
                                       "gwb_code_10,recs,a_,inw,a_man\nGM9901,Gemeente,100,50\n",
                                       r"the header has 5 fields, but line 2 has 4"),
    # before: an invented variable 'a_inw.1'
    "column twice": ("kwb-2023.csv", f"{KWB},a_inw\nGM9901,Gemeente,100,100\n",
                     r", line 1: column 'a_inw' occurs twice \(columns 3 and 4\)"),
    # before: an invented variable 'unnamed: 3'
    "column without a name": ("kwb-2023.csv", f"{KWB},\nGM9901,Gemeente,100,7\n",
                              r", line 1: column 4 has no name but holds values"),
    # before: 123 (pandas glued the quoted 12 and the 3 together)
    "text after a closing quote": ("kwb-2023.csv", f'{KWB}\nGM9901,Gemeente,"12"3\n',
                                   r", line 2: not a well-formed table \(',' expected after "
                                   r"'\"'\)\. A quoted value must be quoted whole"),
    # before: a_inw = inf, status ok
    "inf": ("kwb-2023.csv", f"{KWB}\nGM9901,Gemeente,inf\n", r"GM9901 / a_inw = 'inf'"),
    # before: a wijk code with level 'buurt'
    "recs contradicts the code": ("kwb-2023.csv", f"{KWB}\nWK990101,Buurt,100\n",
                                  r", row 2: area code WK990101 is a wijk, but its region kind "
                                  r"says 'Buurt'"),
    # before: 1.5 read as 15 (every point dropped with a decimal comma)
    # now: the column of '1.5' contradicts the columns of '1,5'
    "point with a decimal comma": ("export_2023.csv", STATLINE + '"  1.5"\n',
                                   r"column 'a_z' has '1\.5' \(a decimal point, line 2\)"),
    # before: 5.5e+16 read as 5.5e+17
    "exponent with a decimal comma": ("export_2023.csv", STATLINE + '"5.5e+16"\n',
                                      r"column 'a_z' has '5\.5e\+16' \(a decimal point"),
    # before: ValueError traceback ('Columns with duplicate values are not supported')
    "two labels, one variable": (
        "export_2023.csv", '"Wijken en buurten";"Regioaanduiding/Codering (code)";'
        '"Wonen/Koopwoningen (%)";"Wonen/Koopwoningen (aantal)"\n"Stad";"GM9901";"54";"1200"\n',
        r"two columns map to variable 'wonen_koopwoningen'"),
    # before: UnicodeDecodeError traceback
    "registrations not UTF-8": ("registraties.csv", (REG + "GM9901,2020,caf\xe9,1\n").encode(
        "latin-1"), r"not UTF-8 \(byte 45 cannot be decoded\)\. Save the file as UTF-8"),
    # before: EmptyDataError traceback
    "registrations empty": ("registraties.csv", "", r": the file is empty"),
    # before: the 2021 value read as missing
    "registrations short row": ("registraties.csv", REG + "GM9901,2020,x,1\nGM9901,2021,x\n",
                                r"the header has 4 fields, but line 3 has 3"),
    # before: TypeError traceback (pandas made a MultiIndex of the first columns)
    "registrations long first row": ("registraties.csv", REG + "GM9901,2020,x,1,2,3\n",
                                     r"the header has 4 fields, but line 2 has 6"),
    # before: two values for GM9901 / 2020 / x accepted
    "registrations same key as read": ("registraties.csv",
                                       REG + "GM9901,2020,x,1\nGM9901, 2020.0,x ,2\n",
                                       r"row 3: a second value for GM9901 / 2020 / x \(first "
                                       r"in row 2\)"),
    # before: year -9223372036854775808
    "registrations year out of range": ("registraties.csv", REG + "GM9901,1e20,x,1\n",
                                        r"row 2, column year: '1e20' is not a year "
                                        r"\(1900–20[0-9]{2}\)"),
    # before: value inf, status ok
    "registrations inf": ("registraties.csv", REG + "GM9901,2020,x,inf\n",
                          r"row 2, column value: 'inf' is not a number"),
    # rows are the file's lines, blank lines included
    "registrations row numbers": ("registraties.csv", REG + "GM9901,2020,x,1\n\nGM9901,2021,x,?\n",
                                  r"row 4, column value: '\?' is not a number"),
}


def _read(path: Path) -> pd.DataFrame:
    if path.name.startswith("registraties"):
        return registrations.read_registrations(path)
    return kwb.read_kwb(path)


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_found_by_fuzzing_is_refused_clearly(tmp_path, case):
    name, content, message = CSV_CASES[case]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(DataError, match=message) as err:
        _read(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("layout", ["blank lines", "trailing separators", "CRLF and BOM"])
def test_harmless_layout_changes_read_the_same(tmp_path, layout):
    plain = "gwb_code_10,recs,a_inw\nGM9901,Gemeente,100\nWK990101,Wijk,60\n"
    changed = {"blank lines": plain.replace("\n", "\n\n"),
               "trailing separators": plain.replace("\n", ",\n"),
               "CRLF and BOM": "\ufeff" + plain.replace("\n", "\r\n")}[layout]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "kwb-2023.csv").write_text(plain, encoding="utf-8")
    (tmp_path / "kwb-2023.csv").write_text(changed, encoding="utf-8", newline="")
    pd.testing.assert_frame_equal(kwb.read_kwb(tmp_path / "kwb-2023.csv"),
                                  kwb.read_kwb(tmp_path / "a" / "kwb-2023.csv"))


# ------------------------------------------------------------------ YAML bugs found, pinned
CATALOGUE_FILE = catalogue.DEFAULT_FOLDER / "eigen.yml"
ENTRY = CATALOGUE_FILE.read_text(encoding="utf-8").split("indicators:\n", 1)[1]

YAML_CASES = {
    # before: UnicodeDecodeError traceback (all three files)
    "config not UTF-8": ("stuurkit.yml", "name: Voorbeeldstad", "name: Voorbeeldst\xe4d",
                         r"not valid YAML at line 5, column 20: byte 0xe4 is not UTF-8; save "
                         r"the file as UTF-8"),
    # before: the second value won silently (all three files)
    "config key twice": ("stuurkit.yml", "  name: Voorbeeldstad",
                         "  name: Voorbeeldstad\n  code: GM0344",
                         r"at line 6, column 3: key 'code' is given twice \(first at line 4\)"),
    # before: ValueError traceback (all three files)
    "config impossible date": ("stuurkit.yml", "year: 2024\n- name: programmamonitors",
                               "year: 2024-13-45\n- name: programmamonitors",
                               r"'2024-13-45' is not a valid date \(month must be in 1\.\.12\)"),
    # before: ValueError traceback
    "config bad float tag": ("stuurkit.yml", "name: Voorbeeldstad", "name: !!float x",
                             r"at line 5, column 9: 'x' is not a valid float"),
    # before: TypeError traceback ('keywords must be strings')
    "config number as key": ("stuurkit.yml", "demo: true", "demo: true\n2024: x",
                             r"2024: Keys should be strings"),
    # before: accepted; the workspace would read kwb-2017 twice
    "config file twice": ("stuurkit.yml", "  - raw/kwb-2018.csv", "  - raw/kwb-2017.csv",
                          r"listed twice:\n  sources\.kwb\[1\]: raw/kwb-2017\.csv is also at "
                          r"sources\.kwb\[0\]"),
    # before: accepted; two wijk layers for 2022
    "config kaart layer twice": ("stuurkit.yml", "  - file: raw/wijken_2017.geojson\n"
                                 "    level: wijk\n    vintage: 2017",
                                 "  - file: raw/wijken_2022.geojson\n    level: wijk\n"
                                 "    vintage: 2022",
                                 r"sources\.kaart\[4\]: wijk 2022 is also at sources\.kaart\[1\]"),
    # before: accepted; `stuurkit run --only wijkprofielen` ambiguous
    "config schedule name twice": ("stuurkit.yml", "- name: datakwaliteit",
                                   "- name: wijkprofielen",
                                   r"schedule\[4\]\.name: wijkprofielen is also at "
                                   r"schedule\[2\]\.name"),
    "begroting not UTF-8": ("begroting.yml", "Werk en inkomen", "Werk en inkom\xe9n",
                            r"begroting\.yml: not valid YAML \(byte 0xe9 is not UTF-8"),
    "begroting key twice": ("begroting.yml", "        waarde: 66.0\n",
                            "        waarde: 66.0\n        waarde: 60.0\n",
                            r"key 'waarde' is given twice \(first at line 34\)"),
    "begroting impossible date": ("begroting.yml", "gereed: '2025-12-31'", "gereed: 2025-12-32",
                                  r"'2025-12-32' is not a valid date \(day is out of range"),
    # before: waarde 0.0
    "begroting no as a number": ("begroting.yml", "        waarde: 66.0\n", "        waarde: no\n",
                                 r"programmas\[0\]\.doelen\[0\]\.indicatoren\[0\]\.nulmeting\."
                                 r"waarde: Value error, expected a number, not true/false"),
    # before: budget year 1
    "begroting yes as a year": ("begroting.yml", "  - jaar: 2022\n", "  - jaar: yes\n",
                                r"programmas\[0\]\.budget\[0\]\.jaar: Value error, expected a "
                                r"number"),
    # before: waarde nan
    "begroting nan": ("begroting.yml", "        waarde: 66.0\n", "        waarde: .nan\n",
                      r"nulmeting\.waarde: Input should be a finite number"),
    # before: gereed 1970-01-01
    "begroting number as a date": ("begroting.yml", "gereed: '2025-12-31'", "gereed: 0",
                                   r"acties\[0\]\.gereed: Value error, expected a date like "
                                   r"2026-06-30, not a number"),
    # before: two budget lines for 2022 accepted
    "begroting budget year twice": ("begroting.yml", "  - jaar: 2023\n", "  - jaar: 2022\n",
                                    r"programmas\[0\]\.budget\[1\]\.jaar: 2022 is also at "
                                    r"programmas\[0\]\.budget\[0\]; one budget line per year"),
    "catalogue not UTF-8": ("eigen.yml", "label: Meldingen", "label: M\xe9ldingen",
                            r"eigen\.yml: not valid YAML \(byte 0xe9 is not UTF-8"),
    # before: the second definition won silently
    "catalogue id twice": ("eigen.yml", "\nindicators:\n", "\nindicators:\n" + ENTRY,
                           r"key 'meldingen_openbare_ruimte_per_1000' is given twice"),
    "catalogue impossible date": ("eigen.yml", "theme: Leefomgeving", "theme: 2024-13-45",
                                  r"'2024-13-45' is not a valid date"),
    # before: decimals 1
    "catalogue yes as a number": ("eigen.yml", "  decimals: 1\n", "  decimals: yes\n",
                                  r"indicator 'meldingen_openbare_ruimte_per_1000': decimals: "
                                  r"Value error, expected a number, not true/false"),
    # before: scale nan
    "catalogue nan": ("eigen.yml", "scale: 1000", "scale: .nan",
                      r"scale: Input should be a finite number"),
    # before: AttributeError traceback
    "catalogue a list": ("eigen.yml", None, "- a\n- b\n",
                         r"eigen\.yml: expected a mapping 'indicators:'"),
    "catalogue defaults a list": ("eigen.yml", "defaults:\n  decimals: 1\n",
                                  "defaults: [1]\nx:\n  decimals: 1\n",
                                  r"'defaults:' must be a mapping of fields"),
}


def _load_yaml(folder: Path, name: str, data: bytes):
    (folder / name).write_bytes(data)
    if name == "stuurkit.yml":
        fl._config_setup(folder)
        return open_workspace(folder)
    if name == "begroting.yml":
        return load_programme(Workspace(folder, open_workspace(fl.DEMO, check=False).config),
                              catalogue.load())
    return catalogue.load(folder / name)


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_found_by_fuzzing_is_refused_clearly(tmp_path, case):
    name, old, new, message = YAML_CASES[case]
    source = CATALOGUE_FILE if name == "eigen.yml" else fl.DEMO / name
    text = source.read_text(encoding="utf-8")
    if old is not None:
        assert old in text
    changed = new if old is None else text.replace(old, new, 1)
    data = changed.encode("latin-1" if "not UTF-8" in case else "utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        _load_yaml(tmp_path, name, data)
    assert str(tmp_path / name) in str(err.value)


@pytest.mark.parametrize("name", ["stuurkit.yml", "begroting.yml", "eigen.yml"])
def test_the_valid_yaml_files_still_load(tmp_path, name):
    source = CATALOGUE_FILE if name == "eigen.yml" else fl.DEMO / name
    try:
        _load_yaml(tmp_path, name, source.read_bytes())
    except StuurkitError as exc:  # pragma: no cover - the message is the failure
        pytest.fail(str(exc))
