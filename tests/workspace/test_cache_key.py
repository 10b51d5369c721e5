"""The parse cache is keyed on the parser's own fingerprint: a changed parser rebuilds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import helpers
from helpers.workspace import cache


def _parse_counter():
    calls = []

    def parse() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"value": [len(calls)]})

    return parse, calls


def test_an_unchanged_parser_hits_and_a_changed_one_rebuilds(tmp_path, monkeypatch):
    raw = tmp_path / "kwb.csv"
    raw.write_text("gwb_code_10,a_inw\nGM9901,3\n")
    store = cache.SourceCache(tmp_path / "cache")
    parse, calls = _parse_counter()
    assert store.frame(raw, "kwb", parse)["value"].iloc[0] == 1
    assert store.frame(raw, "kwb", parse)["value"].iloc[0] == 1 and len(calls) == 1  # a hit
    monkeypatch.setattr(cache, "parser_fingerprint", lambda: "a-changed-parser")
    assert store.frame(raw, "kwb", parse)["value"].iloc[0] == 2  # stale entry not served
    assert store.frame(raw, "kwb", parse)["value"].iloc[0] == 2 and len(calls) == 2
    assert len(list((tmp_path / "cache").glob("kwb.csv.*.parquet"))) == 2


def test_the_fingerprint_covers_the_parsers_their_mapping_and_the_schema():
    package = Path(helpers.__file__).parent
    files = {p.relative_to(package).as_posix() for p in cache.parser_files()}
    assert {"model.py", "sources/kwb_variables.csv", "sources/kwb.py", "sources/kaart.py",
            "sources/registry.py", "sources/demo/__init__.py"} <= files
    assert not any(f.startswith(("workspace/", "reports/")) for f in files)
    assert len(cache.parser_fingerprint()) == 64
    assert cache.parser_fingerprint() is cache.parser_fingerprint()  # once per process


def test_the_fingerprint_changes_with_a_parser_file(tmp_path, monkeypatch):
    package = tmp_path / "helpers"
    (package / "sources").mkdir(parents=True)
    for name in ("model.py", "sources/kwb.py", "sources/kwb_variables.csv"):
        (package / name).write_text("# v1\n")
    monkeypatch.setattr(helpers, "__file__", str(package / "__init__.py"))
    cache.parser_fingerprint.cache_clear()
    try:
        first = cache.parser_fingerprint()
        (package / "sources" / "kwb.py").write_text("# v2\n")
        cache.parser_fingerprint.cache_clear()
        assert cache.parser_fingerprint() != first
    finally:
        monkeypatch.undo()
        cache.parser_fingerprint.cache_clear()
