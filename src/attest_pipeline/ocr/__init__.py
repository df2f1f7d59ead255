"""OCR of pages that have no usable text layer (scanned attestations), with Tesseract.

The reading stage reads each page's text layer first and decides whether it is usable
(:mod:`attest_pipeline.text_layer`); a page that is not goes through :func:`ocr_page`. The
package has one module per concern, each with the measurements behind its choices:

- :mod:`.tesseract`: the Tesseract process (installed or not, one pass over one image, its
  time limit, its TSV read into words);
- :mod:`.images`: image preparation (rendering a page, turning, straightening, enlarging);
- :mod:`.layout`: what the words of one reading say (lines cut in two, print size, skew,
  a page read on its side);
- :mod:`.strategy`: the reading strategy (read once, then again turned, finer or
  straightened when the first reading says so);
- :mod:`.text`: the clean-up of OCR text, and the confidence of the words a field was read
  from.

The settings are :class:`attest_pipeline.config.OcrConfig` (``[ocr]`` in the config).
Importing the package imports neither PIL nor pypdfium2's renderer: they are imported when
a page is rendered.
"""

from attest_pipeline.ocr.images import render_page
from attest_pipeline.ocr.strategy import OcrPage, ocr_image, ocr_page
from attest_pipeline.ocr.tesseract import (
    INSTALL_HINT,
    OcrError,
    OcrStatus,
    OcrTimeout,
    OcrUnavailable,
    tesseract_status,
)
from attest_pipeline.ocr.text import clean_text, evidence_confidence

__all__ = [
    "INSTALL_HINT",
    "OcrError",
    "OcrPage",
    "OcrStatus",
    "OcrTimeout",
    "OcrUnavailable",
    "clean_text",
    "evidence_confidence",
    "ocr_image",
    "ocr_page",
    "render_page",
    "tesseract_status",
]
