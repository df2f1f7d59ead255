"""The reading strategy: how one page is read, and read again when the first reading is poor.

:func:`ocr_page` renders a page, reads it once as it is, and reads it again only when that
reading says so: turned, when it is poor or was made sideways; finer, when the print is
small; straightened, when the page is skewed. It returns the same
:class:`~attest_pipeline.models.Page` a text layer gives (with ``ocr=True`` and the mean
word confidence) plus the words with their boxes in PDF points and their confidences.

Measured on the 2-core machine with Tesseract 5.3.0 and the ``tessdata_fast`` French
model Debian ships, on the 26 scanned samples of ``samples/scanned`` (``python
samples/scan.py``); ``python bench/ocr_bench.py`` prints the tables. "Keys" are the
participant's last name, the RPPS and the dates as printed (71 in all); "similarity"
compares the whole OCR text with the original text layer. Times vary by a quarter between
runs: the machine is shared.

- **Resolution** 200 dpi (:attr:`~attest_pipeline.config.OcrConfig.dpi`): keys 69/71 at
  150, 68/71 at 200, 67/71 at 300 dpi, similarity 96.2 / 96.4 / 95.7 %, 0.77 / 0.76 to
  0.97 / 1.58 s a page (rendering 0.04 to 0.10 s). 150 dpi is as good on ordinary print but
  loses 7 pt print (1 to 4 keys out of 5 where 200 dpi reads 4 or 5). Print still smaller
  (median word height under :data:`SMALL_PRINT`) is rendered again at :data:`FINE_DPI` and
  read again.
- **Orientation**: the page is read as it is first. Only when that reading is poor (mean
  word confidence under :data:`RETRY_BELOW`) or made of words taller than wide (Tesseract
  reads a page lying on its side by turning each block itself, in the wrong order) is the
  page read again turned by 180, 90 and 270 degrees (90 and 270 only when the words were
  tall), keeping the best reading. Asking Tesseract's orientation detection first
  (``--psm 0``, :data:`USE_OSD`) is right as often but slower: 2.8 to 3.0 s a turned page
  against 1.7 to 2.0 s (the detection alone takes 1.1 to 1.5 s, a reading 0.8 to 1.2 s).
- **Skew**: Tesseract reads a test page skewed by up to 3 degrees as well as a straight one
  (mean confidence 94.6 at 0, 94.5 at 2, 91.9 at 4, 83.9 at 6, 80.2 at 8 degrees). The skew
  is measured for free on the words of the reading (:func:`~.layout.skew`); beyond
  :data:`DESKEW_FROM` degrees the image is turned back and read again, and the better
  reading is kept.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attest_pipeline.models import Page, Word
from attest_pipeline.ocr import images, layout
from attest_pipeline.ocr.tesseract import (
    POINTS_PER_INCH,
    OcrTimeout,
    PageRun,
    osd_rotation,
    read_lines,
    require,
)
from attest_pipeline.ocr.text import ALNUM, clean_text

if TYPE_CHECKING:
    from PIL import Image

    from attest_pipeline.config import OcrConfig

#: Below this mean word confidence, the orientation of the page is questioned.
RETRY_BELOW = 70.0
#: Whether to ask Tesseract's orientation detection (``--psm 0``, when its data is installed)
#: which way a poorly read page must be turned, rather than reading it turned each way.
USE_OSD = False
#: Print whose words are shorter than this (median height in points: 6 pt for an 8 pt
#: font) is read again at :data:`FINE_DPI`.
SMALL_PRINT = 6.0
#: The resolution small print is read at.
FINE_DPI = 300
#: The finer reading of small print is kept unless its confidence is lower by more than this.
FINER_MARGIN = 5.0
#: A page skewed by more than this many degrees is turned back and read again.
DESKEW_FROM = 2.5
#: A page skewed less, but by this many degrees or more, is turned back and read again when
#: the first reading left a line of ink unread (:func:`_missed_lines`).
DESKEW_MISSED_FROM = 0.5


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The result of reading one page by OCR.

    ``page`` has ``ocr=True`` and the mean word confidence. ``words`` have their boxes in
    PDF points from the top-left corner of the page *as read*, that is once turned upright
    and straightened, the skew left (under :data:`DESKEW_FROM`) taken out of the boxes
    (:func:`~.layout.level`), and their confidences. ``rotation`` is the clockwise
    rotation in degrees (0, 90, 180 or 270) that was applied to the rendered page to put it
    upright; ``skew`` the further small rotation (degrees, counter-clockwise) applied to
    straighten the image, 0 when none was needed.
    ``seconds`` is the wall time spent on the page; ``dpi`` the resolution of the reading
    kept (:data:`FINE_DPI` when small print was read again).
    """

    page: Page
    words: tuple[Word, ...]
    rotation: int
    seconds: float
    skew: float = 0.0
    dpi: float = 0.0


