"""Analysis of one file, from its bytes to the decisions about its attestations.

Reading, OCR, recognition and decision: everything that needs no database and writes
nothing. It runs in worker processes (see :mod:`attest_pipeline.workers`), so that a
plugin that hangs can be stopped and so that several documents are read at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from attest_pipeline.config import OcrConfig
from attest_pipeline.contract import Issuer
from attest_pipeline.decision import Rules, decide
from attest_pipeline.models import Document, Page, Problem, Record, Source, Status, Word
from attest_pipeline.outcomes import failed
from attest_pipeline.reading import (
    Uncuttable,
    Unreadable,
    check_file,
    cut_pages,
    read_pdf,
    with_tables,
)
from attest_pipeline.reasons import Reason
from attest_pipeline.recognition import PhaseHook, recognise
from attest_pipeline.text_layer import needs_ocr


@dataclass(frozen=True, slots=True)
class Context:
    """Everything analysis needs, built once per process."""

    issuers: tuple[Issuer, ...]
    rules: Rules
    ocr: OcrConfig
    max_pages: int = 5000


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of one file: its identity and one record per attestation.

    ``needs_ocr`` is set, with no records, when the file has pages without text and OCR
    was not allowed in this worker: the caller sends it to an OCR worker. ``parts`` holds,
    for a file of several attestations, the PDF of each one's pages (keyed by its pages),
    cut here so that the process filing them never parses a PDF.
    """

    name: str
    sha256: str
    size: int
    page_count: int | None
    records: tuple[Record, ...]
    needs_ocr: bool = False
    parts: Mapping[tuple[int, ...], bytes] = field(default_factory=dict)


def analyse(
    name: str,
    data: bytes,
    context: Context,
    *,
    allow_ocr: bool = True,
    on_phase: PhaseHook | None = None,
) -> Analysis:
    """Read, recognise and decide about one file (``name`` is only used in the records)."""
    sha256 = hashlib.sha256(data).hexdigest()
    phase = on_phase or (lambda _: None)
    try:
        phase("reading")
        check_file(name, data)
        document = read_pdf(data, max_pages=context.max_pages)
    except Unreadable as error:
        source = Source(name, sha256, ())
        record = failed(source, Problem(error.reason, error.detail))
        return Analysis(name, sha256, len(data), None, (record,))
    source = Source(name, sha256, document.page_numbers)
    blank = [page.number for page in document.pages if needs_ocr(page)]
    if blank:
        if not context.ocr.enabled:
            if len(blank) == len(document.pages):
                record = failed(source, Problem(Reason.NO_TEXT, "no page has a text layer"))
                return Analysis(name, sha256, len(data), len(document.pages), (record,))
        elif not allow_ocr:
            return Analysis(name, sha256, len(data), len(document.pages), (), needs_ocr=True)
        else:
            outcome = _with_ocr(document, data, blank, context.ocr, phase)
            if isinstance(outcome, Problem):
                record = failed(source, outcome)
                return Analysis(name, sha256, len(data), len(document.pages), (record,))
            document = outcome
    recognition = recognise(document, context.issuers, on_phase=phase)
    phase("deciding")
    records = decide(source, document, recognition, context.rules)
    groups = _own_files(records, document.page_numbers)
    if not groups:
        return Analysis(name, sha256, len(data), len(document.pages), records)
    phase("splitting")
    try:
        parts = cut_pages(data, groups)
    except Uncuttable as error:
        # Without its own pages an attestation cannot be filed; the whole document waits
        # for a person, who can read it.
        detail = f"{len(records)} attestations found but the pages could not be cut: {error}"
        record = failed(source, Problem(Reason.SPLIT_FAILED, detail))
        return Analysis(name, sha256, len(data), len(document.pages), (record,))
    return Analysis(name, sha256, len(data), len(document.pages), records, parts=parts)


def _own_files(records: Sequence[Record], pages: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The page groups to cut out: the attestations filed or reviewed apart from the rest."""
    if len(records) < 2:
        return []
    keep = (Status.FILE, Status.REVIEW)
    return list(
        dict.fromkeys(r.pages for r in records if r.status in keep and r.pages and r.pages != pages)
    )


def _with_ocr(
    document: Document, data: bytes, numbers: list[int], config: OcrConfig, phase: PhaseHook
) -> Document | Problem:
    """The document with OCR text on the pages that had none, or the problem met."""
    from attest_pipeline.ocr import (
        OcrError,
        OcrTimeout,
        OcrUnavailable,
        ocr_page,
        tesseract_status,
    )

    status = tesseract_status(config.language)
    if not status.available:
        return Problem(Reason.OCR_UNAVAILABLE, "; ".join(status.problems))
    read: dict[int, Page] = {}
    words: dict[int, tuple[Word, ...]] = {}
    for number in numbers:
        phase(f"ocr page {number}")
        try:
            result = ocr_page(data, number, config)
        except OcrUnavailable as error:
            return Problem(Reason.OCR_UNAVAILABLE, str(error))
        except OcrTimeout as error:
            return Problem(Reason.NO_TEXT, f"OCR of page {number} timed out: {error}")
        except OcrError as error:
            return Problem(Reason.NO_TEXT, f"OCR of page {number} failed: {error}")
        words[number] = result.words
        # A table in a scan is read by column too, from the words OCR placed.
        read[number] = with_tables(result.page, words.__getitem__)
    if not any(page.text.strip() for page in read.values()) and len(numbers) == len(document.pages):
        return Problem(Reason.NO_TEXT, "OCR found no text")
    pages = tuple(read.get(page.number, page) for page in document.pages)
    text_words = document._words

    def all_words(number: int) -> tuple[Word, ...]:
        if number in words:
            return words[number]
        return text_words(number) if text_words else ()

    return Document(pages=pages, metadata=document.metadata, _words=all_words)
