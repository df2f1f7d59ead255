"""What the words of one reading say about the page: its lines, print size, skew, sides.

All of it is measured on the word boxes Tesseract returns, at no further cost: Tesseract's
lines cut in two joined back, the median height of the print, the page's skew from the
word baselines, and whether the page was read lying on its side.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from attest_pipeline.models import Word

Line = tuple[Word, ...]

# A piece of line is joined to another no further than this many word heights away.
_JOIN_GAP = 1.0
# Pieces closer than this many word heights are one word cut in two (measured: 0.14 for a
# cut word, 0.45 for a space).
_GLUE_GAP = 0.25


def join_split_lines(lines: Sequence[Line]) -> list[Line]:
    """Join the pieces of one printed line that Tesseract put in two blocks.

    Page segmentation sometimes cuts a long line where a column seems to start, even inside
    a word ("Rencontres national" | "es ReAGJIR (ReAGJIR 2025)..."), and gives the pieces in
    the wrong order. Two lines are pieces of one when they overlap vertically by half their
    height or more and one starts where the other ends: no further than one word height
    (a column gutter is wider). The joined line takes the place of the first piece; pieces
    closer than a quarter of a word height were one word, glued back.
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


def _joined(one: Line, other: Line) -> Line | None:
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


def sideways(words: Sequence[Word]) -> bool:
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


def print_size(lines: Sequence[Line]) -> float | None:
    """The median height in points of the words of two characters or more.

    ``None`` when fewer than 3 such words were read: nothing to measure.
    """
    heights = [word.bottom - word.top for line in lines for word in line if len(word.text) >= 2]
    return statistics.median(heights) if len(heights) >= 3 else None


def skew(lines: Sequence[Line]) -> float:
    """Measure the page's skew in degrees (counter-clockwise positive) on word baselines.

    Each line of 3 words or more gives the slope of its word baselines (least squares); the
    median over the lines resists the odd line that Tesseract cut across two real lines.
    0 when fewer than 3 lines can be measured.
    """
    slopes: list[float] = []
    for line in lines:
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


def level(lines: Sequence[Line], skew: float, centre: tuple[float, float]) -> list[Line]:
    """The lines with their word boxes turned back by ``skew`` degrees around ``centre``.

    A page skewed by a degree or two is read as well as a straight one, but its word boxes
    are not level: across a 400 pt table row, 2 degrees put the last cell 14 pt lower than
    the first, more than a row's height, and a reading by position (a table's value under
    its label) takes the wrong row. Each box keeps its size, its centre turned back: no
    further reading is needed.
    """
    if not skew:
        return list(lines)
    angle = math.radians(skew)
    cos, sin = math.cos(angle), math.sin(angle)
    x_c, y_c = centre

    def turned(word: Word) -> Word:
        dx, dy = (word.x0 + word.x1) / 2 - x_c, (word.top + word.bottom) / 2 - y_c
        # y grows downwards: a counter-clockwise skew is undone by turning clockwise.
        x, y = x_c + dx * cos - dy * sin, y_c + dx * sin + dy * cos
        half_width, half_height = (word.x1 - word.x0) / 2, (word.bottom - word.top) / 2
        return Word(
            text=word.text,
            x0=x - half_width,
            x1=x + half_width,
            top=y - half_height,
            bottom=y + half_height,
            confidence=word.confidence,
        )

    return [tuple(turned(word) for word in line) for line in lines]
