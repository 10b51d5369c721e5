"""``stuurkit import`` and ``fetch`` keep what the user wrote in ``stuurkit.yml``: every
comment, the key order, quoting and flow style; only the new or replaced entry changes."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from helpers.errors import ConfigError
from helpers.workspace import config, fetch, open_workspace
from helpers.workspace.importer import import_files, init_workspace
from tests.scenarios.fake_cbs import TABLE, FakeCBS

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"

COMMENTED = """\
# Stuurkit-werkruimte van Voorbeeldstad.
# Beheer: team Onderzoek (niet wissen).
gemeente:   # de gemeente zelf
  name: 'Voorbeeldstad'    # met aanhalingstekens
  code: "GM9901"
# ---------------------------------------------------------------- bronnen
sources:
  kwb:    # KWB-bestanden, oudste eerst
  # 2022 uit de download van maart
  - raw/kwb-2022.csv   # gecontroleerd
  kaart: []
  registrations: []   # nog geen eigen registraties
  code_changes: [ ]
# ---------------------------------------------------------------- overig
programme: begroting.yml  # de programmabegroting
duiding: duiding
schedule:
- {name: wijkprofielen, notebook: 10_wijkprofiel.ipynb, for_each: wijk}   # flow
# einde van het bestand
"""


def _changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines taken out and put in (difflib: a line that moved counts as both)."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in diff if d.startswith("- ")],
            [d[2:] for d in diff if d.startswith("+ ")])


@pytest.fixture
def commented(tmp_path) -> Path:
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    import_files(root, [DEMO_RAW / "kwb-2022.csv"])
    (root / "stuurkit.yml").write_text(COMMENTED, encoding="utf-8")
    return root


def test_an_import_adds_its_entry_and_changes_nothing_else(commented):
    import_files(commented, [DEMO_RAW / "kwb-2023.csv"])
    after = (commented / "stuurkit.yml").read_text(encoding="utf-8")
    removed, added = _changes(COMMENTED, after)
    assert removed == [] and added == ["  - raw/kwb-2023.csv"], after
    assert after.index("raw/kwb-2022.csv") < after.index("raw/kwb-2023.csv")
    sources = open_workspace(commented, check=False).config.sources
    assert sources.kwb == ["raw/kwb-2022.csv", "raw/kwb-2023.csv"]


def test_an_import_into_a_flow_list_keeps_it_a_flow_list(commented):
    path = commented / "stuurkit.yml"
    text = COMMENTED.replace("registrations: []   # nog geen",
                             "registrations: [raw/oud.csv]   # geen")
    path.write_text(text, encoding="utf-8")
    import_files(commented, [DEMO_RAW / "registraties.csv"])
    removed, added = _changes(text, path.read_text(encoding="utf-8"))
    assert removed == ["  registrations: [raw/oud.csv]   # geen eigen registraties"]
    assert added == ["  registrations: [raw/oud.csv, raw/registraties.csv] # geen eigen "
                     "registraties"]


def test_an_empty_list_that_gets_its_first_entry_becomes_a_block_keeping_its_comment(commented):
    import_files(commented, [DEMO_RAW / "registraties.csv"])
    removed, added = _changes(COMMENTED, (commented / "stuurkit.yml").read_text(encoding="utf-8"))
    assert removed == ["  registrations: []   # nog geen eigen registraties"]
    assert [a.split("#")[0].rstrip() for a in added] == ["  registrations:",
                                                         "  - raw/registraties.csv"]
    assert added[0].endswith("# nog geen eigen registraties")


def test_a_reimport_that_replaces_an_entry_keeps_its_comments(tmp_path):
    root = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    source = tmp_path / "export.csv"
    source.write_bytes((DEMO_RAW / "kwb-2023.csv").read_bytes())
    import_files(root, [source], year=2023)
    path = root / "stuurkit.yml"
    text = path.read_text(encoding="utf-8")
    assert "  - file: raw/export.csv\n    year: 2023\n" in text
    text = text.replace("  - file: raw/export.csv\n    year: 2023\n",
                        "  # de export van de afdeling (boven)\n"
                        "  - file: raw/export.csv   # export (regel)\n"
                        "    year: 2023  # het jaar\n")
    path.write_text(text, encoding="utf-8")
    import_files(root, [source], year=2022)
    after = path.read_text(encoding="utf-8")
    removed, added = _changes(text, after)
    assert removed == ["    year: 2023  # het jaar"] and added == ["    year: 2022  # het jaar"]
    config_ = open_workspace(root, check=False).config
    assert [(k.file, k.year) for k in config_.sources.kwb_files()] == [("raw/export.csv", 2022)]


def test_an_entry_that_changes_form_takes_its_comments_along(tmp_path):
    """A KWB file first listed by name, then with a year (and back): the comment on its
    line stays on its first line, the comment above the next entry stays above it."""
    text = ("gemeente: {code: GM9901, name: Voorbeeldstad}\nsources:\n  kwb:\n"
            "  - raw/a.csv   # a\n  # boven b\n  - raw/b.csv\n")
    (tmp_path / "stuurkit.yml").write_text(text, encoding="utf-8")
    doc = config.edit_config(tmp_path)
    config.add_source(doc, "kwb", {"file": "raw/a.csv", "year": 2021})
    config.write_config(tmp_path, doc)
    after = (tmp_path / "stuurkit.yml").read_text(encoding="utf-8")
    assert "  - file: raw/a.csv" in after and "# a" in after.split("\n")[3], after
    assert after.index("# boven b") < after.index("raw/b.csv") and after.count("#") == 2
    doc = config.edit_config(tmp_path)
    config.add_source(doc, "kwb", "raw/a.csv")
    config.write_config(tmp_path, doc)
    back = (tmp_path / "stuurkit.yml").read_text(encoding="utf-8")
    assert "- raw/a.csv" in back and "# a" in back.split("\n")[3] and "# boven b" in back, back
    assert config.read_config(tmp_path / "stuurkit.yml").sources.kwb == ["raw/a.csv", "raw/b.csv"]


@pytest.mark.parametrize("name", ["on", "no", "1:20", "~", "2024-01-01", "0x1F"])
def test_a_new_value_that_yaml_would_read_as_another_type_is_quoted(tmp_path, name):
    """ruamel writes YAML 1.2, the strict loader reads 1.1: a file named ``on`` must not
    come back as ``True``."""
    (tmp_path / "stuurkit.yml").write_text(COMMENTED, encoding="utf-8")
    doc = config.edit_config(tmp_path)
    config.add_source(doc, "code_changes", name)
    config.write_config(tmp_path, doc)
    assert config.read_config(tmp_path / "stuurkit.yml").sources.code_changes == [name]


def test_a_document_that_would_not_validate_is_refused_and_the_file_kept(tmp_path):
    path = tmp_path / "stuurkit.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    doc = config.edit_config(tmp_path)
    config.add_source(doc, "kaart", {"file": "raw/buurten.geojson", "level": "buurt",
                                     "vintage": 1700})
    with pytest.raises(ConfigError, match=r"sources\.kaart\.0\.vintage"):
        config.write_config(tmp_path, doc)
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert [p.name for p in tmp_path.iterdir()] == ["stuurkit.yml"], "no temporary left"


@pytest.mark.parametrize("text, message", [
    (COMMENTED + "duiding: elders\n", "key 'duiding' is given twice"),
    ("a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "billion laughs"),
    ("x: " + "[" * 60 + "]" * 60 + "\n", "nesting deeper than 50"),
])
def test_editing_reads_as_strictly_as_reading(tmp_path, text, message):
    (tmp_path / "stuurkit.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as read:
        config.read_config(tmp_path / "stuurkit.yml")
    with pytest.raises(ConfigError, match=message) as edit:
        config.edit_config(tmp_path)
    assert str(edit.value) == str(read.value)


def test_a_fetch_adds_its_entries_and_keeps_every_comment(commented):
    root, text = commented, COMMENTED
    with FakeCBS() as server:
        fetch.fetch(root, [2023], kaart_years=[2023], catalog=server.host, https=False,
                    pdok_url=f"http://{server.host}/cbs/wijkenbuurten/{{year}}/wfs/v1_0",
                    backoff=0.01, progress=False)
    after = (root / "stuurkit.yml").read_text(encoding="utf-8")
    removed, added = _changes(text, after)
    assert removed == ["  kaart: []"], after
    assert added[:5] == [f"  - file: raw/cbs-{TABLE}", "    year: 2023",
                         "  - file: raw/cbs-gebieden-2023", "    year: 2023", "  kaart:"], after
    assert after.index("raw/kwb-2022.csv") < after.index(f"raw/cbs-{TABLE}")
    assert len(added) == 5 + 3 * 3  # three kaart layers of three lines
    comments = [line[line.index("#"):] for line in text.splitlines() if "#" in line]
    assert all(c in after for c in comments)
    ws = open_workspace(root)
    assert [k.file for k in ws.config.sources.kaart] == [
        "raw/gemeenten_2023.geojson", "raw/wijken_2023.geojson", "raw/buurten_2023.geojson"]
