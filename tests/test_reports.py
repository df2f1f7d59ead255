from __future__ import annotations

from datetime import date
from pathlib import Path

from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.reports import dossier, format_dossier, format_records, status, table
from attest_pipeline.store import DocumentRow, Store


def filed(store: Store, bloc: int, action: str, labellisation: str, claim: str) -> None:
    record = Record(
        source="a.pdf",
        sha256=claim * 8,
        pages=(1,),
        status=Status.FILE,
        rpps="10005682603",
        last_name="DUPONT",
        first_name="Jean",
        start=date(2025, 1, 1),
        end=date(2025, 1, 2),
        chosen=Candidate(bloc, action, labellisation),
    )
    with store.transaction():
        document = store.add_document(DocumentRow(claim, "a.pdf", claim * 8, 1, 1, "file", "x"))
        attestation = store.add_attestation(document, record, "/d/a.pdf")
        store.add_physician(Physician("10005682603", "DUPONT", "Jean"), "folder")
        store.add_dossier_entry(attestation, record, "/d/a.pdf")


def test_progress_counts_de_fait_and_pending_separately(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        for i, (bloc, action, label) in enumerate(
            [
                (1, "A", "de_fait"),
                (1, "B", "a_demander"),
                (1, "D", "de_fait"),
                (2, "A", "de_fait"),
                (2, "A", "de_fait"),
                (3, "A", "de_fait"),
                (3, "A", "de_fait"),
                (4, "E", "de_fait"),
            ]
        ):
            filed(store, bloc, action, label, f"c{i}")
        data = dossier(store, "10005682603")
        assert data is not None
        assert data["blocs"]["1"] == {"counted": 2, "pending": 1, "required": 2}
        assert data["blocs"]["4"]["counted"] == 1
        assert data["complete"] is False
        filed(store, 4, "B", "de_fait", "c9")
        complete = dossier(store, "10005682603")
        assert complete is not None and complete["complete"] is True
        text = format_dossier(complete)
        assert "bloc 1: 2/2 ok (+1 pending labellisation)" in text
        assert "à demander (pending)" in text
        overview = status(store)
        assert overview["physicians"][0]["pending_labellisations"] == 1
        assert dossier(store, "10101010105") is None


def test_table_aligns_columns() -> None:
    assert table(["a", "bb"], [["xxx", "y"]]).splitlines() == ["a    bb", "---  --", "xxx  y"]


def test_format_records_shows_status_and_reasons() -> None:
    record = Record(source="x.pdf", sha256="0", pages=(1, 2), status=Status.REJECT)
    assert "x.pdf  1,2    reject" in format_records([record])
