"""DPC attestations of ANDPC-registered organisations (ODPC), and FAF-PM funded trainings.

Identified by the ANDPC (Agence nationale du DPC, mondpc), an ODPC number, an 11-digit DPC
action number, or FAF-PM funding. Read: participant, RPPS, dates, the action's title, the
DPC action number (``reference``, the session in ``extras["session"]``), the organisation
(``issuer``, its ODPC number in ``extras["odpc"]``), hours, and the type of action
(formation continue, EPP, gestion des risques, programme intégré), and the orientation
prioritaire when the attestation states one (``extras["orientation"]``). A FAF-PM funded
training sets ``extras["funder"] = "fafpm"`` and is a formation continue unless stated.

Between families, the most specific marker wins, and an ANDPC-registered action is the most
specific of all: a DPC action held as a congress, a DU, a Balint group or a reading test is
an andpc attestation when its DPC action number (or FAF-PM funding) is printed; the other
plugins cap their score below this one's then (the engine's ``common.toml``, signatures). A
mere mention of the ANDPC without an action number only outranks a Qualiopi attestation.

What the data file (``data/andpc.toml``) cannot say is here: the orientation, the FAF-PM
funding and the action number of a table whose columns the text layer separated.
"""

from __future__ import annotations

import re
from functools import cached_property
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import DataIssuer, Labels, Reading, compile_folded, excerpt, tidy
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.scan import Gated


class AndpcIssuer(DataIssuer):
    """DPC action attestations (ANDPC / ODPC) and FAF-PM funded trainings."""

    name = "andpc"
    version = "1.0.0"
    families = (Family.ANDPC,)
    covers = "DPC organisations registered with the ANDPC (ODPC); FAF-PM funded trainings"
    data_file = resources.files("attest_plugins") / "data" / "andpc.toml"

    @cached_property
    def _fafpm(self) -> Gated:
        return compile_folded([self.data.own["funder"]["fafpm"]])

    @cached_property
    def _orientation(self) -> Gated:
        return compile_folded([self.data.own["orientation"]["pattern"]])

    @cached_property
    def _references(self) -> Labels:
        return Labels(self.data.own["reference"]["labels"])

    def complete(self, reading: Reading) -> None:
        """Add the orientation, the FAF-PM funding, and an action number read by layout."""
        folded = reading.folded
        match = self._orientation.search(folded.text)
        if match is not None:
            value = tidy(excerpt(folded, match.start("value"), match.end("value")))
            if value:
                reading.extras["orientation"] = Found(
                    value, excerpt(folded, match.start(), match.end())
                )
        funder = self._fafpm.search(folded.text)
        if funder is not None:
            quoted = excerpt(folded, funder.start(), funder.end())
            reading.extras["funder"] = Found("fafpm", quoted)
            reading.values.setdefault("nature", Found(Nature.FORMATION_CONTINUE, quoted))
        if "reference" not in reading.values and self._references.present(folded):
            found = self._references.find_by_layout(reading.document)
            if found is not None:
                digits = re.sub(r"[ .]", "", found.value)
                if re.fullmatch(r"\d{11}", digits):
                    reading.values["reference"] = Found(digits, found.evidence)


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the ANDPC issuer."""
    register(AndpcIssuer())
