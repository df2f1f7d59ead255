#!/usr/bin/env bash
# Set up attest-pipeline and run it on copies of the samples with the default config.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
rm -rf demo
mkdir -p demo/inbox
# Copies only: the samples themselves are never consumed or modified.
for pdf in samples/*/*.pdf; do
    family=$(basename "$(dirname "$pdf")")
    cp "$pdf" "demo/inbox/${family}_$(basename "$pdf")"
done
.venv/bin/attest run
echo
.venv/bin/attest status
echo
.venv/bin/attest review
echo
.venv/bin/attest labels
