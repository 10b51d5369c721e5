"""What one registrations file cannot know, checked where the workspace is known."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from helpers.errors import DataError
from helpers.workspace import open_workspace
from helpers.workspace.check import check_workspace


def _add_registrations(ws: Path, name: str, text: str) -> None:
    (ws / "raw" / name).write_text("area_code,year,variable,value\n" + text)
    path = ws / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text())
    doc["sources"]["registrations"].append(f"raw/{name}")
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize("text, message", [
    ("BU99019999,2023,wmo_clienten,4\n",
     r"raw/extra\.csv: 1 area code\(s\) are not among the workspace's areas of their year: "
     r"BU99019999 \(2023\)"),
    ("BU99010101,2023,wmo_clienten,999\n",
     r"raw/extra\.csv: BU99010101 / 2023 / wmo_clienten is 999 here but \d+ in "
     r"raw/registraties\.csv"),
])
def test_run_and_check_refuse_what_the_workspace_contradicts(ws_copy, text, message):
    _add_registrations(ws_copy, "extra.csv", text)
    with pytest.raises(DataError, match=message):
        _ = open_workspace(ws_copy).variables_raw
    problems = [str(p) for p in check_workspace(ws_copy)]
    assert any(p.startswith("FOUT") and re.search(message, p)
               for p in problems), problems


def test_the_same_value_in_a_second_file_is_no_conflict(ws_copy):
    first = (ws_copy / "raw" / "registraties.csv").read_text().splitlines()[4]
    _add_registrations(ws_copy, "extra.csv", first + "\n")
    assert len(open_workspace(ws_copy).variables_raw) > 0


def test_check_names_own_variables_that_no_indicator_reads(ws_copy):
    from helpers.indicators import catalogue

    _add_registrations(ws_copy, "extra.csv", "BU99010101,2023,meldingen_openbare_ruimt,4\n")
    problems = [str(p) for p in check_workspace(ws_copy, catalogue=catalogue.for_workspace)]
    assert any("raw/extra.csv: variable 'meldingen_openbare_ruimt' is read by no indicator of "
               "the catalogue. Did you mean 'meldingen_openbare_ruimte'?" in p
               for p in problems), problems
