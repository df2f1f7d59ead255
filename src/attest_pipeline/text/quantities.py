"""Quantities written on attestations: the duration in hours, the number of meetings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from attest_pipeline.models import Found
from attest_pipeline.text.dates import find_event_dates
from attest_pipeline.text.fold import fold
from attest_pipeline.text.scan import at_digits

# ------------------------------------------------------------------------------- hours

_HOURS = re.compile(
    r"(?<![\d,.])(?P<hours>\d{1,4}(?:[.,]\d{1,2})?)\s*(?:heures?|hrs?|h)(?![a-z])"
    r"(?:\s*(?P<minutes>[0-5]\d)(?:\s*(?:minutes?|min|mn)\b)?)?"
    r"|(?<![\d,.])(?P<only_minutes>\d{1,4})\s*(?:minutes?|min|mn)\b"
)

#: A time of day rather than a duration: ``de 9h à 17h``, ``à 14h30``, ``9h00-12h30``.
_CLOCK_BEFORE = re.compile(
    r"(?:\b(?:a|vers|jusqu'a|des|debut|fin|entre)\s*:?|(?<!volume\s)\bhoraires?\s*:?"
    r"|\d\s*h\s*\d*\s*(?:-|a|au|et))\s*$"
)
_CLOCK_AFTER = re.compile(r"^\s*(?:-|a|au|et)\s*\d{1,2}\s*h")

_TOTAL_LABEL = re.compile(
    r"\b(?:duree\s+totale|total\w*|soit|volume\s+horaire\s+total|nombre\s+total\s+d'heures)\b"
)
_DURATION_LABEL = re.compile(
    r"\b(?:duree|volume\s+horaire|nombre\s+d'heures|temps\s+de\s+formation|pendant|"
    r"pour\s+une\s+duree|d'une\s+duree)\b"
)
_DURATION_AFTER = re.compile(r"^\s*(?:de\s+(?:formation|dpc|cours|enseignement)|au\s+total)\b")

_TOTAL, _LABELLED, _PLAIN = 3, 2, 1
_BARE_HOURS = re.compile(r"\s*(\d{1,4}(?:[.,]\d{1,2})?)\s*")


def _hours(match: re.Match[str]) -> float:
    """The hours of a match of ``_HOURS``: ``3h30`` is 3.5, ``90 minutes`` 1.5."""
    if match.group("only_minutes"):
        return int(match.group("only_minutes")) / 60
    hours = float(match.group("hours").replace(",", "."))
    if match.group("minutes"):
        hours += int(match.group("minutes")) / 60
    return hours


def parse_hours(text: str) -> float | None:
    """Read a duration written on its own, such as the value after a ``Durée`` label.

    ``7 heures``, ``7 h 30`` (7.5), ``3,5 h``, ``90 minutes`` (1.5), or a bare number of
    hours (``Durée (h) : 14``). Unlike :func:`find_hours`, nothing around the value is
    looked at: the caller has located it. Rounded to 2 decimals like :func:`find_hours`.
    ``None`` when the text holds no duration.
    """
    folded = fold(text).text
    match = _HOURS.search(folded)
    if match is None:
        bare = _BARE_HOURS.fullmatch(folded)
        return float(bare.group(1).replace(",", ".")) if bare else None
    if folded[match.end() :].lstrip()[:1].isdigit():
        return None  # "7h75": no minutes beyond 59
    return round(_hours(match), 2)


@dataclass(frozen=True, slots=True)
class _Duration:
    hours: float
    rank: int
    evidence: str


def _durations(text: str) -> list[_Duration]:
    folded = fold(text)
    found: list[_Duration] = []
    for match in at_digits(_HOURS, folded.text):
        line_start = folded.text.rfind("\n", 0, match.start()) + 1
        before = folded.text[max(line_start, match.start() - 40) : match.start()]
        after = folded.text[match.end() : match.end() + 40]
        if match.group("only_minutes"):
            if not _DURATION_LABEL.search(before) and not _TOTAL_LABEL.search(before):
                continue
        elif _CLOCK_BEFORE.search(before) or _CLOCK_AFTER.match(after):
            continue
        hours = _hours(match)
        if not 0 < hours < 2000:
            continue
        if _TOTAL_LABEL.search(before):
            rank = _TOTAL
        elif _DURATION_LABEL.search(before) or _DURATION_AFTER.match(after):
            rank = _LABELLED
        else:
            rank = _PLAIN
        evidence = folded.excerpt(match.start(), match.end())
        found.append(_Duration(round(hours, 2), rank, evidence))
    return found


def find_hours(text: str) -> Found[float] | None:
    """Return the duration of the action in hours.

    Reads ``7 heures``, ``7h``, ``3h30``, ``3 h 30``, ``14,5 heures``, ``90 minutes``
    after a duration label, ``durée : 21 heures``, ``Durée totale : 2 jours (14 heures)``
    (14.0; days alone are not converted). Times of day (``de 9h à 17h``, ``à 14h30``)
    are not durations. A total (``durée totale``, ``soit``, ``total``) ranks above a
    labelled duration, which ranks above a bare one; several different totals give the
    largest, several different durations of a lower rank give ``None``.
    """
    durations = _durations(text)
    if not durations:
        return None
    best = max(d.rank for d in durations)
    top = [d for d in durations if d.rank == best]
    if len({d.hours for d in top}) > 1 and best != _TOTAL:
        return None
    chosen = max(top, key=lambda d: d.hours)
    return Found(chosen.hours, chosen.evidence)


# ---------------------------------------------------------------------------- meetings

_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "dix-sept": 17, "dix sept": 17, "dix-huit": 18,
    "dix huit": 18, "dix-neuf": 19, "dix neuf": 19, "vingt": 20,
}  # fmt: skip
_WORDS = "|".join(re.escape(w) for w in sorted(_NUMBER_WORDS, key=len, reverse=True))
_NUMBER = r"(?:\d{1,3}|" + _WORDS + ")"
_MEETING = r"(?:reunions?|seances?|rencontres?|sessions?|soirees?)"
#: ``un``/``une`` is an article as often as a number: it counts only after a label.
_PLAIN_NUMBER = r"(?:\d{1,3}|(?!une?\b)" + _NUMBER + ")"

_MEETING_PATTERNS = (
    re.compile(
        r"\bnombre\s+(?:de\s+|d')(?:reunions|seances|rencontres|sessions|participations|"
        r"presences)\b[^\d\n]{0,25}?(?<![\w-])(?P<count>" + _NUMBER + r")(?![\w-])"
    ),
    re.compile(
        r"(?<![\w-])(?P<count>"
        + _PLAIN_NUMBER
        + r")\s+(?:des|sur\s+(?:les\s+)?)\s*"
        + _NUMBER
        + r"\s+"
        + _MEETING
        + r"\b"
    ),
    re.compile(r"(?<![\w-])(?P<count>" + _PLAIN_NUMBER + r")\s+" + _MEETING + r"\b"),
)
_TOTAL_BEFORE = re.compile(r"\b(?:sur|des|parmi)\s+(?:les\s+)?$")
_MEETING_WORDS = re.compile(r"\b(?:reunion|seance|rencontre|session|groupe|soiree)s?\b")


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def find_meetings(text: str) -> Found[int] | None:
    """Return the number of meetings the participant attended.

    Reads ``nombre de réunions : 5``, ``a participé à 6 des 8 séances`` (6),
    ``8 réunions``, ``huit réunions`` (number words up to twenty); a total after ``sur``
    (``6 réunions sur 10``) is not the count. When no number is written and the text
    speaks of meetings, the distinct dates it lists are counted (``réunions des 12
    janvier, 9 février, 16 mars et 13 avril 2025`` gives 4); the evidence then runs from
    the first date to the last.
    """
    folded = fold(text)
    for pattern in _MEETING_PATTERNS:
        for match in pattern.finditer(folded.text):
            if _TOTAL_BEFORE.search(folded.text, max(0, match.start() - 12), match.start()):
                continue
            count = _count(match.group("count"))
            if count > 0:
                return Found(count, folded.excerpt(match.start(), match.end()))
    if not _MEETING_WORDS.search(folded.text):
        return None
    dates = find_event_dates(text)
    if len(dates) < 2:
        return None
    first = text.find(dates[0].evidence)
    cursor = first
    for found in dates:
        cursor = text.find(found.evidence, cursor) + len(found.evidence)
    return Found(len(dates), text[first:cursor])
