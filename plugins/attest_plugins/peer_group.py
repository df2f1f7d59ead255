"""Peer groups: SFMG groupes de pairs, GLAP SFTG, FFGQ groupes qualité, Balint groups.

Identified by a peer group ("groupe de pairs"), a GLAP, a quality group (FFGQ), a Balint
group (supervision groups included), with its meetings. Read: participant, RPPS, the
group's name or kind as written (``event``), the number of meetings (``meetings``: as
stated, else the meetings listed one by one), the first and last meeting (``start`` /
``end``; the period stated when the meetings are not listed), the learned society or
association (``issuer``).

Between families: a peer group run as a DPC action, its DPC action number printed, is an
andpc attestation (this plugin's score is capped then); a national day *about* peer groups
("Journée nationale des groupes de pairs") is a congress: without meetings this plugin's
score stays below the congress's; the Qualiopi mark of the organising association does
not make the group a training (the Qualiopi plugin defers here).
"""

from __future__ import annotations

from datetime import date

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Nature
from attest_pipeline.text.dates import find_event_dates, find_year
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.quantities import find_hours, find_meetings
from attest_plugins._common import (
    DataIssuer,
    Labels,
    Organisations,
    People,
    Phrases,
    Scorer,
    compile_folded,
    excerpt,
    fold,
    load_data,
    year_span,
)

_DATA = load_data("peer_group")
_SCORER = Scorer(_DATA["identify"])
_PEOPLE = People(_DATA)
_GROUP_LABELS = Labels(_DATA["group"]["labels"], multiline=True)
# The group's own name ("groupe de pairs SFMG de Rennes") rather than a heading's bare kind.
_NAMED_GROUPS = Phrases(_DATA["group"]["start"], _DATA["group"]["cut"])
_GROUPS = Phrases(_DATA["group"]["start"], _DATA["group"]["cut"], min_tail=0)
_ISSUERS = Organisations(_DATA["issuer"])
_SOCIETIES = compile_folded([_DATA["societies"]["pattern"]])
_MEETING_WORDS = compile_folded([_DATA["meetings"]["words"]])
_YEAR_LABELS = tuple(_DATA["period"]["year_labels"])


class PeerGroupIssuer(DataIssuer):
    """Peer groups and Balint groups."""

    name = "peer_group"
    families = (Family.PEER_GROUP,)
    covers = "peer groups: SFMG groupes de pairs, GLAP SFTG, FFGQ groupes qualité, Balint"
    scorer = _SCORER
    people = _PEOPLE

    def extract(self, document: Document) -> Extraction:
        """Read one peer-group attestation."""
        text = document.text
        folded = fold(text)
        person = _PEOPLE.read(text)
        listed = _listed_meetings(text, folded)
        meetings = find_meetings(text)
        if listed:
            evidence = " ; ".join(day.evidence for day in listed)
            start: Found[date] | None = min(listed, key=lambda day: day.value)
            end: Found[date] | None = max(listed, key=lambda day: day.value)
            if meetings is None:
                meetings = Found(len(listed), evidence)
        else:
            start, end = _PEOPLE.period(text)
            if start is None and end is None:
                start, end = _year(text)
        group = _GROUP_LABELS.find(folded) or _NAMED_GROUPS.find(folded) or _GROUPS.find(folded)
        return Extraction(
            family=Family.PEER_GROUP,
            issuer=_issuer(document, folded),
            participant=person.participant,
            last_name=person.last_name,
            first_name=person.first_name,
            rpps=person.rpps,
            start=start,
            end=end,
            event=group,
            title=group,
            nature=Found(Nature.GROUPE_PAIRS, group.evidence) if group is not None else None,
            meetings=meetings,
            hours=find_hours(text),
        )


def _listed_meetings(text: str, folded: Folded) -> list[Found[date]]:
    """Return the days of the meetings when they are listed one by one (two at least).

    Days named one by one in a text about meetings are the meetings (a table of dates,
    "les 12 janvier, 9 février et 16 mars"); a range ("du ... au ...") is a period, not a
    meeting, and birth or signature dates are never taken.
    """
    if _MEETING_WORDS.search(folded.text) is None:
        return []
    days = find_event_dates(text)
    return days if len(days) >= 2 else []


def _year(text: str) -> tuple[Found[date] | None, Found[date] | None]:
    """Return the calendar year the attestation covers ("pour l'année 2024")."""
    year = find_year(text, _YEAR_LABELS)
    if year is None:
        return None, None
    first, last = year_span(year.value)
    return Found(first, year.evidence), Found(last, year.evidence)


def _issuer(document: Document, folded: Folded) -> Found[str] | None:
    """Return the association running the group: labelled, else the learned society named."""
    labelled = _ISSUERS.find(document, folded)
    if labelled is not None:
        return labelled
    match = _SOCIETIES.search(folded.text)
    if match is None:
        return None
    name = excerpt(folded, match.start(), match.end())
    return Found(name, name)


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the peer-group issuer."""
    register(PeerGroupIssuer())
