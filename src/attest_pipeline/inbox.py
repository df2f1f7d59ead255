"""The inbox: which files are for us, claiming them, and the lock on the state folder.

A file is *claimed* by moving it out of the inbox into ``state/work`` under a unique name
before anything else happens to it; the claimed copy is removed only once its outcome is
committed to the database. A process killed at any point leaves the file either in the
inbox or in ``state/work``, from where the next run finishes the work.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from attest_pipeline.access import make_folder, open_new
from attest_pipeline.filing import sync_folder

#: Names that office suites, browsers, scanners and operating systems leave behind while
#: they write, or as metadata: never documents.
IGNORED_PATTERNS = (
    ".*",
    "~$*",
    "~*.tmp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.download",
    "*.tmp",
    "*.temp",
    "*.swp",
    "Thumbs.db",
    "desktop.ini",
    "*.lnk",
)


def is_ignored(name: str) -> bool:
    """Whether a file name is one we must leave alone (temporary, hidden, system)."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_PATTERNS)


def entry_kind(mode: int) -> str | None:
    """What a directory entry is, in words, when it is not a regular file; ``None`` if it is."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in (
        (stat.S_ISLNK, "symbolic link"),
        (stat.S_ISDIR, "folder"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return kind
    return "device"


def not_regular(inbox: Path) -> list[tuple[str, str]]:
    """The entries of the inbox that are not regular files, by name, with what each is.

    They are never followed nor claimed (a link may point anywhere, a FIFO blocks its
    reader, a sub-folder is a scanner's), but they are said: a file that a user believes
    dropped must not vanish without a word. Ignored names (hidden, temporary) are left out.
    """
    found = []
    try:
        with os.scandir(inbox) as entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                try:
                    kind = entry_kind(entry.stat(follow_symlinks=False).st_mode)
                except FileNotFoundError:
                    continue
                if kind is not None:
                    found.append((entry.name, kind))
    except FileNotFoundError:
        return []
    return sorted(found)


def candidate_names(inbox: Path) -> list[str]:
    """The names of the files waiting in the inbox, oldest first.

    Folders, links and ignored names are left alone. Only the top level is read: scanners
    create sub-folders of their own, which are not ours to empty. Names rather than paths
    keep a listing of tens of thousands of files small.
    """
    found = []
    try:
        with os.scandir(inbox) as entries:
            for entry in entries:
                if (
                    is_ignored(entry.name)
                    or entry.is_symlink()
                    or not entry.is_file(follow_symlinks=False)
                ):
                    continue
                try:
                    found.append((entry.stat(follow_symlinks=False).st_mtime, entry.name))
                except FileNotFoundError:
                    continue
    except FileNotFoundError:
        return []
    found.sort()
    return [name for _, name in found]


def candidates(inbox: Path) -> list[Path]:
    """The files waiting in the inbox, oldest first (see :func:`candidate_names`)."""
    return [inbox / name for name in candidate_names(inbox)]


@dataclass(frozen=True, slots=True)
class Claim:
    """A file taken out of the inbox: its original name and where it now lies."""

    id: str
    name: str
    path: Path


def claim(path: Path, work: Path) -> Claim | None:
    """Move ``path`` into the working area; ``None`` if someone else took it first."""
    make_folder(work)
    claim_id = uuid.uuid4().hex
    target = work / f"{claim_id}__{path.name}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        # The inbox is on another file system (a network share): copy, sync, then remove.
        # The state lock makes this safe against a concurrent run.
        try:
            shutil.copyfile(path, target, follow_symlinks=False)
        except shutil.SpecialFileError:
            return None  # a FIFO or a socket: never read
        if entry_kind(os.lstat(target).st_mode) is not None:
            target.unlink()  # a link, copied as a link: never followed
            return None
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
        sync_folder(work)
        path.unlink()
    if entry_kind(os.lstat(target).st_mode) is not None:
        # Replaced by a link, a FIFO or a folder since it was listed: given back, unread.
        os.rename(target, path)
        return None
    # No folder sync: after a crash a renamed file is in the inbox or in the working area,
    # both of which the next run reads; nothing can be lost.
    return Claim(claim_id, path.name, target)


def pending_claims(work: Path) -> list[Claim]:
    """Claims left in the working area by an interrupted run."""
    if not work.is_dir():
        return []
    claims = []
    for path in sorted(work.iterdir()):
        claim_id, sep, name = path.name.partition("__")
        regular = entry_kind(path.lstat().st_mode) is None  # a link is never followed
        if sep and regular and not path.name.startswith("."):
            claims.append(Claim(claim_id, name, path))
    return claims


def release(claim: Claim) -> None:
    """Remove a claimed file whose outcome is committed."""
    claim.path.unlink(missing_ok=True)


class StateLock:
    """An exclusive lock on the state folder: one processing run at a time.

    ``attest run`` and ``attest watch`` take it; a second one started meanwhile finds it
    taken and leaves the inbox to the first.
    """

    def __init__(self, state: Path) -> None:
        self.path = state / "lock"
        self.handle: object | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another process holds it."""
        make_folder(self.path.parent)
        handle = os.fdopen(open_new(self.path, os.O_RDWR), "r+")  # held for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return True

    def holder(self) -> str:
        """The pid written by the holder of the lock (for messages)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        """Let the lock go."""
        if self.handle is not None:
            self.handle.close()  # type: ignore[attr-defined]
            self.handle = None
