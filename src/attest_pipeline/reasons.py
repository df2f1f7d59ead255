"""Reason codes: why a document went to review, quarantine or was recorded as a duplicate.

Every outcome other than a clean filing carries one or more of these codes, in the JSON
records, the sidecar files, the journal and the command-line output. The codes are stable
strings: scripts and people rely on them. Where each one sends its document is
:data:`attest_pipeline.outcomes.DESTINATIONS`.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """A stable, machine-readable reason code."""

    # The file itself could not be read (quarantine).
    EMPTY = "empty"
    NOT_PDF = "not_pdf"
    UNSUPPORTED_TYPE = "unsupported_type"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    NO_TEXT = "no_text"
    FILING_FAILED = "filing_failed"
    REPEATED_FAILURE = "repeated_failure"
    # The document could not be decided with confidence, or waits for a fix (review).
    OCR_UNAVAILABLE = "ocr_unavailable"
    NO_PLUGIN = "no_plugin"
    AMBIGUOUS_ISSUER = "ambiguous_issuer"
    SPLIT_FAILED = "split_failed"
    PLUGIN_ERROR = "plugin_error"
    INTERNAL_ERROR = "internal_error"
    INVALID_RPPS = "invalid_rpps"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    AMBIGUOUS_PARTICIPANT = "ambiguous_participant"
    PARTICIPANT_MISMATCH = "participant_mismatch"
    MISSING_FIELD = "missing_field"
    IMPLAUSIBLE_DATE = "implausible_date"
    NO_ELIGIBLE_ACTION = "no_eligible_action"
    CONDITION_NOT_SHOWN = "condition_not_shown"
    LOW_OCR_CONFIDENCE = "low_ocr_confidence"
    LINK_ONLY = "link_only"
    # Already known.
    DUPLICATE = "duplicate"
    DUPLICATE_ATTESTATION = "duplicate_attestation"


DESCRIPTIONS: dict[Reason, str] = {
    Reason.EMPTY: "the file is empty (0 bytes)",
    Reason.NOT_PDF: "the file has a .pdf name but is not a PDF",
    Reason.UNSUPPORTED_TYPE: "the file is not a PDF (a .docx, a .jpg...)",
    Reason.CORRUPT: "the PDF is damaged and cannot be opened",
    Reason.ENCRYPTED: "the PDF needs a password to be opened",
    Reason.TOO_MANY_PAGES: "the PDF has more pages than the configured limit",
    Reason.TOO_LARGE: "reading the document needs more memory than [limits] memory (a "
    "decompression bomb, a huge image)",
    Reason.TIMEOUT: "the document was not read within [limits] document_timeout",
    Reason.NO_TEXT: "no page has a usable text layer and OCR is disabled or found nothing",
    Reason.FILING_FAILED: "writing the document's files or rows failed (the detail says why, "
    "the journal holds the traceback): kept in quarantine as received",
    Reason.REPEATED_FAILURE: "processing the file was started several times and never "
    "finished (the process was killed each time): set aside in quarantine unread",
    Reason.OCR_UNAVAILABLE: "the PDF is scanned and Tesseract is not installed",
    Reason.NO_PLUGIN: "no issuer plugin recognised the document as an attestation",
    Reason.AMBIGUOUS_ISSUER: "two plugins claim the document with the same score",
    Reason.SPLIT_FAILED: "the PDF holds several attestations but its pages could not be cut "
    "apart (the whole document waits in review)",
    Reason.PLUGIN_ERROR: "the plugin raised, hung or returned something malformed",
    Reason.INTERNAL_ERROR: "attest-pipeline itself failed on this document (a bug: the "
    "journal holds the details)",
    Reason.INVALID_RPPS: "the RPPS read on the attestation fails its check (11 digits, Luhn)",
    Reason.UNKNOWN_PARTICIPANT: "the participant is not on the roster",
    Reason.AMBIGUOUS_PARTICIPANT: "several physicians of the roster match the name",
    Reason.PARTICIPANT_MISMATCH: "the RPPS is on the roster but the name disagrees",
    Reason.MISSING_FIELD: "a required field could not be read (the detail names it)",
    Reason.IMPLAUSIBLE_DATE: "a date is in the future, before 2000, or the end is before the start",
    Reason.NO_ELIGIBLE_ACTION: "no action of the référentiel matches what the attestation proves",
    Reason.CONDITION_NOT_SHOWN: "the action needs a condition the attestation does not show "
    "(at least 4 meetings, at least 1 year...)",
    Reason.LOW_OCR_CONFIDENCE: "a field was read by OCR with low confidence",
    Reason.LINK_ONLY: "an e-mail whose only content is a link (nothing was fetched from it)",
    Reason.DUPLICATE: "the same file (same bytes) was already received",
    Reason.DUPLICATE_ATTESTATION: "the same attestation (participant, reference, dates) is "
    "already on record",
}
