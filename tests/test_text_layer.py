"""text_layer: the text of a page within a box, and whether a page's body is an image."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2 as pdfium

from attest_pipeline.reading import read_pdf
from attest_pipeline.testing.pdf import make_pdf, make_text_layer_pdf
from attest_pipeline.text_layer import bounded_text


@contextmanager
def _textpage(data: bytes) -> Iterator[Any]:
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[0]
        textpage = page.get_textpage()
        yield textpage.raw
    finally:
        pdf.close()


def test_the_page_box_gives_the_text_pypdfium2_gives() -> None:
    data = make_pdf(["Attestation de participation\nDr Claire MOUTON, 10/08/2025"])
    pdf = pdfium.PdfDocument(data)
    try:
        expected = pdf[0].get_textpage().get_text_bounded()
    finally:
        pdf.close()
    with _textpage(data) as textpage:
        assert bounded_text(textpage, 0, 0, 595.27, 841.89) == expected
    assert "Dr Claire MOUTON" in expected


def test_a_box_gives_only_the_text_inside_it() -> None:
    # make_pdf writes from y = PAGE_HEIGHT - 72 downwards, 16.5 points a line.
    data = make_pdf(["Première ligne\nDeuxième ligne\nTroisième ligne"])
    with _textpage(data) as textpage:
        top_line = bounded_text(textpage, 0, 841.89 - 80, 595.27, 841.89)
    assert top_line.strip() == "Première ligne"


def test_characters_beyond_the_basic_plane_do_not_cut_the_text_short() -> None:
    # Each takes two UTF-16 units: the buffer is sized for that.
    line = "Atelier 𝐀𝐁𝐂 🩺 suivi par Dr Claire MOUTON le 10/08/2025"
    page = read_pdf(make_text_layer_pdf([line])).pages[0]
    assert page.text == line


def test_an_empty_page_has_no_text() -> None:
    data = make_pdf([""])
    with _textpage(data) as textpage:
        assert bounded_text(textpage, 0, 0, 595.27, 841.89) == ""
