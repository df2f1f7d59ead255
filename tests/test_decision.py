from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.decision import Rules, decide
from attest_pipeline.mapping import load_rules
from attest_pipeline.models import (
    Candidate,
    Document,
    Extraction,
    Family,
    Found,
    Nature,
    Page,
    Record,
    Source,
    Status,
)
from attest_pipeline.reasons import Reason
from attest_pipeline.recognition import Item, Recognition
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.roster import load_roster
from attest_pipeline.settle import settle

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Rules:
    roster = tmp_path_factory.mktemp("r") / "roster.csv"
    roster.write_text(
        "rpps,last_name,first_name\n10005682603,DUPONT,Jean-Pierre\n10101010105,MARTIN,Claire\n",
        encoding="utf-8",
    )
    return Rules(load_roster(Path(roster)), load_referentiel(), load_rules(), TODAY)


def found(value: object) -> Found[object]:
    return Found(value, str(value))


def extraction(**fields: object) -> Extraction:
    values: dict[str, object] = {
        "participant": found("Dr Jean-Pierre DUPONT"),
        "rpps": found("10005682603"),
        "start": found(date(2025, 3, 12)),
        "end": found(date(2025, 3, 14)),
        "nature": Found(Nature.FORMATION_CONTINUE, "formation continue"),
        "title": found("Asthme de l'enfant"),
        "reference": found("12345678901"),
    }
    values.update(fields)
    return Extraction(family=Family.ANDPC, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


def run(rules: Rules, *items: Extraction) -> tuple[Record, ...]:
    document = Document(pages=tuple(Page(i + 1, "text") for i in range(len(items))))
    recognition = Recognition(
        "andpc@1", "andpc", tuple(Item((i + 1,), e) for i, e in enumerate(items)), ()
    )
    return decide(Source("a.pdf", "0" * 64, document.page_numbers), document, recognition, rules)


def reasons(record: Record) -> list[str]:
    return list(record.reasons)


def test_a_complete_attestation_is_filed(rules: Rules) -> None:
    (record,) = run(rules, extraction())
    assert record.status is Status.FILE
    assert (record.rpps, record.last_name, record.first_name) == (
        "10005682603",
        "DUPONT",
        "Jean-Pierre",
    )
    assert record.matched
    assert record.chosen == Candidate(1, "A", "de_fait")
    assert record.evidence["rpps"] == "10005682603"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"rpps": found("10005682604")}, "invalid_rpps"),
        ({"rpps": found("10023456782")}, "unknown_participant"),
        ({"participant": found("Claire MARTIN")}, "participant_mismatch"),
        ({"rpps": None, "participant": found("Paul NOBODY")}, "unknown_participant"),
        ({"end": None}, "missing_field"),
        ({"start": found(date(2031, 1, 1)), "end": found(date(2031, 1, 2))}, "implausible_date"),
        ({"start": found(date(1999, 1, 1))}, "implausible_date"),
        ({"start": found(date(2025, 3, 15))}, "implausible_date"),
        ({"nature": None}, "no_eligible_action"),
        ({"extras": {"passed": Found("no", "Résultat : non validé")}}, "condition_not_shown"),
    ],
)
def test_doubt_goes_to_review(rules: Rules, fields: dict[str, object], reason: str) -> None:
    (record,) = run(rules, extraction(**fields))
    assert record.status is Status.REVIEW
    assert reason in reasons(record)


def test_missing_field_names_the_field(rules: Rules) -> None:
    (record,) = run(rules, extraction(start=None))
    assert [p.detail for p in record.problems] == ["start"]


def test_unmatched_participant_keeps_the_name_as_read(rules: Rules) -> None:
    (record,) = run(rules, extraction(rpps=None, participant=found("Dr Paul NOBODY")))
    assert (record.last_name, record.first_name, record.matched) == ("NOBODY", "Paul", False)


def test_no_recognition_is_one_review_record(rules: Rules) -> None:
    from attest_pipeline.models import Problem

    document = Document(pages=(Page(1, "x"),))
    recognition = Recognition(None, None, (), (), Problem(Reason.NO_PLUGIN, "none"))
    (record,) = decide(Source("a.pdf", "0" * 64, (1,)), document, recognition, rules)
    assert record.status is Status.REVIEW and reasons(record) == ["no_plugin"]


