"""End to end: PDFs dropped into a temporary inbox, `run`, then dossiers, review,
quarantine, the archive and the journal are inspected."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from attest_pipeline.config import PluginSettings, load_config
from attest_pipeline.errors import UsageError
from attest_pipeline.listing import list_files
from attest_pipeline.models import Status
from attest_pipeline.pipeline import Busy, Pipeline
from attest_pipeline.readiness import is_complete
from attest_pipeline.reading import Uncuttable
from attest_pipeline.registry import load_registry
from attest_pipeline.testing import make_pdf
from tests.conftest import TEST_PLUGINS, attest, write_config
from tests.hostile import per_page as per_page_lines
from tests.hostile import text_pdf

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


def page_texts(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def per_page(name: str, date_text: str = "12/03/2025") -> str:
    return f"ORGANISME TEST PAR PAGE\nParticipant : {name}\nDate : {date_text}"


@pytest.fixture
def workspace(tmp_path: Path, roster: Path) -> Path:
    write_config(
        tmp_path, roster, plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 2.0}, run={"jobs": 2}
    )
    return tmp_path


def hand_over_incomplete_files(root: Path) -> None:
    """Configure the workspace to take incomplete files at once (``unreadable_after = 0``).

    Files dropped by a test are seconds old, where an incomplete file is left for the next
    pass until unchanged for ``[watch] unreadable_after``.
    """
    config = root / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[watch]\n", "[watch]\nunreadable_after = 0\n"), "utf-8")


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
    hand_over_incomplete_files(workspace)
    summary = pipeline(workspace).run()
    assert summary.documents == 6
    assert summary.count(Status.FILE) == 1
    assert summary.count(Status.REVIEW) == 2
    assert summary.count(Status.QUARANTINE) == 3
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


def sidecars(folder: Path) -> list[dict[str, object]]:
    return [json.loads(v) for k, v in sorted(files_under(folder).items()) if k.endswith(".json")]


def limited(root: Path, roster: Path, **limits: object) -> Pipeline:
    write_config(
        root,
        roster,
        plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 60.0},
        limits={"memory": "300MB", **limits},
        run={"jobs": 1},
    )
    return pipeline(root)


@pytest.mark.parametrize("where", ["page_bomb", "metadata_bomb"])
def test_a_decompression_bomb_goes_to_quarantine_too_large(
    tmp_path: Path, roster: Path, where: str
) -> None:
    bomb = text_pdf([per_page_lines("Jean-Pierre DUPONT")], **{where: 1024})
    runner = limited(tmp_path, roster)
    drop(tmp_path, "bomb.pdf", bomb)
    drop(tmp_path, "good.pdf", andpc())
    summary = runner.run()
    assert summary.documents == 2
    assert summary.count(Status.FILE) == 1
    assert summary.count(Status.QUARANTINE) == 1 and summary.reasons == {"too_large": 1}
    quarantined = files_under(tmp_path / "quarantine")
    assert [v for k, v in quarantined.items() if k.endswith(".pdf")] == [bomb]
    (sidecar,) = sidecars(tmp_path / "quarantine")
    assert sidecar["reasons"] == ["too_large"]
    assert "[limits] memory" in str(sidecar["details"])


def test_a_document_over_its_time_limit_goes_to_quarantine_timeout(
    tmp_path: Path, roster: Path
) -> None:
    runner = limited(tmp_path, roster, document_timeout=3)
    drop(tmp_path, "slow.pdf", make_pdf(["HANG"]))
    drop(tmp_path, "good.pdf", andpc())
    summary = runner.run()
    assert summary.count(Status.FILE) == 1
    assert summary.reasons == {"timeout": 1}
    (sidecar,) = sidecars(tmp_path / "quarantine")
    assert sidecar["reasons"] == ["timeout"] and sidecar["source"] == "slow.pdf"
    assert "[limits] document_timeout" in str(sidecar["details"])


HOSTILE_SPLITS = {
    "deep page tree": {"depth": 300},
    "no startxref": {"startxref": False},
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_SPLITS))
def test_a_pdf_pypdf_cannot_read_is_split_like_any_other(
    workspace: Path, kind: str
) -> None:
    pages = [per_page_lines("Jean-Pierre DUPONT"), per_page_lines("Claire MARTIN")]
    original = drop(workspace, "congress.pdf", text_pdf(pages, **HOSTILE_SPLITS[kind]))
    extracted = list(pipeline(workspace).extract([workspace / "inbox" / "congress.pdf"]))
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 2
    filed = sidecars(workspace / "dossiers")
    # The dry run said what the run did.
    assert [(r.status.value, list(r.pages), r.rpps) for r in extracted] == [
        (s["status"], s["pages"], s["participant"]["rpps"]) for s in filed  # type: ignore[index]
    ]
    parts = sorted(k for k in files_under(workspace / "dossiers") if k.endswith(".pdf"))
    assert parts[0].endswith("_p1.pdf") and parts[1].endswith("_p2.pdf")
    for name, person in zip(parts, ("Jean-Pierre DUPONT", "Claire MARTIN"), strict=True):
        (text,) = page_texts((workspace / "dossiers" / name).read_bytes())
        assert person in text
    digest = hashlib.sha256(original).hexdigest()
    assert files_under(workspace / "state" / "archive")[f"{digest[:2]}/{digest}.pdf"] == original


def test_a_pdf_whose_pages_cannot_be_cut_waits_in_review_whole(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attest_pipeline.analysis

    def refuse(data: bytes, groups: object) -> dict[tuple[int, ...], bytes]:
        raise Uncuttable("pages 2: injected failure")

    # Workers are forked from this process: they inherit the replaced function.
    monkeypatch.setattr(attest_pipeline.analysis, "cut_pages", refuse)
    pages = [per_page_lines("Jean-Pierre DUPONT"), per_page_lines("Claire MARTIN")]
    original = drop(workspace, "congress.pdf", text_pdf(pages))
    (extracted,) = pipeline(workspace).extract([workspace / "inbox" / "congress.pdf"])
    drop(workspace, "good.pdf", andpc())
    summary = pipeline(workspace).run()
    assert summary.documents == 2 and summary.count(Status.FILE) == 1
    assert summary.reasons == {"split_failed": 1}
    assert extracted.status is Status.REVIEW and extracted.reasons == ("split_failed",)
    review = files_under(workspace / "review")
    assert [v for k, v in review.items() if k.endswith(".pdf")] == [original]
    (sidecar,) = sidecars(workspace / "review")
    assert "2 attestations found" in str(sidecar["details"])


def test_the_process_filing_never_opens_a_pdf(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pdfplumber
    import pypdf
    import pypdfium2

    parent = os.getpid()

    def guard(original: Any) -> Any:
        def opened_here(*args: object, **kwargs: object) -> object:
            assert os.getpid() != parent, "the filing process opened a PDF"
            return original(*args, **kwargs)

        return opened_here

    # pdfium's own entry points: the reading calls them directly, pypdfium2's helpers too.
    for opening in ("FPDF_LoadMemDocument64", "FPDF_LoadDocument", "FPDF_LoadCustomDocument"):
        monkeypatch.setattr(pypdfium2.raw, opening, guard(getattr(pypdfium2.raw, opening)))
    monkeypatch.setattr(pypdf.PdfReader, "__init__", guard(pypdf.PdfReader.__init__))
    monkeypatch.setattr(pdfplumber, "open", guard(pdfplumber.open))
    pages = [per_page("Jean-Pierre DUPONT"), per_page("Claire MARTIN"), per_page("Paul NOBODY")]
    drop(workspace, "congress.pdf", make_pdf(pages))
    drop(workspace, "good.pdf", andpc())
    drop(workspace, "broken.pdf", andpc()[:300])
    inbox = workspace / "inbox"
    assert [is_complete(p, p.stat().st_size) for p in sorted(inbox.iterdir())] == [
        False,  # broken.pdf
        True,
        True,
    ]
    assert len(list(pipeline(workspace).extract(sorted(inbox.iterdir())))) == 5
    hand_over_incomplete_files(workspace)
    summary = pipeline(workspace).run()
    assert summary.documents == 3
    assert summary.count(Status.FILE) == 3 and summary.count(Status.REVIEW) == 1
    with pytest.raises(AssertionError, match="opened a PDF"):
        pypdfium2.PdfDocument(andpc())  # the guard does see this process's own opening


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


def test_files_are_filed_in_listing_order_whatever_worker_finishes_first(
    workspace: Path,
) -> None:
    # Two workers: the first file listed holds its worker a quarter of a second longer
    # (the slow test plugin), its re-issue listed second is analysed meanwhile; it is still
    # the re-issue.
    first = drop(workspace, "first.pdf", make_pdf([ANDPC.format(
        name="Jean-Pierre DUPONT", rpps="10005682603", action="12345678901",
        nature="Formation continue", title="Prise en charge de l'asthme",
    ) + "\nLENTEMENT"]))
    drop(workspace, "second.pdf", andpc())
    os.utime(workspace / "inbox" / "first.pdf", (1_700_000_000, 1_700_000_000))
    os.utime(workspace / "inbox" / "second.pdf", (1_700_000_100, 1_700_000_100))
    summary = pipeline(workspace).run()
    assert summary.reasons == {"duplicate_attestation": 1}
    events = [(e, d["name"]) for e, d in journal(workspace) if e in ("file", "duplicate")]
    assert events == [("file", "first.pdf"), ("duplicate", "second.pdf")]
    assert first in files_under(workspace / "dossiers").values()


def test_a_hanging_document_does_not_hold_back_those_listed_after_it(
    tmp_path: Path, roster: Path
) -> None:
    workspace = tmp_path
    write_config(
        workspace, roster, plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 6.0}, run={"jobs": 2}
    )
    drop(workspace, "hang.pdf", make_pdf(["HANG"]))
    drop(workspace, "good.pdf", andpc())
    os.utime(workspace / "inbox" / "hang.pdf", (1_700_000_000, 1_700_000_000))
    os.utime(workspace / "inbox" / "good.pdf", (1_700_000_100, 1_700_000_100))
    filed: list[tuple[str, float]] = []
    started = time.monotonic()
    pipeline(workspace).run(on_document=lambda name, _: filed.append((name, time.monotonic())))
    # The hanging plugin holds hang.pdf for its 6 s limit; good.pdf waited a second for its
    # turn, then was filed and committed with its batch (a second more).
    assert [name for name, _ in filed] == ["good.pdf", "hang.pdf"]
    assert filed[0][1] - started < 4.0 < filed[1][1] - started


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
    assert [r.status for r in records] == [Status.FILE, Status.QUARANTINE]
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
    assert summary.count(Status.QUARANTINE) == 1


def test_a_scan_pasted_under_a_typed_header_is_read_by_ocr(tmp_path: Path, roster: Path) -> None:
    from tests.test_reading import pasted_scan

    write_config(tmp_path, roster, run={"jobs": 1})
    pdf = tmp_path / "pasted.pdf"
    pdf.write_bytes(pasted_scan())
    (record,) = pipeline(tmp_path).extract([str(pdf)])
    assert record.ocr
    assert record.rpps == "10101010105", record.problems
    assert (record.start, record.end) == (date(2025, 3, 12), date(2025, 3, 14))


def test_what_is_not_a_regular_file_is_never_followed_but_counted_and_journalled(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = elsewhere / "private.pdf"
    target.write_bytes(andpc())
    inbox = workspace / "inbox"
    (inbox / "link.pdf").symlink_to(target)
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "scans").mkdir()
    (inbox / "scans" / "inner.pdf").write_bytes(andpc(action="22222222222"))
    drop(workspace, "real.pdf", andpc(action="33333333333"))
    summary = pipeline(workspace).run()
    assert summary.documents == 1 and summary.count(Status.FILE) == 1
    assert summary.ignored == {"FIFO": 1, "folder": 1, "symbolic link": 1}
    assert summary.to_json()["ignored"] == summary.ignored
    assert summary.ignored_line() == (
        "left in the inbox, not regular files (never followed): "
        "1 FIFO(s), 1 folder(s), 1 symbolic link(s)"
    )
    # Nothing followed, nothing moved: the link, its target and the folder are as they were.
    assert (inbox / "link.pdf").is_symlink() and target.read_bytes() == andpc()
    assert (inbox / "scans" / "inner.pdf").exists() and (inbox / "pipe.pdf").exists()
    ignored = [detail for event, detail in journal(workspace) if event == "ignored"]
    assert ignored == [
        {"name": "link.pdf", "kind": "symbolic link"},
        {"name": "pipe.pdf", "kind": "FIFO"},
        {"name": "scans", "kind": "folder"},
    ]
    log = (workspace / "state" / "journal.log").read_text(encoding="utf-8")
    assert "ignored   link.pdf [-] - - reasons=- -> ignored: symbolic link" in log
    # The next pass counts them again but journals them once only.
    again = pipeline(workspace).run()
    assert again.ignored == summary.ignored and again.documents == 0
    assert len([e for e, _ in journal(workspace) if e == "ignored"]) == 3
    assert log == (workspace / "state" / "journal.log").read_text(encoding="utf-8")


# ------------------------------------------------- through the command line: counting


TEST_PLUGINS_ONLY_GOOD = ("--disable-plugin", "raising", "--disable-plugin", "hanging")


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``attest run`` in a subprocess on the workspace, the misbehaving test plugins left out."""
    return attest(*TEST_PLUGINS_ONLY_GOOD, "run", *args, cwd=root)


