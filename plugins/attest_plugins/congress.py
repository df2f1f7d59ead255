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

The data file (``data/congress.toml``) identifies, splits and reads the participant, the
dates, the day's title, the organiser and the hours; the event and the place are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import (
    DataIssuer,
    Labels,
    Phrases,
    Reading,
    compile_folded,
    excerpt,
    tidy,
)
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.fold import Folded, fold
from attest_pipeline.text.scan import Gated

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ``[own]`` tables of the data file and its known events, compiled."""

    event_labels: Labels
    events: Phrases
    known: Gated
    place_labels: Labels
    place: Gated


class CongressIssuer(DataIssuer):
    """Congresses, colloquia and scientific days."""

    name = "congress"
    version = "1.0.0"
    families = (Family.CONGRESS,)
    covers = "congresses, colloquia, scientific days and national meetings (attendance)"
    data_file = resources.files("attest_plugins") / "data" / "congress.toml"

    @cached_property
    def _rules(self) -> _Rules:
        own = self.data.own
        return _Rules(
            event_labels=Labels(own["event"]["labels"], multiline=True),
            events=Phrases(own["event"]["start"], own["event"]["cut"]),
            known=compile_folded(self.data.scorer.patterns("known_event")),
            place_labels=Labels(own["place"]["labels"]),
            place=compile_folded([own["place"]["pattern"]]),
        )

    def complete(self, reading: Reading) -> None:
        """Read the event (the title when none is labelled), its nature, and the place."""
        rules = self._rules
        folded = reading.folded
        event = _event(rules, folded)
        if event is not None:
            reading.values["event"] = event
            reading.values.setdefault("title", event)
            reading.values["nature"] = Found(Nature.CONGRES, event.evidence)
        place = _place(rules, folded)
        if place is not None:
            reading.extras["place"] = place


def _event(rules: _Rules, folded: Folded) -> Found[str] | None:
    """Return the event's name: labelled, else the first naming a known event, else the first."""
    labelled = rules.event_labels.find(folded)
    if labelled is not None:
        return labelled
    names = rules.events.find_all(folded)
    if not names:
        return None
    # A known event's name, then a name with its edition's year, is the most telling.
    return max(
        names,
        key=lambda name: (
            rules.known.search(fold(name.value).text) is not None,
            _YEAR.search(name.value) is not None,
        ),
    )


def _place(rules: _Rules, folded: Folded) -> Found[str] | None:
    """Return where the event took place: a labelled place, else "s'est tenu à ..."."""
    labelled = rules.place_labels.find(folded)
    if labelled is not None:
        return labelled
    match = rules.place.search(folded.text)
    if match is None:
        return None
    value = tidy(folded.excerpt(match.start("place"), match.end("place")))
    return Found(value, excerpt(folded, match.start(), match.end())) if value else None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the congress issuer."""
    register(CongressIssuer())
