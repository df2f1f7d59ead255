from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.store import DocumentRow, Store


def record(**fields: object) -> Record:
    values: dict[str, object] = {
        "source": "a.pdf",
        "sha256": "ab" * 32,
        "pages": (1,),
        "status": Status.FILE,
        "rpps": "10005682603",
        "last_name": "DUPONT",
        "first_name": "Jean",
        "start": date(2025, 3, 12),
        "end": date(2025, 3, 14),
        "reference": "12345678901",
        "family": "andpc",
        "title": "Asthme",
        "chosen": Candidate(1, "A", "de_fait"),
        "candidates": (Candidate(1, "A", "de_fait"),),
    }
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]


def add(store: Store, rec: Record, claim: str = "c1") -> int:
    with store.transaction():
        document = store.add_document(
            DocumentRow(claim, rec.source, rec.sha256, 10, 1, rec.status.value, "archive")
        )
        attestation = store.add_attestation(document, rec, "/dossiers/x.pdf")
        if rec.status is Status.FILE:
            store.add_physician(Physician("10005682603", "DUPONT", "Jean"), "folder")
            store.add_dossier_entry(attestation, rec, "/dossiers/x.pdf")
    return attestation


def test_ledger_queries(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        assert store.document_with_sha("ab" * 32) is None
        add(store, record())
        assert store.claim_known("c1") and not store.claim_known("c2")
        assert "document #1 (a.pdf" in (store.document_with_sha("ab" * 32) or "")
        assert store.attestation_like(record(sha256="cd" * 32)) == "attestation #1 (Asthme)"
        assert store.attestation_like(record(reference="99999999999")) is None
        assert store.attestation_like(record(end=date(2025, 3, 15))) is None
        assert store.filed_per_bloc("10005682603") == {1: 1}
        assert store.physician_folder("10005682603") == "folder"


def test_reissue_without_reference_compares_family_and_title(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        add(store, record(reference=None))
        assert store.attestation_like(record(reference=None)) is not None
        assert store.attestation_like(record(reference=None, title="Autre")) is None


def test_pending_labellisation(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        add(store, record(chosen=Candidate(1, "B", "a_demander")))
        (entry,) = store.dossier_entries("10005682603")
        assert entry["label_status"] == "pending"


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.add_document(DocumentRow("c1", "a", "x", 1, 1, "file", "a"))
            raise RuntimeError
        assert not store.claim_known("c1")


def test_journal_is_append_only(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.journal("received", {"name": "a.pdf"})
        assert store.journal_rows()[0]["event"] == "received"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("UPDATE journal SET event = 'x'")


def test_read_only_open_of_a_missing_database(tmp_path: Path) -> None:
    assert Store.open_existing(tmp_path / "absent.sqlite3") is None
    assert not (tmp_path / "absent.sqlite3").exists()


def test_names_file_knows_attestations_and_archived_originals(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    add(store, record())
    assert store.names_file("/dossiers/x.pdf")
    assert store.names_file("archive")
    assert not store.names_file("/dossiers/y.pdf")
    store.close()
