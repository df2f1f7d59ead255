"""Field rules: how a data file's ``[fields.NAME]`` and ``[extras.NAME]`` tables read a value.

A rule locates text (``pattern``, ``after``/``until``), then turns it into the field's
value: by a shared helper (:data:`~attest_pipeline.issuers.helpers.HELPERS`), by a
``map``, or by converting it to the field's type
(:data:`~attest_pipeline.recognition.FIELD_TYPES`, the same table the core checks
extractions with). A rule may also name a helper alone (it reads the whole attestation) or
give a ``constant``. A value that cannot be read or converted is left out, never guessed.
:func:`_check_rules` checks the tables into rules, key by key, through
:class:`~attest_pipeline.datafile.Table` (every problem named with its file and line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attest_pipeline.datafile import Table
from attest_pipeline.issuers.helpers import HELPERS
from attest_pipeline.issuers.markers import loose_phrase, matchable
from attest_pipeline.models import Found, Nature
from attest_pipeline.text import dates, identifiers, quantities
from attest_pipeline.text.fold import fold, normalise

if TYPE_CHECKING:
    from attest_pipeline.issuers.base import Reading

__all__ = ["FieldRule", "after_pattern", "convert"]


# ------------------------------------------------------------------------- conversions

_INTEGER = re.compile(r"\d+")
_EDGES = " \t\n:;,.-–—«»\"'()"


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_EDGES)


def convert(rule: FieldRule, text: str) -> object | None:
    """Convert the located ``text`` to the field's type (``None`` when it is not one).

    Dates: :func:`~attest_pipeline.text.dates.parse_date` (with the rule's
    ``date_formats`` when it has some); hours:
    :func:`~attest_pipeline.text.quantities.parse_hours`; meetings: the first whole
    number; a nature: its value or the rule's
    ``map``; an RPPS cleaned by :func:`~attest_pipeline.text.identifiers.normalise_rpps`.
    """
    if rule.kind is date:
        return dates.parse_date(text, rule.date_formats)
    if rule.kind is float:
        return quantities.parse_hours(text)
    if rule.kind is int:
        match = _INTEGER.search(text)
        return int(match.group(0)) if match else None
    value = _clean(text)
    if not value:
        return None
    if rule.mapping:
        return rule.mapping.get(normalise(value))
    if rule.kind is Nature:
        try:
            return Nature(normalise(value).replace(" ", "_"))
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
        folded = fold(text)
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


# ------------------------------------------------------------------------------ checks

_FIELD_KEYS = frozenset(
    {
        "pattern", "after", "until", "helper", "labels", "markers", "date_formats", "map",
        "constant", "ignore_case",
    }
)  # fmt: skip


def _strings(table: Table, key: str) -> tuple[str, ...]:
    """Return ``table[key]``, a string or a list of non-empty strings, as a tuple."""
    value = table.value(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise table.error("must be a string or a list of strings", key)
    return tuple(value)


def _check_rules(
    section: Table, kind_of: Callable[[str], type], readers: Set[str]
) -> list[FieldRule]:
    """Check the tables of ``[fields]`` or ``[extras]`` (``section``) into rules.

    ``kind_of`` gives a value's type by name; ``readers`` are the reader tables the data
    file has (``title``, ``organisation``, ``nature``): a helper needing another is refused.
    """
    return [
        _rule(name, section.table(name, _FIELD_KEYS), kind_of(name), readers) for name in section
    ]


def _rule(name: str, spec: Table, kind: type, readers: Set[str]) -> FieldRule:
    """Check one field's table ``spec`` into its rule (the field's type is ``kind``)."""
    if "constant" in spec:
        others = sorted(set(spec) - {"constant"})
        if others:
            raise spec.error("cannot go with constant", others[0])
        return FieldRule(name, kind, constant=_constant(spec, "constant", kind))
    if "pattern" in spec and "after" in spec:
        raise spec.error("and pattern exclude each other: give one", "after")
    if not {"pattern", "after", "helper"} & set(spec):
        raise spec.error("needs pattern, after, helper or constant")
    flags = re.MULTILINE | (re.IGNORECASE if spec.flag("ignore_case", True) else 0)
    patterns = []
    for source in _strings(spec, "pattern"):
        try:
            patterns.append(re.compile(source, flags))
        except re.error as error:
            raise spec.error(f"{source!r}: {error}", "pattern") from None
    after = _strings(spec, "after")
    until = _strings(spec, "until")
    if until and not after:
        raise spec.error("needs after", "until")
    for key, phrases in (("after", after), ("until", until)):
        if not all(matchable(phrase) for phrase in phrases):
            raise spec.error("a label needs letters or digits", key)
    helper = spec.value("helper", None)
    labels = _strings(spec, "labels")
    markers = _strings(spec, "markers")
    located = bool(patterns or after)
    if helper is not None:
        _check_helper(spec, helper, name, kind, located, bool(labels), readers)
    if labels and helper not in ("date", "year"):
        raise spec.error("go with the date and year helpers", "labels")
    if markers and helper != "person":
        raise spec.error("go with the person helper", "markers")
    date_formats = _strings(spec, "date_formats")
    if date_formats and (kind is not date or helper is not None):
        raise spec.error("apply to a located date field without helper", "date_formats")
    mapping = _mapping(spec, kind)
    if mapping and (helper is not None or not located):
        raise spec.error("applies to a located value without helper", "map")
    return FieldRule(
        name=name,
        kind=kind,
        patterns=tuple(patterns),
        labels_after=after_pattern(after) if after else None,
        until=re.compile("|".join(loose_phrase(u) for u in until)) if until else None,
        helper=helper,
        labels=labels,
        markers=markers,
        date_formats=date_formats,
        mapping=mapping,
    )


def _check_helper(
    spec: Table,
    helper: object,
    name: str,
    kind: type,
    located: bool,
    labelled: bool,
    readers: Set[str],
) -> None:
    """Raise unless ``helper`` exists and may fill the field ``name`` as written."""
    if not isinstance(helper, str) or helper not in HELPERS:
        raise spec.error(f"{helper!r} is unknown (known: {', '.join(HELPERS)})", "helper")
    info = HELPERS[helper]
    if kind not in info.kinds or (info.only and name not in info.only):
        raise spec.error(f"{helper!r} cannot fill this field", "helper")
    if info.needs_labels and not labelled:
        raise spec.error(f"{helper!r} needs labels", "helper")
    if helper == "date" and not labelled and not located:
        raise spec.error("'date' needs labels, or a pattern or after to locate it", "helper")
    if info.whole and located:
        raise spec.error(
            f"{helper!r} reads the whole attestation: no pattern or after", "helper"
        )
    if info.table and info.table not in readers:
        raise spec.error(f"{helper!r} needs a [{info.table}] table", "helper")


def _constant(table: Table, key: str, kind: type) -> object:
    """Return ``table[key]`` as a value of type ``kind``, or raise saying what was expected."""
    value = table.value(key)
    result: object = None
    if kind is date:
        if isinstance(value, date) and not isinstance(value, datetime):
            result = value
        elif isinstance(value, str):
            try:
                result = date.fromisoformat(value)
            except ValueError:
                result = None
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            result = float(value)
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            result = value
    elif kind is Nature:
        try:
            result = Nature(str(value))
        except ValueError:
            known = ", ".join(n.value for n in Nature)
            raise table.error(f"{value!r} is not a nature ({known})", key) from None
    elif isinstance(value, str) and value.strip():
        result = value
    if result is None:
        raise table.error(f"{value!r} is not a {kind.__name__}", key)
    return result


def _mapping(spec: Table, kind: type) -> Mapping[str, object]:
    """Return the rule's ``map`` with folded keys and values of type ``kind``."""
    if "map" not in spec:
        return {}
    if kind not in (str, Nature):
        raise spec.error("applies to text and nature fields", "map")
    table = spec.table("map")
    if not table.data:
        raise spec.error("must be a table of text = value", "map")
    return {normalise(key): _constant(table, key, kind) for key in table}
