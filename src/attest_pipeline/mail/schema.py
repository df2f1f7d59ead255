"""The database tables of ``attest mail``, created beside the pipeline's own.

``mail_messages`` remembers every message seen, by account, folder, UIDVALIDITY and UID,
and what became of it (``state``: ``saving`` while its attachments are written, ``saved``
once they all are, ``marked`` once the server has the keyword or the message was moved,
``left`` for a message not taken: no PDF, a limit broken, malformed). A message is never
fetched again once it has a row. ``mail_attachments`` names each PDF saved into the inbox
(the name the software chose, unique) with its sha256, which is how the pipeline finds the
message a document came from, and the safety net when a UID is lost (UIDVALIDITY changed,
the same message copied into two folders): an attachment whose sha256 was already
collected is not saved again. ``mail_accounts`` keeps each mailbox's last poll and failure
streak for ``attest doctor`` and ``attest status``.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_messages (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_id TEXT,
    sender TEXT,
    date TEXT,
    subject TEXT,
    outcome TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    marked_at TEXT,
    UNIQUE (account, folder, uidvalidity, uid)
);
CREATE TABLE IF NOT EXISTS mail_attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES mail_messages (id),
    name TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mail_attachments_sha256 ON mail_attachments (sha256);
CREATE TABLE IF NOT EXISTS mail_accounts (
    account TEXT PRIMARY KEY,
    last_poll TEXT,
    last_success TEXT,
    failing_since TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
"""