def test_an_attestation_printed_three_times_in_one_pdf_is_one_action(workspace: Path) -> None:
    page = ANDPC.format(
        name="Jean-Pierre DUPONT",
        rpps="10005682603",
        action="12345678901",
        nature="Formation continue",
        title="Prise en charge de l'asthme",
    )
    drop(workspace, "three.pdf", make_pdf([page, page, page]))
    result = run_cli(workspace)
    assert result.returncode == 0, result.stderr
    assert "1 filed" in result.stdout and "2 duplicate(s)" in result.stdout
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM dossier_entries").fetchone() == (1,)
    statuses = db.execute("SELECT pages, status FROM attestations ORDER BY id").fetchall()
    assert statuses == [("[1]", "file"), ("[2]", "duplicate"), ("[3]", "duplicate")]
    duplicates = [d for e, d in journal(workspace) if e == "duplicate"]
    assert [d["pages"] for d in duplicates] == [[2], [3]]
    assert all("page 1 of the same document" in str(d["duplicate_of"]) for d in duplicates)
    filed = [p for p in files_under(workspace / "dossiers") if p.endswith(".pdf")]
    assert len(filed) == 1
    log = (workspace / "state" / "journal.log").read_text()
    assert log.count("duplicate three.pdf") == 2


# --------------------------------------------- through the command line: one bad file


