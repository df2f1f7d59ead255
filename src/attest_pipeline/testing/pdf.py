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


def make_text_layer_pdf(lines: Sequence[str]) -> bytes:
    """Return a one-page PDF whose text layer holds exactly ``lines``, whatever they hold.

    reportlab drops what its fonts cannot draw; a hostile PDF can still make its text
    layer say anything (control characters, bidi overrides) through its font's
    ``ToUnicode`` map. This writes such a PDF by hand: printable ASCII is drawn as itself,
    every other character gets a code of its own, mapped back to it by ``ToUnicode``. At
    most 160 distinct other characters.
    """
    others = sorted({ch for line in lines for ch in line if not " " <= ch <= "~"})
    free = [b for b in (*range(0x01, 0x20), *range(0x80, 0x100))]
    if len(others) > len(free):
        raise ValueError(f"at most {len(free)} distinct non-ASCII characters")
    codes = dict(zip(others, free, strict=False))
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Custom def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        "1 beginbfrange <20> <7E> <0020> endbfrange\n"
        + (
            f"{len(codes)} beginbfchar\n"
            + "".join(f"<{code:02X}> <{_utf16(ch)}>\n" for ch, code in codes.items())
            + "endbfchar\n"
            if codes
            else ""
        )
        + "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")

    def pdf_string(line: str) -> bytes:
        raw = bytes(codes[ch] if ch in codes else ord(ch) for ch in line)
        escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"".join(b"\\%03o" % c if c < 0x20 or c > 0x7E else bytes([c]) for c in escaped)

    content = (
        b"BT /F1 11 Tf 60 780 Td 16 TL\n"
        + b"".join(b"(" + pdf_string(line) + b") '\n" for line in lines)
        + b"ET\n"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _utf16(character: str) -> str:
    """A ``ToUnicode`` destination: the character in UTF-16BE hex (a pair beyond U+FFFF)."""
    return character.encode("utf-16-be").hex().upper()
