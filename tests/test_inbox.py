from __future__ import annotations

import os
from pathlib import Path

import pytest

from attest_pipeline.inbox import (
    StateLock,
    StillWriting,
    candidates,
    claim,
    is_ignored,
    pending_claims,
    put_back,
    record_attempt,
    release,
)
from attest_pipeline.readiness import signature


@pytest.mark.parametrize(
    "name",
    [
        ".hidden.pdf",
        "~$attestation.docx",
        "scan.pdf.part",
        "a.crdownload",
        "x.tmp",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
    ],
)
def test_junk_is_ignored(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize("name", ["attestation.pdf", "scan 2025.PDF", "photo.jpg", "cv.docx"])
def test_documents_are_not_ignored(name: str) -> None:
    assert not is_ignored(name)


def test_candidates_skip_junk_folders_and_links(tmp_path: Path) -> None:
    (tmp_path / "b.pdf").write_bytes(b"%PDF-")
    (tmp_path / "a.docx").write_bytes(b"PK")
    (tmp_path / "c.pdf.part").write_bytes(b"%PDF-")
    (tmp_path / "scanner").mkdir()
    (tmp_path / "scanner" / "inner.pdf").write_bytes(b"%PDF-")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "b.pdf")
    os.utime(tmp_path / "a.docx", (1, 1))
    assert [p.name for p in candidates(tmp_path)] == ["a.docx", "b.pdf"]


def test_missing_inbox_has_no_candidates(tmp_path: Path) -> None:
    assert candidates(tmp_path / "absent") == []


def test_claim_moves_the_file_and_only_once(tmp_path: Path) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    source = inbox / "a.pdf"
    source.write_bytes(b"%PDF-1.4 data")
    taken = claim(source, work)
    assert taken is not None
    assert not source.exists()
    assert taken.path.read_bytes() == b"%PDF-1.4 data"
    assert taken.name == "a.pdf"
    assert claim(source, work) is None
    assert pending_claims(work) == [taken]
    release(taken)
    assert pending_claims(work) == []


def test_state_lock_is_exclusive(tmp_path: Path) -> None:
    first, second = StateLock(tmp_path), StateLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()
    assert second.holder() == str(os.getpid())
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.parametrize(
    "name",
    [b"caf\xe9.pdf", b"x" * 250 + b".pdf", "\U00020000".encode() * 62 + b".pdf"],
)
def test_a_claim_fits_any_name_and_keeps_its_exact_bytes(tmp_path: Path, name: bytes) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    source = Path(os.fsdecode(os.path.join(os.fsencode(inbox), name)))
    source.write_bytes(b"data")
    taken = claim(source, work)
    assert taken is not None and taken.original == name
    assert taken.name == name.decode("utf-8", "replace")
    assert all(len(entry) <= 255 for entry in os.listdir(os.fsencode(work)))
    (again,) = pending_claims(work)
    assert (again.id, again.original, again.name) == (taken.id, name, taken.name)
    assert again.path.read_bytes() == b"data"
    release(again)
    assert os.listdir(work) == []  # the name kept beside it is gone too


def test_attempts_are_counted_beside_the_claim(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"data")
    taken = claim(tmp_path / "a.pdf", tmp_path / "work")
    assert taken is not None and taken.attempts == 1
    record_attempt(taken)
    (again,) = pending_claims(tmp_path / "work")
    assert again.attempts == 2
    assert record_attempt(again).attempts == 3
    (third,) = pending_claims(tmp_path / "work")
    assert third.attempts == 3


def test_leftovers_of_an_interrupted_claim_are_removed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for leftover in (".0123abcd.part", ".0123abcd.name", ".0123abcd.attempts"):
        (work / leftover).write_bytes(b"partial")
    assert pending_claims(work) == []
    assert os.listdir(work) == []


def test_a_file_that_changed_since_it_was_judged_ready_is_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"first half")
    expected = signature(path)
    with open(path, "ab") as handle:
        handle.write(b" and more")
    with pytest.raises(StillWriting):
        claim(path, tmp_path / "work", expected)
    assert path.read_bytes() == b"first half and more"
    assert os.listdir(tmp_path / "work") == []


def test_put_back_returns_the_file_and_never_replaces_another(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(b"mine")
    taken = claim(inbox / "a.pdf", tmp_path / "work")
    assert taken is not None
    (inbox / "a.pdf").write_bytes(b"someone else's")
    assert not put_back(taken, inbox)
    assert taken.path.read_bytes() == b"mine"
    (inbox / "a.pdf").unlink()
    assert put_back(taken, inbox)
    assert (inbox / "a.pdf").read_bytes() == b"mine" and not taken.path.exists()
