from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest

from attest_pipeline.contract import Issuer
from attest_pipeline.models import Document, Extraction, Family, Found, Identification, Nature
from attest_pipeline.testing import (
    assert_samples,
    check_samples,
    document_from_pdf,
    document_from_text,
    identify_all,
    make_pdf,
    run_issuer,
    winner,
)

_NAME = re.compile(r"Stagiaire : (.+)")
_DATE = re.compile(r"Le (\d\d/\d\d/\d{4})")
_HOURS = re.compile(r"Durée : (\d+) h")


class AcmeIssuer(Issuer):
    """Claims 'ACME FORMATION' documents, one attestation per page."""

    name = "acme"
    version = "2.0"
    families = (Family.QUALIOPI,)

    def identify(self, document: Document) -> Identification | None:
        if "ACME FORMATION" in document.text:
            return Identification(0.9, ("ACME FORMATION",))
        return None

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        return [[n] for n in document.page_numbers] if len(document.pages) > 1 else None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        values: dict[str, object] = {}
        if m := _NAME.search(text):
            values["participant"] = Found(m.group(1).strip(), m.group(0))
        if m := _DATE.search(text):
            day = datetime.strptime(m.group(1), "%d/%m/%Y").date()
            values["start"] = values["end"] = Found(day, m.group(0))
        if m := _HOURS.search(text):
            values["hours"] = Found(float(m.group(1)), m.group(0))
        if "EXPLODE" in text:
            raise RuntimeError("cannot read this page")
        return Extraction(
            family=Family.QUALIOPI,
            nature=Found(Nature.FORMATION_CONTINUE, "formation"),
            **values,  # type: ignore[arg-type]
        )


class Misbehaving(AcmeIssuer):
    """Answers whatever it is told to, to exercise the kit's checks."""

    name = "misbehaving"

    def __init__(self, identify: object = None, split: object = None) -> None:
        self.answer = identify
        self.groups = split

    def identify(self, document: Document) -> Identification | None:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer  # type: ignore[return-value]

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        return self.groups  # type: ignore[return-value]


PAGE = "ACME FORMATION\nAttestation de fin de formation\nStagiaire : {name}\nLe {day}\nDurée : 7 h"


def acme_page(name: str = "Dr Jean-Pierre DUPONT", day: str = "12/03/2025") -> str:
    return PAGE.format(name=name, day=day)


# ------------------------------------------------------------------------- documents


def test_document_from_text_numbers_pages_from_one_and_cleans_them() -> None:
    document = document_from_text("Première  page\u00a0 ici\r\n\n\nfin", "Deuxième")
    assert document.page_numbers == (1, 2)
    assert document.page(1).text == "Première page ici\nfin"
    assert document.text == "Première page ici\nfin\fDeuxième"
    assert not document.ocr


def test_document_from_text_gives_words_in_reading_order() -> None:
    document = document_from_text("Nom : DUPONT\nPrénom : Jean")
    words = document.words(1)
    assert [w.text for w in words] == ["Nom", ":", "DUPONT", "Prénom", ":", "Jean"]
    assert words[0].x0 < words[1].x0 < words[2].x0
    assert words[0].top == words[2].top < words[3].top
    assert document.subset([1]).words(1) == words


def test_document_from_pdf_reads_bytes_and_paths(tmp_path: Path) -> None:
    data = make_pdf([acme_page(), "deuxième page"])
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    for source in (data, path):
        document = document_from_pdf(source)
        assert document.page_numbers == (1, 2)
        assert "Stagiaire : Dr Jean-Pierre DUPONT" in document.page(1).text


# ------------------------------------------------------------------------------ runs


def test_run_issuer_identifies_splits_and_extracts_each_group() -> None:
    document = document_from_text(acme_page(), acme_page("Mme Claire MARTIN", "14/03/2025"))
    run = run_issuer(AcmeIssuer(), document)
    assert run.ok and run.identified
    assert run.issuer == "acme@2.0"
    assert run.identification == Identification(0.9, ("ACME FORMATION",))
    assert run.groups == ((1,), (2,))
    names = [e.participant.value for e in run.extractions if e and e.participant]
    assert names == ["Dr Jean-Pierre DUPONT", "Mme Claire MARTIN"]
    second = run.extractions[1]
    assert second is not None and second.start is not None
    assert second.start.value == date(2025, 3, 14)
    assert set(run.seconds) == {"identify", "split", "extract"}


def test_a_single_attestation_is_the_whole_document() -> None:
    run = run_issuer(AcmeIssuer(), document_from_text(acme_page()))
    assert run.groups == ((1,),)
    assert run.extraction.hours is not None and run.extraction.hours.value == 7.0


