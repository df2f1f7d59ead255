from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from attest_pipeline.config import OcrConfig
from attest_pipeline.ocr import (
    OcrStatus,
    OcrTimeout,
    OcrUnavailable,
    evidence_confidence,
    ocr_image,
    ocr_page,
    render_page,
    strategy,
    tesseract,
    tesseract_status,
)
from attest_pipeline.ocr.tesseract import PageRun
from attest_pipeline.reading import read_pdf
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text_layer import needs_ocr

ATTESTATION = [
    "ATTESTATION DE PARTICIPATION",
    "Action de DPC n° 99792425001 - Session n° 2",
    "Organisme de DPC : FORMEDIC (ODPC n° 1234)",
    "Je soussigné, Jean Martin, directeur, certifie que :",
    "Dr Hélène DUPONT-LEFÈVRE",
    "RPPS : 10005682603",
    "a participé à l'action de formation continue",
    "« Prise en charge de l'insuffisance cardiaque »",
    "du 12/03/2025 au 14/03/2025, d'une durée de 14 heures.",
    "Fait à Paris, le 15 mars 2025",
]
# make_pdf at 12 pt writes line i with its baseline at 72 + 18 * i points from the top.
RPPS_BASELINE = 72 + 18 * 5

SETTINGS = OcrConfig()
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "scanned"


def scanned_pdf(image: Image.Image, dpi: int, quality: int = 75) -> bytes:
    """An image-only PDF, as a scanner writes it."""
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=dpi, quality=quality)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def page_image() -> Image.Image:
    return render_page(make_pdf([ATTESTATION], size=12), 1, 200)


@pytest.fixture(scope="module")
def scan(page_image: Image.Image) -> bytes:
    return scanned_pdf(page_image, 200)


@pytest.fixture(autouse=True)
def fresh_status() -> Iterator[None]:
    yield
    tesseract_status.cache_clear()


# ------------------------------------------------------------------------------- reading


def test_an_image_only_pdf_is_read(scan: bytes) -> None:
    assert needs_ocr(read_pdf(scan).page(1))
    result = ocr_page(scan, 1, SETTINGS)
    text = result.page.text
    assert result.page.ocr and result.page.number == 1
    assert "RPPS : 10005682603" in text
    assert "DUPONT-LEFÈVRE" in text
    assert "du 12/03/2025 au 14/03/2025" in text
    assert "15 mars 2025" in text
    assert text.splitlines()[0] == "ATTESTATION DE PARTICIPATION"
    assert result.page.confidence is not None and result.page.confidence > 85
    assert result.rotation == 0
    assert 0 < result.seconds < SETTINGS.page_timeout


def test_word_boxes_are_in_pdf_points(scan: bytes) -> None:
    words = ocr_page(scan, 1, SETTINGS).words
    rpps = next(word for word in words if word.text == "RPPS")
    # Drawn at x = 60 pt, baseline RPPS_BASELINE, 12 pt Helvetica capitals (8.6 pt tall).
    assert rpps.x0 == pytest.approx(60, abs=3)
    assert rpps.bottom == pytest.approx(RPPS_BASELINE, abs=3)
    assert rpps.bottom - rpps.top == pytest.approx(8.6, abs=2)
    assert rpps.confidence is not None and rpps.confidence > 80
    assert all(0 <= w.x0 < w.x1 <= 596 and 0 <= w.top < w.bottom <= 842 for w in words)


def test_the_page_number_is_kept() -> None:
    pdf = make_pdf(["Page de garde sans texte utile", ATTESTATION], size=12)
    image = render_page(pdf, 2, 200)
    result = ocr_image(image, 2, SETTINGS)
    assert result.page.number == 2
    assert "10005682603" in result.page.text


@pytest.mark.parametrize(("turn", "expected"), [(90, 90), (180, 180), (270, 270)])
def test_a_rotated_page_is_put_upright(page_image: Image.Image, turn: int, expected: int) -> None:
    # Image.rotate turns counter-clockwise: putting it back takes the same angle clockwise.
    rotated = page_image.rotate(turn, expand=True, fillcolor=255)
    result = ocr_page(scanned_pdf(rotated, 200), 1, SETTINGS)
    assert result.rotation == expected
    assert "10005682603" in result.page.text
    assert "DUPONT-LEFÈVRE" in result.page.text
    rpps = next(word for word in result.words if word.text == "RPPS")
    assert rpps.bottom == pytest.approx(RPPS_BASELINE, abs=4)


