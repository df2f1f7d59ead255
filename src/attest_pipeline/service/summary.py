"""The physician's summary: a PDF in French, one or two pages, for the physician or the Ordre.

Identity and RPPS, the cycle, the four blocs with their actions (dates, issuer,
labellisation), what remains to do, the DPC status, the list of proofs with their SHA-256,
and the date it was produced.
"""

from __future__ import annotations

from attest_pipeline.service.workspace import Workspace


def summary_pdf(ws: Workspace, rpps: str) -> bytes:
    """The summary PDF of one physician (raises ``NotFound`` without dossier or roster entry)."""
    raise NotImplementedError
