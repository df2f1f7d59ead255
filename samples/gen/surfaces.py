"""The surfaces a variation page is written on: reportlab (form fields included), fpdf2.

A :class:`Page` writes lines top to bottom at a left margin, rows of cells and form
fields, on any surface: these two, or a :class:`gen.render.Flow` for the renderers of
flowing text (LibreOffice, Chromium).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import reportlab
from reportlab.pdfgen import canvas

from gen.render import Flow

PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89
#: Text stops this far from the right edge of the page.
RIGHT_MARGIN = 40.0


class Reportlab:
    """A PDF written by reportlab (form fields included)."""

    name = "reportlab"

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
                                 invariant=True)
        self.pdf.setTitle(title)
        self.fresh = True
        self.page = 1

    def _unique(self, name: str) -> str:
        # A form repeated on several pages names its fields per page, as a merge does:
        # a field name is the field, one name for two fields is a broken form.
        return name if self.page == 1 else f"{name}_{self.page}"

    def text(self, x: float, y: float, text: str) -> None:
        """Draw ``text`` at (x, y)."""
        if self.fresh:  # set on the page's first text: a font alone would make a page
            self.pdf.setFont("Helvetica", 10)
            self.fresh = False
        self.pdf.drawString(x, y, text)

    def width(self, text: str) -> float:
        """The width of ``text`` in points, in the page's font."""
        return float(self.pdf.stringWidth(text, "Helvetica", 10))

    def field(self, name: str, label: str, value: str, x: float, y: float) -> None:
        """A filled text field, its label as its description."""
        self.pdf.acroForm.textfield(name=self._unique(name), tooltip=label.rstrip(" :"), x=x,
                                    y=y - 4, width=300, height=15, value=value,
                                    borderWidth=0, fontSize=10)

    def checkbox(self, name: str, x: float, y: float, checked: bool) -> None:
        """A check box, ticked or not."""
        self.pdf.acroForm.checkbox(name=self._unique(name), x=x, y=y - 2, size=10, checked=checked)

    def end_page(self) -> None:
        """Start the next page."""
        self.pdf.showPage()
        self.fresh = True
        self.page += 1

    def finish(self) -> bytes:
        """The PDF's bytes."""
        self.pdf.save()
        return self.buffer.getvalue()


class Fpdf:
    """A PDF written by fpdf2 (another text layer: embedded TrueType, other operators)."""

    name = "fpdf2"

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
        self.pdf.add_font("Vera", fname=str(Path(reportlab.__file__).parent / "fonts"
                                            / "Vera.ttf"))
        self.pdf.set_font("Vera", size=10)
        self.pdf.add_page()

    def text(self, x: float, y: float, text: str) -> None:
        """Draw ``text`` at (x, y), y measured from the bottom as reportlab does."""
        self.pdf.text(x, PAGE_HEIGHT - y, text)

    def width(self, text: str) -> float:
        """The width of ``text`` in points, in the page's font."""
        return float(self.pdf.get_string_width(text))

    def field(self, name: str, label: str, value: str, x: float, y: float) -> None:
        """Never drawn: a form is always reportlab's (the axes say so)."""
        raise NotImplementedError("fpdf2 writes no form fields")

    def checkbox(self, name: str, x: float, y: float, checked: bool) -> None:
        """Never drawn: a form is always reportlab's (the axes say so)."""
        raise NotImplementedError("fpdf2 writes no form fields")

    def end_page(self) -> None:
        """Start the next page."""
        self.pdf.add_page()

    def finish(self) -> bytes:
        """The PDF's bytes."""
        # The page opened after the last one is left empty: drop it.
        self.pdf.pages.pop(self.pdf.page)
        self.pdf.page -= 1
        return bytes(self.pdf.output())


class Page:
    """Lines written top to bottom, at a left margin, with fields when asked."""

    def __init__(self, surface: Reportlab | Fpdf | Flow) -> None:
        self.surface = surface
        self.y = 780.0

    def line(self, text: str, x: float = 60) -> None:
        """One line of text, then move down; wrapped, as a word processor does, when wider
        than the page (a text layer holds what runs off the page, a scan of it does not)."""
        room = PAGE_WIDTH - RIGHT_MARGIN - x
        while self.surface.width(text) > room and " " in text:
            cut = text.rindex(" ")
            while self.surface.width(text[:cut]) > room and " " in text[:cut]:
                cut = text.rindex(" ", 0, cut)
            self.surface.text(x, self.y, text[:cut])
            self.y -= 16
            text = text[cut + 1 :]
        self.surface.text(x, self.y, text)
        self.y -= 16

    def cells(self, values: list[str], columns: list[float]) -> None:
        """A row of cells, one value per column."""
        for x, value in zip(columns, values, strict=False):
            self.surface.text(x, self.y, value)
        self.y -= 18

    def field(self, label: str, name: str, value: str) -> None:
        """A label, and the form field beside it holding ``value``."""
        self.surface.text(60, self.y, label)
        self.surface.field(name, label, value, 170, self.y)
        self.y -= 22

    def boxes(self, question: str, options: list[tuple[str, str]], ticked: str) -> None:
        """A question over a group of check boxes, ``ticked`` the one ticked."""
        self.line(question)
        for name, label in options:
            self.surface.checkbox(name, 60, self.y, name == ticked)
            self.surface.text(76, self.y, label)
            self.y -= 18