def test_rotation_is_found_with_the_orientation_data(
    page_image: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(strategy, "USE_OSD", True)
    rotated = page_image.rotate(90, expand=True, fillcolor=255)
    result = ocr_page(scanned_pdf(rotated, 200), 1, SETTINGS)
    assert result.rotation == 90
    assert "RPPS : 10005682603" in result.page.text


def test_rotation_is_found_without_the_orientation_data(
    page_image: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = tesseract_status("fra")
    without_osd = OcrStatus(
        available=True,
        version=status.version,
        languages=tuple(code for code in status.languages if code != "osd"),
        problems=(),
        osd=False,
    )
    monkeypatch.setattr(strategy, "USE_OSD", True)
    monkeypatch.setattr(tesseract, "tesseract_status", lambda language="fra": without_osd)
    rotated = page_image.rotate(180, fillcolor=255)
    result = ocr_page(scanned_pdf(rotated, 200), 1, SETTINGS)
    assert result.rotation == 180
    assert "RPPS : 10005682603" in result.page.text


def test_a_grid_is_read_row_by_row() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    rows = [
        ["Organisme", "MédiForma DPC (ODPC n° 3562)"],
        ["Référence de l'action", "35622300331"],
        ["Nom :", "BERNARD"],
        ["Prénom :", "Nicolas"],
        ["N° RPPS :", "10039507768"],
        ["Dates :", "du 13/03/2023 au 20/10/2023"],
    ]
    table = Table(rows, colWidths=[150, 300])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.8, "black")]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([table])
    image = render_page(buffer.getvalue(), 1, 200)
    lines = ocr_page(scanned_pdf(image, 200), 1, SETTINGS).page.text.splitlines()
    assert "Nom : BERNARD" in lines
    assert "N° RPPS : 10039507768" in lines
    assert "Dates : du 13/03/2023 au 20/10/2023" in lines


def test_a_skewed_page_is_straightened(page_image: Image.Image) -> None:
    skewed = page_image.rotate(7, resample=Image.Resampling.BICUBIC, fillcolor=255)
    result = ocr_page(scanned_pdf(skewed, 200), 1, SETTINGS)
    assert result.skew == pytest.approx(-7, abs=1.5)
    assert "10005682603" in result.page.text
    assert result.page.confidence is not None and result.page.confidence > 80


def test_small_print_is_read_again_at_a_finer_resolution() -> None:
    small = render_page(make_pdf([ATTESTATION], size=7), 1, 300)
    result = ocr_page(scanned_pdf(small, 300), 1, SETTINGS)
    assert result.dpi == strategy.FINE_DPI
    assert "RPPS : 10005682603" in result.page.text
    assert "du 12/03/2025 au 14/03/2025" in result.page.text
    rpps = next(word for word in result.words if word.text == "RPPS")
    # At 7 pt, line 5 has its baseline at 72 + 10.5 * 5 points from the top.
    assert rpps.bottom == pytest.approx(72 + 10.5 * 5, abs=2)


def test_ordinary_print_is_read_once(scan: bytes) -> None:
    assert ocr_page(scan, 1, SETTINGS).dpi == SETTINGS.dpi


