"""Build real PDFs from text, for tests (ours and plugin authors').

The PDFs are written by reportlab, with a real text layer in a standard font, so that the
pipeline reads them through the same libraries as a real attestation.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

PAGE_WIDTH = 595.27
PAGE_HEIGHT = 841.89


def make_pdf(
    pages: Sequence[str | Sequence[str]],
    *,
    font: str = "Helvetica",
    size: float = 11,
    title: str | None = None,
    producer: str | None = None,
) -> bytes:
    """Return the bytes of an A4 PDF with one page per item of ``pages``.

    Each page is a string (split on newlines) or a sequence of lines, written top to
    bottom from the left margin. Needs reportlab (the ``test`` extra).
    """
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    if title:
        pdf.setTitle(title)
    if producer:
        pdf.setProducer(producer)
    for page in pages:
        lines = page.splitlines() if isinstance(page, str) else list(page)
        pdf.setFont(font, size)
        y = PAGE_HEIGHT - 72
        for line in lines:
            pdf.drawString(60, y, line)
            y -= size * 1.5
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
