"""A well-behaved test issuer: claims documents containing 'ORGANISME TEST'."""

from __future__ import annotations

import re

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Identification, Nature
from attest_pipeline.text.dates import parse_date

_NAME = re.compile(r"Participant : (.+)")
_DATE = re.compile(r"Date : (\S+)")
_RPPS = re.compile(r"RPPS : (\d+)")


class GoodIssuer(Issuer):
    """Reads 'Participant :', 'RPPS :', 'Date :' lines."""

    name = "good"
    version = "1.2.3"
    families = (Family.ANDPC,)
    covers = "Organisme test"

    def identify(self, document: Document) -> Identification | None:
        if "ORGANISME TEST" in document.text:
            return Identification(0.9, ("ORGANISME TEST",))
        return None

    def split(self, document: Document) -> list[list[int]] | None:
        if "PAR PAGE" in document.text:
            return [[n] for n in document.page_numbers]
        return None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        found: dict[str, object] = {}
        if m := _NAME.search(text):
            found["participant"] = Found(m.group(1).strip(), m.group(0))
        if m := _RPPS.search(text):
            found["rpps"] = Found(m.group(1), m.group(0))
        if m := _DATE.search(text):
            day = parse_date(m.group(1))
            if day:
                found["start"] = found["end"] = Found(day, m.group(0))
        return Extraction(
            family=Family.ANDPC,
            nature=Found(Nature.FORMATION_CONTINUE, "formation continue"),
            title=Found("Formation test", "Formation test"),
            reference=Found("12345678901", "12345678901"),
            **found,  # type: ignore[arg-type]
        )


@hookimpl
def attest_register_issuers(register: Register) -> None:
    register(GoodIssuer())