def test_a_poor_scan_has_a_lower_confidence(page_image: Image.Image, scan: bytes) -> None:
    good = ocr_page(scan, 1, SETTINGS).page.confidence
    rng = random.Random(7)
    small = page_image.resize((page_image.width // 2, page_image.height // 2))
    noise = Image.frombytes("L", small.size, rng.randbytes(small.width * small.height))
    poor = Image.blend(small.filter(ImageFilter.GaussianBlur(1.2)), noise, 0.2)
    result = ocr_page(scanned_pdf(poor, 100, quality=15), 1, SETTINGS)
    assert good is not None and result.page.confidence is not None
    assert result.page.confidence < good - 10


def test_a_page_with_nothing_to_read_has_no_text() -> None:
    blank = Image.new("L", (1654, 2339), 255)
    result = ocr_page(scanned_pdf(blank, 200), 1, SETTINGS)
    assert result.page.text == ""
    assert result.words == ()
    assert result.page.confidence == 0


def test_the_timeout_raises(scan: bytes) -> None:
    with pytest.raises(OcrTimeout, match="page 1"):
        ocr_page(scan, 1, OcrConfig(page_timeout=0.05))


def test_a_page_not_in_the_document_is_refused(scan: bytes) -> None:
    with pytest.raises(ValueError, match="page 3"):
        ocr_page(scan, 3, SETTINGS)


# ------------------------------------------------------------------------- installation


def test_tesseract_status_reports_what_is_installed() -> None:
    status = tesseract_status("fra")
    assert status.available and not status.problems
    assert status.version is not None and int(status.version.split(".")[0]) >= 4
    assert "fra" in status.languages
    assert tesseract_status("fra") is status


def test_tesseract_status_reports_a_missing_language() -> None:
    status = tesseract_status("fra+xyz")
    assert not status.available
    assert status.version is not None
    assert len(status.problems) == 1
    assert "'xyz'" in status.problems[0]
    assert "apt-get install tesseract-ocr-xyz" in status.problems[0]


def test_a_missing_language_makes_ocr_unavailable(scan: bytes) -> None:
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr-xyz"):
        ocr_page(scan, 1, OcrConfig(language="xyz"))


def test_a_missing_tesseract_makes_ocr_unavailable(
    scan: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract, "TESSERACT", "tesseract-not-installed-here")
    tesseract_status.cache_clear()
    status = tesseract_status("fra")
    assert not status.available and status.version is None
    assert "apt-get install tesseract-ocr tesseract-ocr-fra" in status.problems[0]
    with pytest.raises(OcrUnavailable, match="not installed"):
        ocr_page(scan, 1, SETTINGS)


def test_evidence_confidence_is_the_weakest_word_of_the_excerpt(scan: bytes) -> None:
    words = ocr_page(scan, 1, SETTINGS).words
    rpps = next(word for word in words if word.text == "10005682603")
    assert rpps.confidence is not None
    assert evidence_confidence("10005682603", words) == rpps.confidence
    run = [w for w in words if w.text in ("Hélène", "DUPONT-LEFÈVRE")]
    assert evidence_confidence("Dr Hélène DUPONT-LEFÈVRE", words) == min(
        w.confidence for w in run if w.confidence is not None
    )
    at = next(i for i, word in enumerate(words) if word.text == "RPPS")
    line = words[at : at + 3]
    assert [word.text for word in line] == ["RPPS", ":", "10005682603"]
    assert evidence_confidence("RPPS : 10005682603", words) == min(
        w.confidence for w in line if w.confidence is not None
    )
    # A cut word at either end of the excerpt still counts.
    assert evidence_confidence("PPS : 100056", words) is not None
    assert evidence_confidence("Jean Dupuis", words) is None
    assert evidence_confidence("", words) is None


def test_a_scanned_sample_line_cut_in_two_is_read_whole() -> None:
    pdf = (SAMPLES / "congress_04_reagjir25_landscape.pdf").read_bytes()
    text = ocr_page(pdf, 1, SETTINGS).page.text
    assert "a assisté aux Rencontres nationales " in text


def test_a_dot_leader_dropped_by_tesseract_is_put_back() -> None:
    lines = [
        "ATTESTATION DE FIN DE FORMATION",
        "L'organisme de formation atteste que le participant désigné ci-dessous",
        "a participé à la formation « Lombalgies communes : prise en charge ».",
        "Identité du participant ........................ Raphaël BONNET",
        "Nom                                   Prénom",
    ]
    image = render_page(make_pdf([lines], size=12), 1, 200)
    text = ocr_page(scanned_pdf(image, 200), 1, SETTINGS).page.text
    assert "Identité du participant ........ Raphaël BONNET" in text
    # A wide gap with no ink is a gap, not a leader.
    assert "Nom Prénom" in text.splitlines()


def test_the_word_boxes_of_a_skewed_table_are_level() -> None:
    from reportlab.pdfgen import canvas

    from attest_pipeline.reading import with_tables

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.27, 841.89), invariant=True)
    pdf.setFont("Helvetica", 12)
    for row, line in enumerate(ATTESTATION[:4]):
        pdf.drawString(60, 770 - 18 * row, line)
    rows = [("Nom", "Prénom", "N° RPPS"), ("LEFÈVRE-ROUSSEAU", "Anne-Sophie", "10404539024")]
    for y, row in zip((680, 660), rows, strict=True):
        for x, cell in zip((60, 240, 400), row, strict=True):
            pdf.drawString(x, y, cell)
    pdf.showPage()
    pdf.save()
    image = render_page(buffer.getvalue(), 1, 200)
    # Under DESKEW_FROM: read as it is, not straightened; 2 degrees over the 440 pt of the
    # row put its last cell 15 pt off, under the next row's first.
    skewed = image.rotate(2.2, resample=Image.Resampling.BICUBIC, fillcolor=255)
    result = ocr_page(scanned_pdf(skewed, 200), 1, SETTINGS)
    assert result.skew == 0
    header = [w for w in result.words if w.text in ("Nom", "RPPS")]
    assert len(header) == 2
    assert abs(header[0].bottom - header[1].bottom) < 2
    table = with_tables(result.page, lambda number: result.words).text
    assert "Nom : LEFÈVRE-ROUSSEAU" in table
    assert "Prénom : Anne-Sophie" in table
    assert "N° RPPS : 10404539024" in table


