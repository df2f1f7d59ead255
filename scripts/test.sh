#!/usr/bin/env bash
# Set up attest-pipeline with its test dependencies and run the whole test suite.
# Needs Tesseract for the OCR tests (Debian: apt-get install tesseract-ocr tesseract-ocr-fra)
# and Chromium for the web page's browser tests (Debian: apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' -e plugins/example-plugin
.venv/bin/ruff check src plugins tests bench samples
.venv/bin/mypy src plugins/attest_plugins
.venv/bin/python -m pytest -q "$@"
