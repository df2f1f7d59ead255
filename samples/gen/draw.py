"""Drawing toolkit over reportlab: pages that remember their text, paragraphs with bold and
unbreakable groups, grid tables, logos, signatures and stamps.

Markup in paragraph and cell texts: ``**bold**`` switches to the bold face of the font and
``{several words}`` keeps a group on one line (names, dates).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

BOLD = {
    "Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold",
    "Vera": "VeraBd", "Helvetica-Oblique": "Helvetica-BoldOblique",
    "Times-Italic": "Times-BoldItalic",
}
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.88, 0.88, 0.88)

_TTF_DONE = False


def register_ttf() -> None:
    """Register Bitstream Vera (shipped with reportlab, so the same bytes everywhere)."""
    global _TTF_DONE
    if _TTF_DONE:
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf"), ("VeraIt", "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    _TTF_DONE = True


@dataclass(frozen=True)
class Meta:
    """The PDF's information dictionary: who made it and when."""

    producer: str
    creator: str
    when: datetime
    title: str = ""
    author: str = ""
    subject: str = ""


@dataclass
class _Token:
    """A word: runs of (text, font) drawn without spaces between them."""

    runs: list[tuple[str, str]]

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)

    @property
    def font(self) -> str:
        return self.runs[-1][1]

    def width(self, size: float) -> float:
        return float(sum(stringWidth(t, f, size) for t, f in self.runs))


