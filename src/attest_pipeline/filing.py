"""Filing: writing each decision to disk (dossiers, review, quarantine) and to the database.

Every file is written durably, and the names of files and folders built from extracted
text are sanitised: nothing read in a PDF can choose where a file is written. A file that
replaces another is written beside it, synced, then renamed onto it (temporary file,
fsync, rename, fsync of the folder). A new file of the pipeline is created under its own
name, listed first (:meth:`Filer.undo` removes it after a kill, no row naming it), and its
data and folder are synced with the batch's other new files at its commit, in a few
threads: ext4 and XFS join concurrent fsyncs into one journal commit, so that 150 of them
cost about what 5 cost one after the other. (Started as each file is written, the threads
would take the GIL from the filing at every system call. Each thread is given its share
of the batch at once: a task for each file, four or five a document, each a future, a
lock and a thread woken, cost the filing process more than the syncs' own calls.)

Names are built to fit: file systems limit a name to :data:`NAME_MAX` bytes (not
characters: an accented letter takes two, a CJK ideograph three or four), and a failed
write leaves nothing behind (no temporary file, no partial copy).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import shutil
import sqlite3
import stat
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from attest_pipeline.access import file_bits, make_folder, open_new
from attest_pipeline.config import Paths
from attest_pipeline.jsontext import pretty
from attest_pipeline.models import Physician, Problem, Record, Source, Status
from attest_pipeline.outcomes import failed
from attest_pipeline.store import DocumentRow, Store

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")

#: The longest file name, in bytes, that ext4, XFS, btrfs, tmpfs and SMB shares accept.
#: The names of dossiers, review and quarantine files are built from components cut to a
#: few dozen bytes each (:func:`safe_component`), far below it even with a sidecar's
#: ``.json`` and a temporary file's ``.part``; a claim keeps the received name and is cut
#: to it (:func:`~attest_pipeline.inbox.claim`).
NAME_MAX = 255


def fit_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def readable_name(name: str) -> str:
    """A file name as valid text: bytes that are not UTF-8 become U+FFFD.

    Names listed from a folder hold such bytes as surrogates (``os.fsdecode``); they
    cannot be stored in SQLite, JSON or a UTF-8 journal. The exact bytes are kept apart
    (:func:`os.fsencode` of the listed name).
    """
    return os.fsencode(name).decode("utf-8", "replace")


def safe_component(text: str, limit: int = 40) -> str:
    """A file-name component made from untrusted text: letters, digits, ``-`` only.

    ``limit`` is in bytes of UTF-8.
    """
    text = unicodedata.normalize("NFC", readable_name(text)).replace("_", "-")
    text = _DASHES.sub("-", _UNSAFE.sub("-", text)).strip("-")
    return fit_bytes(text, limit).rstrip("-") or "x"


def is_storage_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the quota, or the size limit) is full."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(
            error
        )
    return False


def durable_write(path: Path, data: bytes, folders: set[Path] | None = None) -> None:
    """Write ``data`` to ``path`` so that it is complete or absent after a crash.

    Missing folders are created like their parents, the file like its folder (see
    :mod:`~attest_pipeline.access`). The file's data is synced before the rename. The
    folders whose entries changed must be synced too for the new name to survive a crash:
    here, or, when ``folders`` is given, by the caller, once for a whole batch (see
    :meth:`Filer.sync`).
    """
    with _replacing(path, folders) as handle:
        handle.write(data)


def durable_copy(
    source: Path,
    target: Path,
    folders: set[Path] | None = None,
    *,
    temporary: Path | None = None,
) -> None:
    """Copy ``source`` to ``target`` like :func:`durable_write`, streaming (any size).

    ``temporary`` names the file written before the rename (default ``.<name>.part``).
    ``source`` must be a regular file: a symbolic link is never followed (``OSError``
    ``ELOOP``), a FIFO or a device never read (``OSError`` ``EINVAL``).
    """
    with (
        open(source, "rb", opener=_open_no_follow) as reader,
        _replacing(target, folders, temporary=temporary) as handle,
    ):
        if not stat.S_ISREG(os.fstat(reader.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        shutil.copyfileobj(reader, handle, _COPY_CHUNK)


@contextmanager
def _replacing(
    target: Path,
    folders: set[Path] | None,
    *,
    temporary: Path | None = None,
) -> Iterator[BinaryIO]:
    """A new file written beside ``target`` then renamed onto it: complete or absent."""
    touched = {target.parent}
    touched.update(folder.parent for folder in make_folder(target.parent))
    temporary = temporary or target.with_name(f".{target.name}.part")
    try:
        # Created with its folder's file permissions (0600, or 0640 for a shared office).
        with os.fdopen(open_new(temporary, os.O_WRONLY | os.O_TRUNC), "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        # A full disk or an interruption must not leave a truncated file behind.
        temporary.unlink(missing_ok=True)
        raise
    if folders is None:
        for folder in touched:
            sync_folder(folder)
    else:
        folders.update(touched)


#: Bytes read at a time by :func:`durable_copy`.
_COPY_CHUNK = 1 << 20
#: Bytes read at a time by :func:`read_whole` beyond the size expected (below the size
#: from which the allocator maps memory for each buffer).
_READ_CHUNK = 1 << 16


def read_whole(path: Path, size: int = 0) -> bytes:
    """The bytes of the file ``path``, expected to be ``size`` long (or any length).

    Read from a bare descriptor, in as few system calls as the size allows (open, a read of
    the size expected, the read that finds the end, close): a Python file object costs
    four more, and the filing reads every document once or twice.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = []
        want = size + 1 if size > 0 else _READ_CHUNK
        while chunk := os.read(descriptor, want):
            parts.append(chunk)
            want = _READ_CHUNK
    finally:
        os.close(descriptor)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _open_no_follow(path: str, flags: int) -> int:
    """Open without following a final symbolic link, nor blocking on a FIFO."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def sync_folder(folder: Path) -> None:
    """Fsync a folder so that a rename or creation in it is durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_file(path: Path) -> None:
    """Fsync a file by name; one removed meanwhile (its rows rolled back) needs none."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_all(files: Sequence[Path], folders: Sequence[Path]) -> None:
    """Sync every file and folder given, then raise the first error, if any failed."""
    errors = []
    for sync, paths in ((_sync_file, files), (sync_folder, folders)):
        for path in paths:
            try:
                sync(path)
            except OSError as error:
                errors.append(error)
    if errors:
        raise errors[0]


#: Threads that sync files and folders: fsync releases the GIL, and the file system
#: commits concurrent fsyncs together.
_SYNC_THREADS = 16
_pool: ThreadPoolExecutor | None = None


def _sync_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # a dry run files nothing

        _pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="attest-sync")
    return _pool


def _forget_pool() -> None:
    # A forked worker has none of its parent's threads: it must never wait on them.
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool)


def _wait(syncs: Iterable[Future[None]]) -> None:
    """Wait for every sync; then raise the first one's error, if any failed."""
    errors = [error for sync in list(syncs) if (error := sync.exception()) is not None]
    if errors:
        raise errors[0]


