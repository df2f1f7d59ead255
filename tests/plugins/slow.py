"""A test issuer that takes a second over documents containing 'LENTEMENT', then passes."""

import time

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification


class SlowIssuer(Issuer):
    name = "slow"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "LENTEMENT" in document.text:
            time.sleep(1.0)  # well within the test workspaces' 2 s limit per plugin call
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(SlowIssuer())
