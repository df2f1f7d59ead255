"""A test issuer that asks for more memory than any limit, on "ALLOCATE 8 GB"."""

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification


class HogIssuer(Issuer):
    name = "hog"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "ALLOCATE 8 GB" in document.text:
            hoard = bytearray(8 << 30)  # MemoryError under [limits] memory
            return Identification(0.1, (str(len(hoard)),))
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(HogIssuer())