class Syncs:
    """The syncs of a batch, started together (:meth:`Filer.start_sync`), running."""

    def __init__(self, futures: list[Future[None]]) -> None:
        self.futures = futures
        self.ended = 0

    def done(self) -> bool:
        """Whether every sync has ended, without waiting."""
        while self.ended < len(self.futures) and self.futures[self.ended].done():
            self.ended += 1
        return self.ended == len(self.futures)

    def wait(self) -> None:
        """Wait for every sync; then raise the first one's error, if any failed."""
        _wait(self.futures)


def archive_path(paths: Paths, sha256: str, name: str) -> Path:
    """Where the original bytes of a document are kept (content-addressed)."""
    return paths.archive / sha256[:2] / f"{sha256}.{_suffix(name)}"


def _suffix(name: str) -> str:
    """The extension of a received file for the names we give it, ``bin`` without one."""
    return _safe_suffix(Path(name).suffix)


@functools.lru_cache(maxsize=64)
def _safe_suffix(suffix: str) -> str:
    # Nearly every document has one of a few extensions (.pdf): made safe once each.
    return safe_component(suffix.lstrip("."), 8).lower() if suffix else "bin"


def _stem(name: str) -> str:
    """A received file's name without its extension, for the names of review and quarantine."""
    return safe_component(Path(name).stem, 60)


