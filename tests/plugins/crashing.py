"""A test issuer that kills its process on documents containing 'CRASH' (like a segfault)."""

import os

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification


class CrashingIssuer(Issuer):
    name = "crashing"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "CRASH" in document.text:
            os._exit(3)
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(CrashingIssuer())
