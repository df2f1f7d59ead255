"""OCR of pages that have no usable text layer (scanned attestations), with Tesseract.

The reading stage reads each page's text layer first (pypdfium2, about a millisecond a
page). :func:`needs_ocr` says when that text is not usable (empty, a few characters, or the
garbage a broken font encoding produces); such a page goes through :func:`ocr_page`, which
renders it, puts it upright, runs Tesseract in French and returns the same
:class:`~attest_pipeline.models.Page` a text layer gives (with ``ocr=True`` and the mean word
confidence) plus the words with their boxes in PDF points and their confidences. The plugins
then read OCR text exactly like text-layer text.

How a page is read, and why. Measured on the 2-core machine with Tesseract 5.3.0 and the
``tessdata_fast`` French model Debian ships, on the 26 scanned samples of
``samples/scanned`` (``python samples/scan.py``); ``python bench/ocr_bench.py`` prints the
tables. "Keys" are the participant's last name, the RPPS and the dates as printed (71 in
all); "similarity" compares the whole OCR text with the original text layer. Times vary by
a quarter between runs: the machine is shared.

- **Tesseract is run as a child process**, the image sent on its standard input as PGM
  (1 ms to encode, against 35 ms for PNG) and the TSV read from its standard output: no
  temporary file, a hard per-page timeout (the child is killed), and
  ``OMP_THREAD_LIMIT=1`` set in the child's environment only. Tesseract's OpenMP threads
  make a page 2 to 2.5 times slower on 2 cores (0.76 to 0.97 s a page with one thread,
  1.71 to 1.92 s without the limit, at 200 dpi) and would fight the pipeline's own worker
  processes. pytesseract costs the same per page (0.76 to 0.85 s against 0.79 to 0.80 s for
  one pass) but goes through temporary files and cannot set the child's environment
  without changing ours; tesserocr (in-process, with its own
  bundled Tesseract 5.5) saves about 0.1 s a page of start-up but cannot be killed on a
  timeout and a crash of the library would take the worker down; OCRmyPDF writes a new PDF,
  which we do not need.
- **Page segmentation** ``--psm 3`` (automatic, :data:`PSM`): it keeps a table's label and
  value on one line and a sidebar apart from the body, giving text laid out like the text
  layer. Keys found: 68/71 with ``--psm 3``, 67/71 with 4, 51/71 with 6 (a grid of ruled
  cells loses whole rows); similarity 96.4, 94.3 and 92.4 %; 0.8 to 0.9 s a page each.
  When it cuts one printed line in two blocks (even inside a word), the pieces are joined
  back (:func:`_join_split_lines`).
- **Resolution** 200 dpi (:attr:`OcrSettings.dpi`): keys 69/71 at 150, 68/71 at 200, 67/71
  at 300 dpi, similarity 96.2 / 96.4 / 95.7 %, 0.77 / 0.76 to 0.97 / 1.58 s a page
  (rendering 0.04 to 0.10 s). 150 dpi is as good on ordinary print but loses 7 pt print
  (1 to 4 keys out of 5 where 200 dpi reads 4 or 5). Print still smaller (median word
  height under :data:`SMALL_PRINT`) is rendered again at :data:`FINE_DPI` and read again.
- **Orientation**: the page is read as it is first. Only when that reading is poor (mean
  word confidence under :data:`RETRY_BELOW`) or made of words taller than wide (Tesseract
  reads a page lying on its side by turning each block itself, in the wrong order) is the
  page read again turned by 180, 90 and 270 degrees (90 and 270 only when the words were
  tall), keeping the best reading. Asking Tesseract's orientation detection first
  (``--psm 0``, :data:`USE_OSD`) is right as often but slower: 2.8 to 3.0 s a turned page
  against 1.7 to 2.0 s (the detection alone takes 1.1 to 1.5 s, a reading 0.8 to 1.2 s).
- **Skew**: Tesseract reads a test page skewed by up to 3 degrees as well as a straight one
  (mean confidence 94.6 at 0, 94.5 at 2, 91.9 at 4, 83.9 at 6, 80.2 at 8 degrees). The skew
  is measured for free on the words of the reading (the slope of each line's word
  baselines, median over the lines); beyond :data:`DESKEW_FROM` degrees the image is turned
  back and read again, and the better reading is kept.
- **Confidence**: the page's mean word confidence is 85 to 95 on every scanned sample, so
  it says little about one field; the words misread in the samples (an RPPS with a digit
  too many, a date) have a confidence of 0 to 85 while the key fields read right have 81.5
  or more (median 96). :func:`evidence_confidence` gives the lowest confidence of the words
  a field was read from, to compare with :attr:`OcrSettings.min_confidence`.
- **Clean-up** (:func:`clean_text`): typographic quotes and ligatures normalised, odd
  spaces collapsed, lines without a letter or digit (specks read as ``| — .``) dropped, a
  word cut by a hyphen at a line end joined when the next line starts in lowercase, and
  ``ler`` before a month name read ``1er``. Digits are never "corrected": turning ``O`` into
  ``0`` inside an RPPS is the identifiers helper's job, where the Luhn check confirms it.
  Reading a doubtful long number again, cut out of a 300 dpi rendering as one line of digits
  (``--psm 7`` with a digits whitelist), was tried and left out: it fixed the 2 misread RPPS
  of the samples with some crops and broke numbers read right with others.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

from attest_pipeline.models import Page, Word
from attest_pipeline.processes import die_with_parent

#: The Tesseract executable looked up on ``PATH``.
TESSERACT = "tesseract"
#: Page segmentation mode: fully automatic, without orientation detection (see the module
#: docstring).
PSM = 3
#: OCR engine mode: the LSTM engine only (the only one in the ``tessdata_fast`` models).
OEM = 1
#: Below this mean word confidence, the orientation of the page is questioned.
RETRY_BELOW = 70.0
#: Whether to ask Tesseract's orientation detection (``--psm 0``, when its data is installed)
#: which way a poorly read page must be turned, rather than reading it turned each way.
USE_OSD = False
#: Tesseract's orientation detection is trusted from this confidence on.
OSD_MIN_CONFIDENCE = 2.0
#: Print whose words are shorter than this (median height in points: 6 pt for an 8 pt
#: font) is read again at :data:`FINE_DPI`.
SMALL_PRINT = 6.0
#: The resolution small print is read at.
FINE_DPI = 300
#: The finer reading of small print is kept unless its confidence is lower by more than this.
FINER_MARGIN = 5.0
#: A page skewed by more than this many degrees is turned back and read again.
DESKEW_FROM = 2.5
#: A rendered page larger than this many pixels is rendered at a lower resolution (a large
#: poster scanned at 300 dpi would otherwise take minutes and gigabytes).
MAX_PIXELS = 40_000_000
#: The Debian command that installs Tesseract, for the messages.
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-fra"

_POINTS_PER_INCH = 72.0
# Tesseract's TSV: level page block par line word left top width height conf text.
_TSV_COLUMNS = 12
_WORD_LEVEL = "5"


class OcrError(Exception):
    """OCR of a page failed (Tesseract crashed or answered something unreadable)."""


class OcrUnavailable(OcrError):
    """Tesseract or the requested language is not installed; the message says how to fix it."""


class OcrTimeout(OcrError):
    """OCR of one page took longer than :attr:`OcrSettings.page_timeout`."""


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How pages without a text layer are read.

    ``enabled`` is the reading stage's switch (:func:`ocr_page` does not look at it).
    ``language`` is a Tesseract language code (``fra``; ``fra+eng`` for several). ``dpi`` is
    the rendering resolution (200: see the module docstring for the measurements).
    ``page_timeout`` bounds the reading of one page, retries included, in seconds.
    ``min_confidence`` (0-100) is the lowest word confidence a key field (participant,
    RPPS, dates) may have, by :func:`evidence_confidence`, before the core sends an OCR'd
    attestation to review (``low_ocr_confidence``); also the least mean confidence of a page
    whose field's words cannot be told apart. 80 lets through every key field read right
    in the samples (the lowest had 81.5) and stops the misread RPPS (confidence 0).
    """

    enabled: bool = True
    language: str = "fra"
    dpi: int = 200
    page_timeout: float = 30.0
    min_confidence: float = 80.0


