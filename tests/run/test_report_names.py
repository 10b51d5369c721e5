"""Report file names come from one rule (``helpers.workspace.reportfiles``), used both to
write the reports (``schedule``) and to link to them (``reports.common.links``); buurten
of one wijk can be scheduled (``within``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers import run as runner
from helpers.errors import ConfigError
from helpers.reports import common
from helpers.workspace import open_workspace, reportfiles


def _edit(root: Path, change) -> None:
    path = root / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_demo_schedules_the_buurten_of_one_wijk(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    jobs = [j for j in runner.expand(demo_ws) if j.name.startswith("buurtprofielen/")]
    assert [Path(j.html).name for j in jobs] == [
        f"10_wijkprofiel_BU990103{n:02d}.html" for n in range(1, 8)]
    assert {j.section for j in jobs} == {"Buurten"}
    assert jobs[0].title == "Buurtprofiel Beekdal"
    assert jobs[0].parameters == {"workspace": "demo", "year": 2024, "area_code": "BU99010301"}


def test_the_links_are_the_files_the_schedule_writes(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))
    written = sorted(Path(j.html).name for j in runner.expand(demo_ws))
    links = common.links(demo_ws, 2024)
    assert sorted(links.files.values()) == written
    assert links.programme("P1") == "20_programmamonitor_P1.html"
    assert links.area("WK990101") == "10_wijkprofiel_WK990101.html"
    assert links.area("BU99010101") is None  # not scheduled: no link


def test_one_notebook_for_wijken_and_buurten_keeps_its_plain_names():
    class Entry:
        def __init__(self, name, notebook, for_each=None):
            self.name, self.notebook, self.for_each, self.within = name, notebook, for_each, None

    entries = [Entry("w", "10_wijkprofiel.ipynb", "wijk"), Entry("b", "10_wijkprofiel.ipynb",
                                                                  "buurt"),
               Entry("x", "90_datakwaliteit.ipynb"), Entry("y", "90_datakwaliteit.ipynb")]
    assert reportfiles.shared_entries(entries) == {"x", "y"}
    files = reportfiles.report_files(entries, lambda e: {"wijk": ["WK1"], "buurt": ["BU1"]}[
        e.for_each])
    assert [f.html for f in files] == ["10_wijkprofiel_WK1.html", "10_wijkprofiel_BU1.html",
                                       "90_datakwaliteit_x.html", "90_datakwaliteit_y.html"]


@pytest.mark.parametrize(("within", "for_each", "message"), [
    ("WK990199", "buurt", "within: WK990199 is no wijk of Voorbeeldstad in 2024. Did you "
                          "mean WK990109"),
    ("WK990103", "programma", "within: WK990103 only works with for_each: wijk or buurt"),
])
def test_a_wrong_within_is_refused_before_the_run(ws_copy, tmp_path, monkeypatch, within,
                                                  for_each, message):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path))

    def change(doc):
        entry = next(e for e in doc["schedule"] if e["name"] == "buurtprofielen")
        entry["within"], entry["for_each"] = within, for_each
        if for_each == "programma":
            entry["notebook"] = "20_programmamonitor.ipynb"

    _edit(ws_copy, change)
    with pytest.raises(ConfigError, match="schedule entry 'buurtprofielen'") as caught:
        runner.expand(open_workspace(ws_copy))
    assert message in str(caught.value)
