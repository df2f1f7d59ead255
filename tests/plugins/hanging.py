"""A test issuer that hangs on documents containing 'HANG' (a catastrophic regex)."""

import re

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification

# Exponential backtracking: CPython's regex engine cannot be interrupted by a signal,
# which is why a hung plugin has to be stopped by killing its worker process.
_EVIL = re.compile(r"^(a+)+$")


class HangingIssuer(Issuer):
    name = "hanging"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "HANG" in document.text:
            _EVIL.match("a" * 64 + "!")
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(HangingIssuer())
