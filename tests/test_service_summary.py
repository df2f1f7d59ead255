"""The physician's summary PDF: French, one or two pages, nothing past the margins, fonts
embedded, rendered by pdftoppm (installed by .ci/run)."""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from attest_pipeline.service import Workspace
from attest_pipeline.service.progress import physician_progress
from attest_pipeline.service.review import list_review, resolve
from attest_pipeline.service.summary import french_date, summary_pdf
from tests.conftest import write_config
from tests.office import DUPONT, run, workspace
from tests.test_pipeline import andpc

LONG_LAST = "DE LA ROCHEFOUCAULD-MONTMORENCY D'ARMAGNAC"
LONG_FIRST = "Marie-Françoise-Élisabeth"
LONG_TITLE = (
    "Prise en charge pluriprofessionnelle de l'insuffisance cardiaque chronique du sujet âgé "
    "polypathologique en ambulatoire, coordination ville-hôpital et éducation thérapeutique"
)
MARGIN = 18 / 25.4 * 72  # the summary's side margins, in points


def text_and_words(data: bytes) -> tuple[str, list[dict[str, float]], float, int]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        words = [w for page in pdf.pages for w in page.extract_words()]
        return text, words, float(pdf.pages[0].width), len(pdf.pages)


def test_french_dates() -> None:
    assert french_date(date(2025, 3, 1)) == "1er mars 2025"
    assert french_date("2031-12-31") == "31 décembre 2031"
    assert french_date(None) == "—"


def test_the_summary_says_what_the_ordre_needs(office: Workspace) -> None:
    data = summary_pdf(office, DUPONT)
    text, _, _, pages = text_and_words(data)
    assert pages == 1
    for expected in (
        "Certification périodique des médecins généralistes",
        "Dr Jean-Pierre DUPONT",
        "10005682603",
        "du 1er janvier 2023 au 31 décembre 2031",
        "cycle supposé",
        "Bloc 1",
        "Bloc 4",
        "Aucune action.",
        "du 12/03/2025",
        "au 14/03/2025",
        "de fait",
        "reste à faire",
        "Période 2023-2025",
        "orientation",
        "établi le 22 novembre 2026",
    ):
        assert expected in text, expected
    for entry in physician_progress(office, DUPONT).entries:
        digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
        assert digest in text.replace("\n", "")
    assert b"/FontFile2" in data  # the TrueType fonts are embedded


@pytest.fixture
def long_dossier(tmp_path: Path) -> Workspace:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"rpps,last_name,first_name,registered_on\n10005682603,{LONG_LAST},{LONG_FIRST},2024-05-02\n",
        encoding="utf-8",
    )
    write_config(tmp_path, roster)
    natures = (
        "Formation continue",
        "Evaluation des pratiques professionnelles",
        "Programme intégré",
    )
    for n in range(16):
        pdf = andpc(
            name="Jean DURAND",
            nature=natures[n % 3],
            title=f"{LONG_TITLE} ({n + 1})",
            action=f"{40000000000 + n}",
        )
        (tmp_path / "inbox" / f"long{n:02d}.pdf").write_bytes(pdf)
    run(tmp_path)
    ws = workspace(tmp_path)
    for item in list_review(ws):  # the name on the attestations is not the roster's
        resolve(
            ws,
            item.id,
            by="Sophie Lefèvre",
            rpps=DUPONT,
            start=date(2024, 6, 1),
            end=date(2024, 6, 1 + item.id % 20),
        )
    return ws


def test_long_names_and_titles_stay_inside_two_pages(long_dossier: Workspace) -> None:
    data = summary_pdf(long_dossier, DUPONT)
    text, words, width, pages = text_and_words(data)
    assert 1 <= pages <= 2
    assert LONG_FIRST in text and "ROCHEFOUCAULD-MONTMORENCY" in text
    assert "du 2 mai 2024 au 1er mai 2030" in text  # 6 years from the registration date
    assert all(w["x0"] >= MARGIN - 8 and w["x1"] <= width - MARGIN + 8 for w in words), [
        w["text"] for w in words if w["x1"] > width - MARGIN + 8
    ]


def test_pdftoppm_renders_it(long_dossier: Workspace, tmp_path: Path) -> None:
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(summary_pdf(long_dossier, DUPONT))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page*.png"))
    assert 1 <= len(images) <= 2
    with Image.open(images[0]) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
    assert dark > 1000  # text was drawn, not a blank page
