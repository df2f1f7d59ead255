"""Reading a file into a :class:`~attest_pipeline.models.Document`, or saying why it can't be.

The first pass takes each page's text layer with pypdfium2, the fastest extractor at hand
(about 1 ms a page). pdfplumber's layout analysis, 25 times slower, runs only for the pages
whose words a plugin asks for.
"""

from __future__ import annotations

import ctypes
import functools
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import PurePath

import pypdfium2 as pdfium

from attest_pipeline.forms import fill, read_form
from attest_pipeline.models import Document, FormField, Page, Word
from attest_pipeline.reasons import Reason
from attest_pipeline.text.tables import has_header_row, render, table_fields
from attest_pipeline.text_layer import bounded_text, image_body

#: File name suffixes taken as PDFs; anything else is ``unsupported_type``.
PDF_SUFFIXES = frozenset({".pdf"})

# Real PDFs may carry a few bytes of junk before the header (mail gateways, some
# generators); readers accept the header within the first kilobyte, so do we.
_HEADER_WINDOW = 1024

#: Characters replaced in every page's text (none of the replacements is itself replaced).
_REPLACEMENTS = tuple(
    {
        "\r": "\n",
        "\xa0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\xad": "",
        "\x00": "",
        # pdfium marks a hyphen at a line break with STX, or with U+FFFE in what Chromium
        # prints (a compound name wrapped at its hyphen: LEFÈVRE-ROUSSEAU).
        "\x02": "-",
        "\ufffe": "-",
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u2019": "'",
        "\u02bc": "'",
    }.items()
)
#: Bytes of the buffer of a metadata value (UTF-16): longer values are read again.
_METADATA_BUFFER = 1024
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


#: The loggers of the PDF libraries. Their warnings are about the files ("incorrect startxref
#: pointer", "Multiple definitions in dictionary"): what matters of them is in the reason
#: codes, and printed on stderr they drown a run's summary.
PDF_LIBRARY_LOGGERS = ("pypdf", "pdfminer", "pdfplumber")
#: Where their records go, at debug level (``attest -vv`` shows them).
LIBRARY_LOG = "attest_pipeline.pdf"


class _ToDebug(logging.Handler):
    """Hands a PDF library's records to :data:`LIBRARY_LOG`, demoted to debug level."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(LIBRARY_LOG)
        if target.isEnabledFor(logging.DEBUG):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            record.msg = f"{record.name}: {record.getMessage()}"
            record.args = None
            target.handle(record)


def route_library_logs() -> None:
    """Send the PDF libraries' log records to our log at debug level, and nowhere else.

    Their child loggers (``pypdf._reader``...) propagate to the library's top logger, whose
    only handler re-emits there. Idempotent; worker processes forked afterwards inherit it.
    """
    for name in PDF_LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(handler, _ToDebug) for handler in logger.handlers):
            logger.addHandler(_ToDebug())
        logger.propagate = False


class Unreadable(Exception):
    """The file cannot be read as a PDF; ``reason`` says why (quarantine)."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


def clean_text(text: str) -> str:
    """Normalise a page's extracted text: line ends, odd spaces, ligatures, soft hyphens."""
    text = text.replace("\r\n", "\n")
    # One replace per character present: a str.translate of the whole text with a table
    # cost 50 to 80 µs a page, more than the rest of the reading in Python.
    for odd, replacement in _REPLACEMENTS:
        if odd in text:
            text = text.replace(odd, replacement)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def check_file(name: str, data: bytes) -> None:
    """Raise :class:`Unreadable` when a file is obviously not something we can read."""
    if not data:
        raise Unreadable(Reason.EMPTY, "the file is empty")
    if PurePath(name).suffix.lower() not in PDF_SUFFIXES:
        raise Unreadable(Reason.UNSUPPORTED_TYPE, f"{PurePath(name).suffix or 'no suffix'} file")
    if not is_pdf(data):
        raise Unreadable(Reason.NOT_PDF, "no PDF header")


def is_pdf(head: bytes) -> bool:
    """Whether bytes (a file's first kilobyte is enough) carry a PDF header where readers do."""
    return b"%PDF-" in head[:_HEADER_WINDOW]


