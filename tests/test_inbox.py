from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from attest_pipeline.inbox import (
    StateLock,
    candidates,
    claim,
    is_ignored,
    pending_claims,
    release,
)


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
        assert lock.acquire()
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