class Sheet:
    """One page being drawn; ``texts`` keeps every string drawn, in order."""

    def __init__(self, canvas: Canvas, width: float, height: float) -> None:
        self.c = canvas
        self.w = width
        self.h = height
        self.texts: list[str] = []

    # ------------------------------------------------------------------ plain strings
    def text(self, x: float, y: float, s: str, font: str = "Helvetica", size: float = 11,
             align: str = "left", color: Color = black) -> None:
        """One line of text at (x, y); ``align`` left, center (x is the centre) or right."""
        self.c.setFillColor(color)
        self.c.setFont(font, size)
        if align == "center":
            self.c.drawCentredString(x, y, s)
        elif align == "right":
            self.c.drawRightString(x, y, s)
        else:
            self.c.drawString(x, y, s)
        self.c.setFillColor(black)
        self.texts.append(s)

    def lines(self, x: float, y: float, lines: list[str], font: str = "Helvetica",
              size: float = 11, leading: float | None = None, align: str = "left",
              color: Color = black) -> float:
        """Several lines top-down; returns the y below the last one."""
        leading = leading or size * 1.35
        for line in lines:
            if line:
                self.text(x, y, line, font, size, align, color)
            y -= leading
        return y

    # ------------------------------------------------------------------ paragraphs
    @staticmethod
    def _tokens(s: str, font: str) -> list[_Token]:
        tokens: list[_Token] = []
        bold = BOLD.get(font, font)
        face = font
        depth = 0
        word: list[tuple[str, str]] = []
        chars: list[str] = []

        def flush_run() -> None:
            if chars:
                word.append(("".join(chars), face))
                chars.clear()

        def flush_word() -> None:
            flush_run()
            if word:
                tokens.append(_Token(list(word)))
                word.clear()

        index = 0
        while index < len(s):
            char = s[index]
            if s.startswith("**", index):
                flush_run()
                face = font if face == bold else bold
                index += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == " " and not depth:
                flush_word()
            else:
                chars.append(char)
            index += 1
        flush_word()
        return tokens

    def wrap(self, s: str, font: str, size: float, width: float) -> list[list[_Token]]:
        """The paragraph's tokens cut into lines no wider than ``width``."""
        lines: list[list[_Token]] = []
        current: list[_Token] = []
        used = 0.0
        for token in self._tokens(s, font):
            w = token.width(size)
            space = stringWidth(" ", token.font, size) if current else 0.0
            if current and used + space + w > width:
                lines.append(current)
                current, used, space = [], 0.0, 0.0
            current.append(token)
            used += space + w
        if current:
            lines.append(current)
        return lines

    @staticmethod
    def _out(obj: Any, tokens: list[_Token], size: float) -> None:
        for index, token in enumerate(tokens):
            for k, (text, face) in enumerate(token.runs):
                obj.setFont(face, size)
                tail = " " if index < len(tokens) - 1 and k == len(token.runs) - 1 else ""
                obj.textOut(text + tail)

    def para(self, x: float, y: float, width: float, s: str, font: str = "Helvetica",
             size: float = 11, leading: float | None = None, align: str = "left",
             color: Color = black, after: float = 0.0) -> float:
        """A wrapped paragraph whose first baseline is y; returns the y of the next line."""
        leading = leading or size * 1.4
        wrapped = self.wrap(s, font, size, width)
        self.c.setFillColor(color)
        for number, tokens in enumerate(wrapped):
            words = [t.text for t in tokens]
            natural = sum(t.width(size) for t in tokens) + sum(
                stringWidth(" ", t.font, size) for t in tokens[:-1])
            x0 = x
            if align == "center":
                x0 = x + (width - natural) / 2
            elif align == "right":
                x0 = x + width - natural
            obj = self.c.beginText()
            obj.setTextOrigin(x0, y)
            spaces = sum(w.count(" ") for w in words) + len(words) - 1
            last = number == len(wrapped) - 1
            spaced = align == "justify" and not last and spaces
            if spaced and not tokens[0].font.startswith("Vera"):
                obj.setWordSpace((width - natural) / spaces)
            self._out(obj, tokens, size)
            if spaced:
                obj.setWordSpace(0)
            self.c.drawText(obj)
            self.texts.append(" ".join(words))
            y -= leading
        self.c.setFillColor(black)
        return y - after

    # ------------------------------------------------------------------ tables
    def table(self, x: float, y: float, widths: list[float], rows: list[list[str]],
              font: str = "Helvetica", size: float = 10, pad: float = 5,
              bold_first: bool = True, grid: bool = True, shade_first: bool = False,
              line_width: float = 0.6) -> float:
        """A table whose top edge is y, cells wrapped; returns the y of its bottom edge."""
        leading = size * 1.3
        bold = BOLD.get(font, font)
        for row in rows:
            cells = []
            for index, cell in enumerate(row):
                face = bold if bold_first and index == 0 else font
                cells.append(self.wrap(cell, face, size, widths[index] - 2 * pad))
            height = max(len(c) for c in cells) * leading + 2 * pad - (leading - size)
            if shade_first:
                self.c.setFillColor(LIGHT)
                self.c.rect(x, y - height, widths[0], height, stroke=0, fill=1)
                self.c.setFillColor(black)
            cx = x
            for index, lines in enumerate(cells):
                ty = y - pad - size * 0.85
                for tokens in lines:
                    obj = self.c.beginText()
                    obj.setTextOrigin(cx + pad, ty)
                    self._out(obj, tokens, size)
                    self.c.drawText(obj)
                    self.texts.append(" ".join(t.text for t in tokens))
                    ty -= leading
                cx += widths[index]
            if grid:
                self.c.setLineWidth(line_width)
                cx = x
                for w in widths:
                    self.c.rect(cx, y - height, w, height, stroke=1, fill=0)
                    cx += w
            y -= height
        return y

    # ------------------------------------------------------------------ graphics
    def rule(self, x1: float, y: float, x2: float, width: float = 0.8,
             color: Color = black) -> None:
        """A horizontal line."""
        self.c.setStrokeColor(color)
        self.c.setLineWidth(width)
        self.c.line(x1, y, x2, y)
        self.c.setStrokeColor(black)

    def band(self, y: float, height: float, color: Color) -> None:
        """A full-width coloured band whose bottom is y."""
        self.c.setFillColor(color)
        self.c.rect(0, y, self.w, height, stroke=0, fill=1)
        self.c.setFillColor(black)

    def frame(self, margin: float, color: Color, double: bool = True) -> None:
        """A border around the page (diplomas, certificates)."""
        self.c.setStrokeColor(color)
        self.c.setLineWidth(2.5)
        self.c.rect(margin, margin, self.w - 2 * margin, self.h - 2 * margin)
        if double:
            self.c.setLineWidth(0.7)
            self.c.rect(margin + 6, margin + 6, self.w - 2 * margin - 12, self.h - 2 * margin - 12)
        self.c.setStrokeColor(black)

    def logo(self, kind: str, x: float, y: float, size: float, color: Color,
             letters: str = "") -> None:
        """A drawn logo whose lower-left corner is (x, y)."""
        c = self.c
        c.saveState()
        c.setFillColor(color)
        c.setStrokeColor(color)
        r = size / 2
        if kind == "rings":
            c.setLineWidth(size / 14)
            c.circle(x + r, y + r, r * 0.95, stroke=1, fill=0)
            c.circle(x + r, y + r, r * 0.62, stroke=0, fill=1)
        elif kind == "cross":
            c.roundRect(x, y, size, size, size / 6, stroke=0, fill=1)
            c.setFillColor(white)
            c.rect(x + size * 0.4, y + size * 0.15, size * 0.2, size * 0.7, stroke=0, fill=1)
            c.rect(x + size * 0.15, y + size * 0.4, size * 0.7, size * 0.2, stroke=0, fill=1)
        elif kind == "leaf":
            p = c.beginPath()
            p.moveTo(x, y)
            p.curveTo(x + size * 0.1, y + size, x + size, y + size, x + size, y + size)
            p.curveTo(x + size, y + size * 0.2, x + size * 0.3, y, x, y)
            c.drawPath(p, stroke=0, fill=1)
        elif kind == "hexagon":
            p = c.beginPath()
            for k in range(6):
                a = math.pi / 6 + k * math.pi / 3
                px, py = x + r + r * math.cos(a), y + r + r * math.sin(a)
                if k == 0:
                    p.moveTo(px, py)
                else:
                    p.lineTo(px, py)
            p.close()
            c.drawPath(p, stroke=0, fill=1)
        elif kind == "bars":
            for k in range(3):
                c.rect(x + k * size * 0.36, y, size * 0.26, size * (0.45 + 0.25 * k),
                       stroke=0, fill=1)
        elif kind == "shield":
            p = c.beginPath()
            p.moveTo(x, y + size)
            p.lineTo(x + size, y + size)
            p.lineTo(x + size, y + size * 0.45)
            p.curveTo(x + size, y + size * 0.15, x + r, y, x + r, y)
            p.curveTo(x + r, y, x, y + size * 0.15, x, y + size * 0.45)
            p.close()
            c.drawPath(p, stroke=0, fill=1)
            c.setStrokeColor(white)
            c.setLineWidth(size / 18)
            c.line(x + size * 0.2, y + size * 0.72, x + size * 0.8, y + size * 0.72)
        c.restoreState()
        if letters:
            fill = white if kind in ("cross", "hexagon", "shield", "rings") else color
            size_text = size * (0.26 if len(letters) > 3 else 0.34)
            ty = y + r - size_text * 0.35
            if kind == "leaf":
                self.text(x + size + 6, y + r - size_text * 0.35, letters, "Helvetica-Bold",
                          size * 0.4, color=color)
                return
            if kind == "bars":
                self.text(x + size * 1.1, y + size * 0.1, letters, "Helvetica-Bold",
                          size * 0.45, color=color)
                return
            if kind == "shield":
                ty = y + size * 0.4
            self.text(x + r, ty, letters, "Helvetica-Bold", size_text, "center", fill)

    def scribble(self, x: float, y: float, width: float, rng: random.Random) -> None:
        """A handwritten-looking signature stroke."""
        c = self.c
        c.saveState()
        c.setStrokeColor(Color(0.1, 0.15, 0.45))
        c.setLineWidth(1.1)
        p = c.beginPath()
        p.moveTo(x, y)
        px = x
        for _ in range(5):
            nx = px + width / 5
            p.curveTo(px + rng.uniform(0, width / 5), y + rng.uniform(8, 22),
                      nx - rng.uniform(0, width / 6), y - rng.uniform(2, 14), nx,
                      y + rng.uniform(-4, 6))
            px = nx
        c.drawPath(p, stroke=1, fill=0)
        c.restoreState()

    def stamp(self, x: float, y: float, lines: list[str], width: float = 230,
              color: Color | None = None) -> None:
        """An electronic-signature stamp: a rounded box of small lines; y is its top."""
        color = color or Color(0.05, 0.35, 0.6)
        height = 10 * len(lines) + 10
        self.c.setStrokeColor(color)
        self.c.setLineWidth(1)
        self.c.roundRect(x, y - height, width, height, 5, stroke=1, fill=0)
        self.c.setStrokeColor(black)
        ty = y - 13
        for line in lines:
            self.text(x + 7, ty, line, "Helvetica", 7.5, color=color)
            ty -= 10

    def round_stamp(self, x: float, y: float, r: float, top: str, middle: str,
                    color: Color) -> None:
        """An ink stamp (two circles, a line of text inside) centred on (x, y)."""
        self.c.saveState()
        self.c.setStrokeColor(color)
        self.c.setLineWidth(1.4)
        self.c.circle(x, y, r, stroke=1, fill=0)
        self.c.circle(x, y, r * 0.8, stroke=1, fill=0)
        self.c.restoreState()
        self.text(x, y + 2, top, "Helvetica-Bold", r * 0.2, "center", color)
        self.text(x, y - r * 0.3, middle, "Helvetica", r * 0.17, "center", color)

    def checkbox(self, x: float, y: float, checked: bool, label: str,
                 font: str = "Helvetica", size: float = 9.5) -> None:
        """A drawn check box (crossed when checked) followed by its label."""
        self.c.setLineWidth(0.7)
        self.c.rect(x, y - 1, 8, 8, stroke=1, fill=0)
        if checked:
            self.c.line(x + 1.5, y + 0.5, x + 6.5, y + 5.5)
            self.c.line(x + 1.5, y + 5.5, x + 6.5, y + 0.5)
        self.text(x + 13, y, label, font, size)


