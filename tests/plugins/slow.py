"""A test issuer that takes a quarter of a second over documents with 'LENTEMENT', then passes."""

import time

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification


class SlowIssuer(Issuer):
    name = "slow"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "LENTEMENT" in document.text:
            # Slower than a document analysed beside it, within the core's hold (1 s).
            time.sleep(0.25)
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(SlowIssuer())
