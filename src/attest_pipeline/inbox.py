"""The inbox: which files are for us, claiming them, and the lock on the state folder.

A file is *claimed* by moving it out of the inbox into ``state/work`` under a unique name
before anything else happens to it; the claimed copy is removed only once its outcome is
committed to the database. A process killed at any point leaves the file either in the
inbox or in ``state/work``, from where the next run finishes the work; a claim that no run
manages to finish is set aside after :data:`MAX_ATTEMPTS` runs.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import os
import re
import stat
import uuid
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

from attest_pipeline.access import make_folder, open_new
from attest_pipeline.filing import (
    NAME_MAX,
    durable_copy,
    durable_write,
    fit_bytes,
    readable_name,
)
from attest_pipeline.readiness import Signature, signature

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


#: The patterns as one expression: matched against every name of every listing.
_IGNORED = re.compile("|".join(fnmatch.translate(pattern) for pattern in IGNORED_PATTERNS))


def is_ignored(name: str) -> bool:
    """Whether a file name is one we must leave alone (temporary, hidden, system)."""
    return _IGNORED.match(name) is not None


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


def scan(inbox: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The inbox read once: the names of the files waiting, and the other entries.

    The names (:func:`candidate_names`) come oldest first; the entries that are not
    regular files (:func:`not_regular`) by name, each with what it is. Ignored names are
    left out of both.
    """
    files = []
    others = []
    try:
        with os.scandir(inbox) as entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                kind = entry_kind(info.st_mode)
                if kind is None:
                    files.append((info.st_mtime, entry.name))
                else:
                    others.append((entry.name, kind))
    except FileNotFoundError:
        return [], []
    files.sort()
    return [name for _, name in files], sorted(others)


def not_regular(inbox: Path) -> list[tuple[str, str]]:
    """The entries of the inbox that are not regular files, by name, with what each is.

    They are never followed nor claimed (a link may point anywhere, a FIFO blocks its
    reader, a sub-folder is a scanner's), but they are said: a file that a user believes
    dropped must not vanish without a word. Ignored names (hidden, temporary) are left out.
    """
    return scan(inbox)[1]


def candidate_names(inbox: Path) -> list[str]:
    """The names of the files waiting in the inbox, oldest first.

    Folders, links and ignored names are left alone. Only the top level is read: scanners
    create sub-folders of their own, which are not ours to empty. Names rather than paths
    keep a listing of tens of thousands of files small.
    """
    return scan(inbox)[0]


#: A claimed file whose processing was started this many times without finishing (the
#: process killed each time, by the OOM killer or a closed session) is set aside in
#: quarantine (``repeated_failure``) instead of being tried again at every run.
MAX_ATTEMPTS = 3

_SEPARATOR = b"__"
_CLAIM_PREFIX = len(uuid.uuid4().hex) + len(_SEPARATOR)


class StillWriting(Exception):
    """The file changed while it was being claimed: someone is still writing it."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A file taken out of the inbox.

    ``name`` is its name as text (bytes that are not UTF-8 replaced by U+FFFD), for the
    records, the journal and the names of what is written; ``original`` the exact bytes of
    its name in the inbox. ``attempts`` counts the runs that started processing it;
    ``signature`` is its size, mtime and inode once claimed: a writer that still had the
    file open changes them. ``beside`` is whether files may be kept beside it (its name's
    bytes, its attempts), to remove with it.
    """

    id: str
    name: str
    path: Path
    original: bytes
    attempts: int = 1
    signature: Signature | None = None
    beside: bool = field(default=True, compare=False)


def _work_name(work: Path, name: bytes) -> Path:
    return Path(os.fsdecode(os.path.join(os.fsencode(work), name)))


def _name_file(work: Path, claim_id: str) -> Path:
    """Beside a claim whose name had to be shortened: the exact bytes of the original name."""
    return work / f".{claim_id}.name"


def _attempts_file(work: Path, claim_id: str) -> Path:
    return work / f".{claim_id}.attempts"


