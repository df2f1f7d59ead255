"""Field rules: how a data file's ``[fields.NAME]`` and ``[extras.NAME]`` tables read a value.

A rule locates text (``pattern``, ``after``/``until``), then turns it into the field's value:
by a shared helper (:data:`HELPERS`), by a ``map``, or by converting it to the field's type
(:data:`~attest_pipeline.recognition.FIELD_TYPES`, the same table the core checks
extractions with). A rule may also name a helper alone (it reads the whole attestation) or
give a ``constant``. A value that cannot be read or converted is left out, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attest_pipeline.issuers.markers import loose_phrase
from attest_pipeline.models import Found, Nature
from attest_pipeline.text import dates, identifiers, names, quantities

if TYPE_CHECKING:
    from attest_pipeline.issuers.base import Reading

__all__ = ["HELPERS", "FieldRule", "Helper", "after_pattern", "convert"]


@dataclass(frozen=True, slots=True)
class Helper:
    """A shared reader usable by name in ``helper = "..."``, and what it may fill.

    ``kinds`` are the value types it gives; ``only`` the fields it may fill when not every
    field of those types; ``needs_labels`` that it needs ``labels``; ``whole`` that it reads
    the whole attestation (with the page layout), never a located piece; ``table`` the table
    of the data file it reads its rules from.
    """

    kinds: frozenset[type]
    run: Callable[[Reading, str, FieldRule], Found[Any] | None]
    needs_labels: bool = False
    only: frozenset[str] = frozenset()
    whole: bool = False
    table: str = ""


def _as_text(found: Found[Any] | None) -> Found[Any] | None:
    return None if found is None else Found(str(found.value), found.evidence)


def _person(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    if rule.markers:
        return names.find_person(text, rule.markers)
    return reading.data.people.person(text)


def _name_part(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    parts = reading.memo(("name_fields", text), lambda: names.find_name_fields(text))
    if not parts:
        return None
    return parts[0] if rule.name == "last_name" else parts[1]


def _period(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    start, end = reading.memo(("period", text), lambda: reading.data.people.period(text))
    return start if rule.name == "start" else end


def _labelled_date(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    if rule.labels:
        return dates.find_labelled_date(text, rule.labels)
    value = dates.parse_date(text)
    return None if value is None else Found(value, text)


def _academic_year(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    found = dates.academic_year(text)
    if found is None:
        return None
    first, second = found.value
    return Found(f"{first}-{second}", found.evidence)


def _title(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    titles = reading.data.titles
    return None if titles is None else titles.find(reading.document, reading.folded)


def _organisation(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    organisations = reading.data.organisations
    return None if organisations is None else organisations.find(reading.document, reading.folded)


def _nature(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    natures = reading.data.natures
    return None if natures is None else natures.find(reading.document, reading.folded)


def _text_helper(function: Callable[[str], Found[Any] | None]) -> Helper:
    return Helper(frozenset({str}), lambda reading, text, rule: _as_text(function(text)))


#: The shared readers a data file may name in ``helper = "..."``.
HELPERS: Mapping[str, Helper] = {
    "person": Helper(frozenset({str}), _person),
    "name_parts": Helper(frozenset({str}), _name_part, only=frozenset({"last_name", "first_name"})),
    "rpps": _text_helper(identifiers.find_rpps),
    "dpc_action": _text_helper(identifiers.find_dpc_action),
    "session": _text_helper(identifiers.find_session),
    "odpc": _text_helper(identifiers.find_odpc),
    "nda": _text_helper(identifiers.find_nda),
    "siret": _text_helper(identifiers.find_siret),
    "period": Helper(frozenset({date}), _period, only=frozenset({"start", "end"})),
    "date": Helper(frozenset({date}), _labelled_date),
    "year": Helper(
        frozenset({str}),
        lambda reading, text, rule: _as_text(dates.find_year(text, rule.labels)),
        needs_labels=True,
    ),
    "academic_year": Helper(frozenset({str}), _academic_year),
    "hours": Helper(frozenset({float}), lambda reading, text, rule: quantities.find_hours(text)),
    "meetings": Helper(
        frozenset({int}), lambda reading, text, rule: quantities.find_meetings(text)
    ),
    "title": Helper(frozenset({str}), _title, whole=True, table="title"),
    "organisation": Helper(frozenset({str}), _organisation, whole=True, table="organisation"),
    "nature": Helper(frozenset({Nature}), _nature, whole=True, table="nature"),
}


# ------------------------------------------------------------------------- conversions

_BARE_NUMBER = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*")
_INTEGER = re.compile(r"\d+")
_EDGES = " \t\n:;,.-–—«»\"'()"


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_EDGES)


def _date(text: str, formats: Sequence[str]) -> date | None:
    for form in formats:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return dates.parse_date(text)


def _hours(text: str) -> float | None:
    found = quantities.find_hours(text)
    if found is not None:
        return found.value
    # A bare number is taken only when it is the whole value ("Durée (h) : 14").
    bare = _BARE_NUMBER.fullmatch(text)
    return float(bare.group(1).replace(",", ".")) if bare else None


def convert(rule: FieldRule, text: str) -> object | None:
    """Convert the located ``text`` to the field's type (``None`` when it is not one).

    Dates: the rule's ``date_formats``, then the French date parser; hours:
    :func:`~attest_pipeline.text.quantities.find_hours`, or a bare number that is the
    whole value; meetings: the first whole number; a nature: its value or the rule's
    ``map``; an RPPS cleaned by :func:`~attest_pipeline.text.identifiers.normalise_rpps`.
    """
    if rule.kind is date:
        return _date(text, rule.date_formats)
    if rule.kind is float:
        return _hours(text)
    if rule.kind is int:
        match = _INTEGER.search(text)
        return int(match.group(0)) if match else None
    value = _clean(text)
    if not value:
        return None
    if rule.mapping:
        return rule.mapping.get(names.normalise(value))
    if rule.kind is Nature:
        try:
            return Nature(names.normalise(value).replace(" ", "_"))
        except ValueError:
            return None
    if rule.name == "rpps":
        return identifiers.normalise_rpps(value)
    return value


# ------------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class _Located:
    """A piece of the attestation a ``pattern`` or an ``after`` label points at."""

    value: str
    evidence: str


def after_pattern(labels: Sequence[str]) -> re.Pattern[str]:
    """Return the regex of a value after one of ``labels`` (folded text).

    The separator is optional: ``Stagiaire :`` and ``Stagiaire`` are one label. The value
    is the rest of the line (group ``value``), or the next line (``next``).
    """
    alternatives = "|".join(loose_phrase(label.rstrip(" :")) for label in labels)
    return re.compile(
        rf"(?:{alternatives})[ \t]*(?:[:.]|\s-\s)?[ \t]*(?P<value>[^\n\f]*)"
        r"(?:\n[ \t]*(?P<next>[^\n\f]*))?"
    )


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field is read: where its text is, and how that text becomes a value."""

    name: str
    kind: type
    patterns: tuple[re.Pattern[str], ...] = ()
    labels_after: re.Pattern[str] | None = None
    until: re.Pattern[str] | None = None
    helper: str | None = None
    labels: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    mapping: Mapping[str, object] = field(default_factory=dict)
    constant: object | None = None

    def read(self, reading: Reading) -> Found[Any] | None:
        """Read the field's value in the attestation ``reading`` holds."""
        if self.constant is not None:
            return Found(self.constant, reading.keywords)
        text = reading.text
        located = self._locate(text)
        if located is None:
            if self.helper is None:
                return None
            return HELPERS[self.helper].run(reading, text, self)
        for piece in located:
            if self.helper is not None:
                found = HELPERS[self.helper].run(reading, piece.value, self)
                value = None if found is None else found.value
            else:
                value = convert(self, piece.value)
            if value is not None:
                return Found(value, piece.evidence)
        return None

    def _locate(self, text: str) -> list[_Located] | None:
        """Every candidate the patterns or the labels point at (``None``: none given)."""
        if self.patterns:
            located = []
            for pattern in self.patterns:
                match = pattern.search(text)
                if match is None:
                    continue
                group: int | str = 0
                if "value" in pattern.groupindex:
                    group = "value"
                elif pattern.groups:
                    group = 1
                if match.group(group) is None:
                    continue
                located.append(
                    _Located(match.group(group), text[match.start() : match.end()].strip())
                )
            return located
        if self.labels_after is not None:
            return self._after(text, self.labels_after)
        return None

    def _after(self, text: str, labels: re.Pattern[str]) -> list[_Located]:
        folded = names.fold(text)
        located = []
        for match in labels.finditer(folded.text):
            value_start, end = match.start("value"), match.end("value")
            if not match.group("value").strip() and match.group("next"):
                value_start, end = match.start("next"), match.end("next")
            if self.until is not None:
                stop = self.until.search(folded.text, value_start, end)
                if stop is not None:
                    end = stop.start()
            value = folded.excerpt(value_start, end)
            if not _clean(value):
                continue
            first, last = folded.span(match.start(), end)
            located.append(_Located(value, text[first:last].strip()))
        return located
