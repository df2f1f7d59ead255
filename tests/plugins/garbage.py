"""A test issuer that returns values of the wrong shape."""

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Identification


class GarbageIssuer(Issuer):
    name = "garbage"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "GARBAGE SCORE" in document.text:
            return Identification(7.0)  # type: ignore[return-value]
        if "GARBAGE" in document.text:
            return Identification(0.95)
        return None

    def extract(self, document: Document) -> Extraction:
        return Extraction(family=Family.ANDPC, start=Found("12/03/2025", "12/03/2025"))  # type: ignore[arg-type]


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(GarbageIssuer())
