"""The facts kept on disk between processes (helpers.indicators.factstore): used only
while every input is as it was, the same frames whether kept, read back or not kept,
and never a reason for a run to fail (a damaged entry, an unwritable cache)."""

from __future__ import annotations

import errno
import io
import logging
import shutil

import pandas as pd
import pytest

from helpers.indicators import facts, factstore
from helpers.workspace import core, open_workspace, reads


@pytest.fixture
def ws_copy(demo_ws, tmp_path):
    """A copy of the demo with its parse cache (each test here makes facts, not parses)."""
    target = tmp_path / "kopie"
    shutil.copytree(demo_ws.root, target)
    return target


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("STUURKIT_CACHE", str(folder))
    monkeypatch.delenv(factstore.SWITCH, raising=False)
    return folder / factstore.FOLDER


def _fresh(root):
    """The workspace as a new process opens it (nothing of it in memory)."""
    core._OPENED.clear()
    return open_workspace(root)


def _same(a: facts.Facts, b: facts.Facts) -> None:
    pd.testing.assert_frame_equal(a.observations, b.observations)
    pd.testing.assert_frame_equal(a.hierarchy, b.hierarchy)
    pd.testing.assert_series_equal(a.breaks, b.breaks)


def test_a_second_process_reads_the_facts_and_what_they_were_made_from(ws_copy, cache):
    ws = _fresh(ws_copy)
    with reads.capture() as made_reads:
        made = facts.of(ws)
    assert len(list(cache.iterdir())) == 1
    ws = _fresh(ws_copy)
    assert factstore.load(ws) is not None
    with reads.capture() as kept_reads:
        kept = facts.of(ws)
    _same(made, kept)
    # an incremental run records the same inputs for a report either way
    assert kept_reads == made_reads and "raw/registraties.csv" in kept_reads
    # what reading the statistics decided is read when asked, not an empty default
    assert "variables_raw" not in ws.__dict__.get("_kept_reads", {})
    assert ws.own_variables and ws.own_variables == _fresh(ws_copy).own_variables


def test_kept_read_back_and_not_kept_facts_are_the_same_frames(ws_copy, cache, monkeypatch):
    made = facts.of(_fresh(ws_copy))  # made, kept and read back
    kept = facts.of(_fresh(ws_copy))  # read from the store
    monkeypatch.setenv(factstore.SWITCH, "0")
    not_kept = facts.of(_fresh(ws_copy))
    _same(made, kept)
    _same(made, not_kept)


def test_a_changed_input_makes_them_again(ws_copy, cache):
    before = facts.of(_fresh(ws_copy))
    file = ws_copy / "raw" / "registraties.csv"
    text = file.read_text(encoding="utf-8")
    changed = text.replace("BU99010101,2017,meldingen_openbare_ruimte,225.0",
                           "BU99010101,2017,meldingen_openbare_ruimte,325.0")
    assert changed != text
    file.write_text(changed, encoding="utf-8")
    ws = _fresh(ws_copy)
    assert factstore.load(ws) is None
    after = facts.of(ws)
    assert not before.observations.equals(after.observations)
    assert len(list(cache.iterdir())) == 2  # both kept: either set of files may return
    file.write_text(text, encoding="utf-8")  # put back: the first entry serves again
    ws = _fresh(ws_copy)
    assert factstore.load(ws) is not None
    _same(facts.of(ws), before)


def test_a_removed_input_makes_them_again(ws_copy, cache):
    facts.of(_fresh(ws_copy))
    (ws_copy / "raw" / "provenance.yml").unlink()
    assert factstore.load(_fresh(ws_copy)) is None


