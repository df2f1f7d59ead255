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
group or a congress, the score is capped below that family's (the engine's ``common.toml``,
signatures), so that the most specific marker wins. Invoices, conventions and programmes
are declined.

The official « certificat de réalisation » prints four boxes (action de formation, bilan de
compétences, VAE, apprentissage): when the box ticked is not the training's, the nature is
left unread (a person decides), the box ticked kept in ``extras["action_type"]``.

The data file (``data/qualiopi.toml``) says everything but the default nature of an
end-of-training attestation, the ticked box and the Qualiopi mention, read here.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import DataIssuer, Reading, compile_folded, excerpt
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.fold import fold
from attest_pipeline.text.scan import Gated, gated

_QUALIOPI = gated(r"\bqualiopi\b")
#: A box of the certificat de réalisation, on its line: its mark ("☒", "[X]", "þ", none)
#: then its option. Apprenticeship first: it begins as the training's option does.
_BOX = gated(
    r"^[^\S\n]*(?P<mark>[^\n]{0,6}?)[^\S\n]*(?P<option>action de formation par apprentissage"
    r"|action de formation|bilan de competences|action (?:de |permettant de faire )?"
    r"(?:validation des acquis de l'experience|validation des acquis|vae))[^\S\n]*$",
    re.MULTILINE,
)
_TRAINING_BOX = "action de formation"


class QualiopiIssuer(DataIssuer):
    """End-of-training attestations of training organisations (L. 6353-1)."""

    name = "qualiopi"
    version = "1.0.0"
    families = (Family.QUALIOPI,)
    covers = "training organisations: attestation de fin de formation (L. 6353-1), Qualiopi, NDA"
    data_file = resources.files("attest_plugins") / "data" / "qualiopi.toml"

    @cached_property
    def _training(self) -> Gated:
        return compile_folded([self.data.own["nature_default"]["formation_continue"]])

    def complete(self, reading: Reading) -> None:
        """Make an end-of-training attestation a formation continue; note the Qualiopi mark."""
        folded = reading.folded
        heading = self._training.search(folded.text)
        if "nature" not in reading.values and heading is not None:
            # An end-of-training attestation proves a training unless it says otherwise.
            quoted = excerpt(folded, heading.start(), heading.end())
            reading.values["nature"] = Found(Nature.FORMATION_CONTINUE, quoted)
        ticked = _ticked_box(reading)
        if ticked is not None and fold(ticked.value).text != _TRAINING_BOX:
            # A bilan de compétences, a VAE: no training, whatever the heading says.
            reading.values.pop("nature", None)
            reading.extras["action_type"] = ticked
        mention = _QUALIOPI.search(folded.text)
        if mention is not None:
            reading.extras["qualiopi"] = Found(
                "yes", folded.excerpt(mention.start(), mention.end())
            )


def _ticked_box(reading: Reading) -> Found[str] | None:
    """The box ticked among those of a certificat de réalisation, ``None`` if it cannot be told.

    The one box whose mark differs from the others' (all alike), at least three printed:
    a mark drawn as a shape, not as text, leaves them all alike.
    """
    folded = reading.folded
    boxes = list(_BOX.finditer(folded.text))
    if len(boxes) < 3:
        return None
    marks = Counter(box.group("mark") for box in boxes)
    if len(marks) != 2 or min(marks.values()) != 1:
        return None
    (box,) = [b for b in boxes if marks[b.group("mark")] == 1]
    option = folded.excerpt(box.start("option"), box.end("option"))
    return Found(option, excerpt(folded, box.start(), box.end()))


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the training-organisation issuer."""
    register(QualiopiIssuer())
