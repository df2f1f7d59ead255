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

The data file (``data/peer_group.toml``) identifies, splits and reads the participant, the
period stated, the association labelled, the meetings stated and the hours; the meetings
listed one by one, the year, the group and the learned society are read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    year_span,
)
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.text.dates import find_event_dates, find_year
from attest_pipeline.text.fold import Folded
from attest_pipeline.text.scan import Gated


@dataclass(frozen=True, slots=True)
class _Rules:
    """The ``[own]`` tables of the data file, compiled."""

    group_labels: Labels
    named_groups: Phrases
    groups: Phrases
    societies: Gated
    meeting_words: Gated
    year_labels: tuple[str, ...]


class PeerGroupIssuer(DataIssuer):
    """Peer groups and Balint groups."""

    name = "peer_group"
    version = "1.0.0"
    families = (Family.PEER_GROUP,)
    covers = "peer groups: SFMG groupes de pairs, GLAP SFTG, FFGQ groupes qualité, Balint"
    data_file = resources.files("attest_plugins") / "data" / "peer_group.toml"

    @cached_property
    def _rules(self) -> _Rules:
        own = self.data.own
        group = own["group"]
        return _Rules(
            group_labels=Labels(group["labels"], multiline=True),
            # The group's own name ("groupe de pairs SFMG de Rennes") rather than a
            # heading's bare kind.
            named_groups=Phrases(group["start"], group["cut"]),
            groups=Phrases(group["start"], group["cut"], min_tail=0),
            societies=compile_folded([own["societies"]["pattern"]]),
            meeting_words=compile_folded([own["meetings"]["words"]]),
            year_labels=tuple(own["period"]["year_labels"]),
        )

    def complete(self, reading: Reading) -> None:
        """Read the meetings listed, the year, the group, and the learned society."""
        rules = self._rules
        folded = reading.folded
        values = reading.values
        listed = _listed_meetings(rules, reading.text, folded)
        if listed:
            evidence = " ; ".join(day.evidence for day in listed)
            values["start"] = min(listed, key=lambda day: day.value)
            values["end"] = max(listed, key=lambda day: day.value)
            values.setdefault("meetings", Found(len(listed), evidence))
        elif "start" not in values and "end" not in values:
            start, end = _year(rules, reading.text)
            if start is not None and end is not None:
                values["start"], values["end"] = start, end
        group = (
            rules.group_labels.find(folded)
            or rules.named_groups.find(folded)
            or rules.groups.find(folded)
        )
        if group is not None:
            values["event"] = values["title"] = group
            values["nature"] = Found(Nature.GROUPE_PAIRS, group.evidence)
        if "issuer" not in values:
            match = rules.societies.search(folded.text)
            if match is not None:
                name = excerpt(folded, match.start(), match.end())
                values["issuer"] = Found(name, name)


def _listed_meetings(rules: _Rules, text: str, folded: Folded) -> list[Found[date]]:
    """Return the days of the meetings when they are listed one by one (two at least).

    Days named one by one in a text about meetings are the meetings (a table of dates,
    "les 12 janvier, 9 février et 16 mars"); a range ("du ... au ...") is a period, not a
    meeting, and birth or signature dates are never taken.
    """
    if rules.meeting_words.search(folded.text) is None:
        return []
    days = find_event_dates(text)
    return days if len(days) >= 2 else []


def _year(rules: _Rules, text: str) -> tuple[Found[date] | None, Found[date] | None]:
    """Return the calendar year the attestation covers ("pour l'année 2024")."""
    year = find_year(text, rules.year_labels)
    if year is None:
        return None, None
    first, last = year_span(year.value)
    return Found(first, year.evidence), Found(last, year.evidence)


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register the peer-group issuer."""
    register(PeerGroupIssuer())