def test_ocr_fields_with_low_confidence_go_to_review(rules: Rules) -> None:
    document = Document(pages=(Page(1, "text", ocr=True, confidence=40.0),))
    recognition = Recognition("andpc@1", "andpc", (Item((1,), extraction()),), ())
    (record,) = decide(Source("a.pdf", "0" * 64, (1,)), document, recognition, rules)
    assert record.status is Status.REVIEW and "low_ocr_confidence" in reasons(record)
    assert record.ocr


class Ledger:
    def __init__(
        self,
        sha: str | None = None,
        like: str | None = None,
        counts: Mapping[int, int] | None = None,
    ) -> None:
        self.sha, self.like, self.counts = sha, like, counts or {}

    def document_with_sha(self, sha256: str) -> str | None:
        return self.sha

    def attestation_like(self, record: Record) -> str | None:
        return self.like

    def filed_per_bloc(self, rpps: str) -> Mapping[int, int]:
        return self.counts


def test_settle_same_bytes_is_a_duplicate(rules: Rules) -> None:
    records = run(rules, extraction())
    (settled,) = settle(records, Ledger(sha="document #1"))
    assert settled.status is Status.DUPLICATE and settled.duplicate_of == "document #1"
    assert reasons(settled) == ["duplicate"]


def test_settle_reissued_attestation_is_a_duplicate(rules: Rules) -> None:
    (settled,) = settle(run(rules, extraction()), Ledger(like="attestation #4"))
    assert settled.status is Status.DUPLICATE and reasons(settled) == ["duplicate_attestation"]


def test_settle_chooses_the_bloc_with_fewest_actions(rules: Rules) -> None:
    relation = extraction(
        nature=Found(Nature.EPP, "EPP"), title=found("Améliorer la communication avec le patient")
    )
    (record,) = run(rules, relation)
    assert [c.key for c in record.candidates] == ["3.A", "2.A"]
    (first,) = settle([record], Ledger())
    assert first.chosen is not None and first.chosen.key == "3.A"
    (second,) = settle([record], Ledger(counts={3: 1}))
    assert second.chosen is not None and second.chosen.key == "2.A"


# ------------------------------------------------------------- the roster as evidence


def run_text(rules: Rules, text: str, read: Extraction) -> Record:
    document = Document(pages=(Page(1, text),))
    recognition = Recognition("andpc@1", "andpc", (Item((1,), read),), ())
    (record,) = decide(Source("a.pdf", "0" * 64, (1,)), document, recognition, rules)
    return record


SENTENCE = (
    "L'organisme atteste que le participant nommé ci-après a suivi l'action de DPC.\n"
    "Dr Jean-Pierre DUPONT\nRPPS : 10005682603\nFait à Lyon, le 20/03/2025\nLe Président"
)


def test_a_sentence_read_as_the_name_gives_way_to_the_roster_identity(rules: Rules) -> None:
    read = extraction(participant=found("nommé ci-après"))
    record = run_text(rules, SENTENCE, read)
    assert record.status is Status.FILE, record.problems
    assert (record.rpps, record.last_name, record.matched) == ("10005682603", "DUPONT", True)
    assert record.evidence["participant"] == "Jean-Pierre DUPONT RPPS : 10005682603"
    roster = record.fields["roster"]
    assert roster["decided_by"] == "roster"
    assert roster["plugin_read"] == {"participant": "nommé ci-après", "rpps": "10005682603"}
    assert [seen["by"] for seen in roster["found"]] == ["rpps+name"]


def test_nothing_read_but_one_roster_physician_in_the_text_is_filed(rules: Rules) -> None:
    read = extraction(participant=None, rpps=None)
    record = run_text(rules, SENTENCE, read)
    assert record.status is Status.FILE and record.rpps == "10005682603"


def test_a_plausible_name_that_disagrees_is_never_overridden(rules: Rules) -> None:
    read = extraction(participant=found("Dr Paul NOBODY"))
    record = run_text(rules, SENTENCE, read)
    assert record.status is Status.REVIEW
    assert reasons(record) == ["participant_mismatch"]
    assert record.fields["roster"]["decided_by"] == "plugin"


def test_an_rpps_read_off_the_roster_is_never_overridden(rules: Rules) -> None:
    read = extraction(participant=found("nommé ci-après"), rpps=found("10023456782"))
    record = run_text(rules, SENTENCE, read)
    assert reasons(record) == ["unknown_participant"]


def test_the_roster_identity_must_be_the_holder_of_the_rpps_read(rules: Rules) -> None:
    text = "Le participant nommé ci-après\nDr Claire MARTIN\nRPPS : 10005682603"
    read = extraction(participant=found("nommé ci-après"))
    record = run_text(rules, text, read)
    assert record.status is Status.REVIEW and reasons(record) == ["participant_mismatch"]