def names_written(root: Path) -> list[bytes]:
    """Every name the pipeline wrote under the workspace's output folders, as bytes."""
    found = []
    for folder in ("dossiers", "review", "quarantine", "state"):
        for _dirpath, dirnames, filenames in os.walk(os.fsencode(root / folder)):
            found.extend(dirnames)
            found.extend(filenames)
    return found


def test_any_file_name_is_filed_and_its_exact_bytes_kept(workspace: Path) -> None:
    names = {
        b"caf\xe9.pdf": andpc(),  # Latin-1, not UTF-8
        b"x" * 230 + b".pdf": andpc(name="Claire MARTIN", rpps="10101010105"),
        "𠀀".encode() * 62 + b".pdf": andpc(name="Paul INCONNU", rpps="10023456782"),
        "é".encode() * 125 + b".jpg": b"\xff\xd8\xff\xe0 a photo",  # 254 bytes
    }
    inbox = os.fsencode(workspace / "inbox")
    for name, data in names.items():
        with open(os.path.join(inbox, name), "wb") as handle:
            handle.write(data)
    result = run_cli(workspace)
    assert result.returncode == 0, result.stderr
    assert "4 document(s)" in result.stdout
    assert "2 filed, 1 to review, 1 in quarantine" in result.stdout
    assert os.listdir(inbox) == [] and not list((workspace / "state" / "work").iterdir())
    assert all(len(name) <= 255 for name in names_written(workspace))
    # Byte for byte somewhere, and the exact original name in the journal and the sidecars.
    outputs = {
        **files_under(workspace / "dossiers"),
        **files_under(workspace / "review"),
        **files_under(workspace / "quarantine"),
    }
    sidecars = [json.loads(v) for k, v in outputs.items() if k.endswith(".json")]
    assert {bytes.fromhex(s["original_name"]) for s in sidecars} == set(names)
    for data in names.values():
        assert data in outputs.values()
    received = [d for e, d in journal(workspace) if e == "received"]
    assert {bytes.fromhex(str(d["original_name"])) for d in received} == set(names)
    assert "caf\ufffd.pdf" in {d["name"] for d in received}
    log = (workspace / "state" / "journal.log").read_text(encoding="utf-8")
    assert "caf\ufffd.pdf" in log


