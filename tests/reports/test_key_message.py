"""Every report opens with its conclusion: one Dutch sentence and status tiles that link
to their sections (issue 16)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from nbconvert.filters.strings import add_anchor
from selectolax.lexbor import LexborHTMLParser

from helpers import model
from helpers.reports import common
from helpers.workspace import reportfiles


@pytest.mark.parametrize("heading", [
    "Stand van de doelen", "Doelen in één oogopslag", "Grens- en codewijzigingen",
    "Geheim, ontbrekend en onderdrukt", "Programma's", "Signalen",
])
def test_a_tile_links_to_the_id_nbconvert_gives_its_heading(heading):
    made = add_anchor(f"<h2>{heading}</h2>")  # nbconvert itself is the oracle
    assert re.search(r'<h2 id="([^"]+)"', made).group(1) == common.section_anchor(heading)[1:]


def test_goal_statuses_are_counted_and_written_out():
    statuses = [model.ON_TRACK, model.OFF_TRACK, model.AT_RISK, model.OFF_TRACK]
    words, tiles = common.goal_summary(statuses, "Stand van de doelen")
    assert words == "1 van 4 doelen op koers, 1 met risico, 2 uit koers"
    assert [(t.count, t.label) for t in tiles] == [
        (1, model.ON_TRACK), (1, model.AT_RISK), (2, model.OFF_TRACK)]
    assert common.goal_summary([], "Stand van de doelen") == ("nog geen doelen", [])
    assert common.areas_phrase({"wijk": 1, "buurt": 3}) == "1 wijk en 3 buurten"
    assert common.areas_phrase({"wijk": 0, "buurt": 0}) == ""


def test_the_key_message_is_escaped_and_carries_its_sentence_for_the_portal():
    shown = common.key_message("<script>x</script> 2 van 3 doelen op koers.", [
        common.Tile(2, model.ON_TRACK, "Stand van de doelen", status=True),
        common.Tile(5, "signalen <b>", "Belangrijkste signalen")])
    data, meta = shown._repr_mimebundle_()
    html = data["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "signalen &lt;b&gt;" in html
    assert 'href="#Stand-van-de-doelen"' in html and 'href="#Belangrijkste-signalen"' in html
    assert ">op koers</span>" in html  # the status in words, not in colour only
    summary = meta["stuurkit"][reportfiles.SUMMARY_KEY]
    assert summary.startswith("<script>x</script>")  # text; the page template escapes it


SCHEDULED = ["10_wijkprofiel", "20_programmamonitor", "30_bestuursoverzicht",
             "90_datakwaliteit"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SCHEDULED)
def test_every_report_opens_with_its_conclusion_and_its_tiles_reach_their_sections(
        demo_reports, name):
    page = LexborHTMLParser(demo_reports[name].read_text(encoding="utf-8"))
    key = page.css_first("section.stuurkit-key")
    assert key is not None, f"{name}: no key message"
    sentence = key.css_first(".stuurkit-key-message").text().strip()
    assert sentence.endswith(".") and len(sentence) > 20
    description = page.css_first('head meta[name="description"]')
    assert description.attributes["content"] == sentence
    html = page.html
    assert html.index("stuurkit-key") < html.index('<h2 id="'), "the conclusion comes first"
    ids = {node.attributes.get("id") for node in page.css("[id]")}
    tiles = key.css("li.stuurkit-tile a")
    assert tiles, f"{name}: no tiles"
    for tile in tiles:
        href = tile.attributes["href"]
        assert href.startswith("#") and unquote(href[1:]) in {unquote(i) for i in ids}, (
            f"{name}: tile {tile.text()!r} links to {href}, no section has that id")
        assert re.search(r"\d", tile.css_first(".tile-count").text())
        assert tile.css_first(".tile-label").text().strip()


@pytest.mark.slow
def test_the_wijkprofiel_lists_its_buurten(demo_reports):
    page = LexborHTMLParser(demo_reports["10_wijkprofiel"].read_text(encoding="utf-8"))
    caption = next(c for c in page.css("table caption") if c.text().startswith("Buurten van"))
    table = caption.parent
    names = [th.text().strip() for th in table.css("tbody th")]
    assert len(names) == 4  # De Horsten (WK990108) has four buurten
    assert table.css_first("thead th").text() == "Buurt"
    assert "Aantal inwoners" in table.css("thead th")[1].text()


def test_a_kaart_without_buurten_gives_a_wijk_no_buurten_section():
    from types import SimpleNamespace

    import pandas as pd

    from helpers.reports import wijkprofiel

    ws = SimpleNamespace(areas=pd.DataFrame({"code": ["GM9901", "WK990101"],
                                             "level": ["gemeente", "wijk"]}))
    report = SimpleNamespace(workspace=ws, profile=SimpleNamespace(
        code="WK990101", level="wijk", parent_code="GM9901", year=2024))
    assert wijkprofiel._buurten_of(report).empty
