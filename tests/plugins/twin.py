"""A second issuer with the same score as 'good' on 'ORGANISME TEST TWIN' documents."""

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Identification


class TwinIssuer(Issuer):
    name = "twin"
    version = "0.1"

    def identify(self, document: Document) -> Identification | None:
        if "ORGANISME TEST TWIN" in document.text:
            return Identification(0.9, ("twin",))
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(TwinIssuer())
