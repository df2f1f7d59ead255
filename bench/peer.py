"""The peer: invoice2data reading attestations with three issuer templates, fields only.

Usage: python bench/peer.py LIST OUT

Reads the PDF paths listed in LIST (one a line), extracts each with invoice2data's pdfium
reader (pypdfium2, the reader attest-pipeline uses) and the templates of
``bench/invoice2data`` (DPC, Qualiopi and congress attestations: issuer, RPPS, family
name, first date; no roster, no mapping, no filing), and writes one JSON object per file
to OUT: ``{"file": ..., "fields": {...}}`` (``{}`` when no template matched).

Run by ``bench/bench.py`` in a fresh process, start-up included, as a user would run it;
invoice2data is in the ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "invoice2data"


def main() -> int:
    """Extract every listed file; one JSON line each."""
    from invoice2data import extract_data
    from invoice2data.extract.loader import read_templates
    from invoice2data.input import pdfium

    # Its log lines (a field a template did not find, a file no template fits) would be
    # most of the run's cost on a terminal; a user batch-processing files silences them.
    logging.disable(logging.ERROR)
    files = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    templates = read_templates(str(TEMPLATES))
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for path in files:
            # The reader is given: no fall-back to pdftotext or OCR when a field is missing.
            fields = extract_data(path, templates, input_module=pdfium)
            out.write(json.dumps({"file": path, "fields": fields}, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
