"""The user's cache folder: where it is, and files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from attest_pipeline.cache import cache_folder, write_atomically


def test_the_cache_folder_is_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTEST_CACHE", str(tmp_path / "mine"))
    assert cache_folder() == tmp_path / "mine"
    monkeypatch.setenv("ATTEST_CACHE", "")
    assert cache_folder() is None
    monkeypatch.delenv("ATTEST_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "attest-pipeline"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "attest-pipeline"


def test_a_file_is_written_whole_and_an_unwritable_folder_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "kept.json"
    assert write_atomically(path, "[1]")
    assert write_atomically(path, "[2]")
    assert path.read_text(encoding="utf-8") == "[2]"
    assert [p.name for p in path.parent.iterdir()] == ["kept.json"]
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert not write_atomically(blocked / "kept.json", "[3]")
