from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from attest_pipeline.filing import (
    durable_write,
    fit_bytes,
    is_storage_full,
    page_label,
    readable_name,
    safe_component,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DUPONT", "DUPONT"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("Hélène", "Hélène"),
        ("../../etc/passwd", "etc-passwd"),
        ("/absolute", "absolute"),
        ("a/b\\c", "a-b-c"),
        ("N'DIAYE", "N-DIAYE"),
        ("..", "x"),
        ("", "x"),
        ("nul\x00byte", "nul-byte"),
        ("under_score", "under-score"),
    ],
)
def test_safe_component_cannot_choose_a_path(text: str, expected: str) -> None:
    assert safe_component(text) == expected
    assert "/" not in safe_component(text) and "\\" not in safe_component(text)


def test_safe_component_is_bounded() -> None:
    assert len(safe_component("A" * 500, 40)) == 40


def test_durable_write_creates_folders_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.pdf"
    durable_write(target, b"data")
    durable_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.pdf"]


def test_page_label() -> None:
    assert page_label([3]) == "p3"
    assert page_label([3, 4, 5]) == "p3-5"


def test_safe_component_is_bounded_in_bytes_and_never_cuts_a_character() -> None:
    cut = safe_component("\U00020000" * 30 + "é" * 30, 41)
    assert len(cut.encode()) <= 41
    assert cut == "\U00020000" * 10
    assert safe_component("caf\udce9", 40) == "caf"  # a byte that was not UTF-8


def test_fit_bytes_and_readable_name() -> None:
    assert fit_bytes("ééé", 5) == "éé"
    assert fit_bytes("abc", 5) == "abc"
    assert readable_name(os.fsdecode(b"caf\xe9.pdf")) == "caf\ufffd.pdf"


def test_the_full_disk_errors_are_told_apart() -> None:
    assert is_storage_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_storage_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert not is_storage_full(OSError(errno.EACCES, "Permission denied"))
    assert is_storage_full(sqlite3.OperationalError("database or disk is full"))
    assert not is_storage_full(ValueError("no"))


def test_durable_write_leaves_nothing_when_the_write_fails(tmp_path: Path) -> None:
    # A real failure: the file system refuses files over 1 kB in this process.
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from attest_pipeline.filing import durable_write\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))\n"
        "try:\n"
        "    durable_write(Path(sys.argv[1]), b'x' * 4096)\n"
        "except OSError as error:\n"
        "    print(error.errno)\n"
    )
    target = tmp_path / "big.pdf"
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(errno.EFBIG)
    assert os.listdir(tmp_path) == []


def test_the_archive_is_the_claimed_file_renamed_unless_it_has_another_name(
    tmp_path: Path, roster: Path
) -> None:
    from tests.conftest import attest, write_config
    from tests.test_pipeline import andpc

    write_config(tmp_path, roster)
    inbox = tmp_path / "inbox"
    first, second = andpc(), andpc(name="Claire MARTIN", rpps="10101010105")
    (inbox / "a.pdf").write_bytes(first)
    (inbox / "b.pdf").write_bytes(second)
    os.chmod(inbox / "a.pdf", 0o644)  # a file dropped readable by all
    # b.pdf keeps another name (the sender's copy): the archive must not share its bytes.
    os.link(inbox / "b.pdf", tmp_path / "kept.pdf")
    inodes = {name: (inbox / name).stat().st_ino for name in ("a.pdf", "b.pdf")}
    result = attest("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    archive = tmp_path / "state" / "archive"
    for name, data in (("a.pdf", first), ("b.pdf", second)):
        digest = hashlib.sha256(data).hexdigest()
        kept = archive / digest[:2] / f"{digest}.pdf"
        assert kept.read_bytes() == data
        info = kept.stat()
        # Private as a file created there would be, and its only name once the claim is gone.
        assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_nlink == 1
        assert (info.st_ino == inodes[name]) is (name == "a.pdf")
    assert (tmp_path / "kept.pdf").read_bytes() == second
    assert list((tmp_path / "state" / "work").iterdir()) == []
