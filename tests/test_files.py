"""Safe file writing (helpers.files): permissions kept, data on disk before the rename,
the old file left whole when writing or flushing fails."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from helpers import files


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_gets_0644(tmp_path):
    old = tmp_path / "kept.txt"
    old.write_text("oud")
    old.chmod(0o600)
    files.write_text_atomic(old, "nieuw")
    assert old.read_text() == "nieuw"
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    new = files.write_text_atomic(tmp_path / "new.txt", "x")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


def test_the_data_is_flushed_before_the_rename(tmp_path, monkeypatch):
    order = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(files.os, "replace",
                        lambda a, b: (order.append("replace"), real_replace(a, b)))
    files.write_text_atomic(tmp_path / "a.txt", "x")
    assert order[:2] == ["fsync", "replace"]  # the file, then the folder after the rename
    assert order[2:] == ["fsync"]


def test_a_full_disk_at_flush_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("vorige versie")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        files.write_text_atomic(target, "nieuwe versie")
    assert target.read_text() == "vorige versie"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