def read_pdf(data: bytes, *, max_pages: int = 5000) -> Document:
    """Read the bytes of a PDF into a :class:`Document` with the text of every page.

    Raises :class:`Unreadable` with ``encrypted`` when a password is needed to open it (a PDF
    with only an owner password opens normally), ``corrupt`` when it cannot be parsed, and
    ``too_many_pages`` above ``max_pages``.

    Through pdfium's raw calls: pypdfium2's helper objects (a finalizer and a parent link
    for each document, page and text page, the text asked for twice) cost a tenth of a
    millisecond a page, the time of all the reading done here in Python.
    """
    raw = pdfium.raw
    # pdfium reads ``data`` in place, for as long as the document is open.
    pdf = raw.FPDF_LoadMemDocument64(data, len(data), None)
    if not pdf:
        error = raw.FPDF_GetLastError()
        if error == raw.FPDF_ERR_PASSWORD:
            raise Unreadable(Reason.ENCRYPTED, "a password is needed to open it")
        raise Unreadable(
            Reason.CORRUPT, f"pdfium cannot open it ({_PDFIUM_ERRORS.get(error, 'unknown error')})"
        )
    try:
        count = raw.FPDF_GetPageCount(pdf)
        if count <= 0:
            raise Unreadable(Reason.CORRUPT, "the PDF has no pages")
        if count > max_pages:
            raise Unreadable(Reason.TOO_MANY_PAGES, f"{count} pages, the limit is {max_pages}")
        images = has_image_xobject(data)
        pages = []
        heights = []
        for index in range(count):
            page = raw.FPDF_LoadPage(pdf, index)
            if not page:
                raise Unreadable(Reason.CORRUPT, f"pdfium cannot load page {index + 1}")
            try:
                text, body = _page_text(page, images)
                heights.append(raw.FPDF_GetPageHeightF(page))
            finally:
                raw.FPDF_ClosePage(page)
            pages.append(Page(index + 1, text, image_body=body))
        metadata = _metadata(pdf)
        has_form = raw.FPDF_GetFormType(pdf) != raw.FORMTYPE_NONE
    finally:
        raw.FPDF_CloseDocument(pdf)
    words = _word_source(data)
    form = read_form(data, heights, words) if has_form else ()
    read = tuple(_with_form(with_tables(page, words), form) for page in pages)
    return Document(pages=read, metadata=metadata, _words=words, form=form)


#: What pdfium's error codes mean (``FPDF_GetLastError``), in the words of a record.
_PDFIUM_ERRORS = {
    pdfium.raw.FPDF_ERR_UNKNOWN: "unknown error",
    pdfium.raw.FPDF_ERR_FILE: "file access error",
    pdfium.raw.FPDF_ERR_FORMAT: "not a PDF or a damaged one",
    pdfium.raw.FPDF_ERR_SECURITY: "unsupported security scheme",
    pdfium.raw.FPDF_ERR_PAGE: "page not found or content error",
}


def _page_text(page: object, images: bool) -> tuple[str, bool]:
    """The cleaned text of a loaded page (a pdfium handle), and whether its body is an image."""
    raw = pdfium.raw
    textpage = raw.FPDFText_LoadPage(page)
    if not textpage:
        raise Unreadable(Reason.CORRUPT, "pdfium cannot read the text of a page")
    try:
        box = raw.FS_RECTF()
        # The page's box: its media box cut by its crop box.
        if not raw.FPDF_GetPageBoundingBox(page, box):
            raise Unreadable(Reason.CORRUPT, "a page has no usable bounding box")
        text = clean_text(bounded_text(textpage, box.left, box.bottom, box.right, box.top))
        return text, images and image_body(page, textpage, text)
    finally:
        raw.FPDFText_ClosePage(textpage)


#: The bytes PDF syntax takes for white space.
_PDF_SPACE = b" \t\r\n\f\0"


def has_image_xobject(data: bytes) -> bool:
    """Whether the PDF's bytes hold an image XObject (a ``/Subtype /Image`` dictionary).

    A stream's dictionary is never compressed (object streams hold no streams) nor
    encrypted, so an image XObject always shows its subtype in the bytes. Only those are
    looked for: the name ``/Image`` alone is in most PDFs' ``/ProcSet [/ImageB /ImageC
    /ImageI]``, image or not, and looking through the objects of every such page cost a
    tenth of a millisecond. Inline images, inside compressed content streams, are not
    seen; a page that holds nothing else has no text and is read by OCR all the same.
    """
    position = data.find(b"/Image")
    while position >= 0:
        end = position + len(b"/Image")
        named = data[max(0, position - 32) : position].rstrip(_PDF_SPACE)
        # Not /ImageB, /ImageC, /ImageI: a name ends at a delimiter.
        if named.endswith(b"/Subtype") and not data[end : end + 1].isalnum():
            return True
        position = data.find(b"/Image", end)
    return False


