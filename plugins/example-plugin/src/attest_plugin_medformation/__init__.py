"""attest-pipeline issuer plugin for MédFormation Ouest's certificats de participation.

MédFormation Ouest (a fictitious Qualiopi training organisation, the example of the plugin
author's guide) prints a two-column table: a label on the left, its value on the right::

    CERTIFICAT DE PARTICIPATION
    Participant       Dr Claire MARTIN
    N° RPPS           10101010105
    Code stage        MFO-25-017
    Intitulé          Dépistage et prise en charge de la BPCO en médecine générale
    Dates             du 12/03/2025 au 13/03/2025
    Volume horaire    14 h

A session's export holds one certificate per page, sometimes followed by a summary page
that is not an attestation. The labels are searched at the start of a line in the folded
text (lower case, no accents), which keeps every character at its offset: the values and
their evidence are then cut from the document's own text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attest_pipeline.contract import Issuer, Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Identification, Nature
from attest_pipeline.text.dates import find_period, parse_date
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.identifiers import find_nda, find_siret, normalise_rpps
from attest_pipeline.text.names import split_name
from attest_pipeline.text.quantities import find_hours

__version__ = "1.0.0"

#: The organisation's name, as searched in folded text.
ORGANISATION = "medformation ouest"
#: The title of the attestations this plugin reads (one per page).
TITLE = "certificat de participation"
#: Documents of the organisation that are not attestations.
EXCLUDED = ("facture", "devis", "convention de formation", "programme de la formation")
#: The labels of the table, in folded form, and the field each one holds.
LABELS = {
    "participant": "participant",
    "n° rpps": "rpps",
    "code stage": "reference",
    "intitule": "title",
    "dates": "dates",
    "volume horaire": "hours",
    "modalite": "modality",
}

_ROW = re.compile(
    r"^(?P<label>" + "|".join(re.escape(label) for label in LABELS) + r")\b[ \t:]*(?P<value>.*)$",
    re.MULTILINE,
)
_ORGANISATION = re.compile(r"m[ée]dformation ouest", re.IGNORECASE)
_NATURE = re.compile(r"organisme de formation continue", re.IGNORECASE)


class MedFormationIssuer(Issuer):
    """MédFormation Ouest: certificats de participation, one per page."""

    name = "medformation"
    version = __version__
    families = (Family.QUALIOPI,)
    covers = "MédFormation Ouest (Qualiopi): certificats de participation"

    def identify(self, document: Document) -> Identification | None:
        """Claim the document when it names the organisation and holds a certificate."""
        text = fold(document.text).text
        if ORGANISATION not in text or TITLE not in text:
            return None
        if any(phrase in text for phrase in EXCLUDED):
            return None
        return Identification(0.95, (f"found {ORGANISATION!r}", f"found {TITLE!r}"))

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        """One certificate per page; pages without the title (a summary) are left out."""
        pages = [p.number for p in document.pages if TITLE in fold(p.text).text]
        if len(pages) == len(document.pages) == 1:
            return None
        return [[number] for number in pages] or None

    def extract(self, document: Document) -> Extraction:
        """Read the table of one certificate."""
        text = document.text
        rows = _rows(fold(text))
        participant = rows.get("participant")
        name = split_name(participant.value) if participant else None
        rpps = rows.get("rpps")
        period = find_period(rows["dates"].evidence) if "dates" in rows else None
        start = end = None
        if period is not None:
            start = Found(period.start, rows["dates"].evidence)
            end = Found(period.end, rows["dates"].evidence)
        elif "dates" in rows and (day := parse_date(rows["dates"].value)) is not None:
            start = end = Found(day, rows["dates"].evidence)
        hours = find_hours(rows["hours"].value) if "hours" in rows else None
        organisation = _ORGANISATION.search(text)
        nature = _NATURE.search(text)
        extras = {
            key: found
            for key, found in (
                ("nda", find_nda(text)),
                ("siret", find_siret(text)),
                ("modality", rows.get("modality")),
            )
            if found is not None
        }
        return Extraction(
            family=Family.QUALIOPI,
            issuer=Found(organisation.group(0), organisation.group(0)) if organisation else None,
            participant=participant,
            last_name=Found(name.last_name, participant.evidence) if name and participant else None,
            first_name=(
                Found(name.first_name, participant.evidence)
                if name and name.first_name and participant
                else None
            ),
            rpps=Found(normalise_rpps(rpps.value), rpps.evidence) if rpps else None,
            start=start,
            end=end,
            title=rows.get("title"),
            reference=rows.get("reference"),
            nature=Found(Nature.FORMATION_CONTINUE, nature.group(0)) if nature else None,
            hours=Found(hours.value, rows["hours"].evidence) if hours else None,
            extras=extras,
        )


def _rows(folded: Folded) -> dict[str, Found[str]]:
    """Read the first value of each label of the table, with its line as evidence."""
    rows: dict[str, Found[str]] = {}
    for match in _ROW.finditer(folded.text):
        key = LABELS[match.group("label")]
        value = folded.excerpt(match.start("value"), match.end("value")).strip()
        if key not in rows and value:
            rows[key] = Found(value, folded.excerpt(match.start(), match.end()).strip())
    return rows


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the MédFormation Ouest issuer (called once, when plugins are loaded)."""
    register(MedFormationIssuer())
