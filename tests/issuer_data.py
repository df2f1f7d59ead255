"""Data files for the issuer engine's tests: a minimal template, written where asked."""

from __future__ import annotations

from pathlib import Path

from attest_pipeline.models import Document
from attest_pipeline.reading import read_pdf
from attest_pipeline.testing import make_pdf

#: The smallest valid template: a name, a family and one phrase.
MINIMAL = """[issuer]
name = "acme"
family = "qualiopi"
[match]
all = ["ACME Formation"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name``; the path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def pdf_document(*pages: str) -> Document:
    """A document read from a real PDF of these pages, as the pipeline reads it."""
    return read_pdf(make_pdf(list(pages)))
