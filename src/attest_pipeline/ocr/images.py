"""Image preparation for OCR: a page rendered in grayscale, turned, straightened, enlarged.

PIL and pypdfium2's renderer are imported inside the functions: a text PDF never needs
them, and importing this module costs nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from attest_pipeline.ocr.tesseract import POINTS_PER_INCH

if TYPE_CHECKING:
    from PIL import Image

#: A rendered page larger than this many pixels is rendered at a lower resolution (a large
#: poster scanned at 300 dpi would otherwise take minutes and gigabytes).
MAX_PIXELS = 40_000_000


def render_page(pdf_bytes: bytes, number: int, dpi: int) -> Image.Image:
    """Render page ``number`` (1-based) of a PDF in grayscale at ``dpi``.

    The page's own rotation (``/Rotate``) is applied, as a viewer shows it. A very large
    page is rendered at a lower resolution so as not to exceed :data:`MAX_PIXELS`; the
    image's ``info["dpi"]`` holds the resolution used. Raises ``ValueError`` for a page
    number not in the document.
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
            scale = dpi / POINTS_PER_INCH
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
    image.info["dpi"] = (scale * POINTS_PER_INCH, scale * POINTS_PER_INCH)
    return image


def grayscale(image: Image.Image) -> Image.Image:
    """The image in 8-bit grayscale, the only mode the readings are made on."""
    return image if image.mode == "L" else image.convert("L")


def turn(image: Image.Image, clockwise: int) -> Image.Image:
    """The image turned by ``clockwise`` degrees (0, 90, 180 or 270)."""
    from PIL import Image

    if clockwise == 90:
        return image.transpose(Image.Transpose.ROTATE_270)
    if clockwise == 180:
        return image.transpose(Image.Transpose.ROTATE_180)
    if clockwise == 270:
        return image.transpose(Image.Transpose.ROTATE_90)
    return image


def straighten(image: Image.Image, skew: float) -> Image.Image:
    """The image turned back by ``skew`` degrees (counter-clockwise positive), on white.

    Small angles only: turning without expanding the image only cuts white margins, and
    keeps the word boxes where they are on the page.
    """
    from PIL import Image

    return image.rotate(-skew, resample=Image.Resampling.BILINEAR, fillcolor=255)


def enlarge(image: Image.Image, dpi: float, finer: float) -> Image.Image:
    """The image of resolution ``dpi`` resampled to ``finer`` (there is no page to render)."""
    from PIL import Image

    size = (round(image.width * finer / dpi), round(image.height * finer / dpi))
    return image.resize(size, Image.Resampling.BICUBIC)


#: Darker than this (0-255) is ink: half-way between a scan's paper (230-250) and its
#: toner (15-45), with room for blur and noise.
INK = 150


def dotted(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """Whether the ``box`` (pixels: left, top, right, bottom) of a text line holds a dot leader.

    Tesseract drops a dot leader between a label and its value ("Nom du participant
    ........ Dr KOWALSKI Anna" is read without its dots) and the label reading then loses
    the layout that made it a label. A leader is ink along the whole gap, all of it in the
    lower half of the line (dots sit on the baseline); a table's gap between two columns
    holds no ink, a rule or a stroke crosses the upper half.
    """
    left, top, right, bottom = box
    if right - left < 4 or bottom - top < 4:
        return False
    ink = image.crop(box).point(lambda value: 255 if value < INK else 0)
    found = ink.getbbox()
    if found is None:
        return False
    ink_left, ink_top, ink_right, _ = found
    height, width = bottom - top, right - left
    return ink_top >= height / 2 and ink_right - ink_left >= width * 0.6


def unread_ink(image: Image.Image, read: list[tuple[int, int]], left: int, right: int) -> int:
    """The height in pixels of the tallest band of rows holding ink that no word covers.

    ``read`` are the rows (top, bottom) covered by the words read; only the columns from
    ``left`` to ``right`` (those of the words) are looked at, so that a dark margin of the
    scan is not taken for text. A line that Tesseract's segmentation dropped leaves such a
    band as tall as a line of print; an underline or a table's rule is a few pixels.
    """
    from PIL import Image

    if right - left < 1:
        return 0
    ink = image.crop((left, 0, right, image.height)).point(lambda v: 255 if v < INK else 0)
    # One column: each row's share of ink, averaged by the resampling (fast, in C).
    rows = ink.resize((1, image.height), Image.Resampling.BOX).tobytes()
    covered = bytearray(image.height)
    for top, bottom in read:
        top, bottom = max(top, 0), min(bottom, image.height)
        if bottom > top:
            covered[top:bottom] = b"\1" * (bottom - top)
    tallest = band = 0
    for row, value in enumerate(rows):
        # 1 % of the row's width in ink: a line of print has more, specks less.
        band = band + 1 if value > 2 and not covered[row] else 0
        tallest = max(tallest, band)
    return tallest
