"""The database's tables, their version, and the upgrade of an older database.

The schema carries a version (``PRAGMA user_version``). A database of an older version is
upgraded in place when it is first opened: a copy of it is kept beside it
(``attest.sqlite3.v1.bak``), then each step of :data:`MIGRATIONS` runs in its own
transaction, which also records the new version, so that an interrupted upgrade resumes
where it stopped.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from attest_pipeline.access import set_file_mode
from attest_pipeline.errors import ConfigError
from attest_pipeline.mail.schema import SCHEMA as MAIL_SCHEMA

BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    claim TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    pages INTEGER,
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    archive TEXT NOT NULL,
    duplicate_of TEXT
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE TABLE IF NOT EXISTS attestations (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    pages TEXT NOT NULL,
    plugin TEXT,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL,
    rpps TEXT,
    last_name TEXT,
    first_name TEXT,
    start TEXT,
    "end" TEXT,
    reference TEXT,
    title TEXT,
    family TEXT,
    bloc INTEGER,
    action TEXT,
    labellisation TEXT,
    path TEXT,
    duplicate_of TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attestations_identity
    ON attestations (rpps, reference, start, "end");
CREATE TABLE IF NOT EXISTS physicians (
    rpps TEXT PRIMARY KEY,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    folder TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dossier_entries (
    id INTEGER PRIMARY KEY,
    attestation_id INTEGER NOT NULL UNIQUE REFERENCES attestations (id),
    rpps TEXT NOT NULL REFERENCES physicians (rpps),
    bloc INTEGER NOT NULL,
    action TEXT NOT NULL,
    labellisation TEXT NOT NULL,
    label_status TEXT NOT NULL,
    start TEXT,
    "end" TEXT,
    issuer TEXT,
    title TEXT,
    path TEXT NOT NULL,
    filed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dossier_entries_rpps ON dossier_entries (rpps, bloc);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    document_id INTEGER REFERENCES documents (id),
    attestation_id INTEGER REFERENCES attestations (id),
    event TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_append_only_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_append_only_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""

_V2 = """
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE review_decisions (
    id INTEGER PRIMARY KEY,
    attestation_id INTEGER NOT NULL REFERENCES attestations (id),
    kind TEXT NOT NULL,
    by TEXT NOT NULL REFERENCES users (name),
    at TEXT NOT NULL,
    overrides TEXT NOT NULL,
    note TEXT
);
CREATE INDEX review_decisions_item ON review_decisions (attestation_id, id);
CREATE TABLE label_decisions (
    id INTEGER PRIMARY KEY,
    attestation_id INTEGER NOT NULL REFERENCES attestations (id),
    kind TEXT NOT NULL,
    by TEXT NOT NULL REFERENCES users (name),
    at TEXT NOT NULL,
    note TEXT
);
CREATE INDEX label_decisions_item ON label_decisions (attestation_id, id);
ALTER TABLE dossier_entries ADD COLUMN label_note TEXT;
ALTER TABLE dossier_entries ADD COLUMN candidates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dossier_entries ADD COLUMN family TEXT;
ALTER TABLE dossier_entries ADD COLUMN nature TEXT;
ALTER TABLE dossier_entries ADD COLUMN reference TEXT;
ALTER TABLE dossier_entries ADD COLUMN orientation TEXT;
UPDATE dossier_entries SET
    candidates = coalesce((SELECT json_extract(a.record, '$.candidates') FROM attestations a
                           WHERE a.id = dossier_entries.attestation_id), '[]'),
    family = (SELECT a.family FROM attestations a WHERE a.id = dossier_entries.attestation_id),
    nature = (SELECT json_extract(a.record, '$.nature') FROM attestations a
              WHERE a.id = dossier_entries.attestation_id),
    reference = (SELECT a.reference FROM attestations a
                 WHERE a.id = dossier_entries.attestation_id),
    orientation = (SELECT json_extract(a.record, '$.fields.orientation') FROM attestations a
                   WHERE a.id = dossier_entries.attestation_id);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON review_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER label_decisions_append_only_update BEFORE UPDATE ON label_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""

#: The upgrade steps, in order: step ``n`` takes a database from version ``n - 1`` to ``n``.
#: Version 1 is the base schema above; append a step (never edit one) to change the schema.
MIGRATIONS: tuple[str, ...] = ("", _V2)

#: The version this code reads and writes.
SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration step (a trigger's body kept whole)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def version_of(db: sqlite3.Connection) -> int:
    """The schema version of an open database."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def prepare(db: sqlite3.Connection, path: Path) -> None:
    """Bring a database opened for writing to this version, with every table it needs."""
    upgrade(db, path)
    db.executescript(BASE_SCHEMA)
    # attest mail's own tables (IF NOT EXISTS: no schema version of their own).
    db.executescript(MAIL_SCHEMA)


def upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring the database to :data:`SCHEMA_VERSION`, keeping a copy of an older one."""
    version = version_of(db)
    if version > SCHEMA_VERSION:
        raise ConfigError(
            path,
            f"the database is of schema version {version}, newer than this attest-pipeline "
            f"(version {SCHEMA_VERSION}): upgrade attest-pipeline",
        )
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        # A new database (or one from before versions were recorded: the same tables).
        db.executescript(BASE_SCHEMA)
        db.execute("PRAGMA user_version=1")
        version = 1
        fresh = not db.execute("SELECT 1 FROM documents LIMIT 1").fetchone()
    else:
        fresh = False
    for target in range(version + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have upgraded between our read and our lock; the copy
            # is taken under the lock, so that two processes never write it at once.
            current = version_of(db)
            if current < target:
                if not fresh:
                    keep_copy(path, current)
                for statement in _statements(MIGRATIONS[target - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={target}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def keep_copy(path: Path, version: int) -> None:
    """Copy the database (its committed state, through SQLite) before upgrading it.

    The copy of each version is kept once: the first upgrade attempt's.
    """
    copy = path.with_name(f"{path.name}.v{version}.bak")
    if copy.exists():
        return  # an earlier, interrupted upgrade already kept the original
    partial = copy.with_name(copy.name + ".part")
    partial.unlink(missing_ok=True)
    # Through a reader: this connection holds the write lock, and a backup from a
    # connection in a write transaction would wait for itself.
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    set_file_mode(partial)  # the copy holds the same personal data as the database
    shutil.move(partial, copy)
