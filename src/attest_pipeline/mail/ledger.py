"""What ``attest mail`` remembers: messages seen, attachments saved, mailboxes' health.

Every write is its own short transaction, so that the collector can work beside an
``attest watch`` that holds the state lock and files what the collector saves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from attest_pipeline.mail.parse import Envelope
from attest_pipeline.store import Store, now

#: States of a message (see :mod:`~attest_pipeline.mail.schema`).
SAVING, SAVED, MARKED, LEFT = "saving", "saved", "marked", "left"
#: States of an attachment: waiting to be written, in the inbox, or not written because
#: its bytes were already received (the sha256 safety net).
PENDING, WRITTEN, KNOWN = "pending", "saved", "known"


@dataclass(frozen=True, slots=True)
class Where:
    """A message's place: account, folder, UIDVALIDITY and UID."""

    account: str
    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True, slots=True)
class Planned:
    """An attachment about to be saved under ``name`` (chosen by the collector)."""

    name: str
    filename: str
    origin: str
    sha256: str
    size: int


class MailLedger:
    """The mail tables of the database, through an open :class:`~attest_pipeline.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        # Beside an ``attest watch`` committing batches, wait for its lock rather than fail.
        self.db.execute("PRAGMA busy_timeout = 30000")

    def seen(self, where: Where) -> dict[int, str]:
        """The UIDs of this folder (at this UIDVALIDITY) already seen, with their state."""
        rows = self.db.execute(
            "SELECT uid, state FROM mail_messages WHERE account = ? AND folder = ? "
            "AND uidvalidity = ?",
            (where.account, where.folder, where.uidvalidity),
        )
        return {int(row["uid"]): str(row["state"]) for row in rows}

    def saved_names(self, where: Where) -> set[str]:
        """Names of the attachments of this message already written into the inbox."""
        rows = self.db.execute(
            "SELECT a.name FROM mail_attachments a JOIN mail_messages m ON m.id = a.message_id "
            "WHERE m.account = ? AND m.folder = ? AND m.uidvalidity = ? AND m.uid = ? "
            "AND a.state != ?",
            (where.account, where.folder, where.uidvalidity, where.uid, PENDING),
        )
        return {str(row["name"]) for row in rows}

    def received(self, sha256: str, *, besides: str = "") -> str | None:
        """Where these bytes were already received (by mail or dropped), if they were."""
        row = self.db.execute(
            "SELECT a.name, m.subject, m.sender FROM mail_attachments a "
            "JOIN mail_messages m ON m.id = a.message_id "
            "WHERE a.sha256 = ? AND a.state = ? AND a.name != ? ORDER BY a.id LIMIT 1",
            (sha256, WRITTEN, besides),
        ).fetchone()
        if row is not None:
            return f"{row['name']} (message from {row['sender']}, {row['subject']!r})"
        return self.store.document_with_sha(sha256)

    def record(
        self,
        where: Where,
        envelope: Envelope,
        outcome: str,
        state: str,
        detail: Mapping[str, Any],
        planned: Sequence[Planned] = (),
        known: Mapping[str, str] | None = None,
    ) -> int:
        """Record a message and its attachments (``known``: name -> where it was received)."""
        known = known or {}
        with self.store.transaction():
            row = self.db.execute(
                "SELECT id FROM mail_messages WHERE account = ? AND folder = ? "
                "AND uidvalidity = ? AND uid = ?",
                (where.account, where.folder, where.uidvalidity, where.uid),
            ).fetchone()
            values = (
                envelope.message_id,
                envelope.sender,
                envelope.date,
                envelope.subject,
                outcome,
                state,
                json.dumps(dict(detail), ensure_ascii=False, default=str),
            )
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO mail_messages (account, folder, uidvalidity, uid, message_id, "
                    "sender, date, subject, outcome, state, detail, seen_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (where.account, where.folder, where.uidvalidity, where.uid, *values, now()),
                )
                message = int(cursor.lastrowid or 0)
            else:  # an earlier poll was interrupted while saving this message
                message = int(row["id"])
                self.db.execute(
                    "UPDATE mail_messages SET message_id = ?, sender = ?, date = ?, subject = ?, "
                    "outcome = ?, state = ?, detail = ? WHERE id = ?",
                    (*values, message),
                )
            for item in planned:
                self.db.execute(
                    "INSERT INTO mail_attachments (message_id, name, filename, origin, sha256, "
                    "size, state) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    (
                        message,
                        item.name,
                        item.filename,
                        item.origin,
                        item.sha256,
                        item.size,
                        KNOWN if item.name in known else PENDING,
                    ),
                )
            self.store.journal(
                f"mail_{outcome}",
                {
                    "account": where.account,
                    "folder": where.folder,
                    "uidvalidity": where.uidvalidity,
                    "uid": where.uid,
                    **envelope.to_json(),
                    **detail,
                    "attachments": [
                        {
                            "name": item.name,
                            "filename": item.filename,
                            "sha256": item.sha256,
                            "already_received": known.get(item.name),
                        }
                        for item in planned
                    ],
                },
            )
        return message

    def saved(self, message: int, names: Sequence[str]) -> None:
        """The message's attachments ``names`` are in the inbox (durably): the message is saved.

        One transaction: a crash before it leaves the message "saving", and the next poll
        finds the files in the inbox (or their bytes received) rather than writing them again.
        """
        with self.store.transaction():
            for name in names:
                self.db.execute(
                    "UPDATE mail_attachments SET state = ? WHERE name = ? AND state = ?",
                    (WRITTEN, name, PENDING),
                )
            self.db.execute("UPDATE mail_messages SET state = ? WHERE id = ?", (SAVED, message))

    def set_state(self, message: int, state: str) -> None:
        """Move a message to ``state``."""
        with self.store.transaction():
            self.db.execute("UPDATE mail_messages SET state = ? WHERE id = ?", (state, message))

    def marked(self, where: Sequence[Where]) -> None:
        """The server now has these messages marked (or moved)."""
        with self.store.transaction():
            for item in where:
                self.db.execute(
                    "UPDATE mail_messages SET state = ?, marked_at = ? WHERE account = ? "
                    "AND folder = ? AND uidvalidity = ? AND uid = ?",
                    (MARKED, now(), item.account, item.folder, item.uidvalidity, item.uid),
                )

    # --------------------------------------------------------------- mailbox health

    def poll_succeeded(self, account: str) -> int:
        """A poll of ``account`` went through; returns how many failures it ends."""
        with self.store.transaction():
            row = self._account(account)
            failures = int(row["failures"]) if row else 0
            self.db.execute(
                "INSERT INTO mail_accounts (account, last_poll, last_success, failures) "
                "VALUES (?, ?, ?, 0) ON CONFLICT (account) DO UPDATE SET "
                "last_poll = excluded.last_poll, last_success = excluded.last_success, "
                "failing_since = NULL, failures = 0, last_error = NULL",
                (account, now(), now()),
            )
            if failures:
                self.store.journal("mail_back", {"account": account, "failures": failures})
        return failures

    def poll_failed(self, account: str, error: str) -> int:
        """A poll of ``account`` failed; returns the length of the failure streak."""
        with self.store.transaction():
            row = self._account(account)
            failures = (int(row["failures"]) if row else 0) + 1
            self.db.execute(
                "INSERT INTO mail_accounts (account, last_poll, failing_since, failures, "
                "last_error) VALUES (?, ?, ?, 1, ?) ON CONFLICT (account) DO UPDATE SET "
                "last_poll = excluded.last_poll, failures = mail_accounts.failures + 1, "
                "failing_since = COALESCE(mail_accounts.failing_since, excluded.failing_since), "
                "last_error = excluded.last_error",
                (account, now(), now(), error),
            )
            if failures == 1:
                self.store.journal("mail_unreachable", {"account": account, "error": error})
        return failures

    def _account(self, account: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM mail_accounts WHERE account = ?", (account,)
        ).fetchone()
        return row


# ------------------------------------------------------------------ read-only views


def _has_tables(db: sqlite3.Connection) -> bool:
    """Whether the mail tables exist (a database opened read-only may predate them)."""
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mail_attachments'"
    ).fetchone()
    return row is not None


def origin(db: sqlite3.Connection, name: str, sha256: str) -> dict[str, Any] | None:
    """The message a document came from (by its name in the inbox and its bytes), if any.

    This is the ``mail`` object of sidecars, dossiers and the journal: sender, date,
    subject and Message-ID, with the mailbox, and the attachment's own name as sent.
    """
    if not _has_tables(db):
        return None
    row = db.execute(
        "SELECT m.account, m.folder, m.uid, m.sender, m.date, m.subject, m.message_id, "
        "a.filename, a.origin FROM mail_attachments a JOIN mail_messages m "
        "ON m.id = a.message_id WHERE a.name = ? AND a.sha256 = ?",
        (name, sha256),
    ).fetchone()
    if row is None:
        return None
    return {
        "from": row[3],
        "date": row[4],
        "subject": row[5],
        "message_id": row[6],
        "account": row[0],
        "folder": row[1],
        "uid": row[2],
        "attachment": row[7],
        "part": row[8],
    }


def accounts(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Each mailbox polled: last poll, last success, failure streak, messages per outcome."""
    if not _has_tables(db):
        return []
    counts: dict[str, dict[str, int]] = {}
    for row in db.execute(
        "SELECT account, outcome, COUNT(*) FROM mail_messages GROUP BY account, outcome"
    ):
        counts.setdefault(row[0], {})[row[1]] = row[2]
    attachments = dict(
        db.execute(
            "SELECT m.account, COUNT(*) FROM mail_attachments a JOIN mail_messages m "
            "ON m.id = a.message_id WHERE a.state = ? AND a.origin != ? GROUP BY m.account",
            (WRITTEN, "message"),
        ).fetchall()
    )
    unmarked = dict(
        db.execute(
            "SELECT account, COUNT(*) FROM mail_messages WHERE state IN (?, ?) GROUP BY account",
            (SAVING, SAVED),
        ).fetchall()
    )
    result = []
    names = sorted(
        set(counts) | {row[0] for row in db.execute("SELECT account FROM mail_accounts")}
    )
    for name in names:
        row = db.execute(
            "SELECT last_poll, last_success, failing_since, failures, last_error "
            "FROM mail_accounts WHERE account = ?",
            (name,),
        ).fetchone()
        result.append(
            {
                "account": name,
                "last_poll": row[0] if row else None,
                "last_success": row[1] if row else None,
                "failing_since": row[2] if row else None,
                "failures": row[3] if row else 0,
                "last_error": row[4] if row else None,
                "messages": dict(sorted(counts.get(name, {}).items())),
                "attachments_saved": attachments.get(name, 0),
                "not_yet_marked": unmarked.get(name, 0),
            }
        )
    return result
