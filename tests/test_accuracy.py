"""Every sample through the pipeline, compared field by field with its expected result."""

from __future__ import annotations

from pathlib import Path

import pytest

from attest_pipeline.testing.accuracy import AccuracyReport, compare, measure

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEXT_FAMILIES = [
    "andpc",
    "qualiopi",
    "university",
    "congress",
    "journal_test",
    "peer_group",
    "traps",
]


@pytest.fixture(scope="module")
def reports() -> dict[str, AccuracyReport]:
    # One corpus per run of the pipeline: the text samples, then the scans (OCR).
    roster = SAMPLES / "roster.csv"
    templates = (ROOT / "plugins" / "templates",)
    return {
        "text": measure(SAMPLES, roster, template_dirs=templates, jobs=0, exclude=["scanned"]),
        "scanned": measure(SAMPLES / "scanned", roster, template_dirs=templates, jobs=0),
    }


def test_every_field_right_on_every_text_sample(reports: dict[str, AccuracyReport]) -> None:
    report = reports["text"]
    assert report.attestations >= 140
    assert report.perfect, report.format()


def test_no_scan_is_ever_filed_wrongly(reports: dict[str, AccuracyReport]) -> None:
    report = reports["scanned"]
    assert report.attestations >= 20
    assert not report.wrong_filings, report.format()
    # OCR misreads (a digit doubled in an RPPS, "44 mars") must end in review, never filed:
    # at most those few samples may differ from their expectation.
    samples_off = {m.sample for m in report.mismatches}
    assert len(samples_off) <= 4, report.format()


def test_compare_counts_a_filing_to_another_physician_as_wrong() -> None:
    pdf = SAMPLES / "andpc" / "x.pdf"
    expected = [
        {
            "participant": {"rpps": "10005682603"},
            "bloc": 1,
            "action": "A",
            "status": "file",
            "reasons": [],
        }
    ]
    actual = [
        {
            "source": str(pdf),
            "participant": {"rpps": "10101010105"},
            "bloc": 1,
            "action": "A",
            "status": "file",
            "reasons": [],
        }
    ]
    report = compare([(pdf, expected)], actual, SAMPLES)
    assert [m.key for m in report.wrong_filings] == ["rpps"]
    assert not report.perfect


def test_compare_counts_another_physician_s_pages_filed_with_one_record_as_wrong() -> None:
    # Two attestations read as one: page 2 (another physician's) filed under page 1's.
    pdf = SAMPLES / "andpc" / "x.pdf"
    first = {"pages": [1], "participant": {"rpps": "10005682603"}, "status": "file"}
    second = {"pages": [2], "participant": {"rpps": "10101010105"}, "status": "file"}
    actual = [
        {
            "source": str(pdf),
            "pages": [1, 2],
            "participant": {"rpps": "10005682603"},
            "status": "file",
            "reasons": [],
        }
    ]
    report = compare([(pdf, [first, second])], actual, SAMPLES)
    assert [(m.index, m.key) for m in report.wrong_filings] == [(1, "pages")]


def test_the_variation_mode_reports_per_family_and_per_axis() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "accuracy.py"), "--variations", "40",
         "--seed", "31", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout
    # Exit code 1 says a goal was missed (a scanned variation read below 0.97, say): the
    # report is printed either way, and nothing may ever be filed wrongly.
    assert result.returncode in (0, 1), result.stderr
    assert "40 documents (seed 31): field accuracy " in out
    assert ", 0 misfiled, lowest axis value " in out
    for row in ("arrangement  form", "arrangement  table", "signatory    roster", "cover",
                "renderer     libreoffice", "renderer     chromium", "esign        pades"):
        assert row in out
    # Every renderer and the signer are on the test machine (.ci/run installs them).
    assert "NOT RUN" not in out
    assert "0 wrong filings" in out
    summary = out.strip().splitlines()[-1]
    accuracy = float(summary.split("field accuracy ")[1].split(",")[0])
    lowest = float(summary.rsplit(" at ", 1)[1])
    assert (result.returncode == 0) == (accuracy >= 0.99 and lowest >= 0.97)


def test_the_variation_mode_says_loudly_what_it_could_not_run(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    # A PATH holding the OCR engine but no soffice: LibreOffice's axis value is not run.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tesseract = shutil.which("tesseract")
    assert tesseract is not None
    (bin_dir / "tesseract").symlink_to(tesseract)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "accuracy.py"), "--variations", "12",
         "--seed", "31", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PATH": str(bin_dir)},
    )
    out = result.stdout
    assert result.returncode == 1, result.stderr
    assert "NOT RUN renderer=libreoffice: soffice not found" in out
    assert "written by reportlab instead" in out
    assert out.strip().splitlines()[-1].endswith(", NOT RUN: renderer=libreoffice")
