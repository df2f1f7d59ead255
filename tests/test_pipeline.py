"""End to end: PDFs dropped into a temporary inbox, `run`, then dossiers, review,
quarantine, the archive and the journal are inspected."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.config import PluginSettings, load_config
from attest_pipeline.models import Status
from attest_pipeline.pipeline import Busy, Pipeline
from attest_pipeline.registry import load_registry
from attest_pipeline.testing import make_pdf
from tests.conftest import TEST_PLUGINS, write_config

ANDPC = """Agence nationale du Développement Professionnel Continu
Organisme DPC n° 1234 - FormaMed
ATTESTATION DE PARTICIPATION
Je soussigné, certifie que le Dr {name}, RPPS : {rpps},
a participé à l'action de DPC n° {action}, session 2,
{nature} : {title}
qui s'est déroulée du 12 au 14 mars 2025.
Fait à Lyon, le 20/03/2025"""


def andpc(
    name: str = "Jean-Pierre DUPONT",
    rpps: str = "10005682603",
    action: str = "12345678901",
    nature: str = "Formation continue",
    title: str = "Prise en charge de l'asthme",
) -> bytes:
    return make_pdf([ANDPC.format(name=name, rpps=rpps, action=action, nature=nature, title=title)])


def per_page(name: str, date_text: str = "12/03/2025") -> str:
    return f"ORGANISME TEST PAR PAGE\nParticipant : {name}\nDate : {date_text}"


@pytest.fixture
def workspace(tmp_path: Path, roster: Path) -> Path:
    write_config(
        tmp_path, roster, plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 2.0}, run={"jobs": 2}
    )
    return tmp_path


def pipeline(root: Path, **kwargs: object) -> Pipeline:
    config = load_config(root / "config.toml")
    registry = load_registry(config.plugins, disabled=["raising"])
    return Pipeline(config, registry, today=date(2026, 11, 22), **kwargs)  # type: ignore[arg-type]


def drop(root: Path, name: str, data: bytes) -> bytes:
    (root / "inbox" / name).write_bytes(data)
    return data


def files_under(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def journal(root: Path) -> list[tuple[str, dict[str, object]]]:
    db = sqlite3.connect(root / "state" / "attest.sqlite3")
    rows = db.execute("SELECT event, detail FROM journal ORDER BY id").fetchall()
    return [(event, json.loads(detail)) for event, detail in rows]


def test_every_input_ends_up_somewhere_byte_for_byte(workspace: Path) -> None:
    inputs = {
        "good.pdf": drop(workspace, "good.pdf", andpc()),
        "unknown.pdf": drop(
            workspace, "unknown.pdf", andpc(name="Paul INCONNU", rpps="10023456782")
        ),
        "invoice.pdf": drop(workspace, "invoice.pdf", make_pdf(["Facture n° 12\nTotal TTC"])),
        "empty.pdf": drop(workspace, "empty.pdf", b""),
        "photo.jpg": drop(workspace, "photo.jpg", b"\xff\xd8\xff\xe0 jpeg"),
        "broken.pdf": drop(workspace, "broken.pdf", andpc()[:300]),
    }
    summary = pipeline(workspace).run()
    assert summary.documents == 6
    assert summary.count(Status.FILE) == 1
    assert summary.count(Status.REVIEW) == 2
    assert summary.count(Status.REJECT) == 3
    assert files_under(workspace / "inbox") == {}
    assert files_under(workspace / "state" / "work") == {}

    dossiers = files_under(workspace / "dossiers")
    (filed,) = [k for k in dossiers if k.endswith(".pdf")]
    assert filed.startswith("10005682603_DUPONT_Jean-Pierre/2025-03-12_1A_")
    assert dossiers[filed] == inputs["good.pdf"]
    sidecar = json.loads(dossiers[filed + ".json"])
    assert sidecar["status"] == "file" and sidecar["bloc"] == 1 and sidecar["action"] == "A"

    review = files_under(workspace / "review")
    assert sorted(
        json.loads(v)["reasons"][0] for k, v in review.items() if k.endswith(".json")
    ) == ["no_plugin", "unknown_participant"]
    quarantine = files_under(workspace / "quarantine")
    reasons = sorted(
        json.loads(v)["reasons"][0] for k, v in quarantine.items() if k.endswith(".json")
    )
    assert reasons == ["corrupt", "empty", "unsupported_type"]

    everywhere = {**dossiers, **review, **quarantine}
    archive = files_under(workspace / "state" / "archive")
    for data in inputs.values():
        assert data in everywhere.values()
        digest = hashlib.sha256(data).hexdigest()
        assert any(digest in name and content == data for name, content in archive.items())

    events = [event for event, _ in journal(workspace)]
    assert events.count("received") == 6
    assert events.count("file") == 1 and events.count("reject") == 3
    log = (workspace / "state" / "journal.log").read_text()
    assert "unknown_participant" in log and "good.pdf" in log


def test_a_pdf_with_several_attestations_is_split(workspace: Path) -> None:
    original = drop(
        workspace,
        "congress.pdf",
        make_pdf(
            [
                per_page("Jean-Pierre DUPONT"),
                per_page("Claire MARTIN"),
                per_page("Paul NOBODY"),
            ]
        ),
    )
    summary = pipeline(workspace).run()
    assert summary.documents == 1
    assert summary.count(Status.FILE) == 2 and summary.count(Status.REVIEW) == 1
    dossiers = files_under(workspace / "dossiers")
    pdfs = sorted(k for k in dossiers if k.endswith(".pdf"))
    assert pdfs[0].startswith("10005682603_DUPONT_Jean-Pierre/") and pdfs[0].endswith("_p1.pdf")
    assert pdfs[1].startswith("10101010105_MARTIN_Claire/") and pdfs[1].endswith("_p2.pdf")
    from pypdf import PdfReader

    for name in pdfs:
        assert len(PdfReader(workspace / "dossiers" / name).pages) == 1
    review = files_under(workspace / "review")
    assert any(k.endswith("_p3.pdf") for k in review)
    digest = hashlib.sha256(original).hexdigest()
    assert files_under(workspace / "state" / "archive")[f"{digest[:2]}/{digest}.pdf"] == original


def test_duplicates_same_bytes_and_reissued(workspace: Path) -> None:
    drop(workspace, "a.pdf", andpc())
    pipeline(workspace).run()
    drop(workspace, "a-again.pdf", andpc())
    drop(
        workspace,
        "a-reissued.pdf",
        make_pdf(
            [
                ANDPC.format(
                    name="DUPONT Jean-Pierre",
                    rpps="10005682603",
                    action="12345678901",
                    nature="Formation continue",
                    title="Prise en charge de l'asthme",
                )
                + "\nDuplicata"
            ]
        ),
    )
    summary = pipeline(workspace).run()
    assert summary.count(Status.DUPLICATE) == 2
    assert summary.reasons == {"duplicate": 1, "duplicate_attestation": 1}
    events = journal(workspace)
    duplicates = [d for e, d in events if e == "duplicate"]
    assert all("#1" in str(d["duplicate_of"]) for d in duplicates)
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM dossier_entries").fetchone() == (1,)


def test_allocation_picks_the_bloc_the_dossier_needs(workspace: Path) -> None:
    relation = {
        "nature": "Évaluation des pratiques professionnelles",
        "title": "Améliorer la communication avec le patient",
    }
    drop(workspace, "one.pdf", andpc(action="11111111111", **relation))
    pipeline(workspace).run()
    drop(workspace, "two.pdf", andpc(action="22222222222", **relation))
    pipeline(workspace).run()
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    rows = db.execute("SELECT bloc, action FROM dossier_entries ORDER BY id").fetchall()
    assert rows == [(3, "A"), (2, "A")]


def test_extract_changes_nothing(workspace: Path) -> None:
    drop(workspace, "a.pdf", andpc())
    drop(workspace, "b.pdf", b"")
    before = files_under(workspace)
    records = list(
        pipeline(workspace).extract([workspace / "inbox" / "a.pdf", workspace / "inbox" / "b.pdf"])
    )
    assert [r.status for r in records] == [Status.FILE, Status.REJECT]
    assert records[0].source == str(workspace / "inbox" / "a.pdf")
    assert files_under(workspace) == before
    assert not (workspace / "state").exists()


def test_extract_sees_duplicates_against_what_is_filed(workspace: Path) -> None:
    drop(workspace, "a.pdf", andpc())
    pipeline(workspace).run()
    copy = workspace / "copy.pdf"
    copy.write_bytes(andpc())
    (record,) = pipeline(workspace).extract([copy])
    assert record.status is Status.DUPLICATE


def test_an_interrupted_run_is_finished_by_the_next(workspace: Path) -> None:
    data = andpc()
    work = workspace / "state" / "work"
    work.mkdir(parents=True)
    (work / "0123abcd__left-over.pdf").write_bytes(data)
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 1
    assert files_under(work) == {}
    assert data in files_under(workspace / "dossiers").values()


def test_a_claim_already_committed_is_only_released(workspace: Path) -> None:
    drop(workspace, "a.pdf", andpc())
    pipeline(workspace).run()
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    (claim,) = db.execute("SELECT claim FROM documents").fetchone()
    leftover = workspace / "state" / "work" / f"{claim}__a.pdf"
    leftover.write_bytes(andpc())
    summary = pipeline(workspace).run()
    assert summary.documents == 0
    assert not leftover.exists()
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (1,)


def test_a_hanging_plugin_costs_one_document(workspace: Path) -> None:
    drop(workspace, "hang.pdf", make_pdf(["HANG"]))
    drop(workspace, "good.pdf", andpc())
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 1
    assert summary.reasons == {"plugin_error": 1}
    (sidecar,) = [
        json.loads(v) for k, v in files_under(workspace / "review").items() if k.endswith(".json")
    ]
    assert "hanging.identify took longer than" in sidecar["details"][0]["detail"]


def test_a_raising_plugin_costs_one_document(workspace: Path) -> None:
    config = load_config(workspace / "config.toml")
    registry = load_registry(config.plugins, disabled=["hanging"])
    drop(workspace, "raise.pdf", make_pdf(["RAISE IN EXTRACT"]))
    drop(workspace, "good.pdf", andpc())
    summary = Pipeline(config, registry, today=date(2026, 11, 22)).run()
    assert summary.count(Status.FILE) == 1
    assert summary.reasons == {"plugin_error": 1}


def test_a_second_process_finds_the_state_locked(workspace: Path) -> None:
    first = pipeline(workspace)
    with first.session(), pytest.raises(Busy, match="another attest process"):
        pipeline(workspace).session()


def test_the_journal_is_append_only(workspace: Path) -> None:
    drop(workspace, "a.pdf", andpc())
    pipeline(workspace).run()
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE journal SET event = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM journal")


def test_builtin_plugins_alone_file_a_dpc_attestation(tmp_path: Path, roster: Path) -> None:
    write_config(tmp_path, roster)
    config = load_config(tmp_path / "config.toml")
    registry = load_registry(PluginSettings(entry_points=False))
    drop(tmp_path, "a.pdf", andpc())
    summary = Pipeline(config, registry).run()
    assert summary.count(Status.FILE) == 1


SCANNED = Path(__file__).resolve().parent.parent / "samples" / "scanned"
SAMPLE_ROSTER = SCANNED.parent / "roster.csv"


def test_a_scanned_attestation_is_read_by_ocr_and_filed(tmp_path: Path) -> None:
    write_config(tmp_path, SAMPLE_ROSTER, run={"jobs": 1})
    sample = SCANNED / "andpc_02_grid_audit_clinique_suivi.pdf"
    (expected,) = json.loads(sample.with_suffix(".json").read_text())["attestations"]
    drop(tmp_path, "scan.pdf", sample.read_bytes())
    drop(tmp_path, "text.pdf", andpc(rpps="10432860582"))  # DUPONT of the sample roster
    summary = pipeline(tmp_path).run()
    assert summary.count(Status.FILE) == 2, summary.to_json()
    sidecars = [
        json.loads(v) for k, v in files_under(tmp_path / "dossiers").items() if k.endswith(".json")
    ]
    by_ocr = {s["ocr"]: s for s in sidecars}
    assert by_ocr[True]["participant"]["rpps"] == expected["participant"]["rpps"]
    assert (by_ocr[True]["start"], by_ocr[True]["end"]) == (expected["start"], expected["end"])
    assert by_ocr[False]["ocr"] is False


def test_without_the_ocr_language_a_scan_waits_in_review(tmp_path: Path) -> None:
    write_config(tmp_path, SAMPLE_ROSTER, ocr={"language": "xyz"})
    drop(
        tmp_path,
        "scan.pdf",
        (SCANNED / "andpc_01_letter_prise_charge_insuffisance.pdf").read_bytes(),
    )
    summary = pipeline(tmp_path).run()
    assert summary.reasons == {"ocr_unavailable": 1}
    (sidecar,) = [
        json.loads(v) for k, v in files_under(tmp_path / "review").items() if k.endswith(".json")
    ]
    assert "apt-get install" in sidecar["details"][0]["detail"]


def test_with_ocr_disabled_a_scan_is_quarantined_as_no_text(tmp_path: Path) -> None:
    write_config(tmp_path, SAMPLE_ROSTER, ocr={"enabled": False})
    drop(
        tmp_path,
        "scan.pdf",
        (SCANNED / "andpc_01_letter_prise_charge_insuffisance.pdf").read_bytes(),
    )
    summary = pipeline(tmp_path).run()
    assert summary.reasons == {"no_text": 1}
    assert summary.count(Status.REJECT) == 1


def test_a_scan_pasted_under_a_typed_header_is_read_by_ocr(tmp_path: Path, roster: Path) -> None:
    from tests.test_reading import pasted_scan

    write_config(tmp_path, roster, run={"jobs": 1})
    pdf = tmp_path / "pasted.pdf"
    pdf.write_bytes(pasted_scan())
    (record,) = pipeline(tmp_path).extract([str(pdf)])
    assert record.ocr
    assert record.rpps == "10101010105", record.problems
    assert (record.start, record.end) == (date(2025, 3, 12), date(2025, 3, 14))
