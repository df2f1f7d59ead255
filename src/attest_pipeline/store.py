"""The SQLite database under ``state/``: documents, attestations, dossier entries, journal.

The journal is append-only (triggers refuse updates and deletes). Documents are filed by one
process at a time (the pipeline holds a lock on the state folder); the secretariat's
decisions are short transactions beside it, waiting at most :data:`BUSY_TIMEOUT` seconds for
the filing batch in progress. WAL mode with full synchronisation: a committed outcome
survives a crash.

The tables, their versions and the upgrades of an older database are
:mod:`~attest_pipeline.schema`'s part.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attest_pipeline.access import make_folder, set_file_mode
from attest_pipeline.models import Physician, Record, Status
from attest_pipeline.schema import prepare, version_of

#: Seconds a write waits for another process's transaction (a filing batch lasts about one).
BUSY_TIMEOUT = 15.0
#: ``json.dumps(..., ensure_ascii=False, default=str)``, the text of the JSON columns, with
#: one encoder for all (``json.dumps`` makes one at each call given options).
_TEXT = json.JSONEncoder(ensure_ascii=False, default=str)

def now() -> str:
    """The current time, ISO 8601 in UTC (what the database stores)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One received file, as recorded."""

    claim: str
    name: str
    sha256: str
    size: int
    pages: int | None
    outcome: str
    archive: str


class Store:
    """The database, opened on one file; a context manager."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            make_folder(path.parent)
            created = not path.exists()
            self.db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
            if created:  # SQLite gives its -wal and -shm files the database's permissions
                set_file_mode(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            prepare(self.db, path)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys=ON")

    def version(self) -> int:
        """The schema version of the open database."""
        return version_of(self.db)

    @classmethod
    def open_existing(cls, path: Path) -> Store | None:
        """Open a database read-only if it exists (for dry runs), else ``None``."""
        return cls(path, readonly=True) if path.exists() else None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction: committed on success, rolled back on error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ----------------------------------------------------------------- ledger (reads)

    def claim_known(self, claim: str) -> bool:
        """Whether the outcome of this claimed file is already recorded."""
        row = self.db.execute("SELECT 1 FROM documents WHERE claim = ?", (claim,)).fetchone()
        return row is not None

    def names_file(self, path: str) -> bool:
        """Whether a committed row names this file (an attestation's, or an archived original)."""
        row = self.db.execute(
            "SELECT 1 FROM attestations WHERE path = ? UNION ALL "
            "SELECT 1 FROM documents WHERE archive = ? LIMIT 1",
            (path, path),
        ).fetchone()
        return row is not None

    def document_with_sha(self, sha256: str) -> str | None:
        """The earlier document (not itself a duplicate) with the same bytes, if any."""
        row = self.db.execute(
            "SELECT id, name, received_at FROM documents WHERE sha256 = ? "
            "AND outcome != 'duplicate' ORDER BY id LIMIT 1",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return f"document #{row['id']} ({row['name']}, received {row['received_at']})"

    def attestation_like(self, record: Record) -> str | None:
        """An earlier filed attestation with the same participant, reference and dates."""
        if not record.rpps or record.start is None or record.end is None:
            return None
        query = (
            "SELECT id, title FROM attestations WHERE status = 'file' AND rpps = ? "
            'AND start = ? AND "end" = ? AND '
        )
        params: list[Any] = [record.rpps, record.start.isoformat(), record.end.isoformat()]
        if record.reference:
            query += "reference = ?"
            params.append(record.reference)
        else:
            query += "reference IS NULL AND family IS ? AND title IS ?"
            params += [record.family, record.title]
        row = self.db.execute(query + " ORDER BY id LIMIT 1", params).fetchone()
        if row is None:
            return None
        # Quoted as is in French refusals too: no English word when there is no title.
        title = f" ({row['title']})" if row["title"] else ""
        return f"attestation #{row['id']}{title}"

    def filed_per_bloc(self, rpps: str) -> Mapping[int, int]:
        """How many actions are filed per bloc in this physician's dossier."""
        rows = self.db.execute(
            "SELECT bloc, COUNT(*) AS n FROM dossier_entries WHERE rpps = ? GROUP BY bloc",
            (rpps,),
        )
        return {row["bloc"]: row["n"] for row in rows}

    # ------------------------------------------------------------------------ writes

    def add_document(self, row: DocumentRow) -> int:
        """Record a received document; returns its id."""
        cursor = self.db.execute(
            "INSERT INTO documents (claim, name, sha256, size, pages, received_at, outcome, "
            "archive) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.claim, row.name, row.sha256, row.size, row.pages, now(), row.outcome, row.archive),
        )
        return int(cursor.lastrowid or 0)

    def add_attestation(self, document_id: int, record: Record, path: str | None) -> int:
        """Record one attestation's decision; returns its id."""
        cursor = self.db.execute(
            "INSERT INTO attestations (document_id, pages, plugin, status, reasons, rpps, "
            'last_name, first_name, start, "end", reference, title, family, bloc, action, '
            "labellisation, path, duplicate_of, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                json.dumps(list(record.pages)),
                record.plugin,
                record.status.value,
                json.dumps(list(record.reasons)),
                record.rpps,
                record.last_name,
                record.first_name,
                record.start.isoformat() if record.start else None,
                record.end.isoformat() if record.end else None,
                record.reference,
                record.title,
                record.family,
                record.chosen.bloc if record.chosen else None,
                record.chosen.action if record.chosen else None,
                record.chosen.labellisation if record.chosen else None,
                path,
                record.duplicate_of,
                _TEXT.encode(record.to_json()),
            ),
        )
        return int(cursor.lastrowid or 0)

    def add_physician(self, physician: Physician, folder: str) -> None:
        """Remember a physician's identity and dossier folder (first filing creates it)."""
        self.db.execute(
            "INSERT INTO physicians (rpps, last_name, first_name, folder) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (rpps) DO UPDATE SET last_name = excluded.last_name, "
            "first_name = excluded.first_name",
            (physician.rpps, physician.last_name, physician.first_name, folder),
        )

    def add_dossier_entry(self, attestation_id: int, record: Record, path: str) -> None:
        """Count a filed attestation in its physician's dossier."""
        assert record.chosen is not None and record.rpps is not None
        labellisation = record.chosen.labellisation
        orientation = record.fields.get("orientation")
        self.db.execute(
            "INSERT INTO dossier_entries (attestation_id, rpps, bloc, action, labellisation, "
            'label_status, start, "end", issuer, title, path, filed_at, candidates, family, '
            "nature, reference, orientation) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attestation_id,
                record.rpps,
                record.chosen.bloc,
                record.chosen.action,
                labellisation,
                "granted" if labellisation == "de_fait" else "pending",
                record.start.isoformat() if record.start else None,
                record.end.isoformat() if record.end else None,
                record.issuer,
                record.title,
                path,
                now(),
                json.dumps([[c.bloc, c.action] for c in record.candidates]),
                record.family,
                record.nature,
                record.reference,
                str(orientation) if orientation is not None else None,
            ),
        )

    def journal(
        self,
        event: str,
        detail: Mapping[str, Any],
        *,
        document_id: int | None = None,
        attestation_id: int | None = None,
    ) -> None:
        """Append one event to the journal."""
        self.db.execute(
            "INSERT INTO journal (at, document_id, attestation_id, event, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (now(), document_id, attestation_id, event, _detail(detail)),
        )

    def journalled(self, event: str, detail: Mapping[str, Any]) -> bool:
        """Whether the journal already holds this event with exactly this detail."""
        row = self.db.execute(
            "SELECT 1 FROM journal WHERE event = ? AND detail = ? LIMIT 1",
            (event, _detail(detail)),
        ).fetchone()
        return row is not None

    # ------------------------------------------------------------------------- views

    def physicians(self) -> list[sqlite3.Row]:
        """Every physician with a dossier, by name."""
        return list(self.db.execute("SELECT * FROM physicians ORDER BY last_name, first_name"))

    def physician(self, rpps: str) -> sqlite3.Row | None:
        """One physician with a dossier."""
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM physicians WHERE rpps = ?", (rpps,)
        ).fetchone()
        return row

    def dossier_entries(self, rpps: str) -> list[sqlite3.Row]:
        """A physician's filed actions, by bloc, action and date."""
        return list(
            self.db.execute(
                "SELECT * FROM dossier_entries WHERE rpps = ? ORDER BY bloc, action, start",
                (rpps,),
            )
        )

    def waiting(self, status: Status) -> list[sqlite3.Row]:
        """Attestations (or documents) that ended in review or quarantine."""
        return list(
            self.db.execute(
                "SELECT a.*, d.name AS document FROM attestations a "
                "JOIN documents d ON d.id = a.document_id WHERE a.status = ? ORDER BY a.id",
                (status.value,),
            )
        )

    def journal_rows(self, limit: int | None = None) -> list[sqlite3.Row]:
        """The journal, oldest first (the last ``limit`` events when given)."""
        if limit is None:
            return list(self.db.execute("SELECT * FROM journal ORDER BY id"))
        rows = self.db.execute("SELECT * FROM journal ORDER BY id DESC LIMIT ?", (limit,))
        return list(reversed(list(rows)))

    def counts(self) -> dict[str, int]:
        """How many attestations ended in each status."""
        rows = self.db.execute("SELECT status, COUNT(*) AS n FROM attestations GROUP BY status")
        return {row["status"]: row["n"] for row in rows}


def _detail(detail: Mapping[str, Any]) -> str:
    """An event's detail as the journal stores it."""
    return _TEXT.encode(dict(detail))