def page_label(pages: Sequence[int]) -> str:
    """``p3`` or ``p3-5`` for names of split attestations."""
    return f"p{pages[0]}" if len(pages) == 1 else f"p{pages[0]}-{pages[-1]}"


@dataclass(frozen=True, slots=True)
class Filed:
    """Where one record ended up, and the e-mail it came from (``attest mail``), if any."""

    record: Record
    path: Path | None
    mail: Mapping[str, Any] | None = None


def written_list(work: Path, claim: str) -> Path:
    """Beside a claim, as earlier versions kept it: the files written for it.

    Read by :meth:`Filer.undo` after an upgrade that followed a kill; a filer lists what it
    writes in :attr:`Filer.listing_path` now.
    """
    return work / f".{claim}.written"


def filing_lists(work: Path) -> list[Path]:
    """The lists of written files of the filers (:attr:`Filer.listing_path`) in ``work``."""
    return sorted(work.glob(".*.filing"))


class Filer:
    """Writes the outcome of documents into the folders and the database."""

    def __init__(self, paths: Paths, store: Store) -> None:
        self.paths = paths
        self.store = store
        #: Folders whose entries changed since the last :meth:`sync`.
        self.unsynced: set[Path] = set()
        #: New files whose data is not synced yet: all of a batch's at once, at its
        #: commit (see the module).
        self.unsynced_files: list[Path] = []
        #: Files created since the last commit, removed again if it is rolled back.
        self.created: list[Path] = []
        #: The claim whose files are being written.
        self.claim: str | None = None
        #: The files written for each claim (``<claim> <path>`` lines), each listed before
        #: it is written, emptied once their rows are committed: after a kill, what it
        #: lists and the database does not know is removed (:meth:`undo`). One list for
        #: all claims, kept open: a new file for each document cost a tenth of the filing.
        self.listing_path = paths.work / f".{uuid.uuid4().hex}.filing"
        self.listing: BinaryIO | None = None
        #: Whether the list holds names since it was last emptied.
        self.listed = False
        #: Whether the working folder is known to exist.
        self.work_ready = False
        #: Folders known to exist since the last commit, with their mode and group (what a
        #: file created inside gets): looked up once a batch, not once a file.
        self.folders: dict[Path, tuple[int, int]] = {}

    def sync(self) -> None:
        """Make the files and names written since the last call durable (before the commit).

        The data of every new file and the folders, all at once: once the rows naming
        them are committed, each file is complete. Until then
        a crash may leave a new file incomplete under its name; no row names it, and the
        next run removes it (:meth:`undo`, from :attr:`listing_path`). A file
        that replaced an existing one was synced before its rename. Raises the first error
        of a sync (the batch must not be committed), once all have ended.
        """
        self.start_sync().wait()

    def start_sync(self) -> Syncs:
        """Start :meth:`sync` in the background: the caller commits once they have ended.

        Meanwhile it may do anything but write files or rows of the same batch (it takes
        the next outcomes from the workers).
        """
        files, self.unsynced_files = self.unsynced_files, []
        folders, self.unsynced = sorted(self.unsynced), set()
        pool = _sync_pool()
        # Each thread its share, dealt in turn: the files of a document, and a folder's
        # new files, end up in different threads.
        shares = min(_SYNC_THREADS, len(files) + len(folders))
        return Syncs(
            [
                pool.submit(_sync_all, files[i::shares], folders[i::shares])
                for i in range(shares)
            ]
        )

    def mark(self) -> int:
        """A point in the files created so far, for :meth:`discard`."""
        return len(self.created)

    def committed(self) -> None:
        """The files created so far belong to committed rows: keep them."""
        self.created.clear()
        self.folders.clear()  # a folder's permissions changed meanwhile apply from now on
        self._empty_listing()  # the rows name them now

    def discard(self, mark: int = 0) -> None:
        """Remove the files created since ``mark``: their rows were rolled back."""
        removed = set(self.created[mark:])
        for path in reversed(self.created[mark:]):
            path.unlink(missing_ok=True)
        del self.created[mark:]
        self.unsynced_files = [p for p in self.unsynced_files if p not in removed]
        self.folders.clear()
        if mark == 0:
            self._empty_listing()  # nothing listed is left to undo

    def close(self) -> None:
        """Close the list of written files; remove it unless it holds names to undo."""
        if self.listing is not None:
            self.listing.close()
            self.listing = None
        if not self.listed:
            self.listing_path.unlink(missing_ok=True)

    def _begin(self, claim: str) -> None:
        """The files written from now on are ``claim``'s."""
        self.claim = claim
        if not self.work_ready:
            self.paths.work.mkdir(parents=True, exist_ok=True)
            self.work_ready = True

    def _empty_listing(self) -> None:
        if self.listed and self.listing is not None:
            self.listing.truncate(0)  # appended to from the start again (O_APPEND)
            self.listed = False

    def undo(self, claim: str) -> int:
        """Remove what an interrupted attempt at ``claim`` wrote; the number of files removed.

        A process killed while filing leaves files (and temporary ``.part`` files) that no
        committed row names: the next attempt may decide otherwise (a duplicate by then) or
        set the claim aside, and they would stay in the dossiers for ever. Files the
        database names are kept. The lists of the killed filers are removed afterwards
        (:meth:`remove_lists`).
        """
        earlier = written_list(self.paths.work, claim)
        try:
            entries = earlier.read_bytes().splitlines()
        except FileNotFoundError:
            entries = []
        prefix = claim.encode() + b" "
        for listing in filing_lists(self.paths.work):
            try:
                lines = listing.read_bytes().splitlines()
            except FileNotFoundError:
                continue
            entries += [line[len(prefix) :] for line in lines if line.startswith(prefix)]
        removed = 0
        for entry in dict.fromkeys(entries):
            path = Path(os.fsdecode(entry))
            named = path.with_suffix("") if path.name.endswith(".pdf.json") else path
            try:
                path.with_name(f".{path.name}.part").unlink(missing_ok=True)
                if path.is_file() and not self.store.names_file(str(named)):
                    path.unlink()
                    removed += 1
            except OSError:  # what cannot be removed (a folder made a file) stays
                continue
        earlier.unlink(missing_ok=True)
        return removed

    def remove_lists(self) -> None:
        """Remove the lists of written files that killed filers left (once :meth:`undo` ran).

        For the holder of the state lock only: a filer that runs has its list in use.
        """
        for listing in filing_lists(self.paths.work):
            if listing != self.listing_path:
                listing.unlink(missing_ok=True)

    def _put_listed(self, path: Path) -> None:
        """List ``path`` in the claim's written files, before it is written.

        So that a kill at any point leaves it listed (see :meth:`undo`).
        """
        assert self.claim is not None
        if self.listing is None:
            # Unbuffered: each name reaches the file before its file is created.
            self.listing = open(  # noqa: SIM115 (kept open for the filer's life)
                self.listing_path, "ab", buffering=0
            )
        self.listing.write(self.claim.encode() + b" " + os.fsencode(path) + b"\n")
        self.listed = True

    def _folder(self, folder: Path) -> tuple[int, int]:
        """The mode and group of ``folder``, created (like its parents) if missing."""
        known = self.folders.get(folder)
        if known is None:
            try:
                info = os.stat(folder)
            except FileNotFoundError:
                info = None
            if info is None or not stat.S_ISDIR(info.st_mode):
                # Missing: made like its parents (a file in its place: refused there).
                self.unsynced.update(made.parent for made in make_folder(folder))
                info = os.stat(folder)
            known = self.folders[folder] = (info.st_mode, info.st_gid)
        return known

    def _put(self, path: Path, data: bytes | Path) -> None:
        """Write (or copy) one file durably, remembering it if it is new."""
        if self.claim is not None:
            self._put_listed(path)
        if isinstance(data, Path):
            new = not path.exists()
            durable_copy(data, path, self.unsynced)
        elif self._create(path, data):
            # Its data is synced with the batch's: until then no committed row names it.
            self.unsynced.add(path.parent)
            self.unsynced_files.append(path)
            new = True
        else:
            # A file replaced must never be seen incomplete: synced before its rename.
            durable_write(path, data, self.unsynced)
            new = False
        if new:
            self.created.append(path)

    def _create(self, path: Path, data: bytes) -> bool:
        """Write ``data`` into a new file ``path``; ``False``, writing nothing, if it exists.

        Created with the permissions of its folder's files (see
        :mod:`~attest_pipeline.access`); removed again if the write fails (a full disk).
        """
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        mode = self._folder(path.parent)[0]
        try:
            descriptor = os.open(path, flags, 0o600)
        except FileExistsError:
            return False
        except FileNotFoundError:
            # Its folder removed since it was looked up (a person tidying the dossiers).
            del self.folders[path.parent]
            mode = self._folder(path.parent)[0]
            try:
                descriptor = os.open(path, flags, 0o600)
            except FileExistsError:
                return False
        try:
            os.fchmod(descriptor, file_bits(mode))
            rest = memoryview(data)
            while rest:
                rest = rest[os.write(descriptor, rest) :]
        except BaseException:
            os.close(descriptor)
            path.unlink(missing_ok=True)
            raise
        os.close(descriptor)
        return True

    def _link(self, source: Path, target: Path) -> bool:
        """Give the claimed file ``source`` the new name ``target``; ``False`` if it may not.

        Creating no file, writing no data: the claim's name is removed once its rows are
        committed, and the archive keeps the bytes (its data is synced with the batch's new
        files). Only for a regular file of this user that has no other name (not a file
        someone else owns, whose permissions could not be made the archive's), on the same
        file system; it then gets the permissions (and the group) a file created in the
        archive's folder would have. The claim was checked unchanged just before
        (size, time, inode), as a copy would have been.
        """
        try:
            info = os.lstat(source)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
            return False
        if self.claim is not None:
            self._put_listed(target)
        mode, gid = self._folder(target.parent)
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:  # another file system (EXDEV), no hard links there, taken meanwhile
            return False
        try:
            if mode & stat.S_ISGID and info.st_gid != gid:
                os.chown(target, -1, gid, follow_symlinks=False)
            # By name: the name just made is of the regular file looked at above, in a
            # folder of this process alone (``follow_symlinks=False`` has no system call
            # of its own on Linux: the C library spends three more on it).
            os.chmod(target, file_bits(mode))
        except OSError:
            target.unlink(missing_ok=True)
            return False
        self.unsynced.add(target.parent)
        self.unsynced_files.append(target)
        self.created.append(target)
        return True

    def file_document(
        self,
        claim: str,
        name: str,
        data: bytes,
        page_count: int | None,
        records: Sequence[Record],
        original: bytes | None = None,
        parts: Mapping[tuple[int, ...], bytes] | None = None,
        source: Path | None = None,
    ) -> list[Filed]:
        """Archive the original, write every record's file and rows; returns where each went.

        ``name`` is the file's name as text (:func:`readable_name`), ``original`` its exact
        bytes in the inbox (kept in the journal and the sidecars). ``parts`` holds the PDF
        of each attestation of a document that holds several, by its pages (cut by the
        worker: see :class:`~attest_pipeline.analysis.Analysis`). ``source`` is the claimed
        file that holds ``data``: the archive is a new name of it when it may be (see
        :meth:`_link`), else a copy. Must run inside a database transaction: the rows
        become visible, and the claim settled, only when the caller commits, after
        :meth:`sync`.
        """
        self._begin(claim)
        sha256 = records[0].sha256
        archived = archive_path(self.paths, sha256, name)
        if not archived.exists() and (source is None or not self._link(source, archived)):
            self._put(archived, data)
        outcome = _document_outcome(records)
        # The message a collected attachment came from (attest mail), for the journal and
        # the sidecars: the person who answers the sender needs it.
        mail = _mail_origin(self.store.db, name, sha256)
        document_id = self._received(
            DocumentRow(claim, name, sha256, len(data), page_count, outcome.value, str(archived)),
            original,
            mail,
        )
        filed = []
        whole = len(records) == 1
        for record in records:
            path = self._write(
                record, name, data, None if whole else parts or {}, original, mail
            )
            attestation_id = self.store.add_attestation(
                document_id, record, str(path) if path else None
            )
            if record.status is Status.FILE and path is not None:
                self.store.add_dossier_entry(attestation_id, record, str(path))
            self.store.journal(
                record.status.value,
                {
                    "name": name,
                    "pages": list(record.pages),
                    "plugin": record.plugin,
                    "rpps": record.rpps,
                    "action": record.chosen.key if record.chosen else None,
                    "reasons": list(record.reasons),
                    "details": [p.detail for p in record.problems],
                    "path": str(path) if path else None,
                    "duplicate_of": record.duplicate_of,
                },
                document_id=document_id,
                attestation_id=attestation_id,
            )
            filed.append(Filed(record, path, mail))
        return filed

    def set_aside(
        self, claim: str, name: str, source: Path, problem: Problem, original: bytes | None = None
    ) -> list[Filed]:
        """Put a claimed file into quarantine as it is, with ``problem``: the last resort.

        For a document whose filing failed, or whose processing never finished: nothing
        of it is parsed or named after its content, the file is streamed (any size) to a
        name made of its hash, and its rows and journal events are added like any
        quarantined document's. Must run inside a database transaction.
        """
        self._begin(claim)
        digest = hashlib.sha256()
        with open(source, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        sha256 = digest.hexdigest()
        size = source.stat().st_size
        target = self.paths.quarantine / f"{sha256[:16]}_{safe_component(claim, 8)}.{_suffix(name)}"
        record = failed(Source(name, sha256, ()), problem)
        mail = _mail_origin(self.store.db, name, sha256)
        self._put(target, source)
        self._sidecar(record, target, original, mail)
        document_id = self._received(
            DocumentRow(claim, name, sha256, size, None, record.status.value, str(target)),
            original,
            mail,
        )
        attestation_id = self.store.add_attestation(document_id, record, str(target))
        self.store.journal(
            record.status.value,
            {
                "name": name,
                "pages": [],
                "reasons": list(record.reasons),
                "details": [problem.detail],
                "path": str(target),
            },
            document_id=document_id,
            attestation_id=attestation_id,
        )
        return [Filed(record, target, mail)]

    def _received(
        self, row: DocumentRow, original: bytes | None, mail: Mapping[str, Any] | None = None
    ) -> int:
        """Add a document's row and its ``received`` event (with the name's exact bytes).

        ``mail``: the message the document came from (``attest mail``), when it did.
        """
        document_id = self.store.add_document(row)
        detail: dict[str, object] = {"name": row.name, "sha256": row.sha256, "size": row.size}
        if original is not None:
            detail["original_name"] = original.hex()
        if mail is not None:
            detail["mail"] = dict(mail)
        self.store.journal("received", detail, document_id=document_id)
        return document_id

    def _sidecar(
        self,
        record: Record,
        target: Path,
        original: bytes | None,
        mail: Mapping[str, Any] | None = None,
    ) -> None:
        sidecar = {**record.to_json(), "path": str(target)}
        if original is not None:
            sidecar["original_name"] = original.hex()
        if mail is not None:
            sidecar["mail"] = dict(mail)
        self._put(
            target.with_name(target.name + ".json"),
            pretty(sidecar, default=str).encode(),
        )

    def _write(
        self,
        record: Record,
        name: str,
        data: bytes,
        parts: Mapping[tuple[int, ...], bytes] | None,
        original: bytes | None,
        mail: Mapping[str, Any] | None = None,
    ) -> Path | None:
        """Write one record's PDF (its own pages' when ``parts`` has them) and sidecar."""
        short = record.sha256[:8]
        if record.status is Status.DUPLICATE:
            return None
        if record.status is Status.QUARANTINE:
            suffix = safe_component(Path(name).suffix.lstrip("."), 8) or "bin"
            target = self.paths.quarantine / f"{_stem(name)}_{short}.{suffix}"
            body = data
        else:
            # An attestation over the whole document has no part of its own.
            body = parts.get(record.pages, data) if parts is not None else data
            label = "" if parts is None else f"_{page_label(record.pages)}"
            if record.status is Status.FILE:
                target = self.dossier_folder(record) / filed_name(record, short, label)
            else:
                # A PDF, or an e-mail that held only links (attest mail), kept as .eml.
                suffix = "eml" if name.lower().endswith(".eml") else "pdf"
                target = self.paths.review / f"{_stem(name)}_{short}{label}.{suffix}"
        self._put(target, body)
        self._sidecar(record, target, original, mail)
        return target

    def dossier_folder(self, record: Record) -> Path:
        """The physician's dossier folder (recorded on first use), for a record to file."""
        assert record.rpps is not None
        physician = Physician(record.rpps, record.last_name or "", record.first_name or "")
        known = self.store.physician(record.rpps)
        if known is None:
            folder = "_".join(
                (
                    safe_component(record.rpps, 11),
                    safe_component(physician.last_name.upper(), 40),
                    safe_component(physician.first_name, 40),
                )
            )
        else:
            folder = str(known["folder"])
        if known is None or (known["last_name"], known["first_name"]) != (
            physician.last_name,
            physician.first_name,
        ):
            self.store.add_physician(physician, folder)
        return self.paths.dossiers / folder


def _mail_origin(db: sqlite3.Connection, name: str, sha256: str) -> Mapping[str, Any] | None:
    """The message a document came from (``attest mail``), if any.

    Imported on first use: the e-mail modules cost a dry run's start-up 15 to 40 ms, and
    ``attest extract`` never files.
    """
    from attest_pipeline.mail.ledger import origin

    return origin(db, name, sha256)


def filed_name(record: Record, short: str, label: str) -> str:
    """The name of a filed PDF: date, action, issuer, a short hash, the pages when split."""
    assert record.chosen is not None
    when = record.start.isoformat() if record.start else "undated"
    issuer = safe_component(record.issuer or record.family or "issuer", 30)
    return f"{when}_{record.chosen.bloc}{record.chosen.action}_{issuer}_{short}{label}.pdf"


def _document_outcome(records: Sequence[Record]) -> Status:
    """One word for the document: the least settled of its attestations' statuses."""
    for status in (Status.QUARANTINE, Status.REVIEW, Status.DUPLICATE):
        if any(r.status is status for r in records):
            return status
    return Status.FILE