def test_a_declined_document_runs_nothing_else() -> None:
    run = run_issuer(AcmeIssuer(), document_from_text("Facture n° 12"))
    assert not run.identified and run.ok
    assert run.groups == () and run.extractions == ()
    assert set(run.seconds) == {"identify"}
    with pytest.raises(AssertionError, match="declined"):
        run.extraction  # noqa: B018


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (RuntimeError("boom"), "RuntimeError: boom"),
        ("yes", "identify returned str, not Identification"),
        (Identification(1.5), "score 1.5, not a number in [0, 1]"),
        (Identification(True), "score True"),
    ],
)
def test_identify_failures_are_reported_not_raised(answer: object, message: str) -> None:
    run = run_issuer(Misbehaving(identify=answer), document_from_text(acme_page()))
    assert not run.ok and not run.identified
    (error,) = run.errors
    assert error.phase == "identify"
    assert message in error.message


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([[1], [3]], "split named page 3"),
        ([[]], "not a list of page numbers"),
        ("1,2", "split returned str"),
        ([], "split returned no group"),
        ([["1"]], "split named page '1'"),
    ],
)
def test_split_failures_are_reported(groups: object, message: str) -> None:
    issuer = Misbehaving(identify=Identification(0.5), split=groups)
    run = run_issuer(issuer, document_from_text(acme_page(), acme_page()))
    (error,) = run.errors
    assert error.phase == "split"
    assert message in error.message
    assert run.extractions == ()


class Scored(AcmeIssuer):
    """Claims every document with a fixed score."""

    def __init__(self, name: str, score: float) -> None:
        self.name = name
        self.score = score

    def identify(self, document: Document) -> Identification | None:
        return Identification(self.score)


def test_winner_ties_scores_as_recognition_does() -> None:
    document = document_from_text("ACME FORMATION")
    # 0.1 + 0.2 is 0.30000000000000004: recognition calls that a tie, and so does the kit.
    tied = [Scored("a", 0.1 + 0.2), Scored("b", 0.3)]
    assert winner(document, tied) is None
    assert winner(document, [Scored("a", 0.5), Scored("b", 0.3)]) == "a"
    failing = Misbehaving(identify=RuntimeError("boom"))
    assert winner(document, [Scored("a", 0.5), failing]) == "a"
    # A failing issuer is left out, as the core leaves it out, instead of raising.
    assert identify_all(document, [Scored("a", 0.5), failing]) == {"a": 0.5}


def test_a_failing_extraction_costs_its_group_only() -> None:
    document = document_from_text(acme_page(), acme_page() + "\nEXPLODE", acme_page())
    run = run_issuer(AcmeIssuer(), document)
    assert [e is not None for e in run.extractions] == [True, False, True]
    (error,) = run.errors
    assert (error.phase, error.pages) == ("extract", (2,))
    assert str(error) == "extract (pages 2): RuntimeError: cannot read this page"
    with pytest.raises(AssertionError, match="cannot read this page"):
        run.extraction  # noqa: B018


def test_a_malformed_extraction_is_refused_like_the_core_does() -> None:
    class WrongTypes(AcmeIssuer):
        def extract(self, document: Document) -> Extraction:
            return Extraction(family=Family.QUALIOPI, start=Found("12/03/2025", "12/03/2025"))  # type: ignore[arg-type]

    run = run_issuer(WrongTypes(), document_from_text(acme_page()))
    (error,) = run.errors
    assert error.phase == "extract"
    assert "start" in error.message


# --------------------------------------------------------------------------- samples


def write_sample(folder: Path, name: str, pages: list[str], expected: object) -> None:
    (folder / f"{name}.pdf").write_bytes(make_pdf(pages))
    if expected is not None:
        (folder / f"{name}.json").write_text(json.dumps(expected), encoding="utf-8")


def expected_acme(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "family": "qualiopi",
        "pages": [1],
        "participant": {"last_name": "Dupont", "first_name": "Jean Pierre", "rpps": None,
                        "matched": False},
        "start": "2025-03-12",
        "end": "2025-03-12",
        "nature": "formation_continue",
        "hours": 7,
        "title": None,
        "bloc": 1,
        "action": "B",
        "status": "review",
        "reasons": ["unknown_participant"],
    }
    values.update(changes)
    return values


def test_check_samples_accepts_matching_samples(tmp_path: Path) -> None:
    write_sample(tmp_path, "one", [acme_page()], {"attestations": [expected_acme()]})
    write_sample(
        tmp_path,
        "two",
        [acme_page("DUPONT Jean-Pierre"), acme_page("Dr Claire LEFÈVRE", "14/03/2025")],
        {"attestations": [
            expected_acme(),
            expected_acme(pages=[2], start="2025-03-14", end="2025-03-14",
                          participant={"first_name": "claire", "last_name": "Lefevre"}),
        ]},
    )
    write_sample(tmp_path, "invoice", ["Facture n° 12"], {"attestations": []})
    write_sample(tmp_path, "unpaired", [acme_page()], None)
    report = assert_samples(AcmeIssuer(), tmp_path)
    assert report.ok
    assert report.checked == ("invoice.pdf", "one.pdf", "two.pdf")
    assert report.unpaired == ("unpaired.pdf",)
    assert report.format().startswith("3 sample(s) checked in")
    assert "unpaired.pdf" in report.format()


