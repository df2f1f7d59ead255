"""The Tesseract process: whether it is installed, and one reading of one image.

**Tesseract is run as a child process**, the image sent on its standard input as PGM
(1 ms to encode, against 35 ms for PNG) and the TSV read from its standard output: no
temporary file, a hard per-page timeout (the child is killed), and ``OMP_THREAD_LIMIT=1``
set in the child's environment only. Tesseract's OpenMP threads make a page 2 to 2.5 times
slower on 2 cores (0.76 to 0.97 s a page with one thread, 1.71 to 1.92 s without the limit,
at 200 dpi) and would fight the pipeline's own worker processes. pytesseract costs the same
per page (0.76 to 0.85 s against 0.79 to 0.80 s for one pass) but goes through temporary
files and cannot set the child's environment without changing ours; tesserocr (in-process,
with its own bundled Tesseract 5.5) saves about 0.1 s a page of start-up but cannot be
killed on a timeout and a crash of the library would take the worker down; OCRmyPDF writes
a new PDF, which we do not need.

**Page segmentation** ``--psm 3`` (automatic, :data:`PSM`): it keeps a table's label and
value on one line and a sidebar apart from the body, giving text laid out like the text
layer. Keys found on the 26 scanned samples (the participant's last name, the RPPS and the
dates as printed, 71 in all): 68/71 with ``--psm 3``, 67/71 with 4, 51/71 with 6 (a grid of
ruled cells loses whole rows); similarity with the text layer 96.4, 94.3 and 92.4 %; 0.8 to
0.9 s a page each (``python bench/ocr_bench.py``).
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attest_pipeline.models import Word
from attest_pipeline.ocr.text import clean_word
from attest_pipeline.processes import die_with_parent

if TYPE_CHECKING:
    # PIL is imported by the functions that handle images: a text PDF never needs it.
    from PIL import Image

#: The Tesseract executable looked up on ``PATH``.
TESSERACT = "tesseract"
#: Page segmentation mode: fully automatic, without orientation detection.
PSM = 3
#: OCR engine mode: the LSTM engine only (the only one in the ``tessdata_fast`` models).
OEM = 1
#: Tesseract's orientation detection is trusted from this confidence on.
OSD_MIN_CONFIDENCE = 2.0
#: The Debian command that installs Tesseract, for the messages.
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-fra"

POINTS_PER_INCH = 72.0
# Tesseract's TSV: level page block par line word left top width height conf text.
_TSV_COLUMNS = 12
_WORD_LEVEL = "5"


class OcrError(Exception):
    """OCR of a page failed (Tesseract crashed or answered something unreadable)."""


class OcrUnavailable(OcrError):
    """Tesseract or the requested language is not installed; the message says how to fix it."""


class OcrTimeout(OcrError):
    """OCR of one page took longer than :attr:`~attest_pipeline.config.OcrConfig.page_timeout`."""


@dataclass(frozen=True, slots=True)
class OcrStatus:
    """Whether Tesseract can be used here, and what to install when it cannot.

    ``available`` is true when the binary and the requested language are installed.
    ``problems`` are sentences for a person, each ending with the Debian command that fixes
    it. ``osd`` tells whether the orientation data is installed (optional, and consulted only
    when :data:`~attest_pipeline.ocr.strategy.USE_OSD` is set: a page is otherwise put
    upright by reading it turned).
    """

    available: bool
    version: str | None
    languages: tuple[str, ...]
    problems: tuple[str, ...]
    osd: bool = False


@dataclass(frozen=True, slots=True)
class PageRun:
    """The reading of one page, shared by its Tesseract passes: language and time limit.

    ``number`` is the page's 1-based number and ``timeout`` its time limit in seconds (both
    for the messages); ``deadline`` the :func:`time.monotonic` time every pass must end by.
    """

    language: str
    number: int
    timeout: float
    deadline: float


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


def require(language: str) -> OcrStatus:
    """The status of Tesseract for ``language``; raises :class:`OcrUnavailable` if unusable."""
    status = tesseract_status(language)
    if not status.available:
        raise OcrUnavailable(" ".join(status.problems))
    return status


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["OMP_THREAD_LIMIT"] = "1"
    return environment


#: The child's environment: ours, with Tesseract's OpenMP threads limited to one.
ENVIRONMENT = _environment()


def remaining(run: PageRun) -> float:
    """The seconds left before ``run.deadline``; raises :class:`OcrTimeout` when none are."""
    left = run.deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeout(f"page {run.number}: OCR took more than {run.timeout:g} s")
    return left


def tesseract(image: Image.Image, arguments: Sequence[str], run: PageRun) -> str:
    """Run Tesseract on ``image`` with ``arguments`` and return its standard output."""
    buffer = io.BytesIO()
    image.save(buffer, "PPM")
    try:
        answer = subprocess.run(
            [TESSERACT, "stdin", "stdout", *arguments],
            input=buffer.getvalue(),
            capture_output=True,
            env=ENVIRONMENT,
            timeout=remaining(run),
            check=False,
            # Killed with its worker, which may itself be killed over a time limit.
            preexec_fn=die_with_parent,
        )
    except subprocess.TimeoutExpired as error:
        raise OcrTimeout(f"page {run.number}: OCR took more than {run.timeout:g} s") from error
    except OSError as error:
        raise OcrUnavailable(f"Tesseract could not be run ({error}): {INSTALL_HINT}") from error
    if answer.returncode != 0:
        message = answer.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(
            f"page {run.number}: Tesseract failed (exit {answer.returncode})"
            + (f": {message[-1]}" if message else "")
        )
    return answer.stdout.decode("utf-8", "replace")


def read_lines(image: Image.Image, dpi: float, run: PageRun) -> list[tuple[Word, ...]]:
    """One Tesseract pass: the words, grouped in Tesseract's lines, in its reading order.

    Boxes are in PDF points from the image's top-left corner (``dpi`` converts them);
    each word is cleaned by :func:`~attest_pipeline.ocr.text.clean_word`, and dropped when
    nothing is left of it.
    """
    points_per_pixel = POINTS_PER_INCH / dpi
    output = tesseract(
        image,
        [
            *("-l", run.language, "--oem", str(OEM), "--psm", str(PSM)),
            *("--dpi", str(round(dpi)), "tsv"),
        ],
        run,
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
    return [tuple(line) for line in lines.values()]


_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_OSD_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)


def osd_rotation(image: Image.Image, dpi: float, run: PageRun) -> int | None:
    """Ask Tesseract's orientation detection for the clockwise rotation to put upright.

    ``None`` when it cannot tell: it gives up on pages with few characters, and answers
    with a low confidence on pages it cannot read whatever their orientation.
    """
    try:
        output = tesseract(image, ["--psm", "0", "--dpi", str(round(dpi))], run)
    except OcrTimeout:
        raise
    except OcrError:
        return None
    rotate = _OSD_ROTATE.search(output)
    confidence = _OSD_CONFIDENCE.search(output)
    if rotate is None or confidence is None or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return None
    return int(rotate.group(1)) % 360