def claim(path: Path, work: Path, expected: Signature | None = None) -> Claim | None:
    """Move ``path`` into the working area; ``None`` if someone else took it first.

    The claimed file is named ``<id>__<name>``, the name cut to fit
    (:data:`~attest_pipeline.filing.NAME_MAX` bytes) with its exact bytes kept beside it
    when it had to be cut. With ``expected`` (the signature the file was judged complete
    with), a file that changed meanwhile is put back and :class:`StillWriting` raised;
    across file systems, a source that changed during the copy stays where it is.
    """
    make_folder(work)
    claim_id = uuid.uuid4().hex
    original = os.fsencode(path.name)
    stored = claim_id.encode() + _SEPARATOR + original
    name_file: Path | None = None
    if len(stored) > NAME_MAX:
        readable = readable_name(path.name)
        suffix = fit_bytes(Path(readable).suffix, 16)
        stem = fit_bytes(readable[: len(readable) - len(suffix)], NAME_MAX - _CLAIM_PREFIX - 16)
        stored = (claim_id + "__" + stem + suffix).encode()
        name_file = _name_file(work, claim_id)
        durable_write(name_file, original)
    target = _work_name(work, stored)
    try:
        moved = _move(path, target, work, claim_id, expected)
    except BaseException:
        if name_file is not None:
            name_file.unlink(missing_ok=True)
        raise
    if moved is None:
        if name_file is not None:
            name_file.unlink(missing_ok=True)
        return None
    taken = Claim(
        claim_id,
        readable_name(path.name),
        target,
        original,
        signature=signature(target),
        beside=name_file is not None,
    )
    if moved == "renamed" and expected is not None and taken.signature != expected:
        # Written to between the last look and the rename: the writer keeps its file.
        if not put_back(taken, path.parent):
            return taken  # the name was taken meanwhile: processed as it is, nothing lost
        raise StillWriting(path.name)
    return taken


def _move(
    path: Path, target: Path, work: Path, claim_id: str, expected: Signature | None
) -> str | None:
    """Rename ``path`` to ``target``; across file systems, copy, check, then remove.

    Returns ``"renamed"``, ``"copied"``, or ``None`` when the file was gone.
    """
    try:
        os.rename(path, target)
        if entry_kind(os.lstat(target).st_mode) is not None:
            # Replaced by a link, a FIFO or a folder since it was listed: given back, unread.
            os.rename(target, path)
            return None
        # No folder sync: after a crash a renamed file is in the inbox or in the working
        # area, both of which the next run reads; nothing can be lost.
        return "renamed"
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    # The inbox is on another file system (a network share): copy, sync, then remove.
    # The state lock makes this safe against a concurrent run; a failed copy (a full
    # disk) leaves nothing behind, and the file stays in the inbox.
    before = signature(path)
    if before is None:
        return None
    try:
        durable_copy(path, target, temporary=work / f".{claim_id}.part")
    except FileNotFoundError:
        if path.exists():
            raise
        return None  # deleted meanwhile
    if signature(path) != before or (expected is not None and before != expected):
        # Still being written: the writer would go on into a file we are about to delete.
        target.unlink()
        raise StillWriting(path.name)
    path.unlink()
    return "copied"


def peek(path: Path, work: Path) -> Path | None:
    """A second name in the working area for a file of the inbox, to read it before its claim.

    ``attest run`` reads files during the quiet period that it must wait out before
    claiming them (:class:`~attest_pipeline.readiness.FirstLook`); the file itself stays in
    the inbox until it is claimed. The second name always holds a regular file: an entry
    replaced by a FIFO, a device or a link since it was listed gets none (a FIFO would
    block its reader). ``None`` when the file cannot have one (gone, another file system, a
    file of another user under ``protected_hardlinks``): it is then read after its claim.
    The caller removes the name once read; a run killed meanwhile leaves it to the next
    one (:func:`remove_peeks`).
    """
    make_folder(work)
    second = work / f".{uuid.uuid4().hex}.peek"
    try:
        os.link(path, second, follow_symlinks=False)
    except OSError:
        return None
    try:
        regular = entry_kind(os.lstat(second).st_mode) is None
    except OSError:
        regular = False
    if not regular:
        second.unlink(missing_ok=True)
        return None
    return second


def remove_peeks(work: Path) -> None:
    """Remove the second names (:func:`peek`) that a killed run left in the working area.

    For the holder of the state lock only, before it reads through names of its own: the
    names of a run in progress are being read (``attest mail`` lists the working area
    while a run may hold the lock).
    """
    if work.is_dir():
        for leftover in work.glob(".*.peek"):
            leftover.unlink(missing_ok=True)