def test_check_samples_reports_every_difference_in_a_table(tmp_path: Path) -> None:
    write_sample(
        tmp_path,
        "wrong",
        [acme_page("Dr Jean DUPONT")],
        {"attestations": [expected_acme(
            start="2025-03-13", hours=7.5, family="andpc", title="Formation",
            participant={"last_name": "DUPONT", "first_name": "Jean-Pierre", "rpps": "10005682603"},
        )]},
    )
    report = check_samples(AcmeIssuer(), tmp_path)
    assert not report.ok
    fields = {(m.field, m.expected, m.got) for m in report.mismatches}
    assert fields == {
        ("family", "andpc", "qualiopi"),
        ("participant.rpps", "10005682603", "(none)"),
        ("participant.name", "DUPONT Jean-Pierre", "Dr Jean DUPONT"),
        ("start", "2025-03-13", "2025-03-12"),
        ("title", "Formation", "(none)"),
        ("hours", "7.5", "7"),
    }
    assert all(m.sample == "wrong.pdf" and m.attestation == 1 for m in report.mismatches)
    table = report.format().splitlines()
    assert table[0].endswith("6 mismatch(es)")
    assert table[1].split() == ["sample", "#", "field", "expected", "got"]
    assert any(
        re.fullmatch(r"wrong\.pdf\s+1\s+start\s+2025-03-13\s+2025-03-12", line) for line in table
    )
    with pytest.raises(AssertionError) as raised:
        assert_samples(AcmeIssuer(), tmp_path)
    assert "participant.name" in str(raised.value)


def test_check_samples_reports_identification_and_count(tmp_path: Path) -> None:
    write_sample(tmp_path, "declined", ["Facture"], {"attestations": [expected_acme()]})
    write_sample(tmp_path, "claimed", [acme_page()], {"attestations": []})
    write_sample(tmp_path, "count", [acme_page(), acme_page()], {"attestations": [expected_acme()]})
    report = check_samples(AcmeIssuer(), tmp_path)
    found = {(m.sample, m.attestation, m.field, m.expected, m.got) for m in report.mismatches}
    assert found == {
        ("claimed.pdf", None, "identify", "declined", "claimed (score 0.90)"),
        ("count.pdf", None, "attestations", "1", "2"),
        ("declined.pdf", None, "identify", "claimed", "declined"),
    }


def test_check_samples_reports_plugin_errors_with_their_attestation(tmp_path: Path) -> None:
    write_sample(tmp_path, "boom", [acme_page(), acme_page() + "\nEXPLODE"],
                 {"attestations": [expected_acme(), expected_acme(pages=[2])]})
    (mismatch,) = check_samples(AcmeIssuer(), tmp_path).mismatches
    assert (mismatch.attestation, mismatch.field) == (2, "extract")
    assert "cannot read this page" in mismatch.got


def test_check_samples_reports_broken_inputs(tmp_path: Path) -> None:
    (tmp_path / "bad-json.pdf").write_bytes(make_pdf([acme_page()]))
    (tmp_path / "bad-json.json").write_text("{not json", encoding="utf-8")
    write_sample(tmp_path, "bad-shape", [acme_page()], {"attestation": {}})
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    (tmp_path / "corrupt.json").write_text('{"attestations": []}', encoding="utf-8")
    report = check_samples(AcmeIssuer(), tmp_path)
    found = {(m.sample, m.field) for m in report.mismatches}
    assert found == {
        ("bad-json.pdf", "(expected file)"),
        ("bad-shape.pdf", "(expected file)"),
        ("corrupt.pdf", "(reading)"),
    }
    corrupt = next(m for m in report.mismatches if m.sample == "corrupt.pdf")
    assert corrupt.got.startswith("corrupt")


def test_an_empty_folder_is_not_a_success(tmp_path: Path) -> None:
    write_sample(tmp_path, "lonely", [acme_page()], None)
    report = check_samples(AcmeIssuer(), tmp_path)
    assert not report.ok
    assert report.format().startswith("no sample (a .pdf with its .json) in")
    with pytest.raises(AssertionError, match="no sample"):
        assert_samples(AcmeIssuer(), tmp_path)


def test_the_plugin_guide_documents_every_name_of_the_kit() -> None:
    import attest_pipeline.testing as kit

    guide = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(
        encoding="utf-8"
    )
    assert [name for name in kit.__all__ if f"`{name}" not in guide] == []
