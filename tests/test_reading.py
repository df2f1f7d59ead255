from __future__ import annotations

import io
import logging

import pypdf
import pytest

from attest_pipeline.reading import (
    Uncuttable,
    Unreadable,
    check_file,
    clean_text,
    cut_pages,
    has_image_xobject,
    read_pdf,
    route_library_logs,
)
from attest_pipeline.reasons import Reason
from attest_pipeline.testing import make_pdf
from attest_pipeline.text_layer import needs_ocr, text_unusable
from tests.hostile import per_page, text_pdf

TEXT = "Attestation de présence\nDr Jean-Pierre DUPONT\nRPPS : 10005682603"


def encrypt(data: bytes, user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_reads_every_page_with_its_number() -> None:
    document = read_pdf(make_pdf([TEXT, "Page deux"]))
    assert document.page_numbers == (1, 2)
    assert "Jean-Pierre DUPONT" in document.page(1).text
    assert document.page(2).text == "Page deux"
    assert document.text.split("\f")[1] == "Page deux"


def test_words_come_with_positions_on_demand() -> None:
    document = read_pdf(make_pdf([TEXT]))
    words = document.words(1)
    assert [w.text for w in words[:2]] == ["Attestation", "de"]
    assert words[0].x0 < words[1].x0
    assert words[0].top < words[-1].top


def test_subset_keeps_original_page_numbers() -> None:
    document = read_pdf(make_pdf(["un", "deux", "trois"]))
    part = document.subset([2, 3])
    assert part.page_numbers == (2, 3)
    assert part.words(3)[0].text == "trois"


def test_subset_of_scattered_pages_keeps_the_document_order() -> None:
    document = read_pdf(make_pdf(["un", "deux", "trois", "quatre", "cinq"]))
    part = document.subset([4, 2, 9, 2])
    assert part.page_numbers == (2, 4)
    assert part.subset([4]).page(4).text == "quatre"
    with pytest.raises(KeyError):
        part.page(3)


def test_cut_pages_gives_each_group_its_own_pdf() -> None:
    data = make_pdf(["un", "deux", "trois", "quatre"])
    parts = cut_pages(data, [(1,), (2, 3), (4,)])
    assert list(parts) == [(1,), (2, 3), (4,)]
    assert [page.text for page in read_pdf(parts[(2, 3)]).pages] == ["deux", "trois"]
    assert [page.text for page in read_pdf(parts[(4,)]).pages] == ["quatre"]
    # Other readers agree on the parts.
    reader = pypdf.PdfReader(io.BytesIO(parts[(1,)]))
    assert [p.extract_text().strip() for p in reader.pages] == ["un"]


@pytest.mark.parametrize("damage", [{"depth": 300}, {"startxref": False}])
def test_cut_pages_cuts_what_pdfium_reads_and_pypdf_cannot(damage: dict[str, object]) -> None:
    data = text_pdf([per_page("Jean-Pierre DUPONT"), per_page("Claire MARTIN")], **damage)
    with pytest.raises(pypdf.errors.PyPdfError):
        pypdf.PdfReader(io.BytesIO(data)).pages[0]
    parts = cut_pages(data, [(1,), (2,)])
    assert "Claire MARTIN" in read_pdf(parts[(2,)]).page(1).text


def test_cut_pages_says_what_it_cannot_cut() -> None:
    with pytest.raises(Uncuttable):
        cut_pages(b"%PDF-1.4 not really", [(1,)])


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.pdf", b"", Reason.EMPTY),
        ("a.docx", b"PK\x03\x04", Reason.UNSUPPORTED_TYPE),
        ("scan.jpg", b"\xff\xd8\xff", Reason.UNSUPPORTED_TYPE),
        ("a.pdf", b"<html>not a pdf</html>", Reason.NOT_PDF),
    ],
)
def test_check_file_rejects_what_is_not_a_pdf(name: str, data: bytes, reason: Reason) -> None:
    with pytest.raises(Unreadable) as info:
        check_file(name, data)
    assert info.value.reason is reason


def test_header_after_leading_junk_is_accepted() -> None:
    check_file("a.PDF", b"\r\n\r\n" + make_pdf([TEXT]))


def test_truncated_pdf_is_corrupt() -> None:
    with pytest.raises(Unreadable) as info:
        read_pdf(make_pdf([TEXT])[:400])
    assert info.value.reason is Reason.CORRUPT