def test_a_document_whose_filing_fails_is_quarantined_and_the_run_goes_on(
    workspace: Path,
) -> None:
    # A regular file where DUPONT's dossier folder must be created: filing him fails.
    (workspace / "dossiers").mkdir()
    (workspace / "dossiers" / "10005682603_DUPONT_Jean-Pierre").write_text("in the way")
    drop(workspace, "dupont.pdf", andpc())
    drop(workspace, "martin.pdf", andpc(name="Claire MARTIN", rpps="10101010105"))
    result = run_cli(workspace)
    assert result.returncode == 0, result.stderr
    assert "1 filed, 0 to review, 1 in quarantine" in result.stdout
    assert "filing_failed: 1" in result.stdout
    assert files_under(workspace / "inbox") == {}
    assert files_under(workspace / "state" / "work") == {}
    quarantined = files_under(workspace / "quarantine")
    assert andpc() in quarantined.values()
    (sidecar,) = [json.loads(v) for k, v in quarantined.items() if k.endswith(".json")]
    assert sidecar["reasons"] == ["filing_failed"] and sidecar["source"] == "dupont.pdf"
    assert "10005682603_DUPONT_Jean-Pierre" in sidecar["details"][0]["detail"]
    events = journal(workspace)
    assert any(e == "internal_error" and "Traceback" in str(d["trace"]) for e, d in events)
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    rows = db.execute("SELECT name, outcome FROM documents ORDER BY name").fetchall()
    assert rows == [("dupont.pdf", "reject"), ("martin.pdf", "file")]
    # Nothing of the failed filing is left half-done: no attestation row, no stray file.
    assert db.execute("SELECT COUNT(*) FROM dossier_entries").fetchone() == (1,)
    assert not [p for p in names_written(workspace) if p.endswith(b".part")]
    # The next run finds nothing left to do.
    again = run_cli(workspace)
    assert again.returncode == 0 and "0 document(s)" in again.stdout


