"""attest-pipeline: files continuing-education attestations into physicians' dossiers."""

__version__ = "0.1.0"
