"""Whether a file of the inbox is complete: the rule ``attest run`` and ``attest watch`` share.

A scanner or a copy over the network writes a file for a while; taking it half-written
would quarantine the truncated bytes as ``corrupt`` and lose the complete file. A file is
taken only once its size, modification time and inode are the same at two looks at least
``[watch] quiet_period`` apart and, for a ``.pdf``, it is a whole PDF (header, ``%%EOF``
trailer, no zeros where its last ``startxref`` points: read, never parsed).
A file that stays incomplete is handed over once unchanged for ``[watch] unreadable_after``,
for the pipeline to quarantine with its reason.

``attest watch`` follows files over time (:class:`QuietTracker`);
``attest run`` looks twice, a quiet period apart (:class:`FirstLook`), and measures how
long a file has been unchanged from its change time (``ctime``: set by the file system on
every write, and unlike ``mtime`` never copied from the source by a copy tool). A file of
a local disk whose times say it has not changed for the quiet period and
:data:`COARSE_TIMES` more needs no wait: the second look, just before its claim, still
checks that it is the same.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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

#: How often a quiet file that is not yet a whole PDF is read again: copies that reserve the
#: full size first (Windows Explorer onto a share) fill it without changing size or mtime.
RECHECK_INTERVAL = 1.0
#: Seconds by which a file's times may lag behind its last write: FAT keeps modification
#: times to 2 s, ext3 and HFS+ to 1 s. A file unchanged for the quiet period and this much
#: more, by its times, needs no second look a quiet period after the first.
COARSE_TIMES = 2.0
#: Files of a one-shot pass looked at ahead of the one about to be claimed
#: (:class:`FirstLook`), at least: their first looks are that many claims old (at 300
#: documents per second, over 3 s: past a 1 s quiet period), and held for them only,
#: whatever the inbox.
LOOK_AHEAD = 1024
#: Claims a second that the look ahead keeps up with, whatever the quiet period: a file
#: looked at too late would make the pass wait for it (a quiet period of 10 s looks
#: 10,000 files ahead).
CLAIMS_PER_SECOND = 1000
#: A document whose processing raised is tried again after this delay, doubled each time.
RETRY_FIRST = 5.0
RETRY_MAX = 300.0


def signature(path: Path) -> Signature | None:
    """(size, mtime, inode) of a regular file; ``None`` when gone, a link or a folder."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return _signature(info)


def _signature(info: os.stat_result) -> Signature | None:
    """:func:`signature` from what ``lstat`` said."""
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
        # Read by offset from a bare descriptor: a Python file object costs five more system
        # calls, and every file of the inbox is looked at once or twice. Never blocking on
        # a FIFO put in the file's place.
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return _whole_pdf(descriptor, size)
    except (OSError, ValueError):
        return False
    finally:
        os.close(descriptor)


def _whole_pdf(descriptor: int, size: int) -> bool:
    """:func:`is_complete` for an open ``.pdf`` of ``size`` bytes."""
    head = os.pread(descriptor, _HEAD, 0)
    header = head.find(b"%PDF-")
    if header < 0:
        # A PDF is written from its header on: a whole first kilobyte without one, or a
        # shorter quiet file whose first bytes cannot begin one, and not the zeros of a
        # copy that reserved the size first, is some other file under a .pdf name (a
        # renamed .docx), whole as it is.
        if head[:1] == b"\0":
            return False
        return len(head) == _HEAD or not b"%PDF-".startswith(head[:5])
    tail = os.pread(descriptor, _TAIL, max(0, size - _TAIL))
    if b"%%EOF" not in tail:
        return False
    pointers = _STARTXREF.findall(tail)
    if not pointers:
        return True
    # Offsets count from the header, which a few generators put after some junk.
    offset = int(pointers[-1]) + header
    if offset >= size:
        return True
    return os.pread(descriptor, _XREF_PEEK, offset).strip(b"\0") != b""