def test_a_claim_that_no_run_finishes_is_set_aside_after_three_runs(
    tmp_path: Path, roster: Path
) -> None:
    # A plugin that never returns, with no time limit to stop it: each run is killed
    # (as the OOM killer or a closed SSH session would) while the document is in progress.
    write_config(tmp_path, roster, plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 600.0})
    drop(tmp_path, "never.pdf", make_pdf(["HANG"]))
    drop(tmp_path, "later.pdf", andpc())
    work = tmp_path / "state" / "work"
    command = [sys.executable, "-m", "attest_pipeline", "--disable-plugin", "raising", "run"]
    for attempt in (1, 2, 3):
        process = subprocess.Popen(
            command, cwd=tmp_path, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not (
                [p for p in work.glob("*__never.pdf")] if work.is_dir() else []
            ) or (attempt > 1 and not _attempts_are(work, attempt)):
                assert time.monotonic() < deadline, f"run {attempt} never claimed the file"
                time.sleep(0.05)
            # Inside the plugin now; the other document, held a second (HOLD_SECONDS) for
            # its turn, then filed, is committed meanwhile.
            time.sleep(3.5)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    result = run_cli(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 document(s)" in result.stdout and "repeated_failure: 1" in result.stdout
    assert files_under(work) == {}
    assert andpc() in files_under(tmp_path / "dossiers").values()
    quarantined = files_under(tmp_path / "quarantine")
    assert make_pdf(["HANG"]) in quarantined.values()
    (sidecar,) = [json.loads(v) for k, v in quarantined.items() if k.endswith(".json")]
    assert sidecar["reasons"] == ["repeated_failure"] and sidecar["source"] == "never.pdf"
    assert "started 3 times" in sidecar["details"][0]["detail"]


def _attempts_are(work: Path, attempts: int) -> bool:
    return any(p.read_text() == str(attempts) for p in work.glob(".*.attempts"))


# ------------------------------------ through the command line: files still being written


def test_an_incomplete_file_is_quarantined_once_unchanged_though_files_are_read_early(
    tmp_path: Path, roster: Path
) -> None:
    # A file read before its claim gets a second name, which changes its change time: an
    # incomplete file is not read early, or its wait would start again at every run.
    write_config(
        tmp_path, roster, run={"jobs": 1}, watch={"quiet_period": 0.5, "unreadable_after": 1.0}
    )
    drop(tmp_path, "whole.pdf", andpc())
    broken = drop(tmp_path, "broken.pdf", andpc()[:300])
    time.sleep(1.2)  # unchanged for longer than unreadable_after
    summary = pipeline(tmp_path).run()
    assert summary.documents == 2 and summary.writing == 0
    assert summary.count(Status.FILE) == 1 and summary.count(Status.QUARANTINE) == 1
    assert broken in files_under(tmp_path / "quarantine").values()


def test_an_inbox_larger_than_the_look_ahead_is_filed_whole(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attest_pipeline.readiness as readiness

    # Three files first looked at ahead of their turn at most: the others a claim later.
    monkeypatch.setattr(readiness, "LOOK_AHEAD", 3)
    monkeypatch.setattr(readiness, "CLAIMS_PER_SECOND", 0)
    dropped = {drop(workspace, f"{n}.pdf", andpc(action=f"{12345600100 + n}")) for n in range(8)}
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 8 and summary.writing == 0
    assert set(files_under(workspace / "dossiers").values()) >= dropped
    assert os.listdir(workspace / "inbox") == []


def test_a_second_name_left_by_a_killed_run_is_removed_by_the_next(workspace: Path) -> None:
    work = workspace / "state" / "work"
    work.mkdir(parents=True)
    data = drop(workspace, "a.pdf", andpc())
    os.link(workspace / "inbox" / "a.pdf", work / ".0123abcd.peek")  # killed while reading
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 1
    assert data in files_under(workspace / "dossiers").values()
    assert os.listdir(work) == []


def test_a_batch_is_committed_only_once_its_syncs_succeeded(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import attest_pipeline.filing as filing

    def failing(path: Path) -> None:
        raise OSError(errno.EIO, "Input/output error", str(path))

    data = drop(workspace, "a.pdf", andpc())
    with monkeypatch.context() as patch:
        patch.setattr(filing, "_sync_file", failing)
        with pytest.raises(OSError, match="Input/output error"):
            pipeline(workspace).run()
    db = sqlite3.connect(workspace / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)
    assert files_under(workspace / "dossiers") == {}  # its files removed with its rows
    assert [p.name for p in (workspace / "state" / "work").glob("*__a.pdf")]  # still claimed
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 1
    assert data in files_under(workspace / "dossiers").values()
    assert os.listdir(workspace / "state" / "work") == []


def test_files_read_during_the_quiet_period_are_filed_with_the_bytes_read(
    tmp_path: Path, roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers read the files while the run waits out the quiet period; a file written
    # again meanwhile, in place, its size and time kept (the claim cannot tell), is never
    # filed with what was read before.
    write_config(tmp_path, roster, run={"jobs": 1}, watch={"quiet_period": 1.0})
    before, after = andpc(action="11111111111"), andpc(action="22222222222")
    assert len(before) == len(after)
    drop(tmp_path, "other.pdf", andpc(rpps="10001234567", action="33333333333"))
    path = tmp_path / "inbox" / "a.pdf"
    path.write_bytes(before)
    import attest_pipeline.pipeline as module

    claim = module.claim

    def written_again(source: Path, work: Path, expected: object = None) -> object:
        if source == path:
            info = source.stat()
            with open(source, "r+b") as handle:
                handle.write(after)
            os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))
        return claim(source, work, expected)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(module, "claim", written_again)
        summary = pipeline(tmp_path).run()
    assert summary.documents + summary.writing == 2
    assert os.listdir(tmp_path / "state" / "work") == []  # no claim, no second name left
    pipeline(tmp_path).run()
    filed = files_under(tmp_path / "dossiers")
    assert after in filed.values() and before not in filed.values()
    sidecars = [json.loads(v) for k, v in filed.items() if k.endswith(".json")]
    assert {s["sha256"] for s in sidecars if s["source"] == "a.pdf"} == {
        hashlib.sha256(after).hexdigest()
    }
    assert [s["reference"] for s in sidecars if s["source"] == "a.pdf"] == ["22222222222"]
    assert os.listdir(tmp_path / "inbox") == []


def test_run_leaves_a_file_still_being_written_for_the_next_pass(
    tmp_path: Path, roster: Path
) -> None:
    write_config(tmp_path, roster, watch={"quiet_period": 0.5})
    drop(tmp_path, "ready.pdf", andpc(action="11111111111"))
    data = andpc(action="22222222222")
    slow = tmp_path / "inbox" / "scanning.pdf"

    def scanner() -> None:
        with open(slow, "wb") as handle:
            # About 6 s of writing: longer than a run takes to start, even on a busy machine.
            for start in range(0, len(data), 30):
                handle.write(data[start : start + 30])
                handle.flush()
                time.sleep(0.1)

    writer = threading.Thread(target=scanner)
    writer.start()
    try:
        time.sleep(0.3)
        result = attest("run", cwd=tmp_path)
    finally:
        writer.join()
    assert result.returncode == 0, result.stderr
    assert "1 document(s)" in result.stdout and "1 filed" in result.stdout
    assert "1 still being written, left for the next pass" in result.stdout
    assert files_under(tmp_path / "quarantine") == {}
    assert slow.read_bytes() == data
    again = attest("run", "--json", cwd=tmp_path)
    assert json.loads(again.stdout)["filed"] == 1
    assert data in files_under(tmp_path / "dossiers").values()


WRITER = """
import os, sys, time
path, data = sys.argv[1], bytes.fromhex(sys.argv[2])
with open(path, "wb") as handle:
    handle.write(data)
    handle.flush()
    print("written", flush=True)
    while os.path.exists(path):  # until claimed
        time.sleep(0.01)
    handle.write(b"% the scanner's last page\\n")
"""


def test_a_file_written_to_after_its_claim_is_put_back_with_its_writer(
    tmp_path: Path, roster: Path
) -> None:
    # The hanging plugin holds the document for its 2 s time limit: time for the writer,
    # which still has the file open, to write again after the claim.
    write_config(
        tmp_path, roster,
        plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 2.0}, watch={"quiet_period": 0.2},
    )
    data = make_pdf([ANDPC.format(
        name="Jean-Pierre DUPONT", rpps="10005682603", action="12345678901",
        nature="Formation continue", title="HANG",
    )])
    path = tmp_path / "inbox" / "open.pdf"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), data.hex()], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
    time.sleep(0.3)
    result = attest("--disable-plugin", "raising", "run", cwd=tmp_path)
    assert writer.wait(30) == 0
    assert result.returncode == 0, result.stderr
    assert "0 document(s)" in result.stdout
    assert "1 still being written, left for the next pass" in result.stdout
    # The writer's last bytes are in the inbox file, the only copy: nothing was filed.
    assert path.read_bytes() == data + b"% the scanner's last page\n"
    assert files_under(tmp_path / "state" / "work") == {}
    assert files_under(tmp_path / "review") == {} and files_under(tmp_path / "quarantine") == {}
    db = sqlite3.connect(tmp_path / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)