def test_user_password_is_encrypted_but_owner_password_opens() -> None:
    data = make_pdf([TEXT])
    with pytest.raises(Unreadable) as info:
        read_pdf(encrypt(data, "secret", "owner"))
    assert info.value.reason is Reason.ENCRYPTED
    assert "DUPONT" in read_pdf(encrypt(data, "", "owner")).text


def test_too_many_pages() -> None:
    with pytest.raises(Unreadable) as info:
        read_pdf(make_pdf(["a", "b", "c"]), max_pages=2)
    assert info.value.reason is Reason.TOO_MANY_PAGES
    assert "3 pages" in info.value.detail


def test_clean_text_normalises_what_pdfs_contain() -> None:
    raw = "Attes\xadtation\r\nDr\xa0Jean  DUPONT\u202f: ﬁn de for\x02\nmation"
    assert clean_text(raw) == "Attestation\nDr Jean DUPONT : fin de for-\nmation"
    assert clean_text("Dr Anne LEFÈVRE\ufffeROUSSEAU") == "Dr Anne LEFÈVRE-ROUSSEAU"
    assert clean_text(" l\u2019action\t\t du\u2009 1er  \n\n\n  mars ") == "l'action du 1er\nmars"


# ------------------------------------------------------------ pages whose body is an image

HEADER = "Association Bretonne de Formation - 3 boulevard de la Liberté - 35000 Rennes"
FOOTER = "Document transmis par télécopie - SIRET 189 981 399 80598 - page 1/1"
BODY = [
    "ATTESTATION DE PARTICIPATION",
    "Action de DPC n° 99792425001",
    "Je soussigné, Paul LEROY, directeur, certifie que :",
    "Dr Claire MARTIN",
    "RPPS : 10101010105",
    "a participé à l'action de formation continue",
    "« Prise en charge de l'insuffisance cardiaque »",
    "du 12/03/2025 au 14/03/2025.",
]