class Pdf:
    """A PDF being written page by page, reproducibly (fixed dates and identifiers)."""

    def __init__(self, meta: Meta, pagesize: tuple[float, float] = A4,
                 compress: bool = True) -> None:
        self.buffer = io.BytesIO()
        self.pagesize = pagesize
        self.c = Canvas(self.buffer, pagesize=pagesize, invariant=True,
                        pageCompression=1 if compress else 0)
        self.c.setProducer(meta.producer)
        self.c.setCreator(meta.creator)
        if meta.title:
            self.c.setTitle(meta.title)
        if meta.author:
            self.c.setAuthor(meta.author)
        if meta.subject:
            self.c.setSubject(meta.subject)
        stamp = self.c._doc._timeStamp
        stamp.YMDhms = meta.when.timetuple()[:6]
        self.pages: list[str] = []
        self._sheet: Sheet | None = None

    def page(self, pagesize: tuple[float, float] | None = None) -> Sheet:
        """Start a new page (ending the current one) and return it."""
        self._end()
        if pagesize:
            self.c.setPageSize(pagesize)
        size = pagesize or self.pagesize
        self._sheet = Sheet(self.c, size[0], size[1])
        return self._sheet

    def _end(self) -> None:
        if self._sheet is not None:
            self.c.showPage()
            self.pages.append("\n".join(self._sheet.texts))
            self._sheet = None

    def finish(self) -> bytes:
        """End the last page and return the PDF's bytes."""
        self._end()
        self.c.save()
        return self.buffer.getvalue()