@dataclass(frozen=True, slots=True)
class OcrStatus:
    """Whether Tesseract can be used here, and what to install when it cannot.

    ``available`` is true when the binary and the requested language are installed.
    ``problems`` are sentences for a person, each ending with the Debian command that fixes
    it. ``osd`` tells whether the orientation data is installed (optional, and consulted only
    when :data:`USE_OSD` is set: a page is otherwise put upright by reading it turned).
    """

    available: bool
    version: str | None
    languages: tuple[str, ...]
    problems: tuple[str, ...]
    osd: bool = False


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The result of reading one page by OCR.

    ``page`` has ``ocr=True`` and the mean word confidence. ``words`` have their boxes in
    PDF points from the top-left corner of the page *as read*, that is once turned upright,
    and their confidences. ``rotation`` is the clockwise rotation in degrees (0, 90, 180 or
    270) that was applied to the rendered page to put it upright; ``skew`` the further small
    rotation (degrees, counter-clockwise) applied to straighten it, 0 when none was needed.
    ``seconds`` is the wall time spent on the page; ``dpi`` the resolution of the reading
    kept (:data:`FINE_DPI` when small print was read again).
    """

    page: Page
    words: tuple[Word, ...]
    rotation: int
    seconds: float
    skew: float = 0.0
    dpi: float = 0.0


# ----------------------------------------------------------------------- installation


@functools.cache
def tesseract_status(language: str = "fra") -> OcrStatus:
    """Say whether Tesseract and ``language`` are installed (cached for the process).

    ``language`` may join several codes with ``+`` (``fra+eng``); each must be installed.
    """
    binary = shutil.which(TESSERACT)
    if binary is None:
        return OcrStatus(
            available=False,
            version=None,
            languages=(),
            problems=(
                f"Tesseract is not installed (no '{TESSERACT}' program on the PATH); "
                f"install it with: {INSTALL_HINT}",
            ),
        )
    problems: list[str] = []
    version: str | None = None
    languages: tuple[str, ...] = ()
    try:
        answer = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        # Tesseract 4 printed its version on stderr, Tesseract 5 on stdout.
        first = (answer.stdout or answer.stderr).strip().splitlines()
        if first and first[0].startswith("tesseract"):
            version = first[0].split()[-1]
        listing = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        )
        # 'List of available languages in "...":' then one code a line (on stderr before
        # Tesseract 4.1).
        listed = (listing.stdout or listing.stderr).splitlines()
        languages = tuple(sorted(line.strip() for line in listed[1:] if line.strip()))
    except (OSError, subprocess.SubprocessError) as error:
        problems.append(
            f"Tesseract ({binary}) could not be run ({error}); reinstall it with: {INSTALL_HINT}"
        )
    if not problems:
        for code in language.split("+"):
            if code not in languages:
                problems.append(
                    f"The Tesseract language '{code}' is not installed; install it with: "
                    f"apt-get install tesseract-ocr-{code}"
                )
    return OcrStatus(
        available=not problems,
        version=version,
        languages=languages,
        problems=tuple(problems),
        osd="osd" in languages,
    )


def _require(language: str) -> OcrStatus:
    status = tesseract_status(language)
    if not status.available:
        raise OcrUnavailable(" ".join(status.problems))
    return status


# ----------------------------------------------------------------- is the text usable?

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

_CID = re.compile(r"\(cid:\d+\)")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Characters a real attestation is made of, besides letters, digits and spaces.
_ORDINARY = frozenset(".,;:!?'\"’‘“”«»()[]/-–—_°%€$&@+*#§=<>|\\")
_LETTER = re.compile(r"[^\W\d_]")
_VISIBLE = re.compile(r"\S")
# Neither a letter, a digit, a space nor an ordinary character.
_SUSPICIOUS = re.compile("[^\\w\\s" + re.escape("".join(sorted(_ORDINARY))) + "]")
_FUNCTION_WORD = re.compile(
    r"(?<!\w)(?:de|des|du|la|le|les|et|en|au|aux|un|une|pour|par|sur|dans|que|qui|est|a|à"
    r"|the|of|and|to|in|for|on|at|by|is)(?!\w)",
    re.IGNORECASE,
)


def needs_ocr(text: str) -> bool:
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
    # Counted with regular expressions: a loop over the characters in Python would cost
    # a third of a millisecond on every page of every text PDF.
    letters = len(_LETTER.findall(text))
    visible = cids + len(_VISIBLE.findall(text))
    suspicious = cids + len(_SUSPICIOUS.findall(text))
    if letters < MIN_LETTERS:
        return True
    if suspicious > MAX_GARBAGE * visible:
        return True
    # The search stops at the first common word, a few characters in on a real page.
    if _FUNCTION_WORD.search(text):
        return False
    return len(_WORD.findall(text)) >= MIN_WORDS_FOR_LANGUAGE


# ------------------------------------------------------------------------- clean-up

_CHARACTERS = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u00ad": "",
        "ﬀ": "ff",
        "ﬁ": "fi",
        "ﬂ": "fl",
        "ﬃ": "ffi",
        "ﬄ": "ffl",
        "ﬅ": "st",
        "ﬆ": "st",
    }
)
_SPACES = re.compile(r"[ \t]{2,}")
_ALNUM = re.compile(r"[^\W_]")
# A line ending in a word of 2+ letters cut by a hyphen, and a next line starting with 2+
# lowercase letters: "forma-" / "tion continue". "Jean-" / "Pierre" and "2024-" / "2025"
# are not touched: a capital or a digit after the break is more likely a real hyphen.
_BROKEN_END = re.compile(r"(?<=[^\W\d_]{2})-$")
_CONTINUATION = re.compile(r"^([^\W\d_]{2,}\S*)\s*(.*)$")


# "1er" (first day of a month) is read "ler" or "Ier" more often than not. Only before a
# month name or the "et"/"au" of a range, where neither is a word.
_FIRST_OF_MONTH = re.compile(
    r"\b[lI]er(?=\s+(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre"
    r"|octobre|novembre|d[ée]cembre|et|au)\b)",
    re.IGNORECASE,
)


def clean_word(word: str) -> str:
    """One OCR word with quotes, ligatures and odd spaces normalised."""
    return word.translate(_CHARACTERS).strip()


def clean_text(lines: Sequence[str]) -> str:
    """Join OCR lines into a page text that the plugins read like a text layer.

    Each line has its quotes, ligatures and spaces normalised; lines without a letter or a
    digit are dropped; a word cut by a hyphen at a line end is joined when the next line
    starts in lowercase (the rest of that line stays on its own line); ``ler`` or ``Ier``
    before a month name becomes ``1er``. Digits and letters are never changed otherwise.
    """
    kept = [_SPACES.sub(" ", line.translate(_CHARACTERS)).strip() for line in lines]
    kept = [_FIRST_OF_MONTH.sub("1er", line) for line in kept if _ALNUM.search(line)]
    for index in range(len(kept) - 1):
        line = kept[index]
        if not _BROKEN_END.search(line):
            continue
        following = _CONTINUATION.match(kept[index + 1])
        if following is None or not following.group(1)[:2].islower():
            continue
        kept[index] = line[:-1] + following.group(1)
        kept[index + 1] = following.group(2)
    return "\n".join(line for line in kept if line)


def evidence_confidence(evidence: str, words: Sequence[Word]) -> float | None:
    """Return the lowest OCR confidence of the words a page-text excerpt was read from.

    ``evidence`` is an excerpt of an OCR'd page's text (a plugin's ``Found.evidence``);
    ``words`` are that page's words (:attr:`OcrPage.words`). The excerpt's words are looked
    for as a run of consecutive words (the first and last may be cut: ``10005682603`` in
    ``RPPS:10005682603``); the lowest confidence of the run is returned, so that one badly
    read digit of an RPPS or letter of a name is not averaged away. ``None`` when the
    excerpt is not found as such (across a joined hyphenation, or not on that page).
    """
    tokens = evidence.split()
    if not tokens:
        return None
    count = len(tokens)
    for start in range(len(words) - count + 1):
        run = words[start : start + count]
        if count == 1:
            matches = tokens[0] in run[0].text
        else:
            matches = (
                run[0].text.endswith(tokens[0])
                and run[-1].text.startswith(tokens[-1])
                and all(w.text == t for w, t in zip(run[1:-1], tokens[1:-1], strict=True))
            )
        if matches:
            scores = [w.confidence for w in run if w.confidence is not None]
            return min(scores) if scores else None
    return None


# ------------------------------------------------------------------------- rendering


def render_page(pdf_bytes: bytes, number: int, dpi: int) -> Image.Image:
    """Render page ``number`` (1-based) of a PDF in grayscale at ``dpi``.

    The page's own rotation (``/Rotate``) is applied, as a viewer shows it. A very large
    page is rendered at a lower resolution so as not to exceed :data:`MAX_PIXELS`; the
    image's ``info["dpi"]`` holds the resolution used.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_bytes)
    try:
        if not 1 <= number <= len(document):
            raise ValueError(f"page {number} is not in a document of {len(document)} pages")
        page = document[number - 1]
        try:
            width, height = page.get_size()
            if page.get_rotation() in (90, 270):
                width, height = height, width
            scale = dpi / _POINTS_PER_INCH
            pixels = width * height * scale * scale
            if pixels > MAX_PIXELS:
                scale *= math.sqrt(MAX_PIXELS / pixels)
            bitmap = page.render(scale=scale, grayscale=True)
            image: Image.Image = bitmap.to_pil().convert("L")
            # to_pil shares the bitmap's buffer: copy before the page is closed.
            image = image.copy()
        finally:
            page.close()
    finally:
        document.close()
    image.info["dpi"] = (scale * _POINTS_PER_INCH, scale * _POINTS_PER_INCH)
    return image


# --------------------------------------------------------------------------- Tesseract


@dataclass(frozen=True, slots=True)
class _Reading:
    """One Tesseract pass over one image."""

    lines: tuple[tuple[Word, ...], ...]
    confidence: float
    rotation: int
    skew: float
    sideways: bool
    dpi: float

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for line in self.lines for word in line)

    @property
    def good(self) -> bool:
        """Whether this reading is good enough not to question the page's orientation."""
        return not self.sideways and self.confidence >= RETRY_BELOW

    @property
    def rank(self) -> tuple[bool, float]:
        """Readings compare on this: an upright reading beats a sideways one."""
        return (not self.sideways, self.confidence)