def pasted_scan(
    *, text_over_image: bool = False, image_share: float = 0.8, in_form: bool = False
) -> bytes:
    """A page: a typed header and footer, and the attestation pasted in as an image.

    ``in_form`` wraps the image in a form XObject, as word processors export a picture.
    """
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from attest_pipeline.ocr import render_page
    from attest_pipeline.testing.pdf import make_pdf

    image = render_page(make_pdf([BODY], size=12), 1, 100)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.27, 841.89), invariant=True)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(40, 815, HEADER)
    pdf.drawString(40, 20, FOOTER)
    height = 841.89 * image_share
    width = height * image.width / image.height
    if in_form:
        pdf.beginForm("picture")
    pdf.drawImage(ImageReader(image), 40, 40, width=width, height=height)
    if in_form:
        pdf.endForm()
        pdf.doForm("picture")
    if text_over_image:  # a searchable scan: its own text layer over the image
        pdf.setFont("Helvetica", 12)
        for row, line in enumerate(BODY):
            pdf.drawString(60, 40 + height - 60 - 18 * row, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_page_with_an_image_body_under_a_typed_header_is_marked_for_ocr() -> None:
    page = read_pdf(pasted_scan()).page(1)
    assert HEADER in page.text  # its text layer holds the header and the footer only
    assert page.image_body


def test_an_image_body_inside_a_form_xobject_is_marked_for_ocr() -> None:
    data = pasted_scan(in_form=True)
    assert b"/Subtype /Form" in data or b"/Subtype/Form" in data
    assert read_pdf(data).page(1).image_body


def test_a_searchable_scan_keeps_its_text_layer() -> None:
    assert not read_pdf(pasted_scan(text_over_image=True)).page(1).image_body


def test_a_small_image_is_a_logo_not_a_body() -> None:
    assert not read_pdf(pasted_scan(image_share=0.2)).page(1).image_body


def test_a_text_pdf_without_images_is_never_marked() -> None:
    from attest_pipeline.testing.pdf import make_pdf

    assert not read_pdf(make_pdf([HEADER, FOOTER])).page(1).image_body


def test_only_an_image_xobject_counts_as_an_image_not_a_procset_name() -> None:
    from attest_pipeline.testing.pdf import make_pdf

    text_only = make_pdf([HEADER, FOOTER])
    assert b"/ImageB" in text_only  # reportlab's /ProcSet names images on every page
    assert not has_image_xobject(text_only)
    assert has_image_xobject(pasted_scan(in_form=True))
    assert has_image_xobject(b"<< /Type /XObject /Subtype\r\n/Image /Width 10 >>")
    assert not has_image_xobject(b"<< /Subtype /ImageMask >> /Image")


def test_metadata_values_are_read_whole_and_empty_ones_left_out() -> None:
    title = "Attestation de présence " * 60  # longer than the first buffer
    document = read_pdf(make_pdf([TEXT], title=title, producer="LibreOffice 7.6"))
    assert document.metadata["Title"] == title
    assert document.metadata["Producer"] == "LibreOffice 7.6"
    assert "Keywords" not in document.metadata


# ------------------------------------------------------------- is the text layer usable?


def test_text_unusable_keeps_a_real_text_layer() -> None:
    assert not text_unusable("\n".join(BODY))


def test_text_unusable_keeps_a_table_heavy_in_digits() -> None:
    rows = [f"{10005682603 + i * 11}  12/03/2025  7,0 h  présent" for i in range(8)]
    assert not text_unusable("Liste des participants à la session de DPC\n" + "\n".join(rows))


@pytest.mark.parametrize("text", ["", "   \n\t \f ", "Page 1/1", "Attestation\nDr Jean DUPONT"])
def test_text_unusable_on_empty_or_short_text(text: str) -> None:
    assert text_unusable(text)


def test_text_unusable_counts_letters_up_to_the_threshold() -> None:
    from attest_pipeline.text_layer import MIN_LETTERS

    def letters(count: int) -> str:
        return " 1, ".join("é" * count) + "  \n" * 1000

    assert text_unusable(letters(MIN_LETTERS - 1))
    assert not text_unusable(letters(MIN_LETTERS))


def test_text_unusable_counts_suspicious_characters_against_the_visible_ones() -> None:
    words = "Attestation de présence au congrès de médecine générale " * 3
    assert not text_unusable(words + "§" * 5 + "\ue001" * 20)
    assert text_unusable(words + "\ue001" * 200)


def test_text_unusable_on_cid_artefacts() -> None:
    garbage = " ".join(f"(cid:{n})" for n in range(3, 200)) + " Attestation de présence au congrès"
    assert text_unusable(garbage)


def test_text_unusable_on_replacement_and_private_characters() -> None:
    assert text_unusable("Attestation de formation " + "\ufffd\ue001\ufffd " * 40)


def test_text_unusable_on_a_font_with_shifted_letters() -> None:
    shifted = "".join(
        chr(ord(c) - 29) if c.isalpha() and c.isascii() else c
        for c in "Attestation de participation du docteur a la formation continue "
        "sur le risque cardiovasculaire organisée par la faculté de medecine"
    )
    assert not any(word in shifted.split() for word in ("de", "la", "le", "du"))
    assert text_unusable(shifted)


def test_a_page_needs_ocr_when_its_body_is_an_image_or_its_text_is_unusable() -> None:
    from attest_pipeline.testing.pdf import make_pdf

    assert needs_ocr(read_pdf(pasted_scan()).page(1))  # a header and a footer: usable text
    assert needs_ocr(read_pdf(make_pdf(["Page 1/1"])).page(1))
    assert not needs_ocr(read_pdf(make_pdf(["\n".join(BODY)])).page(1))


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_pdf_library_records_go_to_our_log_at_debug_level_only() -> None:
    route_library_logs()
    route_library_logs()  # idempotent: each record is handed over once (below)
    collect = Collect()
    root, ours = logging.getLogger(), logging.getLogger("attest_pipeline")
    root.addHandler(collect)
    level = ours.level
    try:
        logging.getLogger("pypdf._reader").warning("incorrect startxref pointer(%d)", 3)
        logging.getLogger("pdfminer.pdfpage").warning("CropBox missing")
        assert collect.records == []  # not on stderr, whatever the root logger prints
        ours.setLevel(logging.DEBUG)
        logging.getLogger("pypdf._reader").warning("incorrect startxref pointer(%d)", 3)
    finally:
        root.removeHandler(collect)
        ours.setLevel(level)
    (record,) = collect.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == "pypdf._reader: incorrect startxref pointer(3)"