def test_several_roster_physicians_undesignated_are_ambiguous(rules: Rules) -> None:
    text = "Liste des présents\nDr Claire MARTIN\nDr Jean-Pierre DUPONT"
    record = run_text(rules, text, extraction(participant=None, rpps=None))
    assert reasons(record) == ["ambiguous_participant"]
    (problem,) = record.problems
    assert "MARTIN Claire (10101010105)" in problem.detail
    assert "DUPONT Jean-Pierre (10005682603)" in problem.detail


def run_pages(rules: Rules, texts: tuple[str, ...], read: Extraction) -> Record:
    """One attestation read over several pages (a PDF not split into its attestations)."""
    pages = tuple(range(1, len(texts) + 1))
    document = Document(pages=tuple(Page(n, t) for n, t in zip(pages, texts, strict=True)))
    recognition = Recognition("andpc@1", "andpc", (Item(pages, read),), ())
    (record,) = decide(Source("a.pdf", "0" * 64, pages), document, recognition, rules)
    return record


DUPONT_PAGE = "L'organisme atteste que\nDr Jean-Pierre DUPONT\nRPPS : 10005682603\nLe Président"
MARTIN_PAGE = "L'organisme atteste que\nDr Claire MARTIN\nRPPS : 10101010105\nLe Président"


def test_another_physician_identified_on_another_page_is_never_filed_with_it(
    rules: Rules,
) -> None:
    # The reading agrees with the roster for page 1; page 2 is someone else's attestation.
    record = run_pages(rules, (DUPONT_PAGE, MARTIN_PAGE), extraction())
    assert record.status is Status.REVIEW and reasons(record) == ["ambiguous_participant"]
    (problem,) = record.problems
    assert "DUPONT Jean-Pierre" in problem.detail and "MARTIN Claire" in problem.detail
    # The same physician on both pages (an attestation over two pages) is filed.
    assert run_pages(rules, (DUPONT_PAGE, DUPONT_PAGE), extraction()).status is Status.FILE


def test_the_roster_never_names_a_participant_found_only_on_a_later_page(
    rules: Rules,
) -> None:
    unreadable = "L'organisme atteste que\nle participant désigné ci-dessous\nLe Président"
    read = extraction(participant=None, rpps=None)
    record = run_pages(rules, (unreadable, MARTIN_PAGE), read)
    assert record.status is Status.REVIEW and record.rpps is None
    # Named on the first page, the roster's physician is the participant.
    assert run_pages(rules, (MARTIN_PAGE, unreadable), read).rpps == "10101010105"


def test_a_roster_name_read_by_ocr_with_low_confidence_goes_to_review(rules: Rules) -> None:
    from attest_pipeline.models import Word

    text = "certifie que\nDr Claire MARTIN\na participé"
    words = tuple(
        Word(w, 0, 1, 0, 1, confidence=50.0 if w == "MARTIN" else 95.0) for w in text.split()
    )
    document = Document(pages=(Page(1, text, ocr=True, confidence=90.0),), _words=lambda _: words)
    read = extraction(participant=None, rpps=None)
    recognition = Recognition("andpc@1", "andpc", (Item((1,), read),), ())
    (record,) = decide(Source("a.pdf", "0" * 64, (1,)), document, recognition, rules)
    assert record.rpps == "10101010105"
    assert record.status is Status.REVIEW and "low_ocr_confidence" in reasons(record)


def test_settle_files_an_attestation_printed_twice_in_one_document_once(rules: Rules) -> None:
    (record,) = run(rules, extraction())
    copies = [replace(record, pages=(n,)) for n in (1, 2, 3)]
    settled = settle(copies, Ledger())
    assert [r.status for r in settled] == [Status.FILE, Status.DUPLICATE, Status.DUPLICATE]
    assert all(reasons(r) == ["duplicate_attestation"] for r in settled[1:])
    for copy in settled[1:]:
        assert copy.duplicate_of and "page 1 of the same document" in copy.duplicate_of


def test_settle_counts_the_actions_filed_earlier_in_the_same_document(rules: Rules) -> None:
    relation = extraction(
        nature=Found(Nature.EPP, "EPP"), title=found("Améliorer la communication avec le patient")
    )
    (record,) = run(rules, relation)
    other = replace(record, pages=(2,), reference="99999999999")
    first, second = settle([record, other], Ledger())
    assert first.chosen is not None and first.chosen.key == "3.A"
    assert second.status is Status.FILE
    assert second.chosen is not None and second.chosen.key == "2.A"
