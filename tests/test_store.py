from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.schema import SCHEMA_VERSION
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
        assert store.physician("10005682603")["folder"] == "folder"


def test_reissue_without_reference_compares_family_and_title(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        add(store, record(reference=None))
        assert store.attestation_like(record(reference=None)) is not None
        assert store.attestation_like(record(reference=None, title="Autre")) is None


def test_a_reissue_of_an_untitled_attestation_is_named_by_its_number_alone(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        add(store, record(title=None))
        assert store.attestation_like(record(title=None, sha256="cd" * 32)) == "attestation #1"


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


# --------------------------------------------------------------------------- schema versions

V1_STORE = Path(__file__).parent / "data" / "store_v1.py.txt"


def store_v1() -> type:
    """The ``Store`` of schema version 1, as it was released (kept in the test data)."""
    import importlib.util
    import sys

    if "attest_store_v1" not in sys.modules:
        spec = importlib.util.spec_from_loader("attest_store_v1", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["attest_store_v1"] = module  # dataclasses look their module up
        code = compile(V1_STORE.read_text(encoding="utf-8"), str(V1_STORE), "exec")
        exec(code, module.__dict__)
    return sys.modules["attest_store_v1"].Store  # type: ignore[no-any-return]


def test_a_version_1_state_made_by_the_released_code_is_upgraded_in_place(
    tmp_path: Path, roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline import pipeline
    from attest_pipeline.service.labels import grant, list_labels
    from attest_pipeline.service.progress import physician_progress
    from attest_pipeline.service.review import list_review, resolve
    from tests import office

    # A real run, filing through today's filing code into the version-1 database.
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "Store", store_v1())
        office.build_office(tmp_path, roster)
    database = tmp_path / "state" / "attest.sqlite3"
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "review_decisions" not in tables
    before = db.execute("SELECT * FROM dossier_entries ORDER BY id").fetchall()
    journal_before = db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    db.close()

    ws = office.workspace(tmp_path)
    progress = physician_progress(ws, office.DUPONT)  # the first use upgrades
    copy = database.with_name("attest.sqlite3.v1.bak")
    kept = sqlite3.connect(copy)
    assert kept.execute("PRAGMA user_version").fetchone()[0] == 1
    assert kept.execute("SELECT * FROM dossier_entries ORDER BY id").fetchall() == before
    kept.close()
    with Store(database) as store:
        assert store.version() == 2
        rows = store.db.execute("SELECT * FROM dossier_entries ORDER BY id").fetchall()
        assert [tuple(r)[: len(before[0])] for r in rows] == before
        assert [json.loads(r["candidates"]) for r in rows] == [[[1, "A"]], [[1, "B"]], [[2, "A"]]]
        assert rows[0]["family"] == "andpc" and rows[0]["nature"] == "formation_continue"
        assert store.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == journal_before
    assert [b.counted for b in progress.blocs] == [1, 1, 0, 0]
    # The secretariat's decisions work on the upgraded state.
    resolve(ws, list_review(ws)[0].id, by="alice", rpps=office.MARTIN)
    grant(ws, list_labels(ws)[0].id, by="alice")
    assert physician_progress(ws, office.MARTIN).blocs[0].counted == 2


def test_a_new_database_is_created_at_the_current_version_without_a_copy(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        assert store.version() == SCHEMA_VERSION
    assert list(tmp_path.glob("*.bak")) == []


def test_a_failed_upgrade_step_leaves_the_version_1_database_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline import schema as module

    path = tmp_path / "db.sqlite3"
    old = store_v1()(path)
    add(old, record())
    old.close()
    broken = module.MIGRATIONS[1].replace("CREATE TABLE label_decisions", "CREATE TABLE users")
    monkeypatch.setattr(module, "MIGRATIONS", ("", broken))
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        Store(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "review_decisions" not in tables  # the step's first statements were rolled back
    db.close()
    monkeypatch.undo()
    with Store(path) as store:  # the fixed software upgrades it
        assert store.version() == SCHEMA_VERSION
        assert store.filed_per_bloc("10005682603") == {1: 1}


def test_a_database_newer_than_the_software_is_refused(tmp_path: Path) -> None:
    from attest_pipeline.errors import ConfigError

    path = tmp_path / "db.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ConfigError, match="newer than this attest-pipeline"):
        Store(path)


def test_tables_added_with_create_if_not_exists_still_work(tmp_path: Path) -> None:
    from attest_pipeline import schema as module

    path = tmp_path / "db.sqlite3"
    Store(path).close()
    extended = module.BASE_SCHEMA + "CREATE TABLE IF NOT EXISTS extra (id INTEGER PRIMARY KEY);\n"
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(module, "BASE_SCHEMA", extended)
        with Store(path) as store:
            store.db.execute("INSERT INTO extra (id) VALUES (1)")
            assert store.version() == SCHEMA_VERSION


def test_two_processes_opening_a_version_1_database_at_once_upgrade_it_once(
    tmp_path: Path,
) -> None:
    import threading

    path = tmp_path / "db.sqlite3"
    old = store_v1()(path)
    add(old, record())
    old.close()
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store(path).close()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(path) as store:
        assert store.version() == SCHEMA_VERSION
        assert store.db.execute("SELECT COUNT(*) FROM dossier_entries").fetchone()[0] == 1
    assert [p.name for p in tmp_path.iterdir() if "bak" in p.name] == ["db.sqlite3.v1.bak"]
