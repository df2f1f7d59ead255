from __future__ import annotations

from datetime import date

import pytest

from attest_pipeline.errors import NotFound
from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.reports import (
    dossier,
    format_dossier,
    format_records,
    format_status,
    status,
    table,
)
from attest_pipeline.service import Workspace
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


def test_progress_counts_de_fait_and_pending_separately(office: Workspace) -> None:
    with office.store() as store:
        for i, (bloc, action, label) in enumerate(
            [
                (1, "B", "a_demander"),
                (1, "D", "de_fait"),
                (2, "A", "de_fait"),
                (3, "A", "de_fait"),
                (3, "A", "de_fait"),
                (4, "E", "de_fait"),
            ]
        ):
            filed(store, bloc, action, label, f"c{i}")
    data = dossier(office, "10005682603")
    assert data["blocs"]["1"]["counted"] == 2 and data["blocs"]["1"]["pending"] == 1
    assert data["blocs"]["4"]["counted"] == 1
    assert data["complete"] is False
    with office.store() as store:
        filed(store, 4, "B", "de_fait", "c9")
    complete = dossier(office, "10005682603")
    assert complete["complete"] is True
    text = format_dossier(complete)
    assert "bloc 1: 2/2 ok (+1 pending labellisation)" in text
    assert "à demander (pending)" in text
    overview = status(office)
    assert overview["physicians"][0]["pending_labellisations"] == 1
    with pytest.raises(NotFound, match="no dossier for RPPS 10000000074"):
        dossier(office, "10000000074")
    assert "bloc 2: 2 actions" in format_dossier(dossier(office, "10101010105"))
    assert "[2] b.pdf" in format_status(overview)


def test_table_aligns_columns() -> None:
    assert table(["a", "bb"], [["xxx", "y"]]).splitlines() == ["a    bb", "---  --", "xxx  y"]


def test_format_records_shows_status_and_reasons() -> None:
    record = Record(source="x.pdf", sha256="0", pages=(1, 2), status=Status.QUARANTINE)
    # People read the word of the summaries; --json keeps the stable value "reject".
    assert "x.pdf  1,2    quarantine" in format_records([record])
    assert record.to_json()["status"] == "reject"
