"""The shared readers a data file names in ``helper = "..."``, and what each may fill.

Each wraps a shared text helper (:mod:`attest_pipeline.text`) or one of the engine's
readers, configured by a table of the data file (``[title]``, ``[organisation]``,
``[nature]``, ``[participant]``, ``[dates]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from attest_pipeline.models import Found, Nature
from attest_pipeline.text import dates, identifiers, name_fields, participant, quantities

if TYPE_CHECKING:
    from attest_pipeline.issuers.base import Reading
    from attest_pipeline.issuers.fields import FieldRule

__all__ = ["HELPERS", "Helper"]


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
        return participant.find_person(text, rule.markers)
    return reading.data.people.person(text)


def _name_part(reading: Reading, text: str, rule: FieldRule) -> Found[Any] | None:
    parts = reading.memo(("name_fields", text), lambda: name_fields.find_name_fields(text))
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
