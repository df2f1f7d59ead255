"""Whether a file of the inbox is complete: the rule ``attest run`` and ``attest watch`` share.

A scanner or a copy over the network writes a file for a while; taking it half-written
would quarantine the truncated bytes as ``corrupt`` and lose the complete file. A file is
taken only once its size, modification time and inode are the same at two looks at least
``[watch] quiet_period`` apart and, for a ``.pdf``, it is a whole PDF (header, ``%%EOF``
trailer, no zeros where its last ``startxref`` points: read, never parsed).
A file that stays incomplete is handed over once unchanged for ``[watch] unreadable_after``,
for the pipeline to quarantine with its reason.

``attest watch`` follows files over time (:class:`~attest_pipeline.watch.QuietTracker`);
``attest run`` looks twice, a quiet period apart (:class:`FirstLook`), and measures how
long a file has been unchanged from its change time (``ctime``: set by the file system on
every write, and unlike ``mtime`` never copied from the source by a copy tool).
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path

#: Size, modification time in ns, inode: what changes while a file is written or replaced.
Signature = tuple[int, int, int]

#: PDF readers accept the header within the first kilobyte; ``%%EOF`` ends the last
#: revision, and a few generators append junk (a newline, padding) after it.
_HEAD = 1024
_TAIL = 2048
_STARTXREF = re.compile(rb"startxref\s+(\d{1,15})\s")
_XREF_PEEK = 64
_PDF_SUFFIX = ".pdf"


def signature(path: Path) -> Signature | None:
    """(size, mtime, inode) of a regular file; ``None`` when gone, a link or a folder."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def unchanged_for(path: Path, *, clock: Callable[[], float] = time.time) -> float:
    """Seconds since the file last changed (its latest of ``mtime`` and ``ctime``); 0 if gone."""
    try:
        info = os.lstat(path)
    except OSError:
        return 0.0
    return max(0.0, clock() - max(info.st_mtime, info.st_ctime))


def is_complete(path: Path, size: int) -> bool:
    """Whether a quiet file may be taken: a ``.pdf`` must be a whole PDF, anything else non-empty.

    A PDF being written lacks its ``%%EOF`` trailer (or, when the writer reserved the size
    first, ends with zeros, or, when it writes blocks out of order, has zeros where its last
    ``startxref`` points). Nothing is parsed or decompressed here: the process that files
    must not open a PDF (one can be a decompression bomb); workers do, under their limits.
    A whole but damaged PDF (no ``startxref``, a wrong offset: readers rebuild the table) is
    taken at once, for the workers to read or quarantine. A PDF that needs a password is
    whole: the pipeline quarantines it as ``encrypted``; so is a ``.pdf`` whose first
    kilobyte (or, shorter, whose first bytes) can hold no PDF header (it will never become
    one: ``not_pdf``).
    """
    if size <= 0:
        return False
    if path.suffix.lower() != _PDF_SUFFIX:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
            header = head.find(b"%PDF-")
            if header < 0:
                # A PDF is written from its header on: a whole first kilobyte without one,
                # or a shorter quiet file whose first bytes cannot begin one, and not the
                # zeros of a copy that reserved the size first, is some other file under a
                # .pdf name (a renamed .docx), whole as it is.
                if head[:1] == b"\0":
                    return False
                return len(head) == _HEAD or not b"%PDF-".startswith(head[:5])
            handle.seek(max(0, size - _TAIL))
            tail = handle.read(_TAIL)
            if b"%%EOF" not in tail:
                return False
            pointers = _STARTXREF.findall(tail)
            if not pointers:
                return True
            # Offsets count from the header, which a few generators put after some junk.
            offset = int(pointers[-1]) + header
            if offset >= size:
                return True
            handle.seek(offset)
            return handle.read(_XREF_PEEK).strip(b"\0") != b""
    except (OSError, ValueError):
        return False


class FirstLook:
    """The files of a one-shot pass, as first seen; :meth:`ready` tells which may be taken.

    The second look happens when a file is about to be claimed, at least ``quiet_period``
    after the first (the first call waits out what remains of it): a file whose signature
    changed in between, or that is not complete and has changed within
    ``unreadable_after``, is still being written and is left for the next pass.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        quiet_period: float,
        unreadable_after: float,
        *,
        complete: Callable[[Path, int], bool] = is_complete,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.seen = {path: signature(path) for path in paths}
        self.quiet_period = quiet_period
        self.unreadable_after = unreadable_after
        self.complete = complete
        self.sleep = sleep
        self.waited_until = time.monotonic() + quiet_period
        #: The files found still being written, by name, in the order they were met.
        self.writing: list[str] = []

    def ready(self, path: Path) -> Signature | None:
        """The signature to claim ``path`` with, or ``None`` (gone, or still being written)."""
        remaining = self.waited_until - time.monotonic()
        if remaining > 0:
            self.sleep(remaining)
        first = self.seen.pop(path, None)
        now = signature(path)
        if now is None:
            return None
        if now != first or not (
            self.complete(path, now[0]) or unchanged_for(path) >= self.unreadable_after
        ):
            self.writing.append(path.name)
            return None
        return now
