"""The outcome policy: one table of destinations, the README's, and one failure record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attest_pipeline.models import Problem, Source, Status
from attest_pipeline.outcomes import DESTINATIONS, destination, failed
from attest_pipeline.reasons import Reason

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def readme_reason_table() -> dict[str, str]:
    """The README's "Reason codes" table: code -> outcome, as written."""
    section = README.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \|", section, flags=re.MULTILINE)
    return dict(rows)


def test_every_reason_has_one_destination() -> None:
    assert set(DESTINATIONS) == set(Reason)
    assert set(DESTINATIONS.values()) == {Status.REVIEW, Status.QUARANTINE, Status.DUPLICATE}


def test_the_readme_table_says_what_the_code_does_both_ways() -> None:
    documented = readme_reason_table()
    code = {reason.value: status.word for reason, status in DESTINATIONS.items()}
    assert set(documented) == set(code), "codes in one table and not the other"
    assert documented == code


def test_a_scan_without_tesseract_waits_in_review() -> None:
    assert destination(Reason.OCR_UNAVAILABLE) is Status.REVIEW
    assert readme_reason_table()["ocr_unavailable"] == "review"


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (Reason.CORRUPT, Status.QUARANTINE),
        (Reason.FILING_FAILED, Status.QUARANTINE),
        (Reason.SPLIT_FAILED, Status.REVIEW),
        (Reason.PLUGIN_ERROR, Status.REVIEW),
        (Reason.DUPLICATE, Status.DUPLICATE),
    ],
)
def test_a_failed_record_goes_where_its_reason_says(reason: Reason, status: Status) -> None:
    record = failed(Source("x.pdf", "ab" * 32, (1, 2)), Problem(reason, "why"))
    assert record.status is status
    assert (record.source, record.pages, record.reasons) == ("x.pdf", (1, 2), (reason.value,))
    assert record.to_json()["details"] == [{"code": reason.value, "detail": "why"}]


def test_quarantine_keeps_its_stored_value_and_reads_as_quarantine() -> None:
    # The database rows, the journal and the JSON contract hold "reject"; people read it so.
    assert Status.QUARANTINE.value == "reject"
    assert Status.QUARANTINE.word == "quarantine"
