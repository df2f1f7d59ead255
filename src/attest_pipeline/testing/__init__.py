"""The test kit: what a plugin author imports in their own tests.

``make_pdf`` builds real PDFs from text (needs reportlab, the ``test`` extra);
:mod:`attest_pipeline.testing.kit` runs an issuer the way the core does and
:mod:`attest_pipeline.testing.samples` compares it with golden samples.
"""

from attest_pipeline.testing.kit import (
    IssuerRun,
    PhaseError,
    builtin_issuers,
    document_from_pdf,
    document_from_text,
    identify_all,
    pdf_document,
    run_issuer,
    winner,
)
from attest_pipeline.testing.pdf import make_pdf, make_text_layer_pdf
from attest_pipeline.testing.samples import Mismatch, SampleReport, assert_samples, check_samples

__all__ = [
    "IssuerRun",
    "Mismatch",
    "PhaseError",
    "SampleReport",
    "assert_samples",
    "builtin_issuers",
    "check_samples",
    "document_from_pdf",
    "document_from_text",
    "identify_all",
    "make_pdf",
    "make_text_layer_pdf",
    "pdf_document",
    "run_issuer",
    "winner",
]
