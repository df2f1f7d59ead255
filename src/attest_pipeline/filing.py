"""Filing: writing each decision to disk (dossiers, review, quarantine) and to the database.

Every file is written durably (temporary file, fsync, rename, fsync of the folder), and the
names of files and folders built from extracted text are sanitised: nothing read in a PDF can
choose where a file is written.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest_pipeline.config import Paths
from attest_pipeline.mail.ledger import origin as mail_origin
from attest_pipeline.models import Physician, Record, Status
from attest_pipeline.store import DocumentRow, Store

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")


def safe_component(text: str, limit: int = 40) -> str:
    """A file-name component made from untrusted text: letters, digits, ``-`` only."""
    text = unicodedata.normalize("NFC", text).replace("_", "-")
    text = _DASHES.sub("-", _UNSAFE.sub("-", text)).strip("-")
    return text[:limit].rstrip("-") or "x"


def durable_write(path: Path, data: bytes, folders: set[Path] | None = None) -> None:
    """Write ``data`` to ``path`` so that it is complete or absent after a crash.

    The file's data is synced before the rename. The folders whose entries changed must be
    synced too for the new name to survive a crash: here, or, when ``folders`` is given,
    by the caller, once for a whole batch (see :meth:`Filer.sync`).
    """
    touched = {path.parent}
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        touched.add(path.parent.parent)
    temporary = path.with_name(f".{path.name}.part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    if folders is None:
        for folder in touched:
            sync_folder(folder)
    else:
        folders.update(touched)


def sync_folder(folder: Path) -> None:
    """Fsync a folder so that a rename or creation in it is durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def archive_path(paths: Paths, sha256: str, name: str) -> Path:
    """Where the original bytes of a document are kept (content-addressed)."""
    suffix = (
        safe_component(Path(name).suffix.lstrip("."), 8).lower() if Path(name).suffix else "bin"
    )
    return paths.archive / sha256[:2] / f"{sha256}.{suffix}"


def pages_of(data: bytes, pages: Sequence[int], total: int) -> bytes:
    """The bytes of the PDF restricted to ``pages``: the original itself when all are kept."""
    if tuple(pages) == tuple(range(1, total + 1)):
        return data
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number - 1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_label(pages: Sequence[int]) -> str:
    """``p3`` or ``p3-5`` for names of split attestations."""
    return f"p{pages[0]}" if len(pages) == 1 else f"p{pages[0]}-{pages[-1]}"


@dataclass(frozen=True, slots=True)
class Filed:
    """Where one record ended up, and the e-mail it came from (``attest mail``), if any."""

    record: Record
    path: Path | None
    mail: Mapping[str, Any] | None = None


class Filer:
    """Writes the outcome of documents into the folders and the database."""

    def __init__(self, paths: Paths, store: Store) -> None:
        self.paths = paths
        self.store = store
        self.unsynced: set[Path] = set()

    def sync(self) -> None:
        """Make the names written since the last call durable (before the commit)."""
        for folder in sorted(self.unsynced):
            sync_folder(folder)
        self.unsynced.clear()

    def file_document(
        self,
        claim: str,
        name: str,
        data: bytes,
        page_count: int | None,
        records: Sequence[Record],
    ) -> list[Filed]:
        """Archive the original, write every record's file and rows; returns where each went.

        Must run inside a database transaction: the rows become visible, and the claim
        settled, only when the caller commits, after :meth:`sync`.
        """
        sha256 = records[0].sha256
        archived = archive_path(self.paths, sha256, name)
        if not archived.exists():
            durable_write(archived, data, self.unsynced)
        outcome = _document_outcome(records)
        document_id = self.store.add_document(
            DocumentRow(claim, name, sha256, len(data), page_count, outcome.value, str(archived))
        )
        # The message a collected attachment came from (attest mail), for the journal and
        # the sidecars: the person who answers the sender needs it.
        mail = mail_origin(self.store.db, name, sha256)
        received: dict[str, object] = {"name": name, "sha256": sha256, "size": len(data)}
        if mail is not None:
            received["mail"] = mail
        self.store.journal("received", received, document_id=document_id)
        filed = []
        whole = len(records) == 1
        for record in records:
            path = self._write(record, name, data, page_count, whole, mail)
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

    def _write(
        self,
        record: Record,
        name: str,
        data: bytes,
        page_count: int | None,
        whole: bool,
        mail: Mapping[str, Any] | None = None,
    ) -> Path | None:
        stem = safe_component(Path(name).stem, 60)
        short = record.sha256[:8]
        if record.status is Status.DUPLICATE:
            return None
        if record.status is Status.REJECT:
            suffix = safe_component(Path(name).suffix.lstrip("."), 8) or "bin"
            target = self.paths.quarantine / f"{stem}_{short}.{suffix}"
            body = data
        else:
            body = data if whole or page_count is None else pages_of(data, record.pages, page_count)
            label = "" if whole else f"_{page_label(record.pages)}"
            if record.status is Status.FILE:
                target = self._dossier(record) / _filed_name(record, short, label)
            else:
                # A PDF, or an e-mail that held only links (attest mail), kept as .eml.
                suffix = "eml" if name.lower().endswith(".eml") else "pdf"
                target = self.paths.review / f"{stem}_{short}{label}.{suffix}"
        durable_write(target, body, self.unsynced)
        sidecar = {**record.to_json(), "path": str(target)}
        if mail is not None:
            sidecar["mail"] = dict(mail)
        durable_write(
            target.with_name(target.name + ".json"),
            json.dumps(sidecar, ensure_ascii=False, indent=2, default=str).encode(),
            self.unsynced,
        )
        return target

    def _dossier(self, record: Record) -> Path:
        assert record.rpps is not None
        folder = self.store.physician_folder(record.rpps)
        if folder is None:
            folder = "_".join(
                (
                    safe_component(record.rpps, 11),
                    safe_component((record.last_name or "").upper(), 40),
                    safe_component(record.first_name or "", 40),
                )
            )
        self.store.add_physician(
            Physician(record.rpps, record.last_name or "", record.first_name or ""), folder
        )
        return self.paths.dossiers / folder


def _filed_name(record: Record, short: str, label: str) -> str:
    assert record.chosen is not None
    when = record.start.isoformat() if record.start else "undated"
    issuer = safe_component(record.issuer or record.family or "issuer", 30)
    return f"{when}_{record.chosen.bloc}{record.chosen.action}_{issuer}_{short}{label}.pdf"


def _document_outcome(records: Sequence[Record]) -> Status:
    """One word for the document: the least settled of its attestations' statuses."""
    for status in (Status.REJECT, Status.REVIEW, Status.DUPLICATE):
        if any(r.status is status for r in records):
            return status
    return Status.FILE