def test_a_pdf_of_mixed_pages_is_read_through_the_command_line(tmp_path: Path) -> None:
    """A cover letter in text, a scan pasted under a typed header, text drawn as outlines."""
    from tests.conftest import ROSTER, attest, write_config
    from tests.test_pipeline import andpc, outlined_pdf
    from tests.test_reading import pasted_scan

    cover = make_pdf(
        [
            [
                "Secrétariat des formations - 3 boulevard de la Liberté - 35000 Rennes",
                "Madame, Monsieur, veuillez trouver ci-joint les documents de la session.",
                "Nous restons à votre disposition pour toute question.",
            ]
        ]
    )
    # Jean-Pierre DUPONT's attestation, its text drawn as outlines.
    outlined = outlined_pdf(read_pdf(andpc()).page(1).text.splitlines())
    mixed = pdfium.PdfDocument.new()
    for part in (cover, pasted_scan(), outlined):
        mixed.import_pages(pdfium.PdfDocument(part))
    buffer = io.BytesIO()
    mixed.save(buffer)
    pdf = tmp_path / "mixed.pdf"
    pdf.write_bytes(buffer.getvalue())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    write_config(tmp_path, roster)
    page = read_pdf(pdf.read_bytes()).page
    assert not needs_ocr(page(1)) and page(2).image_body and page(3).text == ""

    result = attest("extract", "--json", str(pdf), cwd=tmp_path)
    records = {record["participant"]["rpps"]: record for record in json.loads(result.stdout)}
    assert set(records) == {"10101010105", "10005682603"}, result.stdout
    pasted, drawn = records["10101010105"], records["10005682603"]
    assert (pasted["pages"], drawn["pages"]) == ([2], [3])
    assert pasted["ocr"] and drawn["ocr"]
    assert pasted["status"] == drawn["status"] == "file", result.stdout


def test_a_line_the_segmentation_dropped_is_read_on_the_page_straightened() -> None:
    # A variation scan (samples/gen, seed 7001, document 54, page 2) skewed by 2.35
    # degrees: read as it is, Tesseract drops the line naming the diploma.
    pdf = (Path(__file__).parent / "data" / "scan_line_dropped.pdf").read_bytes()
    image = render_page(pdf, 1, 200)
    first = strategy.read(image, 200.0, 0, 0.0, PageRun("fra", 1, 60.0, time.monotonic() + 60))
    assert "narrative" not in " ".join(word.text for word in first.words)
    assert strategy._missed_lines(first, image)
    result = ocr_page(pdf, 1, SETTINGS)
    assert "Diplôme d'université « Médecine narrative et humanités médicales »" in (
        result.page.text
    )
    assert result.skew == pytest.approx(2.35, abs=0.3)


def test_a_page_read_whole_has_no_missed_line(page_image: Image.Image) -> None:
    reading = strategy.read(
        page_image, 200.0, 0, 0.0, PageRun("fra", 1, 60.0, time.monotonic() + 60)
    )
    assert not strategy._missed_lines(reading, page_image)
    # The same reading with the RPPS line taken out: its ink is left unread.
    lines = tuple(line for line in reading.lines if "RPPS" not in " ".join(w.text for w in line))
    assert len(lines) == len(reading.lines) - 1
    assert strategy._missed_lines(replace(reading, lines=lines), page_image)
