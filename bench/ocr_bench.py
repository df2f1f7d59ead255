"""Benchmark of the OCR of scanned attestations (samples/scanned, made by samples/scan.py).

    python bench/ocr_bench.py [--quick] [--tables 1,2,3,4] [--corpus DIR] [--originals DIR]

For every scanned sample, the key strings a plugin needs are taken from the expected
results as printed on the original (text) sample: the participant's last name, the RPPS,
and the dates in the form the original prints them (12/03/2025, 12 mars 2025...). Each
table row says, over the pages, the seconds per page spent rendering and in Tesseract, the
mean OCR confidence, and how many key strings are found in the OCR text.

"text similarity" compares the whole OCR text with the original's text layer (rapidfuzz
ratio, case and spacing ignored): it also counts the small print the key strings miss.

Tables (``--tables 1,3`` prints some only):
1. resolution (150, 200, 300 dpi) x OMP_THREAD_LIMIT=1 or unset, full reading
   (orientation and skew included);
2. page segmentation mode (--psm 6, 4, 3), at the default resolution;
3. one Tesseract pass through our child process or through pytesseract;
4. on the pages not read upright at once: orientation by OSD then one reading, or by
   reading the page turned each way.
``--quick`` runs the first table at the default resolution with OMP_THREAD_LIMIT=1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from rapidfuzz import fuzz

from attest_pipeline import ocr
from attest_pipeline.config import OcrConfig
from attest_pipeline.ocr import strategy, tesseract

ROOT = Path(__file__).resolve().parent.parent
# fmt: off
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
# fmt: on
SPACES = re.compile(r"\s+")


@dataclass
class Sample:
    name: str
    pdf: bytes
    pages: int
    keys: tuple[str, ...]
    original: str


def squash(text: str) -> str:
    return SPACES.sub(" ", text).casefold()


def date_forms(day: date) -> list[str]:
    """The ways a French attestation prints a date."""
    month = MONTHS[day.month - 1]
    first = "1er" if day.day == 1 else str(day.day)
    return [
        f"{day:%d/%m/%Y}",
        f"{day:%d.%m.%Y}",
        f"{day:%d-%m-%Y}",
        f"{day:%d/%m/%y}",
        f"{day:%Y-%m-%d}",
        f"{first} {month} {day.year}",
        f"{day.day:02d} {month} {day.year}",
    ]


def text_layer(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def keys_for(expected: dict[str, object], original: str) -> list[str]:
    """Key strings of one attestation, as the original prints them."""
    printed = squash(original)
    keys: list[str] = []
    person = expected.get("participant")
    if isinstance(person, dict):
        expected = {**expected, **person}
    last = expected.get("last_name")
    if isinstance(last, str) and squash(last) in printed:
        keys.append(squash(last))
    rpps = expected.get("rpps")
    if isinstance(rpps, str) and rpps in printed.replace(" ", ""):
        keys.append(rpps)
    for field in ("start", "end"):
        value = expected.get(field)
        if not isinstance(value, str):
            continue
        for form in date_forms(date.fromisoformat(value)):
            if squash(form) in printed:
                keys.append(squash(form))
                break
    return keys


def found(key: str, text: str) -> bool:
    """Whether ``key`` is in ``text`` as a whole (``1053517120`` is not in ``10535171200``)."""
    squashed = squash(text)
    if key.isdigit():
        return re.search(rf"(?<!\d){key}(?!\d)", squashed.replace(" ", "")) is not None
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", squashed) is not None


def load(corpus: Path, originals_root: Path) -> list[Sample]:
    samples = []
    for expected_path in sorted(corpus.glob("*.json")):
        pdf_path = expected_path.with_suffix(".pdf")
        originals = [
            path
            for path in originals_root.glob(f"*/{pdf_path.name}")
            if path.parent.resolve() != corpus.resolve()
        ]
        if not pdf_path.exists() or not originals:
            continue
        data = json.loads(expected_path.read_text(encoding="utf-8"))
        original = text_layer(originals[0].read_bytes())
        keys = [key for item in data.get("attestations", []) for key in keys_for(item, original)]
        pdf = pdf_path.read_bytes()
        document = pdfium.PdfDocument(pdf)
        pages = len(document)
        document.close()
        samples.append(
            Sample(pdf_path.stem, pdf, pages, tuple(dict.fromkeys(keys)), squash(original))
        )
    return samples


@dataclass
class Row:
    label: str
    pages: int = 0
    render: float = 0.0
    tesseract: float = 0.0
    confidence: float = 0.0
    hits: int = 0
    keys: int = 0
    similarity: float = 0.0
    samples: int = 0

    def cells(self) -> list[str]:
        pages = max(1, self.pages)
        return [
            self.label,
            str(self.pages),
            f"{self.render / pages:.3f}",
            f"{self.tesseract / pages:.2f}",
            f"{self.confidence / pages:.1f}",
            f"{self.hits}/{self.keys}",
            f"{100 * self.similarity / max(1, self.samples):.1f}",
        ]


def print_table(title: str, rows: list[Row]) -> None:
    header = [
        "setting",
        "pages",
        "render s/page",
        "OCR s/page",
        "mean conf",
        "keys found",
        "text similarity %",
    ]
    table = [header, *[row.cells() for row in rows]]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    print(f"\n{title}")
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    sys.stdout.flush()


Reader = Callable[[Image.Image, int], tuple[str, float]]


def full_reading(settings: OcrConfig) -> Reader:
    def read(image: Image.Image, number: int) -> tuple[str, float]:
        result = ocr.ocr_image(image, number, settings)
        return result.page.text, result.page.confidence or 0.0

    return read


def measure(label: str, samples: list[Sample], dpi: int, reader: Reader) -> Row:
    row = Row(label)
    for sample in samples:
        texts = []
        for number in range(1, sample.pages + 1):
            started = time.perf_counter()
            image = ocr.render_page(sample.pdf, number, dpi)
            rendered = time.perf_counter()
            text, confidence = reader(image, number)
            row.render += rendered - started
            row.tesseract += time.perf_counter() - rendered
            row.confidence += confidence
            row.pages += 1
            texts.append(text)
        text = "\n".join(texts)
        row.keys += len(sample.keys)
        row.hits += sum(found(key, text) for key in sample.keys)
        row.similarity += fuzz.ratio(squash(text), sample.original) / 100
        row.samples += 1
    return row


@contextmanager
def patched(module: object, name: str, value: object) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def without_omp_limit() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("OMP_THREAD_LIMIT", None)
    return environment


def first_reading(image: Image.Image, number: int) -> strategy.Reading:
    dpi = image.info["dpi"][0]
    run = tesseract.PageRun("fra", number, 60.0, time.monotonic() + 60)
    return strategy.read(image, dpi, 0, 0.0, run)


def single_pass(image: Image.Image, number: int) -> tuple[str, float]:
    reading = first_reading(image, number)
    text = ocr.clean_text([" ".join(word.text for word in line) for line in reading.lines])
    return text, reading.confidence


def pytesseract_pass(image: Image.Image, number: int) -> tuple[str, float]:
    import pytesseract

    data = pytesseract.image_to_data(
        image,
        lang="fra",
        config=f"--oem {tesseract.OEM} --psm {tesseract.PSM} --dpi {round(image.info['dpi'][0])}",
        output_type=pytesseract.Output.DICT,
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for index, word in enumerate(data["text"]):
        if data["level"][index] == 5 and word.strip():
            key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
            lines.setdefault(key, []).append(word)
            confidences.append(float(data["conf"][index]))
    text = ocr.clean_text([" ".join(words) for words in lines.values()])
    return text, statistics.fmean(confidences) if confidences else 0.0


def upright_samples(samples: list[Sample], dpi: int) -> list[Sample]:
    """The samples whose first page reads upright (for the single-pass comparisons)."""
    kept = []
    for sample in samples:
        if first_reading(ocr.render_page(sample.pdf, 1, dpi), 1).good:
            kept.append(sample)
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples" / "scanned")
    parser.add_argument(
        "--originals", type=Path, default=ROOT / "samples", help="where <family>/NAME.pdf are"
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--tables", default="1,2,3,4", help="which tables to print (1-4, comma-separated)"
    )
    arguments = parser.parse_args()
    samples = load(arguments.corpus, arguments.originals)
    if not samples:
        print(f"no scanned samples in {arguments.corpus}: run python samples/scan.py first")
        return 1
    status = ocr.tesseract_status("fra")
    print(
        f"{len(samples)} samples, {sum(s.pages for s in samples)} pages, "
        f"{sum(len(s.keys) for s in samples)} key strings; Tesseract {status.version}, "
        f"{os.cpu_count()} cores"
    )
    settings = OcrConfig()
    dpi = settings.dpi
    tables = {int(n) for n in arguments.tables.split(",")}

    if 1 in tables:
        rows = []
        for resolution in (dpi,) if arguments.quick else (150, 200, 300):
            for omp in (True,) if arguments.quick else (True, False):
                environment = tesseract.ENVIRONMENT if omp else without_omp_limit()
                label = f"{resolution} dpi, OMP_THREAD_LIMIT={'1' if omp else 'unset'}"
                with patched(tesseract, "ENVIRONMENT", environment):
                    rows.append(measure(label, samples, resolution, full_reading(settings)))
        print_table("Resolution and OpenMP threads (full reading: orientation, skew)", rows)
    if arguments.quick:
        return 0

    if 2 in tables:
        rows = []
        for psm in (6, 4, 3):
            with patched(tesseract, "PSM", psm):
                rows.append(measure(f"--psm {psm}", samples, dpi, full_reading(settings)))
        print_table(f"Page segmentation mode, {dpi} dpi", rows)

    upright = upright_samples(samples, dpi)
    if 3 in tables:
        rows = [measure("child process (stdin PGM)", upright, dpi, single_pass)]
        # pytesseract's child inherits this process's environment: limit its threads too.
        previous = os.environ.get("OMP_THREAD_LIMIT")
        os.environ["OMP_THREAD_LIMIT"] = "1"
        rows.append(measure("pytesseract (temp PNG files)", upright, dpi, pytesseract_pass))
        if previous is None:
            del os.environ["OMP_THREAD_LIMIT"]
        else:
            os.environ["OMP_THREAD_LIMIT"] = previous
        print_table(f"One pass, {dpi} dpi, the {len(upright)} samples read upright", rows)

    turned = [sample for sample in samples if sample not in upright]
    if 4 in tables and turned:
        rows = []
        for use_osd, label in ((True, "OSD (--psm 0), then read"), (False, "read turned")):
            with patched(strategy, "USE_OSD", use_osd):
                rows.append(measure(label, turned, dpi, full_reading(settings)))
        print_table(f"Orientation, the {len(turned)} samples not read upright at once", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
