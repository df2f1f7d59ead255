"""The test kit: what a plugin author imports in their own tests."""

from attest_pipeline.testing.pdf import make_pdf

__all__ = ["make_pdf"]
