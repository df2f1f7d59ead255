"""Whether a page's text layer is the attestation, or the page must be read by OCR.

Two checks, both cheap enough to run on every page of every text PDF:

- :func:`text_unusable`: the text itself says so: empty, a few characters (a stamp, a
  typed-in name over a scan), the garbage of a font without a usable encoding;
- :func:`image_body`: the page's body is an image and its text layer only what lies
  around it: a scan pasted into a page under a typed header or footer, a fax cover.

Text drawn as outlines leaves no text layer and no image: :func:`text_unusable` sees an
empty text and the page is read from its rendering. :mod:`attest_pipeline.reading` sets
:attr:`~attest_pipeline.models.Page.image_body` while it reads the pages;
:func:`needs_ocr` combines both.
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

import pypdfium2 as pdfium

from attest_pipeline.models import Page

#: Fewer letters than this and a page's text layer is not worth keeping. No attestation
#: fits in 40 letters (issuer, participant, action and dates take well over 100), while a
#: scanned form whose only text layer is a typed-in name or a stamp ("Attestation", "Dr
#: Jean DUPONT", "Page 1/1") has fewer: reading such a page by OCR costs half a second and
#: finds everything the text layer had plus the scanned part.
MIN_LETTERS = 40
#: More than this share of suspicious characters (among the non-space ones) and the text
#: is the garbage of a font without a usable encoding.
MAX_GARBAGE = 0.25
#: A text of at least this many words with not one common French or English word is taken
#: for a font whose letters are shifted (``$WWHVWDWLRQ`` for ``Attestation``).
MIN_WORDS_FOR_LANGUAGE = 12
#: An image covering at least this share of the page may be the attestation itself.
IMAGE_BODY_SHARE = 0.4
#: At most this share of the page's letters inside the image and the text layer is only
#: what surrounds it (a header, a footer, a fax cover's lines), not the attestation.
IMAGE_BODY_TEXT_INSIDE = 0.1

_CID = re.compile(r"\(cid:\d+\)")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Characters a real attestation is made of, besides letters, digits and spaces.
_ORDINARY = frozenset(".,;:!?'\"’‘“”«»()[]/-–—_°%€$&@+*#§=<>|\\")
#: Matches the start of a text up to its MIN_LETTERS-th letter: absent, the text has fewer.
_ENOUGH_LETTERS = re.compile(r"[\W\d_]*(?:[^\W\d_][\W\d_]*){" + str(MIN_LETTERS) + "}")
_SPACE_RUN = re.compile(r"\s+")
# Neither a letter, a digit, a space nor an ordinary character.
_SUSPICIOUS = re.compile("[^\\w\\s" + re.escape("".join(sorted(_ORDINARY))) + "]")
_FUNCTION_WORD = re.compile(
    r"(?<!\w)(?:de|des|du|la|le|les|et|en|au|aux|un|une|pour|par|sur|dans|que|qui|est|a|à"
    r"|the|of|and|to|in|for|on|at|by|is)(?!\w)",
    re.IGNORECASE,
)


def needs_ocr(page: Page) -> bool:
    """Whether ``page`` must be read by OCR: its body is an image, or its text is unusable."""
    return page.image_body or text_unusable(page.text)


def text_unusable(text: str) -> bool:
    """Whether a page whose text layer is ``text`` must be read by OCR instead.

    True when the text is empty or whitespace, has fewer than :data:`MIN_LETTERS` letters,
    has more than :data:`MAX_GARBAGE` of suspicious characters (``(cid:NN)`` artefacts,
    replacement characters, private-use or control characters, unusual symbols), or has
    :data:`MIN_WORDS_FOR_LANGUAGE` words or more without a single common French or English
    word (a font with shifted letters). Cheap: a few passes over the page's characters.
    """
    cids = len(_CID.findall(text))
    if cids:
        text = _CID.sub(" ", text)
    # Counted in C, and only as far as the thresholds need: this runs on every page of
    # every text PDF, where a count of every character cost a tenth of a millisecond.
    if _ENOUGH_LETTERS.match(text) is None:
        return True
    suspicious = cids + len(_SUSPICIOUS.findall(text))
    # At least MIN_LETTERS characters are visible: a few suspicious ones need no count.
    if suspicious > MAX_GARBAGE * (cids + MIN_LETTERS):
        visible = cids + len(_SPACE_RUN.sub("", text))
        if suspicious > MAX_GARBAGE * visible:
            return True
    # The search stops at the first common word, a few characters in on a real page.
    if _FUNCTION_WORD.search(text):
        return False
    return len(_WORD.findall(text)) >= MIN_WORDS_FOR_LANGUAGE


def image_body(page: Any, textpage: Any, text: str) -> bool:
    """Whether the page's body is an image and its text layer only what lies around it.

    An image covering at least :data:`IMAGE_BODY_SHARE` of the page, holding at most
    :data:`IMAGE_BODY_TEXT_INSIDE` of the page's letters (``text`` is the page's text).
    A searchable scan (its text layer over the image) is not one: its text lies inside the
    image. ``page`` and ``textpage`` are pdfium's handles (``FPDF_PAGE``, ``FPDF_TEXTPAGE``).
    """
    width, height = pdfium.raw.FPDF_GetPageWidthF(page), pdfium.raw.FPDF_GetPageHeightF(page)
    largest: tuple[float, float, float, float] | None = None
    largest_area = 0.0
    for left, bottom, right, top in _image_boxes(page):
        left, right = max(left, 0.0), min(right, width)
        bottom, top = max(bottom, 0.0), min(top, height)
        area = max(right - left, 0.0) * max(top - bottom, 0.0)
        if area > largest_area:
            largest, largest_area = (left, bottom, right, top), area
    if largest is None or largest_area < IMAGE_BODY_SHARE * width * height:
        return False
    letters = sum(c.isalpha() for c in text)
    inside = bounded_text(textpage, *largest)
    return sum(c.isalpha() for c in inside) <= IMAGE_BODY_TEXT_INSIDE * letters


def bounded_text(textpage: Any, left: float, bottom: float, right: float, top: float) -> str:
    """The text of pdfium's text page ``textpage`` (a handle) inside a box, in page units.

    One call, with a buffer large enough for the text in UTF-16: each of the page's
    characters takes at most two units (pypdfium2's helper asks twice, for the length
    first, and pdfium works out the text each time).
    """
    raw = pdfium.raw
    size = 2 * max(raw.FPDFText_CountChars(textpage), 0) + 2
    buffer = (ctypes.c_ushort * size)()
    written = raw.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, size)
    if written >= size:  # not expected; the count of its text is then asked for
        size = raw.FPDFText_GetBoundedText(textpage, left, top, right, bottom, None, 0) * 2 + 2
        buffer = (ctypes.c_ushort * size)()
        written = raw.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, size)
    # pdfium counts the ending NUL it writes.
    text = ctypes.string_at(buffer, max(written, 0) * 2).decode("utf-16-le", "ignore")
    return text[:-1] if text.endswith("\0") else text


def _image_boxes(page: Any) -> list[tuple[float, float, float, float]]:
    """The boxes of the page's images: its image objects, and the forms holding one.

    Read through pdfium's raw calls: the objects of a page of text number in the
    hundreds, and wrapping each in a Python object cost more than the rest of the reading.
    """
    raw = pdfium.raw
    boxes = []
    for index in range(raw.FPDFPage_CountObjects(page)):
        item = raw.FPDFPage_GetObject(page, index)
        kind = raw.FPDFPageObj_GetType(item)
        if kind == raw.FPDF_PAGEOBJ_FORM and not _holds_image(item):
            continue
        if kind in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
            edges = [ctypes.c_float() for _ in range(4)]
            if raw.FPDFPageObj_GetBounds(item, *(ctypes.byref(e) for e in edges)):
                left, bottom, right, top = (e.value for e in edges)
                boxes.append((left, bottom, right, top))
    return boxes


def _holds_image(form: object, depth: int = 0) -> bool:
    """Whether a form object holds an image, itself or in a nested form."""
    raw = pdfium.raw
    for index in range(raw.FPDFFormObj_CountObjects(form)):
        item = raw.FPDFFormObj_GetObject(form, index)
        kind = raw.FPDFPageObj_GetType(item)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            return True
        if kind == raw.FPDF_PAGEOBJ_FORM and depth < 4 and _holds_image(item, depth + 1):
            return True
    return False