def _sideways(words: Sequence[Word]) -> bool:
    """Whether Tesseract read the page's lines as vertical text (the page is on its side).

    Tesseract reads a page lying on its side by turning each block itself, and can do so
    with a good confidence, but the lines then come in the wrong order and the boxes in the
    wrong frame. Such words are taller than wide: on an upright page, a word of four
    characters or more is always wider than tall.
    """
    long = [word for word in words if len(word.text) >= 4]
    if len(long) < 5:
        return False
    tall = sum(1 for word in long if word.bottom - word.top > word.x1 - word.x0)
    return tall * 2 > len(long)


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["OMP_THREAD_LIMIT"] = "1"
    return environment


_ENVIRONMENT = _environment()


def _remaining(deadline: float, number: int, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeout(f"page {number}: OCR took more than {timeout:g} s")
    return left


def _tesseract(
    image: Image.Image, arguments: Sequence[str], deadline: float, number: int, timeout: float
) -> str:
    """Run Tesseract on ``image`` and return its standard output."""
    buffer = io.BytesIO()
    image.save(buffer, "PPM")
    try:
        answer = subprocess.run(
            [TESSERACT, "stdin", "stdout", *arguments],
            input=buffer.getvalue(),
            capture_output=True,
            env=_ENVIRONMENT,
            timeout=_remaining(deadline, number, timeout),
            check=False,
            # Killed with its worker, which may itself be killed over a time limit.
            preexec_fn=die_with_parent,
        )
    except subprocess.TimeoutExpired as error:
        raise OcrTimeout(f"page {number}: OCR took more than {timeout:g} s") from error
    except OSError as error:
        raise OcrUnavailable(f"Tesseract could not be run ({error}): {INSTALL_HINT}") from error
    if answer.returncode != 0:
        message = answer.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(
            f"page {number}: Tesseract failed (exit {answer.returncode})"
            + (f": {message[-1]}" if message else "")
        )
    return answer.stdout.decode("utf-8", "replace")


def _read(
    image: Image.Image,
    settings: OcrSettings,
    dpi: float,
    rotation: int,
    skew: float,
    deadline: float,
    number: int,
) -> _Reading:
    """One OCR pass: the words grouped in lines, in Tesseract's reading order."""
    points_per_pixel = _POINTS_PER_INCH / dpi
    output = _tesseract(
        image,
        [
            *("-l", settings.language, "--oem", str(OEM), "--psm", str(PSM)),
            *("--dpi", str(round(dpi)), "tsv"),
        ],
        deadline,
        number,
        settings.page_timeout,
    )
    lines: dict[tuple[str, str, str], list[Word]] = {}
    for row in output.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != _TSV_COLUMNS or cells[0] != _WORD_LEVEL:
            continue
        text = clean_word(cells[11])
        if not text:
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        lines.setdefault((cells[2], cells[3], cells[4]), []).append(
            Word(
                text=text,
                x0=left * points_per_pixel,
                x1=(left + width) * points_per_pixel,
                top=top * points_per_pixel,
                bottom=(top + height) * points_per_pixel,
                confidence=max(0.0, float(cells[10])),
            )
        )
    scored = [
        word.confidence
        for line in lines.values()
        for word in line
        if word.confidence is not None and _ALNUM.search(word.text)
    ]
    joined = _join_split_lines([tuple(line) for line in lines.values()])
    words = [word for line in joined for word in line]
    return _Reading(
        lines=tuple(joined),
        confidence=statistics.fmean(scored) if scored else 0.0,
        rotation=rotation,
        skew=skew,
        sideways=_sideways(words),
        dpi=dpi,
    )


def _join_split_lines(lines: list[tuple[Word, ...]]) -> list[tuple[Word, ...]]:
    """Join the pieces of one printed line that Tesseract put in two blocks.

    Page segmentation sometimes cuts a long line where a column seems to start, even inside
    a word ("Rencontres national" | "es ReAGJIR (ReAGJIR 2025)..."), and gives the pieces in
    the wrong order. Two lines are pieces of one when they overlap vertically by half their
    height or more and one starts where the other ends: no further than
    :data:`_JOIN_GAP` word heights (a column gutter is wider). The joined line takes the
    place of the first piece; pieces closer than :data:`_GLUE_GAP` word heights were one
    word, glued back.
    """
    joined = list(lines)
    merged = True
    while merged:
        merged = False
        for first in range(len(joined)):
            for second in range(first + 1, len(joined)):
                line = _joined(joined[first], joined[second])
                if line is not None:
                    joined[first] = line
                    del joined[second]
                    merged = True
                    break
            if merged:
                break
    return joined


# A piece of line is joined to another no further than this many word heights away.
_JOIN_GAP = 1.0
# Pieces closer than this many word heights are one word cut in two (measured: 0.14 for a
# cut word, 0.45 for a space).
_GLUE_GAP = 0.25


def _joined(one: tuple[Word, ...], other: tuple[Word, ...]) -> tuple[Word, ...] | None:
    """The two pieces as one line, left to right, or ``None`` if they are not one line."""
    if not one or not other:
        return None
    left, right = (one, other) if one[0].x0 <= other[0].x0 else (other, one)
    top = max(min(w.top for w in left), min(w.top for w in right))
    bottom = min(max(w.bottom for w in left), max(w.bottom for w in right))
    heights = [w.bottom - w.top for w in (*left, *right)]
    height = statistics.median(heights)
    smaller = min(max(w.bottom for w in line) - min(w.top for w in line) for line in (left, right))
    gap = right[0].x0 - left[-1].x1
    if bottom - top < smaller / 2 or not -0.3 * height <= gap <= _JOIN_GAP * height:
        return None
    if gap > _GLUE_GAP * height:
        return (*left, *right)
    cut, rest = left[-1], right[0]
    word = Word(
        text=cut.text + rest.text,
        x0=cut.x0,
        x1=rest.x1,
        top=min(cut.top, rest.top),
        bottom=max(cut.bottom, rest.bottom),
        confidence=min(
            (c for c in (cut.confidence, rest.confidence) if c is not None), default=None
        ),
    )
    return (*left[:-1], word, *right[1:])


def _print_size(reading: _Reading) -> float | None:
    """The median height in points of the words of two characters or more.

    ``None`` when fewer than 3 such words were read: nothing to measure.
    """
    heights = [
        word.bottom - word.top for line in reading.lines for word in line if len(word.text) >= 2
    ]
    return statistics.median(heights) if len(heights) >= 3 else None


def _skew(reading: _Reading) -> float:
    """Measure the page's skew in degrees (counter-clockwise positive) on word baselines.

    Each line of 3 words or more gives the slope of its word baselines (least squares); the
    median over the lines resists the odd line that Tesseract cut across two real lines.
    0 when fewer than 3 lines can be measured.
    """
    slopes: list[float] = []
    for line in reading.lines:
        if len(line) < 3:
            continue
        xs = [(word.x0 + word.x1) / 2 for word in line]
        ys = [word.bottom for word in line]
        mean_x = statistics.fmean(xs)
        mean_y = statistics.fmean(ys)
        spread = sum((x - mean_x) ** 2 for x in xs)
        if spread > 0:
            slopes.append(
                sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
            )
    if len(slopes) < 3:
        return 0.0
    # y grows downwards: a line rising to the right (counter-clockwise skew) has a negative
    # slope.
    return -math.degrees(math.atan(statistics.median(slopes)))


_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_OSD_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)