def _metadata(pdf: object) -> dict[str, str]:
    """The document information dictionary's non-empty values, by key (``pdf``: a handle).

    pypdfium2's own reader asks pdfium twice for each key (the size, then the value);
    one buffer large enough for nearly every value halves the calls.
    """
    buffer = ctypes.create_string_buffer(_METADATA_BUFFER)
    found: dict[str, str] = {}
    for key in pdfium.PdfDocument.METADATA_KEYS:
        tag = key.encode("ascii")
        size = pdfium.raw.FPDF_GetMetaText(pdf, tag, buffer, _METADATA_BUFFER)
        if size > _METADATA_BUFFER:
            buffer = ctypes.create_string_buffer(size)
            pdfium.raw.FPDF_GetMetaText(pdf, tag, buffer, size)
        # UTF-16LE, ending with a two-byte NUL.
        value = buffer.raw[: max(size - 2, 0)].decode("utf-16-le", "replace")
        if value:
            found[key] = value
    return found


def _with_form(page: Page, form: tuple[FormField, ...]) -> Page:
    """The page, the values of its filled form fields written beside their labels."""
    fields = [f for f in form if f.page == page.number]
    if not fields:
        return page
    return replace(page, text=fill(page.text, fields))


def with_tables(page: Page, words: Callable[[int], tuple[Word, ...]]) -> Page:
    """The page, its tables' values written after it beside their labels (see :mod:`.tables`).

    Only a page whose text has a line that may be a header row pays for its words. Used
    for text layers here, and for pages read by OCR (:mod:`.analysis`), with their words.
    """
    if not has_header_row(page.text):
        return page
    pairs = table_fields(words(page.number))
    if not pairs:
        return page
    return replace(page, text=f"{page.text}\n{render(pairs)}")


class Uncuttable(Exception):
    """The pages of a PDF could not be copied into a PDF of their own."""


def cut_pages(data: bytes, groups: Sequence[Sequence[int]]) -> dict[tuple[int, ...], bytes]:
    """The bytes of a PDF of each group of ``data``'s pages (1-based), keyed by the group.

    One parse of the source for all the groups, and each group copies its own pages and
    resources only (pdfium's page import), so the cost grows with the pages, not with their
    square. pdfium is the reader the text came from: a PDF it read (a damaged cross-reference
    table it repaired, a deep page tree) is cut the same way. Raises :class:`Uncuttable`.
    """
    try:
        source = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise Uncuttable(str(error)) from None
    parts: dict[tuple[int, ...], bytes] = {}
    try:
        for group in groups:
            key = tuple(group)
            part = pdfium.PdfDocument.new()
            try:
                part.import_pages(source, [number - 1 for number in key])
                if len(part) != len(key):
                    raise Uncuttable(f"pages {_label(key)}: {len(part)} page(s) copied")
                buffer = io.BytesIO()
                part.save(buffer)
            except pdfium.PdfiumError as error:
                raise Uncuttable(f"pages {_label(key)}: {error}") from None
            finally:
                part.close()
            parts[key] = buffer.getvalue()
    finally:
        source.close()
    return parts


def _label(pages: Sequence[int]) -> str:
    return ",".join(map(str, pages))


def _word_source(data: bytes) -> Callable[[int], tuple[Word, ...]]:
    """A cached, lazily opened pdfplumber reader of the words of each page."""

    @functools.cache
    def plumber() -> object:
        import pdfplumber

        return pdfplumber.open(io.BytesIO(data))

    @functools.cache
    def words(number: int) -> tuple[Word, ...]:
        pdf = plumber()
        page = pdf.pages[number - 1]  # type: ignore[attr-defined]
        return tuple(
            Word(clean_text(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"])
            for w in page.extract_words(keep_blank_chars=False, use_text_flow=True)
        )

    return words