def test_a_damaged_entry_is_made_again(ws_copy, cache):
    made = facts.of(_fresh(ws_copy))
    entry = next(cache.iterdir())
    data = (entry / "observations.parquet").read_bytes()
    (entry / "observations.parquet").write_bytes(data[: len(data) // 2])
    ws = _fresh(ws_copy)
    assert factstore.load(ws) is None
    _same(facts.of(ws), made)
    (entry / "reads.json").write_text("[1, 2", encoding="utf-8")
    assert factstore.load(_fresh(ws_copy)) is None


def test_a_full_disk_only_costs_time(ws_copy, cache, monkeypatch, caplog):
    made = facts.of(_fresh(ws_copy))
    shutil.rmtree(cache)

    write = pd.DataFrame.to_parquet

    def full(self, target, *args, **kwargs):  # files only: memory is not the disk
        if not isinstance(target, io.BytesIO):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, target, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(pd.DataFrame, "to_parquet", full)
        with caplog.at_level(logging.WARNING, logger="helpers.indicators.factstore"):
            ws = _fresh(ws_copy)
            again = facts.of(ws)
    assert "not kept" in caplog.text and "No space left" in caplog.text
    assert not any(cache.iterdir())  # the half-written entry is gone, nothing else
    _same(again, made)
    assert factstore.load(_fresh(ws_copy)) is None


def test_a_cache_that_is_a_file_only_costs_time(ws_copy, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("STUURKIT_CACHE", str(blocker))
    with caplog.at_level(logging.WARNING, logger="helpers.indicators.factstore"):
        made = facts.of(_fresh(ws_copy))
    assert "not kept" in caplog.text
    assert not made.observations.empty


def test_a_killed_writers_folder_is_removed_and_old_entries_pruned(ws_copy, cache,
                                                                   monkeypatch):
    cache.mkdir(parents=True)
    left = cache / ".abc-def.999999999.x1.tmp"  # a writer that is gone
    left.mkdir()
    (left / "observations.parquet").write_bytes(b"half")
    for number in range(3):
        (cache / f"{number:032x}-0").mkdir()  # entries of other workspaces or versions
    monkeypatch.setattr(factstore, "KEEP_ALL", 2)
    facts.of(_fresh(ws_copy))
    names = sorted(p.name for p in cache.iterdir())
    assert not left.exists() and len(names) == 2
    assert any(factstore._key(_fresh(ws_copy)) in n for n in names)  # the newest stays


def test_another_version_of_the_kit_does_not_read_them(ws_copy, cache, monkeypatch):
    facts.of(_fresh(ws_copy))
    monkeypatch.setattr(reads, "code_hash", lambda: "another version of the kit")
    assert factstore.load(_fresh(ws_copy)) is None


def test_a_workspace_holding_assigned_values_neither_keeps_nor_reads_facts(ws_copy, cache):
    """Values assigned in memory (a synthetic gemeente made from the demo) are not in the
    files an entry is checked against: their facts are neither kept nor served, and the
    workspace's own files' facts are never served for them."""
    facts.of(_fresh(ws_copy))  # the files' facts, kept
    kept = len(list(cache.iterdir()))
    ws = _fresh(ws_copy)
    tidy = ws.variables_raw
    ws.variables_raw = tidy.assign(value=tidy["value"] * 2)
    assert reads.assigned(ws) == {"variables_raw"}
    assert factstore.load(ws) is None
    doubled = facts.of(ws)
    assert len(list(cache.iterdir())) == kept, "nothing kept for assigned values"
    from_files = facts.of(_fresh(ws_copy))
    counts = doubled.observations["numerator"].dropna()
    assert not counts.equals(from_files.observations["numerator"].dropna())
    del ws.variables_raw  # its hierarchy was made from the assigned value, and is kept
    assert reads.assigned(ws) == {"variables_raw"}, "once assigned, always so"
    assert factstore.load(ws) is None


def test_deleting_an_assigned_value_keeps_what_was_made_from_it_out_of_the_store(
        ws_copy, cache):
    """A workspace whose values were made from an assigned one (its hierarchy from
    assigned variables) keeps no facts after the assigned value is deleted: another
    process would be served facts that do not follow from the files."""
    ws = _fresh(ws_copy)
    tidy = ws.variables_raw
    ws.variables_raw = tidy[tidy["year"] != tidy["year"].max()]
    _ = ws.hierarchy, ws.breaks  # kept, made from the assigned variables
    del ws.variables_raw
    facts.of(ws)
    assert not cache.exists() or list(cache.iterdir()) == [], "nothing kept"
    assert factstore.load(_fresh(ws_copy)) is None