def _osd_rotation(
    image: Image.Image, dpi: int, deadline: float, number: int, timeout: float
) -> int | None:
    """Ask Tesseract's orientation detection for the clockwise rotation to put upright.

    ``None`` when it cannot tell: it gives up on pages with few characters, and answers
    with a low confidence on pages it cannot read whatever their orientation.
    """
    try:
        output = _tesseract(image, ["--psm", "0", "--dpi", str(dpi)], deadline, number, timeout)
    except OcrTimeout:
        raise
    except OcrError:
        return None
    rotate = _OSD_ROTATE.search(output)
    confidence = _OSD_CONFIDENCE.search(output)
    if rotate is None or confidence is None or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return None
    return int(rotate.group(1)) % 360


def _turn(image: Image.Image, clockwise: int) -> Image.Image:
    if clockwise == 90:
        return image.transpose(Image.Transpose.ROTATE_270)
    if clockwise == 180:
        return image.transpose(Image.Transpose.ROTATE_180)
    if clockwise == 270:
        return image.transpose(Image.Transpose.ROTATE_90)
    return image


def ocr_image(image: Image.Image, number: int, settings: OcrSettings) -> OcrPage:
    """Read one page image by OCR (see :func:`ocr_page`).

    The image's resolution is taken from ``image.info["dpi"]`` when present, else from
    ``settings.dpi``; it converts the word boxes to PDF points. ``number`` is the page's
    1-based number, kept in the returned :class:`~attest_pipeline.models.Page`. Small print
    is read again on the image enlarged (there is no page to render more finely).
    """
    started = time.monotonic()
    if image.mode != "L":
        image = image.convert("L")
    dpi_info = image.info.get("dpi")
    dpi = float(dpi_info[0]) if dpi_info else float(settings.dpi)

    def enlarge(finer: float) -> Image.Image:
        size = (round(image.width * finer / dpi), round(image.height * finer / dpi))
        return image.resize(size, Image.Resampling.BICUBIC)

    return _ocr(image, dpi, enlarge, number, settings, started)


