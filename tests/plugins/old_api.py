"""A test issuer written for a future plugin API."""

from attest_pipeline.contract import Issuer, Register, hookimpl


class FutureIssuer(Issuer):
    name = "future"
    version = "9.0"
    api_version = 99


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(FutureIssuer())
