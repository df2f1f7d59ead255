"""Attestations of training organisations (Code du travail L. 6353-1, Qualiopi, NDA).

Identified by an end-of-training attestation ("attestation de fin de formation",
"attestation d'assiduité", "certificat de réalisation") and the legal marks of a training
organisation: article L. 6353-1, the declaration of activity (NDA, "ne vaut pas agrément de
l'État"), the Qualiopi mention, a SIRET. Read: participant, RPPS, dates, the training's
title, hours, the organisation (``issuer``; ``extras`` ``nda``, ``siret``, ``qualiopi``)
and the nature: an "action de formation" is a formation continue, an analysis of practice
an EPP, risk management a gestion des risques; an end-of-training attestation that states
no nature is a formation continue.

This is the family of plain trainings, and the least specific: many DPC organisations,
universities, journals and congress organisers are Qualiopi-certified too. Whenever the
document carries an ANDPC / DPC / FAF-PM mark, a university diploma, a reading test, a peer
group or a congress, the score is capped below that family's (``data/common.toml``,
signatures), so that the most specific marker wins. Invoices, conventions and programmes
are declined.
"""

from __future__ import annotations

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Nature
from attest_pipeline.text.identifiers import find_nda, find_siret
from attest_pipeline.text.quantities import find_hours
from attest_pipeline.text.scan import gated
from attest_plugins._common import (
    DataIssuer,
    NatureRules,
    Organisations,
    People,
    Scorer,
    Titles,
    compile_folded,
    excerpt,
    fold,
    load_data,
)

_DATA = load_data("qualiopi")
_SCORER = Scorer(_DATA["identify"])
_PEOPLE = People(_DATA)
_TITLES = Titles(_DATA["title"])
_ISSUERS = Organisations(_DATA["issuer"])
_NATURES = NatureRules(
    _DATA["nature"], _DATA["nature_labels"]["labels"], _DATA["nature_labels"].get("cells", ())
)
_QUALIOPI = gated(r"\bqualiopi\b")
_TRAINING = compile_folded([_DATA["nature_default"]["formation_continue"]])


class QualiopiIssuer(DataIssuer):
    """End-of-training attestations of training organisations (L. 6353-1)."""

    name = "qualiopi"
    families = (Family.QUALIOPI,)
    covers = "training organisations: attestation de fin de formation (L. 6353-1), Qualiopi, NDA"
    scorer = _SCORER
    people = _PEOPLE

    def extract(self, document: Document) -> Extraction:
        """Read one end-of-training attestation."""
        text = document.text
        folded = fold(text)
        person = _PEOPLE.read(text)
        start, end = _PEOPLE.period(text)
        extras: dict[str, Found[str]] = {}
        for key, finder in (("nda", find_nda), ("siret", find_siret)):
            value = finder(text)
            if value is not None:
                extras[key] = value
        nature = _NATURES.find(document, folded)
        heading = _TRAINING.search(folded.text)
        if nature is None and heading is not None:
            # An end-of-training attestation proves a training unless it says otherwise.
            quoted = excerpt(folded, heading.start(), heading.end())
            nature = Found(Nature.FORMATION_CONTINUE, quoted)
        mention = _QUALIOPI.search(folded.text)
        if mention is not None:
            extras["qualiopi"] = Found("yes", folded.excerpt(mention.start(), mention.end()))
        return Extraction(
            family=Family.QUALIOPI,
            issuer=_ISSUERS.find(document, folded),
            participant=person.participant,
            last_name=person.last_name,
            first_name=person.first_name,
            rpps=person.rpps,
            start=start,
            end=end,
            title=_TITLES.find(document, folded),
            nature=nature,
            hours=find_hours(text),
            extras=extras,
        )


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the training-organisation issuer."""
    register(QualiopiIssuer())