def put_back(taken: Claim, inbox: Path) -> bool:
    """Return a claimed file to the inbox under its own name, for the next pass.

    Never replaces a file: ``False`` (and the claim kept) when the name is taken again.
    """
    home = Path(os.fsdecode(os.path.join(os.fsencode(inbox), taken.original)))
    try:
        os.link(taken.path, home)
    except FileExistsError:
        return False
    except OSError:
        # No hard links (some network file systems): a rename, after a last check.
        if home.exists():
            return False
        os.rename(taken.path, home)
    else:
        taken.path.unlink()
    _forget(taken)
    return True


def pending_claims(work: Path) -> list[Claim]:
    """Claims left in the working area by an interrupted run (and its leftovers removed).

    A partial copy (``.<id>.part``) is removed: its source is still in the inbox.
    """
    if not work.is_dir():
        return []
    claims = []
    ids = set()
    for entry in sorted(os.listdir(os.fsencode(work))):
        if entry.startswith(b"."):
            continue
        raw_id, sep, name = entry.partition(_SEPARATOR)
        path = _work_name(work, entry)
        if not sep or signature(path) is None:  # a link is never followed
            continue
        claim_id = raw_id.decode("ascii", "replace")
        ids.add(claim_id)
        name_file = _name_file(work, claim_id)
        original = name_file.read_bytes() if name_file.exists() else name
        claims.append(
            Claim(
                claim_id,
                readable_name(os.fsdecode(original)),
                path,
                original,
                attempts=_read_attempts(work, claim_id),
                signature=signature(path),
            )
        )
    for leftover in work.glob(".*"):
        claim_id = leftover.name[1:].split(".", 1)[0]
        # A list of written files without its claim: the claim was released, its files
        # committed.
        if claim_id not in ids and leftover.suffix in (".part", ".name", ".attempts", ".written"):
            leftover.unlink(missing_ok=True)
    return claims


def _read_attempts(work: Path, claim_id: str) -> int:
    try:
        return max(1, int(_attempts_file(work, claim_id).read_text()))
    except (OSError, ValueError):
        return 1


def record_attempt(taken: Claim) -> Claim:
    """Count one more run starting on this claim, durably, before it starts."""
    attempts = taken.attempts + 1
    durable_write(_attempts_file(taken.path.parent, taken.id), str(attempts).encode())
    return replace(taken, attempts=attempts, beside=True)


def release(claim: Claim) -> None:
    """Remove a claimed file whose outcome is committed."""
    claim.path.unlink(missing_ok=True)
    _forget(claim)


def _forget(claim: Claim) -> None:
    """Remove what was kept beside a claim."""
    if not claim.beside:
        return  # a new claim of a name that fits: nothing was kept beside it
    work = claim.path.parent
    _name_file(work, claim.id).unlink(missing_ok=True)
    _attempts_file(work, claim.id).unlink(missing_ok=True)


class StateLock:
    """An exclusive lock on the state folder: one processing run at a time.

    ``attest run`` and ``attest watch`` take it; a second one started meanwhile finds it
    taken and leaves the inbox to the first. The lock belongs to the process that took it
    alone: its descriptor is closed in every forked child (workers) and on ``exec``, so a
    holder that dies, even by SIGKILL while its workers live on, frees it at once.
    """

    def __init__(self, state: Path) -> None:
        self.path = state / "lock"
        self.descriptor: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another process holds it."""
        make_folder(self.path.parent)
        # Held for the process's life; never inherited (closed on exec, and in forked
        # children by the hook below).
        descriptor = open_new(self.path, os.O_RDWR | os.O_CLOEXEC)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        self.descriptor = descriptor
        _HELD.add(self)
        return True

    def holder(self) -> str:
        """The pid written by the holder of the lock (for messages)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        """Let the lock go."""
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None
        _HELD.discard(self)

    def _drop_in_child(self) -> None:
        # Closing the child's copy leaves the parent's lock in place (a flock is released
        # when its last descriptor closes, or by LOCK_UN, which would release it for both).
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None


_HELD: weakref.WeakSet[StateLock] = weakref.WeakSet()


def _drop_locks_in_child() -> None:
    for lock in list(_HELD):
        lock._drop_in_child()
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_locks_in_child)
