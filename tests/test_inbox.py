from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attest_pipeline.inbox import (
    StateLock,
    StillWriting,
    candidate_names,
    claim,
    entry_kind,
    is_ignored,
    not_regular,
    peek,
    pending_claims,
    put_back,
    record_attempt,
    release,
    remove_peeks,
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
    assert candidate_names(tmp_path) == ["a.docx", "b.pdf"]


def test_missing_inbox_has_no_candidates(tmp_path: Path) -> None:
    assert candidate_names(tmp_path / "absent") == []


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


def test_the_state_lock_is_freed_when_its_holder_dies_even_if_its_children_live(
    tmp_path: Path,
) -> None:
    # A worker forked while the lock is held must not keep it after its parent is killed.
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from attest_pipeline.inbox import StateLock\n"
        "lock = StateLock(Path(sys.argv[1]))\n"
        "assert lock.acquire()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "print(pid, flush=True)\n"
        "time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        assert not StateLock(tmp_path).acquire()
        holder.kill()
        holder.wait()
        assert Path(f"/proc/{child}").exists()  # the child lives on
        lock = StateLock(tmp_path)
        # The child lets go of its copy as soon as it first runs (at once, but on a loaded
        # machine maybe after its parent was killed).
        deadline = time.monotonic() + 5
        while not lock.acquire() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lock.descriptor is not None
        lock.release()
    finally:
        os.kill(child, signal.SIGKILL)


def test_the_state_lock_is_not_passed_to_programs_run(tmp_path: Path) -> None:
    lock = StateLock(tmp_path)
    assert lock.acquire()
    try:
        assert lock.descriptor is not None
        assert not os.get_inheritable(lock.descriptor)
    finally:
        lock.release()


def test_entries_that_are_not_regular_files_are_named_with_their_kind(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-")
    (tmp_path / "scanner").mkdir()
    (tmp_path / "link.pdf").symlink_to(tmp_path / "a.pdf")
    (tmp_path / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    (tmp_path / "folder-link").symlink_to(tmp_path / "scanner")
    os.mkfifo(tmp_path / "pipe.pdf")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.pdf"))
    (tmp_path / ".snapshot").mkdir()  # hidden: left alone without a word, as before
    try:
        assert not_regular(tmp_path) == [
            ("dangling.pdf", "symbolic link"),
            ("folder-link", "symbolic link"),
            ("link.pdf", "symbolic link"),
            ("pipe.pdf", "FIFO"),
            ("scanner", "folder"),
            ("sock.pdf", "socket"),
        ]
        assert candidate_names(tmp_path) == ["a.pdf"]
    finally:
        server.close()
    assert not_regular(tmp_path / "absent") == []


def test_entry_kind_of_each_file_type() -> None:
    assert entry_kind(stat.S_IFREG | 0o644) is None
    assert entry_kind(stat.S_IFCHR | 0o600) == "device"
    assert entry_kind(stat.S_IFBLK | 0o600) == "device"


@pytest.mark.parametrize("kind", ["symbolic link", "FIFO", "folder"])
def test_claim_gives_back_what_became_something_else_than_a_file(
    tmp_path: Path, kind: str
) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "state" / "work"
    inbox.mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF- private")
    path = inbox / "a.pdf"  # listed as a file, then replaced before the claim
    if kind == "symbolic link":
        path.symlink_to(secret)
    elif kind == "FIFO":
        os.mkfifo(path)
    else:
        path.mkdir()
    assert claim(path, work) is None
    assert entry_kind(path.lstat().st_mode) == kind  # back in the inbox, as it was
    assert list(work.iterdir()) == []


def test_pending_claims_never_follow_a_link(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-")
    (work / "0123__a.pdf").symlink_to(tmp_path / "secret.pdf")
    (work / "4567__b.pdf").write_bytes(b"%PDF-")
    assert [c.name for c in pending_claims(work)] == ["b.pdf"]


@pytest.mark.parametrize("kind", ["symbolic link", "FIFO"])
def test_a_claim_across_file_systems_never_reads_a_link_or_a_fifo(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF- private")
    path = inbox / "a.pdf"
    if kind == "symbolic link":
        path.symlink_to(tmp_path / "secret.pdf")
    else:
        os.mkfifo(path)

    def cross_device(source: object, target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr("attest_pipeline.inbox.os.rename", cross_device)
    assert claim(path, work) is None
    assert entry_kind(path.lstat().st_mode) == kind
    assert list(work.iterdir()) == []


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


def test_a_peek_is_a_second_name_of_the_file_that_stays_in_the_inbox(tmp_path: Path) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    path = inbox / "a.pdf"
    path.write_bytes(b"%PDF- data")
    second = peek(path, work)
    assert second is not None and second.parent == work and second.name.startswith(".")
    assert second.read_bytes() == b"%PDF- data" and path.read_bytes() == b"%PDF- data"
    assert second.stat().st_ino == path.stat().st_ino
    assert pending_claims(work) == [] and second.exists()  # another run may be reading it
    remove_peeks(work)  # by the next holder of the state lock: a killed run's
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("kind", ["symbolic link", "FIFO", "folder", "gone"])
def test_a_peek_never_names_anything_but_a_regular_file(tmp_path: Path, kind: str) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF- private")
    path = inbox / "a.pdf"  # listed as a file, then replaced
    if kind == "symbolic link":
        path.symlink_to(tmp_path / "secret.pdf")
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    assert peek(path, work) is None
    assert list(work.iterdir()) == []


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
