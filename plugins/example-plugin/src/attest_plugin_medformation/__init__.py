"""attest-pipeline issuer plugin for MédFormation Ouest's certificats de participation.

MédFormation Ouest is a fictitious Qualiopi training organisation, the example of the
plugin author's guide. Everything the certificates say is read by attest-pipeline's issuer
engine from the data file ``medformation.toml`` beside this module (identification, the
table's labels, the fields' types); the Python here is only what the data file cannot say:
a session's export holds one certificate per page, sometimes followed by a summary page
that is no attestation and must be left out, and the participant's name is split into its
parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import DataIssuer, Reading
from attest_pipeline.models import Document, Family, Found
from attest_pipeline.text.fold import fold
from attest_pipeline.text.names import split_name

__version__ = "1.0.0"

#: The title of the attestations this plugin reads (one per page), in folded form.
TITLE = "certificat de participation"


class MedFormationIssuer(DataIssuer):
    """MédFormation Ouest: certificats de participation, one per page."""

    name = "medformation"
    version = __version__
    families = (Family.QUALIOPI,)
    covers = "MédFormation Ouest (Qualiopi): certificats de participation"
    data_file = resources.files(__name__) / "medformation.toml"

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        """One certificate per page; pages without the title (a summary) are left out."""
        pages = [p.number for p in document.pages if TITLE in fold(p.text).text]
        if len(pages) == len(document.pages) == 1:
            return None
        return [[number] for number in pages] or None

    def complete(self, reading: Reading) -> None:
        """Split the participant's name into its parts (the table has one name column)."""
        participant = reading.values.get("participant")
        name = split_name(participant.value) if participant is not None else None
        if participant is None or name is None:
            return
        reading.values["last_name"] = Found(name.last_name, participant.evidence)
        if name.first_name:
            reading.values["first_name"] = Found(name.first_name, participant.evidence)


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the MédFormation Ouest issuer (called once, when plugins are loaded)."""
    register(MedFormationIssuer())
