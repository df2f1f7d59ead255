from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest

from attest_pipeline.access import (
    file_mode,
    make_folder,
    open_new,
    prepare_roots,
    root_problems,
    set_file_mode,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def other_group() -> grp.struct_group:
    """A group this process may give files to, other than its own when it can."""
    own = os.getegid()
    if os.geteuid() == 0:
        choices = [g.gr_gid for g in grp.getgrall() if g.gr_gid != own]
    else:
        choices = [g for g in os.getgroups() if g != own]
    return grp.getgrgid(choices[0] if choices else own)


@pytest.fixture(autouse=True)
def permissive_umask() -> object:
    """The umask of a service started carelessly: it must not matter."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_roots_are_created_private_with_their_missing_parents(tmp_path: Path) -> None:
    roots = {"dossiers": tmp_path / "office" / "dossiers", "state": tmp_path / "state"}
    prepare_roots(roots, None)
    assert mode(tmp_path / "office") == 0o700
    assert mode(roots["dossiers"]) == 0o700 and mode(roots["state"]) == 0o700
    assert root_problems(roots, None) == []


def test_roots_for_a_shared_office_belong_to_the_group(tmp_path: Path) -> None:
    group = other_group()
    roots = {"review": tmp_path / "review"}
    prepare_roots(roots, group.gr_name)
    assert mode(roots["review"]) == 0o2750
    assert os.stat(roots["review"]).st_gid == group.gr_gid
    created = make_folder(roots["review"] / "a" / "b")
    assert created == [roots["review"] / "a", roots["review"] / "a" / "b"]
    assert mode(roots["review"] / "a" / "b") == 0o2750
    assert os.stat(roots["review"] / "a" / "b").st_gid == group.gr_gid
    os.close(open_new(roots["review"] / "a" / "x.json"))
    assert mode(roots["review"] / "a" / "x.json") == 0o640
    assert os.stat(roots["review"] / "a" / "x.json").st_gid == group.gr_gid
    assert root_problems(roots, group.gr_name) == []


def test_below_a_root_folders_and_files_follow_their_parent(tmp_path: Path) -> None:
    prepare_roots({"state": tmp_path / "state"}, None)
    assert make_folder(tmp_path / "state" / "archive" / "ab") == [
        tmp_path / "state" / "archive",
        tmp_path / "state" / "archive" / "ab",
    ]
    assert make_folder(tmp_path / "state" / "archive" / "ab") == []
    assert mode(tmp_path / "state" / "archive" / "ab") == 0o700
    descriptor = open_new(tmp_path / "state" / "archive" / "ab" / "x.pdf")
    os.write(descriptor, b"%PDF-")
    os.close(descriptor)
    assert mode(tmp_path / "state" / "archive" / "ab" / "x.pdf") == 0o600
    assert file_mode(tmp_path / "state") == 0o600


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    path.write_text("one\n")
    path.chmod(0o640)
    with os.fdopen(open_new(path, os.O_WRONLY | os.O_APPEND), "a") as handle:
        handle.write("two\n")
    assert path.read_text() == "one\ntwo\n" and mode(path) == 0o640
    set_file_mode(path)  # the folder's: tmp_path is 0700 under pytest
    assert mode(path) == file_mode(tmp_path)


def test_folders_others_can_read_are_reported_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "dossiers").mkdir(mode=0o755)
    (tmp_path / "dossiers").chmod(0o755)
    (problem,) = root_problems({"dossiers": tmp_path / "dossiers", "absent": tmp_path / "x"}, None)
    assert problem == (
        f"[paths] dossiers ({tmp_path / 'dossiers'}) is 0755: other users can read it; "
        f"chmod -R go-rwx {tmp_path / 'dossiers'}"
    )
    group = other_group()
    (problem,) = root_problems({"dossiers": tmp_path / "dossiers"}, group.gr_name)
    assert "it should be 2750 with group" in problem and f"chgrp -R {group.gr_name}" in problem
