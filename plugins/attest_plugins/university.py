"""University attestations: DU, DIU, capacités, university certificates.

Identified by an attestation of success ("attestation de réussite"), a university diploma
(diplôme d'université, DU, DIU, capacité, certificat universitaire), the university or
faculty, the academic year, the jury. Read: participant (never the signatory), the
diploma's name (``title``), the dates, the diploma number (``reference``) when printed, the
university (``issuer``), the RPPS if one is printed (it rarely is).

Dates follow the mapping conventions: ``end`` is the jury's date (or the delivery's),
``start`` the 1st of September of the academic year's first year ("année universitaire
2023-2024" gives 2023-09-01), or the end itself when no academic year is shown. The end
is a date labelled as the jury's, the deliberation's, the delivery's or the obtention's,
else a single day in running text ("a obtenu le DU ... le 20/06/2025"); a range (the
teaching's) is not the jury's, and the birth and signature dates are never taken.

Between families: a university diploma outranks a Qualiopi mark (universities are
certified too: the Qualiopi plugin defers here); a DU registered as a DPC action, its DPC
action number printed, is an andpc attestation (this plugin's score is capped then).
"""

from __future__ import annotations

from datetime import date

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Nature
from attest_pipeline.text.dates import academic_year, find_period
from attest_pipeline.text.fold import Folded
from attest_plugins._common import (
    DataIssuer,
    Labels,
    Organisations,
    People,
    Phrases,
    Scorer,
    Titles,
    fold,
    load_data,
)

_DATA = load_data("university")
_SCORER = Scorer(_DATA["identify"])
_PEOPLE = People(_DATA)
_TITLES = Titles(_DATA["title"])
_DIPLOMAS = Phrases(
    _DATA["diploma"]["start"],
    _DATA["diploma"]["cut"],
    start_case=_DATA["diploma"]["start_case"],
    heading=True,
)
_REFERENCES = Labels(_DATA["reference"]["labels"])
_ISSUERS = Organisations(_DATA["issuer"])


class UniversityIssuer(DataIssuer):
    """University diplomas and certificates (DU, DIU, capacités)."""

    name = "university"
    families = (Family.UNIVERSITY,)
    covers = "universities and faculties: DU, DIU, capacités, certificats universitaires"
    scorer = _SCORER
    people = _PEOPLE

    def extract(self, document: Document) -> Extraction:
        """Read one attestation of success or diploma."""
        text = document.text
        folded = fold(text)
        person = _PEOPLE.read(text)
        _, end = _PEOPLE.period(text, running=False)
        if end is None:
            # A single day in running text ("a obtenu le DU ... le 20/06/2025") is the day
            # it was obtained; a range is the teaching's, not the jury's.
            span = find_period(text)
            if span is not None and span.start == span.end:
                end = Found(span.end, span.evidence)
        year = academic_year(text)
        extras: dict[str, Found[str]] = {}
        if year is not None:
            extras["academic_year"] = Found(f"{year.value[0]}-{year.value[1]}", year.evidence)
        start: Found[date] | None = None
        if end is not None:
            # The academic year runs from September; a jury before it belongs to another year.
            if year is not None and date(year.value[0], 9, 1) <= end.value:
                start = Found(date(year.value[0], 9, 1), year.evidence)
            else:
                start = Found(end.value, end.evidence)
        title = _diploma(document, folded)
        return Extraction(
            family=Family.UNIVERSITY,
            issuer=_ISSUERS.find(document, folded),
            participant=person.participant,
            last_name=person.last_name,
            first_name=person.first_name,
            rpps=person.rpps,
            start=start,
            end=end,
            title=title,
            reference=_REFERENCES.find(folded),
            nature=Found(Nature.DIPLOME, title.evidence) if title is not None else None,
            extras=extras,
        )


def _diploma(document: Document, folded: Folded) -> Found[str] | None:
    """Return the diploma's name: in running text ("le DU de ..."), else a labelled value."""
    named = _DIPLOMAS.find(folded)
    if named is not None:
        return named
    return _TITLES.find(document, folded)


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the university issuer."""
    register(UniversityIssuer())