@dataclass(frozen=True, slots=True)
class Reading:
    """One Tesseract pass over one image, its lines joined back (:func:`read`)."""

    lines: tuple[layout.Line, ...]
    confidence: float
    rotation: int
    skew: float
    sideways: bool
    dpi: float

    @property
    def words(self) -> tuple[Word, ...]:
        """The words of every line, in reading order."""
        return tuple(word for line in self.lines for word in line)

    @property
    def good(self) -> bool:
        """Whether this reading is good enough not to question the page's orientation."""
        return not self.sideways and self.confidence >= RETRY_BELOW

    @property
    def rank(self) -> tuple[bool, float]:
        """Readings compare on this: an upright reading beats a sideways one."""
        return (not self.sideways, self.confidence)


def read(image: Image.Image, dpi: float, rotation: int, skew: float, run: PageRun) -> Reading:
    """One OCR pass over ``image`` (already turned by ``rotation`` and straightened by ``skew``)."""
    lines = read_lines(image, dpi, run)
    scored = [
        word.confidence
        for line in lines
        for word in line
        if word.confidence is not None and ALNUM.search(word.text)
    ]
    joined = layout.join_split_lines(lines)
    return Reading(
        lines=tuple(joined),
        confidence=statistics.fmean(scored) if scored else 0.0,
        rotation=rotation,
        skew=skew,
        sideways=layout.sideways([word for line in joined for word in line]),
        dpi=dpi,
    )


def ocr_image(image: Image.Image, number: int, settings: OcrConfig) -> OcrPage:
    """Read one page image by OCR (see :func:`ocr_page`).

    The image's resolution is taken from ``image.info["dpi"]`` when present, else from
    ``settings.dpi``; it converts the word boxes to PDF points. ``number`` is the page's
    1-based number, kept in the returned :class:`~attest_pipeline.models.Page`. Small print
    is read again on the image enlarged (there is no page to render more finely).
    """
    started = time.monotonic()
    image = images.grayscale(image)
    dpi_info = image.info.get("dpi")
    dpi = float(dpi_info[0]) if dpi_info else float(settings.dpi)
    return _ocr(
        image, dpi, lambda finer: images.enlarge(image, dpi, finer), number, settings, started
    )


def ocr_page(pdf_bytes: bytes, number: int, settings: OcrConfig) -> OcrPage:
    """Read page ``number`` (1-based) of a PDF by OCR.

    Renders the page in grayscale at ``settings.dpi``, puts it upright (0, 90, 180 or 270
    degrees), renders it again at :data:`FINE_DPI` when its print is small, straightens a
    skew of a few degrees when it helps, runs Tesseract in ``settings.language`` and returns
    the page text (lines in reading order, cleaned by :func:`~.text.clean_text`), the mean
    word confidence and the words with their boxes in PDF points. Raises
    :class:`~.tesseract.OcrUnavailable` when Tesseract or the language is missing,
    :class:`~.tesseract.OcrTimeout` when the first reading does not finish within
    ``settings.page_timeout`` seconds (rendering included; a retry that does not fit keeps
    the reading already made), :class:`~.tesseract.OcrError` when Tesseract fails, and
    ``ValueError`` for a page number not in the document.
    """
    started = time.monotonic()
    require(settings.language)
    image = images.render_page(pdf_bytes, number, settings.dpi)

    def render(finer: float) -> Image.Image:
        return images.render_page(pdf_bytes, number, round(finer))

    return _ocr(image, float(image.info["dpi"][0]), render, number, settings, started)


