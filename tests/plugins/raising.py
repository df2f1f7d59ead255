"""A test issuer that raises in every method."""

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Extraction, Identification


class RaisingIssuer(Issuer):
    name = "raising"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "RAISE IN EXTRACT" in document.text:
            return Identification(0.99)
        raise RuntimeError("identify exploded")

    def extract(self, document: Document) -> Extraction:
        raise ValueError("extract exploded")


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(RaisingIssuer())
