"""The outcome policy: where each reason code sends a document, and the record of a failure.

:data:`DESTINATIONS` is the one table: every :class:`~attest_pipeline.reasons.Reason` says
whether it sends its document to review (a person can decide, or fix the cause and run
again), to quarantine (the file itself cannot be read) or records it as a duplicate.
README's "Reason codes" table says the same (``tests/test_outcomes.py`` compares them).
:func:`failed` is the one constructor of the record of a document that could not be
decided, wherever the failure happened: reading, OCR, recognition, a worker's limits,
splitting, filing, or a claim no run finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from attest_pipeline.models import Problem, Record, Source, Status
from attest_pipeline.reasons import Reason

_QUARANTINE = (
    Reason.EMPTY,
    Reason.NOT_PDF,
    Reason.UNSUPPORTED_TYPE,
    Reason.CORRUPT,
    Reason.ENCRYPTED,
    Reason.TOO_MANY_PAGES,
    Reason.TOO_LARGE,
    Reason.TIMEOUT,
    Reason.NO_TEXT,
    Reason.FILING_FAILED,
    Reason.REPEATED_FAILURE,
)
_REVIEW = (
    # Tesseract missing is fixable by installing it: the scan waits for that in review.
    Reason.OCR_UNAVAILABLE,
    Reason.NO_PLUGIN,
    Reason.AMBIGUOUS_ISSUER,
    Reason.SPLIT_FAILED,
    Reason.PLUGIN_ERROR,
    Reason.INTERNAL_ERROR,
    Reason.INVALID_RPPS,
    Reason.UNKNOWN_PARTICIPANT,
    Reason.AMBIGUOUS_PARTICIPANT,
    Reason.PARTICIPANT_MISMATCH,
    Reason.MISSING_FIELD,
    Reason.IMPLAUSIBLE_DATE,
    Reason.NO_ELIGIBLE_ACTION,
    Reason.CONDITION_NOT_SHOWN,
    Reason.LOW_OCR_CONFIDENCE,
    Reason.LINK_ONLY,
)
_DUPLICATE = (Reason.DUPLICATE, Reason.DUPLICATE_ATTESTATION)

#: Where each reason code sends its document (every code has exactly one destination).
DESTINATIONS: Mapping[Reason, Status] = MappingProxyType(
    {
        **dict.fromkeys(_QUARANTINE, Status.QUARANTINE),
        **dict.fromkeys(_REVIEW, Status.REVIEW),
        **dict.fromkeys(_DUPLICATE, Status.DUPLICATE),
    }
)


def destination(reason: Reason) -> Status:
    """Where a document with this reason goes: review, quarantine or duplicate."""
    return DESTINATIONS[reason]


def failed(source: Source, problem: Problem) -> Record:
    """The record of a document that could not be decided, sent where its reason says."""
    return Record(
        source=source.name,
        sha256=source.sha256,
        pages=source.pages,
        status=destination(problem.reason),
        problems=(problem,),
    )
