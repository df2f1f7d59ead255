"""Attendance certificates of congresses, colloquia and scientific days.

Identified by a congress, colloquium, symposium, national or regional days or meetings
("journées nationales", "rencontres"), a known event (CMGF, CNGE, ReAGJIR...), with an
"attestation de présence / de participation". Read: participant, RPPS when printed, the
days attended, the event's name as written with its edition (``event``; ``title`` is the
day's theme when labelled, else the event), the place (``extras["place"]``), the organiser
(``issuer``).

A congress often sends one PDF with a page per participant: :meth:`CongressIssuer.split`
makes one group per page that names a participant; continuation pages join the previous
attestation, a cover page before the first is left out. It reads the text layer only.

Between families: a DPC action held as a congress, its DPC action number printed, is an
andpc attestation, and a diploma awarded at a university day a university one (the score
is capped below theirs then); a Qualiopi mark on a congress attestation does not make it a
training (the Qualiopi plugin defers here).
"""

from __future__ import annotations

import re

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.models import Document, Extraction, Family, Found, Nature
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.quantities import find_hours
from attest_plugins._common import (
    DataIssuer,
    Labels,
    Organisations,
    People,
    Phrases,
    Scorer,
    Titles,
    compile_folded,
    excerpt,
    fold,
    load_data,
    tidy,
)

_DATA = load_data("congress")
# A known event's name is a marker of its own (an anchor), with the weight of the data file.
_SCORER = Scorer(
    {
        **_DATA["identify"],
        "markers": [
            *_DATA["identify"]["markers"],
            *(
                {
                    "reason": f"known event ({event['name']})",
                    "pattern": event["pattern"],
                    "weight": _DATA["known_events"]["weight"],
                    "anchor": True,
                }
                for event in _DATA["events"]
            ),
        ],
    }
)
_PEOPLE = People(_DATA)
_TITLES = Titles(_DATA["title"])
_EVENT_LABELS = Labels(_DATA["event"]["labels"], multiline=True)
_EVENTS = Phrases(_DATA["event"]["start"], _DATA["event"]["cut"])
_KNOWN = compile_folded([e["pattern"] for e in _DATA["events"]])
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ISSUERS = Organisations(_DATA["issuer"])
_PLACE_LABELS = Labels(_DATA["place"]["labels"])
_PLACE = compile_folded([_DATA["place"]["pattern"]])


class CongressIssuer(DataIssuer):
    """Congresses, colloquia and scientific days."""

    name = "congress"
    families = (Family.CONGRESS,)
    covers = "congresses, colloquia, scientific days and national meetings (attendance)"
    scorer = _SCORER
    people = _PEOPLE

    def extract(self, document: Document) -> Extraction:
        """Read one attendance certificate."""
        text = document.text
        folded = fold(text)
        person = _PEOPLE.read(text)
        start, end = _PEOPLE.period(text)
        event = _event(folded)
        title = _TITLES.find(document, folded) or event
        extras: dict[str, Found[str]] = {}
        place = _place(folded)
        if place is not None:
            extras["place"] = place
        return Extraction(
            family=Family.CONGRESS,
            issuer=_ISSUERS.find(document, folded),
            participant=person.participant,
            last_name=person.last_name,
            first_name=person.first_name,
            rpps=person.rpps,
            start=start,
            end=end,
            title=title,
            event=event,
            nature=Found(Nature.CONGRES, event.evidence) if event is not None else None,
            hours=find_hours(text),
            extras=extras,
        )


def _event(folded: Folded) -> Found[str] | None:
    """Return the event's name: labelled, else the first naming a known event, else the first."""
    labelled = _EVENT_LABELS.find(folded)
    if labelled is not None:
        return labelled
    names = _EVENTS.find_all(folded)
    if not names:
        return None
    # A known event's name, then a name with its edition's year, is the most telling.
    return max(
        names,
        key=lambda name: (
            _KNOWN.search(fold(name.value).text) is not None,
            _YEAR.search(name.value) is not None,
        ),
    )


def _place(folded: Folded) -> Found[str] | None:
    """Return where the event took place: a labelled place, else "s'est tenu à ..."."""
    labelled = _PLACE_LABELS.find(folded)
    if labelled is not None:
        return labelled
    match = _PLACE.search(folded.text)
    if match is None:
        return None
    value = tidy(folded.excerpt(match.start("place"), match.end("place")))
    return Found(value, excerpt(folded, match.start(), match.end())) if value else None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the congress issuer."""
    register(CongressIssuer())
