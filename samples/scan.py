"""Make scanned versions of some text-PDF samples, for the OCR tests and benchmark.

    python samples/scan.py

Each sample of :data:`SCANS` (``samples/<family>/NAME.pdf`` with its ``NAME.json``) is
rendered to a grayscale image, then degraded the way a desk scanner or a phone scan would:
a paper tone, a slight rotation, blur, noise, and JPEG compression (or a bilevel fax-like
image for some), possibly turned by 90 or 180 degrees as a sheet fed sideways or upside
down. The images are wrapped back into an image-only PDF (Pillow) at
``samples/scanned/NAME.pdf``, and the expected results are copied to
``samples/scanned/NAME.json`` with ``"source": "scanned/NAME.pdf"``.

Reproducible: every random choice comes from a generator seeded with :data:`SEED` and the
sample's name, and the PDF's dates are fixed, so two runs give the same bytes
(with the same Pillow and libjpeg).
"""

from __future__ import annotations

import calendar
import io
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

SEED = 20250312
SCANNED_ON = time.gmtime(calendar.timegm((2025, 11, 22, 9, 0, 0)))
ROOT = Path(__file__).resolve().parent
OUT = ROOT / "scanned"


@dataclass(frozen=True)
class Scan:
    """How one sample is scanned.

    ``dpi`` is the scanner's resolution; ``turn`` the clockwise quarter turn of the sheet
    (0, 90, 180, 270); ``bilevel`` makes a black-and-white image (CCITT G4, like a fax or an
    office copier) instead of a JPEG-compressed grayscale one; ``rough`` makes a poor scan
    (more blur and noise, stronger JPEG compression).
    """

    sample: str
    dpi: int = 200
    turn: int = 0
    bilevel: bool = False
    rough: bool = False


#: The samples scanned: one-page ones across the families and layouts, four turned sideways
#: or upside down, two bilevel, three rough.
SCANS: tuple[Scan, ...] = (
    Scan("andpc/andpc_01_letter_prise_charge_insuffisance"),
    Scan("andpc/andpc_02_grid_audit_clinique_suivi", dpi=150),
    Scan("andpc/andpc_03_platform_antibiotherapie_raisonnee_ville", turn=90),
    Scan("andpc/andpc_04_twocol_securisation_prescription_medicamenteuse"),
    Scan("andpc/andpc_09_platform_burn_soignant_reperage", dpi=300),
    Scan("andpc/andpc_14_faf_echographie_clinique_ciblee", dpi=300, bilevel=True),
    Scan("andpc/andpc_18_grid_revue_pertinence_prescriptions", rough=True),
    Scan("qualiopi/qualiopi_01_classic_prise_charge_troubles"),
    Scan("qualiopi/qualiopi_03_certificate_lecture_critique_electrocardiogramme", dpi=150),
    Scan("qualiopi/qualiopi_04_sidebar_analyse_pratiques_prescription", turn=180),
    Scan("qualiopi/qualiopi_06_grid_decision_medicale_partagee", rough=True),
    Scan("university/university_01_diploma_gynecologie_obstetrique"),
    Scan("university/university_02_letter_echographie_generale", dpi=200, bilevel=True),
    Scan("university/university_03_table_medecine_sport", dpi=150, turn=270),
    Scan("university/university_07_certificate_gerontologie"),
    Scan("congress/congress_01_cmgf24_banner", dpi=150),
    Scan("congress/congress_04_reagjir25_landscape"),
    Scan("congress/congress_05_reagjir23_ticket"),
    Scan("congress/congress_13_cmgf25_letter", rough=True),
    Scan("journal_test/journal_test_01_prescrire_2024_letter_passed"),
    Scan("journal_test/journal_test_02_prescrire_2023_table_passed", turn=180),
    Scan("journal_test/journal_test_03_prescrire_2025_web_passed", dpi=150),
    Scan("peer_group/peer_group_01_sfmg"),
    Scan("peer_group/peer_group_03_sftg", dpi=150),
    Scan("peer_group/peer_group_04_sfmg_3_meetings"),
    Scan("traps/trap_01_invalid_rpps"),
)


def degrade(page: Image.Image, scan: Scan, rng: random.Random) -> Image.Image:
    """Turn a clean grayscale rendering into what a scanner would have produced."""
    scale = scan.dpi / 200
    # Paper is never white and toner never black.
    paper = rng.randint(232, 250)
    ink = rng.randint(15, 45)
    image = page.point(lambda value: ink + (paper - ink) * value // 255)
    # A sheet is never laid perfectly straight.
    angle = rng.uniform(-2.5, 2.5) if not scan.rough else rng.uniform(-4.0, 4.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=paper)
    blur = rng.uniform(0.5, 0.9) if not scan.rough else rng.uniform(1.0, 1.3)
    image = image.filter(ImageFilter.GaussianBlur(blur * scale))
    amount = rng.uniform(0.03, 0.06) if not scan.rough else rng.uniform(0.10, 0.14)
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    image = Image.blend(image, noise, amount)
    if scan.bilevel:
        threshold = (paper + ink) // 2 + rng.randint(-10, 10)
        image = image.point(lambda value: 255 if value > threshold else 0).convert("1")
    if scan.turn == 90:
        image = image.transpose(Image.Transpose.ROTATE_270)
    elif scan.turn == 180:
        image = image.transpose(Image.Transpose.ROTATE_180)
    elif scan.turn == 270:
        image = image.transpose(Image.Transpose.ROTATE_90)
    return image


def render(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Every page of a PDF rendered in grayscale at ``dpi``."""
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return images
    finally:
        document.close()


def scan_pdf(pdf: bytes, scan: Scan) -> bytes:
    """The image-only PDF a scanner would have made of ``pdf``."""
    rng = random.Random(f"{SEED}:{scan.sample}")
    pages = [degrade(page, scan, rng) for page in render(pdf, scan.dpi)]
    options: dict[str, Any] = {}
    if not scan.bilevel:
        # Pillow stores a grayscale page as JPEG (DCTDecode), a bilevel one as CCITT G4.
        options["quality"] = rng.randint(30, 45) if not scan.rough else rng.randint(18, 25)
    # A fixed date: Pillow would write the time of the run, and the bytes would change.
    options["creationDate"] = options["modDate"] = SCANNED_ON
    buffer = io.BytesIO()
    pages[0].save(
        buffer, "PDF", resolution=scan.dpi, save_all=True, append_images=pages[1:], **options
    )
    return buffer.getvalue()


def expected(path: Path, name: str) -> dict[str, Any]:
    """The sample's expected results, pointed at the scanned file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["source"] = f"scanned/{name}.pdf"
    return data


def main() -> int:
    """Write every scanned sample; return the exit code."""
    OUT.mkdir(exist_ok=True)
    total = 0
    for scan in SCANS:
        source = ROOT / f"{scan.sample}.pdf"
        if not source.exists():
            print(f"missing sample: {source}", file=sys.stderr)
            return 1
        name = source.stem
        pdf = scan_pdf(source.read_bytes(), scan)
        (OUT / f"{name}.pdf").write_bytes(pdf)
        data = expected(source.with_suffix(".json"), name)
        (OUT / f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        total += len(pdf)
        print(f"scanned/{name}.pdf  {len(pdf) // 1024:5d} KiB  <- {scan.sample}.pdf")
    print(f"{len(SCANS)} scanned samples, {total / 1024 / 1024:.2f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