def ocr_page(pdf_bytes: bytes, number: int, settings: OcrSettings) -> OcrPage:
    """Read page ``number`` (1-based) of a PDF by OCR.

    Renders the page in grayscale at ``settings.dpi``, puts it upright (0, 90, 180 or 270
    degrees), renders it again at :data:`FINE_DPI` when its print is small, straightens a
    skew of a few degrees when it helps, runs Tesseract in ``settings.language`` and returns
    the page text (lines in reading order, cleaned by :func:`clean_text`), the mean word
    confidence and the words with their boxes in PDF points. Raises :class:`OcrUnavailable`
    when Tesseract or the language is missing, :class:`OcrTimeout` when the first reading
    does not finish within ``settings.page_timeout`` seconds (rendering included; a retry
    that does not fit keeps the reading already made), :class:`OcrError` when Tesseract
    fails, and ``ValueError`` for a page number not in the document.
    """
    started = time.monotonic()
    _require(settings.language)
    image = render_page(pdf_bytes, number, settings.dpi)

    def render(finer: float) -> Image.Image:
        return render_page(pdf_bytes, number, round(finer))

    return _ocr(image, float(image.info["dpi"][0]), render, number, settings, started)


def _ocr(
    image: Image.Image,
    dpi: float,
    render: Callable[[float], Image.Image],
    number: int,
    settings: OcrSettings,
    started: float,
) -> OcrPage:
    """Read one page: first as it is, then turned, finer or straightened when that helps."""
    status = _require(settings.language)
    timeout = settings.page_timeout
    deadline = started + timeout

    def read(picture: Image.Image, resolution: float, rotation: int, skew: float) -> _Reading:
        return _read(picture, settings, resolution, rotation, skew, deadline, number)

    best = read(image, dpi, 0, 0.0)
    best_image = image
    try:
        if not best.good:
            # A sheet fed upside down is more common than one fed sideways; a reading made
            # of tall words was made sideways, and only a quarter turn can fix it.
            tries: tuple[int, ...] = (90, 270) if best.sideways else (180, 90, 270)
            if USE_OSD and status.osd:
                guess = _osd_rotation(image, round(dpi), deadline, number, timeout)
                if guess is not None:
                    tries = (guess,) if guess else ()
            for rotation in tries:
                turned = _turn(image, rotation)
                reading = read(turned, dpi, rotation, 0.0)
                if reading.rank > best.rank:
                    best, best_image = reading, turned
                if best.good:
                    break
        size = _print_size(best)
        if dpi < FINE_DPI and size is not None and size < SMALL_PRINT:
            finer = _turn(render(FINE_DPI), best.rotation)
            reading = read(finer, FINE_DPI, best.rotation, 0.0)
            # The coarse reading of small print often has a fine confidence but lines run
            # together and words lost: the finer one is kept unless clearly worse.
            if reading.rank >= (best.rank[0], best.confidence - FINER_MARGIN):
                best, best_image = reading, finer
        skew = _skew(best)
        if abs(skew) >= DESKEW_FROM:
            # Small angles: turning without expanding the image only cuts white margins, and
            # keeps the word boxes where they are on the page.
            straight = best_image.rotate(-skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
            reading = read(straight, best.dpi, best.rotation, -skew)
            if reading.rank > best.rank:
                best = reading
    except OcrTimeout:
        # The page was read once; a retry that does not fit in the time left keeps the
        # reading already made rather than losing it.
        pass
    text = clean_text([" ".join(word.text for word in line) for line in best.lines])
    return OcrPage(
        page=Page(number=number, text=text, ocr=True, confidence=round(best.confidence, 1)),
        words=best.words,
        rotation=best.rotation,
        seconds=time.monotonic() - started,
        skew=round(best.skew, 2),
        dpi=best.dpi,
    )