# ----------------------------------------------- through the command line: a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (root only): real ENOSPC, not a mock."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            if os.environ.get("CI"):
                pytest.fail(f"a tmpfs cannot be mounted here: {done.stderr.strip()}")
            pytest.skip(f"a tmpfs cannot be mounted here (root needed): {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def grow(disk: Path) -> None:
    """Free space on the small disk (a secretariat emptying it)."""
    subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)


def big_attestation(action: str) -> bytes:
    """A 600 kB attestation (an incompressible attachment beside its text)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(andpc(action=action))))
    writer.add_attachment("scan.bin", os.urandom(600_000))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def part_files(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.rglob("*") if p.name.endswith(".part")]


def test_a_full_disk_stops_the_claim_copy_cleanly_and_loses_nothing(
    tmp_path: Path, roster: Path, small_disk: Callable[[str], Path]
) -> None:
    # The inbox on one file system, everything else on a small one: claims are copies.
    disk = small_disk("300k")
    outputs = {name: str(disk / name) for name in ("dossiers", "review", "quarantine", "state")}
    write_config(tmp_path, roster, paths=outputs)
    small = drop(tmp_path, "small.pdf", andpc(action="11111111111"))
    time.sleep(0.05)
    big = drop(tmp_path, "big.pdf", big_attestation("22222222222"))
    result = attest("run", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("attest: no space left on a disk") and "nothing is lost" in line
    assert "Traceback" not in result.stderr
    # No truncated copy anywhere: the big file is still in the inbox, whole.
    assert (tmp_path / "inbox" / "big.pdf").read_bytes() == big
    assert part_files(disk, tmp_path / "inbox") == []
    assert [p.name for p in (disk / "state" / "work").iterdir() if "big" in p.name] == []
    assert files_under(disk / "quarantine") == {}
    grow(disk)
    again = attest("run", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    filed = files_under(disk / "dossiers")
    assert small in filed.values() and big in filed.values()
    assert files_under(disk / "quarantine") == {} and files_under(disk / "review") == {}
    assert files_under(tmp_path / "inbox") == {} and files_under(disk / "state" / "work") == {}
    db = sqlite3.connect(disk / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (2,)


def test_a_full_disk_while_filing_rolls_back_and_keeps_the_claim(
    tmp_path: Path, roster: Path, small_disk: Callable[[str], Path]
) -> None:
    # Everything on one small disk: the claim is a rename, the archive copy does not fit.
    disk = small_disk("1m")
    folders = ("inbox", "dossiers", "review", "quarantine", "state")
    write_config(tmp_path, roster, paths={name: str(disk / name) for name in folders})
    (disk / "inbox").mkdir()
    big = big_attestation("33333333333")
    (disk / "inbox" / "big.pdf").write_bytes(big)
    result = attest("run", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no space left on a disk" in result.stderr and "Traceback" not in result.stderr
    (claimed,) = (disk / "state" / "work").glob("*__big.pdf")
    assert claimed.read_bytes() == big
    assert part_files(disk) == []
    assert files_under(disk / "state" / "archive") == {}
    for name in ("dossiers", "review", "quarantine"):
        assert files_under(disk / name) == {}, name
    db = sqlite3.connect(disk / "state" / "attest.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)
    db.close()
    grow(disk)
    again = attest("run", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "1 filed" in again.stdout
    assert big in files_under(disk / "dossiers").values()
    assert files_under(disk / "state" / "work") == {}


# ------------------------------------------------ through the command line: checking


QUALIOPI = """Attestation de fin de formation
Organisme de formation certifié Qualiopi
Participant : {name}
RPPS : 10101010105
Formation : Prise en charge de l'asthme
Du 12/03/2025 au 13/03/2025"""


def test_a_name_that_disagrees_with_the_rpps_holder_is_never_filed_to_them(
    workspace: Path,
) -> None:
    # 10101010105 is MARTIN Claire's RPPS; only her own name may file under it.
    names = {"dupont": "DUPONT", "con": "CON", "long": "X" * 300, "digits": "12345"}
    for key, name in names.items():
        drop(workspace, f"{key}.pdf", make_pdf([QUALIOPI.format(name=name)]))
    drop(workspace, "martin.pdf", make_pdf([QUALIOPI.format(name="MARTIN")]))
    result = run_cli(workspace, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["filed"] == 1 and summary["review"] == 4
    assert summary["reasons"] == {"participant_mismatch": 4}
    filed = files_under(workspace / "dossiers")
    assert [k for k in filed if k.endswith(".pdf")] and all(
        k.startswith("10101010105_MARTIN_Claire/") for k in filed
    )
    assert make_pdf([QUALIOPI.format(name="MARTIN")]) in filed.values()


LIMITED = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
os.execv(sys.executable, [sys.executable, "-m", "attest_pipeline", *sys.argv[2:]])
"""


