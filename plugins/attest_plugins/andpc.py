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
plugins cap their score below this one's then (``data/common.toml``, signatures). A mere
mention of the ANDPC without an action number only outranks a Qualiopi attestation.
"""

from __future__ import annotations

import re

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Nature
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.identifiers import find_dpc_action, find_odpc, find_session
from attest_pipeline.text.quantities import find_hours
from attest_plugins._common import (
    DataIssuer,
    Labels,
    NatureRules,
    Organisations,
    People,
    Scorer,
    Titles,
    compile_folded,
    excerpt,
    fold,
    load_data,
    tidy,
)

_DATA = load_data("andpc")
_SCORER = Scorer(_DATA["identify"])
_PEOPLE = People(_DATA)
_TITLES = Titles(_DATA["title"])
_ISSUERS = Organisations(_DATA["issuer"])
_NATURES = NatureRules(
    _DATA["nature"], _DATA["nature_labels"]["labels"], _DATA["nature_labels"].get("cells", ())
)
_FAFPM = compile_folded([_DATA["funder"]["fafpm"]])
_REFERENCES = Labels(_DATA["reference"]["labels"])
_ORIENTATION = compile_folded([_DATA["orientation"]["pattern"]])


class AndpcIssuer(DataIssuer):
    """DPC action attestations (ANDPC / ODPC) and FAF-PM funded trainings."""

    name = "andpc"
    families = (Family.ANDPC,)
    covers = "DPC organisations registered with the ANDPC (ODPC); FAF-PM funded trainings"
    scorer = _SCORER
    people = _PEOPLE

    def extract(self, document: Document) -> Extraction:
        """Read one DPC attestation."""
        text = document.text
        folded = fold(text)
        person = _PEOPLE.read(text)
        start, end = _PEOPLE.period(text)
        extras: dict[str, Found[str]] = {}
        odpc = find_odpc(text)
        if odpc is not None:
            extras["odpc"] = odpc
        session = find_session(text)
        if session is not None:
            extras["session"] = session
        orientation = _orientation(folded)
        if orientation is not None:
            extras["orientation"] = orientation
        funder = _FAFPM.search(folded.text)
        nature = _NATURES.find(document, folded)
        if funder is not None:
            quoted = excerpt(folded, funder.start(), funder.end())
            extras["funder"] = Found("fafpm", quoted)
            if nature is None:
                nature = Found(Nature.FORMATION_CONTINUE, quoted)
        return Extraction(
            family=Family.ANDPC,
            issuer=_ISSUERS.find(document, folded),
            participant=person.participant,
            last_name=person.last_name,
            first_name=person.first_name,
            rpps=person.rpps,
            start=start,
            end=end,
            title=_TITLES.find(document, folded),
            reference=find_dpc_action(text) or _reference_by_layout(document, folded),
            nature=nature,
            hours=find_hours(text),
            extras=extras,
        )


def _orientation(folded: Folded) -> Found[str] | None:
    """The orientation prioritaire as printed (``n° 12 : Antibiorésistance``), if stated."""
    match = _ORIENTATION.search(folded.text)
    if match is None:
        return None
    value = tidy(excerpt(folded, match.start("value"), match.end("value")))
    return Found(value, excerpt(folded, match.start(), match.end())) if value else None


def _reference_by_layout(document: Document, folded: Folded) -> Found[str] | None:
    """Return the 11-digit action number of a table whose columns the text layer separated."""
    if not _REFERENCES.present(folded):
        return None
    found = _REFERENCES.find_by_layout(document)
    if found is None:
        return None
    digits = re.sub(r"[ .]", "", found.value)
    return Found(digits, found.evidence) if re.fullmatch(r"\d{11}", digits) else None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the ANDPC issuer."""
    register(AndpcIssuer())
