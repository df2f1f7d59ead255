"""The mail tables: a mailbox's failure streak, and the origin of a collected document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from attest_pipeline.mail.ledger import (
    KNOWN,
    LEFT,
    SAVED,
    SAVING,
    WRITTEN,
    MailLedger,
    Planned,
    Where,
    accounts,
    origin,
)
from attest_pipeline.mail.parse import Envelope
from attest_pipeline.store import Store

WHERE = Where("secretariat", "INBOX", 42, 7)
ENVELOPE = Envelope("Dr A <a@example.fr>", "2026-11-30T10:00:00+01:00", "Attestation", "<1@x>")


def test_a_failure_streak_is_counted_once_and_ended_by_a_success(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        ledger = MailLedger(store)
        assert [ledger.poll_failed("secretariat", "ConnectionRefusedError") for _ in range(3)] == [
            1, 2, 3
        ]
        [state] = accounts(store.db)
        assert state["failures"] == 3 and state["failing_since"] is not None
        assert ledger.poll_succeeded("secretariat") == 3
        assert ledger.poll_succeeded("secretariat") == 0
        [state] = accounts(store.db)
        assert state["failing_since"] is None and state["last_success"] is not None
        events = [row["event"] for row in store.journal_rows()]
        assert events == ["mail_unreachable", "mail_back"]


def test_the_origin_of_a_document_is_found_by_its_name_and_bytes(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        ledger = MailLedger(store)
        planned = [Planned("mail_a.pdf", "a.pdf", "attachment", "ab" * 32, 10),
                   Planned("mail_b.pdf", "b.pdf", "zip:x.zip", "cd" * 32, 10)]
        message = ledger.record(WHERE, ENVELOPE, "collected", SAVING, {}, planned,
                                {"mail_b.pdf": "document #1"})
        ledger.saved(message, ["mail_a.pdf"])
        states = dict(store.db.execute("SELECT name, state FROM mail_attachments").fetchall())
        assert states == {"mail_a.pdf": WRITTEN, "mail_b.pdf": KNOWN}
        assert ledger.saved_names(WHERE) == {"mail_a.pdf", "mail_b.pdf"}
        assert ledger.received("ab" * 32) is not None
        assert ledger.received("ab" * 32, besides="mail_a.pdf") is None
        found = origin(store.db, "mail_a.pdf", "ab" * 32)
        assert found is not None
        assert (found["from"], found["subject"], found["message_id"], found["uid"]) == (
            "Dr A <a@example.fr>", "Attestation", "<1@x>", 7
        )
        assert origin(store.db, "mail_a.pdf", "ef" * 32) is None  # other bytes, same name
        assert ledger.seen(WHERE) == {7: SAVED}
        ledger.set_state(message, LEFT)
        assert ledger.seen(WHERE) == {7: LEFT}


def test_a_database_older_than_the_mail_tables_has_no_origin(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    db.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY)")
    assert origin(db, "x.pdf", "00") is None
    assert accounts(db) == []
    db.close()