def _ocr(
    image: Image.Image,
    dpi: float,
    render: Callable[[float], Image.Image],
    number: int,
    settings: OcrConfig,
    started: float,
) -> OcrPage:
    """Read one page: first as it is, then turned, finer or straightened when that helps."""
    status = require(settings.language)
    run = PageRun(settings.language, number, settings.page_timeout, started + settings.page_timeout)
    best = read(image, dpi, 0, 0.0, run)
    best_image = image
    try:
        if not best.good:
            # A sheet fed upside down is more common than one fed sideways; a reading made
            # of tall words was made sideways, and only a quarter turn can fix it.
            tries: tuple[int, ...] = (90, 270) if best.sideways else (180, 90, 270)
            if USE_OSD and status.osd:
                guess = osd_rotation(image, dpi, run)
                if guess is not None:
                    tries = (guess,) if guess else ()
            for rotation in tries:
                turned = images.turn(image, rotation)
                reading = read(turned, dpi, rotation, 0.0, run)
                if reading.rank > best.rank:
                    best, best_image = reading, turned
                if best.good:
                    break
        size = layout.print_size(best.lines)
        if dpi < FINE_DPI and size is not None and size < SMALL_PRINT:
            finer = images.turn(render(FINE_DPI), best.rotation)
            reading = read(finer, FINE_DPI, best.rotation, 0.0, run)
            # The coarse reading of small print often has a fine confidence but lines run
            # together and words lost: the finer one is kept unless clearly worse.
            if reading.rank >= (best.rank[0], best.confidence - FINER_MARGIN):
                best, best_image = reading, finer
        skew = layout.skew(best.lines)
        if abs(skew) >= DESKEW_FROM or (
            abs(skew) >= DESKEW_MISSED_FROM and _missed_lines(best, best_image)
        ):
            straight = images.straighten(best_image, skew)
            reading = read(straight, best.dpi, best.rotation, -skew, run)
            # A line read that the first reading lost is worth a slightly lower mean
            # confidence; a word more or less is not (a logo's ink read as a word).
            more = len(reading.lines) > len(best.lines)
            if reading.rank > best.rank or (
                more and reading.rank >= (best.rank[0], best.confidence - FINER_MARGIN)
            ):
                best, best_image = reading, straight
    except OcrTimeout:
        # The page was read once; a retry that does not fit in the time left keeps the
        # reading already made rather than losing it.
        pass
    found = _with_leaders(best.lines, best_image, best.dpi)
    text = clean_text([" ".join(word.text for word in line) for line in found])
    points = POINTS_PER_INCH / best.dpi
    centre = (best_image.width * points / 2, best_image.height * points / 2)
    lines = layout.level(found, layout.skew(found), centre)
    return OcrPage(
        page=Page(number=number, text=text, ocr=True, confidence=round(best.confidence, 1)),
        words=tuple(word for line in lines for word in line),
        rotation=best.rotation,
        seconds=time.monotonic() - started,
        skew=round(best.skew, 2),
        dpi=best.dpi,
    )


#: A gap between two words of a line wider than this many word heights may hold a dot
#: leader that Tesseract dropped (a space is 0.3 to 0.5 word heights).
LEADER_GAP = 2.0
#: What stands for a dot leader in the text, as a text layer gives it.
LEADER = "........"


def _with_leaders(
    lines: Sequence[layout.Line], image: Image.Image, dpi: float
) -> list[layout.Line]:
    """The lines with the dot leaders Tesseract dropped put back, as words of their own.

    Only a wide gap between two words of one line is looked at (:func:`~.images.dotted`):
    a few crops of a few pixels, on the lines that have one.
    """
    pixels = dpi / POINTS_PER_INCH
    restored: list[layout.Line] = []
    for line in lines:
        words: list[Word] = []
        for word in line:
            if words:
                previous = words[-1]
                top = min(previous.top, word.top)
                bottom = max(previous.bottom, word.bottom)
                height = min(previous.bottom - previous.top, word.bottom - word.top)
                gap = word.x0 - previous.x1
                if gap > LEADER_GAP * height and images.dotted(
                    image,
                    (
                        round((previous.x1 + height / 2) * pixels),
                        round(top * pixels),
                        round((word.x0 - height / 2) * pixels),
                        round(bottom * pixels),
                    ),
                ):
                    words.append(Word(LEADER, previous.x1, word.x0, top, bottom, None))
            words.append(word)
        restored.append(tuple(words))
    return restored


def _missed_lines(reading: Reading, image: Image.Image) -> bool:
    """Whether ``reading`` left unread a band of ink as tall as its print (a lost line).

    Tesseract's segmentation sometimes drops a whole line of a skewed page, read in full
    once the page is straightened: one page in the 150 of 70 variation scans, skewed by
    2.35 degrees, lost the line naming the diploma (and was filed in the wrong bloc). The
    check costs 20 to 130 ms on the loaded machine (:func:`~.images.unread_ink`); on 70
    other pages, read whole (65 of them from another seed), it set off no further reading.
    """
    size = layout.print_size(reading.lines)
    words = reading.words
    if size is None:
        return False
    pixels = reading.dpi / POINTS_PER_INCH
    rows = [(round(w.top * pixels), round(w.bottom * pixels)) for w in words]
    left = round(min(w.x0 for w in words) * pixels)
    right = round(max(w.x1 for w in words) * pixels)
    return images.unread_ink(image, rows, left, right) >= 0.6 * size * pixels