class FirstLook:
    """The files of a one-shot pass, as first seen; :meth:`ready` tells which may be taken.

    The files are those of one folder (the inbox), taken in the order of :meth:`paths`:
    each is first looked at ``ahead`` files before its turn (the first ones all at once;
    by default :data:`LOOK_AHEAD`, more for a long quiet period), so that what is held
    does not grow with the inbox. The second look happens
    when a file is about to be claimed, at least ``quiet_period`` after the first (the
    call waits out what remains of it), unless the first look found the file unchanged
    for longer already (with ``trust_times``: its times come from this machine's clock,
    a local disk's). A file whose signature changed in between, or that is not complete
    and has changed within ``unreadable_after``, is still being written and is left for
    the next pass.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        quiet_period: float,
        unreadable_after: float,
        *,
        trust_times: bool = False,
        ahead: int | None = None,
        complete: Callable[[Path, int], bool] = is_complete,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.quiet_period = quiet_period
        self.unreadable_after = unreadable_after
        self.trust_times = trust_times
        self.complete = complete
        self.sleep = sleep
        # By name (the files of one folder): the signature and when it was seen quiet
        # from (monotonic), for the files looked at and not yet asked about.
        self.seen: dict[str, tuple[Signature | None, float]] = {}
        self.upcoming: deque[Path] = deque()
        if ahead is None:
            ahead = max(LOOK_AHEAD, math.ceil(quiet_period * CLAIMS_PER_SECOND))
        source = iter(paths)
        for path in itertools.islice(source, ahead):
            self._look(path)
        self.source = source
        #: When the first files looked at may all be taken (monotonic): those read before
        #: then are read through a second name (see the pipeline).
        self.waited_until = max((since for _, since in self.seen.values()), default=0.0)
        self.waited_until += quiet_period
        #: The files found still being written, by name, in the order they were met.
        self.writing: list[str] = []

    def _look(self, path: Path) -> None:
        """The first look at ``path``; it joins the files to hand out."""
        now = time.monotonic()
        try:
            info = os.lstat(path)
        except OSError:
            first = None
        else:
            first = _signature(info)
            if (
                first is not None
                and self.trust_times
                and time.time() - max(info.st_mtime, info.st_ctime)
                >= self.quiet_period + COARSE_TIMES
            ):
                now -= self.quiet_period  # quiet already: its second look may come at once
        self.seen[path.name] = (first, now)
        self.upcoming.append(path)

    def paths(self) -> Iterator[Path]:
        """The files, in the order given, each looked at ahead of its turn."""
        while self.upcoming:
            path = self.upcoming.popleft()
            following = next(self.source, None)
            if following is not None:
                self._look(following)
            yield path

    def ready(self, path: Path) -> Signature | None:
        """The signature to claim ``path`` with, or ``None`` (gone, or still being written)."""
        first, since = self.seen.pop(path.name, (None, -self.quiet_period))
        remaining = since + self.quiet_period - time.monotonic()
        if remaining > 0:
            self.sleep(remaining)
        now = signature(path)  # a file never looked at is said still being written
        if now is None:
            return None
        if now != first or not (
            self.complete(path, now[0]) or unchanged_for(path) >= self.unreadable_after
        ):
            self.writing.append(path.name)
            return None
        return now


@dataclass(slots=True)
class _Entry:
    """What the tracker knows about one path of the inbox."""

    signature: Signature
    first_seen: float
    changed_at: float  # when a change of signature was last seen
    check_at: float = 0.0  # next completeness check of a quiet file
    retry_at: float = 0.0  # a failed document waits until then
    told: bool = False  # "not complete yet" already said

    def due(self, quiet_period: float) -> float:
        """When this entry next needs looking at."""
        return max(self.changed_at + quiet_period, self.check_at, self.retry_at)


@dataclass(frozen=True, slots=True)
class Poll:
    """What one look at the tracked files found.

    ``ready``: complete files (or given up waiting for), oldest first, no longer tracked.
    ``incomplete``: files quiet but not complete, reported once each.
    """

    ready: list[Path]
    incomplete: list[Path]


class QuietTracker:
    """Tracks files of the inbox until each is complete, and returns them then.

    A file is ready when two looks at least ``quiet_period`` apart see the same size,
    modification time and inode, and :func:`is_complete` accepts it; a file that has not
    changed for ``unreadable_after`` seconds is returned even when incomplete, for the
    pipeline to quarantine with its reason. Not thread-safe: one loop owns it.
    """

    def __init__(
        self,
        quiet_period: float,
        unreadable_after: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        complete: Callable[[Path, int], bool] = is_complete,
        recheck: float = RECHECK_INTERVAL,
    ) -> None:
        self.quiet_period = quiet_period
        self.unreadable_after = max(unreadable_after, quiet_period)
        self.clock = clock
        self.complete = complete
        self.recheck = recheck
        self._entries: dict[Path, _Entry] = {}
        self._touched: set[Path] = set()
        self._failures: dict[Path, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def note(self, path: Path) -> None:
        """Take a hint that ``path`` appeared or changed: look at it on the next :meth:`poll`."""
        if path in self._entries:
            self._touched.add(path)
            return
        current = signature(path)
        if current is None:
            return
        now = self.clock()
        self._entries[path] = _Entry(current, now, now)

    def forget(self, path: Path) -> None:
        """Stop tracking ``path`` (processed, or gone)."""
        self._entries.pop(path, None)
        self._touched.discard(path)
        self._failures.pop(path, None)

    def defer(self, path: Path) -> float:
        """Track ``path`` again after its processing failed; returns the delay before retrying."""
        failures = self._failures.get(path, 0) + 1
        self._failures[path] = failures
        delay: float = min(RETRY_FIRST * 2.0 ** (failures - 1), RETRY_MAX)
        current = signature(path)
        if current is not None:
            now = self.clock()
            self._entries[path] = _Entry(current, now, now, retry_at=now + delay)
        return delay

    def next_due(self) -> float | None:
        """Return when :meth:`poll` may next find something (clock time); ``None`` if idle."""
        if self._touched:
            return self.clock()
        if not self._entries:
            return None
        return min(entry.due(self.quiet_period) for entry in self._entries.values())

    def poll(self) -> Poll:
        """Look at the files that are due or were hinted; return those ready."""
        now = self.clock()
        ready: list[tuple[float, Path]] = []
        incomplete: list[Path] = []
        touched, self._touched = self._touched, set()
        for path, entry in list(self._entries.items()):
            if path not in touched and now < entry.due(self.quiet_period):
                continue
            if now < entry.retry_at:
                continue
            current = signature(path)
            if current is None:
                self.forget(path)
                continue
            if current != entry.signature:
                entry.signature = current
                entry.changed_at = now
                entry.check_at = 0.0
                continue
            if now - entry.changed_at < self.quiet_period or now < entry.check_at:
                continue
            if self.complete(path, current[0]) or (
                now - entry.changed_at >= self.unreadable_after
            ):
                del self._entries[path]
                ready.append((entry.first_seen, path))
                continue
            entry.check_at = now + self.recheck
            if not entry.told:
                entry.told = True
                incomplete.append(path)
        return Poll([path for _, path in sorted(ready)], incomplete)
