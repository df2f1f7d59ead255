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

The data file (``data/university.toml``) identifies, splits and reads the participant and
the university; the dates, the diploma and its number are read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import DataIssuer, Labels, Phrases, Reading
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.dates import academic_year, find_period


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ``[own]`` tables of the data file, compiled."""

    diplomas: Phrases
    references: Labels


class UniversityIssuer(DataIssuer):
    """University diplomas and certificates (DU, DIU, capacités)."""

    name = "university"
    version = "1.0.0"
    families = (Family.UNIVERSITY,)
    covers = "universities and faculties: DU, DIU, capacités, certificats universitaires"
    data_file = resources.files("attest_plugins") / "data" / "university.toml"

    @cached_property
    def _rules(self) -> _Rules:
        own = self.data.own
        diploma = own["diploma"]
        return _Rules(
            diplomas=Phrases(
                diploma["start"], diploma["cut"], start_case=diploma["start_case"], heading=True
            ),
            references=Labels(own["reference"]["labels"]),
        )

    def complete(self, reading: Reading) -> None:
        """Read the jury's date, the academic year, the diploma and its number."""
        rules = self._rules
        text = reading.text
        folded = reading.folded
        values = reading.values
        _, end = self.data.people.period(text, running=False)
        if end is None:
            # A single day in running text ("a obtenu le DU ... le 20/06/2025") is the day
            # it was obtained; a range is the teaching's, not the jury's.
            span = find_period(text)
            if span is not None and span.start == span.end:
                end = Found(span.end, span.evidence)
        year = academic_year(text)
        if year is not None:
            reading.extras["academic_year"] = Found(
                f"{year.value[0]}-{year.value[1]}", year.evidence
            )
        if end is not None:
            values["end"] = end
            # The academic year runs from September; a jury before it belongs to another year.
            if year is not None and date(year.value[0], 9, 1) <= end.value:
                values["start"] = Found(date(year.value[0], 9, 1), year.evidence)
            else:
                values["start"] = Found(end.value, end.evidence)
        title = rules.diplomas.find(folded)
        if title is None and self.data.titles is not None:
            title = self.data.titles.find(reading.document, folded)
        if title is not None:
            values["title"] = title
            values["nature"] = Found(Nature.DIPLOME, title.evidence)
        reference = rules.references.find(folded)
        if reference is not None:
            values["reference"] = reference


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the university issuer."""
    register(UniversityIssuer())