def test_a_journal_that_cannot_grow_keeps_no_half_line(workspace: Path) -> None:
    # The file size limit of the process (RLIMIT_FSIZE, a real refusal by the kernel) is
    # reached by journal.log alone, after the database commit.
    limit = 4_000_000
    log = workspace / "state" / "journal.log"
    log.parent.mkdir(parents=True)
    earlier = ("2026-11-22T14:10:18 earlier line\n" * (limit // 33 + 1))[: limit - 60]
    earlier = earlier[: earlier.rindex("\n") + 1]
    log.write_text(earlier, encoding="utf-8")
    drop(workspace, "a.pdf", andpc())
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(limit), *TEST_PLUGINS_ONLY_GOOD, "run"],
        cwd=workspace, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no space left on a disk" in result.stderr
    assert log.read_text(encoding="utf-8") == earlier
    again = run_cli(workspace)
    assert again.returncode == 0 and "0 document(s)" in again.stdout
    assert files_under(workspace / "state" / "work") == {}
    assert andpc() in files_under(workspace / "dossiers").values()


def test_a_file_that_cannot_be_taken_from_the_inbox_does_not_stop_the_pass(
    workspace: Path,
) -> None:
    stuck = workspace / "inbox" / "stuck.pdf"
    stuck.write_bytes(andpc(action="11111111111"))
    # An immutable file: even root cannot rename it (as a share's lock refuses it).
    immutable(stuck, True)
    try:
        drop(workspace, "fine.pdf", andpc(action="22222222222"))
        result = run_cli(workspace)
        again = run_cli(workspace)
    finally:
        immutable(stuck, False)
    assert result.returncode == 0, result.stderr
    assert "1 document(s)" in result.stdout and "1 filed" in result.stdout
    assert "1 could not be taken from the inbox" in result.stdout
    assert "stuck.pdf cannot be taken from the inbox" in result.stderr
    assert again.returncode == 0 and "1 could not be taken" in again.stdout
    assert stuck.exists() and files_under(workspace / "state" / "work") == {}
    assert run_cli(workspace).stdout.startswith("1 document(s)")  # free again: filed


def immutable(path: Path, on: bool) -> None:
    """``chattr +i`` (even root cannot create files in such a folder), or fail under CI."""
    done = subprocess.run(
        ["chattr", "+i" if on else "-i", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"chattr is not supported here: {done.stderr.strip()}")
        pytest.skip(f"chattr is not supported here: {done.stderr.strip()}")


def test_a_document_that_cannot_even_be_set_aside_waits_without_stopping_runs(
    workspace: Path,
) -> None:
    (workspace / "dossiers").mkdir()
    (workspace / "dossiers" / "10005682603_DUPONT_Jean-Pierre").write_text("in the way")
    quarantine = workspace / "quarantine"
    quarantine.mkdir()
    drop(workspace, "dupont.pdf", andpc())
    immutable(quarantine, True)
    try:
        outputs = []
        for attempt in range(4):
            drop(workspace, f"martin-{attempt}.pdf", andpc(
                name="Claire MARTIN", rpps="10101010105", action=f"1111111111{attempt}"
            ))
            outputs.append(run_cli(workspace))
    finally:
        immutable(quarantine, False)
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "1 filed" in result.stdout
        assert "1 could not be filed nor set aside and wait in" in result.stdout
    (claimed,) = (workspace / "state" / "work").glob("*__dupont.pdf")
    assert claimed.read_bytes() == andpc()
    # Once the quarantine can be written again, the claim tried 3 times is set aside.
    result = run_cli(workspace)
    assert result.returncode == 0, result.stderr
    assert "repeated_failure: 1" in result.stdout
    assert files_under(workspace / "state" / "work") == {}
    assert andpc() in files_under(quarantine).values()


def test_a_blank_page_after_a_text_attestation_costs_it_nothing(
    tmp_path: Path, roster: Path
) -> None:
    # The blank page goes through OCR; the fields read from the text layer stay trusted.
    write_config(tmp_path, roster, run={"jobs": 1})
    pdf = tmp_path / "with_blank.pdf"
    text = ANDPC.format(
        name="Jean-Pierre DUPONT",
        rpps="10005682603",
        action="12345678901",
        nature="Formation continue",
        title="Prise en charge de l'asthme",
    )
    pdf.write_bytes(make_pdf([text, ""]))
    (record,) = pipeline(tmp_path).extract([str(pdf)])
    assert record.ocr
    assert record.status is Status.FILE, record.problems


def outlined_pdf(lines: list[str], size: float = 12) -> bytes:
    """A PDF whose text is drawn as glyph outlines: no text layer, no image."""
    import io

    import reportlab
    from fontTools.pens.basePen import BasePen
    from fontTools.ttLib import TTFont
    from reportlab.pdfgen import canvas

    font = TTFont(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    scale = size / font["head"].unitsPerEm
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.27, 841.89), invariant=True)

    class Pen(BasePen):  # type: ignore[misc]
        def __init__(self, x: float, y: float) -> None:
            super().__init__(glyphs)
            self.path, self.x, self.y = pdf.beginPath(), x, y
            self.last = (0.0, 0.0)

        def at(self, point: tuple[float, float]) -> tuple[float, float]:
            return self.x + point[0] * scale, self.y + point[1] * scale

        def _moveTo(self, p: tuple[float, float]) -> None:
            self.path.moveTo(*self.at(p))
            self.last = p

        def _lineTo(self, p: tuple[float, float]) -> None:
            self.path.lineTo(*self.at(p))
            self.last = p

        def _curveToOne(self, a: tuple[float, float], b: tuple[float, float],
                        c: tuple[float, float]) -> None:
            self.path.curveTo(*self.at(a), *self.at(b), *self.at(c))
            self.last = c

        def _qCurveToOne(self, a: tuple[float, float], b: tuple[float, float]) -> None:
            p0 = self.last
            c1 = (p0[0] + 2 / 3 * (a[0] - p0[0]), p0[1] + 2 / 3 * (a[1] - p0[1]))
            c2 = (b[0] + 2 / 3 * (a[0] - b[0]), b[1] + 2 / 3 * (a[1] - b[1]))
            self._curveToOne(c1, c2, b)

        def _closePath(self) -> None:
            self.path.close()

    y = 841.89 - 72
    for line in lines:
        x = 60.0
        for char in line:
            name = cmap.get(ord(char))
            if name is None:
                continue
            pen = Pen(x, y)
            glyphs[name].draw(pen)
            pdf.drawPath(pen.path, stroke=0, fill=1)
            x += glyphs[name].width * scale
        y -= size * 1.5
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_text_drawn_as_outlines_is_read_from_the_rendering(
    tmp_path: Path, roster: Path
) -> None:
    from attest_pipeline.reading import read_pdf

    lines = ANDPC.format(
        name="Jean-Pierre DUPONT",
        rpps="10005682603",
        action="12345678901",
        nature="Formation continue",
        title="Prise en charge de l'asthme",
    ).splitlines()
    data = outlined_pdf(lines)
    assert read_pdf(data).page(1).text == ""  # no text layer at all
    write_config(tmp_path, roster, run={"jobs": 1})
    pdf = tmp_path / "outlines.pdf"
    pdf.write_bytes(data)
    (record,) = pipeline(tmp_path).extract([str(pdf)])
    assert record.ocr
    assert record.rpps == "10005682603", record.problems


def test_what_an_attempt_killed_before_its_commit_wrote_is_removed(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline.filing import Filer
    from attest_pipeline.pipeline import Session

    class Killed(BaseException):
        """SIGKILL between writing a document's files and committing its rows."""

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    drop(workspace, "a.pdf", andpc())
    with monkeypatch.context() as patch:
        patch.setattr(Session, "_commit", killed)
        patch.setattr(Filer, "discard", lambda self, mark=0: None)  # a kill cleans nothing
        with pytest.raises(Killed):
            pipeline(workspace).run()
    written = [workspace / "dossiers" / k for k in files_under(workspace / "dossiers")]
    assert len(written) == 2  # the PDF and its sidecar, which no row names
    (pdf,) = [p for p in written if p.suffix == ".pdf"]
    temporary = pdf.with_name(f".{pdf.name}.part")  # a kill in the middle of a write
    temporary.write_bytes(b"half")
    (claimed,) = (workspace / "state" / "work").glob("*__a.pdf")
    claim_id = claimed.name.split("__")[0]
    # Interrupted often enough to be set aside, unread: it will not write these again.
    (claimed.parent / f".{claim_id}.attempts").write_text("3")
    summary = pipeline(workspace).run()
    assert summary.reasons == {"repeated_failure": 1}
    assert files_under(workspace / "dossiers") == {}
    assert files_under(workspace / "state" / "archive") == {}
    assert os.listdir(workspace / "state" / "work") == []
    assert andpc() in files_under(workspace / "quarantine").values()


@pytest.mark.parametrize("version", ["this", "earlier"])
def test_what_a_killed_filer_listed_and_no_row_names_is_removed(
    workspace: Path, version: str
) -> None:
    work = workspace / "state" / "work"
    work.mkdir(parents=True)
    claim_id = "0123456789abcdef0123456789abcdef"
    data = andpc()
    (work / f"{claim_id}__a.pdf").write_bytes(data)
    orphan = workspace / "dossiers" / "10005682603_DUPONT_Jean-Pierre" / "half.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half")
    if version == "this":  # one list for all of a filer's claims
        listing = work / ".fedcba9876543210.filing"
        listing.write_bytes(b"another " + os.fsencode(orphan) + b".json\n"
                            + claim_id.encode() + b" " + os.fsencode(orphan) + b"\n")
    else:  # one list beside each claim
        (work / f".{claim_id}.written").write_bytes(os.fsencode(orphan) + b"\n")
    summary = pipeline(workspace).run()
    assert summary.count(Status.FILE) == 1
    assert not orphan.exists()
    assert list(files_under(workspace / "dossiers").values()).count(data) == 1
    assert os.listdir(work) == []


def test_list_files_opens_folders_in_name_order_and_never_follows_links(tmp_path: Path) -> None:
    (tmp_path / "z" / "y").mkdir(parents=True)
    for name in ("z/y/b.pdf", "z/a.pdf", "c.pdf", "z/~$lock.pdf", "z/.DS_Store"):
        (tmp_path / name).write_bytes(b"%PDF")
    (tmp_path / "z" / "link").symlink_to(tmp_path / "z" / "y")
    listed = list_files([str(tmp_path / "z"), str(tmp_path / "c.pdf")])
    assert listed.files == [str(tmp_path / p) for p in ("z/a.pdf", "z/y/b.pdf", "c.pdf")]
    assert listed.skipped == {"symbolic link": 1}
    with pytest.raises(UsageError, match="does not exist"):
        list_files([str(tmp_path / "absent.pdf")])
