"""The programme budget file (helpers.workspace.begroting): the model, its validation
messages, the duiding beside it."""

from __future__ import annotations

import pytest
import yaml

from helpers.errors import ConfigError
from helpers.indicators import catalogue
from helpers.workspace import open_workspace
from helpers.workspace.begroting import load_programme


def test_demo_programme_loads_with_duiding(demo_ws):
    programme = load_programme(demo_ws, catalogue.load())
    goals = programme.begroting.goals()
    assert len(programme.begroting.programmas) >= 5 and len(goals) >= 12
    assert "Rivierkwartier" in programme.duiding[("P1.2", 2024)]


def _broken(ws_copy, change):
    path = ws_copy / "begroting.yml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return open_workspace(ws_copy)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["programmas"][0]["doelen"][0]["indicatoren"][0].update(indicator="geluk"),
     r"programmas\[0\]\.doelen\[0\]\.indicatoren\[0\]\.indicator: 'geluk' is not in the "
     r"catalogue"),
    (lambda d: d["programmas"][0]["doelen"][1]["indicatoren"][0]["streefwaarde"].update(
        jaar=2018),
     r"programmas\[0\]\.doelen\[1\]\.indicatoren\[0\]\.streefwaarde\.jaar: 2018 is not after "
     r"the baseline year 2019"),
    (lambda d: d["programmas"][0]["doelen"][1]["indicatoren"][0]["streefwaarde"].update(
        waarde=40.0),
     r"streefwaarde\.waarde: 40 is worse than the baseline .* for 'bijstand_per_1000' lower "
     r"is better"),
    (lambda d: d["programmas"][1]["doelen"][0].update(id="P1.1"),
     r"programmas\[1\]\.doelen\[0\]\.id: 'P1\.1' is also used at programmas\[0\]\.doelen\[0\]"),
    (lambda d: d["programmas"][0]["doelen"][0]["acties"][0].update(status="bijna klaar"),
     r"programmas\[0\]\.doelen\[0\]\.acties\[0\]\.status: Input should be 'niet gestart'"),
    (lambda d: d["programmas"][0]["doelen"][0].pop("eigenaar"),
     r"programmas\[0\]\.doelen\[0\]\.eigenaar: Field required"),
])
def test_programme_errors_name_the_key(ws_copy, change, message):
    ws = _broken(ws_copy, change)
    with pytest.raises(ConfigError, match=message):
        load_programme(ws, catalogue.load())


def test_a_duiding_file_that_is_not_utf8_is_named_and_does_not_stop_the_reports(ws_copy):
    """The choice: the goal's duiding becomes a notice naming the file and the byte (shown
    where the duiding would be), with a warning; every other text and report stays;
    ``stuurkit check`` reports the file as an error."""
    from helpers.run.schedule import expand
    from helpers.workspace.check import check_workspace

    path = ws_copy / "duiding" / "2024" / "P1.2.md"
    path.write_bytes("Daling in het Rivierkwartier, café".encode("cp1252"))
    ws = open_workspace(ws_copy)
    with pytest.warns(UserWarning, match=r"duiding kon niet worden gelezen: duiding/2024/P1\.2"
                                         r"\.md: byte 0xe9 at offset 33 is not UTF-8"):
        programme = load_programme(ws, catalogue.load())
    notice = programme.duiding[("P1.2", 2024)]
    assert notice.startswith("*Duiding kon niet worden gelezen: duiding/2024/P1.2.md")
    assert str(ws_copy) not in notice  # a published page names no server paths
    assert len([k for k, t in programme.duiding.items() if "kon niet" not in t]) >= 5
    with pytest.warns(UserWarning):
        jobs = expand(ws)  # the run is not blocked: every programme monitor is scheduled
    assert sum(job.name.startswith("programmamonitors/") for job in jobs) == len(
        programme.begroting.programmas)
    problems = [p for p in check_workspace(ws_copy) if p.severity == "fout"]
    assert [p.where for p in problems] == ["duiding"]
    assert "duiding/2024/P1.2.md: byte 0xe9 at offset 33 is not UTF-8" in problems[0].message


def test_a_budget_read_twice_is_parsed_once_and_an_edit_is_seen(ws_copy):
    """The parsed budget is kept per file content: the second read returns an equal but
    independent copy; after an edit the new content is parsed."""
    from helpers.workspace.begroting import read_begroting
    path = ws_copy / "begroting.yml"
    first = read_begroting(path)
    second = read_begroting(path)
    assert first == second and first is not second
    first.programmas.clear()  # the models are frozen, their lists are not
    assert read_begroting(path).programmas == second.programmas
    doc = yaml.safe_load(path.read_text())
    doc["programmas"][0]["naam"] = "Nieuwe naam op schijf"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    assert read_begroting(path).programmas[0].naam == "Nieuwe naam op schijf"
    doc["programmas"][0]["doelen"][0]["acties"][0]["status"] = "bijna klaar"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(ConfigError, match="bijna klaar|niet gestart"):
        read_begroting(path)
